"""Assessment pages: the city team's workspace and questionnaire, validation, consultation, publishing, history,
and the public pages (assessment, gaps, peer benchmark, framework views, dashboard, methods).

Thin views: reads come from `selectors`, writes go through `services`. Per-indicator saves and comments
answer htmx requests with the indicator's partial and plain form posts with a redirect, so every page works
without JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.actors.models import ActorKind
from arrival.actors.selectors import actor_get, actor_list
from arrival.assessments import scores, selectors, services
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.forms import (
    AnswerForm,
    CommentForm,
    DashboardForm,
    FrameworkViewForm,
    InviteForm,
    OpenCycleForm,
    SettingsForm,
    ValidationDecideForm,
    ValidationStartForm,
)
from arrival.assessments.models import Assessment, AssessmentStatus, Validation, ValidationDecision
from arrival.assessments.profile import all_data_links, report_links, score_chart
from arrival.core.http import HtmxHttpRequest
from arrival.core.languages import names_list
from arrival.core.translations import marked_name, sentence_with_names
from arrival.frameworks.models import KIND_SINGULAR, FrameworkKind

METHODS_PATH = Path(settings.BASE_DIR) / "docs" / "methods.md"


# --- helpers ---------------------------------------------------------------------------------------------


def _assessment(pk: int, user: Any) -> Assessment:
    assessment = selectors.assessment_get(pk=pk)
    if not selectors.can_view(user=user, assessment=assessment):
        raise PermissionDenied(_("Only the team, its validators and invited organisations see an unpublished assessment."))
    return assessment


def _published(pk: int) -> Assessment:
    assessment = selectors.assessment_get(pk=pk)
    if assessment.status != AssessmentStatus.PUBLISHED:
        raise Http404(_("This assessment is not published."))
    return assessment


def _error_text(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _rights(user: Any, assessment: Assessment) -> dict[str, bool]:
    return {
        "can_edit": selectors.can_edit(user=user, assessment=assessment),
        "can_validate": selectors.can_validate(user=user, assessment=assessment),
        "can_comment": selectors.can_comment(user=user, assessment=assessment),
        "can_publish": selectors.can_publish(user=user, assessment=assessment),
        "is_team": bool(user.has_perm("assessments.change_assessment", assessment)),
    }


def _structure(parsed: ff.Framework, domain_code: str | None = None) -> list[ff.Domain]:
    if domain_code is None:
        return list(parsed.domains)
    return [d for d in parsed.domains if d.code == domain_code]


def _progress(assessment: Assessment, parsed: ff.Framework) -> list[dict[str, Any]]:
    """Answered of the scored indicators per domain, and how many are "unknown" (the one rule of
    `selectors.answer_counts`, as coverage counts)."""
    counts = selectors.answer_counts(assessment=assessment).domains
    return [{"domain": domain, "answered": counts[domain.code].answered, "unknown": counts[domain.code].unknown,
             "total": counts[domain.code].total} for domain in parsed.domains]


def _indicator_context(
    *, request: HttpRequest, assessment: Assessment, indicator: ff.Indicator, answer: Any, comments: list[Any],
    form: AnswerForm | None = None, saved: bool = False, editable: bool = True,
) -> dict[str, Any]:
    if form is None and editable:
        form = AnswerForm(initial=AnswerForm.initial_for(answer), indicator=indicator)
    return {
        "assessment": assessment, "indicator": indicator, "answer": answer, "form": form, "saved": saved,
        "comments": comments, "editable": editable, "anchor": _anchor(indicator.code),
        "comment_form": CommentForm(prefix="c-" + indicator.code.replace(".", "_")),
        "lacks_evidence": editable and selectors.answer_lacks_evidence(indicator=indicator, answer=answer),
    }


def _anchor(code: str) -> str:
    """The id of an indicator's block on the questionnaire and review pages."""
    return "ind-" + code.replace(".", "-")


def _question_url(assessment: Assessment, code: str) -> str:
    """Where the team answers indicator `code`: its domain's questionnaire page, at the question."""
    url = reverse("assessments:questionnaire", args=[assessment.pk])
    return f"{url}?domain={code.split('.')[0]}#{_anchor(code)}"


# --- naming the validators ------------------------------------------------------------------------------


def _chosen_validator_ids(data: Any) -> list[int]:
    """The actor ids ticked in the validator picker (anything that is not a number is ignored)."""
    return [int(value) for value in data.getlist("validators") if str(value).isdigit()][:50]


def _picker(request: HttpRequest, assessment: Assessment, chosen_ids: list[int] | None = None) -> dict[str, Any]:
    """The validator picker: the actors ticked (by default the named validators) and suggestions for what was
    searched (`validator_q`)."""
    if chosen_ids is None:
        chosen_ids = [row.actor_id for row in selectors.named_validator_list(assessment=assessment)]
    q = (request.GET.get("validator_q") or "").strip()[:100]
    return {
        "q": q,
        "chosen": list(actor_list().filter(pk__in=chosen_ids).select_related("country")),
        "suggestions": selectors.validator_candidates(assessment=assessment, q=q, exclude=chosen_ids),
    }


@login_required
@require_safe
def validator_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """The picker's options for what is being typed (htmx), keeping the actors already ticked."""
    assessment = _assessment(pk, request.user)
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied(_("Only the government's team names its validators."))
    picker = _picker(request, assessment, chosen_ids=_chosen_validator_ids(request.GET))
    return render(request, "assessments/_validator_options.html", {"assessment": assessment, "picker": picker})


# --- a government's assessments and opening a cycle --------------------------------------------------------


@require_safe
def government_assessments(request: HttpRequest, slug: str) -> HttpResponse:
    government = actor_get(slug=slug)
    can_open = government.kind in (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT) and bool(
        request.user.has_perm("assessments.open_assessment", government)
    )
    team = can_open or bool(request.user.is_authenticated and request.user.is_staff)
    assessments = selectors.assessment_list(government=government, published_only=not team)
    return render(request, "assessments/government.html", {
        "government": government, "assessments": assessments, "can_open": can_open,
        "form": OpenCycleForm() if can_open else None,
        "progress": selectors.progress_over_cycles(government=government),
    })


@login_required
@require_POST
def assessment_open(request: HttpRequest, slug: str) -> HttpResponse:
    government = actor_get(slug=slug)
    form = OpenCycleForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.assessment_open(user=request.user, government=government, cycle=form.cleaned_data["cycle"])
        except ValidationError as error:
            for message in _error_text(error):
                form.add_error("cycle", message)
        else:
            messages.success(request, _("Cycle %(cycle)s opened.") % {"cycle": assessment.cycle})
            return redirect("assessments:questionnaire", pk=assessment.pk)
    assessments = selectors.assessment_list(government=government, published_only=False)
    return render(request, "assessments/government.html", {
        "government": government, "assessments": assessments, "can_open": True, "form": form,
        "progress": selectors.progress_over_cycles(government=government),
    }, status=400)


# --- the assessment page (public once published; the workspace before) -----------------------------------


@require_safe
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    parsed = selectors.framework_parsed(framework=assessment.framework)
    context: dict[str, Any] = {"assessment": assessment, "parsed": parsed, **_rights(request.user, assessment)}
    if assessment.status == AssessmentStatus.PUBLISHED:
        point = selectors.progress_over_cycles(government=assessment.government)
        current = next((p for p in point if p.assessment.pk == assessment.pk), None)
        previous = next((p for p in reversed(point) if p.cycle < assessment.cycle), None)
        context.update({
            "current": current,
            "changes": selectors.score_changes(current=current, previous=previous) if current else [],
            "score_chart": score_chart(current=current, parsed=parsed) if current else None,
            "report_links": report_links(assessment),
            "all_data_links": all_data_links(),
            "outcomes": [row for row in selectors.outcome_panel(assessment=assessment)
                         if any(cell.stored for cell in row.cells)],
        })
    else:
        context.update(_workspace(request, assessment, parsed))
    return render(request, "assessments/detail.html", context)


def _workspace(request: HttpRequest, assessment: Assessment, parsed: ff.Framework,
               chosen_ids: list[int] | None = None) -> dict[str, Any]:
    """What the overview of an unpublished assessment shows: progress, validators, validations, next steps."""
    named = selectors.named_validator_list(assessment=assessment)
    context = {
        "progress": _progress(assessment, parsed), "validations": selectors.assessment_validations(assessment=assessment),
        "report_links": report_links(assessment), "named": named,
        "named_names": _names(named),
    }
    if selectors.can_edit(user=request.user, assessment=assessment):
        context["picker"] = _picker(request, assessment, chosen_ids)
    return context


def _names(named: list[Any]) -> SafeString:
    """The named validators' names, marked as names and listed as the reader's language lists them."""
    return names_list(marked_name(row.actor) for row in named)


def _problem_links(assessment: Assessment, parsed: ff.Framework, codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "question": parsed.indicator(code).question, "url": _question_url(assessment, code)}
            for code in codes]


# --- the questionnaire ---------------------------------------------------------------------------------


@login_required
@require_safe
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    return _questionnaire(request, assessment, request.GET.get("domain"))


def _questionnaire(request: HttpRequest, assessment: Assessment, domain_code: str | None,
                   unsaved: AnswerForm | None = None) -> HttpResponse:
    """The questionnaire of one domain; `unsaved`: a form that was not saved, shown with its errors in place."""
    rights = _rights(request.user, assessment)
    if not rights["is_team"] and not request.user.is_staff:
        raise PermissionDenied(_("Only the government's team fills in its questionnaire."))
    parsed = selectors.framework_parsed(framework=assessment.framework)
    domains = _structure(parsed, domain_code or parsed.domains[0].code)
    if not domains:
        raise Http404(_("No such domain in this framework."))
    answers = selectors.assessment_answers(assessment=assessment)
    comments = selectors.assessment_comments(assessment=assessment)
    unsaved_code = unsaved.indicator.code if unsaved is not None else None
    sections = [
        {"sub": sub, "items": [
            _indicator_context(request=request, assessment=assessment, indicator=indicator,
                               answer=answers.get(indicator.code), comments=comments.get(indicator.code, []),
                               editable=rights["can_edit"], form=unsaved if indicator.code == unsaved_code else None)
            for indicator in sub.indicators
        ]}
        for sub in domains[0].subcategories
    ]
    return render(request, "assessments/questionnaire.html", {
        "assessment": assessment, "parsed": parsed, "domain": domains[0], "sections": sections,
        "progress": _progress(assessment, parsed), "unsaved": unsaved, "unsaved_anchor": _anchor(unsaved_code or ""),
        **rights,
    }, status=200 if unsaved is None else 422)


def _answer_and_evidence_save(request: HttpRequest, assessment: Assessment, row: Any, form: AnswerForm) -> bool:
    """Save the answer and its uploaded evidence together, or neither; each refusal goes beside its field (a
    refused file beside the file field, so the person sees it where they acted)."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            try:
                answer = services.answer_save(
                    user=request.user, assessment=assessment, indicator=row, value=data["value"],
                    special=data["special"], comment=data["comment"], evidence_url=data["evidence_url"],
                    evidence_reference=data["evidence_reference"],
                )
            except ValidationError as error:
                for message in _error_text(error):
                    form.add_error(None, message)
                raise
            if data.get("evidence_file"):
                try:
                    services.evidence_attach(user=request.user, answer=answer, file=data["evidence_file"])
                except ValidationError as error:
                    for message in _error_text(error):
                        form.add_error("evidence_file", message)
                    raise
    except ValidationError:
        return False
    return True


@login_required
@require_POST
def answer_save(request: HtmxHttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = selectors.assessment_get(pk=pk)
    if not selectors.can_edit(user=request.user, assessment=assessment):
        raise PermissionDenied(_("You cannot change this assessment's answers now."))
    parsed = selectors.framework_parsed(framework=assessment.framework)
    try:
        indicator = parsed.indicator(code)
    except KeyError:
        raise Http404(_("No such indicator in this framework.")) from None
    row = selectors.indicator_get(framework=assessment.framework, code=code)
    form = AnswerForm(request.POST, request.FILES, indicator=indicator)
    saved = form.is_valid() and _answer_and_evidence_save(request, assessment, row, form)
    domain = next(d for d in parsed.domains if code.startswith(d.code + "."))
    if not request.htmx:
        if not saved:  # the page again, this question's form keeping what was typed, its errors beside the fields
            return _questionnaire(request, assessment, domain.code, unsaved=form)
        messages.success(request, _("Answer to %(code)s saved.") % {"code": code})
        answer = selectors.assessment_answers(assessment=assessment).get(code)
        if selectors.answer_lacks_evidence(indicator=indicator, answer=answer):
            messages.warning(request, _("%(code)s needs evidence (a link, a document or a council decision reference) "
                                        "before the assessment can be submitted.") % {"code": code})
        return redirect(_question_url(assessment, code))
    answers = selectors.assessment_answers(assessment=assessment)
    comments = selectors.assessment_comments(assessment=assessment)
    context = _indicator_context(
        request=request, assessment=assessment, indicator=indicator, answer=answers.get(code),
        comments=comments.get(code, []), form=None if saved else form, saved=saved,
    )
    context["progress"] = _progress(assessment, parsed)
    context.update(oob_progress=True, domain_link=True, domain=domain)
    return render(request, "assessments/_indicator.html", context, status=200 if saved else 422)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    chosen = _chosen_validator_ids(request.POST) if "validators_given" in request.POST else None
    validators = list(actor_list().filter(pk__in=chosen)) if chosen is not None else None
    try:
        services.assessment_submit(user=request.user, assessment=assessment, validators=validators)
    except ValidationError as error:
        # Each blocking problem links to its question (or to the validator field); anything else is said as is.
        assessment = selectors.assessment_get(pk=assessment.pk)
        parsed = selectors.framework_parsed(framework=assessment.framework)
        problems = selectors.submission_problems(assessment=assessment)
        if chosen is not None:
            problems = selectors.SubmissionProblems(unanswered=problems.unanswered, no_evidence=problems.no_evidence,
                                                    no_validator=not chosen)
        known = set(problems.messages())
        return render(request, "assessments/detail.html", {
            "assessment": assessment, "parsed": parsed, **_workspace(request, assessment, parsed, chosen),
            "submit_errors": [message for message in _error_text(error) if message not in known],
            "unanswered": _problem_links(assessment, parsed, problems.unanswered),
            "no_evidence": _problem_links(assessment, parsed, problems.no_evidence),
            "no_validator": problems.no_validator, "submit_failed": True, **_rights(request.user, assessment),
        }, status=400)
    names = _names(selectors.named_validator_list(assessment=assessment))
    # Safe markup survives the message storage: the names stay marked as names.
    messages.success(request, sentence_with_names(_("Submitted for validation by %(validators)s; they have been told."),
                                                  validators=names))
    return redirect("assessments:detail", pk=assessment.pk)


@login_required
@require_POST
def assessment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    try:
        services.assessment_publish(user=request.user, assessment=assessment)
    except ValidationError as error:
        for message in _error_text(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Published. The scores now show on the government's profile."))
    return redirect("assessments:detail", pk=assessment.pk)


# --- validation ----------------------------------------------------------------------------------------


def _my_validation(user: Any, assessment: Assessment) -> Validation | None:
    for validation in selectors.assessment_validations(assessment=assessment):
        if validation.validator_id == user.pk and validation.decision == ValidationDecision.IN_PROGRESS:
            return validation
    return None


def _review_items(assessment: Assessment, parsed: ff.Framework) -> list[dict[str, Any]]:
    answers = selectors.assessment_answers(assessment=assessment)
    comments = selectors.assessment_comments(assessment=assessment)
    return [
        {"domain": domain, "sub": sub, "indicator": indicator, "answer": answers.get(indicator.code),
         "comments": comments.get(indicator.code, []), "anchor": _anchor(indicator.code),
         "comment_form": CommentForm(prefix="c-" + indicator.code.replace(".", "_"))}
        for domain in parsed.domains for sub in domain.subcategories for indicator in sub.indicators
    ]


@login_required
@require_safe
def validation_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    rights = _rights(request.user, assessment)
    if not rights["can_validate"] and not rights["is_team"] and not request.user.is_staff:
        raise PermissionDenied(_("Only validators and the team see the validation."))
    parsed = selectors.framework_parsed(framework=assessment.framework)
    mine = _my_validation(request.user, assessment) if rights["can_validate"] else None
    return render(request, "assessments/validation.html", {
        "assessment": assessment, "parsed": parsed, "validation": mine, "items": _review_items(assessment, parsed),
        "named_names": _names(selectors.named_validator_list(assessment=assessment)),
        "validations": selectors.assessment_validations(assessment=assessment),
        "start_form": ValidationStartForm(actors=selectors.validator_actors(user=request.user, assessment=assessment))
        if rights["can_validate"] and mine is None else None,
        "decide_form": ValidationDecideForm() if mine else None, **rights,
    })


@login_required
@require_POST
def validation_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    form = ValidationStartForm(request.POST, actors=selectors.validator_actors(user=request.user, assessment=assessment))
    if form.is_valid():
        try:
            services.validation_start(user=request.user, assessment=assessment,
                                      validator_actor=form.cleaned_data["validator_actor"])
        except ValidationError as error:
            for message in _error_text(error):
                messages.error(request, message)
    else:
        messages.error(request, _("Choose the government or network you validate for."))
    return redirect("assessments:validation", pk=assessment.pk)


def _comment_response(request: HtmxHttpRequest, assessment: Assessment, code: str, write: Any, back: str) -> HttpResponse:
    parsed = selectors.framework_parsed(framework=assessment.framework)
    try:
        parsed.indicator(code)
    except KeyError:
        raise Http404(_("No such indicator in this framework.")) from None
    indicator_row = selectors.indicator_get(framework=assessment.framework, code=code)
    form = CommentForm(request.POST, prefix="c-" + code.replace(".", "_"))
    error = ""
    if form.is_valid():
        try:
            write(indicator_row, form.cleaned_data["text"])
        except ValidationError as exc:
            error = " ".join(_error_text(exc))
    else:
        error = _("Write a comment first.")
    anchor = "ind-" + code.replace(".", "-")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{reverse(back, args=[assessment.pk])}#{anchor}")
    comments = selectors.assessment_comments(assessment=assessment).get(code, [])
    return render(request, "assessments/_comments.html", {
        "assessment": assessment, "comments": comments, "code": code, "anchor": anchor, "error": error,
        "comment_form": CommentForm(prefix="c-" + code.replace(".", "_")) if not error else form,
        "post_url": request.path,
    }, status=422 if error else 200)


@login_required
@require_POST
def validation_comment(request: HtmxHttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    validation = _my_validation(request.user, assessment)
    if validation is None:
        raise PermissionDenied(_("Start the validation before commenting."))

    def write(indicator: Any, text: str) -> None:
        services.validation_comment(user=request.user, validation=validation, indicator=indicator, text=text)

    return _comment_response(request, assessment, code, write, "assessments:validation")


@login_required
@require_POST
def validation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    validation = _my_validation(request.user, assessment)
    if validation is None:
        raise PermissionDenied(_("Start the validation before deciding."))
    form = ValidationDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to request changes or to accept."))
        return redirect("assessments:validation", pk=assessment.pk)
    try:
        services.validation_decide(user=request.user, validation=validation, decision=form.cleaned_data["decision"],
                                   summary=form.cleaned_data["summary"])
    except ValidationError as error:
        for message in _error_text(error):
            messages.error(request, message)
        return redirect("assessments:validation", pk=assessment.pk)
    messages.success(request, _("Decision recorded and sent to the team."))
    return redirect("assessments:detail", pk=assessment.pk)


# --- consultation and team notes -----------------------------------------------------------------------


@login_required
@require_safe
def consultation_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    rights = _rights(request.user, assessment)
    if not rights["can_comment"] and not rights["is_team"] and not request.user.is_staff:
        raise PermissionDenied(_("Only invited organisations take part in this consultation."))
    parsed = selectors.framework_parsed(framework=assessment.framework)
    return render(request, "assessments/consultation.html", {
        "assessment": assessment, "parsed": parsed, "items": _review_items(assessment, parsed), **rights,
    })


@login_required
@require_POST
def consultation_comment(request: HtmxHttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _assessment(pk, request.user)

    def write(indicator: Any, text: str) -> None:
        services.consultation_comment(user=request.user, assessment=assessment, indicator=indicator, text=text)

    return _comment_response(request, assessment, code, write, "assessments:consultation")


@login_required
@require_POST
def team_comment(request: HtmxHttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = _assessment(pk, request.user)

    def write(indicator: Any, text: str) -> None:
        services.team_comment(user=request.user, assessment=assessment, indicator=indicator, text=text)

    return _comment_response(request, assessment, code, write, "assessments:questionnaire")


# --- team settings ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_settings(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied(_("Only the government's team changes these settings."))
    form = SettingsForm(request.POST or None, initial={
        "consultation_open": assessment.consultation_open, "benchmark_opt_in": assessment.benchmark_opt_in})
    invite_form = InviteForm()
    status = 200
    validator_errors: list[str] = []
    chosen: list[int] | None = None
    if request.method == "POST":
        if "validators_given" in request.POST:
            form = SettingsForm(initial=form.initial)
            chosen = _chosen_validator_ids(request.POST)
            try:
                services.assessment_validators_set(user=request.user, assessment=assessment,
                                                   validators=list(actor_list().filter(pk__in=chosen)))
            except ValidationError as error:
                validator_errors = _error_text(error)
            else:
                messages.success(request, _("Validators saved."))
                return redirect("assessments:settings", pk=assessment.pk)
        elif "organisation" in request.POST:
            form = SettingsForm(initial=form.initial)
            invite_form = InviteForm(request.POST)
            if invite_form.is_valid():
                try:
                    services.consultation_invite(user=request.user, assessment=assessment,
                                                 organisation=invite_form.cleaned_data["organisation"])
                except ValidationError as error:
                    for message in _error_text(error):
                        invite_form.add_error("organisation", message)
                else:
                    messages.success(request, _("Organisation invited."))
                    return redirect("assessments:settings", pk=assessment.pk)
        elif form.is_valid():
            try:
                services.assessment_update_settings(user=request.user, assessment=assessment, **form.cleaned_data)
            except ValidationError as error:
                for message in _error_text(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("assessments:settings", pk=assessment.pk)
        status = 400
    invited = selectors.consultation_invitation_list(assessment=assessment)
    namable = assessment.status in services.NAMING
    return render(request, "assessments/settings.html", {
        "assessment": assessment, "form": form, "invite_form": invite_form, "invited": invited,
        "named": selectors.named_validator_list(assessment=assessment), "validator_errors": validator_errors,
        "picker": _picker(request, assessment, chosen) if namable else None, **_rights(request.user, assessment),
    }, status=status)


# --- history ---------------------------------------------------------------------------------------------


@require_safe
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    return render(request, "assessments/history.html", {
        "assessment": assessment, "rows": selectors.assessment_history_rows(assessment=assessment),
        **_rights(request.user, assessment)})


# --- analysis pages --------------------------------------------------------------------------------------


@require_safe
def gaps(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    return render(request, "assessments/gaps.html", {
        "assessment": assessment, "gaps": selectors.gap_list(assessment=assessment),
        "changes": selectors.indicator_changes(assessment=assessment) if assessment.status == AssessmentStatus.PUBLISHED else None,
        **_rights(request.user, assessment),
    })


@require_safe
def benchmark(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _published(pk)
    return render(request, "assessments/benchmark.html", {
        "assessment": assessment, "groups": selectors.peer_benchmark(assessment=assessment),
        "position": scores.peer_position(assessment=assessment),
        "min_group": selectors.MIN_GROUP_SIZE, "population_bands": [band[2] for band in selectors.POPULATION_BANDS],
        **_rights(request.user, assessment),
    })


@require_safe
def framework_views(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk, request.user)
    kinds = [(kind.value, kind.label) for kind in selectors.VIEW_KINDS]
    form = FrameworkViewForm(request.GET or None, kinds=kinds)
    kind = FrameworkKind.GCM_OBJECTIVE.value
    if form.is_bound and form.is_valid() and form.cleaned_data["kind"]:
        kind = form.cleaned_data["kind"]
    return render(request, "assessments/framework_views.html", {
        "assessment": assessment, "form": form, "kind": kind, "kind_label": KIND_SINGULAR[kind],
        "kind_title": FrameworkKind(kind).label, "view": selectors.framework_view(assessment=assessment, kind=kind),
        **_rights(request.user, assessment),
    })


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    framework = selectors.framework_current()
    parsed = selectors.framework_parsed(framework=framework)
    base = selectors.dashboard(framework=framework)
    form = DashboardForm(request.GET or None, cycles=base["cycles"], domains=parsed.domains)
    data = base
    if form.is_bound and form.is_valid():
        cycle = form.cleaned_data["cycle"] or None
        if cycle != base["cycle"] or form.cleaned_data["domain"]:
            data = selectors.dashboard(framework=framework, cycle=cycle, domain=form.cleaned_data["domain"])
    return render(request, "assessments/dashboard.html", {
        "framework": framework, "parsed": parsed, "form": form, "data": data, "min_group": selectors.MIN_GROUP_SIZE,
        "all_data_links": all_data_links(),
    })


@require_safe
def methods(request: HttpRequest) -> HttpResponse:
    try:
        text = METHODS_PATH.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Http404(_("The methods document is missing from this installation.")) from None
    return render(request, "assessments/methods.html", {"text": text})
