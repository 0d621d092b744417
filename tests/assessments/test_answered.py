"""One rule for "answered" (docs/methods.md §3): a value, "not a power of this government" or "not applicable
here" counts; "unknown" and no answer do not. Progress, coverage, the pages, the PDF and DOCX report and the API
all count with it, and the API states the same band as the page for a partial overall score."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from docx import Document as DocxDocument
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.assessments import report_tasks
from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.domain.scoring import score_assessment
from arrival.assessments.models import Answer, Assessment
from arrival.assessments.selectors.records import answer_counts, framework_parsed
from arrival.assessments.services import answers_save_many
from arrival.reports.documents import render_docx, render_pdf
from tests.accounts.factories import sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, load_lmgf, officer_for, publish

pytestmark = pytest.mark.django_db

UNKNOWN_IN_D3 = ["D3.1.1", "D3.1.2", "D3.2.1", "D3.2.2", "D3.3.1", "D3.3.2"]


def _partial(*, published: bool) -> Assessment:
    """Every indicator at level 2, but six of D3's ten "unknown": 54 of 60 answered (90%), D3 below the 60%
    threshold, so the overall score is partial."""
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, level=2, user=officer)
    answers_save_many(
        user=officer,
        assessment=assessment,
        rows=[{"indicator_code": code, "special": "unknown"} for code in UNKNOWN_IN_D3],
    )
    return publish(assessment, team=officer) if published else assessment


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    command = ["pdftotext", "-layout", str(pdf), "-"]
    found = subprocess.run(command, capture_output=True, check=True, text=True)  # noqa: S603
    return " ".join(found.stdout.split())


def test_page_api_pdf_and_docx_count_answered_alike_for_a_partial_assessment(
    client: Client, tmp_path: Path
) -> None:
    assessment = _partial(published=True)
    # The API: coverage, counts and the overall band as the page states them.
    scores = client.get(f"/api/v1/assessments/assessments/{assessment.pk}").json()["scores"]
    assert scores["partial"] is True and scores["coverage"] == 90.0
    assert (scores["answered"], scores["total"]) == (54, 60)
    assert scores["overall_band"] is None and scores["overall_band_status"] == "not_banded_partial"
    d3 = next(d for d in scores["domains"] if d["code"] == "D3")
    assert d3["status"] == "insufficient_data" and d3["coverage"] == 40.0
    # The page: the same coverage, and the overall score not banded.
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "not banded: partial" in page and "90%" in page
    # The report (HTML body shared with the PDF), the PDF itself and the DOCX chapter: 54 of 60, never 60.
    context = report_tasks.report_context(assessment=assessment)
    assert (context["answered"], context["total"]) == (54, 60)
    text = _pdf_text(render_pdf("assessments/report/report_pdf.html", context), tmp_path)
    assert "54 of 60 (90%)" in text and "60 of 60" not in text
    docx = tmp_path / "chapter.docx"
    docx.write_bytes(render_docx(report_tasks.vlr_document(context)))
    assert "It answered 54 of them." in " ".join(p.text for p in DocxDocument(str(docx)).paragraphs)


def test_progress_counts_answered_with_the_same_rule(client: Client) -> None:
    assessment = _partial(published=False)
    officer = officer_for(assessment.government)
    sign_in_as(client, officer)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "4 of 10" in page  # D3: six "unknown" are not answered
    counts = answer_counts(assessment=assessment)
    assert (counts.answered, counts.unknown, counts.blank, counts.total) == (54, 6, 0, 60)
    assert counts.domains["D3"].answered == 4 and counts.coverage == 90.0


ANSWER = st.one_of(
    st.none(),
    st.sampled_from(["not_competent", "not_applicable", "unknown"]),
    st.integers(min_value=0, max_value=4),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ANSWER, min_size=60, max_size=60))
def test_answer_counts_agree_with_the_engine(draws: list[Any]) -> None:
    framework = load_lmgf()
    parsed = framework_parsed(framework=framework)
    assessment = AssessmentFactory(framework=framework)
    answers: dict[str, DomainAnswer] = {}
    rows = []
    for indicator, draw in zip(parsed.indicators, draws, strict=True):
        if draw is None:
            continue
        special = draw if isinstance(draw, str) else ""
        value = None if special else draw
        answers[indicator.code] = DomainAnswer(value=value, special=special or None)
        rows.append(
            Answer(
                assessment=assessment,
                indicator=framework.indicators.get(code=indicator.code),
                value=value,
                special=special,
            )
        )
    Answer.objects.bulk_create(rows)
    counts = answer_counts(assessment=assessment)
    engine = score_assessment(parsed, answers)
    assert (counts.answered, counts.total, counts.coverage) == (
        engine.answered,
        engine.total,
        engine.coverage_percent,
    )
    for domain in engine.domains:
        assert (counts.domains[domain.code].answered, counts.domains[domain.code].total) == (
            domain.answered,
            domain.total,
        )
