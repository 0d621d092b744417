"""Readable diffs between versions, and exports that open: PDF (pdftotext), DOCX (python-docx), Markdown,
CSV and JSON with framework codes and source contribution ids."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import tempfile
from pathlib import Path

import docx
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from arrival.accounts.models import RoleKind
from arrival.consultations import exports, selectors, services
from tests.consultations.factories import (
    COMMENTS,
    SYNTHESIS,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    person,
)


def test_text_diff_marks_inserted_and_deleted_words() -> None:
    segments = selectors.text_diff("Cities open services to residents.", "Cities open all services to every resident.")
    assert ("insert", "all ") in segments or any(op == "insert" and "all" in text for op, text in segments)
    assert any(op == "delete" and "residents." in text for op, text in segments)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_text_diff_rebuilds_both_texts(old: str, new: str) -> None:
    segments = selectors.text_diff(old, new)
    assert "".join(t for op, t in segments if op != "insert") == old
    assert "".join(t for op, t in segments if op != "delete") == new


def test_version_diff_matches_paragraphs_by_key() -> None:
    cons = consultation()
    a, b = city("A"), city("B")
    contribute(cons, a, person(a), gcm="15")
    contribute(cons, b, person(b), gcm="16")
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    first, second = v1.paragraphs.order_by("position")
    with at(COMMENTS):
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(key=second.key, text=second.text),
            services.ParagraphEdit(text="Brand new", editorial=True),
        ])
    rows = selectors.version_diff(old=v1, new=v2)
    assert [(r.status, r.old_position, r.new_position) for r in rows] == [
        ("removed", 1, None), ("same", 2, 1), ("added", None, 2)]


def _pdf_text(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        out = subprocess.run(["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True,  # noqa: S603
                             check=True)
    return out.stdout.decode()


def test_pdf_export_opens_and_carries_paragraphs_and_sources() -> None:
    flow = adopted_flow()
    data = exports.version_pdf(flow["version"])
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Adopted version 1" in text
    assert "Alpha proposes one desk" in text and "Beta City" in text
    assert f"#{flow['contributions'][0].pk} Alpha City" in text


def test_docx_export_opens_with_headings_and_sources() -> None:
    flow = adopted_flow()
    document = docx.Document(io.BytesIO(exports.version_docx(flow["version"])))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == flow["document"].title
    assert any(t.startswith("1. GCM objective 15") for t in texts)
    assert any("Beta proposes neighbourhood welcome groups." in t for t in texts)
    assert any(t.startswith("Sources: #") for t in texts)


def test_markdown_csv_json_exports() -> None:
    flow = adopted_flow()
    version = flow["version"]
    ca, cb = flow["contributions"]
    markdown = exports.version_markdown(version)
    assert markdown.startswith("# ") and "GCM objective 16" in markdown
    rows = list(csv.DictReader(io.StringIO(exports.version_csv(version).decode("utf-8-sig"))))
    assert [r["paragraph"] for r in rows] == ["1", "2"]
    assert rows[0]["source_contribution_ids"] == str(ca.pk) and rows[1]["source_contribution_ids"] == str(cb.pk)
    assert "gcm:15" in rows[0]["framework_codes"] and rows[0]["licence"] == "CC BY 4.0"
    data = json.loads(exports.version_json(version))
    assert data["metadata"]["adopted"] is True
    assert data["data"][1]["source_contribution_ids"] == [cb.pk]
    assert "gcm_objective" not in data["data"][1]["framework_codes"][0]


def test_export_urls_answer_each_format(client, settings) -> None:  # noqa: ANN001
    settings.ARRIVAL_SITE_URL = "http://testserver"
    flow = adopted_flow()  # the draft's making and its adoption queued the builds
    document, version = flow["document"], flow["version"]
    call_command("worker", "--once", stdout=io.StringIO())
    for fmt, start in (("pdf", b"%PDF"), ("docx", b"PK"), ("md", b"# "), ("csv", "\ufeff".encode()),
                       ("json", b"{")):
        url = reverse("consultations:version_export", args=[document.pk, version.number, fmt])
        response = client.get(url)
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and body.startswith(start), fmt
        if fmt == "md":  # built again at adoption: the file says so, with its licence and source
            text = body.decode()
            assert "Adopted version 1" in text and "CC BY 4.0" in text
            assert f"http://testserver{version.get_absolute_url()}" in text
        if fmt == "docx":
            words = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
            assert "CC BY 4.0" in words and f"http://testserver{version.get_absolute_url()}" in words
        if fmt == "pdf":
            text = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()  # noqa: S603, S607
            assert "CC BY 4.0" in text and f"http://testserver{version.get_absolute_url()}" in "".join(text.split())
    assert client.get(f"/consultations/documents/{document.pk}/versions/1/export.exe").status_code == 404


