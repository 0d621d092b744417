"""Commitment pages: the list, the commitment page with its history, the team's forms and lifecycle buttons,
file-once exports, accountability dashboards and the review calendar.

Thin views: reads come from `selectors`, writes go through `services` (which check permissions and audit).
Every page works without JavaScript; forms post and redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.actors.models import Actor, ActorKind
from arrival.actors.selectors import actor_get
from arrival.commitments import file_once, selectors, services
from arrival.commitments.forms import (
    CloseForm,
    CommitmentEditForm,
    CreateForm,
    ForumReportForm,
    IndicatorForm,
    IndicatorValueForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProgressForm,
    ReasonForm,
    WindowForm,
)
from arrival.commitments.models import (
    COMMITMENT_TRANSLATABLE,
    Commitment,
    CommitmentStatus,
    CommitmentType,
    ProgressStatus,
)
from arrival.core.forms import TranslationsForm, translations_page_context
from arrival.core.languages import UN_LANGUAGES, language_dir
from arrival.core.templatetags.arrival import content, lang_attrs
from arrival.core.translations import localized, marked_name, sentence_with_names
from arrival.frameworks.models import FrameworkKind
from arrival.frameworks.selectors import item_get, tags_for
from arrival.reports.responses import prepared_file_response


def _errors(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _commitment(request: HttpRequest, pk: int) -> Commitment:
    try:
        commitment = selectors.commitment_get(pk=pk)
    except Commitment.DoesNotExist:
        raise Http404(_("No commitment at this address.")) from None
    if not request.user.has_perm("commitments.view_commitment", commitment):
        raise Http404(_("No commitment at this address."))
    return commitment


def _leads(user: Any) -> Any:
    return selectors.lead_choices(user=user)


def _initial(commitment: Commitment) -> dict[str, Any]:
    tags = [tag.item for tag in tags_for(record=commitment)]
    return {
        "title": commitment.title, "description": commitment.description, "language": commitment.language,
        "commitment_type": commitment.commitment_type, "matched_public_id": commitment.matches.public_id if commitment.matches is not None else "",
        "pledge_forms": commitment.forms, "starts_on": commitment.starts_on, "target_date": commitment.target_date,
        "partners": "\n".join(p.slug for p in commitment.partners.all()),
        "gcm_objectives": [i.pk for i in tags if i.framework.kind == FrameworkKind.GCM_OBJECTIVE],
        "gcm_principles": [i.pk for i in tags if i.framework.kind == FrameworkKind.GCM_PRINCIPLE],
        "sdg_targets": ", ".join(i.code for i in tags if i.framework.kind == FrameworkKind.SDG_TARGET),
        "nua_paragraphs": ", ".join(i.code for i in tags if i.framework.kind == FrameworkKind.NUA_PARAGRAPH),
        "contact_role": commitment.contact_role, "contact_email": commitment.contact_email,
    }


def _back(commitment: Commitment, anchor: str = "") -> HttpResponse:
    return redirect(reverse("commitments:detail", args=[commitment.pk]) + (f"#{anchor}" if anchor else ""))


# --- List and page -----------------------------------------------------------------------------------------


@require_safe
def commitment_list(request: HttpRequest) -> HttpResponse:
    commitments = selectors.commitment_list_public(reader_first=True)
    filters: dict[str, Any] = {
        "q": request.GET.get("q", "")[:100],
        "progress": request.GET.get("progress") if request.GET.get("progress") in ProgressStatus.values else None,
        "objective": request.GET.get("objective", "")[:5] or None,
        "country": request.GET.get("country", "")[:2] or None,
    }
    commitments = selectors.commitment_filter(commitments, **filters)
    page = Paginator(commitments, 25).get_page(request.GET.get("page"))
    tags = selectors.tags_by_commitment(commitment_ids=[c.pk for c in page.object_list])
    for commitment in page.object_list:
        commitment.objectives = [i for i in tags.get(commitment.pk, []) if i.framework.kind == FrameworkKind.GCM_OBJECTIVE]
    user = request.user
    context = {
        "page": page, "filters": filters, "progress_choices": ProgressStatus.choices,
        "mine": list(selectors.commitment_list_for_team(user=user)[:50]) if user.is_authenticated else [],
        "to_publish": selectors.commitment_list_to_publish(user=user),
        "can_create": user.is_authenticated and _leads(user).exists(),
    }
    return render(request, "commitments/list.html", context)


@require_safe
def commitment_by_public_id(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        commitment = selectors.commitment_get_by_public_id(public_id=public_id)
    except Commitment.DoesNotExist:
        raise Http404(_("No commitment has this id.")) from None
    return redirect("commitments:detail", pk=commitment.pk)


def _series(indicators: list[Any], language: str) -> list[dict[str, Any]]:
    """Each indicator with its dated values' chart (None before the first value) and its name as HTML, marked with
    the language it is written in (its commitment's), for the sentences that quote it."""
    values = selectors.indicator_series(indicators=indicators)
    return [{"indicator": indicator, "chart": selectors.indicator_chart(indicator=indicator, values=values[indicator.pk]),
             "name_html": format_html("<span{}>{}</span>", lang_attrs(language), indicator.name)}
            for indicator in indicators]


@require_safe
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    user = request.user
    updates = selectors.updates_for(commitment=commitment, viewer=user)
    evidence = selectors.evidence_for(updates=updates)
    for update in updates:
        update.evidence = evidence.get(update.pk, [])
    # Each act only where the lifecycle allows it, so the actions card never shows an empty promise.
    steps = {"change": CommitmentStatus.DRAFT, "approve": CommitmentStatus.INTERNAL_APPROVAL,
             "submit": CommitmentStatus.INTERNAL_APPROVAL, "publish": CommitmentStatus.SUBMITTED,
             "report": CommitmentStatus.PUBLISHED}
    can = {name: commitment.status == status and user.has_perm(f"commitments.{name}_commitment", commitment)
           for name, status in steps.items()}
    tags = [tag.item for tag in tags_for(record=commitment)]
    indicators = list(commitment.indicators.all())
    groups: dict[str, list[Any]] = {}
    for item in tags:
        groups.setdefault(item.kind_label, []).append(item)
    context = {
        "commitment": commitment,
        "content_dir": language_dir(commitment.language),
        "updates": updates,
        "milestones": selectors.milestones_with_flags(commitment=commitment),
        "indicators": indicators, "series": _series(indicators, commitment.language),
        "forum_reports": list(commitment.forum_reports.all()),
        "tag_groups": groups,
        "trace": selectors.contribution_trace(commitment=commitment),
        "origins": selectors.origin_links(commitment=commitment),
        "matched_by": selectors.commitments_matching(commitment=commitment),
        "can": can,
        "file_once": [{"form": key, "title": spec.title,
                       "links": [(fmt.upper(), reverse("commitments:file_once_export", args=[commitment.pk, key, fmt]))
                                 for fmt in file_once.FORMATS]} for key, spec in file_once.FORMS.items()],
        "milestone_form": MilestoneForm(), "indicator_form": IndicatorForm(), "reason_form": ReasonForm(),
        "close_form": CloseForm(), "today": timezone.localdate(), "made_on": services.commitment_made_on(commitment),
    }
    return render(request, "commitments/detail.html", context)


# --- The team's forms --------------------------------------------------------------------------------------


def _source(request: HttpRequest, leads: Any) -> tuple[str, Any, Any]:
    """The record a new commitment is made from (`?contribution=` or `?paragraph=`, also posted back) and the leads
    that may make it: ("contribution", record, leads), ("paragraph", record, leads) or ("", None, leads)."""
    from arrival.consultations import selectors as consultation_selectors

    for kind in ("contribution", "paragraph"):
        raw = request.GET.get(kind) or request.POST.get(kind)
        if not raw:
            continue
        if not str(raw).isdigit():
            raise Http404(_("No record at this address."))
        if kind == "contribution":
            contribution = consultation_selectors.contribution_get(pk=int(raw), viewer=request.user)
            leads = leads.filter(pk__in=consultation_selectors.contribution_signer_ids(contribution=contribution))
            if not leads.exists():
                raise PermissionDenied(_("Only the team of the contributing or co-signing government makes a "
                                         "commitment from this contribution."))
            return kind, contribution, leads
        paragraph = consultation_selectors.paragraph_get(pk=int(raw))
        if paragraph.version.frozen_at is None:
            raise Http404(_("Commitments are made from the paragraphs of an adopted outcome document."))
        return kind, paragraph, leads
    return "", None, leads


def _prefilled(kind: str, record: Any) -> dict[str, Any]:
    """Form values suggested by the source record: title, description, language and framework tags."""
    if kind == "contribution":
        values = selectors.prefill_from_contribution(contribution=record)
    else:
        values = selectors.prefill_from_paragraph(paragraph=record)
    tags = values.pop("tags")
    return values | {
        "gcm_objectives": [i.pk for i in tags if i.framework.kind == FrameworkKind.GCM_OBJECTIVE],
        "gcm_principles": [i.pk for i in tags if i.framework.kind == FrameworkKind.GCM_PRINCIPLE],
        "sdg_targets": ", ".join(i.code for i in tags if i.framework.kind == FrameworkKind.SDG_TARGET),
        "nua_paragraphs": ", ".join(i.code for i in tags if i.framework.kind == FrameworkKind.NUA_PARAGRAPH),
    }


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    leads = _leads(request.user)
    if not leads.exists():
        raise PermissionDenied(_("Only the team of a government or network writes its commitments."))
    kind, source, leads = _source(request, leads)
    if request.method == "POST":
        form = CreateForm(request.POST, leads=leads)
        if form.is_valid():
            fields, lead = form.service_fields(), form.cleaned_data["lead"]
            try:
                if kind == "contribution":
                    commitment = services.commitment_create_from_contribution(
                        user=request.user, contribution=source, lead=lead, **fields)
                elif kind == "paragraph":
                    commitment = services.commitment_create_from_paragraph(
                        user=request.user, paragraph=source, lead=lead, **fields)
                else:
                    commitment = services.commitment_create(user=request.user, lead=lead, **fields)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Draft commitment saved."))
                return _back(commitment)
    else:
        initial: dict[str, Any] = {"language": request.LANGUAGE_CODE[:2], "commitment_type": CommitmentType.INDIVIDUAL}
        if source is not None:
            initial |= _prefilled(kind, source)
        # The lead is preselected when there is one obvious choice: the contributor, or the only one the person has.
        if kind == "contribution" and leads.filter(pk=source.actor_id).exists():
            initial["lead"] = source.actor_id
        elif leads.count() == 1:
            initial["lead"] = leads.first().pk
        form = CreateForm(initial=initial, leads=leads)
    return render(request, "commitments/form.html", {"form": form, "source_kind": kind, "source": source,
                                                     "commitment": None})


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    if not request.user.has_perm("commitments.change_commitment", commitment):
        raise PermissionDenied(_("Only the lead's team edits a commitment, and only as a draft."))
    if request.method == "POST":
        form = CommitmentEditForm(request.POST, record_language=commitment.language)
        if form.is_valid():
            try:
                services.commitment_update(user=request.user, commitment=commitment, **form.service_fields())
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Draft commitment saved."))
                return _back(commitment)
    else:
        form = CommitmentEditForm(initial=_initial(commitment), record_language=commitment.language,
                                  translations=commitment.translations)
    return render(request, "commitments/form.html", {"form": form, "commitment": commitment, "source": None})


@login_required
@require_http_methods(["GET", "POST"])
def commitment_translations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The team's translations of the commitment's texts and its milestones' titles, at any stage."""
    commitment = _commitment(request, pk)
    if not (request.user.has_perm("commitments.change_commitment", commitment)
            or request.user.has_perm("commitments.report_commitment", commitment)):
        raise PermissionDenied(_("Only the lead's team translates a commitment."))
    milestones = list(commitment.milestones.all())
    keys = {m.pk: f"milestone_{m.pk}" for m in milestones}
    names = (*COMMITMENT_TRANSLATABLE, *keys.values())
    labels: dict[str, Any] = {name: CommitmentEditForm.base_fields[name].label for name in COMMITMENT_TRANSLATABLE}
    # Each milestone's title, quoted in the label, keeps the language it is written in.
    labels.update({keys[m.pk]: sentence_with_names(_("Milestone “%(title)s”"), title=format_html(
        "<span{}>{}</span>", lang_attrs(m.language), m.title)) for m in milestones})
    given = {code: {**(commitment.translations.get(code) or {}),
                    **{keys[m.pk]: (m.translations.get(code) or {}).get("title", "") for m in milestones}}
             for code in UN_LANGUAGES}
    form = TranslationsForm(request.POST or None, names=names, language=commitment.language, translations=given,
                            labels=labels, one_line=("title", "contact_role", *keys.values()),
                            max_lengths={"title": 250, "contact_role": 200, **dict.fromkeys(keys.values(), 250)})
    if request.method == "POST" and form.is_valid():
        typed = form.translations()
        texts = {code: {k: v for k, v in fields.items() if not k.startswith("milestone_")}
                 for code, fields in typed.items()}
        by_milestone = {m.pk: {code: {"title": fields[keys[m.pk]]} for code, fields in typed.items()
                               if fields.get(keys[m.pk])} for m in milestones}
        try:
            services.commitment_translations_set(user=request.user, commitment=commitment, translations=texts,
                                                 milestones=by_milestone)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Translations saved."))
            return _back(commitment)
    context = translations_page_context(record=commitment, form=form, record_url=commitment.get_absolute_url())
    return render(request, "core/translations_form.html", context, status=400 if form.errors else 200)


_ACTIONS = {
    "submit_for_approval": (services.commitment_submit_for_approval, _("Sent to your administrators for approval.")),
    "approve": (services.commitment_approve, _("Approved. The team can submit it now.")),
    "submit": (services.commitment_submit, _("Submitted for publication.")),
    "publish": (services.commitment_publish, _("Published.")),
}


@login_required
@require_POST
def commitment_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    commitment = _commitment(request, pk)
    try:
        if action in _ACTIONS:
            service, done = _ACTIONS[action]
            service(user=request.user, commitment=commitment)
        elif action == "send_back":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why it goes back to draft."))
            services.commitment_send_back(user=request.user, commitment=commitment, reason=form.cleaned_data["reason"])
            done = _("Sent back to draft.")
        elif action == "close":
            close_form = CloseForm(request.POST)
            close_form.is_valid()
            services.commitment_close(user=request.user, commitment=commitment,
                                      note=close_form.cleaned_data.get("note", ""))
            done = _("Closed.")
        else:
            raise Http404(_("No such action."))
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, done)
    return _back(commitment)


def _post_form(request: HttpRequest, form: Any, act: Any, *, done: str, invalid: str) -> None:
    """A small form posted from the commitment page: run `act` on its data and say how it went."""
    if not form.is_valid():
        messages.error(request, invalid)
        return
    try:
        act(form.cleaned_data)
    except ValidationError as error:
        _flash_errors(request, error)
    else:
        messages.success(request, done)


@login_required
@require_POST
def milestone_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    _post_form(request, MilestoneForm(request.POST),
               lambda data: services.milestone_add(user=request.user, commitment=commitment, **data),
               done=_("Milestone added."), invalid=_("Give the milestone a title and a due date."))
    return _back(commitment, "milestones")


@login_required
@require_POST
def milestone_done(request: AuthenticatedHttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    milestone = selectors.milestone_get(commitment=commitment, pk=milestone_pk)
    _post_form(request, MilestoneDoneForm(request.POST),
               lambda data: services.milestone_complete(user=request.user, milestone=milestone, **data),
               done=_("Milestone marked done."), invalid=_("Give the day it was done (YYYY-MM-DD)."))
    return _back(commitment, "milestones")


@login_required
@require_POST
def indicator_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    _post_form(request, IndicatorForm(request.POST),
               lambda data: services.indicator_add(user=request.user, commitment=commitment, **data),
               done=_("Indicator added."), invalid=_("Check the indicator: a name, and numbers for baseline and target."))
    return _back(commitment, "indicators")


@login_required
@require_POST
def indicator_value(request: AuthenticatedHttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    indicator = selectors.indicator_get(commitment=commitment, pk=indicator_pk)
    _post_form(request, IndicatorValueForm(request.POST),
               lambda data: services.indicator_value_set(user=request.user, indicator=indicator, value=data["value"],
                                                         measured_on=data["measured_on"]),
               done=_("Value recorded."), invalid=_("Give a number and the date it was measured."))
    return _back(commitment, "indicators")


@login_required
@require_http_methods(["GET", "POST"])
def progress_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    commitment = _commitment(request, pk)
    if not request.user.has_perm("commitments.report_commitment", commitment):
        raise PermissionDenied(_("Only the lead's team reports progress, once the commitment is published."))
    updates = selectors.updates_for(commitment=commitment)
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES, updates=updates)
        if form.is_valid():
            data = form.cleaned_data
            corrects = next((u for u in updates if u.pk == data["corrects"]), None)
            try:
                services.progress_update_add(
                    user=request.user, commitment=commitment, reported_on=data["reported_on"], status=data["status"],
                    percent=data["percent"], narrative=data["narrative"], links=data["links"], corrects=corrects,
                    evidence=[data["evidence"]] if data.get("evidence") else [])
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Progress update published."))
                return _back(commitment, "history")
    else:
        latest = updates[0] if updates else None
        form = ProgressForm(updates=updates, initial={
            "reported_on": timezone.localdate(), "status": latest.status if latest else ProgressStatus.IN_PROGRESS,
            "percent": latest.percent if latest else 0})
    return render(request, "commitments/progress_form.html", {"form": form, "commitment": commitment})


@login_required
@require_http_methods(["GET", "POST"])
def forum_report_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from arrival.consultations import selectors as consultation_selectors

    commitment = _commitment(request, pk)
    if not request.user.has_perm("commitments.report_commitment", commitment):
        raise PermissionDenied(_("Only the lead's team reports a published commitment to a forum."))
    forums = consultation_selectors.forum_list()
    if request.method == "POST":
        form = ForumReportForm(request.POST, forums=forums)
        if form.is_valid():
            try:
                services.commitment_report_to_forum(user=request.user, commitment=commitment, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Report to the forum recorded."))
                return _back(commitment, "forums")
    else:
        # From "My work": the open submission window the report answers chooses the forum.
        window = selectors.submission_window_open(pk=request.GET.get("window"))
        form = ForumReportForm(forums=forums, initial={"reported_on": timezone.localdate(),
                                                       "forum": window.forum_id if window else None})
        return render(request, "commitments/forum_report_form.html", {
            "form": form, "commitment": commitment, "window": window,
            "window_title": format_html("<span{}>{}</span>", lang_attrs(window.language), window.title) if window else ""})
    return render(request, "commitments/forum_report_form.html", {"form": form, "commitment": commitment})


@require_safe
def commitment_file_once(request: HttpRequest, pk: int, form: str, fmt: str) -> HttpResponseBase:
    """The commitment in a registry's form fields (file_once.py), as last prepared."""
    commitment = _commitment(request, pk)
    if form not in file_once.FORMS:
        raise Http404(_("No such export."))
    return prepared_file_response(kind=file_once.KIND, params={"pk": commitment.pk, "form": form}, fmt=fmt,
                                  public=commitment.is_public)


# --- Dashboards --------------------------------------------------------------------------------------------


def _dashboard_subject(dashboard: selectors.Dashboard) -> tuple[str, str]:
    """What the dashboard is about, (as HTML, as plain text for <title>): a government's or network's name as a
    name, a consultation's title or a forum's name in the reader's language or marked with its own."""
    subject = dashboard.subject
    if dashboard.scope in ("government", "network"):
        return marked_name(subject), dashboard.title
    if dashboard.scope == "consultation":
        return content(subject, "title"), localized(subject, "title").text
    if dashboard.scope == "forum":
        return content(subject, "name"), dashboard.title
    return conditional_escape(dashboard.title), dashboard.title


def _dashboard_page(request: HttpRequest, dashboard: selectors.Dashboard) -> HttpResponse:
    subject_html, subject_text = _dashboard_subject(dashboard)
    return render(request, "commitments/dashboard.html", {"dashboard": dashboard, "subject_html": subject_html,
                                                          "subject_text": subject_text,
                                                          "chart": selectors.dashboard_chart(dashboard)})


@require_safe
def dashboard_index(request: HttpRequest) -> HttpResponse:
    from arrival.consultations import selectors as consultation_selectors

    return render(request, "commitments/dashboards.html", {
        "forums": consultation_selectors.forum_list(),
        "consultations": consultation_selectors.consultation_list()[:50],
        "networks": selectors.networks_with_member_commitments(),
        "governments": selectors.actors_with_public_commitments(kind="government")[:200],
        "objectives": selectors.objective_overview(),
    })


@require_safe
def dashboard_government(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        government = actor_get(slug=slug)
    except Actor.DoesNotExist:
        raise Http404(_("No government at this address.")) from None
    return _dashboard_page(request, selectors.dashboard_government(government=government))


@require_safe
def dashboard_network(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        network = actor_get(slug=slug)
    except Actor.DoesNotExist:
        raise Http404(_("No network at this address.")) from None
    if network.kind != ActorKind.NETWORK:
        raise Http404(_("No network at this address."))
    return _dashboard_page(request, selectors.dashboard_network(network=network))


@require_safe
def dashboard_forum(request: HttpRequest, key: str) -> HttpResponse:
    from arrival.consultations import selectors as consultation_selectors

    return _dashboard_page(request, selectors.dashboard_forum(forum=consultation_selectors.forum_get(key=key)))


@require_safe
def dashboard_consultation(request: HttpRequest, slug: str) -> HttpResponse:
    from arrival.consultations import selectors as consultation_selectors

    try:
        consultation = consultation_selectors.consultation_get(slug=slug)
    except Exception as error:  # the selector raises its model's DoesNotExist or Http404
        raise Http404(_("No consultation at this address.")) from error
    return _dashboard_page(request, selectors.dashboard_consultation(consultation=consultation))


@require_safe
def dashboard_objective(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard_page(request, selectors.dashboard_objective(item=item_get(kind=FrameworkKind.GCM_OBJECTIVE,
                                                                                 code=code)))


# --- The review calendar -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_calendar(request: HttpRequest) -> HttpResponse:
    from arrival.consultations import selectors as consultation_selectors

    can_manage = request.user.has_perm("commitments.manage_calendar", None)
    form = WindowForm(forums=consultation_selectors.forum_list()) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only site staff and network or agency staff keep the calendar."))
        form = WindowForm(request.POST, forums=consultation_selectors.forum_list())
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submission_window_create(user=request.user, **data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Submission window added to the calendar."))
                return redirect("commitments:calendar")
    return render(request, "commitments/calendar.html", {**selectors.calendar(), "form": form})
