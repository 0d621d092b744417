"""The pages link to the exports (workbook, upload, reports, open data), and the links respect permissions."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory, sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return AssessmentFactory()


@pytest.fixture
def published():
    assessment = AssessmentFactory()
    answer_all(assessment, level=3)
    return publish(assessment)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        sign_in_as(client, user)
    return client


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def _exports(pk: int) -> dict[str, str]:
    return {
        "xlsx": reverse("assessments:questionnaire_xlsx", args=[pk]),
        "upload": reverse("assessments:import_xlsx", args=[pk]),
        "html": reverse("assessments:report", args=[pk]),
        "pdf": reverse("assessments:report_export", args=[pk, "pdf"]),
        "docx": reverse("assessments:report_export", args=[pk, "docx"]),
        "csv": reverse("assessments:open_data_export", args=[pk, "csv"]),
        "json": reverse("assessments:open_data_export", args=[pk, "json"]),
        "xlsx_data": reverse("assessments:open_data_export", args=[pk, "xlsx"]),
        "all_csv": reverse("assessments:open_data_all_export", args=["csv"]),
        "all_json": reverse("assessments:open_data_all_export", args=["json"]),
        "all_xlsx": reverse("assessments:open_data_all_export", args=["xlsx"]),
    }


def test_team_workspace_and_questionnaire_link_the_workbook_and_draft_reports(draft):
    team = _client(officer_for(draft.government))
    urls = _exports(draft.pk)
    workspace = _links(team.get(reverse("assessments:detail", args=[draft.pk])).content.decode())
    questionnaire = _links(team.get(reverse("assessments:questionnaire", args=[draft.pk])).content.decode())
    for page in (workspace, questionnaire):
        assert {urls["xlsx"], urls["upload"]} <= page
    assert {urls["html"], urls["pdf"], urls["docx"]} <= workspace
    assert not {urls["csv"], urls["json"]} & workspace  # no open data before publication
    # Every link the team is shown resolves for the team.
    assert team.get(urls["xlsx"]).status_code == 200
    assert team.get(urls["upload"]).status_code == 200
    assert team.get(urls["html"]).status_code == 200
    first = team.get(urls["pdf"])  # a draft's report is first built when first asked for
    assert first.status_code == 503 and int(first["Retry-After"]) > 0


def test_drafts_exports_are_only_for_those_allowed(draft):
    urls = _exports(draft.pk)
    outsider = _client(UserFactory())
    for name in ("html", "pdf", "docx", "csv", "json"):
        assert outsider.get(urls[name]).status_code == 404, name
        assert _client().get(urls[name]).status_code == 404, name
    assert outsider.get(urls["xlsx"]).status_code == 404
    assert outsider.post(urls["upload"]).status_code == 404
    assert _client().get(urls["xlsx"]).status_code == 302  # to sign in


def test_submitted_assessment_offers_no_upload_and_refuses_it(draft):
    officer = officer_for(draft.government)
    answer_all(draft, level=2, user=officer)
    team = _client(officer)
    validator, validator_actor = validator_for(draft.government)
    submitted = team.post(reverse("assessments:submit", args=[draft.pk]),
                          {"validators_given": "1", "validators": [validator_actor.pk]})
    assert submitted.status_code == 302
    urls = _exports(draft.pk)
    workspace = _links(team.get(reverse("assessments:detail", args=[draft.pk])).content.decode())
    assert urls["xlsx"] in workspace and urls["upload"] not in workspace
    assert team.get(urls["upload"]).status_code == 403
    reviewer = _client(validator)  # may view the submitted assessment, so its report, never its workbook
    assert reviewer.get(urls["html"]).status_code == 200
    assert reviewer.get(urls["xlsx"]).status_code == 403


def test_public_page_profile_and_dashboard_link_reports_and_open_data(published):
    urls = _exports(published.pk)
    visitor = _client()
    detail = _links(visitor.get(reverse("assessments:detail", args=[published.pk])).content.decode())
    profile = _links(visitor.get(reverse("actors:actor_detail", args=[published.government.slug])).content.decode())
    dashboard = _links(visitor.get(reverse("assessments:dashboard")).content.decode())
    public = {urls[name] for name in ("html", "pdf", "docx", "csv", "json", "xlsx_data", "all_csv", "all_json",
                                      "all_xlsx")}
    assert public <= detail and public <= profile
    assert {urls["all_csv"], urls["all_json"], urls["all_xlsx"]} <= dashboard
    assert not {urls["xlsx"], urls["upload"]} & (detail | profile)  # the workbook is the team's
    # Publication queued every file; once the worker ran, every link serves its file.
    call_command("worker", "--once", stdout=io.StringIO())
    for url in public:
        assert visitor.get(url).status_code == 200, url
