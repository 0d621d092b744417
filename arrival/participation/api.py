"""API of participation, mounted at /api/v1/participation/.

Reads are public (visible proposals only). Writes need a token or the signed-in session with its CSRF token:
posting a proposal and supporting go through the same services, phase gates and rate limit as the pages;
answers are for the city's team. Guests post through the pages (they have no token).
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.core.api import (
    MAX_INT32,
    PROBLEM_RESPONSES,
    PageNumber,
    PageNumberWithTotal,
    RecordId,
    request_auth,
    write_auth,
)
from arrival.core.permissions import require
from arrival.engagement.models import Visibility
from arrival.participation import selectors, services
from arrival.participation.models import AnswerStatus, Category, Neighbourhood, ParticipationProcess, Proposal
from arrival.participation.schemas import (
    ParticipationAnswerIn,
    ParticipationAnswerOut,
    ProcessOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ReportBackOut,
    SupportOut,
)

router = Router(tags=["participation"])

_ERRORS = PROBLEM_RESPONSES


class ProposalQuery(Schema):
    category: RecordId | None = None
    neighbourhood: RecordId | None = None
    status: RecordId | None = None
    language: str | None = None
    kind: str | None = None
    sort: str = "newest"
    seed: int = Field(1, ge=0, le=MAX_INT32)


def _process_out(process: ParticipationProcess) -> dict[str, Any]:
    return {
        "slug": process.slug, "url": process.get_absolute_url(), "title": process.title,
        "owner": process.owner.name, "owner_slug": process.owner.slug, "purpose": process.purpose,
        "input_use": process.input_use, "language": process.language, "translations": process.translations,
        "languages": process.languages, "access": process.access,
        "privacy_notice": services.privacy_notice_text(process), "retention_months": process.retention_months,
        "phases": [{"phase_type": p.phase_type, "name": p.name, "starts_at": p.starts_at, "ends_at": p.ends_at,
                    "actions": p.actions} for p in process.process.phases.all()],
        "is_demo": process.is_demo,
    }


def _proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk, "url": p.get_absolute_url(), "process": p.process.slug if "process" in p._state.fields_cache
        else "", "kind": p.kind, "title": p.title, "body": p.body, "language": p.language,
        "category": p.category.name if p.category else None,
        "neighbourhood": p.neighbourhood.name if p.neighbourhood else None,
        "author_name": p.author.public_name if p.author else None, "support_count": p.support_count,
        "status": p.status.label if p.status else None, "status_kind": p.status.kind if p.status else None,
        "created_at": p.created_at, "is_demo": p.is_demo,
    }


def _detail_out(p: Proposal) -> dict[str, Any]:
    answers = selectors.answer_history(proposal=p)
    current = answers[0] if answers else None
    return {
        **_proposal_out(p),
        "translations": [{"language": t.language, "title": t.title, "body": t.body} for t in p.translations.all()],
        "answer": None if current is None else {
            "status": current.status.label, "status_kind": current.status.kind, "text": current.text,
            "reasons": current.reasons, "language": current.language, "translations": current.translations,
            "created_at": current.created_at, "is_demo": current.is_demo},
        "links": [{"kind": link.kind, "label": link.label, "url": link.url} for link in p.links.all()],
    }


def _visible_proposal(pk: int) -> Proposal:
    proposal = selectors.proposal_get(pk=pk)
    if proposal.visibility != Visibility.VISIBLE:
        raise Http404("No proposal with this number.")
    return proposal


@router.get("/processes", response=list[ProcessOut], url_name="participation_process_list")
@paginate(PageNumberWithTotal)
def process_list(request: HttpRequest) -> Any:
    """Processes with a phase running or still to come."""
    return [_process_out(p) for p in selectors.process_list_open().prefetch_related("process__phases")]


@router.get("/processes/{slug}", response={200: ProcessOut, **_ERRORS}, url_name="participation_process_detail")
def process_detail(request: HttpRequest, slug: str) -> Any:
    return _process_out(selectors.process_get(slug=slug))


class _Page:
    """A queryset seen through `_proposal_out`: the paginator counts in the database and maps only its page."""

    def __init__(self, proposals: selectors.CountedProposals, slug: str) -> None:
        self.proposals, self.slug = proposals, slug

    def __len__(self) -> int:
        return self.proposals.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [{**_proposal_out(p), "process": self.slug} for p in self.proposals[page]]


@router.get("/processes/{slug}/proposals", response={200: list[ProposalOut], **_ERRORS},
            url_name="participation_proposal_list")
@paginate(PageNumberWithTotal)
def proposal_list(request: HttpRequest, slug: str, query: Query[ProposalQuery]) -> Any:
    """Visible proposals, filtered by category, neighbourhood, status, language or kind; sorted newest,
    supported (most supports first) or random (seeded: the same seed gives the same order)."""
    process = selectors.process_get(slug=slug)
    if query.sort not in selectors.SORTS:
        raise ValidationError(f"sort must be one of {', '.join(selectors.SORTS)}.")
    filters = selectors.ProposalFilters(**query.dict())
    return _Page(selectors.CountedProposals(process=process, filters=filters), process.slug)


@router.get("/processes/{slug}/report-back", response={200: ReportBackOut, **_ERRORS},
            url_name="participation_report_back")
def report_back(request: HttpRequest, slug: str, page: PageNumber = 1) -> Any:
    """What happened to every input: counts by status and, 50 a page (most supported first), each input with
    its current answer and links."""
    process = selectors.process_get(slug=slug)
    report = selectors.report_back(process=process, page=max(1, page))
    return {
        "process": process.slug, "total": report["total"], "unanswered": report["unanswered"],
        "hidden": report["hidden"], "page": report["page"].number, "pages": report["page"].paginator.num_pages,
        "by_status": [{"status": row["status"].label, "status_kind": row["status"].kind, "count": row["count"]}
                      for row in report["by_status"]],
        "rows": [{
            "proposal": row["proposal"].pk,
            "title": row["proposal"].title if row["proposal"].visibility == Visibility.VISIBLE else "",
            "support_count": row["proposal"].support_count,
            "status": row["proposal"].status.label if row["proposal"].status else None,
            "answer": row["answer"].text if row["answer"] else None,
            "links": [{"kind": link.kind, "label": link.label, "url": link.url} for link in row["links"]],
        } for row in report["rows"]],
    }


@router.get("/proposals/{pk}", response={200: ProposalDetailOut, **_ERRORS}, url_name="participation_proposal_detail")
def proposal_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _detail_out(_visible_proposal(pk))


@router.post("/proposals", response={201: ProposalDetailOut, **_ERRORS}, auth=write_auth,
             url_name="participation_proposal_create")
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Any:
    """Post a need or a proposal (the current phase must allow it)."""
    process = selectors.process_get(slug=payload.process)
    category = neighbourhood = None
    if payload.category is not None:
        category = Category.objects.filter(process=process, pk=payload.category).first()
        if category is None:
            raise ValidationError({"category": "No such category in this process."})
    if payload.neighbourhood is not None:
        neighbourhood = Neighbourhood.objects.filter(owner=process.owner_id, pk=payload.neighbourhood).first()
        if neighbourhood is None:
            raise ValidationError({"neighbourhood": "No such neighbourhood in this city."})
    proposal = services.proposal_create(user=request_auth(request), process=process, kind=payload.kind, title=payload.title,
                                        body=payload.body, language=payload.language, category=category,
                                        neighbourhood=neighbourhood)
    return Status(201, _detail_out(selectors.proposal_get(pk=proposal.pk)))


@router.post("/proposals/{pk}/support", response={200: SupportOut, **_ERRORS}, auth=write_auth,
             url_name="participation_support")
def support(request: HttpRequest, pk: RecordId) -> Any:
    """Support a proposal (once per person, while the phase allows supporting)."""
    proposal = _visible_proposal(pk)
    services.support_create(user=request_auth(request), proposal=proposal)
    return {"proposal": pk, "support_count": Proposal.objects.get(pk=pk).support_count, "supported": True}


@router.delete("/proposals/{pk}/support", response={200: SupportOut, **_ERRORS}, auth=write_auth,
               url_name="participation_support_withdraw")
def support_withdraw(request: HttpRequest, pk: RecordId) -> Any:
    proposal = _visible_proposal(pk)
    services.support_withdraw(user=request_auth(request), proposal=proposal)
    return {"proposal": pk, "support_count": Proposal.objects.get(pk=pk).support_count, "supported": False}


@router.post("/proposals/{pk}/answers", response={201: ParticipationAnswerOut, **_ERRORS}, auth=write_auth,
             url_name="participation_answer_create")
def answer_create(request: HttpRequest, pk: RecordId, payload: ParticipationAnswerIn) -> Any:
    """The city's team answers with one of its statuses and a public text; the author is notified."""
    proposal = selectors.proposal_get(pk=pk)
    require(request_auth(request), "participation.change_participationprocess", proposal)
    status = AnswerStatus.objects.filter(pk=payload.status, owner=proposal.process.owner_id).first()
    if status is None:
        raise ValidationError({"status": "Choose one of this city's statuses."})
    answer = services.answer_create(user=request_auth(request), proposal=proposal, status=status, text=payload.text,
                                    reasons=payload.reasons, language=payload.language,
                                    translations=payload.translations)
    return Status(201, {"status": status.label, "status_kind": status.kind, "text": answer.text,
                        "reasons": answer.reasons, "language": answer.language, "translations": answer.translations,
                        "created_at": answer.created_at, "is_demo": answer.is_demo})
