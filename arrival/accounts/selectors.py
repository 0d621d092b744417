"""Reads owned by accounts: roles, requests, invitations, API tokens, sign-in records.

`actor_ids_for` / `user_actor_ids` answer "which actors do I act for?" — later apps use them, e.g. so that a
reviewer never reviews their own government's work (DESIGN.md rule 3).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.accounts.models import ApiToken, Invitation, Role, RoleKind, RoleRequest, RoleRequestStatus, User
from arrival.actors.models import Actor, ActorKind
from arrival.actors.selectors import actor_time_zones

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


def actor_list_for(
    *, user: Any, roles: Iterable[str] | None = None, kinds: Iterable[str] | None = None
) -> QuerySet[Actor]:
    """The actors `user` holds an active role in (one of `roles`, when given) that are of one of `kinds` (when
    given), by name: the choices of "on behalf of" fields. Empty for anonymous users."""
    actors = Actor.objects.filter(pk__in=actor_ids_for(user, roles))
    if kinds is not None:
        actors = actors.filter(kind__in=list(kinds))
    return actors.order_by("name")


def user_time_zones(*, users: Iterable[Any]) -> dict[int, str]:
    """Each person's IANA time zone: their own choice, else the zone of the government (or network) they have
    acted for longest, else UTC. Three queries whatever the number of people."""
    people = [user for user in users if user is not None and getattr(user, "pk", None) is not None]
    zones = {user.pk: user.time_zone for user in people if getattr(user, "time_zone", "")}
    unset = [user.pk for user in people if user.pk not in zones]
    first_actor: dict[int, int] = {}
    for user_id, actor_id in (Role.objects.filter(user_id__in=unset, ended_at__isnull=True)
                              .order_by("created_at", "id").values_list("user_id", "actor_id")):
        first_actor.setdefault(user_id, actor_id)
    actor_zones = actor_time_zones(actor_ids=first_actor.values())
    for user_id in unset:
        zones[user_id] = actor_zones.get(first_actor.get(user_id, -1), "UTC")
    return zones


def user_time_zone(user: Any) -> str:
    """The zone dates are shown in for `user` (UTC for anonymous visitors); see `user_time_zones`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "UTC"
    return user_time_zones(users=[user]).get(user.pk, "UTC")


def user_get(*, pk: Any, active_only: bool = False) -> User | None:
    """The person with primary key `pk` (only while their account is active, with `active_only`), or None."""
    users = User.objects.filter(pk=pk)
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def user_get_by_username(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()


def role_list_for_user(*, user: User) -> QuerySet[Role]:
    return (
        Role.objects.filter(user=user, ended_at__isnull=True)
        .select_related("actor", "actor__country")
        .order_by("actor__name", "kind")
    )


def role_list_for_actor(*, actor: Actor) -> QuerySet[Role]:
    return Role.objects.filter(actor=actor, ended_at__isnull=True).select_related("user").order_by("kind", "created_at")


def role_list() -> QuerySet[Role]:
    """Every role, ended ones too, with its actor and person (services decide who may act on which)."""
    return Role.objects.select_related("actor", "user")




def role_request_list_pending() -> QuerySet[RoleRequest]:
    """The site staff's verification queue, oldest first."""
    return (
        RoleRequest.objects.filter(status=RoleRequestStatus.PENDING)
        .select_related("user", "actor", "actor__country")
        .order_by("created_at")
    )


def role_request_list() -> QuerySet[RoleRequest]:
    """Every role request, with its person and actor (services decide who may decide which)."""
    return RoleRequest.objects.select_related("user", "actor")


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



def invitation_list() -> QuerySet[Invitation]:
    """Every invitation, with its actor (services decide who may revoke which)."""
    return Invitation.objects.select_related("actor")


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")



def otp_device_confirmed(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, or None when they have not enrolled a second factor."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_device_unconfirmed(*, user: User) -> TOTPDevice | None:
    """The TOTP device `user` has started to enrol but not yet confirmed with a code, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


# --- Sign-in records (django-axes: failed attempts only; docs/operations.md, "Sign-in records") --------------


# How often `accounts.prune_sign_in_records` runs.
SIGN_IN_PRUNE_EVERY = timedelta(minutes=15)


def sign_in_cool_off() -> timedelta:
    """How long a failed sign-in counts towards a lockout (and the slow-down per address)."""
    cool_off: timedelta = get_cool_off()
    return cool_off


def sign_in_records_kept_for() -> timedelta:
    """The longest a failed sign-in is kept after the last attempt: the cool-off, then until the next prune."""
    return sign_in_cool_off() + SIGN_IN_PRUNE_EVERY


def sign_in_records_naming(user: User) -> Q:
    """The sign-in records that name `user`: typed as their username or as their e-mail address."""
    names = Q(username__iexact=user.username)
    if user.email:
        names |= Q(username__iexact=user.email)
    return names


def sign_in_records_for_user(user: User) -> dict[str, list[dict[str, Any]]]:
    """What is kept about `user`'s sign-ins ("download my data"): the failed attempts still counted."""
    attempts = AccessAttempt.objects.filter(sign_in_records_naming(user)).order_by("attempt_time")
    return {"failed_attempts": [
        {"at": attempt.attempt_time.isoformat(), "address": attempt.ip_address, "browser": attempt.user_agent,
         "failures": attempt.failures_since_start}
        for attempt in attempts
    ]}


def sign_in_wait_for_address(*, address: str | None, now: datetime | None = None) -> int:
    """Seconds a sign-in from `address` must wait (0: go ahead). Once the failures from the address within the
    cool-off reach ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT, each attempt waits after the last failure: 1 s, then
    twice as long per further failure, never more than ARRIVAL_LOGIN_ADDRESS_MAX_DELAY — slowed, never locked."""
    if address is None:
        return 0
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=now - sign_in_cool_off())
    counted = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    beyond_limit = int(counted["failures"] or 0) - settings.ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT
    if beyond_limit < 0:
        return 0
    max_delay: int = settings.ARRIVAL_LOGIN_ADDRESS_MAX_DELAY
    delay = min(max_delay, 2 ** min(beyond_limit, 30))  # the exponent is capped so the number stays small
    last_failure: datetime = counted["last"]
    return max(0, math.ceil((last_failure + timedelta(seconds=delay) - now).total_seconds()))


def recovery_device(*, user: User) -> StaticDevice | None:
    """The device holding `user`'s recovery codes (django_otp's static device), or None."""
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    """How many of `user`'s recovery codes are still unused."""
    count: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return count


# --- Who must use a second factor ------------------------------------------------------------------------
# The rule lives here and nowhere else (docs/operations.md, "Second factor for staff and powerful roles").
# A second factor is required of site staff, superusers and anyone who
# - holds a role that opens case-level planning data: a national planner (`planning.view_case`), who can also
#   give others access to the cases;
# - holds a role that grants roles: an actor's administrator (`accounts.manage_roles`: invitations, ending roles);
# - holds anything a later app registers as such: planning registers a running case access grant.

SECOND_FACTOR_ROLE_KINDS = (RoleKind.PLANNER, RoleKind.ADMINISTRATOR)

# A provider gives, for a user id, the records whose existence makes a second factor required for that person.
SecondFactorReason = Callable[[int], QuerySet[Any]]
_second_factor_reasons: dict[str, SecondFactorReason] = {}


def register_second_factor_reason(key: str, reason: SecondFactorReason) -> None:
    """Register (or replace, on reload) what else makes a second factor required, e.g. planning's case grants."""
    _second_factor_reasons[key] = reason


@dataclass(frozen=True)
class SecondFactorState:
    required: bool  # staff, superuser or a powerful role: the second factor is not optional
    enrolled: bool  # a confirmed authenticator device exists


def second_factor_state(user: Any) -> SecondFactorState:
    """Whether `user` must use a second factor and whether they have set one up — in one query, since the
    middleware asks on every request of a session that has not passed the second factor."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return SecondFactorState(required=False, enrolled=False)
    reasons: list[QuerySet[Any]] = [
        Role.objects.filter(user_id=user.pk, ended_at__isnull=True, kind__in=SECOND_FACTOR_ROLE_KINDS)
    ]
    reasons += [reason(user.pk) for _key, reason in sorted(_second_factor_reasons.items())]
    row: dict[str, Any] = (
        User.objects.filter(pk=user.pk)
        .annotate(enrolled=Exists(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True)),
                  **{f"reason_{index}": Exists(query) for index, query in enumerate(reasons)})
        .values("enrolled", *(f"reason_{index}" for index in range(len(reasons))))
        .get()
    )
    staff = bool(user.is_staff or user.is_superuser)
    required = staff or any(row[f"reason_{index}"] for index in range(len(reasons)))
    return SecondFactorState(required=required, enrolled=bool(row["enrolled"]))


def second_factor_required(user: Any) -> bool:
    """Must `user` set up and pass a second factor before doing anything else? (The rule is described above.)"""
    return second_factor_state(user).required
