"""The joints between the steps of an assessment (issue 12, §4), each a test that failed before its fix:

- a refused evidence upload shows its error beside that question's file field (htmx and plain posts), keeps
  what was typed, and the next save works;
- the evidence rule is said at save time (a warning), not only at submission;
- each blocking message at submission links to its question;
- "validate on behalf of" is chosen already when the person has one role to validate for;
- the history page speaks the reader's language: no internal action or field names, statuses by their label.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.assessments.models import Answer, AssessmentStatus
from arrival.assessments.selectors import indicator_get
from arrival.assessments.services import answer_save, assessment_validators_set, team_comment
from arrival.core.models import Attachment
from tests.accounts.factories import sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00" * 10
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _file_field_block(html: str) -> str:
    """The markup of D1.1.1's file field, from its label to the end of its field block."""
    start = html.index('<label for="id_D1_1_1-evidence_file">')
    return html[start:html.index("</div>", start)]


@pytest.fixture
def draft():
    return AssessmentFactory()


# --- a refused evidence upload -------------------------------------------------------------------------------


def test_a_refused_upload_is_said_beside_the_file_field_with_htmx_and_the_next_save_works(draft):
    officer = officer_for(draft.government)
    client = _client(officer)
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    refused = client.post(url, {"D1_1_1-answer": "2", "D1_1_1-comment": "Adopted in 2023.",
                                "D1_1_1-evidence_file": SimpleUploadedFile("x.exe", EXE)}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    html = refused.content.decode()
    block = _file_field_block(html)
    assert 'aria-invalid="true"' in block and 'class="errorlist" id="id_D1_1_1-evidence_file_error"' in block
    assert "Adopted in 2023." in html  # what was typed is kept
    assert not Answer.objects.filter(assessment=draft).exists() and not Attachment.objects.exists()
    saved = client.post(url, {"D1_1_1-answer": "2", "D1_1_1-comment": "Adopted in 2023.",
                              "D1_1_1-evidence_reference": "Decision 2023/14"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "Saved." in saved.content.decode()
    assert Answer.objects.get(assessment=draft).comment == "Adopted in 2023."


def test_a_refused_upload_without_javascript_shows_the_question_again_with_the_error_in_place(draft):
    officer = officer_for(draft.government)
    client = _client(officer)
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    refused = client.post(url, {"D1_1_1-answer": "2", "D1_1_1-comment": "Adopted in 2023.",
                                "D1_1_1-evidence_file": SimpleUploadedFile("x.exe", EXE)})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="id_D1_1_1-evidence_file_error"' in _file_field_block(html)
    assert 'href="#ind-D1-1-1"' in html and "Adopted in 2023." in html
    assert not Answer.objects.filter(assessment=draft).exists()
    saved = client.post(url, {"D1_1_1-answer": "2", "D1_1_1-evidence_file": SimpleUploadedFile(
        "decision.pdf", PDF, content_type="application/pdf")})
    assert saved.status_code == 302 and saved["Location"].endswith("?domain=D1#ind-D1-1-1")
    assert Attachment.objects.filter(object_id=str(Answer.objects.get(assessment=draft).pk)).count() == 1


# --- the evidence rule at save time ----------------------------------------------------------------------


def test_the_evidence_rule_is_a_warning_when_saving(draft):
    officer = officer_for(draft.government)
    client = _client(officer)
    url = reverse("assessments:answer_save", args=[draft.pk, "D1.1.1"])
    saved = client.post(url, {"D1_1_1-answer": "3"}, HTTP_HX_REQUEST="true")
    html = saved.content.decode()
    assert saved.status_code == 200 and "Saved." in html and "Evidence needed:" in html
    assert Answer.objects.get(assessment=draft).value == 3  # a warning: the answer is saved
    page = client.post(url, {"D1_1_1-answer": "3"}, follow=True).content.decode()
    assert "D1.1.1 needs evidence" in page and "Evidence needed:" in page
    # With a reference, or at a level that needs none, nothing is said.
    with_reference = client.post(url, {"D1_1_1-answer": "3", "D1_1_1-evidence_reference": "Decision 7"},
                                 HTTP_HX_REQUEST="true")
    assert "Evidence needed:" not in with_reference.content.decode()
    level_zero = client.post(url, {"D1_1_1-answer": "0"}, HTTP_HX_REQUEST="true")
    assert "Evidence needed:" not in level_zero.content.decode()


# --- blocking messages link to their questions -------------------------------------------------------------


def test_each_blocking_message_at_submission_links_to_its_question(draft):
    officer = officer_for(draft.government)
    answer_all(draft, user=officer)
    d121 = indicator_get(framework=draft.framework, code="D1.2.1")
    answer_save(user=officer, assessment=draft, indicator=d121, value=3)  # no evidence
    Answer.objects.filter(assessment=draft, indicator__code="D3.1.2").delete()  # unanswered
    response = _client(officer).post(reverse("assessments:submit", args=[draft.pk]))
    assert response.status_code == 400
    html = response.content.decode()
    questionnaire = reverse("assessments:questionnaire", args=[draft.pk])
    assert f'href="{questionnaire}?domain=D3#ind-D3-1-2"' in html
    assert f'href="{questionnaire}?domain=D1#ind-D1-2-1"' in html
    assert 'href="#validators-field"' in html
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    # The anchors exist where the links point.
    assert 'id="ind-D3-1-2"' in _client(officer).get(f"{questionnaire}?domain=D3").content.decode()


# --- "validate on behalf of" ----------------------------------------------------------------------------


def test_validate_on_behalf_of_is_chosen_when_there_is_one_role(draft):
    answer_all(draft)
    validator, city = validator_for(draft.government)
    publish_ready = officer_for(draft.government)
    assessment_validators_set(user=publish_ready, assessment=draft, validators=[city])
    from arrival.assessments.services import assessment_submit

    assessment_submit(user=publish_ready, assessment=draft)
    html = _client(validator).get(reverse("assessments:validation", args=[draft.pk])).content.decode()
    select = re.search(r'<select name="validator_actor".*?</select>', html, re.S).group(0)
    assert f'<option value="{city.pk}" selected translate="no">' in select and 'value=""' not in select
    # With two roles to validate for, the person chooses.
    network_city = validator_for(draft.government)[1]
    officer_for(network_city)
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=validator, actor=network_city, kind=RoleKind.REVIEWER)
    assessment_validators_set(user=publish_ready, assessment=draft, validators=[city, network_city])
    html = _client(validator).get(reverse("assessments:validation", args=[draft.pk])).content.decode()
    select = re.search(r'<select name="validator_actor".*?</select>', html, re.S).group(0)
    assert f'<option value="{city.pk}" selected translate="no">' not in select and 'value=""' in select


# --- the history page ----------------------------------------------------------------------------------------


def test_the_history_page_speaks_the_readers_language(draft):
    officer = officer_for(draft.government)
    indicator = indicator_get(framework=draft.framework, code="D2.1.1")
    answer_save(user=officer, assessment=draft, indicator=indicator, value=1, evidence_reference="Decision 4")
    answer_save(user=officer, assessment=draft, indicator=indicator, special="not_competent")
    team_comment(user=officer, assessment=draft, indicator=indicator, text="To check with finance.")
    answer_all(draft, user=officer)
    publish(draft, team=officer)
    html = Client().get(reverse("assessments:history", args=[draft.pk])).content.decode()
    main = html.split("<main", 1)[1]
    assert "assessments." not in main
    for internal in ("answer_save", "evidence_reference", "benchmark_opt_in", "consultation_open", "validator_actor",
                     "changes_requested", "not_competent", "inputs_sha256", "submitted_at"):
        assert internal not in main, internal
    for readable in ("Answer saved", "Team note", "Submitted for validation", "Validation decision", "Published",
                     "Validators named", "Council decision or document reference", "Not a power of this government",
                     "Level 1", "D2.1.1", "(UTC)"):
        assert readable in main, readable
    assert "<del><bdi>Draft</bdi></del> → <ins><bdi>Submitted for validation</bdi></ins>" in main
    assert "<ins><bdi>Accepted</bdi></ins>" in main
