"""Reads for practices: records, reviews as each viewer may see them, reviewer suggestions, queues,
replication paths and calls. Querysets fetch related rows up front; plain dicts where a page needs a shape.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.models import Role, RoleKind, User
from arrival.accounts.selectors import user_actor_ids
from arrival.actors.models import Actor
from arrival.core.languages import region_name
from arrival.core.translations import localized
from arrival.engagement.handoffs import WorkItem
from arrival.engagement.models import Phase
from arrival.frameworks.models import FrameworkItem, Tag
from arrival.frameworks.selectors import items_related_through_crosswalk
from arrival.practices import phases as call_phases
from arrival.practices.models import (
    CallForPractices,
    Practice,
    Review,
    ReviewAssignment,
    ReviewAssignmentStatus,
    ReviewerRole,
    ReviewStage,
)
from arrival.practices.services import (
    ALREADY_REVIEWING,
    AWAITING_SCREENING,
    CONFLICT_DECLARED,
    CONFLICT_PARTNER,
    CONFLICT_TEAM,
    CRITERIA,
    CURATING_ACTOR_KINDS,
    DISAGREEMENT_POINTS,
    MIN_PEER_REVIEWS,
    PRACTICE_GOVERNMENT_KINDS,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

_GOVERNMENTS = Prefetch(
    "governments", queryset=Actor.objects.select_related("country", "local").order_by("name")
)
OPEN_ASSIGNMENT = (ReviewAssignmentStatus.INVITED, ReviewAssignmentStatus.ACCEPTED)


def _published() -> QuerySet[Practice]:
    return Practice.objects.filter(stage=ReviewStage.PUBLISHED)


# --- Records ---------------------------------------------------------------------------------------


def practice_get(*, slug: str) -> Practice:
    """One practice with everything its page shows; raises Practice.DoesNotExist."""
    return (
        Practice.objects.select_related("call__owner", "adapted_from", "created_by")
        .prefetch_related(_GOVERNMENTS, "partners", "quantitative_results", "links", "images__attachment")
        .get(slug=slug)
    )


def practice_list_published() -> QuerySet[Practice]:
    """Published (peer-reviewed) practices, newest first."""
    return _published().prefetch_related(_GOVERNMENTS).order_by("-published_at", "-pk")


def practice_list_visible(*, user: Any) -> QuerySet[Practice]:
    """Every practice `user` may see: published ones, their governments' own, and those they review or curate."""
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_staff or is_curator(user=user):
            return Practice.objects.all()
        mine = Q(governments__in=user_actor_ids(user)) | Q(
            review_assignments__reviewer_id=user.pk, review_assignments__status__in=[*OPEN_ASSIGNMENT, "submitted"]
        )
        return Practice.objects.filter(Q(stage=ReviewStage.PUBLISHED) | Q(pk__in=Practice.objects.filter(mine).values("pk")))
    return _published()


def practices_for_government(*, government: Actor, viewer: Any = None) -> QuerySet[Practice]:
    """The practices `government` is behind: published ones, plus drafts and reviews in progress for its team."""
    practices = Practice.objects.filter(governments=government)
    if viewer is None or government.pk not in user_actor_ids(viewer):
        practices = practices.filter(stage=ReviewStage.PUBLISHED)
    return practices.prefetch_related(_GOVERNMENTS).order_by("-published_at", "-updated_at")


def reviews_given_by_government(*, government: Actor) -> QuerySet[Review]:
    """Peer reviews people of `government` submitted on practices that are now published (for its profile)."""
    return (
        Review.objects.filter(assignment__reviewer_actor=government,
                              assignment__practice__stage=ReviewStage.PUBLISHED)
        .select_related("assignment__practice")
        .order_by("-created_at")
    )


def can_edit(*, user: Any, practice: Practice) -> bool:
    return bool(user is not None and user.has_perm("practices.change_practice", practice))


def is_curator(*, user: Any) -> bool:
    """Site staff, or staff of a network or organisation (per practice, the rules also exclude its own team)."""
    return bool(user is not None and user.has_perm("practices.curate_practice", None))


# --- Reviews ---------------------------------------------------------------------------------------


def _submitted_reviews(practice: Practice) -> list[Review]:
    return list(
        Review.objects.filter(assignment__practice=practice)
        .select_related("assignment__reviewer", "assignment__reviewer_actor")
        .order_by("created_at", "pk")
    )


def submitted_peer_review_count(*, practice: Practice) -> int:
    return Review.objects.filter(assignment__practice=practice, assignment__role=ReviewerRole.PEER).count()


def needs_extra_reviewer(*, practice: Practice) -> bool:
    """True while the first two peer reviews' overall scores differ by 2 points or more and no third
    review (peer or expert) has been submitted to settle it."""
    reviews = _submitted_reviews(practice)
    peers = [r for r in reviews if r.assignment.role == ReviewerRole.PEER]
    if len(peers) < 2:
        return False
    return abs(peers[0].overall - peers[1].overall) >= DISAGREEMENT_POINTS and len(reviews) < 3


def reviews_for_practice(*, practice: Practice, viewer: Any) -> list[dict[str, Any]]:
    """The submitted reviews `viewer` may read, as dicts.

    Curators (and site staff) see who reviewed and their declared conflicts. Once published, everyone reads
    the reviews; a reviewer's name shows only if they chose to be named. Before that, the practice's team reads
    them without names, and an assigned reviewer reads only their own.
    """
    signed_in = bool(getattr(viewer, "is_authenticated", False) and viewer.is_active)
    curator = signed_in and viewer.has_perm("practices.curate_practice", practice)
    published = practice.stage == ReviewStage.PUBLISHED
    team = signed_in and bool(set(practice.governments.values_list("pk", flat=True)) & user_actor_ids(viewer))
    rows = []
    for number, review in enumerate(_submitted_reviews(practice), start=1):
        assignment = review.assignment
        own = signed_in and assignment.reviewer_id == viewer.pk
        if not (curator or published or team or own):
            continue
        named = curator or own or (published and assignment.wants_to_be_named)
        rows.append({
            "number": number,
            "role": assignment.role,
            "role_label": assignment.get_role_display(),
            **{name: getattr(review, name) for name in CRITERIA},
            "scores": [(name, getattr(review, name)) for name in CRITERIA],
            "overall": round(review.overall, 2),
            "comments": review.comments,
            "language": review.language,  # of the comments; "" when not recorded
            "recommendation": review.recommendation,
            "recommendation_label": review.get_recommendation_display(),
            "submitted_at": review.created_at,
            "reviewer_name": assignment.reviewer.public_name if named else None,
            "reviewer_actor": assignment.reviewer_actor if named else None,
            "conflicts_declared": assignment.conflicts_declared if curator else None,
            "has_no_conflict": assignment.has_no_conflict if curator else None,
            "is_own": own,
            "is_demo": review.is_demo,
        })
    return rows


def assignments_for_user(*, user: Any) -> QuerySet[ReviewAssignment]:
    """The review invitations and reviews of `user`, open ones first."""
    if not getattr(user, "is_authenticated", False):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(reviewer_id=user.pk)
        .select_related("practice", "reviewer_actor")
        .order_by("status", "-created_at")
    )


def assignment_list_for_practice(*, practice: Practice, viewer: Any) -> list[ReviewAssignment]:
    """Everyone invited to review `practice`, oldest invitation first, with the reviewer and their government.

    Names reviewers, so curators only: PermissionDenied for anyone else (as the reviewers page does)."""
    if not is_curator(user=viewer):
        raise PermissionDenied(_("Only curators (network, agency or site staff) do this."))
    assignments = practice.review_assignments.select_related("reviewer", "reviewer_actor")
    return list(assignments.order_by("created_at"))


def assignment_get(*, pk: int) -> ReviewAssignment:
    return ReviewAssignment.objects.select_related("practice", "reviewer", "reviewer_actor").get(pk=pk)


def _region_of(actor: Actor | None) -> tuple[str, str]:
    """The actor's UN M49 region and sub-region as stored (English names: keys for grouping and comparing);
    pages show them with `region_name`."""
    if actor is None or actor.country is None:
        return "", ""
    return actor.country.region, actor.country.subregion


def _reviewer_roles() -> Q:
    """Roles that make someone a possible reviewer: a reviewer, officer or administrator of a local or regional
    government (a peer), or a reviewer of a network or organisation (an expert)."""
    peer = Q(actor__kind__in=PRACTICE_GOVERNMENT_KINDS,
             kind__in=[RoleKind.REVIEWER, RoleKind.OFFICER, RoleKind.ADMINISTRATOR])
    expert = Q(actor__kind__in=CURATING_ACTOR_KINDS, kind=RoleKind.REVIEWER)
    return (peer | expert) & Q(ended_at__isnull=True, user__is_active=True)


def reviewer_blocks(*, practice: Practice) -> tuple[dict[int, str], dict[int, str]]:
    """Who may not be invited to review `practice`, and why: `({user id: reason}, {actor id: reason})`.

    The conflict-of-interest rule the service enforces (`services._check_reviewer`), read in four queries: people
    and governments behind the practice, its partners, those who declined it declaring a conflict, and those
    already invited."""
    government_ids = set(practice.governments.values_list("pk", flat=True))
    partner_ids = set(practice.partners.values_list("pk", flat=True))
    actors = {**dict.fromkeys(partner_ids, str(CONFLICT_PARTNER)), **dict.fromkeys(government_ids, str(CONFLICT_TEAM))}
    users: dict[int, str] = {}
    assignments = practice.review_assignments.values_list("reviewer_id", "status", "conflicts_declared")
    for user_id, status, conflicts in assignments:
        if status != ReviewAssignmentStatus.DECLINED:
            users[user_id] = str(ALREADY_REVIEWING)
        elif conflicts:
            users.setdefault(user_id, str(CONFLICT_DECLARED))
    behind = Role.objects.filter(actor_id__in=government_ids | partner_ids, ended_at__isnull=True)
    for user_id, actor_id in behind.values_list("user_id", "actor_id"):
        if users.get(user_id) != str(CONFLICT_TEAM):  # working for a government behind it says the most
            users[user_id] = actors[actor_id]
    return users, actors


def _reviewer_kind(actor: Actor) -> str:
    return ReviewerRole.PEER if actor.kind in PRACTICE_GOVERNMENT_KINDS else ReviewerRole.EXPERT


def reviewer_search(*, practice: Practice, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Anyone who could review, found by name or by the government or organisation they act for (at least two
    characters): `{user, actor, role, reason, open_assignments}` per role, by name.

    Not only the ten best suggestions: every possible reviewer (`_reviewer_roles`) matches. People the
    conflict-of-interest rule keeps out are listed too, with `reason` saying why, so a curator who typed their
    name learns why they cannot invite them; `reason` is None for those who can be invited.
    """
    q = " ".join(q.split())
    if len(q) < 2:
        return []
    by_name = (Q(user__display_name__icontains=q) | Q(user__display_name="", user__username__icontains=q)
               | Q(actor__name__icontains=q))
    roles = list(
        Role.objects.filter(_reviewer_roles(), by_name)
        .select_related("user", "actor__country")
        .order_by("user__display_name", "user__username", "actor__name", "pk")[:limit]
    )
    if not roles:
        return []
    blocked_users, blocked_actors = reviewer_blocks(practice=practice)
    load = Counter(
        ReviewAssignment.objects.filter(reviewer_id__in={role.user_id for role in roles}, status__in=OPEN_ASSIGNMENT)
        .values_list("reviewer_id", flat=True)
    )
    return [
        {"user": role.user, "actor": role.actor, "role": _reviewer_kind(role.actor),
         "reason": blocked_actors.get(role.actor_id) or blocked_users.get(role.user_id),
         "open_assignments": load[role.user_id]}
        for role in roles
    ]


def reviewer_suggestions(*, practice: Practice, limit: int = 10) -> list[dict[str, Any]]:
    """People who could review `practice`, best first: `{user, actor, role, score, reasons, open_assignments}`.

    Candidates hold a reviewer, officer or administrator role in another local or regional government (peer)
    or a reviewer role in a network or organisation (expert), and none in a government or partner behind the
    practice (nor declined it declaring a conflict, nor are invited already). Score = 3 × the share of the
    practice's tags they know (tags of practices they reviewed or their government is behind) + 1 if their
    preferred language is one of the practice's + 1 for the same M49 region (+ 0.5 more for the same
    sub-region) − 0.5 per review they have open now (balancing the workload).
    """
    blocked_users, blocked_actors = reviewer_blocks(practice=practice)
    roles = list(
        Role.objects.filter(_reviewer_roles())
        .exclude(actor_id__in=list(blocked_actors))
        .exclude(user_id__in=list(blocked_users))
        .select_related("user", "actor__country")
        .order_by("user_id", "actor_id")
    )
    if not roles:
        return []
    practice_type = ContentType.objects.get_for_model(Practice)
    wanted = set(Tag.objects.filter(content_type=practice_type, object_id=str(practice.pk)).values_list("item_id", flat=True))
    user_ids = {role.user_id for role in roles}
    actor_ids = {role.actor_id for role in roles}
    known_by_actor: dict[int, set[int]] = defaultdict(set)
    known_by_user: dict[int, set[int]] = defaultdict(set)
    if wanted:
        through = Practice.governments.through
        practices_of_actor = list(through.objects.filter(actor_id__in=actor_ids).values_list("actor_id", "practice_id"))
        reviewed = list(
            ReviewAssignment.objects.filter(reviewer_id__in=user_ids, status=ReviewAssignmentStatus.SUBMITTED)
            .values_list("reviewer_id", "practice_id")
        )
        practice_ids = {str(pid) for _a, pid in practices_of_actor} | {str(pid) for _u, pid in reviewed}
        tags_of: dict[int, set[int]] = defaultdict(set)
        for object_id, item_id in Tag.objects.filter(
            content_type=practice_type, item_id__in=wanted, object_id__in=practice_ids
        ).values_list("object_id", "item_id"):
            tags_of[int(object_id)].add(item_id)
        for actor_id, pid in practices_of_actor:
            known_by_actor[actor_id] |= tags_of.get(pid, set())
        for user_id, pid in reviewed:
            known_by_user[user_id] |= tags_of.get(pid, set())
    open_load = Counter(
        ReviewAssignment.objects.filter(reviewer_id__in=user_ids, status__in=OPEN_ASSIGNMENT).values_list("reviewer_id", flat=True)
    )
    languages = {practice.language, *practice.other_languages}
    first_government = practice.governments.select_related("country").order_by("name").first()
    region, subregion = _region_of(first_government)
    best: dict[int, dict[str, Any]] = {}
    for role in roles:
        user, actor = role.user, role.actor
        reasons: list[str] = []
        overlap = len((known_by_actor[actor.pk] | known_by_user[user.pk]) & wanted)
        score = 3.0 * overlap / len(wanted) if wanted else 0.0
        if overlap:
            reasons.append(_("knows %(n)d of the practice's %(total)d topics") % {"n": overlap, "total": len(wanted)})
        if user.preferred_language in languages:
            score += 1.0
            reasons.append(_("reads the practice's language"))
        their_region, their_subregion = _region_of(actor)
        if region and their_region == region:
            score += 1.0
            if subregion and their_subregion == subregion:
                score += 0.5
                reasons.append(_("same sub-region (%(region)s)") % {"region": region_name(subregion)})
            else:
                reasons.append(_("same region (%(region)s)") % {"region": region_name(region)})
        load = open_load[user.pk]
        if load:
            score -= 0.5 * load
            reasons.append(_("%(n)d review(s) open now") % {"n": load})
        row = {"user": user, "actor": actor, "role": _reviewer_kind(actor), "score": round(score, 2), "reasons": reasons,
               "open_assignments": load}
        # One row per person: their best-scoring role.
        if user.pk not in best or row["score"] > best[user.pk]["score"]:
            best[user.pk] = row
    ranked = sorted(best.values(), key=lambda r: (-r["score"], r["open_assignments"], r["user"].public_name, r["user"].pk))
    return ranked[:limit]


# --- Curation queues -------------------------------------------------------------------------------


def _not_own(practices: QuerySet[Practice], user: Any) -> QuerySet[Practice]:
    if user.is_staff:
        return practices
    return practices.exclude(pk__in=Practice.objects.filter(governments__in=user_actor_ids(user)).values("pk"))


def screening_queue(*, user: Any) -> QuerySet[Practice]:
    """Submitted practices waiting for a curator, oldest first (none for people who are not curators)."""
    if not is_curator(user=user):
        return Practice.objects.none()
    practices = Practice.objects.filter(stage__in=AWAITING_SCREENING).prefetch_related(_GOVERNMENTS)
    return _not_own(practices, user).select_related("call").order_by("submitted_at", "pk")


def review_queue(*, user: Any) -> QuerySet[Practice]:
    """Practices in peer review, with `peer_reviews_submitted` and `assignments_open`, oldest first."""
    if not is_curator(user=user):
        return Practice.objects.none()
    practices = Practice.objects.filter(stage=ReviewStage.IN_REVIEW).annotate(
        peer_reviews_submitted=Count(
            "review_assignments", filter=Q(review_assignments__status=ReviewAssignmentStatus.SUBMITTED,
                                           review_assignments__role=ReviewerRole.PEER), distinct=True),
        assignments_open=Count(
            "review_assignments", filter=Q(review_assignments__status__in=OPEN_ASSIGNMENT), distinct=True),
    )
    return _not_own(practices, user).prefetch_related(_GOVERNMENTS).order_by("submitted_at", "pk")


# --- Who acts next: the people of a practice, and "My work" ----------------------------------------------

TEAM_ROLE_KINDS = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)


def _government_ids(practice: Practice) -> QuerySet[Any]:
    return Practice.governments.through.objects.filter(practice_id=practice.pk).values("actor_id")


def practice_team(*, practice: Practice) -> QuerySet[User]:
    """The practice's authors: the active officers and administrators of the governments behind it."""
    roles = Role.objects.filter(actor_id__in=_government_ids(practice), kind__in=TEAM_ROLE_KINDS, ended_at__isnull=True)
    return User.objects.filter(pk__in=roles.values("user_id"), is_active=True)


def practice_curators(*, practice: Practice) -> QuerySet[User]:
    """Who screens `practice` and decides on it: the staff of its curating organisation (the call's organiser, or
    the network or organisation its team chose), or the site's staff when it has none — never someone holding a
    role in a government behind it."""
    if practice.curating_organisation_id:
        staff = Role.objects.filter(actor_id=practice.curating_organisation_id, kind=RoleKind.STAFF,
                                    ended_at__isnull=True)
        people = User.objects.filter(pk__in=staff.values("user_id"))
    else:
        people = User.objects.filter(is_staff=True)
    own = Role.objects.filter(actor_id__in=_government_ids(practice), ended_at__isnull=True).values("user_id")
    return people.filter(is_active=True).exclude(pk__in=own)


def curating_organisations() -> QuerySet[Actor]:
    """The networks and organisations a team can send a practice to for screening: those with curators (staff)."""
    staffed = Role.objects.filter(kind=RoleKind.STAFF, ended_at__isnull=True, user__is_active=True,
                                  actor__kind__in=CURATING_ACTOR_KINDS)
    return Actor.objects.filter(pk__in=staffed.values("actor_id")).order_by("name")


def _name(actor: Actor | None) -> str:
    return actor.name if actor is not None else ""


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _curated_by(user: Any) -> Q:
    """The practices `user` curates: those of organisations they are staff of; site staff also those of none."""
    staff_of = Role.objects.filter(user_id=user.pk, kind=RoleKind.STAFF, ended_at__isnull=True,
                                   actor__kind__in=CURATING_ACTOR_KINDS).values("actor_id")
    scope = Q(curating_organisation__in=staff_of)
    if user.is_staff:
        scope |= Q(curating_organisation__isnull=True)
    return scope


def _own_practice_ids(user: Any, kinds: tuple[str, ...] | None = None) -> QuerySet[Any]:
    roles = Role.objects.filter(user_id=user.pk, ended_at__isnull=True)
    if kinds is not None:
        roles = roles.filter(kind__in=kinds)
    return Practice.governments.through.objects.filter(actor_id__in=roles.values("actor_id")).values("practice_id")


def _review_phase_end(process: str) -> Subquery:
    """The end of the call's review phase (the curators' and reviewers' deadline), from the practice's call."""
    phases = Phase.objects.filter(process=OuterRef(process), phase_type=call_phases.REVIEW)
    return Subquery(phases.values("ends_at")[:1])


def _to_screen(user: Any) -> QuerySet[Practice]:
    if not _signed_in(user):
        return Practice.objects.none()
    return (Practice.objects.filter(_curated_by(user), stage__in=AWAITING_SCREENING)
            .exclude(pk__in=_own_practice_ids(user)))


def screening_work_items(user: Any) -> list[WorkItem]:
    """Practices submitted to the organisations `user` curates for (or to the site's staff), to screen."""
    practices = (_to_screen(user).select_related("curating_organisation")
                 .annotate(review_ends=_review_phase_end("call__process")).order_by("submitted_at", "pk"))
    return [
        WorkItem(kind="practices.screen", action=_("Screen: send to peer review or return to the authors"),
                 title=practice.title, url=practice.get_absolute_url(),
                 waiting_since=practice.stage_changed_at or practice.submitted_at or practice.updated_at,
                 deadline=practice.review_ends,
                 for_actor=_name(practice.curating_organisation))
        for practice in practices
    ]


def screening_work_count(user: Any) -> QuerySet[Any] | int:
    return _to_screen(user)


def _to_decide(user: Any) -> QuerySet[Practice]:
    """In peer review with no invitation left open, curated by `user` or with reviewers they invited."""
    if not _signed_in(user):
        return Practice.objects.none()
    asked = ReviewAssignment.objects.filter(assigned_by_id=user.pk).values("practice_id")
    still_open = ReviewAssignment.objects.filter(practice=OuterRef("pk"), status__in=OPEN_ASSIGNMENT)
    return (Practice.objects.filter(_curated_by(user) | Q(pk__in=asked), stage=ReviewStage.IN_REVIEW)
            .exclude(Exists(still_open)).exclude(pk__in=_own_practice_ids(user)))


def decision_work_items(user: Any) -> list[WorkItem]:
    """Practices whose reviews are all in (or that have no reviewer yet): the curator invites reviewers until two
    peer reviews are in, then decides."""
    assignments = ReviewAssignment.objects.filter(practice=OuterRef("pk"))
    peer_reviews = (Review.objects.filter(assignment__practice=OuterRef("pk"), assignment__role=ReviewerRole.PEER)
                    .values("assignment__practice").annotate(n=Count("pk")).values("n"))
    practices = (
        _to_decide(user).select_related("curating_organisation")
        .annotate(review_ends=_review_phase_end("call__process"),
                  last_answer=Subquery(assignments.order_by("-updated_at").values("updated_at")[:1]),
                  peer_reviews=Subquery(peer_reviews[:1]))
        .order_by("stage_changed_at", "pk")
    )
    items = []
    for practice in practices:
        ready = (practice.peer_reviews or 0) >= MIN_PEER_REVIEWS
        waited = [moment for moment in (practice.last_answer, practice.stage_changed_at) if moment is not None]
        items.append(WorkItem(
            kind="practices.decide",
            action=_("Decide: publish, request a revision or decline") if ready else _("Invite peer reviewers"),
            title=practice.title,
            url=practice.get_absolute_url() if ready else reverse("practices:reviewers", args=[practice.slug]),
            waiting_since=max(waited) if waited else practice.updated_at, deadline=practice.review_ends,
            for_actor=_name(practice.curating_organisation),
        ))
    return items


def decision_work_count(user: Any) -> QuerySet[Any] | int:
    return _to_decide(user)


def _waiting_assignments(user: Any, status: str) -> QuerySet[ReviewAssignment]:
    if not _signed_in(user):
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(reviewer_id=user.pk, status=status, practice__stage=ReviewStage.IN_REVIEW)


def _assignment_items(user: Any, status: str, kind: str, action: str) -> list[WorkItem]:
    assignments = (_waiting_assignments(user, status).select_related("practice", "reviewer_actor")
                   .annotate(review_ends=_review_phase_end("practice__call__process")).order_by("updated_at", "pk"))
    return [
        WorkItem(kind=kind, action=action, title=assignment.practice.title,
                 url=reverse("practices:review", args=[assignment.pk]),
                 waiting_since=assignment.created_at if status == ReviewAssignmentStatus.INVITED else assignment.updated_at,
                 deadline=assignment.due_at or assignment.review_ends, for_actor=assignment.reviewer_actor.name)
        for assignment in assignments
    ]


def invitation_work_items(user: Any) -> list[WorkItem]:
    """Invitations to review that `user` has not answered yet."""
    return _assignment_items(user, ReviewAssignmentStatus.INVITED, "practices.invitation",
                             _("Accept or decline, declaring any conflict of interest"))


def invitation_work_count(user: Any) -> QuerySet[Any] | int:
    return _waiting_assignments(user, ReviewAssignmentStatus.INVITED)


def review_work_items(user: Any) -> list[WorkItem]:
    """Reviews `user` accepted and has not submitted, while the practice is in peer review."""
    return _assignment_items(user, ReviewAssignmentStatus.ACCEPTED, "practices.review", _("Write and submit the review"))


def review_work_count(user: Any) -> QuerySet[Any] | int:
    return _waiting_assignments(user, ReviewAssignmentStatus.ACCEPTED)


def _to_revise(user: Any) -> QuerySet[Practice]:
    if not _signed_in(user):
        return Practice.objects.none()
    return Practice.objects.filter(stage=ReviewStage.REVISION_REQUESTED,
                                   pk__in=_own_practice_ids(user, kinds=TEAM_ROLE_KINDS))


def revision_work_items(user: Any) -> list[WorkItem]:
    """The practices of `user`'s governments that a curator sent back for revision."""
    practices = _to_revise(user).prefetch_related(_GOVERNMENTS).order_by("stage_changed_at", "pk")
    return [
        WorkItem(kind="practices.revise", action=_("Revise as the curator asked, then submit again"),
                 title=practice.title, url=practice.get_absolute_url(),
                 waiting_since=practice.stage_changed_at or practice.updated_at,
                 for_actor=", ".join(government.name for government in practice.governments.all()))
        for practice in practices
    ]


def revision_work_count(user: Any) -> QuerySet[Any] | int:
    return _to_revise(user)


# --- Replication -----------------------------------------------------------------------------------


def _coordinates(actor: Actor | None) -> tuple[float, float] | None:
    local = getattr(actor, "local", None) if actor is not None else None
    if local is None or local.latitude is None or local.longitude is None:
        return None
    return local.latitude, local.longitude


def distance_km(a: Actor | None, b: Actor | None) -> float | None:
    """Great-circle distance between two governments' coordinates (haversine, Earth radius 6,371 km)."""
    pa, pb = _coordinates(a), _coordinates(b)
    if pa is None or pb is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*pa, *pb))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * 6371.0 * math.asin(min(1.0, math.sqrt(h))), 1)


def _first(governments: list[Actor]) -> Actor | None:
    with_place = [g for g in governments if _coordinates(g) is not None]
    candidates = with_place or governments
    return candidates[0] if candidates else None


def _hop(source: Practice, target: Practice) -> dict[str, Any]:
    source_governments = list(source.governments.all())
    target_governments = list(target.governments.all())
    source_government, target_government = _first(source_governments), _first(target_governments)
    source_region, target_region = _region_of(source_government)[0], _region_of(target_government)[0]
    return {
        "practice": target,
        "source": source,
        "note": target.adaptation_note,
        "source_governments": source_governments,
        "target_governments": target_governments,
        "source_government": source_government,
        "target_government": target_government,
        "source_region": source_region,
        "target_region": target_region,
        "source_region_name": region_name(source_region),
        "target_region_name": region_name(target_region),
        "distance_km": distance_km(source_government, target_government),
        "is_demo": source.is_demo or target.is_demo,
    }


def replication_paths(*, limit: int = 50) -> list[dict[str, Any]]:
    """Published adaptations of published practices, the furthest first.

    Each dict: practice (the adaptation), source, note, source/target governments (lists) and the first of each,
    their M49 regions (`source_region`, `target_region`: the stored English names, for grouping) and those
    regions' names in the viewer's language (`source_region_name`, `target_region_name`), distance_km (None
    when a government has no coordinates).
    """
    adaptations = (
        _published().filter(adapted_from__stage=ReviewStage.PUBLISHED)
        .select_related("adapted_from")
        .prefetch_related(_GOVERNMENTS, Prefetch("adapted_from__governments",
                                                 queryset=Actor.objects.select_related("country", "local").order_by("name")))
    )
    hops = [_hop(practice.adapted_from, practice) for practice in adaptations if practice.adapted_from is not None]
    hops.sort(key=lambda h: (h["distance_km"] is None, -(h["distance_km"] or 0), h["practice"].title))
    return hops[:limit]


def image_list(*, practice: Practice) -> QuerySet[Any]:
    """The practice's images with their stored files, fresh from the database (the author's extras page)."""
    return practice.images.select_related("attachment")


def practice_travels(*, practice: Practice) -> dict[str, Any]:
    """Where a practice came from and where it travelled: `{"adapted_from": hop | None, "adaptations": [hop]}`."""
    source = None
    if practice.adapted_from is not None and practice.adapted_from.stage == ReviewStage.PUBLISHED:
        source = _hop(practice.adapted_from, practice)
    adaptations = _published().filter(adapted_from=practice).prefetch_related(_GOVERNMENTS).order_by("published_at")
    hops = [_hop(practice, adaptation) for adaptation in adaptations]
    hops.sort(key=lambda h: -(h["distance_km"] or 0))
    return {"adapted_from": source, "adaptations": hops}


# --- Calls -----------------------------------------------------------------------------------------


class CallWindow(TypedDict):
    """What the calls' selectors add to each call: its submissions phase."""

    submissions_starts_at: dt.datetime | None
    submissions_ends_at: dt.datetime | None


def _calls() -> QuerySet[WithAnnotations[CallForPractices, CallWindow]]:
    """Calls with their submissions window annotated (`deadline` reads `submissions_ends_at`, no extra query)."""
    window = Phase.objects.filter(process=OuterRef("process"), phase_type=call_phases.SUBMISSIONS)
    return CallForPractices.objects.select_related("owner", "process").annotate(
        submissions_starts_at=Subquery(window.values("starts_at")[:1]),
        submissions_ends_at=Subquery(window.values("ends_at")[:1]),
    )


def calls_open(*, at: dt.datetime | None = None) -> QuerySet[WithAnnotations[CallForPractices, CallWindow]]:
    """Calls whose submissions phase is running, the soonest deadline first."""
    at = at or timezone.now()
    return (
        _calls().filter(submissions_starts_at__lte=at, submissions_ends_at__gt=at)
        .annotate(received=Count("practices", filter=~Q(practices__stage=ReviewStage.DRAFT)))
        .order_by("submissions_ends_at", "pk")
    )


def calls_closed(*, at: dt.datetime | None = None) -> QuerySet[WithAnnotations[CallForPractices, CallWindow]]:
    """Calls whose submissions phase has ended, the latest deadline first."""
    return _calls().filter(submissions_ends_at__lte=at or timezone.now()).order_by("-submissions_ends_at", "-pk")


def call_list() -> QuerySet[WithAnnotations[CallForPractices, CallWindow]]:
    return _calls().order_by("-submissions_ends_at", "-pk")


def call_get(*, slug: str) -> WithAnnotations[CallForPractices, CallWindow]:
    """One call, its process's phases prefetched (the page's timeline and the deadline read them)."""
    return (_calls().select_related("opened_by", "process__owner")
            .prefetch_related(Prefetch("process__phases", queryset=Phase.objects.order_by("position")))
            .get(slug=slug))


def call_practices(*, call: CallForPractices, viewer: Any) -> QuerySet[Practice]:
    """What was submitted to `call`, latest first: every stage for curators, only published ones for others."""
    practices = call.practices.prefetch_related("governments").order_by("-submitted_at", "title")
    if not is_curator(user=viewer):
        practices = practices.filter(stage=ReviewStage.PUBLISHED)
    return practices


def call_stage_counts(*, call: CallForPractices) -> Counter[str]:
    """How many practices submitted to `call` stand at each review stage (drafts included)."""
    return Counter(call.practices.values_list("stage", flat=True))


# --- Extension points filled for other apps -------------------------------------------------------


def practice_actor_ids() -> QuerySet[Any]:
    """Governments behind at least one published practice (actors' map of places with records)."""
    return (
        Practice.governments.through.objects.filter(practice__stage=ReviewStage.PUBLISHED)
        .values_list("actor_id", flat=True)
        .distinct()
    )


def _published_tagged(item_ids: list[int]) -> QuerySet[Practice]:
    tags = Tag.objects.filter(content_type=ContentType.objects.get_for_model(Practice), item_id__in=item_ids)
    keys = tags.annotate(key=Cast("object_id", BigIntegerField())).values("key")
    return _published().filter(pk__in=keys).order_by("-published_at", "-pk")


def practices_for_gap(*, indicator: Any, framework_items: list[FrameworkItem], limit: int) -> list[dict[str, Any]]:
    """For the assessments gap list: published, peer-reviewed practices tagged with the indicator's framework
    items, the directly tagged ones first, then those related through the crosswalk."""
    if not framework_items or limit <= 0:
        return []
    direct_ids = [item.pk for item in framework_items]
    found: list[tuple[Practice, bool]] = [(p, True) for p in _published_tagged(direct_ids)[:limit]]
    if len(found) < limit:
        related_ids: set[int] = set()
        for item in framework_items:
            related_ids.update(items_related_through_crosswalk(item=item).values_list("pk", flat=True))
        related_ids -= set(direct_ids)
        if related_ids:
            seen = {p.pk for p, _direct in found}
            more = _published_tagged(sorted(related_ids)).exclude(pk__in=seen)[: limit - len(found)]
            found.extend((p, False) for p in more)
    titles = {practice.pk: localized(practice, "title") for practice, _direct in found}
    return [
        {
            "title": titles[practice.pk].text,
            "language": titles[practice.pk].language,
            "url": reverse("practices:detail", args=[practice.slug]),
            "badge": _("Peer-reviewed practice") if direct else _("Peer-reviewed practice, related topic"),
            "is_demo": practice.is_demo,
        }
        for practice, direct in found
    ]


# --- Tags as codes, and open data -------------------------------------------------------------------


def tag_codes_for(*, practice_ids: list[int]) -> dict[int, list[str]]:
    """`{practice id: ["gcm_objective:5", "sdg_target:10.7", …]}` in one query, framework by framework."""
    codes: dict[int, list[str]] = defaultdict(list)
    rows = (
        Tag.objects.filter(content_type=ContentType.objects.get_for_model(Practice),
                           object_id__in=[str(pk) for pk in practice_ids])
        .order_by("item__framework__kind", "item__position")
        .values_list("object_id", "item__framework__kind", "item__code")
    )
    for object_id, kind, code in rows:
        codes[int(object_id)].append(f"{kind}:{code}")
    return codes


OPEN_DATA_COLUMNS = (
    "slug", "url", "title", "summary", "language", "translations", "status", "governments", "government_ids", "countries",
    "regions", "gcm_objectives", "sdg_targets", "nua_paragraphs", "domains", "other_tags", "themes",
    "target_groups", "started", "ended", "published_at", "adapted_from", "peer_reviews", "is_demo",
)
_TAG_COLUMNS = {"gcm_objective": "gcm_objectives", "sdg_target": "sdg_targets", "nua_paragraph": "nua_paragraphs",
                "domain": "domains"}


def open_data_rows(*, chunk: int = 1000) -> Any:
    """One dict per published practice for the open-data files (lists joined by "; "), streamed in chunks."""
    practices = _published().order_by("pk")
    last = 0
    while True:
        batch = list(practices.filter(pk__gt=last).select_related("adapted_from").prefetch_related(_GOVERNMENTS)
                     .annotate(peer_reviews=Count("review_assignments__review", filter=Q(
                         review_assignments__role=ReviewerRole.PEER)))[:chunk])
        if not batch:
            return
        tags = tag_codes_for(practice_ids=[p.pk for p in batch])
        for practice in batch:
            governments = list(practice.governments.all())
            by_kind: dict[str, list[str]] = defaultdict(list)
            for ref in tags.get(practice.pk, []):
                kind, code = ref.split(":", 1)
                by_kind[_TAG_COLUMNS.get(kind, "other_tags")].append(code if kind in _TAG_COLUMNS else ref)
            yield {
                "slug": practice.slug,
                "url": practice.get_absolute_url(),
                "title": practice.title,
                "summary": practice.summary,
                "language": practice.language,
                "translations": practice.translations,
                "status": practice.status,
                "governments": "; ".join(g.name for g in governments),
                "government_ids": "; ".join(str(g.pk) for g in governments),
                "countries": "; ".join(sorted({g.country.code for g in governments if g.country is not None})),
                "regions": "; ".join(
                    sorted({g.country.region for g in governments if g.country is not None and g.country.region})
                ),
                **{column: "; ".join(by_kind.get(column, [])) for column in (*_TAG_COLUMNS.values(), "other_tags")},
                "themes": "; ".join(practice.themes),
                "target_groups": "; ".join(practice.target_groups),
                "started": practice.started,
                "ended": practice.ended,
                "published_at": practice.published_at,
                "adapted_from": practice.adapted_from.slug if practice.adapted_from is not None else "",
                "peer_reviews": practice.peer_reviews,
                "is_demo": practice.is_demo,
            }
        last = batch[-1].pk


def tag_framework_versions() -> dict[str, str]:
    """The framework versions practice tags point to, for the open-data metadata."""
    rows = (
        Tag.objects.filter(content_type=ContentType.objects.get_for_model(Practice))
        .values_list("item__framework__kind", "item__framework__version").distinct()
    )
    return dict(sorted(rows))


def practices_tagged_ids(*, kind: str, code: str) -> QuerySet[Any]:
    """Ids of practices tagged with the current framework item `kind`/`code`, as a subquery."""
    tags = Tag.objects.filter(content_type=ContentType.objects.get_for_model(Practice), item__framework__kind=kind,
                              item__framework__is_current=True, item__code=code)
    return tags.annotate(key=Cast("object_id", BigIntegerField())).values("key")
