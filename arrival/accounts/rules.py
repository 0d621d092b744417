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


# --- Assessments (issue 3) ------------------------------------------------------------------------------
# `obj` is an Assessment, or a record that has an `assessment` (an Answer: attachments are checked on the
# answer). Accounts must not import assessments (DESIGN.md), so the objects are read by their attributes.
# Site staff pass `view_assessment` and `change_assessment` (curation); they do not validate, comment in a
# consultation or publish for a city — those acts need a role of the right kind.
#
# - ``assessments.open_assessment`` (obj: the government Actor) — its officers and administrators.
# - ``assessments.change_assessment`` (obj: Assessment or Answer) — the government's officers and administrators.
# - ``assessments.change_answer`` (obj: Answer or Assessment) — the same people, while the assessment is a
#   draft or has changes requested (guards evidence attachments).
# - ``assessments.publish_assessment`` (obj: Assessment) — the government's officers and administrators.
# - ``assessments.validate_assessment`` (obj: Assessment) — a reviewer, officer or administrator of ANOTHER
#   local government, or staff or reviewer of a network; never anyone holding a role in the same government.
# - ``assessments.comment_assessment`` (obj: Assessment) — a role in an organisation the city invited, while
#   the consultation is open.
# - ``assessments.view_assessment`` (obj: Assessment or Answer) — published: everyone; otherwise the team,
#   its validators, invited organisations, eligible validators once submitted, and site staff.

_TEAM_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)
_EDITABLE_STATUSES = ("draft", "changes_requested")


def _assessment_of(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "government_id") and hasattr(obj, "cycle"):
        return obj
    return getattr(obj, "assessment", None)


def _active_roles(user: Any) -> Any:
    return Role.objects.filter(user_id=user.pk, ended_at__isnull=True)


def _in_team(user: Any, assessment: Any, kinds: Iterable[str] | None = _TEAM_KINDS) -> bool:
    if assessment is None or not _active(user):
        return False
    roles = _active_roles(user).filter(actor_id=assessment.government_id)
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


@rules.predicate
def is_assessment_team(user: Any, obj: Any) -> bool:
    return _in_team(user, _assessment_of(obj))


@rules.predicate
def is_assessment_team_while_editable(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    return assessment is not None and assessment.status in _EDITABLE_STATUSES and _in_team(user, assessment)


@rules.predicate
def is_eligible_validator(user: Any, obj: Any) -> bool:
    """A role in another local government (reviewer, officer, administrator) or a network (staff, reviewer)."""
    from django.db.models import Q

    from arrival.actors.models import ActorKind

    assessment = _assessment_of(obj)
    if assessment is None or not _active(user) or _in_team(user, assessment, kinds=None):
        return False
    roles = _active_roles(user).exclude(actor_id=assessment.government_id)
    local = Q(actor__kind=ActorKind.LOCAL_GOVERNMENT,
              kind__in=[RoleKind.REVIEWER, RoleKind.OFFICER, RoleKind.ADMINISTRATOR])
    network = Q(actor__kind=ActorKind.NETWORK, kind__in=[RoleKind.STAFF, RoleKind.REVIEWER])
    return roles.filter(local | network).exists()


@rules.predicate
def is_invited_commenter(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    if assessment is None or not assessment.consultation_open or not _active(user):
        return False
    invited = assessment.consultation_invitations.values("organisation_id")
    return _active_roles(user).filter(actor_id__in=invited).exists()


@rules.predicate
def may_view_assessment(user: Any, obj: Any) -> bool:
    assessment = _assessment_of(obj)
    if assessment is None:
        return False
    if assessment.status == "published":
        return True
    if not _active(user):
        return False
    if user.is_staff or _in_team(user, assessment, kinds=None):
        return True
    if assessment.validations.filter(validator_id=user.pk).exists():
        return True
    invited = assessment.consultation_invitations.values("organisation_id")
    if _active_roles(user).filter(actor_id__in=invited).exists():
        return True
    return assessment.status == "submitted" and is_eligible_validator(user, assessment)


rules.add_perm("assessments.open_assessment", role_in(*_TEAM_KINDS))
rules.add_perm("assessments.change_assessment", is_site_staff | is_assessment_team)
rules.add_perm("assessments.change_answer", is_assessment_team_while_editable)
rules.add_perm("assessments.publish_assessment", is_assessment_team)
rules.add_perm("assessments.validate_assessment", is_eligible_validator)
rules.add_perm("assessments.comment_assessment", is_invited_commenter)
rules.add_perm("assessments.view_assessment", may_view_assessment)


# --- Practices (issue 4) --------------------------------------------------------------------------------
# `obj` is a Practice (read by its attributes: `governments`, `stage`, `review_assignments`), a
# ReviewAssignment (`reviewer_id`, `practice`), or an Actor where the rule says so. A practice's team is the
# officers and administrators of the governments behind it.
#
# - ``practices.add_practice`` (obj: the government Actor) — its officers and administrators.
# - ``practices.change_practice`` (obj: Practice) — its team, while it is a draft or a revision is requested.
#   Site staff do not edit a city's practice; they curate it.
# - ``practices.curate_practice`` (obj: Practice or None) — site staff, or staff of a network or organisation
#   who hold no role in a government behind the practice (screening, assigning reviewers, deciding).
# - ``practices.add_callforpractices`` (obj: the owner Actor, a network or organisation) — site staff, or
#   the owner's staff and administrators.
# - ``practices.review_practice`` (obj: ReviewAssignment) — the assigned reviewer, never someone holding a
#   role in a government behind the practice.
# - ``practices.view_practice`` (obj: Practice) — published: everyone; otherwise its team (any role in its
#   governments), curators and the reviewers assigned to it.

_PRACTICE_TEAM_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)
_PRACTICE_EDITABLE = ("draft", "revision_requested")


def _practice_government_ids(practice: Any) -> list[int]:
    if practice is None or getattr(practice, "pk", None) is None:
        return []
    return list(practice.governments.values_list("pk", flat=True))


def _in_practice_team(user: Any, practice: Any, kinds: Iterable[str] | None = _PRACTICE_TEAM_KINDS) -> bool:
    if not _active(user):
        return False
    roles = _active_roles(user).filter(actor_id__in=_practice_government_ids(practice))
    if kinds is not None:
        roles = roles.filter(kind__in=list(kinds))
    return roles.exists()


def _is_network_curator(user: Any) -> bool:
    from arrival.actors.models import ActorKind

    return _active(user) and _active_roles(user).filter(
        kind=RoleKind.STAFF, actor__kind__in=[ActorKind.NETWORK, ActorKind.ORGANISATION]
    ).exists()


@rules.predicate
def is_practice_team_while_editable(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "stage", None) in _PRACTICE_EDITABLE and _in_practice_team(user, obj)


@rules.predicate
def is_practice_curator(user: Any, obj: Any) -> bool:
    if not _is_network_curator(user):
        return False
    return obj is None or not _in_practice_team(user, obj, kinds=None)


@rules.predicate
def is_assigned_practice_reviewer(user: Any, obj: Any) -> bool:
    if obj is None or not _active(user) or getattr(obj, "reviewer_id", None) != user.pk:
        return False
    return not _in_practice_team(user, obj.practice, kinds=None)


@rules.predicate
def may_view_practice(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    if getattr(obj, "stage", None) == "published":
        return True
    if not _active(user):
        return False
    if user.is_staff or _in_practice_team(user, obj, kinds=None) or is_practice_curator(user, obj):
        return True
    return obj.review_assignments.filter(reviewer_id=user.pk).exclude(status="declined").exists()


rules.add_perm("practices.add_practice", role_in(*_PRACTICE_TEAM_KINDS))
rules.add_perm("practices.change_practice", is_practice_team_while_editable)
rules.add_perm("practices.curate_practice", is_site_staff | is_practice_curator)
rules.add_perm("practices.add_callforpractices", is_site_staff | role_in(RoleKind.STAFF, RoleKind.ADMINISTRATOR))
rules.add_perm("practices.review_practice", is_assigned_practice_reviewer)
rules.add_perm("practices.view_practice", may_view_practice)


# --- engagement rules (processes, comments, moderation, notifications) ---


# --- consultations rules ---


# --- commitments rules ---


# --- participation rules ---


# --- planning rules ---
