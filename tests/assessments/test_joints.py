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
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.assessments.selectors import indicator_get
from arrival.assessments.services import answer_save, assessment_validators_set, team_comment
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00" * 10
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _file_field_block(html: str) -> str:
    """The markup of D1.1.1's file field, from its label to the end of its field block."""
    start = html.index('<label for="id_D1_1_1-evidence_file">')
    return html[start:html.index("</div>", start)]


@pytest.fixture
def draft():
    return AssessmentFactory()


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
    assert f'<option value="{city.pk}" selected>' in select and 'value=""' not in select
    # With two roles to validate for, the person chooses.
    network_city = validator_for(draft.government)[1]
    officer_for(network_city)
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=validator, actor=network_city, kind=RoleKind.REVIEWER)
    assessment_validators_set(user=publish_ready, assessment=draft, validators=[city, network_city])
    html = _client(validator).get(reverse("assessments:validation", args=[draft.pk])).content.decode()
    select = re.search(r'<select name="validator_actor".*?</select>', html, re.S).group(0)
    assert f'<option value="{city.pk}" selected>' not in select and 'value=""' in select


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
    assert "<del>Draft</del> → <ins>Submitted for validation</ins>" in main
    assert "<ins>Accepted</ins>" in main
