from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from arrival.core.time_zones import datetime_with_zone

register = template.Library()


@register.filter
def with_zone(value: datetime | None) -> str:
    """A date and time in the viewer's zone, with the zone named ("… 09:00 (Europe/Brussels)")."""
    return datetime_with_zone(value) if value else ""


@register.simple_tag
def demo_badge(record: object) -> str:
    """A visible label on every record that demo content created (DESIGN.md rule 7)."""
    if getattr(record, "is_demo", False):
        return format_html('<span class="badge badge-demo" title="{}">{}</span>', _("Invented for the demonstration"), _("Demo data"))
    return ""
