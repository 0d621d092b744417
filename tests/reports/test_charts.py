"""SVG charts: well-formed XML, an accessible name and description, the same data as a table, no inline style."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from arrival.reports.charts import Bar, Group, Series, bar_chart, distribution_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chart):
    return ET.fromstring(str(chart.svg))  # noqa: S314 - our own renderer's output, not untrusted input


def _line():
    return line_chart(
        title="Scores over the years", description="One line per domain.", x_label="Cycle", y_label="Score",
        series=[Series("Migrants' rights", [(2022, 40), (2023, 55.5), (2024, None)]),
                Series("Partnerships <b>", [(2022, 10), (2023, 30), (2024, 80)])],
    )


def _bar():
    return bar_chart(
        title="Score by domain", description="Bars with intervals.", value_label="Score", category_label="Domain",
        bars=[Bar("Rights", 62.5, 50, 70, band=2, band_label="Meets"), Bar("Well-being", None)],
        cutoffs=[(25, "Partially meets"), (50, "Meets"), (75, "Fully meets")], missing_label="insufficient data",
    )


def _distribution():
    return distribution_chart(
        title="Spread by region", description="Boxes and dots.", value_label="Score", group_label="Region",
        groups=[Group("Europe", [10, 20, 35, 60, 90]), Group("Africa", [42]), Group("Asia", [])],
    )


@pytest.mark.parametrize("build", [_line, _bar, _distribution])
def test_chart_is_well_formed_accessible_svg(build):
    chart = build()
    root = _parse(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == chart.title and desc.text == chart.description
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # CSP refuses inline styles: presentation attributes only.
    assert not any("style" in element.attrib for element in root.iter())
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert chart.table.columns[0] in texts or chart.table.columns[1] in texts  # a visible axis label


def test_line_chart_table_and_escaping():
    chart = _line()
    assert chart.table.columns == ("Cycle", "Migrants' rights", "Partnerships <b>")
    assert chart.table.rows == (("2022", "40", "10"), ("2023", "55.5", "30"), ("2024", "–", "80"))
    assert "Partnerships &lt;b&gt;" in chart.svg
    # The series differ by dash pattern and marker, not by colour alone.
    root = _parse(chart)
    paths = root.findall(f".//{SVG}path")
    assert len({p.get("stroke-dasharray") for p in paths}) == 2
    assert root.findall(f".//{SVG}polygon") and root.findall(f".//{SVG}circle")


def test_line_chart_over_days_labels_each_day_in_the_table_and_only_what_fits_on_the_axis():
    import datetime as dt

    days = [dt.date(2026, 1, 1), dt.date(2026, 1, 3), dt.date(2026, 6, 30), dt.date(2026, 12, 1)]
    chart = line_chart(
        title="Hosts", description="By day.", x_label="Measured on", y_label="people", y_max=300,
        series=[Series("Measured value", [(day.toordinal(), 100 + n) for n, day in enumerate(days)])],
        x_format=lambda x: dt.date.fromordinal(int(x)).isoformat(),
    )
    assert [row[0] for row in chart.table.rows] == [day.isoformat() for day in days]
    texts = [element.text for element in _parse(chart).iter(f"{SVG}text")]
    # 3 January sits two pixels from 1 January: its label would overprint it, so the axis leaves it out.
    assert "2026-01-01" in texts and "2026-01-03" not in texts and "2026-06-30" in texts and "2026-12-01" in texts


def test_bar_chart_prints_value_and_band_and_interval():
    chart = _bar()
    assert chart.table.columns == ("Domain", "Score", "90% interval", "Band")
    assert chart.table.rows == (("Rights", "62.5", "50–70", "Meets"), ("Well-being", "insufficient data", "–", "–"))
    texts = [element.text for element in _parse(chart).iter(f"{SVG}text")]
    assert "62.5 · Meets" in texts and "insufficient data" in texts


def test_distribution_table_has_five_numbers():
    chart = _distribution()
    assert chart.table.rows[0] == ("Europe", "5", "10", "20", "35", "60", "90")
    assert chart.table.rows[1] == ("Africa", "1", "42", "42", "42", "42", "42")
    assert chart.table.rows[2][1] == "0"


def test_coordinates_stay_machine_numbers_in_a_comma_decimal_language():
    with translation.override("fr"):
        chart = _bar()
    root = _parse(chart)
    for element in root.iter():
        for name in ("x", "y", "x1", "x2", "width", "cx", "cy"):
            if name in element.attrib:
                float(element.get(name))
    assert chart.table.rows[0][1] == "62,5"  # the table follows the reader's language


def test_partial_renders_svg_and_table_alternative():
    html = str(_bar())
    assert '<details class="table-alternative">' in html
    assert "<caption>Score by domain</caption>" in html
    assert '<th scope="row">Rights</th>' in html and "<svg" in html


def test_arabic_charts_are_mirrored():
    import re

    from django.utils import translation

    from arrival.reports.charts import Bar, Group, Series, bar_chart, distribution_chart, line_chart

    def bar(language):
        with translation.override(language):
            return bar_chart(title="t", description="d", value_label="v", category_label="c", cutoffs=[(50, "m")],
                             bars=[Bar("الحوكمة", 40, 30, 60, band=1, band_label="متوسط")], chart_id="b").svg

    english, arabic = bar("en"), bar("ar")
    assert 'direction="ltr"' in arabic  # anchors mean the same in a browser on a right-to-left page
    rect = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', arabic)
    label = re.search(r'<text x="([\d.]+)" y="[\d.]+" dy="4" text-anchor="start">الحوكمة</text>', arabic)
    assert rect and label
    assert float(label.group(1)) > float(rect.group(1)) + float(rect.group(2))  # the label right of the bar
    assert re.search(r'<rect x="198.0"', english)  # left to right: bars start at the axis on the left
    assert "متوسط · 40" in arabic and "40 · متوسط" in english  # the number next to its bar's end

    with translation.override("ar"):
        box = distribution_chart(title="t", description="d", value_label="v", group_label="g",
                                 groups=[Group("الصحة", [10, 20, 30])], chart_id="d").svg
        line = line_chart(title="t", description="d", x_label="x", y_label="y",
                          series=[Series("الكل", [(2023, 10), (2024, 20)])], chart_id="l").svg
    assert "(n=3) الصحة" in box
    years = {m.group(2): float(m.group(1)) for m in re.finditer(r'<text x="([\d.]+)"[^>]*>(2023|2024)</text>', line)}
    assert years["2024"] < years["2023"]  # years run from right to left
