"""Planning pages: for the national planners (round, localities and regions, keys, cases, plans with their
certificate and comparisons, responses, funding) and for localities (declaration, my allocation, answer).

Thin views: reads through `selectors`, writes through `services` (which check permissions and audit). Case
records appear only on pages guarded by `planning.view_case`; the locality pages show aggregates only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import actor_ids_for
from arrival.actors.models import Actor, ActorKind
from arrival.planning import exports, selectors, services
from arrival.planning.forms import (
    AcceptForm,
    AnswerForm,
    CaseGrantForm,
    CasesUploadForm,
    DeclarationForm,
    FundingForm,
    LocalityTableForm,
    ObjectionForm,
    OutcomeModelForm,
    PublishForm,
    ReplyForm,
    RoundForm,
    ScoresForm,
    SyntheticCasesForm,
)
from arrival.planning.models import (
    KEY_INPUT_FIELDS_LABELS,
    SERVICE_LABELS,
    IntakeRound,
    KeyName,
    LocalityResponse,
    Plan,
    PlanStatus,
    RoundStatus,
    UndeclaredRule,
)
from arrival.planning.templatetags.planning_tags import category_label
from arrival.reports.charts import Bar, bar_chart
from arrival.reports.maps import point
from arrival.reports.responses import prepared_file_response

BASELINE_LABELS = {
    "optimised": gettext_lazy("This plan (optimised)"),
    "key_proportional": gettext_lazy("Proportional to the key"),
    "greedy": gettext_lazy("Greedy placement"),
    "outcome_only": gettext_lazy("Outcome-only optimisation"),
}


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in _errors(error):
        messages.error(request, message)


def _round(request: HttpRequest, pk: int, perm: str = "planning.view_intakeround") -> IntakeRound:
    try:
        intake_round = selectors.round_get(pk=pk)
    except IntakeRound.DoesNotExist:
        raise Http404(_("No intake round at this address.")) from None
    if not request.user.has_perm(perm, intake_round):
        raise PermissionDenied(_("This page is for the round's planners and participating localities."))
    return intake_round


def _case_round(request: HttpRequest, pk: int, what: str) -> IntakeRound:
    """A round whose case-level data the page shows: its planners, or a grantee (each visit audited)."""
    try:
        intake_round = selectors.round_get(pk=pk)
    except IntakeRound.DoesNotExist:
        raise Http404(_("No intake round at this address.")) from None
    services.case_read_require(user=request.user, intake_round=intake_round, what=what)
    return intake_round


def _can_view_cases(request: HttpRequest, intake_round: IntakeRound) -> bool:
    return selectors.case_access(user=request.user, intake_round=intake_round) is not None


def _planner_round(request: HttpRequest, pk: int) -> IntakeRound:
    return _round(request, pk, "planning.change_intakeround")


def _plan(intake_round: IntakeRound, version: int) -> Plan:
    try:
        return selectors.plan_get(intake_round=intake_round, version=version)
    except Plan.DoesNotExist:
        raise Http404(_("No plan with this version.")) from None


def _locality_actor(request: HttpRequest, intake_round: IntakeRound, actor_id: int) -> Actor:
    for locality in intake_round.localities.select_related("actor"):
        if locality.actor_id == actor_id:
            if not (request.user.has_perm("planning.view_declaration", locality)):
                raise PermissionDenied(_("This page is for the locality's own people."))
            return locality.actor
    raise Http404(_("This government does not take part in the round."))


def _governments(user: Any) -> Any:
    if user.is_staff:
        return Actor.objects.filter(kind=ActorKind.NATIONAL_GOVERNMENT).order_by("name")
    return Actor.objects.filter(kind=ActorKind.NATIONAL_GOVERNMENT,
                                pk__in=actor_ids_for(user, [RoleKind.PLANNER])).order_by("name")


# --- rounds ----------------------------------------------------------------------------------------------


@require_safe
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/round_list.html", {
        "rounds": selectors.round_list(user=request.user),
        "can_create": _governments(request.user).exists(),
    })


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    governments = _governments(request.user)
    if not governments.exists():
        raise PermissionDenied(_("Only a national government's planners open intake rounds."))
    form = RoundForm(request.POST or None, governments=governments,
                     initial={"categories": "\n".join([_("Resettlement"), _("Relocation"), _("Unaccompanied minors")]),
                              "key_name": KeyName.POPULATION})
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            intake_round = services.round_create(user=request.user, government=form.cleaned_data["government"],
                                                 **values)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("The round is created as a draft. Add its localities next."))
            return redirect("planning:localities", pk=intake_round.pk)
    return render(request, "planning/round_form.html", {"form": form, "editing": False})


@require_http_methods(["GET", "POST"])
@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    initial = {name: getattr(intake_round, name) for name in services.ROUND_FIELDS if name != "status"}
    initial["categories"] = "\n".join(intake_round.categories.values_list("label", flat=True))
    initial["case_languages"] = " ".join(intake_round.case_languages or [])
    initial["case_groups"] = " ".join(intake_round.case_groups or [])
    for name, weight in intake_round.key_weights.items():
        initial[f"kw_{name}"] = weight
    form = RoundForm(request.POST or None, governments=Actor.objects.none(), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(user=request.user, intake_round=intake_round, **form.values())
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("The round is saved."))
            return redirect("planning:round_detail", pk=intake_round.pk)
    return render(request, "planning/round_form.html", {"form": form, "editing": True, "round": intake_round})


@require_safe
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _round(request, pk)
    planner = selectors.is_planner(user=request.user, intake_round=intake_round)
    mine = selectors.user_localities(user=request.user, intake_round=intake_round)
    rows = selectors.declaration_status(intake_round=intake_round)
    if not planner:
        mine_ids = {locality.actor_id for locality in mine}
        rows = [row for row in rows if row["locality"].actor_id in mine_ids]
    plans = selectors.plan_list(user=request.user, intake_round=intake_round)
    grants_shown = selectors.case_access(user=request.user, intake_round=intake_round) == "planner"
    return render(request, "planning/round_detail.html", {
        "grant_form": CaseGrantForm() if grants_shown else None,
        "grants": selectors.case_grant_list(intake_round=intake_round) if grants_shown else [],
        "round": intake_round, "planner": planner, "mine": mine, "rows": rows, "plans": plans,
        "categories": intake_round.categories.all(), "cases": selectors.case_summary(intake_round=intake_round)
        if planner else None,
        "can_view_cases": _can_view_cases(request, intake_round),
        "responses": selectors.responses_for_round(intake_round=intake_round) if planner else [],
        "published": selectors.plan_current(intake_round=intake_round, published_only=True),
        "scores_form": ScoresForm(groups=_groups(request, intake_round)),
        "outcome_model": services.outcome_model_summary(intake_round.outcome_model) if planner else None,
    })


def _groups(request: HttpRequest, intake_round: IntakeRound) -> list[str]:
    """The cases' groups, for fairness floors: read by the round's planners only (site staff get no floors)."""
    if selectors.case_access(user=request.user, intake_round=intake_round) != "planner":
        return []
    return selectors.case_groups(user=request.user, intake_round=intake_round)


@require_POST
@login_required
def case_grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the round's planners gives a user (by username) time-limited access to the case records."""
    intake_round = _round(request, pk)
    form = CaseGrantForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("planning:round_detail", pk=pk)
    from django.contrib.auth import get_user_model

    grantee = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    try:
        if grantee is None:
            raise ValidationError(_("No user with this username."))
        services.case_access_grant(user=request.user, intake_round=intake_round, grantee=grantee,
                                   hours=form.cleaned_data["hours"])
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Access to the case records is given."))
    return redirect("planning:round_detail", pk=pk)


@require_POST
@login_required
def case_grant_revoke(request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
    intake_round = _round(request, pk)
    grant = selectors.case_grant_list(intake_round=intake_round).filter(pk=grant_id).first()
    if grant is None:
        raise Http404(_("No running grant with this id."))
    services.case_access_revoke(user=request.user, grant=grant)
    messages.success(request, _("The access is revoked."))
    return redirect("planning:round_detail", pk=pk)


@require_POST
@login_required
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    try:
        services.round_open(user=request.user, intake_round=intake_round)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The round is open for declarations."))
    return redirect("planning:round_detail", pk=pk)


@require_POST
@login_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    try:
        services.round_close(user=request.user, intake_round=intake_round)
    except ValidationError as error:
        _flash(request, error)
    return redirect("planning:round_detail", pk=pk)


@require_http_methods(["GET", "POST"])
@login_required
def localities(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    rows = selectors.locality_list(intake_round=intake_round)
    current = "locality,region\n" + "".join(
        f"{r.actor.slug},{r.region.name if r.region is not None else ''}\n" for r in rows)
    form = LocalityTableForm(request.POST or None, request.FILES or None, initial={"table": current})
    table_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.localities_set(user=request.user, intake_round=intake_round, table=form.text())
        except ValidationError as error:
            table_errors = _errors(error)
        else:
            messages.success(request, _("The localities and regions are saved."))
            return redirect("planning:localities", pk=pk)
    return render(request, "planning/localities.html", {
        "round": intake_round, "rows": rows, "form": form, "table_errors": table_errors,
    })


# --- keys ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def keys(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    rows = selectors.locality_list(intake_round=intake_round)
    regions = {region.pk: region for region in (r.region for r in rows) if region is not None}
    targets = [(r.actor, False) for r in rows] + [(region, True) for region in regions.values()]
    if request.method == "POST":
        values = {actor.pk: {name: request.POST.get(f"{actor.pk}-{name}", "") for name in KEY_INPUT_FIELDS_LABELS}
                  for actor, _is_region in targets}
        try:
            services.key_inputs_set(user=request.user, intake_round=intake_round, rows=values)
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("The key inputs are saved."))
            return redirect("planning:keys", pk=pk)
    inputs = {k.actor_id: k for k in intake_round.key_inputs.all()}
    input_rows = [{"actor": actor, "is_region": is_region,
                   "fields": [{"name": f"{actor.pk}-{name}", "label": label,
                               "value": getattr(inputs.get(actor.pk), name, None) if actor.pk in inputs else None,
                               "placeholder": actor.population if name == "population" else ""}
                              for name, label in KEY_INPUT_FIELDS_LABELS.items()]}
                  for actor, is_region in targets]
    # The places by id, as the key's rows give them: names are shown with the |name filter (official name in the
    # reader's language when known, else marked as a name).
    names = {str(r.actor_id): r.actor.name for r in rows}
    places: dict[str, Actor] = {str(r.actor_id): r.actor for r in rows} | {str(pk): r for pk, r in regions.items()}
    results: list[dict[str, Any]] = []
    key_names = [KeyName.POPULATION, KeyName.KOENIGSTEIN, KeyName.EU2015]
    if intake_round.key_weights:
        key_names.append(KeyName.CUSTOM)
    for name in key_names:
        try:
            result = services.key_results(intake_round=intake_round, key_name=name)
        except ValidationError as error:
            results.append({"name": name, "label": KeyName(name).label, "error": " ".join(_errors(error))})
            continue
        columns = list(result["weights"])
        upper = [{"place": places.get(str(row.get("id", "")), row.get("name", "")), "values": [row.get(c) for c in columns],
                  "share": share, "quota": quota}
                 for row, share, quota in zip(result["inputs"], result["shares"], result["quotas"], strict=True)]
        region_names = {rid: item["name"] for rid, item in result["regions"].items()}
        local = [{"place": places.get(aid, aid), "region": places.get(item["region"], region_names.get(item["region"], "")),
                  "values": [item["inputs"].get(c) for c in columns], "share": item["share"], "quota": item["quota"]}
                 for aid, item in sorted(result["by_locality"].items(), key=lambda kv: names.get(kv[0], kv[0]))]
        results.append({"name": name, "label": KeyName(name).label, "result": result, "columns": columns,
                        "notes": services.key_notes(result),
                        "headers": [(KEY_INPUT_FIELDS_LABELS.get(c, ""), c) for c in columns],
                        "upper": upper, "local": local if result["multilevel"] else [],
                        "in_use": name == intake_round.key_name})
    comparison = []
    for actor_id, _actor_name in sorted(names.items(), key=lambda item: item[1]):
        cells = []
        for item in results:
            by_locality = item.get("result", {}).get("by_locality", {}) if "result" in item else {}
            cell = by_locality.get(actor_id)
            cells.append(cell)
        comparison.append({"place": places[actor_id], "cells": cells})
    return render(request, "planning/keys.html", {
        "round": intake_round, "input_rows": input_rows, "results": results, "comparison": comparison,
        "names": names, "labels": KEY_INPUT_FIELDS_LABELS,
    })


# --- cases (planners only) -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def cases(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _case_round(request, pk, "cases page")
    upload = CasesUploadForm(prefix="upload")
    synthetic = SyntheticCasesForm(prefix="synthetic")
    file_errors: list[str] = []
    if request.method == "POST":
        if "upload-file" in request.FILES:
            upload = CasesUploadForm(request.POST, request.FILES, prefix="upload")
            if upload.is_valid():
                try:
                    count = services.cases_import(user=request.user, intake_round=intake_round,
                                                  file=upload.cleaned_data["file"])
                except ValidationError as error:
                    file_errors = _errors(error)
                else:
                    messages.success(request, _("%(count)s cases imported.") % {"count": count})
                    return redirect("planning:cases", pk=pk)
        else:
            synthetic = SyntheticCasesForm(request.POST, prefix="synthetic")
            if synthetic.is_valid():
                try:
                    count = services.cases_generate_synthetic(user=request.user, intake_round=intake_round,
                                                              count=synthetic.cleaned_data["count"],
                                                              seed=synthetic.cleaned_data["seed"])
                except ValidationError as error:
                    _flash(request, error)
                else:
                    messages.success(request, _("%(count)s synthetic cases generated.") % {"count": count})
                    return redirect("planning:cases", pk=pk)
    return render(request, "planning/cases.html", {
        "round": intake_round, "upload": upload, "synthetic": synthetic, "file_errors": file_errors,
        "summary": selectors.case_summary(intake_round=intake_round),
        "sample": selectors.case_list(user=request.user, intake_round=intake_round)[:20],
        "category_labels": {c.code: category_label(c) for c in intake_round.categories.all()},
        "service_labels": SERVICE_LABELS,
    })


# --- plans -----------------------------------------------------------------------------------------------


@require_POST
@login_required
def plan_compute(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    revise = request.POST.get("revise") == "1"
    form = ScoresForm(request.POST, request.FILES, groups=[] if revise else _groups(request, intake_round))
    if not form.is_valid():
        for field in form:
            for message in field.errors:
                messages.error(request, f"{field.label}: {message}")
        return redirect("planning:round_detail", pk=pk)
    scores = form.cleaned_data.get("scores")
    try:
        if revise:
            result = services.plan_revise(user=request.user, intake_round=intake_round)
        else:
            result = services.plan_compute(user=request.user, intake_round=intake_round,
                                           scores_file=_text_file(scores) if scores else None,
                                           fairness_floors=form.floors())
    except ValidationError as error:
        _flash(request, error)
        return redirect("planning:round_detail", pk=pk)
    if result.plan is None:  # computing in the background: its job page follows it
        return redirect("core:job_detail", result.job.pk)
    messages.success(request, _("Version %(version)s of the plan is computed.") % {"version": result.plan.version})
    return redirect("planning:plan_detail", pk=pk, version=result.plan.version)


def _text_file(upload: Any) -> Any:
    import io

    return io.StringIO(upload.read().decode("utf-8-sig", errors="replace"))


def _baseline_chart(plan: Plan) -> Any:
    bars = []
    for name in ("optimised", "key_proportional", "greedy", "outcome_only"):
        item = plan.baselines.get(name)
        if item is None:
            continue
        share = item.get("share")
        bars.append(Bar(label=str(BASELINE_LABELS.get(name, name)),
                        value=round(share * 100, 2) if share is not None else None))
    return bar_chart(
        title=_("Objective as a share of the upper bound (%)"),
        description=_("Each placement's objective on the same instance divided by the plan's upper bound; 100 is "
                      "the best any plan could reach."),
        bars=bars, value_label=_("Share of the bound (%)"), category_label=_("Placement"), value_max=100,
        chart_id=f"plan-{plan.pk}-baselines",
    )


def _allocation_points(summary: list[dict[str, Any]], intake_round: IntakeRound) -> list[dict[str, Any]]:
    points = []
    for row in summary:
        local = getattr(row["actor"], "local", None)
        if local is None or local.latitude is None or local.longitude is None:
            continue
        points.append(point(row["actor"].name, reverse("actors:actor_detail", args=[row["actor"].slug]),
                            local.latitude, local.longitude,
                            value=row["persons"], label=_("%(persons)s persons") % {"persons": row["persons"]}))
    return points


@require_safe
@login_required
def plan_detail(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    intake_round = _round(request, pk)
    plan = _plan(intake_round, version)
    planner = selectors.is_planner(user=request.user, intake_round=intake_round)
    if not planner:
        mine = selectors.user_localities(user=request.user, intake_round=intake_round)
        if mine and plan.published_at is not None:
            return redirect("planning:allocation", pk=pk, actor_id=mine[0].actor_id)
        raise PermissionDenied(_("The plan's full page is for the round's planners."))
    summary = selectors.allocation_summary(plan=plan)
    group_outcome = sorted(plan.metrics.get("group_outcome", {}).items())
    not_counted = selectors.declarations_not_counted(plan=plan)
    treatment = selectors.undeclared_treatment(plan=plan)
    return render(request, "planning/plan_detail.html", {
        "scores": _scores_source(plan), "floors": _floor_rows(plan),
        "round": intake_round, "plan": plan, "summary": summary, "chart": _baseline_chart(plan),
        "baselines": [(BASELINE_LABELS.get(name, name), item) for name, item in plan.baselines.items()],
        "points": _allocation_points(summary, intake_round), "group_outcome": group_outcome,
        "responses": selectors.response_list(plan=plan).filter(decision="accept"), "service_labels": SERVICE_LABELS,
        "threads": selectors.thread_list(intake_round=intake_round, plan=plan),
        "linked_replies": selectors.replies_linked(plan=plan), "publish_form": PublishForm(),
        "not_counted": [{"actor": row["actor"], "why": not_counted[row["actor"].pk],
                         "treatment": treatment.get(row["actor"].pk)} for row in summary
                        if row["actor"].pk in not_counted],
        "undeclared_rule": _undeclared_rule_label(plan),
        "can_view_cases": _can_view_cases(request, intake_round),
    })


def _undeclared_rule_label(plan: Plan) -> str:
    rule = ((plan.inputs or {}).get("undeclared") or {}).get("rule")
    return str(UndeclaredRule(rule).label) if rule in UndeclaredRule.values else ""


def _trained_by(summary: dict[str, Any]) -> str:
    from django.contrib.auth import get_user_model

    user_id = summary.get("trained_by")
    user = get_user_model().objects.filter(pk=int(user_id)).first() if user_id else None
    return str(user) if user is not None else ""


def _model_view(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """A trained model's summary for the pages: coefficients in the features' order, the trainer's name."""
    if not summary:
        return None
    from django.utils.dateparse import parse_datetime

    from arrival.planning.domain.outcomes import FEATURES

    coefficients = summary.get("coefficients") or {}  # a JSON object: PostgreSQL does not keep the keys' order
    order = [name for name in FEATURES if name in coefficients] + sorted(set(coefficients) - set(FEATURES))
    return {**summary, "coefficients": [(name, coefficients[name]) for name in order],
            "trained_at": parse_datetime(summary["trained_at"]) if summary.get("trained_at") else None,
            "trained_by_name": _trained_by(summary)}


def _scores_source(plan: Plan) -> dict[str, Any]:
    """Which source produced the plan's scores; plans from before the source was recorded show the text kept."""
    inputs = plan.inputs or {}
    kind = inputs.get("scores_source") or ("uploaded" if inputs.get("scores") == "uploaded" else "")
    labels = {"uploaded": _("Uploaded scores file"), "model": _("Outcome model trained on historical records"),
              "synthetic": _("Seeded synthetic scores (demonstration)")}
    return {"kind": kind, "label": labels.get(kind, inputs.get("scores", "")), "text": inputs.get("scores", ""),
            "model": _model_view(inputs.get("scores_model")) if kind == "model" else None}


def _floor_rows(plan: Plan) -> list[dict[str, Any]]:
    floors = (plan.inputs or {}).get("fairness_floors") or {}
    achieved = plan.metrics.get("group_outcome", {})
    families = plan.metrics.get("group_families", {})
    return [{"group": group, "floor": floor, "achieved": achieved.get(group),
             "placed": families.get(group, {}).get("placed"), "total": families.get(group, {}).get("total")}
            for group, floor in sorted(floors.items())]


@require_http_methods(["GET", "POST"])
@login_required
def outcome_model(request: HttpRequest, pk: int) -> HttpResponse:
    """Train the round's outcome model on historical records, see its coefficients, or remove it (planners only)."""
    intake_round = _case_round(request, pk, "outcome model page")
    form = OutcomeModelForm(prefix="model")
    file_errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("clear") == "1":
            try:
                services.outcome_model_clear(user=request.user, intake_round=intake_round)
            except ValidationError as error:
                _flash(request, error)
            else:
                messages.success(request, _("The trained model is removed; plans use seeded synthetic scores again."))
            return redirect("planning:outcome_model", pk=pk)
        form = OutcomeModelForm(request.POST, request.FILES, prefix="model")
        if form.is_valid():
            try:
                summary = services.outcome_model_train(user=request.user, intake_round=intake_round,
                                                       file=form.cleaned_data["file"], l2=form.cleaned_data["l2"])
            except ValidationError as error:
                file_errors = _errors(error)
            else:
                messages.success(request, _("The outcome model is trained on %(count)s records.")
                                 % {"count": summary["records"]})
                return redirect("planning:outcome_model", pk=pk)
    return render(request, "planning/outcome_model.html", {
        "round": intake_round, "form": form, "file_errors": file_errors,
        "model": _model_view(services.outcome_model_summary(intake_round.outcome_model)),
    })


@require_safe
@login_required
def plan_assignment(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """Case-level assignment: the round's national planners only."""
    intake_round = _case_round(request, pk, f"assignment of version {version}")
    plan = _plan(intake_round, version)
    places = {str(r.actor_id): r.actor for r in selectors.locality_list(intake_round=intake_round)}
    rows = [{"case": case_id, "locality": places.get(str(actor_id)) if actor_id else None}
            for case_id, actor_id in plan.assignment]
    return render(request, "planning/plan_assignment.html", {"round": intake_round, "plan": plan, "rows": rows})


@require_POST
@login_required
def plan_publish(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    plan = _plan(intake_round, version)
    form = PublishForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
                                   for name, errors in form.errors.items()])
        services.plan_publish(user=request.user, plan=plan, respond_by=form.cleaned_data.get("respond_by"))
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Version %(version)s is published to the localities.") % {"version": version})
    return redirect("planning:plan_detail", pk=pk, version=version)


# --- the dialogue: an objection's thread -----------------------------------------------------------------


def _thread(request: HttpRequest, intake_round: IntakeRound, response_id: int) -> LocalityResponse:
    try:
        thread = selectors.thread_get(intake_round=intake_round, pk=response_id)
    except LocalityResponse.DoesNotExist:
        raise Http404(_("No objection at this address.")) from None
    if not request.user.has_perm("planning.view_objection", thread):
        raise PermissionDenied(_("This thread is for the round's planners and the locality that objected."))
    return thread


@require_http_methods(["GET", "POST"])
@login_required
def objection(request: HttpRequest, pk: int, response_id: int) -> HttpResponse:
    """An objection's thread: the planners reply (and may revise the plan), the locality answers back."""
    intake_round = _round(request, pk)
    thread = _thread(request, intake_round, response_id)
    planner = selectors.is_planner(user=request.user, intake_round=intake_round)
    locality = intake_round.localities.get(actor_id=thread.actor_id)
    can_answer = not planner and request.user.has_perm("planning.respond_plan", locality)
    is_open = thread.closed_at is None and intake_round.status not in (RoundStatus.AGREED, RoundStatus.CLOSED)
    can_revise = (planner and intake_round.status in (RoundStatus.OPEN, RoundStatus.PLANNING, RoundStatus.PUBLISHED)
                  and intake_round.cases.count() <= services.sync_case_limit())
    posted = request.POST if request.method == "POST" else None
    reply_form = ReplyForm(posted if planner else None, plans=selectors.reply_plan_choices(objection=thread),
                           can_revise=can_revise, prefix="reply")
    answer_form = AnswerForm(posted if can_answer else None, prefix="answer",
                             declaration=selectors.declaration_get(intake_round=intake_round, actor_id=thread.actor_id))
    if request.method == "POST":
        if not (planner or can_answer):
            raise PermissionDenied(_("Only the round's planners and the locality's officers write in this thread."))
        form: Any = reply_form if planner else answer_form
        if form.is_valid():
            try:
                if planner:
                    message = services.objection_reply(user=request.user, objection=thread,
                                                       body=form.cleaned_data["body"],
                                                       plan=form.cleaned_data.get("plan"),
                                                       revise=bool(form.cleaned_data.get("revise")))
                else:
                    revision = form.values() if form.cleaned_data.get("revise") else {}
                    services.objection_answer(user=request.user, objection=thread, body=form.cleaned_data["body"],
                                              **revision)
            except ValidationError as error:
                for text in _errors(error):
                    form.add_error(None, text)
            else:
                if planner:
                    messages.success(request, _("Your reply is sent to the locality."))
                    if message.plan is not None and message.plan.status == PlanStatus.DRAFT:
                        messages.info(request, _("Version %(version)s is a draft: publish it when it is ready.")
                                      % {"version": message.plan.version})
                        return redirect("planning:plan_detail", pk=pk, version=message.plan.version)
                    return redirect("planning:objection", pk=pk, response_id=thread.pk)
                messages.success(request, _("Your answer is sent to the planners."))
                return redirect(reverse("planning:allocation", args=[pk, thread.actor_id]) + f"#objection-{thread.pk}")
    return render(request, "planning/objection.html", {
        "round": intake_round, "thread": thread, "planner": planner, "can_answer": can_answer, "is_open": is_open,
        "reply_form": reply_form, "answer_form": answer_form,
    })


# --- localities: declaration, allocation, answer -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def declaration(request: HttpRequest, pk: int, actor_id: int) -> HttpResponse:
    intake_round = _round(request, pk)
    actor = _locality_actor(request, intake_round, actor_id)
    current = selectors.declaration_get(intake_round=intake_round, actor_id=actor.pk)
    can_declare = request.user.has_perm("planning.declare_declaration", current or actor)
    form = DeclarationForm(request.POST or None, declaration=current)
    if request.method == "POST":
        if not can_declare:
            raise PermissionDenied(_("Only the locality's officers and administrators declare."))
        if form.is_valid():
            try:
                services.declaration_save(user=request.user, intake_round=intake_round, actor=actor,
                                          submit="submit" in request.POST, **form.values())
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The declaration is submitted.") if "submit" in request.POST
                                 else _("The declaration is saved as a draft."))
                return redirect("planning:declaration", pk=pk, actor_id=actor.pk)
    return render(request, "planning/declaration.html", {
        "round": intake_round, "actor": actor, "declaration": current, "form": form,
        "editable": can_declare and intake_round.status == RoundStatus.OPEN,
    })


@require_safe
@login_required
def allocation(request: HttpRequest, pk: int, actor_id: int) -> HttpResponse:
    intake_round = _round(request, pk)
    actor = _locality_actor(request, intake_round, actor_id)
    plan = selectors.plan_current(intake_round=intake_round, published_only=True)
    summary = selectors.allocation_summary(plan=plan, actor_ids={actor.pk}) if plan else []
    response = selectors.response_list(plan=plan, actor_ids={actor.pk}).first() if plan else None
    can_respond = (plan is not None and plan.status == PlanStatus.PUBLISHED and response is None
                   and request.user.has_perm("planning.respond_plan", intake_round.localities.get(actor=actor)))
    current = selectors.declaration_get(intake_round=intake_round, actor_id=actor.pk)
    history = selectors.responses_for_round(intake_round=intake_round).filter(actor=actor)
    return render(request, "planning/allocation.html", {
        "round": intake_round, "actor": actor, "plan": plan, "row": summary[0] if summary else None,
        "response": response, "can_respond": can_respond, "accept_form": AcceptForm(prefix="accept"),
        "object_form": ObjectionForm(prefix="object", declaration=current), "history": history,
        "threads": selectors.thread_list(intake_round=intake_round, actor_ids={actor.pk}),
        "funding": selectors.funding_lines(plan=plan, actor_id=actor.pk) if plan else None,
        "not_counted": selectors.declarations_not_counted(plan=plan).get(actor.pk) if plan else None,
        "treatment": selectors.undeclared_treatment(plan=plan).get(actor.pk) if plan else None,
    })


@require_POST
@login_required
def respond(request: HttpRequest, pk: int, actor_id: int) -> HttpResponse:
    intake_round = _round(request, pk)
    actor = _locality_actor(request, intake_round, actor_id)
    plan = selectors.plan_current(intake_round=intake_round, published_only=True)
    if plan is None:
        raise Http404(_("No plan is published."))
    try:
        if request.POST.get("decision") == "accept":
            form = AcceptForm(request.POST, prefix="accept")
            form.is_valid()
            services.response_accept(user=request.user, plan=plan, actor=actor,
                                     reasons=form.cleaned_data.get("reasons", ""))
            messages.success(request, _("You accepted your allocation."))
        else:
            object_form = ObjectionForm(request.POST, prefix="object")
            if not object_form.is_valid():
                raise ValidationError([f"{object_form.fields[name].label}: {' '.join(map(str, errors))}"
                                       if name != "__all__" else " ".join(map(str, errors))
                                       for name, errors in object_form.errors.items()])
            services.response_object(user=request.user, plan=plan, actor=actor,
                                     reasons=object_form.cleaned_data["reasons"], **object_form.values())
            messages.success(request, _("Your objection and revised declaration are on record."))
    except ValidationError as error:
        _flash(request, error)
    return redirect("planning:allocation", pk=pk, actor_id=actor.pk)


# --- funding ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def funding(request: HttpRequest, pk: int) -> HttpResponse:
    intake_round = _planner_round(request, pk)
    form = FundingForm(request.POST or None, rates=intake_round.funding_rates.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_rates_set(user=request.user, intake_round=intake_round, rates=form.rates())
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("The funding rates are saved."))
            return redirect("planning:funding", pk=pk)
    plan = selectors.plan_for_transfers(intake_round=intake_round)
    return render(request, "planning/funding.html", {
        "round": intake_round, "form": form, "plan": plan,
        "table": selectors.transfer_table(plan=plan) if plan else None,
    })


@require_safe
@login_required
def funding_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The round's funding transfers (CSV or XLSX) as last prepared (exports.py), for its planners."""
    intake_round = _planner_round(request, pk)
    if selectors.plan_for_transfers(intake_round=intake_round) is None:
        raise Http404(_("No plan yet."))
    return prepared_file_response(kind=exports.KIND_TRANSFERS, params={"round": intake_round.pk}, fmt=fmt,
                                  public=False)
