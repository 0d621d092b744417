from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def demo_badge(record: object) -> str:
    """A visible label on every record that demo content created (DESIGN.md rule 7)."""
    if getattr(record, "is_demo", False):
        return format_html('<span class="badge badge-demo" title="{}">{}</span>', _("Invented for the demonstration"), _("Demo data"))
    return ""
