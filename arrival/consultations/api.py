"""API of consultations, mounted at /api/v1/consultations/.

Reads are public (hidden contributions only for their team): consultations with phases and questions,
contributions with where they ended up, documents with versions, paragraphs and their sources, endorsements,
forums. Writes need a token or the signed-in session with CSRF; the services check role, access and phase.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors.models import Actor
from arrival.consultations import selectors, services
from arrival.consultations.models import (
    Consultation,
    Contribution,
    DocumentVersion,
    Endorsement,
    OutcomeDocument,
)
from arrival.consultations.schemas import (
    AdoptIn,
    ConsultationDetailOut,
    ConsultationIn,
    ConsultationOut,
    ContributionIn,
    ContributionOut,
    ContributionPatch,
    CosignIn,
    DocumentOut,
    EndorsementIn,
    EndorsementOut,
    ForumOut,
    VersionIn,
    VersionOut,
    WithdrawIn,
)
from arrival.core.api import (
    PROBLEM_RESPONSES,
    PageNumberWithTotal,
    RecordId,
    api_reader,
    request_auth,
    write_auth,
)
from arrival.engagement.phases import PhaseSpec
from arrival.engagement.selectors import phase_label
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import item_get

router = Router(tags=["consultations"])
_ERRORS = PROBLEM_RESPONSES




def _actor_ref(actor: Actor) -> dict[str, Any]:
    return {"id": actor.pk, "slug": actor.slug, "name": actor.name, "kind": actor.kind}


def _actor(pk: int) -> Actor:
    actor = Actor.objects.filter(pk=pk).first()
    if actor is None:
        raise ValidationError(f"No actor with id {pk}.")
    return actor


def _tag_items(refs: list[str]) -> list[FrameworkItem]:
    items = []
    for ref in refs:
        kind, _sep, code = ref.partition(":")
        if kind not in FrameworkKind.values or not code:
            raise ValidationError(f"Tag {ref!r} is not kind:code (e.g. gcm_objective:15).")
        try:
            items.append(item_get(kind=kind, code=code))
        except Http404 as error:
            raise ValidationError(f"No framework item {ref!r}.") from error
    return items


class _Mapped:
    """A queryset seen through `fn`: the paginator counts in the database and maps only the page it serves."""

    def __init__(self, queryset: Any, fn: Any) -> None:
        self.queryset, self.fn = queryset, fn

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, page: slice) -> list[Any]:
        return list(self.fn(list(self.queryset[page])))


# --- Forums --------------------------------------------------------------------------------------------


class ForumFilter(Schema):
    kind: str | None = None


@router.get("/forums", response=list[ForumOut], url_name="forum_list")
def forum_list(request: HttpRequest, filters: Query[ForumFilter]) -> Any:
    return list(selectors.forum_list(kind=filters.kind))


@router.get("/forums/{key}", response={200: ForumOut, **_ERRORS}, url_name="forum_detail")
def forum_detail(request: HttpRequest, key: str) -> Any:
    return selectors.forum_get(key=key)


# --- Consultations -------------------------------------------------------------------------------------


class ConsultationFilter(Schema):
    forum: str | None = None  # forum key
    owner: RecordId | None = None  # owner actor id
    phase: str | None = None  # phase type key, e.g. consultations.call_for_input


def _consultation_out(consultation: Consultation, count: int | None = None) -> dict[str, Any]:
    phase = selectors.current_phase(consultation)
    if count is None:
        count = getattr(consultation, "contribution_count", None)
    if count is None:
        count = selectors.contribution_list(consultation=consultation).count()
    return {
        "slug": consultation.slug, "url": consultation.get_absolute_url(), "title": consultation.title,
        "purpose": consultation.purpose, "language": consultation.language, "translations": consultation.translations,
        "owner": _actor_ref(consultation.process.owner),
        "forum": consultation.forum.key if consultation.forum else None, "access": consultation.access,
        "current_phase": phase.phase_type if phase else None, "contribution_count": count,
        "is_demo": consultation.is_demo,
    }


@router.get("/", response=list[ConsultationOut], url_name="consultation_list")
@paginate(PageNumberWithTotal)
def consultation_list(request: HttpRequest, filters: Query[ConsultationFilter]) -> Any:
    forum = selectors.forum_get(key=filters.forum) if filters.forum else None
    owner = Actor.objects.filter(pk=filters.owner).first() if filters.owner else None
    if filters.owner and owner is None:
        return []
    found = selectors.consultation_list(forum=forum, owner=owner, phase_type=filters.phase)
    return [_consultation_out(c) for c in found]


@router.post("/", response={201: ConsultationDetailOut, **_ERRORS}, auth=write_auth, url_name="consultation_create")
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Any:
    """Open a consultation with its dated phases (staff of the owning network, agency or national government)."""
    data = payload.dict()
    forum = selectors.forum_get(key=data["forum"]) if data["forum"] else None
    questions = [services.QuestionSpec(text=q["text"], objective=_tag_items([f"gcm_objective:{q['gcm_objective']}"])[0]
                                       if q["gcm_objective"] else None) for q in data["questions"]]
    phases = [PhaseSpec(p["phase_type"], p["starts_at"], p["ends_at"], p["name"]) for p in data["phases"]]
    consultation = services.consultation_create(
        user=request_auth(request), owner=_actor(data["owner"]), title=data["title"], purpose=data["purpose"],
        phases=phases, forum=forum, access=data["access"],
        access_networks=[_actor(pk) for pk in data["access_networks"]], invited=[_actor(pk) for pk in data["invited"]],
        questions=questions, language=data["language"], time_zone=data["time_zone"], translations=data["translations"])
    return Status(201, _consultation_detail_out(selectors.consultation_get(slug=consultation.slug)))


@router.get("/contributions", response=list[ContributionOut], url_name="contribution_list")
@paginate(PageNumberWithTotal)
def contribution_list(request: HttpRequest, consultation: str | None = None, actor: RecordId | None = None) -> Any:
    if consultation:
        contributions = selectors.contribution_list(consultation=selectors.consultation_get(slug=consultation))
        if actor:
            contributions = contributions.filter(actor_id=actor)
    elif actor:
        contributions = selectors.contribution_list_for_actor(actor=_actor(actor), include_cosigned=False)
    else:
        raise ValidationError("Give a consultation (slug) or an actor (id).")
    return _Mapped(contributions, _contributions_out)


def _contributions_out(contributions: list[Contribution]) -> list[dict[str, Any]]:
    """Contributions as the API shows them; tags, versions and adopted paragraphs read in one query each."""
    ids = [c.pk for c in contributions]
    tags = selectors.tag_codes_for(records=contributions)
    refs = selectors.adopted_paragraph_refs(contribution_ids=ids)
    counts = selectors.version_counts(contribution_ids=ids)
    return [{
        "id": c.pk, "url": c.get_absolute_url(), "consultation": c.consultation.slug,
        "actor": _actor_ref(c.actor), "title": c.title, "summary": c.summary, "answers": c.answers,
        "proposed_actions": c.proposed_actions, "links": c.links, "language": c.language,
        "translations": c.translations, "status": c.status,
        "tags": [f"{item.framework.kind}:{item.code}" for item in tags.get(c.pk, [])],
        "cosigned_by": [_actor_ref(s.actor) for s in c.cosignatures.all()],
        "version_count": counts.get(c.pk, 0), "adopted_paragraphs": refs.get(c.pk, []),
        "is_demo": c.is_demo, "created_at": c.created_at,
    } for c in contributions]


def _contribution_out(contribution: Contribution) -> dict[str, Any]:
    return _contributions_out([contribution])[0]


@router.get("/contributions/{pk}", response={200: ContributionOut, **_ERRORS}, url_name="contribution_detail")
def contribution_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _contribution_out(selectors.contribution_get(pk=pk, viewer=api_reader(request)))


@router.post("/contributions", response={201: ContributionOut, **_ERRORS}, auth=write_auth,
             url_name="contribution_create")
def contribution_create(request: HttpRequest, payload: ContributionIn) -> Any:
    """A contribution for a government or network the caller works for, while the call for input runs."""
    data = payload.dict()
    consultation = selectors.consultation_get(slug=data.pop("consultation"))
    actor = _actor(data.pop("actor"))
    data["tags"] = _tag_items(data.pop("tags"))
    contribution = services.contribution_create(user=request_auth(request), consultation=consultation, actor=actor, **data)
    return Status(201, _contribution_out(selectors.contribution_get(pk=contribution.pk, viewer=request_auth(request))))


@router.patch("/contributions/{pk}", response={200: ContributionOut, **_ERRORS}, auth=write_auth,
              url_name="contribution_update")
def contribution_update(request: HttpRequest, pk: RecordId, payload: ContributionPatch) -> Any:
    """Change a contribution (a new version is kept) while the call for input runs: only the fields sent."""
    contribution = selectors.contribution_get(pk=pk, viewer=request_auth(request))
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "tags" in data:
        data["tags"] = _tag_items(data["tags"])
    services.contribution_update(user=request_auth(request), contribution=contribution, **data)
    return _contribution_out(selectors.contribution_get(pk=pk, viewer=request_auth(request)))


@router.post("/contributions/{pk}/withdraw", response={200: ContributionOut, **_ERRORS}, auth=write_auth,
             url_name="contribution_withdraw")
def contribution_withdraw(request: HttpRequest, pk: RecordId) -> Any:
    contribution = selectors.contribution_get(pk=pk, viewer=request_auth(request))
    services.contribution_withdraw(user=request_auth(request), contribution=contribution)
    return _contribution_out(selectors.contribution_get(pk=pk, viewer=request_auth(request)))


@router.post("/contributions/{pk}/cosign", response={200: ContributionOut, **_ERRORS}, auth=write_auth,
             url_name="contribution_cosign")
def contribution_cosign(request: HttpRequest, pk: RecordId, payload: CosignIn) -> Any:
    contribution = selectors.contribution_get(pk=pk, viewer=request_auth(request))
    services.contribution_cosign(user=request_auth(request), contribution=contribution, actor=_actor(payload.actor))
    return _contribution_out(selectors.contribution_get(pk=pk, viewer=request_auth(request)))


# --- Documents -----------------------------------------------------------------------------------------


def _document_out(document: OutcomeDocument) -> dict[str, Any]:
    return {
        "id": document.pk, "url": document.get_absolute_url(), "consultation": document.consultation.slug,
        "title": document.title, "language": document.language, "translations": document.translations,
        "kind": document.kind,
        "adopted_version": document.adopted_version.number if document.adopted_version else None,
        "adopted_at": document.adopted_at,
        "versions": [{"number": v.number, "note": v.note, "created_at": v.created_at, "frozen_at": v.frozen_at}
                     for v in selectors.version_list(document=document)],
        "endorsement_count": selectors.endorsement_count(document=document), "is_demo": document.is_demo,
    }


def _version_out(version: DocumentVersion) -> dict[str, Any]:
    rows = {row["paragraph"]: row for row in selectors.export_rows(version=version)}
    return {
        "number": version.number, "note": version.note, "created_at": version.created_at,
        "frozen_at": version.frozen_at,
        "paragraphs": [{"key": p.key, "position": p.position, "group": p.group_kind, "group_code": p.group_code,
                        "heading": p.heading, "text": p.text, "editorial": p.editorial,
                        "sources": [s.pk for s in p.sources.all()],
                        "framework_codes": rows[p.position]["framework_codes"]}
                       for p in selectors.paragraph_list(version=version)],
    }


@router.get("/documents/{pk}", response={200: DocumentOut, **_ERRORS}, url_name="document_detail")
def document_detail(request: HttpRequest, pk: RecordId) -> Any:
    return _document_out(selectors.document_get(pk=pk))


@router.get("/documents/{pk}/versions/{number}", response={200: VersionOut, **_ERRORS}, url_name="version_detail")
def version_detail(request: HttpRequest, pk: RecordId, number: RecordId) -> Any:
    document = selectors.document_get(pk=pk)
    return _version_out(selectors.version_get(document=document, number=number))


@router.post("/{slug}/compile", response={201: VersionOut, **_ERRORS}, auth=write_auth, url_name="document_compile")
def document_compile(request: HttpRequest, slug: str) -> Any:
    """Synthesis: compile the contributions into a new draft version (editors, during synthesis)."""
    version = services.outcome_draft_compile(user=request_auth(request), consultation=selectors.consultation_get(slug=slug))
    return Status(201, _version_out(version))


@router.post("/documents/{pk}/versions", response={201: VersionOut, **_ERRORS}, auth=write_auth,
             url_name="version_create")
def version_create(request: HttpRequest, pk: RecordId, payload: VersionIn) -> Any:
    """Editors rewrite the latest version: the paragraphs given, in order, become a new version."""
    document = selectors.document_get(pk=pk)
    edits = []
    for item in payload.paragraphs:
        sources = None
        if item.sources is not None:
            sources = list(Contribution.objects.filter(pk__in=item.sources, consultation=document.consultation))
            if len(sources) != len(set(item.sources)):
                raise ValidationError("A paragraph can cite only contributions to this consultation.")
        edits.append(services.ParagraphEdit(text=item.text, key=item.key or None, heading=item.heading,
                                            editorial=item.editorial, sources=sources))
    version = services.document_version_create(user=request_auth(request), document=document, paragraphs=edits,
                                               note=payload.note)
    return Status(201, _version_out(version))


@router.post("/documents/{pk}/adopt", response={200: DocumentOut, **_ERRORS}, auth=write_auth,
             url_name="document_adopt")
def document_adopt(request: HttpRequest, pk: RecordId, payload: AdoptIn) -> Any:
    document = selectors.document_get(pk=pk)
    version = selectors.version_get(document=document, number=payload.version)
    services.document_adopt(user=request_auth(request), document=document, version=version)
    return _document_out(selectors.document_get(pk=pk))


# --- Endorsements --------------------------------------------------------------------------------------


def _endorsement_out(e: Endorsement) -> dict[str, Any]:
    return {"id": e.pk, "document": e.document_id, "version": e.version.number, "actor": _actor_ref(e.actor),
            "signatory_name": e.signatory_name, "signatory_title": e.signatory_title, "authority": e.authority,
            "endorsed_at": e.endorsed_at, "withdrawn_at": e.withdrawn_at, "withdrawn_reason": e.withdrawn_reason,
            "is_demo": e.is_demo}


@router.get("/documents/{pk}/endorsements", response={200: list[EndorsementOut], **_ERRORS},
            url_name="endorsement_list")
def endorsement_list(request: HttpRequest, pk: RecordId, include_withdrawn: bool = False) -> Any:
    document = selectors.document_get(pk=pk)
    return [_endorsement_out(e) for e in selectors.endorsement_list(document=document,
                                                                    include_withdrawn=include_withdrawn)]


@router.post("/endorsements", response={201: EndorsementOut, **_ERRORS}, auth=write_auth,
             url_name="endorsement_create")
def endorsement_create(request: HttpRequest, payload: EndorsementIn) -> Any:
    data = payload.dict()
    document = selectors.document_get(pk=data.pop("document"))
    endorsement = services.endorsement_create(user=request_auth(request), document=document, actor=_actor(data.pop("actor")),
                                              **data)
    return Status(201, _endorsement_out(selectors.endorsement_get(pk=endorsement.pk)))


@router.post("/endorsements/{pk}/withdraw", response={200: EndorsementOut, **_ERRORS}, auth=write_auth,
             url_name="endorsement_withdraw")
def endorsement_withdraw(request: HttpRequest, pk: RecordId, payload: WithdrawIn) -> Any:
    """Withdraw an endorsement (someone holding a role in the endorsing actor), dated and with a reason."""
    endorsement = services.endorsement_withdraw(user=request_auth(request), endorsement=selectors.endorsement_get(pk=pk),
                                                reason=payload.reason)
    return _endorsement_out(selectors.endorsement_get(pk=endorsement.pk))


# Consultation detail last: "/{slug}" would otherwise shadow the fixed paths above.
@router.get("/{slug}", response={200: ConsultationDetailOut, **_ERRORS}, url_name="consultation_detail")
def consultation_detail(request: HttpRequest, slug: str) -> Any:
    return _consultation_detail_out(selectors.consultation_get(slug=slug))


def _consultation_detail_out(consultation: Consultation) -> dict[str, Any]:
    current = selectors.current_phase(consultation)
    return {
        **_consultation_out(consultation),
        "phases": [{"phase_type": p.phase_type, "label": phase_label(p), "starts_at": p.starts_at,
                    "ends_at": p.ends_at, "actions": list(p.actions), "current": current is not None and p.pk == current.pk}
                   for p in sorted(consultation.process.phases.all(), key=lambda p: p.position)],
        "questions": [{"id": q.pk, "position": q.position, "text": q.text,
                       "gcm_objective": q.objective.code if q.objective else None} for q in consultation.questions.all()],
        "access_networks": [_actor_ref(a) for a in consultation.access_networks.all()],
        "invited": [_actor_ref(a) for a in consultation.invited.all()],
        "documents": list(consultation.documents.values_list("pk", flat=True)),
    }
