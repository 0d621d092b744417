"""Every permission rule of Arrival, in one place (django-rules, checked through `user.has_perm`).

Services call `arrival.core.permissions.require(user, "<app>.<verb>_<model>", obj)`; apps below accounts
never import this module. Active site staff (`is_staff`) pass every rule below; an inactive user passes none.
Roles count only while active (`ended_at` is empty). `obj` may be an `Actor` or any record with an `actor_id`
(a Role, an Invitation, a RoleRequest…), unless a rule says otherwise.

Rules
-----
- ``actors.change_actor`` (obj: the actor) — its administrators or officers; for networks and organisations,
  which have no officers, their staff hold the same working role.
- ``actors.change_membership`` (obj: the network Actor) — the network's staff or administrators.
- ``accounts.manage_roles`` (obj: the actor) — its administrators: invite colleagues, end roles.
- ``accounts.verify_role_request`` (obj: a RoleRequest or None) — site staff only.
- ``accounts.request_role`` (obj: the actor or None) — any signed-in user.
- ``accounts.change_user`` (obj: a User) — that user themself.
- ``accounts.change_apitoken`` (obj: an ApiToken) — the token's owner.
- ``frameworks.change_tag`` (obj: the tagged record or None) — any signed-in user holding at least one
  active role in any actor.

Plain helpers
-------------
- ``has_role(user, actor, kinds)`` — does the user hold an active role of one of `kinds` in `actor`?
- ``role_in(*kinds)`` — the same as a django-rules predicate, for rules that later apps add here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules

from arrival.accounts.models import Role, RoleKind


def _actor_id(obj: Any) -> int | None:
    if obj is None:
        return None
    from arrival.actors.models import Actor

    if isinstance(obj, Actor):
        return obj.pk
    return getattr(obj, "actor_id", None)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user: Any, actor: Any, kinds: Iterable[str] | None = None) -> bool:
    """True if `user` holds an active role of one of `kinds` (any kind when None) in `actor`."""
    actor_id = _actor_id(actor)
    if actor_id is None or not _active(user):
        return False
    roles = Role.objects.filter(user_id=user.pk, actor_id=actor_id, ended_at__isnull=True)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


def role_in(*kinds: str) -> rules.Predicate:
    """A predicate: the user holds one of `kinds` in the actor the checked object belongs to."""

    @rules.predicate(name=f"role_in({','.join(kinds)})")
    def predicate(user: Any, obj: Any) -> bool:
        return has_role(user, obj, kinds)

    return predicate


@rules.predicate
def is_site_staff(user: Any) -> bool:
    return _active(user) and bool(user.is_staff)


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return _active(user)


@rules.predicate
def holds_any_role(user: Any) -> bool:
    return _active(user) and Role.objects.filter(user_id=user.pk, ended_at__isnull=True).exists()


@rules.predicate
def is_self(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and getattr(obj, "pk", None) == user.pk


@rules.predicate
def owns_record(user: Any, obj: Any) -> bool:
    return _active(user) and obj is not None and getattr(obj, "user_id", None) == user.pk


rules.add_perm(
    "actors.change_actor", is_site_staff | role_in(RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)
)
rules.add_perm("actors.change_membership", is_site_staff | role_in(RoleKind.STAFF, RoleKind.ADMINISTRATOR))
rules.add_perm("accounts.manage_roles", is_site_staff | role_in(RoleKind.ADMINISTRATOR))
rules.add_perm("accounts.verify_role_request", is_site_staff)
rules.add_perm("accounts.request_role", is_signed_in)
rules.add_perm("accounts.change_user", is_site_staff | is_self)
rules.add_perm("accounts.change_apitoken", is_site_staff | owns_record)
rules.add_perm("frameworks.change_tag", is_site_staff | holds_any_role)
