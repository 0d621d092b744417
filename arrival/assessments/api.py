"""API of assessments: frameworks and indicators; assessments, answers and scores.

Reads of published assessments are public; a draft is served only to those who may see it (its team,
validators, invited organisations, site staff — signed in or with a token). Writes need a token or the
signed-in session, and only a city's team writes its assessment.
"""


from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from arrival.actors.models import Actor
from arrival.actors.selectors import actor_get, actor_list
from arrival.assessments import services
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.models import Assessment, IndicatorFramework
from arrival.assessments.schemas import (
    AssessmentAnswerIn,
    AssessmentAnswerOut,
    AssessmentDetailOut,
    AssessmentFrameworkOut,
    AssessmentIn,
    AssessmentIndicatorOut,
    AssessmentOut,
    FrameworkDetailOut,
    OutcomeFiguresIn,
    OutcomePanelRowOut,
    ValidatorOut,
    ValidatorsIn,
)
from arrival.assessments.selectors import records as selectors
from arrival.assessments.selectors.outcomes import OutcomeRow, outcome_panel
from arrival.assessments.selectors.records import overall_band_out
from arrival.assessments.selectors.validation import named_validator_list, validator_candidates
from arrival.assessments.services import outcome_panel_save
from arrival.core.api import (
    PROBLEM_RESPONSES,
    PageNumberWithTotal,
    Problem,
    RecordId,
    Year,
    api_reader,
    request_auth,
    write_auth,
)
from arrival.core.permissions import require

router = Router(tags=["assessments"])

_ERRORS = PROBLEM_RESPONSES


class AssessmentFilter(Schema):
    government: RecordId | None = None
    cycle: Year | None = None
    country: str | None = None


class _Mapped:
    """A queryset seen through `fn`, so the paginator counts in the database and maps only the page it serves."""

    def __init__(self, queryset: QuerySet[Any], fn: Callable[[Any], Any]) -> None:
        self.queryset, self.fn = queryset, fn

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[Any]:
        return [self.fn(row) for row in self.queryset[page]]




def _band(band: Any) -> dict[str, Any] | None:
    if not band:
        return None
    return {"code": band["code"], "label": band["label"], "lower": band["lower"]}


def _framework_out(framework: IndicatorFramework) -> dict[str, Any]:
    return {"code": framework.code, "version": framework.version, "title": framework.title, "label": framework.label,
            "sha256": framework.sha256, "is_current": framework.is_current, "frozen_at": framework.frozen_at}


def _indicator_out(indicator: ff.Indicator, domain: str, sub: str) -> dict[str, Any]:
    return {
        "code": indicator.code, "domain_code": domain, "subcategory_code": sub, "question": indicator.question,
        "guidance": indicator.guidance, "answer_type": indicator.answer_type, "weight": indicator.weight,
        "levels": list(indicator.levels),
        "options": [{"code": o.code, "label": o.label, "score": o.score} for o in indicator.options],
        "unit": indicator.unit, "evidence_from_level": indicator.evidence_from_level,
        "evidence_required": indicator.evidence_required, "tags": list(indicator.tags), "is_outcome": False,
    }


def _outcome_as_indicator(outcome: ff.OutcomeIndicator) -> dict[str, Any]:
    return {"code": outcome.code, "domain_code": "", "subcategory_code": "", "question": outcome.title,
            "guidance": outcome.definition, "answer_type": ff.NUMBER, "unit": outcome.unit, "tags": list(outcome.tags),
            "is_outcome": True}


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    score = getattr(assessment, "score", None)  # a reverse one-to-one: absent until first scored
    government = assessment.government
    return {
        "id": assessment.pk,
        "government": {"id": government.pk, "name": government.name,
                       "country": government.country.code if government.country else None},
        "cycle": assessment.cycle, "status": assessment.status, "framework": assessment.framework.label,
        "overall": score.overall if score else None, "partial": score.partial if score else None,
        "coverage": score.coverage if score else None, "is_demo": assessment.is_demo,
        "published_at": assessment.published_at,
    }


def _validator_out(actor: Actor) -> dict[str, Any]:
    return {"id": actor.pk, "name": actor.name, "kind": actor.kind,
            "country": actor.country.code if actor.country is not None else None}


def _viewable(request: HttpRequest, pk: RecordId) -> Assessment:
    assessment = selectors.assessment_get(pk=pk)
    if not selectors.can_view(user=api_reader(request), assessment=assessment):
        raise Http404("No such assessment.")  # drafts are not acknowledged to those who may not see them
    return assessment


# --- Frameworks ------------------------------------------------------------------------------------------


@router.get("/frameworks", response=list[AssessmentFrameworkOut], summary="Indicator framework versions")
def framework_list(request: HttpRequest) -> Any:
    return [_framework_out(f) for f in selectors.framework_list()]


@router.get("/frameworks/{code}/{version}", response={200: FrameworkDetailOut, 404: Problem},
            summary="One framework version: domains, sub-categories, indicators, outcome panel, bands")
def framework_detail(request: HttpRequest, code: str, version: str) -> Any:
    framework = selectors.framework_get(code=code, version=version)
    parsed = selectors.framework_parsed(framework=framework)
    return {
        **_framework_out(framework), "licence": parsed.licence, "description": parsed.description,
        "bands_note": parsed.bands_note,
        "bands": [{"code": b.code, "label": b.label, "lower": b.lower} for b in parsed.bands],
        "min_coverage_percent": parsed.min_coverage_percent, "maturity_scale": list(parsed.maturity_scale),
        "domains": [
            {"code": d.code, "title": d.title, "subcategories": [
                {"code": s.code, "title": s.title,
                 "indicators": [_indicator_out(i, d.code, s.code) for i in s.indicators]}
                for s in d.subcategories
            ]}
            for d in parsed.domains
        ],
        "outcome_panel": [
            {"code": o.code, "title": o.title, "definition": o.definition, "unit": o.unit, "direction": o.direction,
             "disaggregation": o.disaggregation, "sdg_indicators": list(o.sdg_indicators), "tags": list(o.tags)}
            for o in parsed.outcome_panel
        ],
    }


@router.get("/frameworks/{code}/{version}/indicators", response=list[AssessmentIndicatorOut],
            summary="The indicators of a framework version in file order, then the outcome panel")
@paginate(PageNumberWithTotal)
def framework_indicators(request: HttpRequest, code: str, version: str) -> Any:
    parsed = selectors.framework_parsed(framework=selectors.framework_get(code=code, version=version))
    rows = [_indicator_out(i, d.code, s.code) for d in parsed.domains for s in d.subcategories for i in s.indicators]
    return rows + [_outcome_as_indicator(o) for o in parsed.outcome_panel]


# --- Assessments -----------------------------------------------------------------------------------------


@router.get("/assessments", response=list[AssessmentOut],
            summary="Published assessments, newest cycle first; filter by government id, cycle, country (ISO alpha-2)")
@paginate(PageNumberWithTotal)
def assessment_list(request: HttpRequest, filters: Query[AssessmentFilter]) -> Any:
    assessments = selectors.assessment_list(cycle=filters.cycle, country=filters.country)
    if filters.government is not None:
        assessments = assessments.filter(government_id=filters.government)
    return _Mapped(assessments, _assessment_out)


@router.get("/assessments/{int:assessment_id}", response={200: AssessmentDetailOut, 404: Problem},
            summary="One assessment with its scores: domains with bands, coverage and 90% intervals")
def assessment_detail(request: HttpRequest, assessment_id: RecordId) -> Any:
    assessment = _viewable(request, assessment_id)
    out = {**_assessment_out(assessment), "submitted_at": assessment.submitted_at,
           "validated_at": assessment.validated_at, "consultation_open": assessment.consultation_open,
           "benchmark_opt_in": assessment.benchmark_opt_in, "scores": None,
           "validators": [_validator_out(row.actor) for row in named_validator_list(assessment=assessment)]}
    record = selectors.assessment_score(assessment=assessment)
    if record is not None:
        parsed = selectors.framework_parsed(framework=assessment.framework)
        titles = {d.code: d.title for d in parsed.domains}
        intervals = (record.uncertainty or {}).get("domains") or [None] * len(record.result["domains"])
        out["scores"] = {
            "framework": record.framework_label, "inputs_sha256": record.inputs_sha256,
            "overall": record.overall, "partial": record.partial, **overall_band_out(record=record),
            "coverage": record.coverage, "answered": record.result["answered"], "total": record.result["total"],
            "interval": (record.uncertainty or {}).get("overall"),
            "computed_at": record.computed_at,
            "domains": [
                {"code": d["code"], "title": titles.get(d["code"], d["code"]), "status": d["status"],
                 "score": d["score"], "band": _band(d["band"]), "coverage": d["coverage_percent"], "interval": interval}
                for d, interval in zip(record.result["domains"], intervals, strict=True)
            ],
        }
    return out


@router.get("/assessments/{int:assessment_id}/answers", response={200: list[AssessmentAnswerOut], 404: Problem},
            summary="The answers of an assessment, with their evidence")
def assessment_answers(request: HttpRequest, assessment_id: RecordId) -> Any:
    assessment = _viewable(request, assessment_id)
    return [
        {"indicator_code": code, "value": answer.value, "special": answer.special, "comment": answer.comment,
         "evidence_url": answer.evidence_url, "evidence_reference": answer.evidence_reference,
         "updated_at": answer.updated_at,
         "evidence_files": [
             {"id": str(f.pk), "name": f.original_name, "media_type": f.media_type, "size": f.size,
              "url": reverse("core:attachment_download", args=[f.pk])}
             for f in getattr(answer, "evidence_files", [])
         ]}
        for code, answer in selectors.assessment_answers(assessment=assessment).items()
    ]


@router.post("/assessments", auth=write_auth, response={201: AssessmentDetailOut, **_ERRORS},
             summary="Open an assessment cycle for your local government")
def assessment_open(request: HttpRequest, payload: AssessmentIn) -> Any:
    try:
        government = actor_get(pk=payload.government_id)
    except Actor.DoesNotExist as exc:
        raise Http404(f"No actor with id {payload.government_id}.") from exc
    if payload.framework_version:
        framework = selectors.framework_get(code=payload.framework_code, version=payload.framework_version)
    else:
        framework = selectors.framework_current(code=payload.framework_code)
    assessment = services.assessment_open(user=request_auth(request), government=government, cycle=payload.cycle,
                                          framework=framework)
    return Status(201, assessment_detail(request, assessment.pk))


@router.put("/assessments/{int:assessment_id}/answers/{indicator_code}", auth=write_auth,
            response={200: AssessmentAnswerOut, **_ERRORS}, summary="Answer one indicator (the city's team, while editable)")
def answer_save(request: HttpRequest, assessment_id: RecordId, indicator_code: str, payload: AssessmentAnswerIn) -> Any:
    assessment = selectors.assessment_get(pk=assessment_id)
    require(request_auth(request), "assessments.view_assessment", assessment)
    indicator = selectors.indicator_get(framework=assessment.framework, code=indicator_code)
    services.answer_save(user=request_auth(request), assessment=assessment, indicator=indicator, **payload.dict())
    answers = assessment_answers(request, assessment_id)
    return next(a for a in answers if a["indicator_code"] == indicator_code)


@router.post("/assessments/{int:assessment_id}/submit", auth=write_auth,
             response={200: AssessmentDetailOut, **_ERRORS}, summary="Submit for validation")
def assessment_submit(request: HttpRequest, assessment_id: RecordId) -> Any:
    assessment = selectors.assessment_get(pk=assessment_id)
    require(request_auth(request), "assessments.view_assessment", assessment)
    services.assessment_submit(user=request_auth(request), assessment=assessment)
    return assessment_detail(request, assessment_id)


@router.put("/assessments/{int:assessment_id}/validators", auth=write_auth,
            response={200: list[ValidatorOut], **_ERRORS},
            summary="Name the governments or organisations that validate the assessment (the city's team, until a "
                    "validation decision); their people are told when it is submitted")
def validators_set(request: HttpRequest, assessment_id: RecordId, payload: ValidatorsIn) -> Any:
    assessment = selectors.assessment_get(pk=assessment_id)
    require(request_auth(request), "assessments.change_assessment", assessment)
    actors = list(actor_list().filter(pk__in=payload.actor_ids).select_related("country"))
    missing = sorted(set(payload.actor_ids) - {actor.pk for actor in actors})
    if missing:
        raise Http404(f"No actor with id {missing[0]}.")
    named = services.assessment_validators_set(user=request_auth(request), assessment=assessment, validators=actors)
    return [_validator_out(row.actor) for row in named]


@router.get("/assessments/{int:assessment_id}/validator-candidates", auth=write_auth,
            response={200: list[ValidatorOut], **_ERRORS},
            summary="Up to ten actors the team may name as validators, whose name contains q (the city's team)")
def validator_candidate_list(request: HttpRequest, assessment_id: RecordId, q: str = "") -> Any:
    assessment = selectors.assessment_get(pk=assessment_id)
    require(request_auth(request), "assessments.change_assessment", assessment)
    return [_validator_out(actor) for actor in validator_candidates(assessment=assessment, q=q)]


# --- Outcome panel ---------------------------------------------------------------------------------------


def _outcome_row_out(row: OutcomeRow) -> dict[str, Any]:
    o = row.outcome
    return {
        "indicator_code": o.code, "title": o.title, "definition": o.definition, "unit": o.unit,
        "direction": o.direction, "disaggregation": o.disaggregation, "sdg_indicators": list(o.sdg_indicators),
        "population_groups": [c.group for c in row.cells], "gap": row.gap,
        "figures": [
            {"population_group": c.group, "label": c.label, "value": c.stored.value, "year": c.stored.year,
             "source": c.stored.source}
            for c in row.cells if c.stored is not None
        ],
    }


@router.get("/assessments/{int:assessment_id}/outcomes", response={200: list[OutcomePanelRowOut], 404: Problem},
            summary="The outcome panel: aggregate statistics by population group, beside the score and never in it")
def assessment_outcomes(request: HttpRequest, assessment_id: RecordId) -> Any:
    assessment = _viewable(request, assessment_id)
    return [_outcome_row_out(row) for row in outcome_panel(assessment=assessment)]


@router.put("/assessments/{int:assessment_id}/outcomes/{indicator_code}", auth=write_auth,
            response={200: OutcomePanelRowOut, **_ERRORS},
            summary="Record one outcome indicator's figures by population group (the city's team, while editable)")
def outcome_save(request: HttpRequest, assessment_id: RecordId, indicator_code: str, payload: OutcomeFiguresIn) -> Any:
    assessment = selectors.assessment_get(pk=assessment_id)
    require(request_auth(request), "assessments.change_assessment", assessment)
    row = next((r for r in outcome_panel(assessment=assessment) if r.outcome.code == indicator_code), None)
    if row is None:
        raise Http404(f"No outcome indicator {indicator_code!r} in {assessment.framework.label}.")
    cells = {c.group: c for c in row.cells}
    unknown = [f.population_group for f in payload.figures if f.population_group not in cells]
    if unknown or len({f.population_group for f in payload.figures}) < len(payload.figures):
        raise ValidationError(_("%(code)s: give one figure for each of %(groups)s.") % {
            "code": indicator_code, "groups": ", ".join(cells)})
    for figure in payload.figures:
        cells[figure.population_group].value = repr(figure.value)
    row.cells = [cells[f.population_group] for f in payload.figures]  # groups left out keep their figures
    row.year, row.source = str(payload.year), payload.source.strip()
    outcome_panel_save(user=request_auth(request), assessment=assessment, rows=[row])
    return next(_outcome_row_out(r) for r in outcome_panel(assessment=assessment) if r.outcome.code == indicator_code)
