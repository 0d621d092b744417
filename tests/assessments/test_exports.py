"""Report jobs: the PDF report, the VLR chapter draft (DOCX), open data (CSV/JSON) and the bulk export;
who may see what."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document as OpenDocx

from arrival.core.models import Job, JobStatus
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish


@pytest.fixture(autouse=True)
def _jobs_not_eager(settings):
    settings.ARRIVAL_JOBS_EAGER = False


@pytest.fixture
def published():
    assessment = AssessmentFactory(is_demo=True)
    team = officer_for(assessment.government)
    answer_all(assessment, level=3, user=team)
    return publish(assessment, team=team)


@pytest.fixture
def draft():
    assessment = AssessmentFactory()
    answer_all(assessment, level=1)
    return assessment


def _prepare(client, url):
    """GET offers to prepare; POST queues the job; the worker makes the file; GET serves it."""
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    call_command("worker", "--once", stdout=io.StringIO())
    job = Job.objects.filter(name__in=["assessments.report", "assessments.open_data_all"]).order_by("-created_at").first()
    assert job.status == JobStatus.SUCCEEDED, job.error or job.error_detail
    assert job.result["url"] == url
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_html_report_shows_scores_bands_charts_and_demo_label(client, published):
    response = client.get(reverse("assessments:report", args=[published.pk, "html"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "LMGF-1.0" in html and "Demo data" in html
    assert 'role="img"' in html and 'class="table-alternative"' in html
    assert "Meets" in html and "Outcome panel" in html


def test_pdf_report_job_makes_a_real_pdf(client, published):
    url = reverse("assessments:report", args=[published.pk, "pdf"])
    pdf = _prepare(client, url)
    assert pdf.startswith(b"%PDF")
    # pdftotext comes with poppler-utils (scripts/bootstrap); the PDF's words are compared with line breaks folded
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603, S607
    words = " ".join(text.split())
    assert "Scores by domain" in words and published.government.name in words


def test_signed_in_request_goes_to_the_job_page(client, published):
    client.force_login(officer_for(published.government))
    response = client.post(reverse("assessments:report", args=[published.pk, "docx"]))
    job = Job.objects.get(name="assessments.report")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    # Asking again while it waits does not queue a second job.
    client.post(reverse("assessments:report", args=[published.pk, "docx"]))
    assert Job.objects.filter(name="assessments.report").count() == 1


def test_vlr_chapter_draft_is_a_docx_with_headings(client, published):
    data = _prepare(client, reverse("assessments:report", args=[published.pk, "docx"]))
    document = OpenDocx(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Scores by domain" in headings and "Gaps and next steps" in headings
    assert "Links to the Sustainable Development Goals" in headings
    assert any(p.text.startswith("DRAFT") for p in document.paragraphs)


def test_open_data_csv_and_json_carry_framework_version_and_licence(client, published, settings):
    data = _prepare(client, reverse("assessments:open_data", args=[published.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["framework_version"] for row in rows} == {"LMGF-1.0"}
    assert {row["licence"] for row in rows} == {settings.ARRIVAL_DATA_LICENCE}
    indicator = next(row for row in rows if row["code"] == "D1.1.1")
    assert indicator["answer"] == "3" and indicator["score"] == "75.0" and indicator["is_demo"] == "true"
    assert sum(row["record"] == "domain" for row in rows) == 6

    document = json.loads(_prepare(client, reverse("assessments:open_data", args=[published.pk, "json"])))
    assert document["metadata"]["version"] == "LMGF-1.0"
    assert document["metadata"]["licence"] == settings.ARRIVAL_DATA_LICENCE
    assert document["metadata"]["licence_url"].startswith("https://creativecommons.org/")
    assert len(document["data"]) == len(rows)


def test_bulk_open_data_lists_published_scores_only(client, published, draft):
    data = _prepare(client, reverse("assessments:open_data_all", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 6
    assert {row["government_slug"] for row in rows} == {published.government.slug}
    assert {row["data_version"] for row in rows} == {"LMGF-1.0"}
    document = json.loads(_prepare(client, reverse("assessments:open_data_all", args=["json"])))
    assert len(document["data"]) == 6 and document["metadata"]["licence"]


def test_draft_report_is_only_for_those_who_may_view_it(client, draft):
    url = reverse("assessments:report", args=[draft.pk, "html"])
    assert client.get(url).status_code == 404
    assert client.post(reverse("assessments:report", args=[draft.pk, "pdf"])).status_code == 404
    client.force_login(officer_for(AssessmentFactory().government))
    assert client.get(url).status_code == 404
    client.force_login(officer_for(draft.government))
    response = client.get(url)
    assert response.status_code == 200 and "Not published" in response.content.decode()


def test_no_open_data_for_a_draft(client, draft):
    client.force_login(officer_for(draft.government))
    assert client.get(reverse("assessments:open_data", args=[draft.pk, "csv"])).status_code == 404


def test_unknown_format_is_not_found(client, published):
    assert client.get(reverse("assessments:report", args=[published.pk, "exe"])).status_code == 404
    assert client.get(reverse("assessments:open_data", args=[published.pk, "xml"])).status_code == 404
    assert client.get(reverse("assessments:open_data_all", args=["xml"])).status_code == 404
