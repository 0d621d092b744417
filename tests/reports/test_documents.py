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
