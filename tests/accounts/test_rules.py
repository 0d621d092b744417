"""Every permission rule: who passes, who does not, on which object."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from arrival.accounts.models import RoleKind
from arrival.accounts.rules import has_role
from arrival.accounts.selectors import actor_ids_for, user_actor_ids
from arrival.actors.models import ActorKind
from arrival.core.permissions import require
from tests.accounts.factories import RoleFactory, RoleRequestFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)


@pytest.fixture
def other_city():
    return ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)


@pytest.fixture
def network():
    return ActorFactory(kind=ActorKind.NETWORK, country=None)


def test_has_role_counts_only_active_roles_of_the_kinds_asked(city, other_city):
    role = RoleFactory(actor=city, kind=RoleKind.OFFICER)
    assert has_role(role.user, city, [RoleKind.OFFICER])
    assert has_role(role.user, city, None)
    assert not has_role(role.user, city, [RoleKind.ADMINISTRATOR])
    assert not has_role(role.user, other_city, None)
    role.ended_at = role.created_at
    role.save()
    assert not has_role(role.user, city, None)


def test_has_role_refuses_anonymous_and_inactive_users(city):
    role = RoleFactory(actor=city)
    assert not has_role(AnonymousUser(), city, None)
    role.user.is_active = False
    role.user.save()
    assert not has_role(role.user, city, None)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [(RoleKind.OFFICER, True), (RoleKind.ADMINISTRATOR, True), (RoleKind.REVIEWER, False)],
)
def test_change_actor(city, other_city, kind, allowed):
    user = RoleFactory(actor=city, kind=kind).user
    assert user.has_perm("actors.change_actor", city) is allowed
    assert not user.has_perm("actors.change_actor", other_city)


def test_change_actor_for_network_staff(network):
    assert RoleFactory(actor=network, kind=RoleKind.STAFF).user.has_perm("actors.change_actor", network)


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [(RoleKind.STAFF, True), (RoleKind.ADMINISTRATOR, True), (RoleKind.REVIEWER, False)],
)
def test_change_membership_on_the_network(network, kind, allowed):
    user = RoleFactory(actor=network, kind=kind).user
    assert user.has_perm("actors.change_membership", network) is allowed
    assert not user.has_perm("actors.change_membership", ActorFactory(kind=ActorKind.NETWORK, country=None))


def test_change_membership_refuses_a_member_city_officer(network, city):
    user = RoleFactory(actor=city, kind=RoleKind.OFFICER).user
    assert not user.has_perm("actors.change_membership", network)


def test_manage_roles_only_for_the_actors_administrators(city, other_city):
    admin = RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR).user
    officer = RoleFactory(actor=city, kind=RoleKind.OFFICER).user
    assert admin.has_perm("accounts.manage_roles", city)
    assert not admin.has_perm("accounts.manage_roles", other_city)
    assert not officer.has_perm("accounts.manage_roles", city)


def test_rules_accept_records_that_carry_an_actor_id(city):
    admin = RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR).user
    someone_elses_role = RoleFactory(actor=city, kind=RoleKind.OFFICER)
    assert admin.has_perm("accounts.manage_roles", someone_elses_role)


def test_verify_role_request_is_for_site_staff_only(city):
    request = RoleRequestFactory(actor=city)
    admin = RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR).user
    assert StaffFactory().has_perm("accounts.verify_role_request", request)
    assert not admin.has_perm("accounts.verify_role_request", request)
    assert not UserFactory().has_perm("accounts.verify_role_request", request)


def test_change_tag_needs_any_active_role(city):
    assert RoleFactory(actor=city, kind=RoleKind.REVIEWER).user.has_perm("frameworks.change_tag")
    assert not UserFactory().has_perm("frameworks.change_tag")
    assert not AnonymousUser().has_perm("frameworks.change_tag")


def test_change_user_and_token_are_for_oneself():
    person, other = UserFactory(), UserFactory()
    assert person.has_perm("accounts.change_user", person)
    assert not person.has_perm("accounts.change_user", other)


@pytest.mark.parametrize(
    "perm",
    ["actors.change_actor", "actors.change_membership", "accounts.manage_roles", "accounts.verify_role_request",
     "frameworks.change_tag", "accounts.change_user"],
)
def test_site_staff_pass_every_rule(city, perm):
    assert StaffFactory().has_perm(perm, city)


def test_inactive_staff_pass_nothing(city):
    staff = StaffFactory(is_active=False)
    assert not staff.has_perm("accounts.verify_role_request")
    assert not staff.has_perm("actors.change_actor", city)


def test_require_raises_permission_denied(city):
    with pytest.raises(PermissionDenied):
        require(UserFactory(), "actors.change_actor", city)
    require(RoleFactory(actor=city, kind=RoleKind.OFFICER).user, "actors.change_actor", city)


def test_actor_ids_for_and_user_actor_ids(city, other_city, network):
    user = RoleFactory(actor=city, kind=RoleKind.REVIEWER).user
    RoleFactory(user=user, actor=network, kind=RoleKind.STAFF)
    ended = RoleFactory(user=user, actor=other_city, kind=RoleKind.OFFICER)
    ended.ended_at = ended.created_at
    ended.save()
    assert user_actor_ids(user) == {city.pk, network.pk}
    assert actor_ids_for(user, [RoleKind.REVIEWER]) == {city.pk}
    assert actor_ids_for(AnonymousUser()) == set()
