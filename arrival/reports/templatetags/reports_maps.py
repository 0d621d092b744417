from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from arrival.reports import maps

register = template.Library()

_ASSETS_FLAG = "_arrival_map_assets_emitted"


@register.simple_tag
def map_data(points=None, countries=None) -> dict:
    """Table columns, groups and the JSON payload for one map (see arrival.reports.maps)."""
    return maps.map_summary(points, countries)


@register.simple_tag(takes_context=True)
def map_assets(context: template.Context) -> str:
    """Leaflet and map.js, once per page however many maps it includes."""
    # The bottom layer of the context lives as long as the page's render, across every include.
    base = context.dicts[0]
    if base.get(_ASSETS_FLAG):
        return ""
    base[_ASSETS_FLAG] = True
    return format_html(
        '<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>\n<script src="{}" defer></script>',
        static("leaflet/leaflet.css"),
        static("leaflet/leaflet.js"),
        static("reports/map.js"),
    )
