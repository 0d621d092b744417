"""Consultation pages: list and detail, contributions, the outcome document with versions, diff, adoption and
exports, endorsements, forums. Thin views: reads from `selectors`, writes through `services`.
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
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.accounts.selectors import actor_list_for
from arrival.actors.selectors import actor_list
from arrival.consultations import exports, selectors, services
from arrival.consultations import phases as P
from arrival.consultations.follow_ups import follow_up_actions, follow_ups_made_from
from arrival.consultations.forms import (
    CommentAnswerForm,
    ConsultationEditForm,
    ConsultationForm,
    ContributionForm,
    CosignForm,
    EndorsementForm,
    ListFilterForm,
    VersionForm,
    WithdrawForm,
)
from arrival.consultations.models import (
    DOCUMENT_TRANSLATABLE,
    Consultation,
    ContributionStatus,
    OutcomeDocument,
)
from arrival.core.attachments import attachment_create, attachment_list_for
from arrival.core.forms import TranslationsForm, translations_page_context
from arrival.core.languages import names_list, page_language
from arrival.core.translations import marked_name, sentence_with_names
from arrival.engagement.models import Comment, Visibility
from arrival.engagement.selectors import comment_get
from arrival.frameworks.selectors import tags_for
from arrival.reports.responses import prepared_file_response


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _form_errors(form: Any, error: ValidationError) -> None:
    for message in _errors(error):
        form.add_error(None, message)


def _fail(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.error(request, str(error) or _("You may not do this."))


def _template(request: HttpRequest, full: str, partial: str) -> str:
    return partial if getattr(request, "htmx", False) else full


# --- Consultations ------------------------------------------------------------------------------------


@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None, owners=selectors.consultation_owners(),
                          phase_choices=selectors.phase_type_choices())
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {"forum": form.cleaned_data.get("forum"), "owner": form.cleaned_data.get("owner"),
                   "phase_type": form.cleaned_data.get("phase") or None}
    consultations = list(selectors.consultation_list(**filters, reader_first=True))
    rows = [{"consultation": c, "phase": selectors.current_phase(c)} for c in consultations]
    can_create = request.user.is_authenticated and bool(_owner_choices(request.user).exists())
    return render(request, _template(request, "consultations/list.html", "consultations/_list_partial.html"),
                  {"form": form, "rows": rows, "can_create": can_create})


def _owner_choices(user: Any) -> Any:
    kinds = selectors.OWNER_KINDS
    if user.is_staff:
        return actor_list(kinds=kinds)
    return actor_list_for(user=user, roles=selectors.TEAM_ROLE_KINDS, kinds=kinds)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    owners = _owner_choices(request.user)
    if not owners.exists():
        raise PermissionDenied(_("Consultations are opened by the staff of a network, an agency or a national "
                                 "government."))
    form = ConsultationForm(request.POST or None, owners=owners,
                            initial={"owner": owners.first(), "language": page_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.consultation_create(
                user=request.user, owner=data["owner"], title=data["title"], purpose=data["purpose"],
                forum=data["forum"], access=data["access"], access_networks=list(data["access_networks"]),
                invited=data["invited"], questions=form.question_specs(), phases=form.phase_specs(),
                language=data["language"] or page_language(), translations=form.translations())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The consultation is open."))
            return redirect(consultation.get_absolute_url())
    return render(request, "consultations/consultation_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get(slug=slug)
    if not selectors.is_editor(user=request.user, consultation=consultation):
        raise PermissionDenied(_("Only the organisers change a consultation."))
    form = ConsultationEditForm(request.POST or None, consultation=consultation,
                                phases=list(consultation.process.phases.all()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consultation_update(
                user=request.user, consultation=consultation, title=data["title"], purpose=data["purpose"],
                forum=data["forum"], access=data["access"], access_networks=list(data["access_networks"]),
                invited=data["invited"], questions=form.question_specs(), phases=form.phase_specs(),
                language=data["language"] or consultation.language, translations=form.translations())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The consultation is saved."))
            return redirect(consultation.get_absolute_url())
    return render(request, "consultations/consultation_form.html", {"form": form, "consultation": consultation},
                  status=400 if request.method == "POST" else 200)


def _consultation_context(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    user = request.user
    actors = selectors.actors_for_user(user=user, consultation=consultation) if user.is_authenticated else []
    document = selectors.document_for(consultation=consultation)
    return {
        "consultation": consultation, "process": consultation.process, "phase": selectors.current_phase(consultation),
        "questions": selectors.question_list(consultation=consultation),
        "contributions": list(selectors.contribution_list(consultation=consultation)),
        "can_contribute": bool(actors) and selectors.allows(consultation, P.CREATE_CONTRIBUTION),
        "is_editor": selectors.is_editor(user=user, consultation=consultation),
        "can_compile": selectors.allows(consultation, P.COMPILE_DOCUMENT),
        "document": document, "owner": consultation.process.owner,
        "access_networks": list(consultation.access_networks.all()), "invited": list(consultation.invited.all()),
    }


@require_safe
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get(slug=slug)
    return render(request, "consultations/detail.html", _consultation_context(request, consultation))


# --- Contributions -------------------------------------------------------------------------------------


def _attach(request: HttpRequest, form: Any, contribution: Any) -> None:
    upload = form.cleaned_data.get("evidence")
    if upload:
        attachment_create(user=request.user, file=upload, record=contribution, is_demo=contribution.is_demo)


@login_required
@require_http_methods(["GET", "POST"])
def contribution_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get(slug=slug)
    actors = selectors.actors_for_user(user=request.user, consultation=consultation)
    if not actors:
        raise PermissionDenied(_("You hold no role in a government or network this consultation is open to."))
    questions = selectors.question_list(consultation=consultation)
    form = ContributionForm(request.POST or None, request.FILES or None, actors=actors, questions=questions,
                            questions_language=consultation.language,
                            initial={"actor": actors[0], "language": page_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contribution = services.contribution_create(
                user=request.user, consultation=consultation, actor=data["actor"], title=data["title"],
                summary=data["summary"], answers=form.answers(), proposed_actions=data["proposed_actions"],
                links=data["links"], tags=form.tag_items(), language=data["language"],
                translations=form.translations())
            _attach(request, form, contribution)
        except (ValidationError, PermissionDenied) as error:
            _form_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            messages.success(request, _("Thank you: your contribution is in."))
            return redirect(contribution.get_absolute_url())
    return render(request, "consultations/contribution_form.html",
                  {"form": form, "consultation": consultation, "contribution": None},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_get(pk=pk, viewer=request.user)
    if not request.user.has_perm("consultations.change_contribution", contribution):
        raise PermissionDenied(_("Only the contributing team changes its contribution."))
    consultation = contribution.consultation
    questions = selectors.question_list(consultation=consultation)
    tags = [tag.item for tag in tags_for(record=contribution)]
    initial = {"title": contribution.title, "summary": contribution.summary,
               "proposed_actions": contribution.proposed_actions, "language": contribution.language,
               "links": "\n".join(f"{link['url']} {link['label']}" for link in contribution.links),
               "gcm_objectives": [i for i in tags if i.framework.kind == "gcm_objective"],
               "sdg_targets": [i for i in tags if i.framework.kind == "sdg_target"],
               "nua_paragraphs": [i for i in tags if i.framework.kind == "nua_paragraph"],
               **{f"answer_{key}": value for key, value in contribution.answers.items()}}
    form = ContributionForm(request.POST or None, request.FILES or None, questions=questions, initial=initial,
                            record_language=contribution.language, translations=contribution.translations,
                            questions_language=consultation.language)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contribution_update(
                user=request.user, contribution=contribution, title=data["title"], summary=data["summary"],
                answers=form.answers(), proposed_actions=data["proposed_actions"], links=data["links"],
                tags=form.tag_items(), language=data["language"], translations=form.translations())
            _attach(request, form, contribution)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect(contribution.get_absolute_url())
    return render(request, "consultations/contribution_form.html",
                  {"form": form, "consultation": consultation, "contribution": contribution},
                  status=400 if request.method == "POST" else 200)


@require_safe
def contribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_get(pk=pk, viewer=request.user)
    consultation = contribution.consultation
    user = request.user
    cosign_actors = []
    if user.is_authenticated and selectors.allows(consultation, P.COSIGN_CONTRIBUTION):
        signed = selectors.contribution_signer_ids(contribution=contribution)
        cosign_actors = [a for a in selectors.actors_for_user(user=user, consultation=consultation)
                         if a.pk not in signed]
    questions = {str(q.pk): q for q in selectors.question_list(consultation=consultation)}
    answers = [(questions[key], value) for key, value in contribution.answers.items() if key in questions]
    can_change = (user.is_authenticated and user.has_perm("consultations.change_contribution", contribution)
                  and contribution.status == ContributionStatus.SUBMITTED
                  and selectors.allows(consultation, P.CHANGE_CONTRIBUTION))
    draft_paragraphs = selectors.contribution_draft_paragraphs(contribution=contribution)
    # The organisers' "My work" sends them here while the synthesis has not taken the contribution in.
    to_synthesise = (not draft_paragraphs and contribution.status == ContributionStatus.SUBMITTED
                     and contribution.visibility == Visibility.VISIBLE
                     and selectors.is_editor(user=user, consultation=consultation)
                     and selectors.allows(consultation, P.COMPILE_DOCUMENT))
    return render(request, "consultations/contribution_detail.html", {
        "contribution": contribution, "consultation": consultation, "process": consultation.process,
        "to_synthesise": to_synthesise,
        "document": selectors.document_for(consultation=consultation) if to_synthesise else None,
        "answers": answers, "tags": [tag.item for tag in tags_for(record=contribution)],
        "attachments": list(attachment_list_for(record=contribution)),
        "versions": list(selectors.contribution_versions(contribution=contribution)),
        "destinations": selectors.contribution_destinations(contribution=contribution),
        "draft_paragraphs": draft_paragraphs,
        "cosign_form": CosignForm(actors=cosign_actors, initial={"actor": cosign_actors[0]}) if cosign_actors else None,
        "follow_ups": follow_ups_made_from(kind="contribution", ids=[contribution.pk]).get(contribution.pk, []),
        "follow_up_actions": follow_up_actions(kind="contribution", record=contribution, user=user),
        "can_change": can_change, "is_visible": contribution.visibility == Visibility.VISIBLE,
    })


@login_required
@require_POST
def contribution_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_get(pk=pk, viewer=request.user)
    try:
        services.contribution_withdraw(user=request.user, contribution=contribution)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        messages.success(request, _("The contribution is withdrawn."))
    return redirect(contribution.get_absolute_url())


@login_required
@require_POST
def contribution_cosign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_get(pk=pk, viewer=request.user)
    actors = selectors.actors_for_user(user=request.user, consultation=contribution.consultation)
    form = CosignForm(request.POST, actors=actors)
    if not form.is_valid():
        messages.error(request, _("Choose a government you hold a role in."))
        return redirect(contribution.get_absolute_url())
    try:
        services.contribution_cosign(user=request.user, contribution=contribution, actor=form.cleaned_data["actor"])
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        messages.success(request, _("Co-signed."))
    return redirect(contribution.get_absolute_url())


# --- The outcome document ------------------------------------------------------------------------------


@login_required
@require_POST
def outcome_compile(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    consultation = selectors.consultation_get(slug=slug)
    try:
        version = services.outcome_draft_compile(user=request.user, consultation=consultation)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
        return redirect(consultation.get_absolute_url())
    messages.success(request, _("Draft version %(number)d compiled.") % {"number": version.number})
    return redirect(version.document.get_absolute_url())


def _source_label(source: Any) -> str:
    """A paragraph's source on the page, in the reader's language: "#12 Barcelona" (a link), with its co-signers."""
    link = format_html('<a href="{}">#{} {}</a>', source.get_absolute_url(), source.pk, marked_name(source.actor))
    signers = [marked_name(cosignature.actor) for cosignature in source.cosignatures.all()]
    if not signers:
        return link
    return sentence_with_names(_("%(name)s, co-signed by %(names)s"), name=link, names=names_list(signers))


def _document_context(request: HttpRequest, document: OutcomeDocument, version: Any) -> dict[str, Any]:
    consultation = document.consultation
    paragraphs = selectors.paragraph_list(version=version) if version else []
    editor = selectors.is_editor(user=request.user, consultation=consultation)
    versions = list(selectors.version_list(document=document))
    is_current = version is not None and version == selectors.version_current(document=document)
    # What later apps made (or may make) from each paragraph: on the current version only.
    made = selectors.paragraph_follow_ups(paragraphs=paragraphs) if is_current else {}
    dialogues = selectors.paragraph_dialogues(paragraphs=paragraphs)
    can_answer = editor and selectors.allows(consultation, P.CHANGE_DOCUMENT)
    return {
        "document": document, "consultation": consultation, "process": consultation.process, "version": version,
        "paragraphs": [{"paragraph": p, "contributors": selectors.paragraph_contributors(p),
                        "sources": [_source_label(source) for source in p.sources.all()],
                        "dialogue": [{"entry": entry, "form": CommentAnswerForm(
                            prefix=f"a{entry.comment.pk}", initial={"state": entry.answer.state, "reason":
                                                                    entry.answer.reason} if entry.answer else None)
                            if can_answer and entry.notice == "" else None} for entry in dialogues.get(p.pk, [])],
                        "follow_ups": made.get(p.pk, []),
                        "follow_up_actions": follow_up_actions(kind="paragraph", record=p, user=request.user)
                        if is_current else []} for p in paragraphs],
        "versions": versions, "is_editor": editor,
        "is_current": is_current,
        "live_thread": is_current and selectors.allows(consultation, P.COMMENT_PARAGRAPH),
        "can_rewrite": editor and not document.adopted_version_id and selectors.allows(consultation, P.CHANGE_DOCUMENT),
        "can_adopt": editor and not document.adopted_version_id and selectors.allows(consultation, P.ADOPT_DOCUMENT),
        "endorsement_count": selectors.endorsement_count(document=document),
        "export_formats": [("pdf", "PDF"), ("docx", "DOCX"), ("md", "Markdown"), ("csv", "CSV"), ("json", "JSON")],
    }


@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    version = selectors.version_current(document=document)
    return render(request, "consultations/document_detail.html", _document_context(request, document, version))


@login_required
@require_http_methods(["GET", "POST"])
def document_translations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organisers' translations of the outcome document's title."""
    document = selectors.document_get(pk=pk)
    if not selectors.is_editor(user=request.user, consultation=document.consultation):
        raise PermissionDenied(_("Only the organisers translate the outcome document."))
    form = TranslationsForm(request.POST or None, names=DOCUMENT_TRANSLATABLE, language=document.language,
                            translations=document.translations, labels={"title": _("Title")}, one_line=("title",),
                            max_lengths={"title": 300})
    if request.method == "POST" and form.is_valid():
        try:
            services.document_translations_set(user=request.user, document=document, translations=form.translations())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Translations saved."))
            return redirect(document.get_absolute_url())
    context = translations_page_context(record=document, form=form, record_url=document.get_absolute_url())
    return render(request, "core/translations_form.html", context, status=400 if form.errors else 200)


@require_safe
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    version = selectors.version_get(document=document, number=number)
    return render(request, "consultations/document_detail.html", _document_context(request, document, version))


MAX_NEW_PARAGRAPHS = 30


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    if not selectors.is_editor(user=request.user, consultation=document.consultation):
        raise PermissionDenied(_("Only the consultation's editors rewrite the draft."))
    latest = selectors.version_latest(document=document)
    if latest is None:
        raise Http404(_("There is no draft to rewrite yet."))
    paragraphs = selectors.paragraph_list(version=latest)
    try:
        new_count = min(max(int(request.GET.get("new", 3)), 1), MAX_NEW_PARAGRAPHS)
    except ValueError:
        new_count = 3
    form = VersionForm(request.POST or None, paragraphs=paragraphs, new_count=new_count, language=document.language,
                       contributions=selectors.contributions_by_number(consultation=document.consultation))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_version_create(user=request.user, document=document, paragraphs=form.edits(),
                                                       note=form.cleaned_data["note"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Version %(number)d saved.") % {"number": version.number})
            return redirect(reverse("consultations:version_diff", args=[document.pk]) +
                            f"?old={latest.number}&new={version.number}")
    return render(request, "consultations/version_form.html",
                  {"form": form, "document": document, "latest": latest,
                   "more": min(new_count + 3, MAX_NEW_PARAGRAPHS) if new_count < MAX_NEW_PARAGRAPHS else None},
                  status=400 if request.method == "POST" else 200)


@require_safe
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    versions = list(selectors.version_list(document=document))
    if len(versions) < 2:  # noqa: PLR2004 - a comparison needs two versions
        return render(request, "consultations/diff.html", {"document": document, "versions": versions, "rows": None})
    try:
        new_number = int(request.GET.get("new") or versions[0].number)
        old_number = int(request.GET.get("old") or new_number - 1)
    except ValueError:
        raise Http404(_("No such version of this document.")) from None
    old = selectors.version_get(document=document, number=old_number)
    new = selectors.version_get(document=document, number=new_number)
    return render(request, "consultations/diff.html", {
        "document": document, "versions": versions, "old": old, "new": new,
        "rows": selectors.version_diff(old=old, new=new)})


@login_required
@require_POST
def document_adopt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    try:
        number = int(request.POST.get("version", "0"))
        version = selectors.version_get(document=document, number=number) if number else None
        services.document_adopt(user=request.user, document=document, version=version)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    except ValueError:
        messages.error(request, _("Choose a version to adopt."))
    else:
        messages.success(request, _("The document is adopted; this version is frozen."))
    return redirect(document.get_absolute_url())


@login_required
@require_POST
def comment_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The editors answer a comment on the draft (from the document page, any version that shows it)."""
    try:
        comment = comment_get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404(_("No comment at this address.")) from None
    paragraph = selectors.comment_paragraph(comment=comment)
    if paragraph is None:
        raise Http404(_("No comment on a draft at this address."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = selectors.paragraph_now(paragraph=paragraph).version.get_absolute_url()
    form = CommentAnswerForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose an answer: taken in, partly taken in or declined."))
    else:
        try:
            services.paragraph_comment_answer(user=request.user, comment=comment, state=form.cleaned_data["state"],
                                              reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _fail(request, error)
        else:
            messages.success(request, _("The editors' answer is recorded; the comment's author is told."))
    return redirect(f"{target.split('#')[0]}#answer-{pk}")


@require_safe
def version_export(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponseBase:
    """One version of an outcome document as PDF, DOCX, Markdown, CSV or JSON, as last prepared (exports.py)."""
    document = selectors.document_get(pk=pk)
    version = selectors.version_get(document=document, number=number)
    return prepared_file_response(kind=exports.KIND_VERSION, params={"document": document.pk, "number": version.number},
                                  fmt=fmt, public=True)


# --- Endorsements --------------------------------------------------------------------------------------




@require_safe
def endorsement_page(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    endorsements = list(selectors.endorsement_list(document=document, include_withdrawn=True))
    active = [e for e in endorsements if e.withdrawn_at is None]
    user = request.user
    endorse_form = None
    own: list[Any] = []
    if user.is_authenticated:
        actors = selectors.endorsing_actors_for_user(user=user)
        active_ids = {e.actor_id for e in active}
        free = [a for a in actors if a.pk not in active_ids]
        if free and document.adopted_version_id and selectors.allows(document.consultation, P.ENDORSE_DOCUMENT):
            endorse_form = EndorsementForm(actors=free, initial={"actor": free[0]})
        own = [e for e in active if e.actor_id in {a.pk for a in actors}]
    return render(request, "consultations/endorsements.html", {
        "document": document, "consultation": document.consultation, "active": active,
        "withdrawn": [e for e in endorsements if e.withdrawn_at is not None], "count": len(active),
        "points": selectors.endorser_points(endorsements=active), "endorse_form": endorse_form,
        "own": [{"endorsement": e, "form": WithdrawForm(prefix=f"w{e.pk}")} for e in own],
        "endorsement_open": selectors.allows(document.consultation, P.ENDORSE_DOCUMENT),
    })


@login_required
@require_POST
def endorsement_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(pk=pk)
    form = EndorsementForm(request.POST, actors=selectors.endorsing_actors_for_user(user=request.user))
    target = reverse("consultations:endorsements", args=[document.pk])
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else str(message))  # (an ErrorList yields text)
        return redirect(target)
    try:
        services.endorsement_create(user=request.user, document=document, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        messages.success(request, _("Endorsement recorded."))
    return redirect(target)


@login_required
@require_POST
def endorsement_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    endorsement = selectors.endorsement_get(pk=pk)
    form = WithdrawForm(request.POST, prefix=f"w{endorsement.pk}")
    target = reverse("consultations:endorsements", args=[endorsement.document_id])
    if not form.is_valid():
        messages.error(request, _("Give a reason for withdrawing."))
        return redirect(target)
    try:
        services.endorsement_withdraw(user=request.user, endorsement=endorsement, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        _fail(request, error)
    else:
        messages.success(request, _("Endorsement withdrawn."))
    return redirect(target)


# --- Forums --------------------------------------------------------------------------------------------


@require_safe
def forum_list(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/forum_list.html", {"forums": list(selectors.forum_list())})


@require_safe
def forum_detail(request: HttpRequest, key: str) -> HttpResponse:
    forum = selectors.forum_get(key=key)
    return render(request, "consultations/forum_detail.html",
                  {"forum": forum, "consultations": list(selectors.consultation_list(forum=forum, reader_first=True))})
