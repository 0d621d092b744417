"""API of planning, mounted at /api/v1/planning/. Nothing here is public: every route needs a token or the
signed-in session, and answers with the same permissions as the pages — planners see their rounds whole;
a locality's people see the round, their own declaration, the published plans' certificate, their own
aggregate allocation and their own objection threads; case-level assignment only for the round's national planners.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from arrival.accounts.selectors import actor_ids_for
from arrival.actors.models import Actor
from arrival.core.api import PROBLEM_RESPONSES, PageNumberWithTotal, RecordId, session_only_auth, write_auth
from arrival.planning import selectors, services
from arrival.planning.models import (
    CaseAccessGrant,
    Declaration,
    DialogueMessage,
    IntakeRound,
    LocalityResponse,
    Plan,
)
from arrival.planning.schemas import (
    DeclarationIn,
    DeclarationOut,
    KeyOut,
    MessageIn,
    MessageOut,
    PlanningAssignmentOut,
    PlanningCaseGrantIn,
    PlanningCaseGrantOut,
    PlanOut,
    ResponseIn,
    ResponseOut,
    RoundOut,
)

router = Router(tags=["planning"], auth=write_auth)

_ERRORS = PROBLEM_RESPONSES


def _round(request: HttpRequest, round_id: RecordId, perm: str = "planning.view_intakeround") -> IntakeRound:
    try:
        intake_round = selectors.round_get(pk=round_id)
    except IntakeRound.DoesNotExist:
        raise Http404("No such round.") from None
    if not request.user.has_perm(perm, intake_round):
        raise PermissionDenied("You may not see this round.")
    return intake_round


def _round_out(r: IntakeRound) -> dict[str, Any]:
    return {
        "id": r.pk, "title": r.title, "government": r.government_id, "government_name": r.government.name,
        "period_start": r.period_start, "period_end": r.period_end, "total": r.total, "deadline": r.deadline,
        "status": r.status, "key_name": r.key_name, "key_weights": r.key_weights, "band": r.band,
        "weights": {"outcome": r.weight_outcome, "preference": r.weight_preference, "demand": r.weight_demand},
        "unplaced_penalty": r.unplaced_penalty, "currency": r.currency, "undeclared_rule": r.undeclared_rule,
        "case_languages": list(r.case_languages or []), "case_groups": list(r.case_groups or []),
        "categories": [{"code": c.code, "label": c.label} for c in r.categories.all()],
        "localities": [{"id": loc.actor_id, "name": loc.actor.name, "region": loc.region_id,
                        "region_name": loc.region.name if loc.region is not None else ""}
                       for loc in r.localities.all()],
        "is_demo": r.is_demo,
    }


def _declaration_out(d: Declaration) -> dict[str, Any]:
    snap = services.declaration_snapshot(d)
    return {"id": d.pk, "round": d.round_id, "locality": d.actor_id, "locality_name": d.actor.name, "status": d.status,
            "capacities": snap["capacities"], "labour_demand": snap["labour_demand"],
            "places_volunteered": d.places_volunteered, "funding_needs": snap["funding_needs"], "notes": d.notes,
            "submitted_at": d.submitted_at, "is_demo": d.is_demo}


@router.get("/rounds", response=list[RoundOut], url_name="planning_round_list")
@paginate(PageNumberWithTotal)
def round_list(request: HttpRequest) -> Any:
    """The rounds the reader plans or takes part in."""
    rounds = selectors.round_list(user=request.user).prefetch_related("categories", "localities__actor",
                                                                     "localities__region")
    return [_round_out(r) for r in rounds]


@router.get("/rounds/{round_id}", response={200: RoundOut, **_ERRORS}, url_name="planning_round_detail")
def round_detail(request: HttpRequest, round_id: RecordId) -> Any:
    return _round_out(_round(request, round_id))


@router.get("/rounds/{round_id}/declarations", response={200: list[DeclarationOut], **_ERRORS},
            url_name="planning_declaration_list")
def declaration_list(request: HttpRequest, round_id: RecordId) -> Any:
    """Planners: every declaration; a locality's people: their own only."""
    intake_round = _round(request, round_id)
    return [_declaration_out(d) for d in selectors.declarations_visible(user=request.user, intake_round=intake_round)]


def _locality(intake_round: IntakeRound, locality_id: int) -> Actor:
    locality = intake_round.localities.select_related("actor").filter(actor_id=locality_id).first()
    if locality is None:
        raise Http404("This government does not take part in the round.")
    return locality.actor


@router.get("/rounds/{round_id}/declarations/{locality_id}", response={200: DeclarationOut, **_ERRORS},
            url_name="planning_declaration_detail")
def declaration_detail(request: HttpRequest, round_id: RecordId, locality_id: RecordId) -> Any:
    intake_round = _round(request, round_id)
    actor = _locality(intake_round, locality_id)
    declaration = selectors.declaration_get(intake_round=intake_round, actor_id=actor.pk)
    if declaration is None:
        raise Http404("Nothing declared yet.")
    if not request.user.has_perm("planning.view_declaration", declaration):
        raise PermissionDenied("This declaration is for the locality and the round's planners.")
    return _declaration_out(declaration)


@router.put("/rounds/{round_id}/declarations/{locality_id}", response={200: DeclarationOut, **_ERRORS},
            url_name="planning_declaration_save")
def declaration_save(request: HttpRequest, round_id: RecordId, locality_id: RecordId, payload: DeclarationIn) -> Any:
    """Save (and with `submit`, submit) the locality's declaration; its officers and administrators only."""
    intake_round = _round(request, round_id)
    actor = _locality(intake_round, locality_id)
    declaration = services.declaration_save(
        user=request.user, intake_round=intake_round, actor=actor,
        capacities={k: {"value": v.value, "state": v.state} for k, v in payload.capacities.items()},
        labour=payload.labour, places_volunteered=payload.places_volunteered, funding_needs=payload.funding_needs,
        notes=payload.notes, submit=payload.submit)
    saved = selectors.declaration_get(intake_round=intake_round, actor_id=declaration.actor_id)
    return _declaration_out(saved if saved is not None else declaration)


@router.get("/rounds/{round_id}/keys", response={200: list[KeyOut], **_ERRORS}, url_name="planning_key_list")
def key_list(request: HttpRequest, round_id: RecordId) -> Any:
    """Every key computed on the round's current inputs (planners); keys that lack inputs are left out."""
    intake_round = _round(request, round_id, "planning.change_intakeround")
    out = []
    names = ["population", "koenigstein", "eu2015"] + (["custom"] if intake_round.key_weights else [])
    for name in names:
        try:
            result = services.key_results(intake_round=intake_round, key_name=name)
        except ValidationError:
            continue
        out.append({"name": name, "formula": result["formula"], "weights": result["weights"],
                    "multilevel": result["multilevel"], "notes": services.key_notes(result),
                    "quotas": {k: v["quota"] for k, v in result["by_locality"].items()},
                    "shares": {k: v["share"] for k, v in result["by_locality"].items()}})
    return out


def _plan_out(plan: Plan, actor_ids: set[int] | None) -> dict[str, Any]:
    allocations = [{"locality": a.actor_id, "locality_name": a.actor.name, "category": a.category,
                    "persons": a.persons, "families": a.families, "service_units": a.service_units}
                   for a in selectors.allocation_rows(plan=plan, actor_ids=actor_ids)]
    metrics = plan.metrics
    if actor_ids is not None:  # a locality reads the certificate and its own numbers, not the others'
        keep = {str(i) for i in actor_ids}
        metrics = {k: ({a: b for a, b in v.items() if a in keep} if isinstance(v, dict) and k in (
            "persons_by_locality", "key_quota", "key_deviation") else v)
            for k, v in metrics.items() if k not in ("service_use", "capacity")}
    return {"id": plan.pk, "round": plan.round_id, "version": plan.version, "status": plan.status,
            "objective": plan.objective, "bound": plan.bound, "gap": plan.gap, "seconds": plan.seconds,
            "method": plan.method, "baselines": plan.baselines, "metrics": metrics, "published_at": plan.published_at,
            "allocations": allocations, "is_demo": plan.is_demo}


def _reader_scope(request: HttpRequest, intake_round: IntakeRound) -> set[int] | None:
    if selectors.is_planner(user=request.user, intake_round=intake_round):
        return None
    return actor_ids_for(request.user) & set(intake_round.localities.values_list("actor_id", flat=True))


@router.get("/rounds/{round_id}/plans", response={200: list[PlanOut], **_ERRORS}, url_name="planning_plan_list")
def plan_list(request: HttpRequest, round_id: RecordId) -> Any:
    """Plans with certificate, baselines and aggregate allocations (localities: published versions, own rows)."""
    intake_round = _round(request, round_id)
    scope = _reader_scope(request, intake_round)
    return [_plan_out(p, scope) for p in selectors.plan_list(user=request.user, intake_round=intake_round)]


def _plan(request: HttpRequest, round_id: RecordId, version: RecordId) -> tuple[IntakeRound, Plan]:
    intake_round = _round(request, round_id)
    try:
        plan = selectors.plan_get(intake_round=intake_round, version=version)
    except Plan.DoesNotExist:
        raise Http404("No such plan version.") from None
    if not selectors.plan_visible(user=request.user, plan=plan):
        raise Http404("No such plan version.")
    return intake_round, plan


@router.get("/rounds/{round_id}/plans/{version}", response={200: PlanOut, **_ERRORS}, url_name="planning_plan_detail")
def plan_detail(request: HttpRequest, round_id: RecordId, version: RecordId) -> Any:
    intake_round, plan = _plan(request, round_id, version)
    return _plan_out(plan, _reader_scope(request, intake_round))


@router.get("/rounds/{round_id}/plans/{version}/assignment", response={200: list[PlanningAssignmentOut], **_ERRORS},
            url_name="planning_plan_assignment")
def plan_assignment(request: HttpRequest, round_id: RecordId, version: RecordId) -> Any:
    """Case-level assignment (pseudonymous ids): the round's national planners only."""
    intake_round, plan = _plan(request, round_id, version)
    services.case_read_require(user=request.user, intake_round=intake_round,
                               what=f"API assignment of version {version}")
    return [{"case": case_id, "locality": int(actor_id) if actor_id else None} for case_id, actor_id in plan.assignment]


def _message_out(m: DialogueMessage) -> dict[str, Any]:
    return {"id": m.pk, "side": m.side, "body": m.body, "plan_version": m.plan.version if m.plan else None,
            "revised_declaration": m.revised_declaration, "created_at": m.created_at}


def _response_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "plan": r.plan_id, "version": r.plan.version, "locality": r.actor_id,
            "locality_name": r.actor.name, "decision": r.decision, "reasons": r.reasons,
            "revised_declaration": r.revised_declaration, "responded_at": r.responded_at,
            "awaiting_reply_since": r.awaiting_reply_since, "closed_at": r.closed_at,
            "messages": [_message_out(m) for m in r.messages.all()]}


@router.get("/rounds/{round_id}/responses", response={200: list[ResponseOut], **_ERRORS},
            url_name="planning_response_list")
def response_list(request: HttpRequest, round_id: RecordId) -> Any:
    """Answers on record, each objection with its thread (a locality: its own only)."""
    intake_round = _round(request, round_id)
    responses = selectors.responses_for_round(intake_round=intake_round).prefetch_related(
        Prefetch("messages", queryset=DialogueMessage.objects.select_related("plan")))
    scope = _reader_scope(request, intake_round)
    if scope is not None:
        responses = responses.filter(actor_id__in=scope)
    return [_response_out(r) for r in responses]


@router.post("/rounds/{round_id}/responses/{response_id}/messages", response={201: MessageOut, **_ERRORS},
             url_name="planning_message_create")
def message_create(request: HttpRequest, round_id: RecordId, response_id: RecordId, payload: MessageIn) -> Any:
    """Write in an objection's thread: the round's planners reply (`link_version`: a later version it led to);
    the locality's officers answer back (`declaration`: a revised declaration, which becomes their current one)."""
    intake_round = _round(request, round_id)
    try:
        thread = selectors.thread_get(intake_round=intake_round, pk=response_id)
    except LocalityResponse.DoesNotExist:
        raise Http404("No objection with this id in this round.") from None
    if not request.user.has_perm("planning.view_objection", thread):
        raise Http404("No objection with this id in this round.")
    if selectors.is_planner(user=request.user, intake_round=intake_round):
        plan = None
        if payload.link_version is not None:
            try:
                plan = selectors.plan_get(intake_round=intake_round, version=payload.link_version)
            except Plan.DoesNotExist:
                raise ValidationError("No plan with this version.") from None
        message = services.objection_reply(user=request.user, objection=thread, body=payload.body, plan=plan)
    else:
        d = payload.declaration
        revision: dict[str, Any] = {} if d is None else {
            "capacities": {k: {"value": v.value, "state": v.state} for k, v in d.capacities.items()},
            "labour": d.labour, "places_volunteered": d.places_volunteered, "funding_needs": d.funding_needs,
            "notes": d.notes}
        message = services.objection_answer(user=request.user, objection=thread, body=payload.body, **revision)
    return Status(201, _message_out(message))


@router.post("/rounds/{round_id}/plans/{version}/responses/{locality_id}", response={201: ResponseOut, **_ERRORS},
             url_name="planning_response_create")
def response_create(request: HttpRequest, round_id: RecordId, version: RecordId, locality_id: RecordId, payload: ResponseIn) -> Any:
    """Accept, or object with reasons and a revised declaration (which becomes the current declaration)."""
    intake_round, plan = _plan(request, round_id, version)
    actor = _locality(intake_round, locality_id)
    if payload.decision == "accept":
        response = services.response_accept(user=request.user, plan=plan, actor=actor, reasons=payload.reasons)
    elif payload.decision == "object":
        if payload.declaration is None:
            raise ValidationError("An objection carries a revised declaration.")
        d = payload.declaration
        response = services.response_object(
            user=request.user, plan=plan, actor=actor, reasons=payload.reasons,
            capacities={k: {"value": v.value, "state": v.state} for k, v in d.capacities.items()}, labour=d.labour,
            places_volunteered=d.places_volunteered, funding_needs=d.funding_needs, notes=d.notes)
    else:
        raise ValidationError("decision must be “accept” or “object”.")
    return Status(201, _response_out(response))


def _grant_out(g: CaseAccessGrant) -> dict[str, Any]:
    return {"id": g.pk, "round": g.round_id, "user": g.user_id, "user_name": str(g.user),
            "granted_by": g.granted_by_id, "created_at": g.created_at, "expires_at": g.expires_at,
            "revoked_at": g.revoked_at}


def _planner_of_cases(request: HttpRequest, round_id: int) -> IntakeRound:
    intake_round = _round(request, round_id)
    if selectors.case_access(user=request.user, intake_round=intake_round) != "planner":
        raise PermissionDenied("Grants to the case records are given by the round's national planners only.")
    return intake_round


@router.get("/rounds/{round_id}/case-grants", response={200: list[PlanningCaseGrantOut], **_ERRORS},
            url_name="planning_case_grant_list")
def case_grant_list(request: HttpRequest, round_id: RecordId) -> Any:
    """Running grants to read the round's case records (the round's national planners only)."""
    intake_round = _planner_of_cases(request, round_id)
    return [_grant_out(g) for g in selectors.case_grant_list(intake_round=intake_round)]


@router.post("/rounds/{round_id}/case-grants", response={201: PlanningCaseGrantOut, **_ERRORS},
             auth=session_only_auth, url_name="planning_case_grant_create")
def case_grant_create(request: HttpRequest, round_id: RecordId, payload: PlanningCaseGrantIn) -> Any:
    """Let a user read the round's case records for `hours` (1 to 720); on record in the audit log. With the
    signed-in session only: a token never hands out access to case records."""
    from django.contrib.auth import get_user_model

    intake_round = _planner_of_cases(request, round_id)
    grantee = get_user_model().objects.filter(pk=payload.user).first()
    if grantee is None:
        raise ValidationError("No user with this id.")
    grant = services.case_access_grant(user=request.user, intake_round=intake_round, grantee=grantee,
                                       hours=payload.hours)
    return Status(201, _grant_out(grant))


@router.delete("/rounds/{round_id}/case-grants/{grant_id}", response={200: PlanningCaseGrantOut, **_ERRORS},
               url_name="planning_case_grant_revoke")
def case_grant_revoke(request: HttpRequest, round_id: RecordId, grant_id: RecordId) -> Any:
    """End a running grant now; on record in the audit log."""
    intake_round = _planner_of_cases(request, round_id)
    grant = selectors.case_grant_list(intake_round=intake_round).filter(pk=grant_id).first()
    if grant is None:
        raise Http404("No running grant with this id.")
    return _grant_out(services.case_access_revoke(user=request.user, grant=grant))
