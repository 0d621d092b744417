"""The city names its validators (issue 12): a peer city, a network or an organisation such as IOM, in the
settings or at submission, through the services, the pages and the API. Only their people validate; nobody
validates their own government's work; assessments submitted before naming keep today's open validation."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.assessments.models import AssessmentStatus, NamedValidator, Validation
from arrival.assessments.selectors import (
    assessment_get,
    can_validate,
    can_view,
    named_validator_list,
    validator_actors,
    validator_candidates,
)
from arrival.assessments.services import (
    assessment_submit,
    assessment_validators_set,
    validation_decide,
    validation_start,
)
from arrival.core.models import AuditEvent
from tests.accounts.factories import sign_in_as
from tests.actors.factories import LocalGovernmentFactory, NetworkFactory, OrganisationFactory
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish, validator_for

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _names(assessment) -> list[str]:
    return [row.actor.name for row in named_validator_list(assessment=assessment)]


def test_only_the_people_of_a_named_validator_may_validate():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, user=officer)
    named_user, named = validator_for(assessment.government)
    other_user, other = validator_for(assessment.government)
    assessment = assessment_submit(user=officer, assessment=assessment, validators=[named])
    assert can_validate(user=named_user, assessment=assessment) and can_view(user=named_user, assessment=assessment)
    # Eligible before naming existed, but not named: neither sees nor validates it.
    assert not can_validate(user=other_user, assessment=assessment)
    assert not can_view(user=other_user, assessment=assessment)
    with pytest.raises(PermissionDenied):
        validation_start(user=other_user, assessment=assessment, validator_actor=other)
    assert list(validator_actors(user=named_user, assessment=assessment)) == [named]


def test_an_assessment_submitted_before_naming_stays_open_to_eligible_validators():
    assessment = AssessmentFactory()
    answer_all(assessment)
    assessment_submit(user=officer_for(assessment.government), assessment=assessment,
                      validators=[validator_for(assessment.government)[1]])
    NamedValidator.objects.all().delete()  # as on an installation upgraded with a validation still to come
    assessment = assessment_get(pk=assessment.pk)
    anyone, their_city = validator_for(assessment.government)
    assert can_validate(user=anyone, assessment=assessment)
    assert validation_start(user=anyone, assessment=assessment, validator_actor=their_city).pk


def test_who_may_be_named():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    _, peer = validator_for(assessment.government)
    empty_city = LocalGovernmentFactory().actor  # nobody there could validate
    network = NetworkFactory().actor
    officer_for(network, kind=RoleKind.STAFF)
    iom = OrganisationFactory(actor__name="IOM").actor
    officer_for(iom, kind=RoleKind.REVIEWER)
    with pytest.raises(ValidationError, match="own assessment"):
        assessment_validators_set(user=officer, assessment=assessment, validators=[assessment.government])
    with pytest.raises(ValidationError, match="cannot validate"):
        assessment_validators_set(user=officer, assessment=assessment, validators=[peer, empty_city])
    with pytest.raises(PermissionDenied):
        assessment_validators_set(user=officer_for(peer), assessment=assessment, validators=[peer])
    assert not NamedValidator.objects.exists()
    assessment_validators_set(user=officer, assessment=assessment, validators=[peer, network, iom])
    assert sorted(_names(assessment)) == sorted([peer.name, network.name, "IOM"])
    event = AuditEvent.objects.get(action="assessments.validators_set")
    assert event.before == {"validators": []} and "IOM" in event.after["validators"]
    candidates = validator_candidates(assessment=assessment, q="io")
    assert iom in candidates and assessment.government not in candidates and empty_city not in candidates
    assert iom not in validator_candidates(assessment=assessment, q="io", exclude=[iom.pk])


def test_validators_change_until_a_decision_and_a_started_one_stays():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, user=officer)
    first_user, first = validator_for(assessment.government)
    _, second = validator_for(assessment.government)
    assessment_submit(user=officer, assessment=assessment, validators=[first, second])
    with pytest.raises(ValidationError, match="at least one"):
        assessment_validators_set(user=officer, assessment=assessment, validators=[])
    validation = validation_start(user=first_user, assessment=assessment, validator_actor=first)
    with pytest.raises(ValidationError, match="started validating"):
        assessment_validators_set(user=officer, assessment=assessment, validators=[second])
    assessment_validators_set(user=officer, assessment=assessment, validators=[first])
    assert _names(assessment) == [first.name]
    validation_decide(user=first_user, validation=validation, decision="accepted")
    with pytest.raises(ValidationError, match="no longer change"):
        assessment_validators_set(user=officer, assessment=assessment_get(pk=assessment.pk), validators=[second])


def test_the_data_migration_names_who_validated_before():
    migration = importlib.import_module("arrival.assessments.migrations.0003_named_validators_from_validations")
    assessment = publish(answer_all_and_return(AssessmentFactory()))
    validation = Validation.objects.get(assessment=assessment)
    NamedValidator.objects.all().delete()
    migration.name_past_validators(django_apps, None)
    named = NamedValidator.objects.get()
    assert (named.assessment_id, named.actor_id) == (assessment.pk, validation.validator_actor_id)
    assert named.created_at == validation.created_at and named.named_by is None
    migration.name_past_validators(django_apps, None)  # idempotent
    assert NamedValidator.objects.count() == 1


def answer_all_and_return(assessment):
    answer_all(assessment)
    return assessment


# --- pages ------------------------------------------------------------------------------------------------


def test_settings_page_searches_and_names_validators_without_javascript():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    _, peer = validator_for(assessment.government)
    team = _client(officer)
    url = reverse("assessments:settings", args=[assessment.pk])
    page = team.get(url, {"validator_q": peer.name}).content.decode()
    assert f'value="{peer.pk}"' in page and 'form="validator-search"' in page
    assert f'value="{assessment.government.pk}" id="validator-' not in page
    response = team.post(url, {"validators_given": "1", "validators": [peer.pk]})
    assert response.status_code == 302 and _names(assessment) == [peer.name]
    page = team.get(url).content.decode()
    assert f'value="{peer.pk}" id="validator-{peer.pk}" checked' in page
    refused = team.post(url, {"validators_given": "1", "validators": [assessment.government.pk]})
    assert refused.status_code == 400 and "own assessment" in refused.content.decode()
    assert _names(assessment) == [peer.name]


def test_suggestions_as_you_type_keep_what_is_ticked():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    _, ticked = validator_for(assessment.government)
    _, searched = validator_for(assessment.government)
    url = reverse("assessments:validator_suggest", args=[assessment.pk])
    html = _client(officer).get(url, {"validator_q": searched.name, "validators": [ticked.pk]},
                                HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{ticked.pk}" id="validator-{ticked.pk}" checked' in html
    assert f'value="{searched.pk}" id="validator-{searched.pk}">' in html
    assert _client(officer_for(ticked)).get(url).status_code == 403


def test_the_submit_form_names_the_validators():
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, user=officer)
    _, peer = validator_for(assessment.government)
    team = _client(officer)
    detail = team.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert 'id="validators-field"' in detail and f'value="{peer.pk}"' in detail
    refused = team.post(reverse("assessments:submit", args=[assessment.pk]), {"validators_given": "1"})
    assert refused.status_code == 400 and 'href="#validators-field"' in refused.content.decode()
    response = team.post(reverse("assessments:submit", args=[assessment.pk]),
                         {"validators_given": "1", "validators": [peer.pk]})
    assert response.status_code == 302
    assessment = assessment_get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.SUBMITTED and _names(assessment) == [peer.name]
    # The validator is named as a name: isolated, not translated.
    assert f'Waiting for the validation by <bdi translate="no">{peer.name}</bdi>' in team.get(
        reverse("assessments:detail", args=[assessment.pk])).content.decode()
