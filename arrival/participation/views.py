"""Participation pages: open processes, a process with its proposals, a proposal, posting (signed in or as a
guest), supporting, the city team's pages (process, statuses, answers, translations, links), report-back and
the map. Views validate input and call services; a guest's secret link is shown once, in the response to the
post that made it, and never put in a message or a redirect.
"""

from __future__ import annotations

import random
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.accounts.selectors import actor_list_for
from arrival.actors.models import Actor, ActorKind
from arrival.actors.selectors import actor_time_zones
from arrival.core.forms import TranslationsForm, translations_page_context
from arrival.core.http import HtmxHttpRequest
from arrival.core.languages import (
    UN_LANGUAGES,
    base_language,
    language_dir,
    language_name,
    page_language,
    sort_key,
    text_attrs,
)
from arrival.core.site import absolute_url
from arrival.core.time_zones import zone_or_utc
from arrival.core.translations import localized
from arrival.engagement.phases import PhaseSpec
from arrival.participation import selectors, services
from arrival.participation.forms import (
    AnswerForm,
    DemographicsForm,
    GroupForm,
    GuestProposalForm,
    LinkForm,
    ProcessForm,
    ProposalForm,
    StatusForm,
    TranslationForm,
    add_service_errors,
)
from arrival.participation.links import LINK_TARGETS
from arrival.participation.models import (
    PROCESS_TRANSLATABLE,
    Category,
    LinkKind,
    ParticipationProcess,
    Proposal,
)
from arrival.reports.maps import point

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PAGE_SIZE = 20


def _is_team(user: Any, process: ParticipationProcess) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "participation.change_participationprocess", process)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _common(request: HttpRequest, process: ParticipationProcess) -> dict[str, Any]:
    user = request.user
    return {
        "process": process,
        "engagement_process": process.process,
        "privacy_notice": services.privacy_notice_text(process),
        "is_team": _is_team(user, process),
        "may_take_part": user.is_authenticated and user.has_perm("participation.take_part", process),
        "can_create": selectors.phase_allows(process=process, action=services.ACTION_CREATE),
        "can_support": selectors.phase_allows(process=process, action=services.ACTION_SUPPORT),
    }


# --- Public pages ---------------------------------------------------------------------------------------


def process_list(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/process_list.html",
                  {"processes": selectors.process_list_open(reader_first=True), "can_open": bool(_owners_for(request.user))})


def process_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    sort = request.GET.get("sort", "newest")
    if sort not in selectors.SORTS:
        sort = "newest"
    seed = _int(request.GET.get("seed")) or random.randint(1, 999_999)  # noqa: S311 - shuffling, not secrecy
    filters = selectors.ProposalFilters(
        category=_int(request.GET.get("category")), neighbourhood=_int(request.GET.get("neighbourhood")),
        status=_int(request.GET.get("status")), language=request.GET.get("language") or None,
        kind=request.GET.get("kind") or None, sort=sort, seed=seed)
    page = Paginator(selectors.CountedProposals(process=process, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    proposals = list(page.object_list)
    context = {
        **_common(request, process),
        "page": page, "proposals": proposals, "filters": filters, "seed": seed,
        "supported": selectors.supported_ids(user=request.user, proposal_ids=[p.pk for p in proposals]),
        # Each option with its text as the reader sees it (translated, or as written: marked with its language).
        "categories": [(c.pk, localized(c, "name")) for c in selectors.category_list(process=process)],
        "neighbourhoods": list(selectors.neighbourhood_list(owner=process.owner)),
        "statuses": [(s.pk, localized(s, "label")) for s in selectors.answer_status_list(owner=process.owner)],
        # Languages of others' texts, named in the reader's language.
        "proposal_languages": sorted(((code, language_name(code))
                                      for code in selectors.proposal_languages(process=process)),
                                     key=lambda row: sort_key(row[1])),
        "sorts": [("newest", _("Newest")), ("supported", _("Most supported")), ("random", _("Random order"))],
        "demographics_form": DemographicsForm() if process.demographics_enabled else None,
        "answered_demographics": process.pk in request.session.get("participation_demographics", []),
    }
    template = "participation/_proposals.html" if request.htmx else "participation/process_detail.html"
    return render(request, template, context)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    process = proposal.process
    readable = request.user.has_perm("participation.view_proposal", proposal)
    is_team = _is_team(request.user, process)
    context = {
        **_common(request, process),
        "proposal": proposal, "readable": readable,
        "language_dir": language_dir(proposal.language), "language_name": language_name(proposal.language),
        "translations": [(t, language_dir(t.language), language_name(t.language)) for t in proposal.translations.all()],
        "answers": selectors.answer_history(proposal=proposal),
        **_support_state(request, proposal),
        "is_author": request.user.is_authenticated and proposal.author_id == request.user.pk,
        "is_guest_author": request.user.is_authenticated and proposal.author_id == request.user.pk
        and services.is_guest(request.user),
    }
    if is_team:
        statuses = list(selectors.answer_status_list(owner=process.owner))
        context.update(answer_form=AnswerForm(statuses=statuses, prefix="answer",
                                              initial={"language": base_language(process.language)}),
                       translation_form=TranslationForm(prefix="translation"), link_form=LinkForm(prefix="link"))
    return render(request, "participation/proposal_detail.html", context)


def _proposal_form(request: HttpRequest, process: ParticipationProcess, form_class: type[ProposalForm]) -> ProposalForm:
    return form_class(request.POST or None, request.FILES or None,
                      categories=selectors.category_list(process=process),
                      neighbourhoods=selectors.neighbourhood_list(owner=process.owner),
                      language=request.LANGUAGE_CODE)


def _proposal_fields(form: ProposalForm, process: ParticipationProcess) -> dict[str, Any]:
    data = form.cleaned_data
    images = [(data["image"], data.get("image_alt", ""))] if data.get("image") else []
    return {
        "kind": data["kind"], "title": data["title"], "body": data["body"], "language": data["language"],
        "category": selectors.category_get(process=process, pk=data.get("category")),
        "neighbourhood": selectors.neighbourhood_get(owner=process.owner, pk=data.get("neighbourhood")),
        "images": images,
    }


def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a need or a proposal: signed in (a pseudonym is fine) or as a guest for this one proposal."""
    process = selectors.process_get(slug=slug)
    signed_in = request.user.is_authenticated
    form = _proposal_form(request, process, ProposalForm if signed_in else GuestProposalForm)
    if request.method == "POST" and form.is_valid():
        fields = _proposal_fields(form, process)
        try:
            if signed_in:
                proposal = services.proposal_create(user=request.user, process=process, **fields)
            else:
                if not request.session.session_key:
                    request.session.save()
                proposal, guest, raw = services.guest_proposal_create(
                    process=process, display_name=form.cleaned_data.get("display_name", ""),
                    email=form.cleaned_data.get("email", ""), preferred_language=request.LANGUAGE_CODE,
                    rate_key=request.session.session_key or "", **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, _("Only members of the invited groups take part in this process."))
        else:
            if signed_in:
                messages.success(request, _("Your proposal is published."))
                return redirect(proposal.get_absolute_url())
            login(request, guest, backend=_MODEL_BACKEND)
            link = absolute_url(reverse("participation:guest_return", args=[raw]))
            return render(request, "participation/guest_created.html",
                          {"process": process, "proposal": proposal, "link": link})
    return render(request, "participation/proposal_form.html", {
        **_common(request, process), "form": form, "guest": not signed_in})


def guest_return(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's secret link: signs them in as their guest account and shows their proposal and its answer."""
    access = services.guest_resume(raw_token=token)
    if access is None:
        return render(request, "participation/guest_invalid.html", status=404)
    login(request, access.user, backend=_MODEL_BACKEND)
    if access.proposal_id:
        return redirect("participation:proposal_detail", access.proposal_id)
    return redirect("participation:process_list")


def _support_state(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    support = selectors.support_of(user=request.user, proposal=proposal)
    return {"supported": support is not None, "following": bool(support and support.follows)}


def _support_box(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """After supporting or following: the support box again (htmx), or the proposal's page."""
    proposal = selectors.proposal_get(pk=pk)
    if request.htmx:
        return render(request, "participation/_support.html", {
            "proposal": proposal, **_support_state(request, proposal),
            "can_support": selectors.phase_allows(process=proposal.process, action=services.ACTION_SUPPORT)})
    return redirect(proposal.get_absolute_url())


@require_POST
@login_required
def support(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    try:
        if request.POST.get("withdraw"):
            services.support_withdraw(user=request.user, proposal=proposal)
        else:
            services.support_create(user=request.user, proposal=proposal, follow=bool(request.POST.get("follow")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("Only members of the invited groups take part in this process."))
    return _support_box(request, pk)


@require_POST
@login_required
def follow(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A supporter starts or stops following the proposal (comments, the city's answer and report-back)."""
    proposal = selectors.proposal_get(pk=pk)
    try:
        services.follow_set(user=request.user, proposal=proposal, follows=bool(request.POST.get("follows")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _support_box(request, pk)


@require_POST
@login_required
def proposal_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(pk=pk)
    services.proposal_remove(user=request.user, proposal=proposal)
    messages.success(request, _("Your proposal was removed."))
    return redirect(proposal.process.get_absolute_url())


@require_POST
def demographics(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    answered = request.session.get("participation_demographics", [])
    form = DemographicsForm(request.POST)
    if process.pk not in answered and form.is_valid():
        chosen = {key: value for key, value in form.cleaned_data.items() if value}
        try:
            services.demographics_submit(process=process, answers=chosen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            # Only this browser session remembers that it answered, so nobody is asked twice; no record links it.
            request.session["participation_demographics"] = [*answered, process.pk]
            messages.success(request, _("Thank you. Only the totals are kept."))
    return redirect(process.get_absolute_url())


def report_back(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    return render(request, "participation/report_back.html", {
        **_common(request, process), "report": selectors.report_back(process=process, page=_int(request.GET.get("page")) or 1),
        "demographics": _demographic_rows(process)})


def _demographic_rows(process: ParticipationProcess) -> list[dict[str, Any]]:
    if not process.demographics_enabled:
        return []
    totals = selectors.demographic_totals(process=process)
    return [{"label": spec["label"],
             "rows": [(label, totals.get(key, {}).get(option, 0)) for option, label in spec["options"].items()]}
            for key, spec in services.DEMOGRAPHIC_QUESTIONS.items() if key in totals]


def proposal_map(request: HttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    rows = selectors.neighbourhood_counts(process=process)
    points = [point(row["neighbourhood"].name, f"{process.get_absolute_url()}?neighbourhood={row['neighbourhood'].pk}",
                    row["neighbourhood"].latitude, row["neighbourhood"].longitude, value=row["count"],
                    label=_("%(count)d proposals") % {"count": row["count"]})
              for row in rows if row["neighbourhood"].latitude is not None]
    return render(request, "participation/map.html", {**_common(request, process), "points": points, "rows": rows})


@login_required
def group_join(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    try:
        group = services.invited_group_join(user=request.user, raw_token=token)
    except ValidationError as error:
        return render(request, "participation/guest_invalid.html", {"error": " ".join(error.messages)}, status=404)
    messages.success(request, _("You joined “%(group)s”.") % {"group": group.name})
    return redirect(group.process.get_absolute_url())


# --- The city team's pages ------------------------------------------------------------------------------


def _owners_for(user: Any) -> list[Actor]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(actor_list_for(user=user, roles=selectors.TEAM_ROLES, kinds=[ActorKind.LOCAL_GOVERNMENT]))


def _phase_specs(form: ProcessForm) -> list[PhaseSpec]:
    specs = []
    for phase_type, key in form.phase_rows:
        starts, ends = form.cleaned_data.get(f"{key}_starts"), form.cleaned_data.get(f"{key}_ends")
        if starts and ends:
            specs.append(PhaseSpec(phase_type.key, starts, ends, actions=list(form.cleaned_data[f"{key}_actions"])))
    return specs


def _process_values(form: ProcessForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"], "purpose": data["purpose"], "input_use": data["input_use"],
        "languages": [code.strip() for code in data["languages"].split(",") if code.strip()],
        "access": data["access"], "demographics_enabled": data["demographics_enabled"],
        "privacy_notice": data["privacy_notice"], "retention_months": data["retention_months"],
        "translations": form.translations(), **({"language": data["language"]} if data["language"] else {}),
    }


@login_required
def process_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    owners = _owners_for(request.user)
    if not owners:
        raise PermissionDenied
    zones = actor_time_zones(actor_ids=[owners[0].pk])
    form = ProcessForm(request.POST or None, owners=owners,
                       initial={"time_zone": zones.get(owners[0].pk, "UTC"), "language": page_language()})
    if request.method == "POST" and form.is_valid():
        owner = next(a for a in owners if a.pk == form.cleaned_data["owner"])
        try:
            process = services.process_create(
                user=request.user, owner=owner, phases=_phase_specs(form), time_zone=form.cleaned_data["time_zone"],
                categories=form.cleaned_data["categories"].splitlines(), **_process_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The process is open."))
            return redirect(process.get_absolute_url())
    return render(request, "participation/process_form.html", {"form": form, "process": None})


@login_required
def process_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    if not _is_team(request.user, process):
        raise PermissionDenied
    initial: dict[str, Any] = {
        "owner": process.owner_id, "title": process.title, "purpose": process.purpose, "input_use": process.input_use,
        "languages": ", ".join(process.languages), "access": process.access, "language": process.language,
        "demographics_enabled": process.demographics_enabled, "privacy_notice": process.privacy_notice,
        "retention_months": process.retention_months, "time_zone": process.process.time_zone,
        "categories": "\n".join(c.name for c in selectors.category_list(process=process)),
    }
    zone = zone_or_utc(process.process.time_zone)
    for phase in process.process.phases.all():
        key = phase.phase_type.replace(".", "_")
        # Shown as typed: the local time in the process's zone (the form reads it back in that zone).
        initial.update({f"{key}_starts": timezone.localtime(phase.starts_at, zone).replace(tzinfo=None),
                        f"{key}_ends": timezone.localtime(phase.ends_at, zone).replace(tzinfo=None),
                        f"{key}_actions": phase.actions})
    form = ProcessForm(request.POST or None, owners=[process.owner], initial=initial, zone_fixed=True,
                       record_language=process.language, translations=process.translations)
    if request.method == "POST" and form.is_valid():
        try:
            services.process_update(user=request.user, process=process, phases=_phase_specs(form),
                                    **_process_values(form))
            services.categories_set(user=request.user, process=process,
                                    names=form.cleaned_data["categories"].splitlines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The process is saved."))
            return redirect(process.get_absolute_url())
    group_form = GroupForm()
    return render(request, "participation/process_form.html", {"form": form, "process": process,
                                                                "group_form": group_form})


def _category_label(category: Category) -> SafeString:
    """"Category “Housing”": the label of a category's translation field, its name marked with its language."""
    name = format_html("<span{}>{}</span>", flatatt(text_attrs(category.language)), category.name)
    return mark_safe(conditional_escape(_("Category “%(name)s”")) % {"name": name})  # noqa: S308 - both escaped


@login_required
@require_http_methods(["GET", "POST"])
def process_translations(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The team's translations of the process's texts and of its categories' names."""
    process = selectors.process_get(slug=slug)
    if not _is_team(request.user, process):
        raise PermissionDenied
    categories = list(selectors.category_list(process=process))
    names = (*PROCESS_TRANSLATABLE, *(f"category_{c.pk}" for c in categories))
    labels: dict[str, Any] = {name: ProcessForm.base_fields[name].label for name in PROCESS_TRANSLATABLE}
    labels.update({f"category_{c.pk}": _category_label(c) for c in categories})
    given = {code: {**texts, **{f"category_{c.pk}": (c.translations.get(code) or {}).get("name", "")
                                for c in categories}}
             for code, texts in {code: process.translations.get(code) or {} for code in UN_LANGUAGES}.items()}
    form = TranslationsForm(request.POST or None, names=names, language=process.language, translations=given,
                            labels=labels, one_line=("title", *(f"category_{c.pk}" for c in categories)),
                            max_lengths={"title": 300, **{f"category_{c.pk}": 120 for c in categories}})
    if request.method == "POST" and form.is_valid():
        typed = form.translations()
        texts = {code: {k: v for k, v in fields.items() if not k.startswith("category_")}
                 for code, fields in typed.items()}
        by_category = {c.pk: {code: {"name": fields[f"category_{c.pk}"]} for code, fields in typed.items()
                              if fields.get(f"category_{c.pk}")} for c in categories}
        try:
            services.process_translations_set(user=request.user, process=process, translations=texts,
                                              categories=by_category)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Translations saved."))
            return redirect(process.get_absolute_url())
    context = translations_page_context(record=process, form=form, record_url=process.get_absolute_url())
    return render(request, "core/translations_form.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def group_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    form = GroupForm(request.POST)
    if not form.is_valid():
        return redirect("participation:process_edit", slug)
    group, raw = services.invited_group_create(user=request.user, process=process, name=form.cleaned_data["name"])
    link = absolute_url(reverse("participation:group_join", args=[raw]))
    return render(request, "participation/group_created.html", {"process": process, "group": group, "link": link})


@login_required
def statuses(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    process = selectors.process_get(slug=slug)
    if not _is_team(request.user, process):
        raise PermissionDenied
    services.answer_statuses_ensure(owner=process.owner)
    editing = None
    if request.POST.get("status"):
        editing = selectors.answer_status_get(owner=process.owner, pk=_int(request.POST["status"]))
    form = StatusForm(request.POST or None, initial={"language": page_language()})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_status_save(user=request.user, owner=process.owner, status=editing, **form.status_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The status is saved."))
            return redirect("participation:statuses", slug)
    return render(request, "participation/statuses.html", {
        **_common(request, process), "form": form, "statuses": selectors.answer_status_list(owner=process.owner)})


def _team_proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = selectors.proposal_get(pk=pk)
    if not _is_team(request.user, proposal.process):
        raise PermissionDenied
    return proposal


@require_POST
@login_required
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _team_proposal(request, pk)
    statuses_ = list(selectors.answer_status_list(owner=proposal.process.owner))
    form = AnswerForm(request.POST, statuses=statuses_, prefix="answer")
    if form.is_valid():
        status = next(s for s in statuses_ if s.pk == form.cleaned_data["status"])
        try:
            services.answer_create(user=request.user, proposal=proposal, status=status, text=form.cleaned_data["text"],
                                   reasons=form.cleaned_data["reasons"], language=form.cleaned_data["language"],
                                   translations=form.translations())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The answer is published and the author is told."))
    else:
        messages.error(request, _("Choose a status and write the public answer."))
    return redirect(proposal.get_absolute_url())


@require_POST
@login_required
def translation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _team_proposal(request, pk)
    form = TranslationForm(request.POST, prefix="translation")
    if form.is_valid():
        try:
            services.proposal_translation_save(user=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The translation is saved."))
    else:
        messages.error(request, _("Choose a language and write the translation."))
    return redirect(proposal.get_absolute_url())


@require_POST
@login_required
def link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _team_proposal(request, pk)
    form = LinkForm(request.POST, prefix="link")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_link_create(user=request.user, proposal=proposal, kind=LinkKind.EVIDENCE,
                                          target_type=LINK_TARGETS[LinkKind.EVIDENCE], target_id=data["target_id"],
                                          label=data["label"], url=data["url"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The link is saved."))
    return redirect(proposal.get_absolute_url())


@login_required
def commitment_search(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The commitment picker: published commitments matching what the team member typed. With htmx, only the
    results (as they type); without JavaScript, a page with the search form and the results."""
    proposal = _team_proposal(request, pk)
    q = request.GET.get("q", "")
    context = {"proposal": proposal, "q": q, "commitments": selectors.commitment_search(q=q)}
    template = "participation/_commitment_results.html" if request.htmx else "participation/link_commitment.html"
    return render(request, template, context)


@require_POST
@login_required
def link_commitment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _team_proposal(request, pk)
    try:
        services.proposal_commitment_link(user=request.user, proposal=proposal,
                                          commitment=selectors.commitment_to_link(pk=request.POST.get("commitment")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link is saved."))
    return redirect(proposal.get_absolute_url())
