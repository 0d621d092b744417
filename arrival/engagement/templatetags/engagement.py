"""Template tags other apps use to show engagement on their pages.

    {% load engagement %}
    {% phase_timeline process %}
    {% comments_for target process=process %}
    {% report_button target process=process %}
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from arrival.accounts.selectors import actor_ids_for
from arrival.actors.models import Actor
from arrival.core.translations import sentence_with_text_isolated
from arrival.engagement.models import Comment, Process, Report, ReportReason
from arrival.engagement.selectors import comment_list, report_exists
from arrival.engagement.selectors import phase_timeline as _phase_timeline
from arrival.engagement.services import phase_require
from arrival.engagement.targets import target_sign

register = template.Library()


def _request(context: template.Context) -> HttpRequest:
    request = context.get("request")
    if request is None:
        raise template.TemplateSyntaxError("The engagement tags need the request context processor.")
    return request


@register.inclusion_tag("engagement/_phase_timeline.html", takes_context=True)
def phase_timeline(context: template.Context, process: Process) -> dict[str, Any]:
    """The phases as an ordered list, the current one marked; dates in the viewer's zone and the owner's."""
    try:
        owner_zone = zoneinfo.ZoneInfo(process.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        owner_zone = zoneinfo.ZoneInfo("UTC")
    viewer_zone = timezone.get_current_timezone()
    views = _phase_timeline(process=process)
    return {
        "process": process, "phases": views, "owner_zone": owner_zone, "viewer_zone": viewer_zone,
        "show_owner_zone": str(owner_zone) != str(viewer_zone),
        "rows": [
            {"view": view, "owner_starts": view.starts_at.astimezone(owner_zone),
             "owner_ends": view.ends_at.astimezone(owner_zone)}
            for view in views
        ],
    }


def thread_context(request: HttpRequest, target: Any, process: Process | None, *, next_url: str = "",
                   errors: list[str] | None = None, draft: str = "") -> dict[str, Any]:
    """What `_comments.html` needs: the thread, whether the viewer may post, the signed form tokens."""
    user = request.user
    label = target._meta.label_lower
    # A page may show many threads (one per paragraph): what does not depend on the target is read once per request.
    memo = request.__dict__.setdefault("_engagement_memo", {})
    closed = ""
    if process is not None:
        key = ("closed", process.pk, label)
        if key not in memo:
            try:
                phase_require(process=process, action=f"comment:{label}")
                memo[key] = ""
            except ValidationError as error:
                memo[key] = sentence_with_text_isolated(error.messages[0], process.title)
        closed = memo[key]
    nodes = comment_list(target=target, viewer=user)
    reported: set[str] = set()
    actors: list[Actor] = []
    if user.is_authenticated:
        comment_ids = [str(node.comment.pk) for node in _walk(nodes)]
        if comment_ids:
            reported = set(Report.objects.filter(
                reporter_id=user.pk, target_type=ContentType.objects.get_for_model(Comment), target_id__in=comment_ids,
            ).values_list("target_id", flat=True))
        if "actors" not in memo:
            ids = actor_ids_for(user)
            memo["actors"] = list(Actor.objects.filter(pk__in=ids).order_by("name")) if ids else []
        actors = memo["actors"]

    def decorate(node_list: list) -> list:
        for node in node_list:
            node.token = target_sign(node.comment, process)
            node.reported = str(node.comment.pk) in reported
            decorate(node.replies)
        return node_list

    return {
        "request": request, "user": user, "target": target, "process": process, "nodes": decorate(nodes),
        "token": target_sign(target, process), "next_url": next_url or request.get_full_path(),
        "can_post": user.is_authenticated and not closed, "closed": closed, "errors": errors or [],
        "draft": draft, "actors": actors, "reasons": ReportReason.choices, "LANGUAGES": settings.LANGUAGES, "dom_id": f"comments-{label.replace('.', '-')}-{target.pk}",
        "comment_count": sum(1 for _ in _walk(nodes)),
    }


def _walk(nodes: list) -> Any:
    for node in nodes:
        yield node
        yield from _walk(node.replies)


@register.inclusion_tag("engagement/_comments.html", takes_context=True)
def comments_for(context: template.Context, target: Any, process: Process | None = None) -> dict[str, Any]:
    """The comment thread on `target`, with a form when the viewer may post (and the phase allows)."""
    request = _request(context)
    return {**thread_context(request, target, process), "csrf_token": context.get("csrf_token")}


def report_context(request: HttpRequest, target: Any, process: Process | None, *, next_url: str = "",
                   errors: list[str] | None = None) -> dict[str, Any]:
    label = target._meta.label_lower
    return {
        "request": request, "user": request.user, "target": target, "token": target_sign(target, process),
        "next_url": next_url or request.get_full_path(), "errors": errors or [],
        "reported": report_exists(user=request.user, target=target),
        "dom_id": f"report-{label.replace('.', '-')}-{target.pk}",
        "is_comment": isinstance(target, Comment), "reasons": ReportReason.choices,
    }


@register.inclusion_tag("engagement/_report_button.html", takes_context=True)
def report_button(context: template.Context, target: Any, process: Process | None = None) -> dict[str, Any]:
    """A "Report" disclosure with a reason and a note; once per person and record."""
    request = _request(context)
    return {**report_context(request, target, process), "csrf_token": context.get("csrf_token")}
