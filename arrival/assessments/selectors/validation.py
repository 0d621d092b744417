"""Reads about who validates an assessment and what waits on whom.

- The validators a city names (a peer city, a network, an organisation such as IOM), the actors it may name,
  and the people who receive a hand-off: those holding a validating role in a named actor (never anyone with
  a role in the assessed government) and the city's team (its officers and administrators).
- "My work" (arrival.engagement.handoffs): assessments waiting for a validator's decision, and the team's
  assessments returned with changes or validated and waiting to be published. Each provider's `count` is one
  counting query over the same queryset its `items` reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor, ActorKind
from arrival.assessments.models import (
    Assessment,
    AssessmentStatus,
    NamedValidator,
    Validation,
    ValidationDecision,
)
from arrival.engagement.handoffs import WorkItem

__all__ = [
    "NAMEABLE_VALIDATOR_KINDS",
    "TEAM_ROLE_KINDS",
    "correction_work_count",
    "correction_work_items",
    "named_validator_list",
    "publication_work_count",
    "publication_work_items",
    "team_members",
    "validation_work_count",
    "validation_work_items",
    "validator_actors",
    "validator_candidate_list",
    "validator_candidates",
    "validator_people",
]

# Who may validate for which kind of actor. An assessment that names no validator (submitted before validators
# were named) stays open to local governments and networks, as it always was; naming also allows organisations.
VALIDATING_ROLES: dict[str, tuple[str, ...]] = {
    ActorKind.LOCAL_GOVERNMENT: (RoleKind.REVIEWER, RoleKind.OFFICER, RoleKind.ADMINISTRATOR),
    ActorKind.NETWORK: (RoleKind.STAFF, RoleKind.REVIEWER),
    ActorKind.ORGANISATION: (RoleKind.STAFF, RoleKind.REVIEWER),
}
NAMEABLE_VALIDATOR_KINDS = tuple(VALIDATING_ROLES)
OPEN_VALIDATION_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.NETWORK)
# The city's team: who answers, submits and publishes (the rule `assessments.change_assessment`).
TEAM_ROLE_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)


def _validating(kinds: tuple[str, ...] = NAMEABLE_VALIDATOR_KINDS) -> Q:
    """Roles (current ones) that let their holder validate for their actor."""
    match = Q()
    for actor_kind in kinds:
        match |= Q(actor__kind=actor_kind, kind__in=list(VALIDATING_ROLES[actor_kind]))
    return Q(ended_at__isnull=True) & match


def _roles_of(user: Any) -> QuerySet[Role]:
    return Role.objects.filter(user_id=user.pk, ended_at__isnull=True)


# --- Named validators and the actors a city may name ------------------------------------------------------


def named_validator_list(*, assessment: Assessment) -> list[NamedValidator]:
    """The validators `assessment` names, by name."""
    return list(NamedValidator.objects.filter(assessment=assessment).select_related("actor__country")
                .order_by("actor__name"))


def validator_candidate_list(*, assessment: Assessment) -> QuerySet[Actor]:
    """Every actor the city may name to validate `assessment`: a local government (never the assessed one), a
    network or an organisation in which somebody holds a validating role, by name."""
    staffed = Role.objects.filter(_validating(), user__is_active=True).values("actor_id")
    return (Actor.objects.filter(kind__in=NAMEABLE_VALIDATOR_KINDS, pk__in=staffed)
            .exclude(pk=assessment.government_id).order_by("name", "pk"))


def validator_candidates(*, assessment: Assessment, q: str = "", exclude: Any = (), limit: int = 10) -> list[Actor]:
    """Up to `limit` actors to name whose name contains `q` (any when empty), leaving out those in `exclude`
    (ids already chosen): the suggestions of the validator picker."""
    actors = validator_candidate_list(assessment=assessment).exclude(pk__in=[int(pk) for pk in exclude])
    q = (q or "").strip()
    if q:
        actors = actors.filter(name__icontains=q[:100])
    return list(actors.select_related("country")[:limit])


def validator_people(*, assessment: Assessment, actor_ids: Any = None) -> list[User]:
    """The people who validate for the named validators (or for the actors `actor_ids`): active users holding a
    validating role there, except anyone holding a role in the assessed government."""
    if actor_ids is None:
        actor_ids = NamedValidator.objects.filter(assessment=assessment).values("actor_id")
    conflicted = Role.objects.filter(actor_id=assessment.government_id, ended_at__isnull=True).values("user_id")
    holders = Role.objects.filter(_validating(), actor_id__in=actor_ids).values("user_id")
    return list(User.objects.filter(pk__in=holders, is_active=True).exclude(pk__in=conflicted).order_by("pk"))


def team_members(*, assessment: Assessment) -> list[User]:
    """The city's team: active officers and administrators of the assessed government."""
    holders = Role.objects.filter(actor_id=assessment.government_id, ended_at__isnull=True,
                                  kind__in=TEAM_ROLE_KINDS).values("user_id")
    return list(User.objects.filter(pk__in=holders, is_active=True).order_by("pk"))


def validator_actors(*, user: Any, assessment: Assessment) -> QuerySet[Actor]:
    """The actors `user` may validate `assessment` for, by name (the "validate on behalf of" choices): a
    validating role in one of the validators the city named; when it named none, a reviewer, officer or
    administrator role in another local government or a staff or reviewer role in a network. Never the
    assessed government. The rule `assessments.validate_assessment` and `validation_start` check the same.
    """
    if not getattr(user, "is_authenticated", False):
        return Actor.objects.none()
    named = NamedValidator.objects.filter(assessment=assessment).values("actor_id")
    if named.exists():
        roles = _roles_of(user).filter(_validating(), actor_id__in=named)
    else:
        roles = _roles_of(user).filter(_validating(OPEN_VALIDATION_KINDS))
    return Actor.objects.filter(pk__in=roles.values("actor_id")).exclude(pk=assessment.government_id).order_by("name")


# --- My work ----------------------------------------------------------------------------------------------


def _title(assessment: Assessment) -> str:
    return _("%(government)s: assessment %(cycle)s") % {"government": assessment.government.name,
                                                         "cycle": assessment.cycle}


def _to_validate(user: Any) -> QuerySet[Assessment]:
    """Submitted assessments that name a validator `user` validates for, of a government `user` has no role in,
    that nobody else is validating now."""
    mine = _roles_of(user).filter(_validating()).values("actor_id")
    named_for_me = NamedValidator.objects.filter(assessment=OuterRef("pk"), actor_id__in=mine)
    taken = Validation.objects.filter(assessment=OuterRef("pk"), decision=ValidationDecision.IN_PROGRESS).exclude(
        validator_id=user.pk)
    return (Assessment.objects.filter(Exists(named_for_me), status=AssessmentStatus.SUBMITTED)
            .exclude(government_id__in=_roles_of(user).values("actor_id")).exclude(Exists(taken)))


def validation_work_count(user: Any) -> QuerySet[Any] | int:
    return _to_validate(user)


def validation_work_items(user: Any) -> list[WorkItem]:
    """Assessments waiting for `user`'s validation decision, since they were submitted (or the validator was
    named, when later)."""
    started = Validation.objects.filter(assessment=OuterRef("pk"), decision=ValidationDecision.IN_PROGRESS,
                                        validator_id=user.pk)
    assessments = list(_to_validate(user).annotate(started=Exists(started)).select_related("government"))
    mine = _roles_of(user).filter(_validating()).values("actor_id")
    named: dict[int, list[NamedValidator]] = {}
    for row in NamedValidator.objects.filter(assessment__in=assessments, actor_id__in=mine).select_related("actor"):
        named.setdefault(row.assessment_id, []).append(row)
    items = []
    for assessment in assessments:
        rows = named.get(assessment.pk, [])
        since = max([assessment.submitted_at or assessment.updated_at, min(r.created_at for r in rows)]
                    if rows else [assessment.submitted_at or assessment.updated_at])
        items.append(WorkItem(
            kind="assessments.validate",
            action=_("Continue the validation") if assessment.started else _("Validate"),
            title=_title(assessment), url=reverse("assessments:validation", args=[assessment.pk]), waiting_since=since,
            for_actor=", ".join(sorted(r.actor.name for r in rows)),
        ))
    return items


def _team_assessments(user: Any, status: str) -> QuerySet[Assessment]:
    team = _roles_of(user).filter(kind__in=TEAM_ROLE_KINDS).values("actor_id")
    return Assessment.objects.filter(status=status, government_id__in=team)


def correction_work_count(user: Any) -> QuerySet[Any] | int:
    return _team_assessments(user, AssessmentStatus.CHANGES_REQUESTED)


def correction_work_items(user: Any) -> list[WorkItem]:
    """The team's assessments a validator returned with changes, since the decision."""
    returned = Max("validations__decided_at", filter=Q(validations__decision=ValidationDecision.CHANGES_REQUESTED))
    assessments = (_team_assessments(user, AssessmentStatus.CHANGES_REQUESTED)
                   .annotate(returned_at=returned).select_related("government"))
    return [
        WorkItem(kind="assessments.correct", action=_("Make the requested changes and resubmit"),
                 title=_title(a), url=reverse("assessments:detail", args=[a.pk]),
                 waiting_since=_first_of(a.returned_at, a.updated_at))
        for a in assessments
    ]


def publication_work_count(user: Any) -> QuerySet[Any] | int:
    return _team_assessments(user, AssessmentStatus.VALIDATED)


def publication_work_items(user: Any) -> list[WorkItem]:
    """The team's validated assessments, waiting to be published since their validation."""
    assessments = _team_assessments(user, AssessmentStatus.VALIDATED).select_related("government").order_by(
        F("validated_at").asc(nulls_first=True))
    return [
        WorkItem(kind="assessments.publish", action=_("Publish"), title=_title(a), url=reverse("assessments:detail", args=[a.pk]),
                 waiting_since=_first_of(a.validated_at, a.updated_at))
        for a in assessments
    ]


def _first_of(*moments: datetime | None) -> datetime:
    return next(moment for moment in moments if moment is not None)
