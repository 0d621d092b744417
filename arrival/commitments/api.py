"""API of commitments, mounted at /api/v1/commitments/.

Reads: public (published and closed) commitments for everyone, others for those who may see them; dashboards,
the review calendar and the file-once exports. Writes need a token or the signed-in session with its CSRF
token and go through the same services (and rules) as the pages: the lead's team writes and reports, its
administrators approve, publishers publish.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors.models import Actor
from arrival.actors.selectors import actor_list
from arrival.commitments import file_once, selectors, services
from arrival.commitments.models import Commitment, Milestone, ProgressUpdate
from arrival.commitments.schemas import (
    CloseIn,
    CommitmentDetailOut,
    CommitmentIn,
    CommitmentOut,
    CommitmentPatch,
    DashboardOut,
    ForumCalendarOut,
    ForumReportIn,
    ForumReportOut,
    IndicatorValueIn,
    IndicatorValueOut,
    MilestoneDoneIn,
    MilestoneIn,
    MilestoneOut,
    ProgressUpdateIn,
    ProgressUpdateOut,
    ReasonIn,
)
from arrival.core.api import (
    PROBLEM_RESPONSES,
    PageNumberWithTotal,
    RecordId,
    Year,
    api_reader,
    request_auth,
    write_auth,
)
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import item_get
from arrival.reports.responses import prepared_file_response

router = Router(tags=["commitments"])

_ERRORS = PROBLEM_RESPONSES


class CommitmentFilter(Schema):
    lead: RecordId | None = None  # actor id: led by it or with it as a partner
    status: str | None = None
    progress: str | None = None
    objective: str | None = None  # GCM objective number
    forum: str | None = None  # forum key
    consultation: str | None = None  # consultation slug
    network: RecordId | None = None  # network actor id: the network's and its members' commitments
    country: str | None = None  # ISO 3166-1 alpha-2 of the lead
    year: Year | None = None  # year published
    q: str = ""




def _actor_ref(actor: Actor) -> dict[str, Any]:
    return {"id": actor.pk, "slug": actor.slug, "name": actor.name, "kind": actor.kind,
            "country": actor.country.code if actor.country else ""}


def _tag_ref(item: FrameworkItem) -> str:
    return f"{item.framework.kind}:{item.code}"


def _out(commitment: Commitment, tags: list[FrameworkItem]) -> dict[str, Any]:
    return {
        "id": commitment.pk, "public_id": commitment.public_id, "url": commitment.get_absolute_url(),
        "title": commitment.title, "language": commitment.language, "translations": commitment.translations,
        "lead": _actor_ref(commitment.lead),
        "commitment_type": commitment.commitment_type,
        "matches": commitment.matches.public_id if commitment.matches else None, "forms": commitment.forms,
        "status": commitment.status, "progress_status": commitment.progress_status,
        "progress_percent": commitment.progress_percent, "starts_on": commitment.starts_on,
        "target_date": commitment.target_date, "published_at": commitment.published_at,
        "has_overdue_milestone": bool(getattr(commitment, "has_overdue", False)),
        "tags": [_tag_ref(item) for item in tags], "is_demo": commitment.is_demo,
    }


def _many(commitments: list[Commitment]) -> list[dict[str, Any]]:
    tags = selectors.tags_by_commitment(commitment_ids=[c.pk for c in commitments])
    return [_out(c, tags.get(c.pk, [])) for c in commitments]


class _Mapped:
    """A queryset seen through `fn`: the paginator counts in the database and maps only the page it serves."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[Any]:
        return _many(list(self.queryset[page]))


def _update_out(update: ProgressUpdate, evidence: dict[int, list[Any]] | None = None) -> dict[str, Any]:
    files = evidence.get(update.pk, []) if evidence is not None else selectors.evidence_for(updates=[update]).get(
        update.pk, [])
    return {"id": update.pk, "reported_on": update.reported_on, "status": update.status, "percent": update.percent,
            "narrative": update.narrative, "links": update.links,
            "evidence": [reverse("core:attachment_download", args=[a.pk]) for a in files],
            "corrects": update.corrects_id, "published_at": update.published_at}


def _updates_out(updates: list[ProgressUpdate]) -> list[dict[str, Any]]:
    evidence = selectors.evidence_for(updates=updates)
    return [_update_out(u, evidence) for u in updates]


def _milestone_out(milestone: Milestone) -> dict[str, Any]:
    return {"id": milestone.pk, "title": milestone.title, "language": milestone.language,
            "translations": milestone.translations, "due_on": milestone.due_on, "done_on": milestone.done_on,
            "done_at": milestone.done_at, "is_overdue": bool(getattr(milestone, "is_overdue", False))}


def _values_out(values: list[Any]) -> list[dict[str, Any]]:
    return [{"measured_on": point.measured_on, "value": point.value} for point in values]


def _indicators_out(indicators: list[Any]) -> list[dict[str, Any]]:
    series = selectors.indicator_series(indicators=indicators)
    return [{"id": i.pk, "name": i.name, "unit": i.unit, "baseline": i.baseline, "baseline_year": i.baseline_year,
             "target": i.target, "latest_value": i.latest_value, "latest_on": i.latest_on,
             "values": _values_out(series[i.pk])} for i in indicators]


def _detail(commitment_pk: int, reader: Any) -> dict[str, Any]:
    commitment = selectors.commitment_get(pk=commitment_pk)
    tags = selectors.tags_by_commitment(commitment_ids=[commitment.pk]).get(commitment.pk, [])
    milestones = selectors.milestones_with_flags(commitment=commitment)
    return {
        **_out(commitment, tags),
        "has_overdue_milestone": any(bool(getattr(m, "is_overdue", False)) for m in milestones),
        "description": commitment.description,
        "partners": [_actor_ref(p) for p in commitment.partners.all()],
        "contact_role": commitment.contact_role, "contact_email": commitment.contact_email,
        "source_contribution": commitment.source_contribution_id,
        "source_paragraph": commitment.source_paragraph_id,
        "consultation": commitment.consultation.slug if commitment.consultation else None,
        "origins": [{"label": label, "url": url} for label, url in selectors.origin_links(commitment=commitment)],
        "milestones": [_milestone_out(m) for m in milestones],
        "indicators": _indicators_out(list(commitment.indicators.all())),
        "updates": _updates_out(selectors.updates_for(commitment=commitment, viewer=reader)),
        "forum_reports": [{"id": r.pk, "forum": r.forum.key, "forum_name": r.forum.name, "reported_on": r.reported_on,
                           "summary": r.summary} for r in commitment.forum_reports.all()],
        "closing_note": commitment.closing_note,
    }


def _visible(request: HttpRequest, pk: RecordId) -> tuple[Commitment, Any]:
    reader = api_reader(request)
    try:
        commitment = selectors.commitment_get(pk=pk)
    except Commitment.DoesNotExist:
        commitment = None
    if commitment is None or not reader.has_perm("commitments.view_commitment", commitment):
        raise Http404("No commitment with this id.")  # drafts stay invisible to others
    return commitment, reader


def _tag_items(refs: list[str]) -> list[FrameworkItem]:
    items = []
    for ref in refs:
        kind, _sep, code = ref.partition(":")
        if kind not in FrameworkKind.values or not code:
            raise ValidationError(f"Tag {ref!r} is not kind:code (e.g. gcm_objective:5).")
        try:
            items.append(item_get(kind=kind, code=code))
        except Http404 as error:
            raise ValidationError(f"No framework item {ref!r}.") from error
    return items


def _actors(ids: list[int]) -> list[Actor]:
    actors = {a.pk: a for a in actor_list().filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in actors]
    if missing:
        raise ValidationError(f"No actor with id {missing[0]}.")
    return [actors[pk] for pk in ids]


def _matched(public_id: str | None) -> Commitment | None:
    if not public_id:
        return None
    try:
        return selectors.commitment_get_by_public_id(public_id=public_id)
    except Commitment.DoesNotExist:
        raise ValidationError(f"No published commitment {public_id!r}.") from None


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    if "tags" in data:
        data["tags"] = _tag_items(data["tags"] or [])
    if "partners" in data:
        data["partners"] = _actors(data["partners"] or [])
    if "matches" in data:
        data["matches"] = _matched(data["matches"])
    return data


# --- Reads -------------------------------------------------------------------------------------------------


@router.get("/", response=list[CommitmentOut], url_name="commitment_list")
@paginate(PageNumberWithTotal)
def commitment_list(request: HttpRequest, filters: Query[CommitmentFilter]) -> Any:
    """Commitments the reader may see (public ones for everyone; a team also sees its own drafts), filtered."""
    from arrival.consultations import selectors as consultation_selectors

    data = filters.dict()
    if data["forum"]:
        data["forum"] = consultation_selectors.forum_get(key=data["forum"]).pk
    if data["consultation"]:
        data["consultation"] = consultation_selectors.consultation_get(slug=data["consultation"]).pk
    commitments = selectors.commitment_filter(selectors.commitment_list_visible(user=api_reader(request)), **data)
    return _Mapped(commitments.distinct())


@router.get("/dashboards/{scope}/{key}", response={200: DashboardOut, **_ERRORS}, url_name="commitment_dashboard")
def commitment_dashboard(request: HttpRequest, scope: str, key: str) -> Any:
    """Counts by status and progress, progress at each year's end and overdue items, of public commitments.

    `scope`/`key`: government/<actor slug>, network/<actor slug>, forum/<forum key>, consultation/<slug>,
    objective/<GCM objective number>.
    """
    from arrival.actors.selectors import actor_get
    from arrival.consultations import selectors as consultation_selectors

    try:
        if scope == "government":
            dashboard = selectors.dashboard_government(government=actor_get(slug=key))
        elif scope == "network":
            dashboard = selectors.dashboard_network(network=actor_get(slug=key))
        elif scope == "forum":
            dashboard = selectors.dashboard_forum(forum=consultation_selectors.forum_get(key=key))
        elif scope == "consultation":
            dashboard = selectors.dashboard_consultation(consultation=consultation_selectors.consultation_get(slug=key))
        elif scope == "objective":
            dashboard = selectors.dashboard_objective(item=item_get(kind=FrameworkKind.GCM_OBJECTIVE, code=key))
        else:
            raise Http404("No such dashboard scope.")
    except Actor.DoesNotExist:
        raise Http404("No actor with this slug.") from None
    return {
        "scope": dashboard.scope, "title": dashboard.title, "total": dashboard.total,
        "by_status": dashboard.by_status, "by_progress": dashboard.by_progress, "over_time": dashboard.over_time,
        "overdue_milestones": [{"milestone": m.title, "due_on": m.due_on, "commitment": m.commitment_id,
                                "public_id": m.commitment.public_id} for m in dashboard.overdue_milestones],
        "past_target": [c.pk for c in dashboard.past_target], "includes_demo": dashboard.includes_demo,
    }


@router.get("/calendar", response=list[ForumCalendarOut], url_name="commitment_calendar")
def commitment_calendar(request: HttpRequest) -> Any:
    """Forums with their submission windows (past, open, upcoming) and the public commitments reported to each."""
    data = selectors.calendar()
    return [
        {"key": row["forum"].key, "name": row["forum"].name, "kind": row["forum"].kind, "year": row["forum"].year,
         "starts_on": row["forum"].starts_on, "ends_on": row["forum"].ends_on,
         "windows": [{"id": e["window"].pk, "title": e["window"].title, "opens_at": e["window"].opens_at,
                      "closes_at": e["window"].closes_at, "state": e["state"], "asks": e["window"].asks,
                      "url": e["window"].url, "is_demo": e["window"].is_demo} for e in row["windows"]],
         "reports": [{"actor": r.commitment.lead.name, "commitment": r.commitment_id,
                      "public_id": r.commitment.public_id, "reported_on": r.reported_on} for r in row["reports"]]}
        for row in data["forums"]
    ]


# A file download, not JSON: left out of the OpenAPI schema, linked from the commitment page.
@router.get("/{pk}/file-once/{form}/{fmt}", url_name="commitment_file_once", include_in_schema=False)
def commitment_file_once(request: HttpRequest, pk: RecordId, form: str, fmt: str) -> HttpResponseBase:
    """The commitment in the fields of the UN Network's GCM pledge form (`un_gcm_pledge`) or of the Call to
    Local Action (`call_to_local_action`), as json, csv or docx (Arrival's mapping of their public fields)."""
    commitment, _reader_user = _visible(request, pk)
    if form not in file_once.FORMS or fmt not in file_once.FORMATS:
        raise Http404("No such export.")
    # The same prepared file as the page's address (arrival.reports): the latest build, or 503 + Retry-After.
    return prepared_file_response(kind=file_once.KIND, params={"pk": commitment.pk, "form": form}, fmt=fmt,
                                  public=commitment.is_public)


@router.get("/{pk}", response={200: CommitmentDetailOut, **_ERRORS}, url_name="commitment_detail")
def commitment_detail(request: HttpRequest, pk: RecordId) -> Any:
    commitment, reader = _visible(request, pk)
    return _detail(commitment.pk, reader)


@router.get("/{pk}/updates", response={200: list[ProgressUpdateOut], **_ERRORS}, url_name="commitment_updates")
def commitment_updates(request: HttpRequest, pk: RecordId) -> Any:
    """The history: every published update, newest first (and unpublished drafts for the team)."""
    commitment, reader = _visible(request, pk)
    return _updates_out(selectors.updates_for(commitment=commitment, viewer=reader))


@router.get("/{pk}/milestones", response={200: list[MilestoneOut], **_ERRORS}, url_name="commitment_milestones")
def commitment_milestones(request: HttpRequest, pk: RecordId) -> Any:
    commitment, _reader_user = _visible(request, pk)
    return [_milestone_out(m) for m in selectors.milestones_with_flags(commitment=commitment)]


# --- Writes ------------------------------------------------------------------------------------------------


@router.post("/", response={201: CommitmentDetailOut, **_ERRORS}, auth=write_auth, url_name="commitment_create")
def commitment_create(request: HttpRequest, payload: CommitmentIn) -> Any:
    """A new draft for a government or network the caller works for; with `source_contribution` or
    `source_paragraph` (of an adopted outcome document), prefilled from that record (the fields sent replace the
    prefilled ones)."""
    user = request_auth(request)
    data = payload.dict(exclude_unset=True)
    lead = _actors([data.pop("lead")])[0]
    contribution_id = data.pop("source_contribution", None)
    paragraph_id = data.pop("source_paragraph", None)
    data = _fields(data)
    from arrival.consultations import selectors as consultation_selectors

    if contribution_id is not None:
        contribution = consultation_selectors.contribution_get(pk=contribution_id, viewer=user)
        commitment = services.commitment_create_from_contribution(user=user, contribution=contribution, lead=lead,
                                                                  **data)
    elif paragraph_id is not None:
        paragraph = consultation_selectors.paragraph_get(pk=paragraph_id)
        commitment = services.commitment_create_from_paragraph(user=user, paragraph=paragraph, lead=lead, **data)
    else:
        commitment = services.commitment_create(user=user, lead=lead, title=data.pop("title", ""),
                                                description=data.pop("description", ""), **data)
    return Status(201, _detail(commitment.pk, user))


@router.patch("/{pk}", response={200: CommitmentDetailOut, **_ERRORS}, auth=write_auth, url_name="commitment_update")
def commitment_update(request: HttpRequest, pk: RecordId, payload: CommitmentPatch) -> Any:
    """Change a draft: only the fields sent."""
    commitment, user = _visible(request, pk)
    services.commitment_update(user=request_auth(request), commitment=commitment, **_fields(payload.dict(exclude_unset=True)))
    return _detail(commitment.pk, user)


_TRANSITIONS = {
    "submit-for-approval": services.commitment_submit_for_approval,
    "approve": services.commitment_approve,
    "submit": services.commitment_submit,
    "publish": services.commitment_publish,
}


@router.post("/{pk}/lifecycle/{step}", response={200: CommitmentDetailOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_lifecycle")
def commitment_lifecycle(request: HttpRequest, pk: RecordId, step: str) -> Any:
    """Move the commitment along: submit-for-approval, approve, submit, publish."""
    commitment, _reader_user = _visible(request, pk)
    if step not in _TRANSITIONS:
        raise Http404("No such step.")
    _TRANSITIONS[step](user=request_auth(request), commitment=commitment)
    return _detail(commitment.pk, request_auth(request))


@router.post("/{pk}/send-back", response={200: CommitmentDetailOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_send_back")
def commitment_send_back(request: HttpRequest, pk: RecordId, payload: ReasonIn) -> Any:
    commitment, _reader_user = _visible(request, pk)
    services.commitment_send_back(user=request_auth(request), commitment=commitment, reason=payload.reason)
    return _detail(commitment.pk, request_auth(request))


@router.post("/{pk}/close", response={200: CommitmentDetailOut, **_ERRORS}, auth=write_auth, url_name="commitment_close")
def commitment_close(request: HttpRequest, pk: RecordId, payload: CloseIn) -> Any:
    commitment, _reader_user = _visible(request, pk)
    services.commitment_close(user=request_auth(request), commitment=commitment, note=payload.note)
    return _detail(commitment.pk, request_auth(request))


@router.post("/{pk}/updates", response={201: ProgressUpdateOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_update_add")
def progress_update_add(request: HttpRequest, pk: RecordId, payload: ProgressUpdateIn) -> Any:
    """A dated progress update, published at once (never changed afterwards; a correction names `corrects`)."""
    commitment, _reader_user = _visible(request, pk)
    data = payload.dict()
    corrects = None
    if data.pop("corrects"):
        corrects = selectors.progress_update_get(commitment=commitment, pk=payload.corrects)
        if corrects is None:
            raise ValidationError("No update with this id on this commitment.")
    update = services.progress_update_add(user=request_auth(request), commitment=commitment, corrects=corrects, **data)
    return Status(201, _update_out(update))


@router.get("/{pk}/indicators/{indicator_id}/values", response={200: list[IndicatorValueOut], **_ERRORS},
            url_name="commitment_indicator_values")
def indicator_values(request: HttpRequest, pk: RecordId, indicator_id: RecordId) -> Any:
    """The indicator's series: every measured value, oldest first."""
    commitment, _reader_user = _visible(request, pk)
    indicator = selectors.indicator_get(commitment=commitment, pk=indicator_id)
    return _values_out(selectors.indicator_series(indicators=[indicator])[indicator.pk])


@router.post("/{pk}/indicators/{indicator_id}/values", response={201: list[IndicatorValueOut], **_ERRORS},
             auth=write_auth, url_name="commitment_indicator_value_add")
def indicator_value_add(request: HttpRequest, pk: RecordId, indicator_id: RecordId, payload: IndicatorValueIn) -> Any:
    """Add a measured value to the series; answers with the whole series."""
    commitment, _reader_user = _visible(request, pk)
    indicator = selectors.indicator_get(commitment=commitment, pk=indicator_id)
    services.indicator_value_set(user=request_auth(request), indicator=indicator, value=payload.value,
                                 measured_on=payload.measured_on)
    return Status(201, _values_out(selectors.indicator_series(indicators=[indicator])[indicator.pk]))


@router.post("/{pk}/milestones", response={201: MilestoneOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_milestone_add")
def milestone_add(request: HttpRequest, pk: RecordId, payload: MilestoneIn) -> Any:
    commitment, _reader_user = _visible(request, pk)
    milestone = services.milestone_add(user=request_auth(request), commitment=commitment, **payload.dict())
    return Status(201, _milestone_out(milestone))


@router.post("/{pk}/milestones/{milestone_id}/complete", response={200: MilestoneOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_milestone_complete")
def milestone_complete(request: HttpRequest, pk: RecordId, milestone_id: RecordId, payload: MilestoneDoneIn) -> Any:
    commitment, _reader_user = _visible(request, pk)
    milestone = Milestone.objects.filter(pk=milestone_id, commitment=commitment).select_related("commitment").first()
    if milestone is None:
        raise Http404("No milestone with this id on this commitment.")
    return _milestone_out(services.milestone_complete(user=request_auth(request), milestone=milestone, done_on=payload.done_on,
                                                      note=payload.note))


@router.post("/{pk}/forum-reports", response={201: ForumReportOut, **_ERRORS}, auth=write_auth,
             url_name="commitment_forum_report")
def forum_report_add(request: HttpRequest, pk: RecordId, payload: ForumReportIn) -> Any:
    """Record that the commitment was reported to a forum (by its key) on a date."""
    from arrival.consultations import selectors as consultation_selectors

    commitment, _reader_user = _visible(request, pk)
    forum = consultation_selectors.forum_get(key=payload.forum)
    report = services.commitment_report_to_forum(user=request_auth(request), commitment=commitment, forum=forum,
                                                 reported_on=payload.reported_on, summary=payload.summary)
    return Status(201, {"id": report.pk, "forum": forum.key, "forum_name": forum.name,
                        "reported_on": report.reported_on, "summary": report.summary})
