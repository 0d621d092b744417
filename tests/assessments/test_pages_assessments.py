"""The assessment pages: status, content, permissions, htmx and plain posts, CSRF, query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arrival.assessments.models import Answer, AssessmentStatus, Validation
from arrival.core.models import Attachment
from tests.accounts.factories import UserFactory, sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft():
    return AssessmentFactory()


@pytest.fixture
def published():
    assessment = AssessmentFactory()
    answer_all(assessment, level=3)
    return publish(assessment)


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def test_public_assessment_page_shows_scores_intervals_coverage_and_outcome_panel(client, published):
    response = client.get(reverse("assessments:detail", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Migrants&#x27; rights" in html or "Migrants' rights" in html
    assert "90% interval" in html and "Coverage" in html and "Outcome panel" in html
    assert "LMGF-1.0" in html
    assert "Fully meets" in html  # level 3 everywhere = 75.0
    assert "<svg" in html and "Show the chart data as a table" in html
    assert reverse("assessments:methods") in html


def test_drafts_are_hidden_from_others(client, draft):
    url = reverse("assessments:detail", args=[draft.pk])
    assert client.get(url).status_code == 403
    other_officer = officer_for(AssessmentFactory(cycle=2023).government)
    assert _client(other_officer).get(url).status_code == 403
    assert _client(officer_for(draft.government)).get(url).status_code == 200


def test_questionnaire_renders_fieldsets_levels_and_specials(draft):
    officer = officer_for(draft.government)
    response = _client(officer).get(reverse("assessments:questionnaire", args=[draft.pk]) + "?domain=D2")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<fieldset" in html and "<legend>Answer to D2.1.1</legend>" in html
    assert 'value="not_competent"' in html and 'value="unknown"' in html and "Level 4:" in html
    assert "0 of 10" in html
    other = UserFactory()
    assert _client(other).get(reverse("assessments:questionnaire", args=[draft.pk])).status_code == 403


def test_answer_saves_with_htmx_and_evidence_upload(draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = officer_for(draft.government)
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    response = _client(officer).post(url, {
        "D1_1_1-answer": "2", "D1_1_1-comment": "Adopted in 2023.",
        "D1_1_1-evidence_reference": "Decision 2023/14",
        "D1_1_1-evidence_file": SimpleUploadedFile("decision.pdf", PDF, content_type="application/pdf"),
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved." in html and 'id="ind-D1-1-1"' in html and 'hx-swap-oob="true"' in html
    answer = Answer.objects.get(assessment=draft, indicator__code="D1.1.1")
    assert (answer.value, answer.comment, answer.evidence_reference) == (2, "Adopted in 2023.", "Decision 2023/14")
    assert Attachment.objects.filter(object_id=str(answer.pk)).count() == 1
    assert "decision.pdf" in html


def test_answer_plain_post_redirects_and_special_answer(draft):
    officer = officer_for(draft.government)
    url = reverse("assessments:answer_save", args=[draft.pk, "D3.2.1"])
    response = _client(officer).post(url, {"D3_2_1-answer": "not_competent"})
    assert response.status_code == 302 and response["Location"].endswith("?domain=D3#ind-D3-2-1")
    answer = Answer.objects.get(assessment=draft, indicator__code="D3.2.1")
    assert answer.special == "not_competent" and answer.value is None


def test_bad_upload_changes_nothing(draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = officer_for(draft.government)
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    response = _client(officer).post(url, {
        "D1_1_1-answer": "3", "D1_1_1-evidence_file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10),
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert not Answer.objects.filter(assessment=draft, indicator__code="D1.1.1").exists()


def test_others_cannot_post_answers(draft):
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    other = officer_for(AssessmentFactory(cycle=2022).government)
    assert _client(other).post(url, {"D1_1_1-answer": "4"}).status_code == 403
    assert Client().post(url, {"D1_1_1-answer": "4"}).status_code == 302  # to sign in
    assert not Answer.objects.filter(assessment=draft).exists()


def test_csrf_is_enforced(draft):
    officer = officer_for(draft.government)
    client = Client(enforce_csrf_checks=True)
    sign_in_as(client, officer)
    response = client.post(reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"]), {"D1_1_1-answer": "2"})
    assert response.status_code == 403
    assert not Answer.objects.filter(assessment=draft).exists()


def test_submit_lists_missing_indicators(draft):
    officer = officer_for(draft.government)
    response = _client(officer).post(reverse("assessments:submit", args=[draft.pk]))
    assert response.status_code == 400
    assert "D1.1.1" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_full_cycle_through_the_pages(draft):
    officer = officer_for(draft.government)
    answer_all(draft, level=2, user=officer)
    team = _client(officer)
    validator, validator_actor = validator_for(draft.government)
    assert team.post(reverse("assessments:submit", args=[draft.pk]),
                     {"validators_given": "1", "validators": [validator_actor.pk]}).status_code == 302
    reviewer = _client(validator)
    page = reviewer.get(reverse("assessments:validation", args=[draft.pk]))
    assert page.status_code == 200 and "Start the validation" in page.content.decode()
    reviewer.post(reverse("assessments:validation_start", args=[draft.pk]), {"validator_actor": validator_actor.pk})
    comment = reviewer.post(reverse("assessments:validation_comment", args=[draft.pk, "D1.1.1"]),
                            {"c-D1_1_1-text": "Please link the decision."}, HTTP_HX_REQUEST="true")
    assert comment.status_code == 200 and "Please link the decision." in comment.content.decode()
    # The team cannot decide on its own assessment.
    assert team.post(reverse("assessments:validation_decide", args=[draft.pk]), {"decision": "accepted"}).status_code == 403
    reviewer.post(reverse("assessments:validation_decide", args=[draft.pk]), {"decision": "accepted", "summary": "Fine."})
    assert Validation.objects.get(assessment=draft).decision == "accepted"
    assert team.post(reverse("assessments:publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.PUBLISHED
    history = Client().get(reverse("assessments:history", args=[draft.pk]))
    assert history.status_code == 200 and officer.public_name in history.content.decode()


def test_settings_and_consultation(draft, settings):
    from tests.actors.factories import OrganisationFactory

    officer = officer_for(draft.government)
    team = _client(officer)
    organisation = OrganisationFactory().actor
    assert team.post(reverse("assessments:settings", args=[draft.pk]),
                     {"consultation_open": "on"}).status_code == 302
    assert team.post(reverse("assessments:settings", args=[draft.pk]),
                     {"organisation": organisation.pk}).status_code == 302
    draft.refresh_from_db()
    assert draft.consultation_open and not draft.benchmark_opt_in
    member = officer_for(organisation, kind="staff")
    consulted = _client(member)
    assert consulted.get(reverse("assessments:consultation", args=[draft.pk])).status_code == 200
    response = consulted.post(reverse("assessments:consultation_comment", args=[draft.pk, "D2.1.1"]),
                              {"c-D2_1_1-text": "Our members see refusals."})
    assert response.status_code == 302
    assert "Our members see refusals." in team.get(
        reverse("assessments:questionnaire", args=[draft.pk]) + "?domain=D2").content.decode()
    outsider = _client(UserFactory())
    assert outsider.get(reverse("assessments:settings", args=[draft.pk])).status_code == 403


def test_profile_section_shows_scores_and_chart(client, published):
    response = client.get(reverse("actors:actor_detail", args=[published.government.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Migration governance self-assessment" in html and "Over the years" in html
    assert html.count("<svg") >= 1 and "75.0" in html


def test_analysis_pages(client, published):
    for name in ("gaps", "benchmark", "framework_views"):
        assert client.get(reverse(f"assessments:{name}", args=[published.pk])).status_code == 200
    views = client.get(reverse("assessments:framework_views", args=[published.pk]) + "?kind=sdg_target")
    assert "Through Arrival's crosswalk" in views.content.decode()
    benchmark = client.get(reverse("assessments:benchmark", args=[published.pk])).content.decode()
    assert "Fewer than 5 comparable assessments" in benchmark
    assert client.get(reverse("assessments:dashboard")).status_code == 200
    methods = client.get(reverse("assessments:methods"))
    assert methods.status_code == 200 and "Monte Carlo" in methods.content.decode()
    assert client.get(reverse("assessments:government", args=[published.government.slug])).status_code == 200


def test_pages_make_a_bounded_number_of_queries(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        client.get(reverse("assessments:detail", args=[published.pk]))
    with django_assert_max_num_queries(25):
        client.get(reverse("assessments:framework_views", args=[published.pk]))
    with django_assert_max_num_queries(30):
        client.get(reverse("assessments:dashboard"))
    officer = officer_for(published.government)
    team = _client(officer)
    with django_assert_max_num_queries(30):
        team.get(reverse("assessments:questionnaire", args=[published.pk]))
    with django_assert_max_num_queries(30):
        team.get(reverse("assessments:history", args=[published.pk]))
