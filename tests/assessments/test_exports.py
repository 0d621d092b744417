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
from openpyxl import load_workbook

from arrival.core.models import Job, JobStatus
from tests.accounts.factories import sign_in_as
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


def _run_jobs():
    call_command("worker", "--once", stdout=io.StringIO())
    failed = Job.objects.filter(status=JobStatus.FAILED).first()
    assert failed is None, failed and (failed.error_detail or failed.error)


def _prepare(client, url):
    """The worker builds the files publication queued (or the first GET queued); GET then serves the file."""
    first = client.get(url)
    if first.status_code == 503:
        assert int(first["Retry-After"]) > 0
    else:
        assert first.status_code == 200, first.status_code
    _run_jobs()
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_html_report_shows_scores_bands_charts_and_demo_label(client, published):
    response = client.get(reverse("assessments:report", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "LMGF-1.0" in html and "Demo data" in html
    assert 'role="img"' in html and 'class="table-alternative"' in html
    assert "Meets" in html and "Outcome panel" in html


def test_pdf_report_job_makes_a_real_pdf(client, published):
    url = reverse("assessments:report_export", args=[published.pk, "pdf"])
    pdf = _prepare(client, url)
    assert pdf.startswith(b"%PDF")
    # pdftotext comes with poppler-utils (scripts/bootstrap); the PDF's words are compared with line breaks folded
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603, S607
    words = " ".join(text.split())
    assert "Scores by domain" in words and published.government.name in words


def test_asking_twice_during_the_first_build_queues_one_job(client, draft):
    sign_in_as(client, officer_for(draft.government))
    url = reverse("assessments:report_export", args=[draft.pk, "docx"])
    for _attempt in range(2):
        response = client.get(url)
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert response["Content-Type"].startswith("text/plain")
    assert Job.objects.filter(name="reports.prepare_file", status=JobStatus.QUEUED).count() == 1


def test_vlr_chapter_draft_is_a_docx_with_headings(client, published):
    data = _prepare(client, reverse("assessments:report_export", args=[published.pk, "docx"]))
    document = OpenDocx(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Scores by domain" in headings and "Gaps and next steps" in headings
    assert "Links to the Sustainable Development Goals" in headings
    assert any(p.text.startswith("DRAFT") for p in document.paragraphs)


def test_open_data_csv_and_json_carry_framework_version_and_licence(client, published, settings):
    data = _prepare(client, reverse("assessments:open_data_export", args=[published.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["framework_version"] for row in rows} == {"LMGF-1.0"}
    assert {row["licence"] for row in rows} == {settings.ARRIVAL_DATA_LICENCE}
    indicator = next(row for row in rows if row["code"] == "D1.1.1")
    assert indicator["answer"] == "3" and indicator["score"] == "75.0" and indicator["is_demo"] == "true"
    assert sum(row["record"] == "domain" for row in rows) == 6

    document = json.loads(_prepare(client, reverse("assessments:open_data_export", args=[published.pk, "json"])))
    assert document["metadata"]["version"] == "LMGF-1.0"
    assert document["metadata"]["licence"] == settings.ARRIVAL_DATA_LICENCE
    assert document["metadata"]["licence_url"].startswith("https://creativecommons.org/")
    assert len(document["data"]) == len(rows)


def test_bulk_open_data_lists_published_scores_only(client, published, draft):
    data = _prepare(client, reverse("assessments:open_data_all_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 6
    assert {row["government_slug"] for row in rows} == {published.government.slug}
    assert {row["data_version"] for row in rows} == {"LMGF-1.0"}
    document = json.loads(_prepare(client, reverse("assessments:open_data_all_export", args=["json"])))
    assert len(document["data"]) == 6 and document["metadata"]["licence"]


def test_draft_report_is_only_for_those_who_may_view_it(client, draft):
    url = reverse("assessments:report", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("assessments:report_export", args=[draft.pk, "pdf"])).status_code == 404
    sign_in_as(client, officer_for(AssessmentFactory().government))
    assert client.get(url).status_code == 404
    sign_in_as(client, officer_for(draft.government))
    response = client.get(url)
    assert response.status_code == 200 and "Not published" in response.content.decode()


def test_no_open_data_for_a_draft(client, draft):
    sign_in_as(client, officer_for(draft.government))
    assert client.get(reverse("assessments:open_data_export", args=[draft.pk, "csv"])).status_code == 404


def test_unknown_format_is_not_found(client, published):
    for url in (f"/assessments/{published.pk}/report.exe", f"/assessments/{published.pk}/report.csv",
                f"/assessments/{published.pk}/open-data.xml", f"/assessments/{published.pk}/open-data.pdf",
                "/assessments/open-data/scores.xml"):
        assert client.get(url).status_code == 404, url


def test_publication_queues_the_files_before_anyone_asks(client, published):
    queued = {(job.kwargs["kind"], job.kwargs["fmt"]) for job in Job.objects.filter(name="reports.prepare_file")}
    assert queued == {("assessments.report", "pdf"), ("assessments.report", "docx"),
                      *(("assessments.open_data", fmt) for fmt in ("csv", "json", "xlsx")),
                      *(("assessments.open_data_all", fmt) for fmt in ("csv", "json", "xlsx"))}
    _run_jobs()
    assert client.get(reverse("assessments:open_data_export", args=[published.pk, "xlsx"])).status_code == 200


def test_a_new_publication_rebuilds_and_the_old_file_is_served_meanwhile(client, published):
    url = reverse("assessments:open_data_all_export", args=["csv"])
    before = _prepare(client, url).decode("utf-8-sig")
    other = AssessmentFactory(cycle=published.cycle)
    answer_all(other, level=1, user=officer_for(other.government))
    publish(other)
    assert Job.objects.filter(name="reports.prepare_file", status=JobStatus.QUEUED,
                              kwargs__kind="assessments.open_data_all", kwargs__fmt="csv").count() == 1
    meanwhile = client.get(url)
    assert meanwhile.status_code == 200  # the latest prepared file, never a 503 once built
    assert b"".join(meanwhile.streaming_content).decode("utf-8-sig") == before
    _run_jobs()
    after = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert other.government.slug not in before and other.government.slug in after


def test_a_changed_draft_rebuilds_the_report_its_team_asked_for(client, draft):
    sign_in_as(client, officer_for(draft.government))
    url = reverse("assessments:report_export", args=[draft.pk, "docx"])
    strengths = "No indicator is yet implemented city-wide (level 3 or 4)."
    assert strengths in [p.text for p in OpenDocx(io.BytesIO(_prepare(client, url))).paragraphs]
    answer_all(draft, level=4, user=officer_for(draft.government))
    assert Job.objects.filter(name="reports.prepare_file", status=JobStatus.QUEUED).count() == 1
    _run_jobs()
    rebuilt = OpenDocx(io.BytesIO(b"".join(client.get(url).streaming_content)))
    assert strengths not in [p.text for p in rebuilt.paragraphs]


def _colophon_checks(text: str, *, url: str, licence: str, version: str | None) -> None:
    absolute = f"http://testserver{url}"
    assert licence in text, "licence"
    assert absolute in text, f"source {absolute}"
    if version:
        assert version in text, "framework version"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "pdf", "docx"])
def test_every_format_carries_licence_source_and_framework_version(client, published, settings, fmt):
    settings.ARRIVAL_SITE_URL = "http://testserver"
    name = "assessments:report_export" if fmt in ("pdf", "docx") else "assessments:open_data_export"
    url = reverse(name, args=[published.pk, fmt])
    data = _prepare(client, url)
    licence = settings.ARRIVAL_DATA_LICENCE
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {(r["licence"], r["source"], r["framework_version"]) for r in rows} == {
            (licence, f"http://testserver{url}", "LMGF-1.0")}
    elif fmt == "json":
        meta = json.loads(data)["metadata"]
        assert (meta["licence"], meta["source"], meta["version"]) == (licence, f"http://testserver{url}", "LMGF-1.0")
    elif fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        header, *rows = list(workbook["data"].iter_rows(values_only=True))
        assert rows and all(dict(zip(header, row, strict=True))["licence"] == licence for row in rows)
        assert {dict(zip(header, row, strict=True))["framework_version"] for row in rows} == {"LMGF-1.0"}
        meta = dict(list(workbook["metadata"].iter_rows(values_only=True))[1:])
        assert (meta["licence"], meta["source"], meta["version"]) == (licence, f"http://testserver{url}", "LMGF-1.0")
    elif fmt == "docx":
        document = OpenDocx(io.BytesIO(data))
        _colophon_checks("\n".join(p.text for p in document.paragraphs), url=url, licence=licence, version="LMGF-1.0")
        assert document.core_properties.identifier == f"http://testserver{url}"
    else:
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()  # noqa: S603, S607
        _colophon_checks(" ".join(text.split()), url=url, licence=licence, version="LMGF-1.0")


def test_arabic_report_names_the_framework_its_gaps_and_sdg_targets_in_arabic(client):
    from arrival.frameworks.loader import load_frameworks

    load_frameworks()
    assessment = AssessmentFactory()
    team = officer_for(assessment.government)
    answer_all(assessment, level=1, user=team)
    published = publish(assessment, team=team)
    client.cookies["django_language"] = "ar"
    html = client.get(reverse("assessments:report", args=[published.pk])).content.decode()
    assert "إطار الحوكمة المحلية للهجرة" in html  # the framework's title, not "Local Migration Governance Framework"
    assert "هل يستطيع جميع السكان الاستفادة من الخدمات الصحية" in html  # a gap's question (D1.1.1)
    assert "Can every resident use the health services" not in html
    assert "التغطية الصحية الشاملة" in html and "universal health coverage" not in html  # SDG target 3.8
