"""The hand-offs of an assessment (issue 12): who is told, in which language, and what waits in whose "My work".

submitted → the people validating for the validators the city named (never every eligible validator, never
anyone with a role in the assessed government) and the city's team; changes requested, validated, published →
the city's team. Validators find the assessment in "My work" until they decide; the team finds what was
returned to it and what it can publish, until it acts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.assessments.models import AssessmentStatus
from arrival.assessments.selectors import assessment_get, indicator_get
from arrival.assessments.services import (
    answer_save,
    assessment_publish,
    assessment_submit,
    assessment_validators_set,
    validation_comment,
    validation_decide,
    validation_start,
)
from arrival.engagement.models import Notification
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import LocalGovernmentFactory, NetworkFactory, OrganisationFactory
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, work_of

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _french(message: str, **values: object) -> str:
    """`message` as a French reader gets it (the catalogue arrives later; the comparison holds either way)."""
    with translation.override("fr"):
        return _(message) % values


@pytest.fixture
def cycle():
    """An answered assessment of a city with two officers, a named peer city and an unnamed eligible one."""
    assessment = AssessmentFactory(government=LocalGovernmentFactory(actor__name="Ghent").actor)
    officer = officer_for(assessment.government)
    colleague = RoleFactory(actor=assessment.government, kind=RoleKind.ADMINISTRATOR,
                            user=UserFactory(preferred_language="fr")).user
    answer_all(assessment, user=officer)
    peer = LocalGovernmentFactory(actor__name="Leuven").actor
    reviewer = RoleFactory(actor=peer, kind=RoleKind.REVIEWER, user=UserFactory(preferred_language="fr")).user
    peer_officer = officer_for(peer)
    planner = officer_for(peer, kind=RoleKind.PLANNER)  # not a validating role
    # Holds a reviewer role in the named city but also works for the assessed one: never its validator.
    conflicted = officer_for(peer, kind=RoleKind.REVIEWER)
    RoleFactory(user=conflicted, actor=assessment.government, kind=RoleKind.REVIEWER)
    elsewhere = officer_for(LocalGovernmentFactory().actor, kind=RoleKind.REVIEWER)  # eligible, but not named
    return {"assessment": assessment, "officer": officer, "colleague": colleague, "peer": peer,
            "reviewer": reviewer, "peer_officer": peer_officer, "planner": planner, "conflicted": conflicted,
            "elsewhere": elsewhere}


def _submit(c: dict) -> None:
    with time_machine.travel(SUBMITTED_AT, tick=False):
        assessment_submit(user=c["officer"], assessment=c["assessment"], validators=[c["peer"]])


def test_submitted_reaches_the_named_validators_and_the_team_in_their_language(cycle):
    _submit(cycle)
    url = reverse("assessments:validation", args=[cycle["assessment"].pk])
    sent = assert_notified("assessments.submitted", to=[cycle["reviewer"], cycle["peer_officer"]],
                           not_to=[cycle["planner"], cycle["conflicted"], cycle["elsewhere"], cycle["officer"],
                                   cycle["colleague"]], url=url)
    assert sent[cycle["reviewer"].pk].text == _french(
        "%(government)s submitted its %(cycle)s assessment for validation by %(validators)s.",
        government="Ghent", cycle=2024, validators="Leuven")
    team = assert_notified("assessments.team_submitted", to=[cycle["colleague"]],
                           not_to=[cycle["officer"], cycle["reviewer"]],
                           url=reverse("assessments:detail", args=[cycle["assessment"].pk]))
    assert team[cycle["colleague"].pk].text == _french(
        "The %(cycle)s assessment of %(government)s was submitted for validation by %(validators)s.",
        government="Ghent", cycle=2024, validators="Leuven")


def test_the_validators_find_it_in_my_work_until_they_decide(cycle):
    _submit(cycle)
    assessment = cycle["assessment"]
    url = reverse("assessments:validation", args=[assessment.pk])
    item = assert_in_work(cycle["reviewer"], "assessments.validate", url=url)
    assert item.waiting_since == SUBMITTED_AT and item.deadline is None and item.for_actor == "Leuven"
    assert_in_work(cycle["peer_officer"], "assessments.validate", url=url)
    for person in (cycle["planner"], cycle["conflicted"], cycle["elsewhere"], cycle["officer"]):
        assert_not_in_work(person, "assessments.validate")
    # Once one of them starts, it waits on that person only ("continue"), and leaves the queue at the decision.
    validation = validation_start(user=cycle["reviewer"], assessment=assessment, validator_actor=cycle["peer"])
    assert assert_in_work(cycle["reviewer"], "assessments.validate", url=url).action == "Continue the validation"
    assert_not_in_work(cycle["peer_officer"], "assessments.validate")
    validation_decide(user=cycle["reviewer"], validation=validation, decision="accepted", summary="Checked.")
    assert_not_in_work(cycle["reviewer"], "assessments.validate")


def test_changes_requested_reach_the_team_and_wait_in_its_work_until_resubmitted(cycle):
    _submit(cycle)
    assessment = cycle["assessment"]
    validation = validation_start(user=cycle["reviewer"], assessment=assessment, validator_actor=cycle["peer"])
    indicator = indicator_get(framework=assessment.framework, code="D1.1.1")
    validation_comment(user=cycle["reviewer"], validation=validation, indicator=indicator, text="Which decision?")
    decided_at = SUBMITTED_AT + timedelta(days=3)
    with time_machine.travel(decided_at, tick=False):
        validation_decide(user=cycle["reviewer"], validation=validation, decision="changes_requested")
    detail = reverse("assessments:detail", args=[assessment.pk])
    sent = assert_notified("assessments.changes_requested", to=[cycle["officer"], cycle["colleague"]],
                           not_to=[cycle["reviewer"], cycle["peer_officer"]], url=detail)
    assert sent[cycle["colleague"].pk].text == _french(
        "%(validator)s asked for changes to the %(cycle)s assessment of %(government)s.",
        validator="Leuven", government="Ghent", cycle=2024)
    assert "Which decision?" not in sent[cycle["officer"].pk].text  # the validator's words stay on the page
    item = assert_in_work(cycle["officer"], "assessments.correct", url=detail)
    assert item.waiting_since == decided_at
    assert_not_in_work(cycle["reviewer"], "assessments.correct")
    assert_not_in_work(cycle["reviewer"], "assessments.validate")

    # The team fixes and resubmits: out of its work, back in the validators' with the resubmission said.
    answer_save(user=cycle["officer"], assessment=assessment_get(pk=assessment.pk), indicator=indicator, value=2,
                evidence_reference="Council decision 2024/12")
    Notification.objects.all().delete()
    assessment_submit(user=cycle["officer"], assessment=assessment_get(pk=assessment.pk))
    assert_not_in_work(cycle["officer"], "assessments.correct")
    resent = assert_notified("assessments.submitted", to=[cycle["reviewer"]], not_to=[cycle["officer"]])
    assert resent[cycle["reviewer"].pk].text == _french(
        "%(government)s resubmitted its %(cycle)s assessment with the requested changes, for validation by "
        "%(validators)s.", government="Ghent", cycle=2024, validators="Leuven")
    assert_in_work(cycle["reviewer"], "assessments.validate")


def test_validated_reaches_the_team_which_publishes_from_its_work(cycle):
    _submit(cycle)
    assessment = cycle["assessment"]
    validation = validation_start(user=cycle["peer_officer"], assessment=assessment, validator_actor=cycle["peer"])
    validation_decide(user=cycle["peer_officer"], validation=validation, decision="accepted", summary="Checked.")
    detail = reverse("assessments:detail", args=[assessment.pk])
    sent = assert_notified("assessments.validated", to=[cycle["officer"], cycle["colleague"]],
                           not_to=[cycle["peer_officer"], cycle["reviewer"]], url=detail)
    assert sent[cycle["colleague"].pk].text == _french(
        "%(validator)s validated the %(cycle)s assessment of %(government)s: it can now be published.",
        validator="Leuven", government="Ghent", cycle=2024)
    item = assert_in_work(cycle["colleague"], "assessments.publish", url=detail)
    assert item.waiting_since == assessment_get(pk=assessment.pk).validated_at
    assert_not_in_work(cycle["peer_officer"], "assessments.publish")

    assessment_publish(user=cycle["officer"], assessment=assessment_get(pk=assessment.pk))
    published = assert_notified("assessments.published", to=[cycle["colleague"]], not_to=[cycle["officer"]], url=detail)
    assert published[cycle["colleague"].pk].text == _french(
        "The %(cycle)s assessment of %(government)s was published.", government="Ghent", cycle=2024)
    assert_not_in_work(cycle["colleague"], "assessments.publish")
    assert_not_in_work(cycle["officer"], "assessments.publish")


def test_a_validator_named_while_it_waits_is_told_and_an_organisation_can_be_named(cycle):
    _submit(cycle)
    assessment = cycle["assessment"]
    iom = OrganisationFactory(actor__name="IOM").actor
    iom_staff = officer_for(iom, kind=RoleKind.STAFF)
    network = NetworkFactory().actor
    network_staff = officer_for(network, kind=RoleKind.STAFF)
    Notification.objects.all().delete()
    assessment_validators_set(user=cycle["officer"], assessment=assessment, validators=[cycle["peer"], iom])
    assert_notified("assessments.submitted", to=[iom_staff], not_to=[cycle["reviewer"], network_staff])
    assert not Notification.objects.filter(kind="assessments.team_submitted").exists()
    assert work_of(iom_staff, "assessments.validate")[0].for_actor == "IOM"
    assert_not_in_work(network_staff, "assessments.validate")  # networks validate only when named
    validation = validation_start(user=iom_staff, assessment=assessment_get(pk=assessment.pk), validator_actor=iom)
    validation_decide(user=iom_staff, validation=validation, decision="accepted")
    assert assessment_get(pk=assessment.pk).status == AssessmentStatus.VALIDATED
    assert_notified("assessments.validated", to=[cycle["officer"]])


def test_people_who_turned_a_kind_off_are_not_told(cycle):
    from arrival.engagement.services import notification_settings_set

    notification_settings_set(user=cycle["reviewer"], digest_period="daily",
                              deliveries={"assessments.submitted": "off"})
    _submit(cycle)
    assert_notified("assessments.submitted", to=[cycle["peer_officer"]], not_to=[cycle["reviewer"]])
    assert_in_work(cycle["reviewer"], "assessments.validate")  # the work still waits on them
