"""API of engagement, mounted at /api/v1/engagement/.

- My notifications: list, mark read, digest and per-kind settings; "My work", everything that waits on me
  (token or signed-in session).
- Comments on a record named by `target_type` ("app_label.model") and `target_id`: list (as the reader may see
  the record), create, remove one's own. Only kinds an app registered with
  `arrival.engagement.targets.comment_target_register` are served; the process that gates comments comes from
  that registration, never from the request.
- Reports (once per person and record) and, for moderators, the queue and decisions with their history.
Permissions are the services' own, the same as the pages'.
"""


from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors.models import Actor
from arrival.core.api import (
    PROBLEM_RESPONSES,
    PageNumberWithTotal,
    RecordId,
    api_reader,
    request_auth,
    write_auth,
)
from arrival.engagement import selectors, services
from arrival.engagement.models import Comment, ModerationDecision, Notification, Process
from arrival.engagement.schemas import (
    CommentIn,
    CommentOut,
    DecisionIn,
    DecisionOut,
    MarkedOut,
    MarkReadIn,
    NotificationOut,
    NotificationSettingsIO,
    QueueItemOut,
    ReportIn,
    ReportOut,
    WorkItemOut,
)
from arrival.engagement.targets import comment_target_get, target_process_for, target_viewable

router = Router(tags=["engagement"])

_ERRORS = PROBLEM_RESPONSES




def _target(user: Any, target_type: str, target_id: str) -> Any:
    """A registered record the user may read, else 404 (never saying whether it exists)."""
    if comment_target_get(target_type) is None:
        raise Http404("This kind of record takes no comments or reports through the API.")
    try:
        target = selectors.target_get(label=target_type, pk=target_id)
    except (LookupError, ObjectDoesNotExist, ValueError):
        raise Http404("No such record.") from None
    if not target_viewable(user, target):
        raise Http404("No such record.")
    return target


# --- Notifications ---------------------------------------------------------------------------------------


class NotificationFilter(Schema):
    unread: bool = False


@router.get("/notifications", response={200: list[NotificationOut], **_ERRORS}, auth=write_auth,
            url_name="notification_list")
@paginate(PageNumberWithTotal)
def notification_list(request: HttpRequest, filters: Query[NotificationFilter]) -> Any:
    """The caller's notifications, newest first."""
    return selectors.notification_list(user=request_auth(request), unread_only=filters.unread)


@router.post("/notifications/read", response={200: MarkedOut, **_ERRORS}, auth=write_auth,
             url_name="notification_mark_read")
def notification_mark_read(request: HttpRequest, payload: MarkReadIn) -> Any:
    """Mark one notification read, or all of them when `id` is empty."""
    notification = None
    if payload.id is not None:
        notification = Notification.objects.filter(pk=payload.id, recipient_id=request_auth(request).pk).first()
        if notification is None:
            raise Http404("No such notification.")
    return {"marked": services.notification_mark_read(user=request_auth(request), notification=notification)}


@router.get("/notification-settings", response={200: NotificationSettingsIO, **_ERRORS}, auth=write_auth,
            url_name="notification_settings_get")
def notification_settings_get(request: HttpRequest) -> Any:
    return {"digest_period": selectors.notification_settings_get(user=request_auth(request)),
            "deliveries": selectors.notification_preferences_get(user=request_auth(request))}


@router.put("/notification-settings", response={200: NotificationSettingsIO, **_ERRORS}, auth=write_auth,
            url_name="notification_settings_set")
def notification_settings_set(request: HttpRequest, payload: NotificationSettingsIO) -> Any:
    settings = services.notification_settings_set(user=request_auth(request), digest_period=payload.digest_period,
                                                  deliveries=payload.deliveries)
    return {"digest_period": settings.digest_period,
            "deliveries": selectors.notification_preferences_get(user=request_auth(request))}


@router.get("/work", response={200: list[WorkItemOut], **_ERRORS}, auth=write_auth, url_name="my_work")
@paginate(PageNumberWithTotal)
def my_work(request: HttpRequest) -> Any:
    """Everything across the apps that waits on the caller, oldest first ("My work")."""
    return selectors.work_items(user=request_auth(request))


# --- Comments and reports --------------------------------------------------------------------------------


class TargetQuery(Schema):
    target_type: str
    target_id: str


def _comment_out(node: Any) -> dict[str, Any]:
    comment = node.comment
    visible = node.is_visible
    return {
        "id": comment.pk, "parent": comment.parent_id, "depth": node.depth, "visibility": comment.visibility,
        "body": node.body if visible else None, "notice": node.notice, "language": comment.language,
        "author": comment.author.public_name if visible and comment.author else None,
        "author_actor": comment.author_actor_id if visible else None, "created_at": comment.created_at,
        "is_demo": comment.is_demo,
    }


def _flatten(nodes: list[Any]) -> list[Any]:
    flat = []
    for node in nodes:
        flat.append(node)
        flat.extend(_flatten(node.replies))
    return flat


@router.get("/comments", response={200: list[CommentOut], **_ERRORS}, url_name="comment_list")
@paginate(PageNumberWithTotal)
def comment_list(request: HttpRequest, query: Query[TargetQuery]) -> Any:
    """The thread on a record, depth first (each reply right after what it answers)."""
    reader = api_reader(request)
    target = _target(reader, query.target_type, query.target_id)
    return [_comment_out(node) for node in _flatten(selectors.comment_list(target=target, viewer=reader))]


@router.post("/comments", response={201: CommentOut, **_ERRORS}, auth=write_auth, url_name="comment_create")
def comment_create(request: HttpRequest, payload: CommentIn) -> Any:
    """Comment on a record, or answer a comment with `parent`; the record's current phase must allow it."""
    user = request_auth(request)
    if payload.target_type.lower() == "engagement.comment":
        raise ValidationError("Answer a comment with `parent`, on the record it is about.")
    target = _target(user, payload.target_type, payload.target_id)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(pk=payload.parent).first()
        if parent is None:
            raise Http404("No such comment to answer.")
    actor = None
    if payload.author_actor is not None:
        actor = Actor.objects.filter(pk=payload.author_actor).first()
        if actor is None:
            raise Http404("No such actor.")
    comment = services.comment_create(
        user=user, target=target, body=payload.body, process=target_process_for(target), parent=parent,
        author_actor=actor, language=payload.language,
    )
    node = next(n for n in _flatten(selectors.comment_list(target=target, viewer=user)) if n.comment.pk == comment.pk)
    return Status(201, _comment_out(node))


@router.delete("/comments/{pk}", response={204: None, **_ERRORS}, auth=write_auth, url_name="comment_remove")
def comment_remove(request: HttpRequest, pk: RecordId) -> Any:
    """Remove one's own comment: it keeps its place as removed, its words are gone."""
    comment = Comment.objects.filter(pk=pk).first()
    if comment is None:
        raise Http404("No such comment.")
    services.comment_remove(user=request_auth(request), comment=comment)
    return Status(204, None)


@router.post("/reports", response={201: ReportOut, **_ERRORS}, auth=write_auth, url_name="report_create")
def report_create(request: HttpRequest, payload: ReportIn) -> Any:
    """Report a record to its moderators (once per person and record)."""
    user = request_auth(request)
    target = _target(user, payload.target_type, payload.target_id)
    report = services.report_create(user=user, target=target, reason=payload.reason, note=payload.note,
                                    process=target_process_for(target))
    return Status(201, {"id": report.pk, "target_type": target._meta.label_lower, "target_id": report.target_id,
                        "reason": report.reason, "created_at": report.created_at})


# --- Moderation ------------------------------------------------------------------------------------------


class QueueFilter(Schema):
    process: RecordId | None = None


def _queue_out(item: Any) -> dict[str, Any]:
    target = item.target
    return {
        "target_type": item.target_label, "target_id": item.target_id,
        "target_repr": "" if target is None else str(target)[:200],
        "visibility": getattr(target, "visibility", None), "process": item.process.pk if item.process else None,
        "count": item.count, "first_reported": item.first_reported,
        "reports": [{"reason": r.reason, "note": r.note, "created_at": r.created_at} for r in item.reports],
    }


def _decision_out(decision: ModerationDecision, label: str) -> dict[str, Any]:
    return {
        "id": decision.pk, "target_type": label, "target_id": decision.target_id, "process": decision.process_id,
        "action": decision.action, "reason": decision.reason,
        "moderator": decision.moderator.public_name if decision.moderator else None,
        "created_at": decision.created_at,
    }


@router.get("/moderation/queue", response={200: list[QueueItemOut], **_ERRORS}, auth=write_auth,
            url_name="moderation_queue")
@paginate(PageNumberWithTotal)
def moderation_queue(request: HttpRequest, filters: Query[QueueFilter]) -> Any:
    """Reported records waiting for a decision, in the processes the caller moderates."""
    allowed = selectors.moderable_process_ids(request_auth(request))
    if allowed is not None and not allowed:
        raise PermissionDenied("Only moderators see the moderation queue.")
    process = None
    if filters.process is not None:
        process = Process.objects.filter(pk=filters.process).first()
        if process is None or (allowed is not None and process.pk not in allowed):
            raise Http404("No such process among those you moderate.")
    return [_queue_out(item) for item in selectors.moderation_queue(user=request_auth(request), process=process)]


def _moderated_target(label: str, pk: str) -> Any:
    try:
        return selectors.target_get(label=label, pk=pk)
    except (LookupError, ObjectDoesNotExist, ValueError):
        raise Http404("No such record.") from None


@router.post("/moderation/decisions", response={201: DecisionOut, **_ERRORS}, auth=write_auth,
             url_name="moderation_decide")
def moderation_decide(request: HttpRequest, payload: DecisionIn) -> Any:
    """Hide, restore, or dismiss the reports on a record; the author is told, the reason kept on record."""
    target = _moderated_target(payload.target_type, payload.target_id)
    decision = services.moderation_decide(user=request_auth(request), target=target, action=payload.action,
                                          reason=payload.reason)
    return Status(201, _decision_out(decision, target._meta.label_lower))


@router.get("/moderation/decisions", response={200: list[DecisionOut], **_ERRORS}, auth=write_auth,
            url_name="moderation_history")
def moderation_history(request: HttpRequest, query: Query[TargetQuery]) -> Any:
    """Every decision taken on a record, newest first (its moderators only)."""
    target = _moderated_target(query.target_type, query.target_id)
    if not request_auth(request).has_perm("engagement.moderate_process", selectors.target_process(target)):
        raise PermissionDenied("Only this record's moderators see its history.")
    label = target._meta.label_lower
    return [_decision_out(d, label) for d in selectors.moderation_history(target=target)]
