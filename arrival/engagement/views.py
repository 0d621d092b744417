"""Engagement pages: comment and report forms (htmx with a plain POST + redirect fallback), the notification
inbox and settings, the moderation queue, decisions and their history.

Thin views: reads from `selectors`, writes through `services` (which check permissions and audit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.actors.models import Actor
from arrival.actors.selectors import actor_get
from arrival.engagement import selectors, services
from arrival.engagement.forms import CommentForm, DecisionForm, NotificationSettingsForm, ReportForm
from arrival.engagement.models import Comment, ModerationAction, Process
from arrival.engagement.targets import target_unsign
from arrival.engagement.templatetags.engagement import report_context, thread_context


def safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` when it points into this site, else `fallback` (never an open redirect)."""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback


def _errors(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error) or _("You are not allowed to do this.")]


def _resolve(token: str) -> tuple[Any, Process | None]:
    """The target and process a signed form token names; 404 when forged or gone."""
    try:
        label, target_id, process_id = target_unsign(token)
        target = selectors.target_get(label=label, pk=target_id)
        process = selectors.process_get(pk=process_id) if process_id else None
    except (signing.BadSignature, LookupError, ObjectDoesNotExist, ValueError):
        raise Http404(_("This record no longer exists.")) from None
    return target, process


# --- Comments and reports --------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CommentForm(request.POST)
    token = request.POST.get("token", "")
    target, process = _resolve(token)
    back = safe_next(request, request.POST.get("next"), "/")
    errors: list[str] = []
    comment = None
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            try:
                parent = selectors.comment_get(pk=form.cleaned_data["parent"])
            except Comment.DoesNotExist:
                raise Http404(_("The comment you answer no longer exists.")) from None
        author_actor = None
        if request.POST.get("author_actor"):
            try:
                author_actor = actor_get(pk=int(request.POST["author_actor"]))
            except (ValueError, Actor.DoesNotExist):  # not a number, or no such actor: as "Myself"
                author_actor = None
        try:
            comment = services.comment_create(
                user=request.user, target=target, process=process, parent=parent, body=form.cleaned_data["body"],
                language=form.cleaned_data["language"], author_actor=author_actor,
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(error)
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
    if request.htmx:
        context = thread_context(request, target, process, next_url=back, errors=errors,
                                 draft=request.POST.get("body", "") if errors else "")
        return render(request, "engagement/_comments.html", context)
    if errors:
        for message in errors:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("Your comment was posted."))
    return redirect(f"{back.split('#')[0]}#comment-{comment.pk}" if comment else back)


@login_required
@require_POST
def comment_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        comment = selectors.comment_get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404(_("This comment no longer exists.")) from None
    back = safe_next(request, request.POST.get("next"), "/")
    try:
        services.comment_remove(user=request.user, comment=comment)
    except (ValidationError, PermissionDenied) as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect(back)
    if request.htmx:
        target = comment.target
        return render(request, "engagement/_comments.html",
                      thread_context(request, target, comment.process, next_url=back))
    messages.success(request, _("Your comment was removed."))
    return redirect(back)


@login_required
@require_POST
def report_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReportForm(request.POST)
    target, process = _resolve(request.POST.get("token", ""))
    back = safe_next(request, request.POST.get("next"), "/")
    errors: list[str] = []
    if form.is_valid():
        try:
            services.report_create(user=request.user, target=target, process=process,
                                   reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(error)
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
    if request.htmx:
        return render(request, "engagement/_report_button.html",
                      report_context(request, target, process, next_url=back, errors=errors))
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect(back)


# --- Notifications ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        notification = None
        if request.POST.get("notification"):
            notification = selectors.notification_get(user=request.user, pk=request.POST["notification"])
            if notification is None:
                raise Http404(_("This notification no longer exists."))
        count = services.notification_mark_read(user=request.user, notification=notification)
        if notification is None:
            messages.success(request, _("All notifications are marked as read."))
        elif count:
            messages.success(request, _("The notification is marked as read."))
        return redirect(safe_next(request, request.POST.get("next"), reverse("engagement:inbox")))
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "engagement/inbox.html", {
        "page": page, "unread_only": unread_only,
        "unread_count": selectors.notification_unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and follow its link."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    if notification is None:
        raise Http404(_("This notification no longer exists."))
    services.notification_mark_read(user=request.user, notification=notification)
    return redirect(safe_next(request, notification.url, reverse("engagement:inbox")))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = selectors.notification_settings_get(user=request.user)
    form = NotificationSettingsForm(request.POST or None, initial={"digest_period": current},
                                    deliveries=selectors.notification_preferences_get(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_settings_set(user=request.user, digest_period=form.cleaned_data["digest_period"],
                                               deliveries=form.deliveries())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("engagement:notification_settings")
    return render(request, "engagement/notification_settings.html", {
        "form": form, "has_email": bool(request.user.email),
    })


# --- My work ---------------------------------------------------------------------------------------------

# How many of each kind the page shows before "Show all": a long queue stays quick to read and to render.
MY_WORK_SHOWN = 50


@login_required
@require_safe
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything across the apps that waits on the signed-in person, oldest first, with deadlines: the oldest
    MY_WORK_SHOWN of each kind, and all of one kind with `?kind=<key>`."""
    groups = selectors.work_list(user=request.user)
    total = sum(len(group.items) for group in groups)
    only = request.GET.get("kind", "")
    if only:
        groups = [group for group in groups if group.key == only]
    return render(request, "engagement/my_work.html", {
        "groups": groups, "total": total, "now": timezone.now(), "only": only,
        "shown": None if only else MY_WORK_SHOWN, "rows": ":" if only else f":{MY_WORK_SHOWN}",
    })


# --- Moderation ------------------------------------------------------------------------------------------


def _require_moderator(user: Any) -> set[int] | None:
    allowed = selectors.moderable_process_ids(user)
    if allowed is not None and not allowed:
        raise PermissionDenied(_("Only moderators see the moderation queue."))
    return allowed


@login_required
@require_safe
def moderation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    allowed = _require_moderator(request.user)
    process = None
    if request.GET.get("process"):
        try:
            process = selectors.process_get(pk=int(request.GET["process"]))
        except (ValueError, Process.DoesNotExist):
            raise Http404(_("This process does not exist.")) from None
        if allowed is not None and process.pk not in allowed:
            raise PermissionDenied(_("You do not moderate this process."))
    items = selectors.moderation_queue(user=request.user, process=process)
    return render(request, "engagement/moderation_queue.html", {
        "items": items, "process": process,
        "processes": selectors.moderation_process_list(process_ids=allowed),
        "actions": ModerationAction.choices,
    })


def _target_from(request: HttpRequest, data: Any) -> Any:
    try:
        return selectors.target_get(label=data.get("target_type", ""), pk=data.get("target_id", ""))
    except (LookupError, ObjectDoesNotExist, ValueError):
        raise Http404(_("This record no longer exists.")) from None


@login_required
@require_POST
def moderation_decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST)
    target = _target_from(request, request.POST)
    queue = reverse("engagement:moderation_queue")
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))  # an ErrorList yields its messages as text
        return redirect(safe_next(request, request.POST.get("next"), queue))
    try:
        services.moderation_decide(user=request.user, target=target, action=form.cleaned_data["action"],
                                   reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, PermissionDenied):
            raise
        for message in _errors(error):
            messages.error(request, message)
        return redirect(safe_next(request, request.POST.get("next"), queue))
    messages.success(request, _("The decision is recorded."))
    history = reverse("engagement:moderation_history") + (
        f"?target_type={target._meta.label_lower}&target_id={target.pk}"
    )
    return redirect(history)


@login_required
@require_safe
def moderation_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = _target_from(request, request.GET)
    process = selectors.target_process(target)
    if not request.user.has_perm("engagement.moderate_process", process):
        raise PermissionDenied(_("Only this record's moderators see its history."))
    return render(request, "engagement/moderation_history.html", {
        "target": target, "process": process, "decisions": selectors.moderation_history(target=target),
        "label": target._meta.label_lower, "kind_name": target._meta.verbose_name, "actions": ModerationAction.choices,
    })
