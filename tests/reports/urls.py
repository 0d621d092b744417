"""A page that shows the map partial on its own, for tests only (never part of the site's URLconf)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from arrival.reports.maps import country_value, point

PAGE = engines["django"].from_string(
    """{% load django_htmx %}<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Map test</title>
<link rel="icon" href="data:,">
<meta name="htmx-config" content='{"includeIndicatorStyles": false}'><link rel="stylesheet" href="/static/arrival/site.css">{% htmx_script minified=True %}</head>
<body><main class="wrap"><h1>Map test</h1>
{% include "reports/_map.html" with map_id="points-map" points=place_points caption="Places with records" %}
{% include "reports/_map.html" with map_id="single-map" points=one_point caption="One place" height="small" %}
{% include "reports/_map.html" with map_id="country-map" countries=country_values caption="Governments per country" %}
<button type="button" hx-get="/map-test/partial/" hx-target="#swapped" hx-swap="innerHTML">Load another map</button>
<div id="swapped"></div>
</main></body></html>"""
)

POINTS = [
    point("Mechelen", "/actors/mechelen/", 51.0259, 4.4776, value=86921, label="Belgium", group="Network A"),
    point("Montréal", "/actors/montreal/", 45.5088, -73.5878, value=1600000, label="Canada", group="Network B"),
    point("São Paulo", "/actors/sao-paulo/", -23.5475, -46.6361, value=10021295, label="Brazil", group="Network A"),
    point("Amman <b>", "/actors/amman/", 31.9552, 35.945, value=None, label="Jordan", group=None),
]
SINGLE = [point("Mechelen", "/actors/mechelen/", 51.0259, 4.4776)]
COUNTRIES = [
    country_value("BE", 12, label="12 governments", url="/countries/be/", name="Belgium"),
    country_value("br", 300, label="300 governments", url="/countries/br/", name="Brazil"),
    country_value("CA", 80, name="Canada"),
]


PARTIAL = engines["django"].from_string(
    '{% include "reports/_map.html" with map_id="swapped-map" points=place_points caption="Swapped in" %}'
)


def map_partial(request: HttpRequest) -> HttpResponse:
    """What an htmx request receives: the map partial alone, with its script tags."""
    return HttpResponse(PARTIAL.render({"place_points": POINTS[:2]}, request))


def map_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render({"place_points": POINTS, "one_point": SINGLE, "country_values": COUNTRIES}, request))


urlpatterns = [
    path("map-test/", map_page, name="map_test"),
    path("map-test/partial/", map_partial, name="map_test_partial"),
]
