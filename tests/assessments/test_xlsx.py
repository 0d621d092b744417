"""Offline filling: questionnaire XLSX export → filled with openpyxl → uploaded → imported by the worker."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from arrival.assessments.models import Answer
from arrival.assessments.xlsx import CHOICES_SHEET, COL_ANSWER, COL_CODE, COL_COMMENT, COL_URL, FIRST_ROW
from arrival.core.models import Job, JobStatus
from tests.accounts.factories import sign_in_as
from tests.assessments.factories import AssessmentFactory, officer_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _jobs_not_eager(settings):
    settings.ARRIVAL_JOBS_EAGER = False


@pytest.fixture
def assessment():
    return AssessmentFactory()


@pytest.fixture
def officer(assessment, client):
    user = officer_for(assessment.government)
    sign_in_as(client, user)
    return user


def _download(client, assessment):
    response = client.get(reverse("assessments:questionnaire_xlsx", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content))


def _upload(client, assessment, workbook, name="filled.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(reverse("assessments:import_xlsx", args=[assessment.pk]),
                       {"file": SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_TYPE)})


def _rows(workbook):
    sheet = workbook.worksheets[0]
    return {sheet.cell(row=r, column=COL_CODE).value: r for r in range(FIRST_ROW, sheet.max_row + 1)}


def test_questionnaire_has_one_row_per_indicator_with_dropdowns_and_locked_structure(client, assessment, officer):
    workbook = _download(client, assessment)
    sheet = workbook.worksheets[0]
    rows = _rows(workbook)
    assert len(rows) == 60 and "D1.1.1" in rows
    choices = workbook[CHOICES_SHEET]
    assert choices.sheet_state == "hidden"
    first = [cell.value for cell in choices[1]]
    assert first[0].startswith("0 – ") and first[4].startswith("4 – ") and first[5].startswith("not_competent – ")
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 60
    assert any(f"'{CHOICES_SHEET}'!$A$1:$H$1" in v.formula1 for v in validations)
    assert sheet.protection.sheet
    assert sheet.cell(row=FIRST_ROW, column=COL_CODE).protection.locked
    assert not sheet.cell(row=FIRST_ROW, column=COL_ANSWER).protection.locked


def test_round_trip_through_the_worker_stores_the_answers(client, assessment, officer):
    workbook = _download(client, assessment)
    sheet = workbook.worksheets[0]
    choices = workbook[CHOICES_SHEET]
    rows = _rows(workbook)
    sheet.cell(row=rows["D1.1.1"], column=COL_ANSWER).value = choices.cell(row=1, column=3).value  # level 2
    sheet.cell(row=rows["D1.1.1"], column=COL_COMMENT).value = "Council decision of March"
    sheet.cell(row=rows["D1.1.1"], column=COL_URL).value = "https://example.org/decision"
    sheet.cell(row=rows["D1.1.2"], column=COL_ANSWER).value = "not_applicable – Not applicable here"
    sheet.cell(row=rows["D1.2.1"], column=COL_ANSWER).value = 4  # a bare level typed in

    response = _upload(client, assessment, workbook)
    job = Job.objects.get(name="assessments.import_xlsx")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    call_command("worker", "--once", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["saved"] == 3
    answers = {a.indicator.code: a for a in Answer.objects.filter(assessment=assessment).select_related("indicator")}
    assert answers["D1.1.1"].value == 2 and answers["D1.1.1"].comment == "Council decision of March"
    assert answers["D1.1.1"].evidence_url == "https://example.org/decision"
    assert answers["D1.1.2"].special == "not_applicable" and answers["D1.1.2"].value is None
    assert answers["D1.2.1"].value == 4

    # The next download is prefilled with what was stored.
    again = _download(client, assessment)
    assert again.worksheets[0].cell(row=rows["D1.1.1"], column=COL_ANSWER).value.startswith("2 – ")


def test_a_bad_row_writes_nothing_and_the_error_names_the_row(client, assessment, officer):
    workbook = _download(client, assessment)
    sheet = workbook.worksheets[0]
    rows = _rows(workbook)
    sheet.cell(row=rows["D1.1.1"], column=COL_ANSWER).value = 3
    sheet.cell(row=rows["D2.1.1"], column=COL_ANSWER).value = "7 – beyond the scale"
    _upload(client, assessment, workbook)
    call_command("worker", "--once", stdout=io.StringIO())

    job = Job.objects.get(name="assessments.import_xlsx")
    assert job.status == JobStatus.FAILED
    assert f"Row {rows['D2.1.1']} (D2.1.1)" in job.error
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_file_for_another_assessment_is_refused(client, assessment, officer):
    other = AssessmentFactory(government=assessment.government, cycle=2023)
    workbook = _download(client, other)
    workbook.worksheets[0].cell(row=FIRST_ROW, column=COL_ANSWER).value = 1
    _upload(client, assessment, workbook)
    call_command("worker", "--once", stdout=io.StringIO())
    job = Job.objects.get(name="assessments.import_xlsx")
    assert job.status == JobStatus.FAILED and "not for this assessment" in job.error
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_file_that_is_not_xlsx_is_refused_at_upload(client, assessment, officer):
    response = client.post(reverse("assessments:import_xlsx", args=[assessment.pk]),
                           {"file": SimpleUploadedFile("answers.xlsx", b"%PDF-1.7 not a workbook", content_type=XLSX_TYPE)})
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert not Job.objects.exists()


def test_only_the_team_downloads_and_uploads(client, assessment):
    stranger = officer_for(AssessmentFactory().government)
    sign_in_as(client, stranger)
    assert client.get(reverse("assessments:questionnaire_xlsx", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessments:import_xlsx", args=[assessment.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("assessments:questionnaire_xlsx", args=[assessment.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
