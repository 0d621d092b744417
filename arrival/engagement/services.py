"""Writes for engagement: processes and phases, comments, reports, moderation, notifications and digests.

Every function is keyword-only, runs in one transaction, checks its permission with `require` (rules in
`arrival/accounts/rules.py`, section engagement) and writes an audit row. Bad input raises ValidationError with
a message that says what to fix, and changes nothing.

Listeners registered with `on_comment_created` and `on_phase_started` run inside the writing transaction, so
what they write (notifications, usually) lands with the comment or the announcement, or not at all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrival.accounts.selectors import actor_ids_for, user_time_zones
from arrival.actors.models import Actor
from arrival.core.languages import language_tag
from arrival.core.permissions import require
from arrival.core.ratelimit import rate_hit, rate_parse
from arrival.core.services import audit_record, audit_redact_target, snapshot
from arrival.core.site import absolute_url
from arrival.core.time_zones import datetime_with_zone, zone_or_utc
from arrival.engagement.handoffs import notification_kind_get
from arrival.engagement.models import (
    Comment,
    Delivery,
    Digest,
    DigestPeriod,
    Moderated,
    ModerationAction,
    ModerationDecision,
    Notification,
    NotificationPreference,
    NotificationSettings,
    Phase,
    Process,
    Report,
    ReportReason,
    Visibility,
)
from arrival.engagement.phases import PhaseSpec, action_allowed, action_label, phase_specs_validate
from arrival.engagement.selectors import (
    MODERATOR_ROLE_KINDS,
    phase_current,
    phase_label,
    phase_list,
    target_key,
    target_process,
    work_count_forget,
)
from arrival.engagement.targets import target_commentable

logger = logging.getLogger("arrival.engagement")

COMMENT_MAX = 5000
REASON_MAX = 300
_PROCESS_FIELDS = ("kind", "owner", "title", "time_zone", "is_demo")
_COMMENT_FIELDS = ("target_type", "target_id", "process", "parent", "author", "author_actor", "body", "language",
                   "visibility")

CommentListener = Callable[[Comment], None]
PhaseListener = Callable[[Process, Phase], None]
_comment_listeners: dict[str, list[CommentListener]] = defaultdict(list)
_phase_listeners: dict[str, list[PhaseListener]] = defaultdict(list)


def _qualified(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', repr(func))}"


def _add_listener(registry: dict[str, list[Any]], key: str, listener: Callable[..., Any]) -> None:
    # Replace a listener registered again under the same name (ready() may run twice in tests).
    registry[key] = [known for known in registry[key] if _qualified(known) != _qualified(listener)] + [listener]


def on_comment_created(target_label: str, listener: CommentListener) -> None:
    """Call `listener(comment)` whenever a comment on a record of `target_label` ("app_label.model") is created."""
    _add_listener(_comment_listeners, target_label.lower(), listener)


def on_phase_started(kind: str, listener: PhaseListener) -> None:
    """Call `listener(process, phase)` once when a phase of a process of `kind` starts (see `phases_announce`)."""
    _add_listener(_phase_listeners, kind, listener)


# --- Processes and phases --------------------------------------------------------------------------------


def _check_time_zone(time_zone: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(zone)s” is not a known time zone.") % {"zone": time_zone}) from None


def _phases_snapshot(phases: Iterable[Phase]) -> list[dict[str, Any]]:
    return [
        {"position": p.position, "phase_type": p.phase_type, "name": p.name, "starts_at": p.starts_at.isoformat(),
         "ends_at": p.ends_at.isoformat(), "actions": list(p.actions)}
        for p in phases
    ]


def _phases_write(process: Process, specs: list[PhaseSpec], previous: list[Phase]) -> list[Phase]:
    # A phase that keeps its type and start keeps its announcement, so changing an end date never re-announces.
    announced = {(p.phase_type, p.starts_at): p.announced_at for p in previous if p.announced_at}
    Phase.objects.filter(process=process).delete()
    phases = Phase.objects.bulk_create(
        Phase(process=process, position=position, phase_type=spec.phase_type, name=spec.name,
              starts_at=spec.starts_at, ends_at=spec.ends_at, actions=spec.actions,
              announced_at=announced.get((spec.phase_type, spec.starts_at)))
        for position, spec in enumerate(specs, start=1)
    )
    if hasattr(process, "_prefetched_objects_cache"):
        process._prefetched_objects_cache.pop("phases", None)
    return phases


@transaction.atomic
def process_create(
    *, user: Any, owner: Actor, kind: str, title: str, phases: list[PhaseSpec], time_zone: str = "UTC",
    is_demo: bool = False,
) -> Process:
    """A process owned by `owner`, of `kind` (the app and model that hold its subject), with its phases."""
    require(user, "engagement.change_process", owner)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A process needs a title."))
    if len(title) > 300:
        raise ValidationError(_("The title is too long (300 characters at most)."))
    if not kind or len(kind) > 60:
        raise ValidationError(_("A process needs a kind, such as “consultations.consultation”."))
    _check_time_zone(time_zone)
    specs = phase_specs_validate(phases, kind=kind)
    process = Process.objects.create(kind=kind, owner=owner, title=title, time_zone=time_zone, is_demo=is_demo)
    created = _phases_write(process, specs, [])
    audit_record(user=user, action="engagement.create_process", target=process,
                 after={**snapshot(process, _PROCESS_FIELDS), "phases": _phases_snapshot(created)})
    return process


@transaction.atomic
def process_phases_set(*, user: Any, process: Process, phases: list[PhaseSpec]) -> list[Phase]:
    """Replace the process's phases (validated as a whole; nothing changes when one is wrong)."""
    require(user, "engagement.change_process", process)
    specs = phase_specs_validate(phases, kind=process.kind)
    previous = list(Phase.objects.filter(process=process).order_by("position"))
    created = _phases_write(process, specs, previous)
    audit_record(user=user, action="engagement.change_process", target=process,
                 before={"phases": _phases_snapshot(previous)}, after={"phases": _phases_snapshot(created)})
    return created


@transaction.atomic
def process_update(*, user: Any, process: Process, title: str | None = None, time_zone: str | None = None) -> Process:
    """Change a process's title or the time zone its owner works in (None keeps it); audited when anything changed.
    The app that owns the subject calls it when its own record's title changes, so phase messages and the
    moderation queue name it the same."""
    require(user, "engagement.change_process", process)
    changes: dict[str, str] = {}
    if title is not None:
        cleaned = title.strip()[:300]
        if not cleaned:
            raise ValidationError(_("A process needs a title."))
        if cleaned != process.title:
            changes["title"] = cleaned
    if time_zone is not None and time_zone != process.time_zone:
        _check_time_zone(time_zone)
        changes["time_zone"] = time_zone
    if not changes:
        return process
    before = snapshot(process, _PROCESS_FIELDS)
    for name, value in changes.items():
        setattr(process, name, value)
    process.save(update_fields=[*changes, "updated_at"])
    audit_record(user=user, action="engagement.change_process", target=process, before=before,
                 after=snapshot(process, _PROCESS_FIELDS))
    return process


def phase_require(*, process: Process, action: str, at: datetime | None = None) -> Phase:
    """The phase running at `at` if it allows `action`; otherwise a ValidationError naming the phase."""
    at = at or timezone.now()
    phase = phase_current(process=process, at=at)
    if phase is not None and action_allowed(phase.actions, action):
        return phase
    values = {"action": action_label(action), "process": process.title}
    if phase is None:
        upcoming = [p for p in phase_list(process=process) if p.starts_at > at]
        if upcoming:
            values["phase"] = phase_label(upcoming[0])
            message = _("%(action)s is not open now: “%(process)s” has no phase running; the next phase, "
                        "“%(phase)s”, has not started yet.")
        else:
            message = _("%(action)s is not open: “%(process)s” has no phase running now.")
    else:
        values["phase"] = phase_label(phase)
        message = _("%(action)s is not open in the current phase “%(phase)s” of “%(process)s”.")
    raise ValidationError(message % values, code="phase_closed")


# --- Comments --------------------------------------------------------------------------------------------


def post_rate_check(*, poster: Any) -> None:
    """Refuse a post beyond ARRIVAL_POST_RATE (counted by core.ratelimit, once for every process). `poster` is a
    user or any stable key (participation counts a guest by browser session); comments, proposals and supports
    share one count per person."""
    limit, window = rate_parse(settings.ARRIVAL_POST_RATE)
    if not rate_hit(f"engagement:post:{getattr(poster, 'pk', poster)}", limit=limit, window=window).allowed:
        raise ValidationError(_("You are posting too quickly. Please wait a moment and try again."),
                              code="rate_limited")


def _target_label(target: models.Model) -> str:
    return target._meta.label_lower


@transaction.atomic
def comment_create(
    *, user: Any, target: models.Model, body: str, process: Process | None = None, parent: Comment | None = None,
    author_actor: Actor | None = None, language: str = "",
) -> Comment:
    """A comment by `user` on `target` (a reply when `parent` is given)."""
    require(user, "engagement.add_comment", None)
    if target is None or target.pk is None:
        raise ValidationError(_("There is nothing to comment on."))
    label = _target_label(target)
    if process is not None:
        phase_require(process=process, action=f"comment:{label}")
    if not target_commentable(user, target):
        raise PermissionDenied(_("Only the participants this process admits may comment here."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write something before posting."))
    if len(body) > COMMENT_MAX:
        raise ValidationError(_("A comment has %(max)s characters at most; this one has %(count)s.")
                              % {"max": COMMENT_MAX, "count": len(body)})
    language = (language or "").strip()
    if language and language not in LANG_INFO:
        raise ValidationError(_("“%(code)s” is not a language code.") % {"code": language})
    content_type, target_id = target_key(target)
    if parent is not None:
        if parent.target_type_id != content_type.pk or parent.target_id != target_id:
            raise ValidationError(_("A reply must be on the same record as the comment it answers."))
        if parent.visibility != Visibility.VISIBLE:
            raise ValidationError(_("This comment can no longer be answered."))
    if author_actor is not None and author_actor.pk not in actor_ids_for(user):
        raise PermissionDenied(_("You can speak only for an organisation or government you hold a role in."))
    post_rate_check(poster=user)
    comment = Comment.objects.create(
        target_type=content_type, target_id=target_id, process=process, parent=parent, author=user,
        author_actor=author_actor, body=body, language=language, is_demo=getattr(target, "is_demo", False),
    )
    audit_record(user=user, action="engagement.create_comment", target=comment,
                 after=snapshot(comment, _COMMENT_FIELDS))
    if parent is not None and parent.author_id and parent.author_id != user.pk:
        name = user.public_name
        notification_send(
            recipients=[parent.author], kind="engagement.reply",
            text=lambda: _("%(name)s answered your comment.") % {"name": name},
            url=_target_url(target),
        )
    for listener in _comment_listeners.get(label, []):
        listener(comment)
    return comment


@transaction.atomic
def comment_remove(*, user: Any, comment: Comment) -> Comment:
    """The author takes their comment back: it keeps its place as "removed", its words are gone everywhere."""
    require(user, "engagement.remove_comment", comment)
    if comment.visibility == Visibility.REMOVED:
        raise ValidationError(_("This comment was already removed."))
    before = comment.visibility
    comment.visibility = Visibility.REMOVED
    comment.body = ""
    comment.save(update_fields=["visibility", "body", "updated_at"])
    audit_redact_target(target_type="engagement.comment", target_ids=[str(comment.pk)])
    audit_record(user=user, action="engagement.remove_comment", target=comment,
                 before={"visibility": before}, after={"visibility": comment.visibility})
    return comment


# --- Reports and moderation ------------------------------------------------------------------------------


def _target_url(target: Any) -> str:
    getter = getattr(target, "get_absolute_url", None)
    if getter is None and isinstance(target, Comment):
        parent = target.target
        getter = getattr(parent, "get_absolute_url", None)
    try:
        return getter() if getter else ""
    except Exception:  # noqa: BLE001 - a link is a courtesy; a record without a page still gets notified
        return ""


def _moderators(process: Process | None) -> list[Any]:
    user_model = get_user_model()
    if process is None:
        return list(user_model.objects.filter(is_staff=True, is_active=True))
    return list(
        user_model.objects.filter(
            is_active=True, roles__actor_id=process.owner_id, roles__kind__in=MODERATOR_ROLE_KINDS,
            roles__ended_at__isnull=True,
        ).distinct()
    )


@transaction.atomic
def report_create(
    *, user: Any, target: models.Model, reason: str, note: str = "", process: Process | None = None,
) -> Report:
    """`user` reports `target` as breaking the rules — once per reporter and record."""
    require(user, "engagement.add_report", None)
    if not isinstance(target, Moderated):
        raise ValidationError(_("This kind of record cannot be reported."))
    if reason not in ReportReason.values:
        raise ValidationError(_("Choose a reason for the report."))
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(_("The note is too long (500 characters at most)."))
    process = _decision_process(target, process)
    content_type, target_id = target_key(target)
    if Report.objects.filter(target_type=content_type, target_id=target_id, reporter_id=user.pk).exists():
        raise ValidationError(_("You have already reported this."), code="already_reported")
    first = not Report.objects.filter(target_type=content_type, target_id=target_id, decision__isnull=True).exists()
    try:
        with transaction.atomic():
            report = Report.objects.create(target_type=content_type, target_id=target_id, process=process,
                                           reporter=user, reason=reason, note=note)
    except IntegrityError:
        raise ValidationError(_("You have already reported this."), code="already_reported") from None
    audit_record(user=user, action="engagement.create_report", target=report,
                 after=snapshot(report, ("target_type", "target_id", "process", "reason", "note")))
    if first:
        query = f"?process={process.pk}" if process else ""
        title = process.title if process else ""
        notification_send(
            recipients=[m for m in _moderators(process) if m.pk != user.pk], kind="engagement.reported",
            text=(lambda: _("A record was reported in “%(process)s” and waits for moderation.") % {"process": title})
            if process else (lambda: _("A record was reported and waits for moderation.")),
            url=reverse("engagement:moderation_queue") + query,
        )
    return report


def _decision_process(target: models.Model, process: Process | None) -> Process | None:
    """The process a decision on `target` belongs to; a caller's process must agree with the record's own."""
    known = target_process(target)
    if process is not None and known is not None and process.pk != known.pk:
        raise ValidationError(_("This record does not belong to that process."))
    return process or known


_DECISION_TEXT: dict[str, Callable[[str], str]] = {
    ModerationAction.HIDE: lambda reason: _("A moderator hid what you wrote. Reason: %(reason)s") % {"reason": reason},
    ModerationAction.RESTORE: lambda reason: _("A moderator restored what you wrote. Reason: %(reason)s")
    % {"reason": reason},
}


@transaction.atomic
def moderation_decide(
    *, user: Any, target: models.Model, action: str, reason: str, process: Process | None = None,
) -> ModerationDecision:
    """A moderator hides, restores, or dismisses the reports on `target`; its open reports are closed."""
    if not isinstance(target, Moderated):
        raise ValidationError(_("This kind of record cannot be moderated."))
    process = _decision_process(target, process)
    require(user, "engagement.moderate_process", process)
    if action not in ModerationAction.values:
        raise ValidationError(_("Choose hide, restore or dismiss."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for the decision; it is kept on record and shown to the author."))
    if len(reason) > REASON_MAX:
        raise ValidationError(_("The reason is too long (%(max)s characters at most).") % {"max": REASON_MAX})
    before = {"visibility": target.visibility, "hidden_reason": target.hidden_reason}
    if target.visibility == Visibility.REMOVED and action != ModerationAction.DISMISS:
        raise ValidationError(_("Its author removed this record; there is nothing to hide or restore."))
    if action == ModerationAction.HIDE:
        if target.visibility == Visibility.HIDDEN:
            raise ValidationError(_("This record is already hidden."))
        target.visibility, target.hidden_reason = Visibility.HIDDEN, reason
    elif action == ModerationAction.RESTORE:
        if target.visibility == Visibility.VISIBLE:
            raise ValidationError(_("This record is already visible."))
        target.visibility, target.hidden_reason = Visibility.VISIBLE, ""
    if action != ModerationAction.DISMISS:
        fields = ["visibility", "hidden_reason"]
        if any(f.name == "updated_at" for f in target._meta.fields):
            fields.append("updated_at")
        target.save(update_fields=fields)
    content_type, target_id = target_key(target)
    decision = ModerationDecision.objects.create(target_type=content_type, target_id=target_id, process=process,
                                                 moderator=user, action=action, reason=reason)
    closed = Report.objects.filter(target_type=content_type, target_id=target_id, decision__isnull=True).update(
        decision=decision
    )
    audit_record(user=user, action=f"engagement.{action}_{target._meta.model_name}", target=target, before=before,
                 after={"visibility": target.visibility, "hidden_reason": target.hidden_reason, "reason": reason,
                        "reports_closed": closed})
    author_id = getattr(target, "author_id", None)
    if author_id and action in _DECISION_TEXT:
        text = _DECISION_TEXT[ModerationAction(action)]
        notification_send(recipients=get_user_model().objects.filter(pk=author_id), kind="engagement.moderated",
                          text=lambda: text(reason), url=_target_url(target))
    return decision


# --- Notifications ---------------------------------------------------------------------------------------


def _render_text(text: Any) -> str:
    return str(text() if callable(text) else text)


@transaction.atomic
def notification_send(
    *, recipients: Iterable[Any], kind: str, text: Any, url: str = "", target: models.Model | None = None
) -> int:
    """Store one notification per active recipient who has not turned `kind` off, its text rendered in that
    person's language and time zone; returns how many were stored.

    `kind` must be registered (`arrival.engagement.handoffs.notification_kind_register`). `text` is a string, a
    lazy translation, or a callable returning a string (called once per language and zone, so it can use
    `gettext` and `arrival.core.time_zones.datetime_with_zone`). It names the record and never copies what a
    resident wrote. `url` is the record's address on this site (relative; digests make it absolute with
    `ARRIVAL_SITE_URL`); `target` is the record, so that deleting it can delete its notifications
    (`notifications_delete_for`). Nothing is e-mailed now: digests gather notifications (`digests_send`).
    """
    notification_kind_get(kind)
    people = {}
    for recipient in recipients:
        if recipient is not None and recipient.is_active and recipient.pk not in people:
            people[recipient.pk] = recipient
    if not people:
        return 0
    delivery = dict(NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)
                    .values_list("user_id", "delivery"))
    zones = user_time_zones(users=people.values())
    target_type, target_id = target_key(target) if target is not None else (None, "")
    rows = []
    rendered: dict[tuple[str, str], str] = {}
    for recipient in people.values():
        choice = delivery.get(recipient.pk, Delivery.DIGEST)
        if choice == Delivery.OFF:
            continue
        key = (recipient.preferred_language or settings.LANGUAGE_CODE, zones.get(recipient.pk, "UTC"))
        if key not in rendered:
            with translation.override(key[0]), timezone.override(zone_or_utc(key[1])):
                rendered[key] = _render_text(text)[:500]
        rows.append(Notification(recipient=recipient, kind=kind, text=rendered[key], url=url[:500],
                                 target_type=target_type, target_id=target_id,
                                 by_email=choice == Delivery.DIGEST))
    Notification.objects.bulk_create(rows)
    # What was handed to these people may wait on them now: their header counts afresh — at once, and again after
    # the commit, so that a page counted in between does not keep the old number.
    work_count_forget(user_ids=list(people))
    transaction.on_commit(lambda: work_count_forget(user_ids=list(people)))
    return len(rows)


def notifications_delete_for(*, target_label: str, target_ids: Iterable[Any]) -> int:
    """Delete the notifications about these records ("app_label.model" and keys): retention and erasure of the
    records take the notifications that pointed to them along."""
    app_label, _sep, model = target_label.partition(".")
    content_type = ContentType.objects.get_by_natural_key(app_label, model)
    deleted, _by_model = Notification.objects.filter(
        target_type=content_type, target_id__in=[str(pk) for pk in target_ids]
    ).delete()
    return deleted


@transaction.atomic
def notification_mark_read(*, user: Any, notification: Notification | None = None) -> int:
    """Mark one of the user's notifications read, or all of them when `notification` is None."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to see your notifications."))
    if notification is not None and notification.recipient_id != user.pk:
        raise PermissionDenied(_("This notification is not yours."))
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    count = unread.update(read_at=timezone.now())
    if count:
        audit_record(user=user, action="engagement.read_notification", target=notification or user,
                     after={"marked_read": count})
    return count


@transaction.atomic
def notification_settings_set(
    *, user: Any, digest_period: str, deliveries: dict[str, str] | None = None
) -> NotificationSettings:
    """How often the user wants an e-mail digest (daily, weekly or never) and, kind by kind, whether a notification
    goes to the app and the digest, to the app only, or nowhere (`deliveries`; kinds left out keep their choice)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to change your notification settings."))
    if digest_period not in DigestPeriod.values:
        raise ValidationError(_("Choose daily, weekly or never."))
    deliveries = deliveries or {}
    for kind, choice in deliveries.items():
        try:
            notification_kind_get(kind)
        except KeyError:
            raise ValidationError(_("“%(kind)s” is not a kind of notification.") % {"kind": kind}) from None
        if choice not in Delivery.values:
            raise ValidationError(_("Choose “in the app and my digest”, “in the app only” or “off”."))
    current, _created = NotificationSettings.objects.get_or_create(user=user)
    before = {"digest_period": current.digest_period,
              "deliveries": dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))}
    current.digest_period = digest_period
    current.save(update_fields=["digest_period"])
    for kind, choice in deliveries.items():
        if choice == Delivery.DIGEST:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": choice})
    after = {"digest_period": digest_period,
             "deliveries": dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))}
    audit_record(user=user, action="engagement.change_notificationsettings", target=current, before=before,
                 after=after)
    return current


# --- Digests ---------------------------------------------------------------------------------------------


def digest_period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The last complete period before `now`: (start, end) in UTC. Daily = the UTC day, weekly = the ISO week."""
    now = now.astimezone(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == DigestPeriod.WEEKLY:
        this_week = today - timedelta(days=today.isoweekday() - 1)
        return this_week - timedelta(days=7), this_week
    return today - timedelta(days=1), today


def _digest_mail(user: Any, period: str, start: datetime, notifications: list[Notification]) -> EmailMultiAlternatives:
    zone = user_time_zones(users=[user]).get(user.pk, "UTC")
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE), timezone.override(zone_or_utc(zone)):
        context = {
            "user": user, "period": period, "period_start": start, "weekly": period == DigestPeriod.WEEKLY,
            "items": [{"text": n.plain_text, "html": n.html, "url": absolute_url(n.url), "created_at": n.created_at,
                       "when": datetime_with_zone(n.created_at)} for n in notifications],
            "inbox_url": absolute_url(reverse("engagement:inbox")),
            "settings_url": absolute_url(reverse("engagement:notification_settings")),
            "LANGUAGE_CODE": language_tag(translation.get_language()),
            "LANGUAGE_BIDI": translation.get_language_bidi(),
        }
        subject = render_to_string("engagement/email/digest_subject.txt", context).strip().replace("\n", " ")
        text = render_to_string("engagement/email/digest.txt", context)
        html = render_to_string("engagement/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def digests_send(*, now: datetime | None = None) -> int:
    """E-mail each person their unread notifications not yet in a digest, once per period; returns how many.

    The period is the last complete one before `now` (yesterday, or last ISO week, in UTC), so a digest goes out
    in the first run after the period ends. A notification already read in the app is not repeated by e-mail.
    The unique Digest row is written before the mail is sent, in one transaction per person: a second run, or a
    second worker at the same time, finds it and sends nothing; a failed send rolls the row back for the next run.
    """
    now = now or timezone.now()
    user_model = get_user_model()
    sent = 0
    for period in (DigestPeriod.DAILY, DigestPeriod.WEEKLY):
        start, end = digest_period_bounds(period, now)
        pending = Notification.objects.filter(digest__isnull=True, read_at__isnull=True, by_email=True,
                                              created_at__lt=end)
        chosen = NotificationSettings.objects.filter(digest_period=period).values("user_id")
        others = NotificationSettings.objects.exclude(digest_period=period).values("user_id")
        people = user_model.objects.filter(
            pk__in=pending.values("recipient_id"), is_active=True, email__isnull=False,
        ).exclude(email="").exclude(
            pk__in=Digest.objects.filter(period=period, period_start=start).values("recipient_id")
        )
        people = people.filter(pk__in=chosen) if period != DigestPeriod.DAILY else people.exclude(pk__in=others)
        for user in people.order_by("pk").iterator(chunk_size=500):
            sent += _digest_send_one(user, period, start, end)
    return sent


def _digest_send_one(user: Any, period: str, start: datetime, end: datetime) -> int:
    try:
        with transaction.atomic():
            digest = Digest.objects.create(recipient=user, period=period, period_start=start)
            notifications = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, digest__isnull=True, read_at__isnull=True, by_email=True,
                        created_at__lt=end)
                .order_by("created_at", "id")
            )
            if not notifications:
                transaction.set_rollback(True)
                return 0
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(digest=digest)
            _digest_mail(user, period, start, notifications).send()
    except IntegrityError:
        return 0  # another worker sent this person's digest for the period
    return 1


# --- Phase announcements ---------------------------------------------------------------------------------


def phases_announce(*, now: datetime | None = None) -> int:
    """Tell listeners once about each phase that has started; returns how many phases were announced.

    Each phase is claimed with a compare-and-swap on `announced_at`, so two workers never announce one twice.
    A phase that already ended before anyone announced it is marked without calling listeners (news too late
    to act on). A listener that fails rolls its phase back, which is tried again at the next run.
    """
    now = now or timezone.now()
    announced = 0
    due = Phase.objects.filter(announced_at__isnull=True, starts_at__lte=now).select_related("process")
    for phase in due.order_by("starts_at", "pk"):
        try:
            with transaction.atomic():
                if not Phase.objects.filter(pk=phase.pk, announced_at__isnull=True).update(announced_at=now):
                    continue
                phase.announced_at = now
                if phase.ends_at <= now:
                    continue
                for listener in _phase_listeners.get(phase.process.kind, []):
                    listener(phase.process, phase)
                announced += 1
        except Exception:
            logger.exception("Announcing phase %s of process %s failed", phase.pk, phase.process_id)
    return announced


# --- Personal data ---------------------------------------------------------------------------------------


def personal_data_for(*, user: Any) -> dict[str, Any]:
    """What engagement keeps written by or about `user`: comments, reports, notifications, settings."""
    comments = Comment.objects.filter(author=user).select_related("target_type").order_by("created_at", "id")
    reports = Report.objects.filter(reporter=user).select_related("target_type").order_by("created_at", "id")
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "id")
    return {
        "comments": [
            {"id": c.pk, "on": f"{c.target_type.app_label}.{c.target_type.model}", "on_id": c.target_id,
             "reply_to": c.parent_id, "body": c.body, "language": c.language, "visibility": c.visibility,
             "created_at": c.created_at.isoformat()}
            for c in comments
        ],
        "reports": [
            {"id": r.pk, "on": f"{r.target_type.app_label}.{r.target_type.model}", "on_id": r.target_id,
             "reason": r.reason, "note": r.note, "created_at": r.created_at.isoformat()}
            for r in reports
        ],
        "notifications": [
            {"kind": n.kind, "text": n.plain_text, "url": n.url, "created_at": n.created_at.isoformat(),
             "read_at": n.read_at.isoformat() if n.read_at else None}
            for n in notifications
        ],
        "notification_settings": {
            "digest_period": NotificationSettings.objects.filter(user=user)
            .values_list("digest_period", flat=True).first() or DigestPeriod.DAILY,
            "deliveries": dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")),
        },
    }


def personal_data_erase(*, user: Any, keep_content_anonymised: bool) -> None:
    """Erase engagement's records of `user` (runs in the caller's transaction).

    Comments: kept without their author when `keep_content_anonymised`, else marked removed with the words
    blanked and their audit rows redacted. Reports lose their reporter (the moderation record stays); notes,
    notifications, digests and settings go.
    """
    comments = Comment.objects.filter(author=user)
    ids = [str(pk) for pk in comments.values_list("pk", flat=True)]
    if keep_content_anonymised:
        comments.update(author=None, author_actor=None)
    else:
        comments.update(visibility=Visibility.REMOVED, body="", author=None, author_actor=None,
                        updated_at=timezone.now())
        audit_redact_target(target_type="engagement.comment", target_ids=ids)
    report_ids = [str(pk) for pk in Report.objects.filter(reporter=user).values_list("pk", flat=True)]
    Report.objects.filter(reporter=user).update(reporter=None, note="")
    audit_redact_target(target_type="engagement.report", target_ids=report_ids)
    Notification.objects.filter(recipient=user).delete()
    Digest.objects.filter(recipient=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()


def targets_anonymise(*, target_label: str, target_ids: Iterable[Any]) -> list[str]:
    """Detach people from the comments on these records and from the reports on them and on those comments
    (runs in the caller's transaction; used when a capability app's retention period ends).

    Comments keep their words, their place and the organisation an author spoke for; they lose their author.
    Reports lose their reporter and note (the moderation decision stays). The audit rows of the comments and
    reports are redacted. Returns the ids of the comments on the records.
    """
    app_label, model = target_label.split(".")
    content_type = ContentType.objects.get_by_natural_key(app_label, model)
    ids = [str(pk) for pk in target_ids]
    comments = Comment.objects.filter(target_type=content_type, target_id__in=ids)
    comment_ids = [str(pk) for pk in comments.values_list("pk", flat=True)]
    comments.update(author=None)
    comment_type = ContentType.objects.get_for_model(Comment)
    reports = Report.objects.filter(models.Q(target_type=content_type, target_id__in=ids)
                                    | models.Q(target_type=comment_type, target_id__in=comment_ids))
    report_ids = [str(pk) for pk in reports.values_list("pk", flat=True)]
    Report.objects.filter(pk__in=report_ids).update(reporter=None, note="")
    audit_redact_target(target_type="engagement.comment", target_ids=comment_ids, forget_user=True)
    audit_redact_target(target_type="engagement.report", target_ids=report_ids, forget_user=True)
    return comment_ids


def personal_data_export(user: Any) -> dict[str, Any]:
    return personal_data_for(user=user)


def personal_data_erase_provider(user: Any, *, keep_content_anonymised: bool) -> None:
    personal_data_erase(user=user, keep_content_anonymised=keep_content_anonymised)
