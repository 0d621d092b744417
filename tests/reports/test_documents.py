"""Documents: a real PDF (text extracted by poppler's pdftotext), DOCX reopened with python-docx, Markdown,
Arabic text, and no resource fetched from outside the static files."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from docx import Document as OpenDocx

from arrival.reports.charts import Bar, bar_chart
from arrival.reports.documents import (
    Bullets,
    Document,
    Heading,
    Paragraph,
    ResourceRefused,
    Table,
    _static_path,
    render_docx,
    render_markdown,
    render_pdf,
)

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}]


def _chart():
    return bar_chart(title="Score by domain", description="Bars.", value_label="Score", category_label="Domain",
                     bars=[Bar("Rights", 62.5, 50, 70, band=2, band_label="Meets")])


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is missing: scripts/bootstrap installs it"
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def test_pdf_opens_and_contains_the_heading_and_chart_table(tmp_path):
    pdf = render_pdf("reports_test/document.html", {"heading": "Assessment report", "text": "Body text.", "chart": _chart()})
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    assert "Assessment report" in text and "Body text." in text
    assert "Rights" in text and "62.5" in text  # the chart's data table is printed too


def test_pdf_renders_arabic(tmp_path):
    with translation.override("ar"):
        pdf = render_pdf("reports_test/document.html", {"heading": "تقرير التقييم", "text": "حوكمة الهجرة", "chart": _chart()})
    text = _pdf_text(pdf, tmp_path)
    assert "تقرير التقييم" in text and "حوكمة الهجرة" in text


def test_only_static_files_are_fetched(settings):
    assert _static_path("https://arrival.invalid/static/reports/document.css").name == "document.css"
    for url in ("https://example.org/x.css", "file:///etc/passwd", "https://arrival.invalid/media/a.pdf",
                "https://arrival.invalid/static/../../config/settings.py", "data:text/css,body{}"):
        with pytest.raises(ResourceRefused):
            _static_path(url)


DOC = Document(
    title="Migration and inclusion in Mechelen",
    subtitle="Draft chapter",
    blocks=[
        Paragraph("DRAFT for the city to edit.", emphasis=True),
        Heading("Scores by domain"),
        Table(caption="Domain scores", columns=["Domain", "Score"], rows=[["Rights", "62.5"], ["Well-being | *x*", "–"]]),
        Heading("Gaps and next steps"),
        Bullets(["Interpreting in health care", "A migrant advisory council"]),
    ],
)


def test_docx_reopens_with_its_headings_and_table():
    reopened = OpenDocx(io.BytesIO(render_docx(DOC)))
    headings = [p.text for p in reopened.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == ["Migration and inclusion in Mechelen", "Scores by domain", "Gaps and next steps"]
    assert reopened.tables[0].cell(1, 0).text == "Rights"
    assert any(p.style.name == "List Bullet" and p.text == "A migrant advisory council" for p in reopened.paragraphs)


def test_docx_in_arabic_is_right_to_left():
    with translation.override("ar"):
        data = render_docx(Document(title="الهجرة والإدماج", blocks=[Heading("الدرجات"), Paragraph("مسودة")]))
    reopened = OpenDocx(io.BytesIO(data))
    assert [p.text for p in reopened.paragraphs][:3] == ["الهجرة والإدماج", "الدرجات", "مسودة"]
    assert "<w:bidi/>" in reopened.paragraphs[1]._p.xml


def test_markdown_escapes_and_lays_out_tables():
    text = render_markdown(DOC)
    assert text.startswith("# Migration and inclusion in Mechelen\n")
    assert "## Scores by domain" in text and "*DRAFT for the city to edit.*" in text
    assert "| Well-being \\| \\*x\\* | – |" in text
    assert "- Interpreting in health care" in text


# --- the document's language, and text in another ---------------------------------------------------------

def _pdf_language(pdf: bytes) -> str:
    import re
    import zlib

    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    found = next((m for chunk in chunks if (m := re.search(rb"/Lang\s*\(([^)]*)\)", chunk))), None)
    return found.group(1).decode("ascii") if found else ""


@pytest.mark.parametrize(("language", "tag"), [("en", "en"), ("ar", "ar"), ("zh-hans", "zh-Hans"), ("ru", "ru")])
def test_pdf_names_its_language(language, tag):
    with translation.override(language):
        pdf = render_pdf("reports_test/document.html", {"heading": "X", "text": "Y", "chart": _chart()})
    assert _pdf_language(pdf) == tag


def test_chinese_pdf_has_chinese_glyphs_not_tofu(tmp_path):
    with translation.override("zh-hans"):
        pdf = render_pdf("reports_test/document.html", {"heading": "移民治理评估", "text": "各领域得分", "chart": _chart()})
    assert "移民治理评估" in _pdf_text(pdf, tmp_path) and "各领域得分" in _pdf_text(pdf, tmp_path)
    path = tmp_path / "zh.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607
    assert "WenQuanYi" in fonts  # scripts/bootstrap installs fonts-wqy-microhei; without it Chinese prints as boxes


def test_arabic_pdf_keeps_numbers_left_to_right(tmp_path):
    from django.template import engines

    template = engines["django"].from_string(
        '{% extends "reports/document_base.html" %}{% load arrival %}{% block content %}'
        '<p>النطاق {{ "12.5%"|ltr }} والفاصل {{ "30–60"|ltr }}</p>{% endblock %}')
    with translation.override("ar"):
        html = template.render({})
        from arrival.reports.documents import html_to_pdf

        pdf = html_to_pdf(html)
    assert '<html lang="ar" dir="rtl">' in html and '<bdi dir="ltr">12.5%</bdi>' in html
    text = _pdf_text(pdf, tmp_path)
    assert "12.5%" in text and "30–60" in text  # not "%12.5" and "60–30"


def test_docx_names_its_language_and_marks_text_in_another():
    from docx.oxml.ns import qn

    from arrival.reports.documents import Span

    document = Document(title="Report", blocks=[
        Paragraph("In English."),
        Paragraph(Span("ممارسة مكتوبة بالعربية", "ar")),
        Bullets([(Span("Une pratique", "fr"), " (level 3)")]),
        Table(caption="T", columns=["Practice"], rows=[[Span("实践", "zh-hans")]]),
    ])
    with translation.override("es"):
        reopened = OpenDocx(io.BytesIO(render_docx(document)))
    assert reopened.core_properties.language == "es"
    defaults = reopened.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "es"
    by_text = {p.text: p for p in reopened.paragraphs}
    assert by_text["In English."].runs[0]._r.rPr is None or by_text["In English."].runs[0]._r.rPr.find(qn("w:lang")) is None
    arabic = by_text["ممارسة مكتوبة بالعربية"]
    run_properties = arabic.runs[0]._r.rPr
    assert run_properties.find(qn("w:lang")).get(qn("w:bidi")) == "ar"
    assert run_properties.find(qn("w:rtl")) is not None
    assert arabic._p.pPr.find(qn("w:bidi")) is not None  # a paragraph wholly in Arabic runs from the right
    mixed = by_text["Une pratique (level 3)"]
    assert mixed.runs[0]._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "fr"
    assert mixed.runs[1]._r.rPr is None or mixed.runs[1]._r.rPr.find(qn("w:lang")) is None
    assert mixed._p.pPr is None or mixed._p.pPr.find(qn("w:bidi")) is None
    cell = reopened.tables[0].cell(1, 0).paragraphs[0]
    assert cell.runs[0]._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-Hans"
    assert "实践" in render_markdown(document)


def test_arabic_docx_tables_read_from_the_right():
    from docx.oxml.ns import qn

    from arrival.reports.documents import Span

    with translation.override("ar"):
        reopened = OpenDocx(io.BytesIO(render_docx(Document(title="تقرير", blocks=[
            Table(caption="الدرجات", columns=["المجال", "الدرجة"], rows=[["الحوكمة", "45.5"]]),
            Paragraph(Span("An English practice", "en")),
        ]))))
    assert reopened.core_properties.language == "ar"
    assert reopened.tables[0]._tbl.tblPr.find(qn("w:bidiVisual")) is not None
    english = next(p for p in reopened.paragraphs if p.text == "An English practice")
    assert english.runs[0]._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "en"
    assert english._p.pPr is None or english._p.pPr.find(qn("w:bidi")) is None  # English stays left to right
