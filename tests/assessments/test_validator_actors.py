"""`validator_actors`: whom a user may validate an assessment for (the validation page's choice list)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from arrival.accounts.models import RoleKind
from arrival.assessments.selectors import validator_actors
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import LocalGovernmentFactory, NetworkFactory, OrganisationFactory
from tests.assessments.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def test_other_governments_and_networks_with_a_validating_role_only():
    assessment = AssessmentFactory()
    user = UserFactory()
    reviewer_in = LocalGovernmentFactory(actor__name="B town").actor
    officer_in = LocalGovernmentFactory(actor__name="A town").actor
    planner_in = LocalGovernmentFactory().actor
    ended_in = LocalGovernmentFactory().actor
    network = NetworkFactory(actor__name="C network").actor
    network_member = NetworkFactory().actor
    organisation = OrganisationFactory().actor
    RoleFactory(user=user, actor=reviewer_in, kind=RoleKind.REVIEWER)
    RoleFactory(user=user, actor=officer_in, kind=RoleKind.OFFICER)
    RoleFactory(user=user, actor=planner_in, kind=RoleKind.PLANNER)  # not a validating role
    RoleFactory(user=user, actor=ended_in, kind=RoleKind.REVIEWER, ended_at=timezone.now())
    RoleFactory(user=user, actor=ended_in, kind=RoleKind.PLANNER)  # current, but not a validating role
    RoleFactory(user=user, actor=network, kind=RoleKind.STAFF)
    RoleFactory(user=user, actor=network_member, kind=RoleKind.OFFICER)  # not a network validating role
    RoleFactory(user=user, actor=organisation, kind=RoleKind.STAFF)
    RoleFactory(user=user, actor=assessment.government, kind=RoleKind.REVIEWER)  # never one's own government
    assert list(validator_actors(user=user, assessment=assessment)) == [officer_in, reviewer_in, network]


def test_nobody_signed_in_or_without_roles_gets_nothing():
    assessment = AssessmentFactory()
    assert not validator_actors(user=AnonymousUser(), assessment=assessment).exists()
    assert not validator_actors(user=UserFactory(), assessment=assessment).exists()
