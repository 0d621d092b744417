"""Reads owned by accounts: roles, requests, invitations, API tokens.

`actor_ids_for` / `user_actor_ids` answer "which actors do I act for?" — later apps use them, e.g. so that a
reviewer never reviews their own government's work (DESIGN.md rule 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.accounts.models import ApiToken, Invitation, Role, RoleKind, RoleRequest, RoleRequestStatus, User
from arrival.actors.models import Actor, ActorKind

# Which roles an actor of each kind can have (services refuse any other pairing).
_GOVERNMENT_ROLES = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR, RoleKind.REVIEWER)
_COLLECTIVE_ROLES = (RoleKind.STAFF, RoleKind.ADMINISTRATOR, RoleKind.REVIEWER)
ROLE_KINDS_BY_ACTOR_KIND: dict[str, tuple[str, ...]] = {
    ActorKind.LOCAL_GOVERNMENT: _GOVERNMENT_ROLES,
    ActorKind.REGIONAL_GOVERNMENT: _GOVERNMENT_ROLES,
    ActorKind.NATIONAL_GOVERNMENT: (*_GOVERNMENT_ROLES, RoleKind.PLANNER),
    ActorKind.NETWORK: _COLLECTIVE_ROLES,
    ActorKind.ORGANISATION: _COLLECTIVE_ROLES,
}


def role_kinds_for(actor: Actor) -> list[tuple[str, str | Promise]]:
    """The (value, label) role choices valid for `actor`, in the order of RoleKind."""
    allowed = ROLE_KINDS_BY_ACTOR_KIND.get(actor.kind, ())
    return [(kind.value, kind.label) for kind in RoleKind if kind in allowed]


def actor_ids_for(user: Any, kinds: Iterable[str] | None = None) -> set[int]:
    """Ids of the actors `user` holds an active role in (of one of `kinds`, when given)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    roles = Role.objects.filter(user_id=user.pk, ended_at__isnull=True)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return set(roles.values_list("actor_id", flat=True))


def user_actor_ids(user: Any) -> set[int]:
    """Every actor `user` acts for, in any role: the set a reviewer must never review."""
    return actor_ids_for(user)


def role_list_for_user(*, user: User) -> QuerySet[Role]:
    return (
        Role.objects.filter(user=user, ended_at__isnull=True)
        .select_related("actor", "actor__country")
        .order_by("actor__name", "kind")
    )


def role_list_for_actor(*, actor: Actor) -> QuerySet[Role]:
    return Role.objects.filter(actor=actor, ended_at__isnull=True).select_related("user").order_by("kind", "created_at")




def role_request_list_pending() -> QuerySet[RoleRequest]:
    """The site staff's verification queue, oldest first."""
    return (
        RoleRequest.objects.filter(status=RoleRequestStatus.PENDING)
        .select_related("user", "actor", "actor__country")
        .order_by("created_at")
    )


def role_request_list_for_user(*, user: User, pending_only: bool = False) -> QuerySet[RoleRequest]:
    requests = RoleRequest.objects.filter(user=user).select_related("actor")
    if pending_only:
        requests = requests.filter(status=RoleRequestStatus.PENDING)
    return requests.order_by("-created_at")



def invitation_list_open_for_actor(*, actor: Actor) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked (expired ones included, so they can be seen and revoked)."""
    return (
        Invitation.objects.filter(actor=actor, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )



def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")



def otp_device_confirmed(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, or None when they have not enrolled a second factor."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
