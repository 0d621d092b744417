"""Reads the pages of several apps rely on: whom a person acts for, and people by id."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from arrival.accounts import selectors
from arrival.accounts.models import RoleKind
from arrival.actors.models import ActorKind
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory


def test_actor_list_for_keeps_active_roles_of_the_given_kinds_and_actor_kinds_by_name() -> None:
    user = UserFactory()
    zeta = ActorFactory(name="Zeta", kind=ActorKind.LOCAL_GOVERNMENT)
    alpha = ActorFactory(name="Alpha", kind=ActorKind.LOCAL_GOVERNMENT)
    network = ActorFactory(name="Beta network", kind=ActorKind.NETWORK, country=None)
    reviewed = ActorFactory(name="Gamma", kind=ActorKind.LOCAL_GOVERNMENT)
    ended = ActorFactory(name="Delta", kind=ActorKind.LOCAL_GOVERNMENT)
    for actor in (zeta, alpha, network):
        RoleFactory(user=user, actor=actor, kind=RoleKind.OFFICER)
    RoleFactory(user=user, actor=reviewed, kind=RoleKind.REVIEWER)
    RoleFactory(user=user, actor=ended, kind=RoleKind.OFFICER, ended_at=timezone.now())
    RoleFactory(actor=ActorFactory(name="Someone else's"), kind=RoleKind.OFFICER)

    officer_of = selectors.actor_list_for(user=user, roles=[RoleKind.OFFICER], kinds=[ActorKind.LOCAL_GOVERNMENT])
    assert list(officer_of) == [alpha, zeta]
    assert list(selectors.actor_list_for(user=user)) == [alpha, network, reviewed, zeta]
    assert list(selectors.actor_list_for(user=AnonymousUser())) == []


def test_user_get_can_insist_on_an_active_account() -> None:
    active, inactive = UserFactory(), UserFactory(is_active=False)
    assert selectors.user_get(pk=active.pk, active_only=True) == active
    assert selectors.user_get(pk=inactive.pk) == inactive
    assert selectors.user_get(pk=inactive.pk, active_only=True) is None
    assert selectors.user_get(pk=inactive.pk + 1000) is None
