"""Reads for engagement: processes and their phases, comment threads, the moderation queue, notifications."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import actor_ids_for
from arrival.engagement.handoffs import WorkItem, WorkProvider, notification_kind_list, work_provider_list
from arrival.engagement.models import (
    Comment,
    Delivery,
    DigestPeriod,
    ModerationDecision,
    Notification,
    NotificationPreference,
    NotificationSettings,
    Phase,
    Process,
    Report,
    Visibility,
)
from arrival.engagement.phases import action_allowed, phase_type_get
from arrival.engagement.targets import target_process_for

MODERATOR_ROLE_KINDS = (RoleKind.ADMINISTRATOR, RoleKind.OFFICER, RoleKind.STAFF)

# --- Processes and phases --------------------------------------------------------------------------------


def process_get(*, pk: Any) -> Process:
    """One process with its owner and phases; raises Process.DoesNotExist."""
    return Process.objects.select_related("owner").prefetch_related("phases").get(pk=pk)


def phase_list(*, process: Process) -> list[Phase]:
    """The process's phases in order (uses the prefetched ones when there are)."""
    return sorted(process.phases.all(), key=lambda phase: phase.position)


def phase_current(*, process: Process, at: datetime | None = None) -> Phase | None:
    """The phase running at `at` (now when None); a phase runs on [starts_at, ends_at)."""
    at = at or timezone.now()
    for phase in phase_list(process=process):
        if phase.starts_at <= at < phase.ends_at:
            return phase
    return None


def phase_allows(*, process: Process, action: str, at: datetime | None = None) -> bool:
    """Does the phase running at `at` allow `action` ("<verb>:<app_label.model>")?"""
    phase = phase_current(process=process, at=at)
    return phase is not None and action_allowed(phase.actions, action)


def phase_label(phase: Phase) -> str:
    """The phase's own name, else its type's label (the key when the type is no longer registered)."""
    if phase.name:
        return phase.name
    try:
        return str(phase_type_get(phase.phase_type).label)
    except KeyError:
        return phase.phase_type


@dataclass(frozen=True)
class PhaseView:
    phase: Phase
    label: str
    state: str  # "past" | "current" | "upcoming"
    starts_at: datetime
    ends_at: datetime

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def phase_timeline(*, process: Process, at: datetime | None = None) -> list[PhaseView]:
    """Every phase with its state at `at` (now when None), in order."""
    at = at or timezone.now()
    views = []
    for phase in phase_list(process=process):
        if phase.ends_at <= at:
            state = "past"
        elif phase.starts_at <= at:
            state = "current"
        else:
            state = "upcoming"
        views.append(PhaseView(phase=phase, label=phase_label(phase), state=state, starts_at=phase.starts_at,
                               ends_at=phase.ends_at))
    return views


# --- Comments --------------------------------------------------------------------------------------------


def target_key(target: models.Model) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(target), str(target.pk)


@dataclass
class CommentNode:
    comment: Comment
    # The words to show, or "" when hidden/removed — `notice` then says why.
    body: str
    notice: str
    depth: int
    can_remove: bool
    replies: list[CommentNode] = field(default_factory=list)

    @property
    def is_visible(self) -> bool:
        return self.comment.visibility == Visibility.VISIBLE


def _comments_for(target: models.Model) -> QuerySet[Comment]:
    content_type, target_id = target_key(target)
    return Comment.objects.filter(target_type=content_type, target_id=target_id)


def comment_list(*, target: models.Model, viewer: Any = None) -> list[CommentNode]:
    """The thread on `target`: top-level comments oldest first, each with its replies (any depth).

    Hidden comments keep their place with a moderator's notice, removed ones with "removed by its author";
    their words are never returned.
    """
    comments = list(_comments_for(target).select_related("author", "author_actor").order_by("created_at", "id"))
    viewer_id = viewer.pk if viewer is not None and getattr(viewer, "is_authenticated", False) else None
    children: dict[int | None, list[Comment]] = defaultdict(list)
    known = {comment.pk for comment in comments}
    for comment in comments:
        children[comment.parent_id if comment.parent_id in known else None].append(comment)

    def build(comment: Comment, depth: int) -> CommentNode:
        if comment.visibility == Visibility.HIDDEN:
            body, notice = "", _("This comment was hidden by a moderator.")
        elif comment.visibility == Visibility.REMOVED:
            body, notice = "", _("This comment was removed by its author.")
        else:
            body, notice = comment.body, ""
        node = CommentNode(
            comment=comment, body=body, notice=notice, depth=depth,
            can_remove=viewer_id is not None and comment.author_id == viewer_id
            and comment.visibility != Visibility.REMOVED,
        )
        node.replies = [build(child, depth + 1) for child in children.get(comment.pk, [])]
        return node

    return [build(comment, 0) for comment in children.get(None, [])]


def comment_count(*, target: models.Model) -> int:
    """Visible comments on `target`."""
    return _comments_for(target).filter(visibility=Visibility.VISIBLE).count()


def comment_get(*, pk: Any) -> Comment:
    """One comment; raises Comment.DoesNotExist."""
    return Comment.objects.select_related("author", "process", "target_type").get(pk=pk)


# --- Moderation ------------------------------------------------------------------------------------------


def moderable_process_ids(user: Any) -> set[int] | None:
    """Processes `user` may moderate: None means all (site staff), else a set of ids (maybe empty)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_staff:
        return None
    owners = actor_ids_for(user, MODERATOR_ROLE_KINDS)
    return set(Process.objects.filter(owner_id__in=owners).values_list("pk", flat=True)) if owners else set()


def moderation_process_list(*, process_ids: set[int] | None, limit: int = 200) -> list[Process]:
    """The processes the queue can be narrowed to, by title: those in `process_ids` (what
    `moderable_process_ids` gave), or for site staff (None) the processes with at least one undecided report."""
    if process_ids is not None:
        processes = Process.objects.filter(pk__in=process_ids)
    else:
        processes = Process.objects.filter(reports__isnull=False, reports__decision__isnull=True).distinct()
    return list(processes.order_by("title")[:limit])


@dataclass
class QueueItem:
    target: Any  # the reported record, None when it no longer exists
    target_type: ContentType
    target_id: str
    process: Process | None
    reports: list[Report]
    count: int
    first_reported: datetime

    @property
    def target_label(self) -> str:
        return f"{self.target_type.app_label}.{self.target_type.model}"


def _load_targets(keys: list[tuple[int, str]]) -> dict[tuple[int, str], Any]:
    """Fetch generic targets with one query per content type."""
    by_type: dict[int, list[str]] = defaultdict(list)
    for type_id, target_id in keys:
        by_type[type_id].append(target_id)
    loaded: dict[tuple[int, str], Any] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for record in model._default_manager.filter(pk__in=ids):
            loaded[(type_id, str(record.pk))] = record
    return loaded


def moderation_queue(*, user: Any, process: Process | None = None) -> list[QueueItem]:
    """Records with undecided reports that `user` may moderate (optionally in one process), oldest report first.

    Site staff see every record, including those outside any process; a process's team sees its processes.
    """
    allowed = moderable_process_ids(user)
    reports = Report.objects.filter(decision__isnull=True)
    if allowed is not None:
        reports = reports.filter(process_id__in=allowed)
    if process is not None:
        reports = reports.filter(process=process)
    groups = list(
        reports.values("target_type_id", "target_id", "process_id")
        .annotate(count=Count("id"), first=Min("created_at"))
        .order_by("first", "target_type_id", "target_id")[:500]
    )
    if not groups:
        return []
    keys = [(group["target_type_id"], group["target_id"]) for group in groups]
    targets = _load_targets(keys)
    processes = Process.objects.in_bulk({group["process_id"] for group in groups if group["process_id"]})
    detail: dict[tuple[int, str], list[Report]] = defaultdict(list)
    open_reports = reports.filter(target_id__in={key[1] for key in keys}).select_related("reporter")
    for report in open_reports.order_by("created_at", "id"):
        detail[(report.target_type_id, report.target_id)].append(report)
    return [
        QueueItem(
            target=targets.get((group["target_type_id"], group["target_id"])),
            target_type=ContentType.objects.get_for_id(group["target_type_id"]),
            target_id=group["target_id"],
            process=processes.get(group["process_id"]),
            reports=detail.get((group["target_type_id"], group["target_id"]), []),
            count=group["count"],
            first_reported=group["first"],
        )
        for group in groups
    ]


def moderation_history(*, target: models.Model) -> QuerySet[ModerationDecision]:
    """Every decision taken on `target`, newest first, with the moderator."""
    content_type, target_id = target_key(target)
    return ModerationDecision.objects.filter(target_type=content_type, target_id=target_id).select_related(
        "moderator"
    ).annotate(report_count=Count("reports")).order_by("-created_at", "-id")


def report_exists(*, user: Any, target: models.Model) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    content_type, target_id = target_key(target)
    return Report.objects.filter(target_type=content_type, target_id=target_id, reporter_id=user.pk).exists()


def target_get(*, label: str, pk: Any) -> models.Model:
    """The record named by "app_label.model" and its key; raises LookupError / ObjectDoesNotExist."""
    app_label, _sep, model_name = label.lower().partition(".")
    content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    model = content_type.model_class()
    if model is None:
        raise LookupError(label)
    return model._default_manager.get(pk=pk)


def target_process(target: models.Model) -> Process | None:
    """The process a record belongs to: registered or its own `process`, else the process its reports were filed in."""
    own = target_process_for(target)
    if own is not None:
        return own
    content_type, target_id = target_key(target)
    report = (
        Report.objects.filter(target_type=content_type, target_id=target_id, process__isnull=False)
        .select_related("process").order_by("-created_at").first()
    )
    return report.process if report else None


# --- Notifications ---------------------------------------------------------------------------------------


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, user: Any, pk: Any) -> Notification | None:
    """One of `user`'s own notifications; None when it does not exist or is someone else's."""
    return notification_list(user=user).filter(pk=pk).first()


def notification_unread_count(*, user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_settings_get(*, user: Any) -> str:
    """The user's digest period (daily unless they chose otherwise)."""
    period = NotificationSettings.objects.filter(user_id=user.pk).values_list("digest_period", flat=True).first()
    return period or DigestPeriod.DAILY


def notification_preferences_get(*, user: Any) -> dict[str, str]:
    """The person's delivery choice for every registered kind ("digest" unless they chose otherwise)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "delivery"))
    return {kind.key: chosen.get(kind.key, Delivery.DIGEST) for kind in notification_kind_list()}


# --- My work ---------------------------------------------------------------------------------------------


@dataclass
class WorkGroup:
    key: str
    label: str
    items: list[WorkItem]


def work_list(*, user: Any) -> list[WorkGroup]:
    """Everything that waits on `user`, one group per provider that has something, oldest first in each. The
    header's cached count is set to what this finds."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    counts = work_counts(user=user)
    groups = []
    for provider in work_provider_list():
        if not counts[provider.key]:
            continue  # one statement said it has nothing: its list is not built
        items = sorted(provider.items(user), key=lambda item: (item.waiting_since, item.title))
        if items:
            groups.append(WorkGroup(key=provider.key, label=str(provider.label), items=items))
    cache.set(_work_count_key(user.pk), sum(len(group.items) for group in groups), WORK_COUNT_SECONDS)
    return groups


def work_items(*, user: Any) -> list[WorkItem]:
    """Everything that waits on `user` in one list, oldest first (the API's order)."""
    return sorted((item for group in work_list(user=user) for item in group.items),
                  key=lambda item: (item.waiting_since, item.kind, item.title))


# The header shows the count on every page. Building and compiling a score of querysets costs tens of milliseconds
# of Python, so the header reads it from the shared cache: it is counted afresh after anything is handed to the
# person (notification_send), after any change they make themselves (WorkCountMiddleware), whenever they open
# "My work", and at the latest after WORK_COUNT_SECONDS — the bound on how long the header can lag when someone
# else settles an item that waited on them.
WORK_COUNT_SECONDS = 60


def _work_count_key(user_id: int) -> str:
    return f"engagement:work_count:{user_id}"


def work_count_for_header(*, user: Any) -> int:
    """`work_count`, from the shared cache when it is there (one cache read)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    key = _work_count_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = work_count(user=user)
        cache.set(key, count, WORK_COUNT_SECONDS)
    return int(count)


def work_count_forget(*, user_ids: Iterable[int]) -> None:
    """Drop these people's header counts, so that their next page counts afresh."""
    cache.delete_many([_work_count_key(user_id) for user_id in user_ids])


def work_provider_count(provider: WorkProvider, user: Any) -> int:
    """One provider's count for `user`, evaluated (tests compare it with the provider's items)."""
    counted = provider.count(user)
    return counted.count() if isinstance(counted, QuerySet) else int(counted)


def work_counts(*, user: Any) -> dict[str, int]:
    """How many things wait on `user`, per provider: ONE statement for all the providers whose `count` returns
    the queryset of its items (a counting subquery each, side by side); a provider may return an int."""
    counts: dict[str, int] = {}
    columns: list[tuple[str, str]] = []
    params: list[Any] = []
    for provider in work_provider_list():
        counted = provider.count(user)
        if not isinstance(counted, QuerySet):
            counts[provider.key] = int(counted)
            continue
        counts[provider.key] = 0
        if counted.query.is_empty():
            continue
        rows = counted if counted.query.is_sliced else counted.order_by().values("pk")
        try:
            sql, row_params = rows.query.sql_with_params()
        except EmptyResultSet:  # e.g. `pk__in=[]`: nothing can match
            continue
        # The SQL is the ORM's own compilation with its parameters kept apart: nothing from a request is spliced.
        columns.append((provider.key, f"(SELECT COUNT(*) FROM ({sql}) AS waiting_{len(columns)})"))  # noqa: S608
        params.extend(row_params)
    if columns:
        # Plain SQL because the ORM cannot count unrelated querysets in one statement.
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(column for _key, column in columns), params)
            row = cursor.fetchone()
        counts.update({key: int(value) for (key, _column), value in zip(columns, row, strict=True)})
    return counts


def work_count(*, user: Any) -> int:
    """How many things wait on `user` (see `work_counts`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return sum(work_counts(user=user).values())
