"""Reads for commitments: records as each viewer may see them, overdue milestones, accountability
dashboards (per forum, consultation, network, GCM objective and government), the review calendar, and the
"origin links" later apps register (e.g. participation: "from resident proposal X").
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.selectors import user_actor_ids
from arrival.actors.models import Actor, ActorKind, Membership
from arrival.commitments.models import (
    PUBLIC_STATUSES,
    Commitment,
    CommitmentIndicator,
    CommitmentStatus,
    ForumReport,
    IndicatorValue,
    Milestone,
    ProgressStatus,
    ProgressUpdate,
    SubmissionWindow,
)
from arrival.core.translations import in_language_first
from arrival.engagement.handoffs import WorkItem
from arrival.frameworks.models import FrameworkItem, FrameworkKind, Tag
from arrival.frameworks.selectors import tags_for

if TYPE_CHECKING:
    from arrival.consultations.models import Forum

# --- Origin links: later apps say where a commitment came from ----------------------------------------------

OriginProvider = Callable[[Commitment], list[tuple[str, str]]]
_origin_providers: list[OriginProvider] = []


def register_origin_provider(fn: OriginProvider) -> None:
    """`fn(commitment)` returns (label, url) pairs, e.g. ("From resident proposal “Night buses”", "/participate/…")."""
    if fn not in _origin_providers:
        _origin_providers.append(fn)


def unregister_origin_provider(fn: OriginProvider) -> None:
    if fn in _origin_providers:
        _origin_providers.remove(fn)


def origin_links(*, commitment: Commitment) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for provider in _origin_providers:
        links.extend((str(label), str(url)) for label, url in provider(commitment) or [])
    return links


# --- Records ------------------------------------------------------------------------------------------------

_LIST_RELATED = ("lead__country", "matches")


def _today() -> dt.date:
    return timezone.localdate()


def _with_overdue(commitments: QuerySet[Commitment], today: dt.date | None = None) -> QuerySet[Commitment]:
    today = today or _today()
    late = Milestone.objects.filter(commitment=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
    return commitments.annotate(has_overdue=Exists(late))


def commitment_list_public(*, reader_first: bool = False) -> QuerySet[Commitment]:
    """Published and closed commitments, newest first; `reader_first`: those written in or translated into the
    reader's language before the others (the browsing page)."""
    commitments = _with_overdue(Commitment.objects.filter(status__in=PUBLIC_STATUSES).select_related(*_LIST_RELATED))
    if reader_first:
        return in_language_first(commitments).order_by("-in_reader_language", "-published_at", "-pk")
    return commitments.order_by("-published_at", "-pk")


def commitment_list_visible(*, user: Any) -> QuerySet[Commitment]:
    """Public commitments plus those of the actors `user` acts for (lead or partner); everything for site staff."""
    commitments = Commitment.objects.select_related(*_LIST_RELATED)
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_staff:
            return _with_overdue(commitments).order_by("-published_at", "-created_at", "-pk")
        mine = user_actor_ids(user)
        if mine:
            own = Commitment.objects.filter(Q(lead_id__in=mine) | Q(partners__in=mine)).values("pk")
            return _with_overdue(commitments.filter(Q(status__in=PUBLIC_STATUSES) | Q(pk__in=own))).order_by(
                "-published_at", "-created_at", "-pk")
    return commitment_list_public()


def commitment_list_for_team(*, user: Any) -> QuerySet[Commitment]:
    """Commitments led by actors `user` acts for, in any status (the team's own list)."""
    return _with_overdue(Commitment.objects.filter(lead_id__in=user_actor_ids(user)).select_related(*_LIST_RELATED)
                         ).order_by("status", "-created_at")


def commitment_list_to_publish(*, user: Any, limit: int = 200) -> list[Commitment]:
    """Submitted commitments `user` may publish (site staff; staff of a network the lead is a member of, or of
    the owner of the consultation it came from), oldest first. The queue is short: the rule decides per record."""
    if not (getattr(user, "is_authenticated", False) and user.is_active) or not (user.is_staff or user_actor_ids(user)):
        return []
    submitted = _with_overdue(Commitment.objects.filter(status=CommitmentStatus.SUBMITTED)
                              .select_related(*_LIST_RELATED, "consultation__process"))
    return [c for c in submitted.order_by("submitted_at", "pk")[:limit]
            if user.has_perm("commitments.publish_commitment", c)]


def commitment_filter(commitments: QuerySet[Commitment], *, lead: int | None = None, status: str | None = None,
                      progress: str | None = None, objective: str | None = None, forum: int | None = None,
                      consultation: int | None = None, network: int | None = None, country: str | None = None,
                      year: int | None = None, q: str = "") -> QuerySet[Commitment]:
    if lead:
        commitments = commitments.filter(Q(lead_id=lead) | Q(pk__in=Commitment.partners.through.objects.filter(
            actor_id=lead).values("commitment_id")))
    if status:
        commitments = commitments.filter(status=status)
    if progress:
        commitments = commitments.filter(progress_status=progress)
    if objective:
        commitments = commitments.filter(pk__in=_tagged_ids("gcm_objective", objective))
    if forum:
        commitments = commitments.filter(_forum_q(forum))
    if consultation:
        commitments = commitments.filter(consultation_id=consultation)
    if network:
        commitments = commitments.filter(_network_q(network))
    if country:
        commitments = commitments.filter(lead__country__code=country.upper())
    if year:
        commitments = commitments.filter(published_at__year=year)
    if q.strip():
        commitments = commitments.filter(Q(title__icontains=q.strip()) | Q(public_id__iexact=q.strip()))
    return commitments


def _tagged_ids(kind: str, code: str) -> QuerySet[Any]:
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    content_type = ContentType.objects.get_for_model(Commitment)
    return (Tag.objects.filter(content_type=content_type, item__framework__kind=kind, item__code=code)
            .annotate(key=Cast("object_id", BigIntegerField())).values("key"))


def _forum_q(forum_id: int) -> Q:
    reported = ForumReport.objects.filter(forum_id=forum_id).values("commitment_id")
    return Q(pk__in=reported) | Q(consultation__forum_id=forum_id)


def _network_q(network_id: int) -> Q:
    today = _today()
    members = Membership.objects.filter(network_id=network_id).filter(
        Q(until__isnull=True) | Q(until__gte=today)).values("member_id")
    return Q(lead_id=network_id) | Q(lead_id__in=members)


def commitment_get(*, pk: int) -> Commitment:
    """One commitment with what its page shows; raises Commitment.DoesNotExist."""
    return (
        Commitment.objects.select_related("lead__country", "matches__lead", "created_by", "approved_by",
                                          "source_contribution__actor", "source_paragraph__version__document",
                                          "consultation__forum")
        .prefetch_related(Prefetch("partners", queryset=Actor.objects.select_related("country").order_by("name")),
                          "milestones", "indicators",
                          Prefetch("forum_reports", queryset=ForumReport.objects.select_related("forum", "window")))
        .get(pk=pk)
    )


def commitments_matching(*, commitment: Commitment) -> list[Commitment]:
    """The public commitments (published or closed) that say they match `commitment`; drafts stay hidden."""
    return list(commitment.matched_by.filter(status__in=PUBLIC_STATUSES))


def commitment_get_by_public_id(*, public_id: str) -> Commitment:
    return Commitment.objects.get(public_id=public_id.strip().upper())


def progress_update_get(*, commitment: Commitment, pk: Any) -> ProgressUpdate | None:
    """One update of `commitment` (None when it has no update with that id)."""
    return commitment.updates.filter(pk=pk).first()


def updates_for(*, commitment: Commitment, viewer: Any = None) -> list[ProgressUpdate]:
    """The commitment's history, newest first: published updates, and drafts for those who may change them."""
    updates = list(ProgressUpdate.objects.filter(commitment=commitment).select_related("author", "corrects")
                   .order_by("-reported_on", "-published_at", "-id"))
    return [u for u in updates if u.is_published or (viewer is not None and viewer.has_perm(
        "commitments.change_progressupdate", u))]


def evidence_for(*, updates: list[ProgressUpdate]) -> dict[int, list[Any]]:
    """The evidence files of each update, in one query: {update id: [Attachment, …]}."""
    from arrival.core.models import Attachment

    if not updates:
        return {}
    files = Attachment.objects.filter(content_type=ContentType.objects.get_for_model(ProgressUpdate),
                                      object_id__in=[str(u.pk) for u in updates]).order_by("created_at")
    found: dict[int, list[Any]] = {}
    for attachment in files:
        found.setdefault(int(attachment.object_id), []).append(attachment)
    return found


def milestones_with_flags(*, commitment: Commitment, today: dt.date | None = None) -> list[Milestone]:
    """The milestones in due order, each with `is_overdue` (past due and not done)."""
    today = today or _today()
    milestones = list(commitment.milestones.all())
    for milestone in milestones:
        milestone.is_overdue = milestone.done_at is None and milestone.due_on < today
    return milestones


def milestones_overdue(*, commitments: QuerySet[Commitment] | None = None, today: dt.date | None = None
                       ) -> QuerySet[Milestone]:
    """Milestones past their due date and not done, of published commitments (or of `commitments`)."""
    today = today or _today()
    milestones = Milestone.objects.filter(done_at__isnull=True, due_on__lt=today,
                                          commitment__status=CommitmentStatus.PUBLISHED)
    if commitments is not None:
        milestones = milestones.filter(commitment__in=commitments.values("pk"))
    return milestones.select_related("commitment__lead").order_by("due_on", "pk")


def commitments_past_target(*, commitments: QuerySet[Commitment], today: dt.date | None = None) -> QuerySet[Commitment]:
    """Published commitments past their target date that are not reported fulfilled."""
    today = today or _today()
    return (commitments.filter(status=CommitmentStatus.PUBLISHED, target_date__lt=today)
            .exclude(progress_status=ProgressStatus.FULFILLED).select_related("lead").order_by("target_date", "pk"))


def tags_by_commitment(*, commitment_ids: list[int]) -> dict[int, list[FrameworkItem]]:
    content_type = ContentType.objects.get_for_model(Commitment)
    tags = (Tag.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in commitment_ids])
            .select_related("item__framework").order_by("item__framework__kind", "item__position"))
    found: dict[int, list[FrameworkItem]] = {}
    for tag in tags:
        found.setdefault(int(tag.object_id), []).append(tag.item)
    return found


# --- The source contribution and where it ended up ---------------------------------------------------------


def contribution_trace(*, commitment: Commitment) -> dict[str, Any] | None:
    """The source contribution and the adopted outcome-document paragraphs it became (consultations' selectors)."""
    contribution = commitment.source_contribution
    if contribution is None:
        return None
    from arrival.consultations import selectors as consultation_selectors

    return {"contribution": contribution,
            "destinations": consultation_selectors.contribution_destinations(contribution=contribution)}


# --- Making a commitment from a contribution or an outcome paragraph ----------------------------------------

LEAD_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT, ActorKind.NATIONAL_GOVERNMENT,
              ActorKind.NETWORK)
TAG_KINDS = (FrameworkKind.GCM_OBJECTIVE, FrameworkKind.GCM_PRINCIPLE, FrameworkKind.SDG_TARGET,
             FrameworkKind.NUA_PARAGRAPH)


def lead_choices(*, user: Any) -> QuerySet[Actor]:
    """The governments and networks `user` may write commitments for (officer, administrator or staff), by name."""
    from arrival.accounts.selectors import actor_list_for

    return actor_list_for(user=user, roles=TEAM_ROLE_KINDS, kinds=LEAD_KINDS)


def prefill_from_contribution(*, contribution: Any) -> dict[str, Any]:
    """What a commitment made from a contribution starts with: its title, its summary and proposed actions as the
    description, its language and framework tags."""
    parts = [contribution.summary.strip(), contribution.proposed_actions.strip()]
    tags = [tag.item for tag in tags_for(record=contribution) if tag.item.framework.kind in TAG_KINDS]
    return {"title": contribution.title[:250], "description": "\n\n".join(p for p in parts if p)[:6000] or contribution.title,
            "language": contribution.language or "en", "tags": tags}


def prefill_from_paragraph(*, paragraph: Any) -> dict[str, Any]:
    """What a commitment made from an outcome paragraph starts with: a title naming the paragraph and its
    document, the paragraph's text as the description, the consultation's language and the paragraph's framework
    item as a tag."""
    document = paragraph.version.document
    item = paragraph.group_item
    title = _("Acting on ¶%(number)s of “%(document)s”") % {"number": paragraph.position, "document": document.title}
    if paragraph.heading:
        title = f"{title}: {paragraph.heading}"
    return {"title": title[:250], "description": paragraph.text[:6000],
            "language": document.consultation.language or "en",
            "tags": [item] if item is not None and item.framework.kind in TAG_KINDS else []}


# --- Dashboards ---------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    title: str
    scope: str  # forum, consultation, network, objective, government
    subject: Any
    total: int = 0
    by_status: list[dict[str, Any]] = field(default_factory=list)
    by_progress: list[dict[str, Any]] = field(default_factory=list)
    over_time: list[dict[str, Any]] = field(default_factory=list)
    overdue_milestones: list[Milestone] = field(default_factory=list)
    past_target: list[Commitment] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    includes_demo: bool = False


def _progress_over_time(commitment_ids: list[int], today: dt.date) -> list[dict[str, Any]]:
    """For each year's end: commitments counted by then, their mean reported percent, and how many were fulfilled.

    A commitment counts from the earliest of its start date, its first progress update and its publication (a
    city may register in Arrival a pledge it made years before, with its dated history); its state at a year's
    end is its latest published update reported on or before 31 December (0% and "planning" before the first).
    """
    rows = Commitment.objects.filter(pk__in=commitment_ids).values_list("pk", "published_at", "starts_on")
    updates = (ProgressUpdate.objects.filter(commitment_id__in=commitment_ids, published_at__isnull=False)
               .order_by("commitment_id", "reported_on", "published_at", "id")
               .values_list("commitment_id", "reported_on", "status", "percent"))
    history: dict[int, list[tuple[dt.date, str, int]]] = {}
    for commitment_id, reported_on, status, percent in updates:
        history.setdefault(commitment_id, []).append((reported_on, status, percent))
    since: dict[int, int] = {}
    for pk, published_at, starts_on in rows:
        years = [timezone.localdate(published_at).year if published_at else today.year]
        if starts_on:
            years.append(starts_on.year)
        if history.get(pk):
            years.append(history[pk][0][0].year)
        since[pk] = min(years)
    if not since:
        return []
    result = []
    for year in range(min(since.values()), today.year + 1):
        end = dt.date(year, 12, 31)
        percents, fulfilled = [], 0
        for pk, first in since.items():
            if first > year:
                continue
            state = ("planning", 0)
            for reported_on, status, percent in history.get(pk, []):
                if reported_on <= end:
                    state = (status, percent)
            percents.append(state[1])
            fulfilled += state[0] == ProgressStatus.FULFILLED
        counted = len(percents)
        result.append({"year": year, "count": counted,
                       "mean_percent": round(sum(percents) / counted, 1) if counted else None,
                       "fulfilled_share": round(100 * fulfilled / counted, 1) if counted else None,
                       "fulfilled": fulfilled})
    return result


def dashboard_for(*, commitments: QuerySet[Commitment], title: str, scope: str, subject: Any,
                  today: dt.date | None = None, list_limit: int = 50) -> Dashboard:
    """Counts by status and progress, progress over the years, overdue items — of the public commitments given."""
    today = today or _today()
    public = commitments.filter(status__in=PUBLIC_STATUSES)
    status_counts = dict(public.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    progress_counts = dict(public.filter(status=CommitmentStatus.PUBLISHED).values_list("progress_status")
                           .annotate(n=Count("pk")).values_list("progress_status", "n"))
    ids = list(public.values_list("pk", flat=True))
    shown = list(_with_overdue(public.select_related(*_LIST_RELATED)).order_by("-published_at", "-pk")[:list_limit])
    return Dashboard(
        title=title, scope=scope, subject=subject, total=len(ids),
        by_status=[{"status": s, "label": str(CommitmentStatus(s).label), "count": status_counts.get(s, 0)}
                   for s in PUBLIC_STATUSES],
        by_progress=[{"status": s.value, "label": str(s.label), "count": progress_counts.get(s.value, 0)}
                     for s in ProgressStatus],
        over_time=_progress_over_time(ids, today),
        overdue_milestones=list(milestones_overdue(commitments=public, today=today)[:list_limit]),
        past_target=list(commitments_past_target(commitments=public, today=today)[:list_limit]),
        commitments=shown,
        includes_demo=public.filter(is_demo=True).exists(),
    )


def dashboard_chart(dashboard: Dashboard) -> Any:
    """Progress over time as an SVG line chart with its table (arrival.reports.charts)."""
    from arrival.reports.charts import Series, line_chart

    if not dashboard.over_time:
        return None
    return line_chart(
        # The page's heading names the subject; the chart's title (also an SVG <title>, plain text) does not.
        title=_("Progress of the commitments, at each year's end"),
        description=_("Mean percent done and share reported fulfilled, of the commitments started by then."),
        series=[Series(_("Mean percent done"), [(row["year"], row["mean_percent"]) for row in dashboard.over_time]),
                Series(_("Share fulfilled (%)"), [(row["year"], row["fulfilled_share"]) for row in dashboard.over_time])],
        x_label=_("Year"), y_label=_("Percent"), chart_id=f"commitments-progress-{dashboard.scope}",
    )


def dashboard_government(*, government: Actor) -> Dashboard:
    led_or_partner = Commitment.objects.filter(Q(lead=government) | Q(pk__in=Commitment.partners.through.objects.filter(
        actor_id=government.pk).values("commitment_id")))
    return dashboard_for(commitments=led_or_partner, title=government.name, scope="government", subject=government)


def dashboard_network(*, network: Actor) -> Dashboard:
    return dashboard_for(commitments=Commitment.objects.filter(_network_q(network.pk)), title=network.name,
                         scope="network", subject=network)


def dashboard_forum(*, forum: Any) -> Dashboard:
    return dashboard_for(commitments=Commitment.objects.filter(_forum_q(forum.pk)), title=forum.display_name, scope="forum",
                         subject=forum)


def dashboard_consultation(*, consultation: Any) -> Dashboard:
    return dashboard_for(commitments=Commitment.objects.filter(consultation=consultation), title=consultation.title,
                         scope="consultation", subject=consultation)


def dashboard_objective(*, item: FrameworkItem) -> Dashboard:
    tagged = Commitment.objects.filter(pk__in=_tagged_ids(item.framework.kind, item.code))
    return dashboard_for(commitments=tagged, title=_("GCM objective %(code)s") % {"code": item.code},
                         scope="objective", subject=item)


def objective_overview() -> list[dict[str, Any]]:
    """Per current GCM objective: how many public commitments are tagged with it (for the dashboards index)."""
    content_type = ContentType.objects.get_for_model(Commitment)
    public_ids = [str(pk) for pk in Commitment.objects.filter(status__in=PUBLIC_STATUSES).values_list("pk", flat=True)]
    counts = Counter(Tag.objects.filter(content_type=content_type, object_id__in=public_ids,
                                        item__framework__kind="gcm_objective", item__framework__is_current=True)
                     .values_list("item_id", flat=True))
    items = FrameworkItem.objects.filter(framework__kind="gcm_objective", framework__is_current=True).order_by("position")
    return [{"item": item, "count": counts.get(item.pk, 0)} for item in items]


def actors_with_public_commitments(*, kind: str | None = None) -> QuerySet[Actor]:
    actors = Actor.objects.filter(pk__in=Commitment.objects.filter(status__in=PUBLIC_STATUSES).values("lead_id"))
    if kind == "network":
        actors = actors.filter(kind=ActorKind.NETWORK)
    elif kind == "government":
        actors = actors.exclude(kind__in=[ActorKind.NETWORK, ActorKind.ORGANISATION])
    return actors.select_related("country").order_by("name")


def networks_with_member_commitments() -> QuerySet[Actor]:
    leads = Commitment.objects.filter(status__in=PUBLIC_STATUSES).values("lead_id")
    members_networks = Membership.objects.filter(member_id__in=leads).values("network_id")
    return Actor.objects.filter(Q(pk__in=members_networks) | Q(pk__in=leads), kind=ActorKind.NETWORK).order_by("name")


def commitment_lead_ids() -> QuerySet[Any]:
    """Actors leading a public commitment (the home map's record provider)."""
    return Commitment.objects.filter(status__in=PUBLIC_STATUSES).values_list("lead_id", flat=True).distinct()


# --- The review calendar ------------------------------------------------------------------------------------


def window_state(window: SubmissionWindow, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if window.closes_at <= now:
        return "past"
    if window.opens_at <= now:
        return "open"
    return "upcoming"


class WindowEntry(TypedDict):
    window: SubmissionWindow
    state: str  # past, open or upcoming


class ForumRow(TypedDict):
    forum: Forum
    windows: list[WindowEntry]
    reports: list[ForumReport]


def calendar(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Forums with their submission windows (past/open/upcoming) and what each government reported where."""
    from arrival.consultations import selectors as consultation_selectors

    now = now or timezone.now()
    forums = list(consultation_selectors.forum_list())
    windows = list(SubmissionWindow.objects.filter(forum__in=[f.pk for f in forums]).order_by("closes_at", "pk"))
    by_forum: dict[int, list[WindowEntry]] = {}
    for window in windows:
        by_forum.setdefault(window.forum_id, []).append({"window": window, "state": window_state(window, now)})
    reports = list(ForumReport.objects.filter(commitment__status__in=PUBLIC_STATUSES)
                   .select_related("forum", "commitment__lead__country").order_by("forum__name", "-reported_on", "pk"))
    reported: dict[int, list[ForumReport]] = {}
    for report in reports:
        reported.setdefault(report.forum_id, []).append(report)
    rows: list[ForumRow] = [
        {"forum": forum, "windows": by_forum.get(forum.pk, []), "reports": reported.get(forum.pk, [])}
        for forum in forums
    ]
    open_or_upcoming = sorted((entry for forum in rows for entry in forum["windows"] if entry["state"] != "past"),
                              key=lambda entry: entry["window"].closes_at)
    return {"forums": rows, "next_deadlines": open_or_upcoming[:10], "now": now,
            "by_government": _reports_by_government(reports)}


def _reports_by_government(reports: list[ForumReport]) -> list[dict[str, Any]]:
    grouped: dict[int, dict[str, Any]] = {}
    for report in reports:
        lead = report.commitment.lead
        entry = grouped.setdefault(lead.pk, {"actor": lead, "reports": []})
        entry["reports"].append(report)
    return sorted(grouped.values(), key=lambda entry: entry["actor"].name)


def reports_for_government(*, government: Actor) -> QuerySet[ForumReport]:
    return (ForumReport.objects.filter(commitment__lead=government, commitment__status__in=PUBLIC_STATUSES)
            .select_related("forum", "commitment").order_by("-reported_on"))


def commitments_for_government(*, government: Actor) -> QuerySet[Commitment]:
    """Public commitments `government` leads or partners in (its profile section)."""
    partner = Commitment.partners.through.objects.filter(actor_id=government.pk).values("commitment_id")
    return _with_overdue(Commitment.objects.filter(Q(lead=government) | Q(pk__in=partner),
                                                   status__in=PUBLIC_STATUSES).select_related(*_LIST_RELATED)
                         ).order_by("-published_at", "-pk")


def milestone_get(*, commitment: Commitment, pk: int) -> Milestone:
    """A milestone of `commitment` (404 when it belongs to another commitment or does not exist)."""
    milestone = Milestone.objects.filter(pk=pk, commitment=commitment).select_related("commitment").first()
    if milestone is None:
        raise Http404(_("No milestone at this address."))
    return milestone


def indicator_get(*, commitment: Commitment, pk: int) -> CommitmentIndicator:
    """An indicator of `commitment` (404 when it belongs to another commitment or does not exist)."""
    indicator = CommitmentIndicator.objects.filter(pk=pk, commitment=commitment).select_related("commitment").first()
    if indicator is None:
        raise Http404(_("No indicator at this address."))
    return indicator


# --- Indicators: their series of dated values --------------------------------------------------------------


def indicator_series(*, indicators: list[CommitmentIndicator]) -> dict[int, list[IndicatorValue]]:
    """The dated values of each indicator, oldest first, in one query: {indicator id: [IndicatorValue, …]}."""
    found: dict[int, list[IndicatorValue]] = {indicator.pk: [] for indicator in indicators}
    for point in IndicatorValue.objects.filter(indicator__in=list(found)).order_by("indicator_id", "measured_on"):
        found[point.indicator_id].append(point)
    return found


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value` (an axis's top)."""
    if value <= 0:
        return 1.0
    magnitude: float = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= value)


def indicator_chart(*, indicator: CommitmentIndicator, values: list[IndicatorValue]) -> Any:
    """The indicator's series as an SVG line chart with its table (arrival.reports.charts), with the target as a
    dashed line when there is one; None before the first value."""
    from arrival.reports.charts import Series, line_chart

    if not values:
        return None
    points = [(float(point.measured_on.toordinal()), point.value) for point in values]
    series = [Series(_("Measured value"), points)]
    if indicator.target is not None:
        series.append(Series(_("Target"), [(x, indicator.target) for x, _value in points]))
    numbers = [value for _x, value in points] + [n for n in (indicator.baseline, indicator.target) if n is not None]
    low = min(0.0, *numbers)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    facts = []
    if indicator.baseline is not None:
        facts.append(_("Baseline: %(value)s%(year)s.") % {
            "value": f"{indicator.baseline:g}", "year": f" ({indicator.baseline_year})" if indicator.baseline_year else ""})
    if indicator.target is not None:
        facts.append(_("Target: %(value)s.") % {"value": f"{indicator.target:g}"})
    return line_chart(
        # The indicator's name heads the chart on the page; the title (an SVG <title>, plain text) is the interface's.
        title=_("Measured values"),
        description=" ".join([_("Each value on the day it was measured%(unit)s.") % {"unit": unit}, *facts]),
        series=series, x_label=_("Measured on"), y_label=indicator.unit or _("Value"),
        y_min=-_nice_ceiling(-low) if low < 0 else 0.0, y_max=_nice_ceiling(max(numbers)),
        chart_id=f"indicator-{indicator.pk}-chart",
        x_format=lambda x: dt.date.fromordinal(int(x)).isoformat(),
    )


# --- Hand-offs: who a commitment waits on, and what waits on a person ("My work") ---------------------------

TEAM_ROLE_KINDS = ("officer", "administrator", "staff")
PUBLISHER_ROLE_KINDS = ("staff", "administrator")
DUE_SOON_DAYS = 14  # a milestone enters its team's "My work" (and is reminded of) this many days before it is due


def _active_roles(**filters: Any) -> QuerySet[Any]:
    from arrival.accounts.models import Role

    return Role.objects.filter(ended_at__isnull=True, user__is_active=True, **filters)


def team_members(*, actor_ids: Any, kinds: tuple[str, ...] = TEAM_ROLE_KINDS) -> dict[int, list[Any]]:
    """The active people holding one of `kinds` in each actor, as users: {actor id: [User, …]} in one query."""
    teams: dict[int, list[Any]] = {}
    for role in (_active_roles(actor_id__in=list(actor_ids), kind__in=list(kinds)).select_related("user")
                 .order_by("actor_id", "user_id")):
        members = teams.setdefault(role.actor_id, [])
        if role.user not in members:
            members.append(role.user)
    return teams


def commitment_approvers(*, commitment: Commitment) -> list[Any]:
    """The lead's administrators: they approve the commitment internally or send it back."""
    return team_members(actor_ids=[commitment.lead_id], kinds=("administrator",)).get(commitment.lead_id, [])


def _current_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(network__kind=ActorKind.NETWORK).filter(
        Q(until__isnull=True) | Q(until__gte=_today()))


def publishing_actor_ids(*, commitment: Commitment) -> set[int]:
    """The organisations that may publish the commitment: the networks its lead is a current member of and the
    owner of the consultation it came from (the `publish_commitment` rule); empty when only site staff can."""
    actor_ids = set(_current_memberships().filter(member_id=commitment.lead_id).values_list("network_id", flat=True))
    if commitment.consultation is not None:
        actor_ids.add(commitment.consultation.process.owner_id)
    return actor_ids


def commitment_publishers(*, commitment: Commitment) -> list[Any]:
    """The people a submitted commitment waits on: the staff and administrators of its publishing organisations,
    or site staff when it has none — never someone with a role in the lead (a second pair of eyes)."""
    from django.contrib.auth import get_user_model

    in_lead = _active_roles(actor_id=commitment.lead_id).values("user_id")
    publishers = publishing_actor_ids(commitment=commitment)
    if publishers:
        people = get_user_model().objects.filter(pk__in=_active_roles(
            actor_id__in=publishers, kind__in=PUBLISHER_ROLE_KINDS).values("user_id"))
    else:
        people = get_user_model().objects.filter(is_staff=True, is_active=True)
    return list(people.exclude(pk__in=in_lead).order_by("pk"))


def commitment_filers(*, commitment: Commitment) -> list[Any]:
    """The people who filed the commitment — drafted it, sent it for approval, submitted it — and still work for its
    lead: each decision on it is theirs to hear."""
    filer_ids = {commitment.created_by_id, commitment.approval_requested_by_id, commitment.submitted_by_id} - {None}
    return [member for member in team_members(actor_ids=[commitment.lead_id]).get(commitment.lead_id, [])
            if member.pk in filer_ids]


def _role_actor_ids(user: Any, kinds: tuple[str, ...] | None = None) -> QuerySet[Any]:
    roles = _active_roles(user_id=user.pk)
    return (roles.filter(kind__in=list(kinds)) if kinds else roles).values("actor_id")


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _label(commitment: Commitment) -> str:
    return f"{commitment.public_id} · {commitment.title}" if commitment.public_id else commitment.title


def _commitment_items(commitments: QuerySet[Commitment], *, kind: str, action: str, since: str) -> list[WorkItem]:
    """One item per commitment, waiting since its `since` field (a datetime), oldest first."""
    return [WorkItem(kind=kind, action=action, title=_label(c), url=c.get_absolute_url(),
                     waiting_since=getattr(c, since) or c.updated_at, for_actor=c.lead.name)
            for c in commitments.select_related("lead").order_by(since, "pk")]


def _waiting_for_approval(user: Any) -> QuerySet[Commitment]:
    return Commitment.objects.filter(status=CommitmentStatus.INTERNAL_APPROVAL, approved_at__isnull=True,
                                     lead_id__in=_role_actor_ids(user, ("administrator",)))


def approval_work_count(user: Any) -> QuerySet[Any] | int:
    return _waiting_for_approval(user) if _signed_in(user) else 0


def approval_work_items(user: Any) -> list[WorkItem]:
    """Commitments sent for internal approval to a government or network `user` administers."""
    if not _signed_in(user):
        return []
    return _commitment_items(_waiting_for_approval(user), kind="commitments.approve",
                             action=_("Approve or send back"), since="approval_requested_at")


def _waiting_for_publication(user: Any) -> QuerySet[Commitment]:
    mine = _role_actor_ids(user, PUBLISHER_ROLE_KINDS)
    members = _current_memberships().filter(network_id__in=mine).values("member_id")
    publishes = Q(lead_id__in=members) | Q(consultation__process__owner_id__in=mine)
    if user.is_staff:  # site staff publish what no organisation can
        no_network = ~Exists(_current_memberships().filter(member_id=OuterRef("lead_id")))
        publishes |= Q(no_network, consultation__isnull=True)
    return (Commitment.objects.filter(status=CommitmentStatus.SUBMITTED).filter(publishes)
            .exclude(lead_id__in=_role_actor_ids(user)))


def publication_work_count(user: Any) -> QuerySet[Any] | int:
    return _waiting_for_publication(user) if _signed_in(user) else 0


def publication_work_items(user: Any) -> list[WorkItem]:
    """Submitted commitments waiting for `user`'s organisation (or, when none can, site staff) to publish them."""
    if not _signed_in(user):
        return []
    return _commitment_items(_waiting_for_publication(user), kind="commitments.publish",
                             action=_("Publish or send back"), since="submitted_at")


def _filed_by(user: Any) -> QuerySet[Commitment]:
    """Commitments `user` filed for a lead they still work for, waiting on them: sent back to draft to be fixed, or
    approved and not yet submitted."""
    filed = Q(created_by_id=user.pk) | Q(approval_requested_by_id=user.pk) | Q(submitted_by_id=user.pk)
    returned = Q(status=CommitmentStatus.DRAFT, returned_at__isnull=False)
    approved = Q(status=CommitmentStatus.INTERNAL_APPROVAL, approved_at__isnull=False)
    return Commitment.objects.filter(filed, returned | approved, lead_id__in=_role_actor_ids(user, TEAM_ROLE_KINDS))


def filer_work_count(user: Any) -> QuerySet[Any] | int:
    return _filed_by(user) if _signed_in(user) else 0


def filer_work_items(user: Any) -> list[WorkItem]:
    if not _signed_in(user):
        return []
    items = []
    for c in _filed_by(user).select_related("lead").order_by("pk"):
        returned = c.status == CommitmentStatus.DRAFT
        items.append(WorkItem(
            kind="commitments.filed", action=_("Fix it and send it again") if returned else _("Submit for publication"),
            title=_label(c), url=c.get_absolute_url(),
            waiting_since=(c.returned_at if returned else c.approved_at) or c.updated_at, for_actor=c.lead.name))
    return items


def _milestones_due(user: Any) -> QuerySet[Milestone]:
    """Milestones not done, due within DUE_SOON_DAYS or overdue, of published commitments of `user`'s teams."""
    return Milestone.objects.filter(done_at__isnull=True, due_on__lte=_today() + dt.timedelta(days=DUE_SOON_DAYS),
                                    commitment__status=CommitmentStatus.PUBLISHED,
                                    commitment__lead_id__in=_role_actor_ids(user, TEAM_ROLE_KINDS))


def milestone_work_count(user: Any) -> QuerySet[Any] | int:
    return _milestones_due(user) if _signed_in(user) else 0


def _end_of_day(day: dt.date, zone: str) -> dt.datetime:
    from arrival.core.time_zones import zone_or_utc

    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone_or_utc(zone))


def milestone_work_items(user: Any) -> list[WorkItem]:
    """Each due or overdue milestone, due at the end of its day in the lead's time zone; it starts waiting
    DUE_SOON_DAYS before (or at publication, if that came later)."""
    from arrival.actors.selectors import actor_time_zones

    if not _signed_in(user):
        return []
    milestones = list(_milestones_due(user).select_related("commitment__lead").order_by("due_on", "pk"))
    zones = actor_time_zones(actor_ids={m.commitment.lead_id for m in milestones})
    items = []
    for milestone in milestones:
        commitment = milestone.commitment
        deadline = _end_of_day(milestone.due_on, zones.get(commitment.lead_id, "UTC"))
        since = deadline - dt.timedelta(days=DUE_SOON_DAYS + 1)
        items.append(WorkItem(
            kind="commitments.milestones", action=_("Mark the milestone done"),
            title=f"{milestone.title} — {_label(commitment)}", url=commitment.get_absolute_url() + "#milestones",
            waiting_since=max(since, commitment.published_at) if commitment.published_at else since,
            deadline=deadline, for_actor=commitment.lead.name))
    return items


def _reports_due_commitments(user: Any) -> QuerySet[Commitment]:
    from arrival.actors.models import GOVERNMENT_KINDS

    return Commitment.objects.filter(status=CommitmentStatus.PUBLISHED, lead__kind__in=GOVERNMENT_KINDS,
                                     lead_id__in=_role_actor_ids(user, TEAM_ROLE_KINDS))


def _open_windows() -> QuerySet[SubmissionWindow]:
    now = timezone.now()
    return SubmissionWindow.objects.filter(opens_at__lte=now, closes_at__gt=now)


def submission_window_open(*, pk: Any) -> SubmissionWindow | None:
    """The submission window `pk` while it is open (None when it is not, or does not exist)."""
    try:
        return _open_windows().select_related("forum").filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def report_work_count(user: Any) -> int:
    """(published commitment, open window) pairs without a report for that window: one query."""
    from django.db.models import F, Func, Subquery, Sum
    from django.db.models.functions import Coalesce

    if not _signed_in(user):
        return 0
    unreported = (_open_windows().exclude(Exists(ForumReport.objects.filter(
        window_id=OuterRef("pk"), commitment_id=OuterRef(OuterRef("pk"))))).order_by()
        .values(n=Func(F("pk"), function="COUNT")))
    total = _reports_due_commitments(user).annotate(due=Coalesce(Subquery(unreported), 0)).aggregate(n=Sum("due"))["n"]
    return int(total or 0)


def report_work_items(user: Any) -> list[WorkItem]:
    """A forum's submission window is open: each published commitment of `user`'s government not yet reported
    in it waits for its report, until the window closes."""
    from django.urls import reverse

    if not _signed_in(user):
        return []
    windows = list(_open_windows().select_related("forum").order_by("closes_at", "pk"))
    if not windows:
        return []
    commitments = list(_reports_due_commitments(user).select_related("lead").order_by("pk"))
    reported = set(ForumReport.objects.filter(window__in=windows, commitment__in=commitments)
                   .values_list("commitment_id", "window_id"))
    return [WorkItem(kind="commitments.reports", action=_("Report to %(forum)s") % {"forum": window.forum.display_name},
                     title=f"{_label(commitment)} — {window.title}",
                     url=reverse("commitments:forum_report_add", args=[commitment.pk]) + f"?window={window.pk}",
                     waiting_since=max(window.opens_at, commitment.published_at or window.opens_at),
                     deadline=window.closes_at, for_actor=commitment.lead.name)
            for window in windows for commitment in commitments if (commitment.pk, window.pk) not in reported]
