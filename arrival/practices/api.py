"""API of practices, mounted at /api/v1/practices/.

Reads: published practices (list with filters, detail, search in any language, open-data CSV/JSON) are
public; a practice in progress is served only to those who may see it. Writes need a token or the signed-in
session with its CSRF token: the city's team creates, edits and submits; an assigned reviewer answers the
invitation and submits the review. Reviews never carry reviewer identities for authors (the selector decides).
"""


from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors.models import Actor
from arrival.core.api import (
    PROBLEM_RESPONSES,
    PageNumber,
    PageNumberWithTotal,
    RecordId,
    Year,
    api_reader,
    request_auth,
    write_auth,
)
from arrival.core.permissions import require
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import item_get
from arrival.practices import exports, search, selectors, services
from arrival.practices.models import CallForPractices, Practice, ReviewAssignment
from arrival.practices.schemas import (
    PracticeAssignmentOut,
    PracticeDetailOut,
    PracticeIn,
    PracticeOut,
    PracticePatch,
    RespondIn,
    ReviewIn,
    ReviewSubmittedOut,
    SearchOut,
    SubmitIn,
    TranslationsIn,
)
from arrival.reports.responses import prepared_file_response

router = Router(tags=["practices"])

_ERRORS = PROBLEM_RESPONSES


class PracticeFilter(Schema):
    objective: str | None = None  # GCM objective number
    language: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    government: RecordId | None = None
    region: str | None = None  # UN M49 region
    year: Year | None = None  # year published


class SearchQuery(Schema):
    q: str = ""
    mode: str = "hybrid"
    page: PageNumber = 1
    objective: list[str] = []
    theme: list[str] = []
    region: list[str] = []
    country: list[str] = []
    population: list[str] = []
    status: list[str] = []
    stage: list[str] = []
    language: list[str] = []
    year: list[str] = []


class _Mapped:
    """A queryset seen through `fn`, so the paginator counts in the database and maps only the page it serves."""

    def __init__(self, queryset: QuerySet[Any], fn: Callable[[list[Any]], list[Any]]) -> None:
        self.queryset, self.fn = queryset, fn

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[Any]:
        return self.fn(list(self.queryset[page]))




def _government_out(actor: Actor) -> dict[str, Any]:
    country = actor.country if actor.country_id else None
    return {"id": actor.pk, "slug": actor.slug, "name": actor.name, "country": country.code if country else "",
            "region": country.region if country else ""}


def _practice_out(practice: Practice, tags: list[str]) -> dict[str, Any]:
    return {
        "slug": practice.slug, "url": practice.get_absolute_url(), "title": practice.title,
        "summary": practice.summary, "language": practice.language, "translations": practice.translations,
        "status": practice.status,
        "stage": practice.stage, "governments": [_government_out(g) for g in practice.governments.all()],
        "tags": tags, "themes": practice.themes, "started": practice.started, "ended": practice.ended,
        "published_at": practice.published_at,
        "adapted_from": practice.adapted_from.slug if practice.adapted_from else None,
        "is_demo": practice.is_demo,
    }


def _many_out(practices: list[Practice]) -> list[dict[str, Any]]:
    tags = selectors.tag_codes_for(practice_ids=[p.pk for p in practices])
    return [_practice_out(p, tags.get(p.pk, [])) for p in practices]


def _review_out(row: dict[str, Any]) -> dict[str, Any]:
    actor = row["reviewer_actor"]
    return {**{key: row[key] for key in ("number", "role", "relevance", "evidence", "replicability", "sustainability",
                                         "rights_based", "participation", "overall", "comments", "language",
                                         "recommendation", "submitted_at", "reviewer_name", "conflicts_declared")},
            "reviewer_government": actor.name if actor is not None else None}


def _detail_out(practice: Practice, reader: Any) -> dict[str, Any]:
    curator = bool(getattr(reader, "is_authenticated", False)) and reader.has_perm("practices.curate_practice", practice)
    tags = selectors.tag_codes_for(practice_ids=[practice.pk]).get(practice.pk, [])
    return {
        **_practice_out(practice, tags),
        **{name: getattr(practice, name) for name in (
            "problem", "approach", "results", "lessons", "replication_conditions", "target_groups", "budget",
            "funding_sources", "contact_role", "other_languages", "adaptation_note", "decision_reasons")},
        "partners": [p.name for p in practice.partners.all()],
        "call": practice.call.slug if practice.call else None,
        "quantitative_results": list(practice.quantitative_results.all()),
        "links": list(practice.links.all()),
        "images": [{"url": reverse("core:attachment_download", args=[image.attachment_id]), "alt_text": image.alt_text}
                   for image in practice.images.all()],
        "reviews": [_review_out(row) for row in selectors.reviews_for_practice(practice=practice, viewer=reader)],
        "needs_extra_reviewer": selectors.needs_extra_reviewer(practice=practice) if curator else None,
    }


def _practice_or_404(slug: str) -> Practice:
    try:
        return selectors.practice_get(slug=slug)
    except Practice.DoesNotExist:
        raise Http404("No practice with this slug.") from None


def _visible(request: HttpRequest, slug: str) -> tuple[Practice, Any]:
    practice, reader = _practice_or_404(slug), api_reader(request)
    if not reader.has_perm("practices.view_practice", practice):
        raise Http404("No practice with this slug.")  # in-progress practices stay invisible to others
    return practice, reader


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


def _actor(pk: int) -> Actor:
    actor = Actor.objects.filter(pk=pk).first()
    if actor is None:
        raise ValidationError(f"No actor with id {pk}.")
    return actor


# --- Reads -----------------------------------------------------------------------------------------


@router.get("/", response=list[PracticeOut], url_name="practice_list")
@paginate(PageNumberWithTotal)
def practice_list(request: HttpRequest, filters: Query[PracticeFilter]) -> Any:
    """Published practices, newest first."""
    practices = selectors.practice_list_published().select_related("adapted_from")
    if filters.objective:
        practices = practices.filter(pk__in=selectors.practices_tagged_ids(kind=FrameworkKind.GCM_OBJECTIVE,
                                                                            code=filters.objective))
    if filters.language:
        practices = practices.filter(language=filters.language)
    if filters.country:
        practices = practices.filter(governments__country__code=filters.country.upper())
    if filters.region:
        practices = practices.filter(governments__country__region=filters.region)
    if filters.government:
        practices = practices.filter(governments=filters.government)
    if filters.year:
        practices = practices.filter(published_at__year=filters.year)
    if filters.country or filters.region:
        practices = practices.filter(pk__in=practices.values("pk")).distinct()
    return _Mapped(practices, _many_out)


@router.get("/search", response=SearchOut, url_name="practice_search")
def practice_search(request: HttpRequest, query: Query[SearchQuery]) -> Any:
    """One box in any language: full text, meaning (multilingual embeddings) or both (hybrid), with facets."""
    if query.mode not in search.MODES:
        raise ValidationError(f"mode must be one of {', '.join(search.MODES)}.")
    facets = {name: values for name, values in query.dict().items()
              if name not in ("q", "mode", "page") and values}
    outcome = search.practice_search(q=query.q, facets=facets, mode=query.mode, page=max(1, query.page))
    practices = [practice for practice, _score, _why in outcome["results"]]
    out = {p["slug"]: p for p in _many_out(practices)}
    return {
        "total": outcome["total"], "page": outcome["page"], "pages": outcome["pages"], "mode": outcome["mode"],
        "results": [{"practice": out[practice.slug], "score": score, "why": why}
                    for practice, score, why in outcome["results"]],
        "facets": {name: [{"value": str(value), "label": str(label), "count": count} for value, label, count in rows]
                   for name, rows in outcome["facets"].items()},
    }


# File downloads, not JSON: the same prepared files as /practices/open-data.<fmt> (arrival.reports), the
# latest build or 503 with Retry-After during the first; linked from the practices pages.
@router.get("/open-data.csv", url_name="practice_open_data_csv", include_in_schema=False)
def open_data_csv(request: HttpRequest) -> HttpResponseBase:
    """Every published practice as one CSV table (tags as codes; licence, version and source in the last columns)."""
    return prepared_file_response(kind=exports.KIND_OPEN_DATA, params={}, fmt="csv", public=True)


@router.get("/open-data.json", url_name="practice_open_data_json", openapi_extra={"responses": {200: {
    "description": "metadata (title, version, licence, source, generated_at) and data (one object per practice)",
    "content": {"application/json": {"schema": {"type": "object", "properties": {
        "metadata": {"type": "object"}, "data": {"type": "array", "items": {"type": "object"}}}}}}},
    503: {"description": "The file's first build is running: ask again after `Retry-After` seconds",
          "headers": {"Retry-After": {"schema": {"type": "integer"}}}}}})
def open_data_json(request: HttpRequest) -> HttpResponseBase:
    """Every published practice as JSON: `metadata` (licence, version) and `data`."""
    return prepared_file_response(kind=exports.KIND_OPEN_DATA, params={}, fmt="json", public=True)


@router.get("/assignments", response={200: list[PracticeAssignmentOut], **_ERRORS}, auth=write_auth, url_name="assignment_list")
def assignment_list(request: HttpRequest) -> Any:
    """The review invitations and reviews of the signed-in reviewer."""
    return [
        {"id": a.pk, "practice": a.practice.slug, "practice_title": a.practice.title, "role": a.role,
         "status": a.status, "reviewer_government": a.reviewer_actor.name, "due_at": a.due_at}
        for a in selectors.assignments_for_user(user=request_auth(request))
    ]


@router.get("/{slug}", response={200: PracticeDetailOut, **_ERRORS}, url_name="practice_detail")
def practice_detail(request: HttpRequest, slug: str) -> Any:
    practice, reader = _visible(request, slug)
    return _detail_out(practice, reader)


# --- Author writes ---------------------------------------------------------------------------------


@router.post("/", response={201: PracticeDetailOut, **_ERRORS}, auth=write_auth, url_name="practice_create")
def practice_create(request: HttpRequest, payload: PracticeIn) -> Any:
    """A new draft for a government the caller works for (officer or administrator)."""
    user = request_auth(request)
    data = payload.dict()
    government = _actor(data.pop("government"))
    require(user, "practices.add_practice", government)
    data["tags"] = _tag_items(data.pop("tags"))
    practice = services.practice_create(user=user, government=government, **data)
    return Status(201, _detail_out(selectors.practice_get(slug=practice.slug), user))


@router.patch("/{slug}", response={200: PracticeDetailOut, **_ERRORS}, auth=write_auth, url_name="practice_update")
def practice_update(request: HttpRequest, slug: str, payload: PracticePatch) -> Any:
    """Change a draft (or a practice sent back for revision): only the fields sent."""
    user = request_auth(request)
    practice = _practice_or_404(slug)
    require(user, "practices.change_practice", practice)
    data = payload.dict(exclude_unset=True)
    if "tags" in data:
        data["tags"] = _tag_items(data["tags"] or [])
    if "governments" in data:
        data["governments"] = [_actor(pk) for pk in data["governments"] or []]
    services.practice_update(user=user, practice=practice, **data)
    return _detail_out(selectors.practice_get(slug=slug), user)


@router.put("/{slug}/translations", response={200: PracticeDetailOut, **_ERRORS}, auth=write_auth,
            url_name="practice_translations")
def practice_translations(request: HttpRequest, slug: str, payload: TranslationsIn) -> Any:
    """Replace the translations of a practice (its team, while editable or once published)."""
    user = request_auth(request)
    practice = _practice_or_404(slug)
    services.practice_translations_set(user=user, practice=practice, translations=payload.translations)
    return _detail_out(selectors.practice_get(slug=slug), user)


@router.post("/{slug}/submit", response={200: PracticeDetailOut, **_ERRORS}, auth=write_auth, url_name="practice_submit")
def practice_submit(request: HttpRequest, slug: str, payload: SubmitIn) -> Any:
    """Send a complete draft to the curators, optionally answering an open call."""
    user = request_auth(request)
    practice = _practice_or_404(slug)
    call = None
    if payload.call:
        call = CallForPractices.objects.filter(slug=payload.call).first()
        if call is None:
            raise ValidationError(f"No call for practices {payload.call!r}.")
    organisation = _actor(payload.curating_organisation) if payload.curating_organisation else None
    services.practice_submit(user=user, practice=practice, call=call, curating_organisation=organisation)
    return _detail_out(selectors.practice_get(slug=slug), user)


# --- Reviewer writes -------------------------------------------------------------------------------


def _assignment(request: HttpRequest, pk: RecordId) -> ReviewAssignment:
    try:
        assignment = selectors.assignment_get(pk=pk)
    except ReviewAssignment.DoesNotExist:
        raise Http404("No review assignment with this id.") from None
    if assignment.reviewer_id != request_auth(request).pk:
        raise Http404("No review assignment with this id.")  # someone else's invitation is not disclosed
    return assignment


@router.post("/assignments/{pk}/respond", response={200: PracticeAssignmentOut, **_ERRORS}, auth=write_auth,
             url_name="assignment_respond")
def assignment_respond(request: HttpRequest, pk: RecordId, payload: RespondIn) -> Any:
    """Accept (declaring conflicts of interest, or none) or decline an invitation to review."""
    assignment = services.review_respond(user=request_auth(request), assignment=_assignment(request, pk), **payload.dict())
    return {"id": assignment.pk, "practice": assignment.practice.slug, "practice_title": assignment.practice.title,
            "role": assignment.role, "status": assignment.status, "reviewer_government": assignment.reviewer_actor.name}


@router.post("/assignments/{pk}/review", response={201: ReviewSubmittedOut, **_ERRORS}, auth=write_auth,
             url_name="assignment_review")
def assignment_review(request: HttpRequest, pk: RecordId, payload: ReviewIn) -> Any:
    """Submit the rubric: six criteria scored 1–5, comments and a recommendation."""
    review = services.review_submit(user=request_auth(request), assignment=_assignment(request, pk), **payload.dict())
    return Status(201, {"assignment": pk, "overall": round(review.overall, 2)})
