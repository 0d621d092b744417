import json
import math
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.template import engines
from django.template.loader import render_to_string

from arrival.reports.maps import country_value, map_summary, point

VOID = {"link", "meta", "br", "img", "input", "hr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list["Node"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join([*self.parts, *(child.text for child in self.children)]).split())

    def all(self, tag: str | None = None, **attrs: str) -> list["Node"]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in attrs.items()):
                found.append(child)
            found.extend(child.all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs: str) -> "Node":
        (node,) = self.all(tag, **attrs)
        return node


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        self.stack[-1].parts.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    return builder.root


def render(**context) -> Node:
    return parse(render_to_string("reports/_map.html", {"map_id": "m", "caption": "Test map", **context}))


POINTS = [
    point("Mechelen", "/actors/mechelen/", 51.03, 4.48, value=86921, label="Belgium", group="Network A"),
    point("São Paulo", "/actors/sao-paulo/", -23.55, -46.64, value=10021295.5, label="Brazil", group="Network B"),
    point("<script>x</script>", "/actors/x/", 0, 0),
]
COUNTRIES = [
    country_value("be", 12, label="12 governments", url="/countries/be/", name="Belgium"),
    country_value("BR", 300),
]


def test_point_builds_json_ready_dict():
    assert point("Mechelen", "/a/", "51.03", 4, value=3, label="BE") == {
        "name": "Mechelen", "url": "/a/", "lat": 51.03, "lon": 4.0, "value": 3.0, "label": "BE", "group": None,
    }


@pytest.mark.parametrize(
    ("lat", "lon", "value"),
    [(91, 0, None), (0, -181, None), (math.nan, 0, None), (0, 0, -1), (0, 0, math.inf), (None, 0, None)],
)
def test_point_refuses_bad_numbers(lat, lon, value):
    with pytest.raises(ValueError):
        point("x", "/x/", lat, lon, value=value)


def test_country_value_normalises_code_and_refuses_bad_ones():
    assert country_value(" be ", 4, name="Belgium")["iso_a2"] == "BE"
    assert country_value("fr", 1)["name"] == "FR"
    for code in ("BEL", "1A", ""):
        with pytest.raises(ValueError):
            country_value(code, 1)
    with pytest.raises(ValueError):
        country_value("BE", None)


def test_summary_keeps_group_order_and_detects_columns():
    summary = map_summary(POINTS, None)
    assert summary["groups"] == ["Network A", "Network B"]
    assert summary["has_values"] and summary["has_labels"]
    assert summary["data"] == {"points": POINTS, "countries": [], "groups": ["Network A", "Network B"]}


def test_points_map_renders_container_data_script_and_table():
    page = render(points=POINTS)
    container = page.one(id="m")
    assert "map" in container.attrs["class"].split() and "data-map" in container.attrs
    assert container.attrs["data-map-data"] == "m-data"
    assert container.attrs["data-world-url"] == "/static/reports/world-110m.geojson"
    assert container.attrs["role"] == "region" and "Test map" in container.attrs["aria-label"]
    assert container.attrs["tabindex"] == "0"

    data = json.loads(page.one("script", id="m-data").text)
    assert [p["name"] for p in data["points"]] == ["Mechelen", "São Paulo", "<script>x</script>"]
    assert data["groups"] == ["Network A", "Network B"] and data["countries"] == []

    details = page.one("details", **{"class": "table-alternative"})
    (table,) = details.all("table")
    assert table.one("caption").text == "Test map"
    assert [th.text for th in table.one("thead").all("th")] == ["Place", "Details", "Group", "Value"]
    rows = table.one("tbody").all("tr")
    assert len(rows) == 3
    assert rows[0].one("a").attrs["href"] == "/actors/mechelen/"
    assert [td.text for td in rows[1].all("td")] == ["Brazil", "Network B", "10,021,295.50"]
    assert rows[2].one("th").text == "<script>x</script>"  # shown as text, never as markup
    assert [td.text for td in rows[2].all("td")] == ["", "", ""]


def test_columns_follow_the_data():
    page = render(points=[point("Mechelen", "/m/", 51, 4)])
    assert [th.text for th in page.one("thead").all("th")] == ["Place"]


def test_choropleth_renders_country_data_and_table():
    page = render(countries=COUNTRIES)
    data = json.loads(page.one("script", id="m-data").text)
    assert data["points"] == [] and [c["iso_a2"] for c in data["countries"]] == ["BE", "BR"]
    (table,) = page.all("table")
    assert [th.text for th in table.one("thead").all("th")] == ["Country", "Details", "Value"]
    rows = table.one("tbody").all("tr")
    assert rows[0].one("a").attrs["href"] == "/countries/be/"
    assert [rows[0].one("th").text, *(td.text for td in rows[0].all("td"))] == ["Belgium", "12 governments", "12"]
    assert rows[1].one("th").text == "BR"


def test_empty_map_says_so():
    page = render(points=[])
    assert not page.all("table")
    assert "Nothing to show" in page.one("details").text


def test_two_maps_on_a_page_load_leaflet_once_and_nothing_inline():
    template = engines["django"].from_string(
        '{% include "reports/_map.html" with map_id="a" points=points caption="A" %}'
        '{% include "reports/_map.html" with map_id="b" countries=countries caption="B" height="small" %}'
    )
    page = parse(template.render({"points": POINTS, "countries": COUNTRIES}))
    assert [s.attrs["src"] for s in page.all("script") if "src" in s.attrs] == [
        "/static/leaflet/leaflet.js", "/static/reports/map.js",
    ]
    assert [link.attrs["href"] for link in page.all("link")] == ["/static/leaflet/leaflet.css"]
    # CSP: scripts are files or JSON data, and no element carries a style attribute.
    assert all("src" in s.attrs or s.attrs.get("type") == "application/json" for s in page.all("script"))
    assert not page.all("style") and not [node for node in page.all() if "style" in node.attrs]
    assert "map-small" in page.one(id="b").attrs["class"].split()
    assert "map-small" not in page.one(id="a").attrs["class"].split()
