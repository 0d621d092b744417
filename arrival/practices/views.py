"""Practice pages: search with facets, the practice page, the author's forms, screening, reviewer assignment,
reviews, the curator's decision, calls for practices and the replication view.

Thin views: reads come from `selectors` (and `search`), writes go through `services`, which check permissions
and write the audit row. Search and facet changes answer htmx requests with the results partial and plain GET
requests with the whole page, so every page works without JavaScript.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from arrival.accounts.http import AuthenticatedHttpRequest
from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import actor_ids_for, actor_list_for, user_get
from arrival.actors.models import Actor, ActorKind
from arrival.actors.selectors import actor_get, actor_list
from arrival.core.forms import TranslationsForm, translations_page_context
from arrival.core.http import HtmxHttpRequest
from arrival.core.languages import language_dir, language_name, page_language, region_name
from arrival.frameworks.models import KIND_SINGULAR
from arrival.frameworks.selectors import items_related_through_crosswalk, tags_for
from arrival.practices import exports, search, selectors, services
from arrival.practices.forms import (
    RUBRIC,
    AdaptedFromForm,
    AssignForm,
    CallForm,
    DecideForm,
    ImageForm,
    LinkForm,
    PracticeForm,
    RespondForm,
    ResultForm,
    ReviewerSearchForm,
    ReviewForm,
    ScreenForm,
    SearchForm,
    SubmitForm,
)
from arrival.practices.models import (
    CALL_TRANSLATABLE,
    PRACTICE_TRANSLATABLE,
    Practice,
    ReviewAssignment,
    ReviewAssignmentStatus,
    ReviewStage,
)
from arrival.reports.maps import point
from arrival.reports.responses import prepared_file_response

SCREENING_STAGES = (ReviewStage.SUBMITTED, ReviewStage.SCREENING)
SIMILAR_LIMIT = 5

# --- helpers ---------------------------------------------------------------------------------------------


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _form_errors(form: Any, error: ValidationError, field: str | None = None) -> None:
    """A service's ValidationError on the form: per field when it names fields, else on `field`/the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else field
            for item in errors:
                form.add_error(target, " ".join(str(m) for m in item.messages))
        return
    for message in _errors(error):
        form.add_error(field, message)


def _practice_or_404(slug: str) -> Practice:
    try:
        return selectors.practice_get(slug=slug)
    except (ObjectDoesNotExist, Practice.DoesNotExist):
        raise Http404(_("No practice at this address.")) from None


def _visible(request: HttpRequest, slug: str) -> Practice:
    """The practice if the viewer may see it; unpublished practices stay hidden from everyone else."""
    practice = _practice_or_404(slug)
    if not request.user.has_perm("practices.view_practice", practice):
        raise Http404(_("No practice at this address."))
    return practice


def _editable(request: HttpRequest, slug: str) -> Practice:
    practice = _practice_or_404(slug)
    if not selectors.can_edit(user=request.user, practice=practice):
        raise PermissionDenied(_("Only the government's team edits this practice, and only as a draft or in revision."))
    return practice


def _curated(request: HttpRequest, slug: str) -> Practice:
    practice = _practice_or_404(slug)
    if not selectors.is_curator(user=request.user):
        raise PermissionDenied(_("Only curators (network, agency or site staff) do this."))
    return practice


def _tag_groups(practice: Practice) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Direct tags grouped by framework kind, and the items related through the crosswalk, kept apart."""
    tags = list(tags_for(record=practice))
    direct_items = [tag.item for tag in tags]
    direct_ids = {item.pk for item in direct_items}
    related: dict[int, Any] = {}
    for item in direct_items:
        for other in items_related_through_crosswalk(item=item):
            if other.pk not in direct_ids:
                related.setdefault(other.pk, other)
    return _grouped(direct_items), _grouped(list(related.values()))


def _grouped(items: list[Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.framework.kind, []).append(item)
    return [{"kind": kind, "label": KIND_SINGULAR.get(kind, kind), "items": group} for kind, group in groups.items()]


def _labelled(reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each review with its scores beside the rubric's translated criterion names."""
    return [{**review, "labelled_scores": [(label, review[name]) for name, label, _d in RUBRIC]} for review in reviews]


def _government_choices(user: Any) -> Any:
    return actor_list_for(user=user, roles=[RoleKind.OFFICER, RoleKind.ADMINISTRATOR],
                          kinds=[ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT])


def _call_owners(user: Any) -> Any:
    kinds = [ActorKind.NETWORK, ActorKind.ORGANISATION]
    if user.is_staff:
        return actor_list(kinds=kinds)
    return actor_list_for(user=user, roles=[RoleKind.STAFF, RoleKind.ADMINISTRATOR], kinds=kinds)


def _my_assignment(user: Any, practice: Practice) -> ReviewAssignment | None:
    if not user.is_authenticated:
        return None
    return next(
        (a for a in selectors.assignments_for_user(user=user)
         if a.practice_id == practice.pk and a.status != ReviewAssignmentStatus.DECLINED),
        None,
    )


# --- search and the practice page ------------------------------------------------------------------------


def _facet_values(request: HttpRequest) -> dict[str, list[str]]:
    chosen = {name: [v for v in request.GET.getlist(name) if v.strip()][:20] for name in search.FACETS}
    return {name: values for name, values in chosen.items() if values}


def _found(outcome: dict[str, Any], selected: dict[str, list[str]]) -> dict[str, Any]:
    """The search outcome as the templates read it: practices with their text direction, facets as option lists."""
    results = []
    for practice, _score, why in outcome["results"]:
        practice.content_dir = language_dir(practice.language)
        practice.why = why
        results.append(practice)
    facets = []
    theme_languages = outcome.get("theme_languages", {})
    for name, label in search.FACETS.items():
        chosen = selected.get(name, [])
        options = [{"value": value, "label": text, "count": count, "selected": value in chosen}
                   for value, text, count in outcome["facets"].get(name, [])]
        shown = {option["value"] for option in options}
        # A chosen value that no result carries any more stays listed, so it can be unticked.
        options += [{"value": value, "label": region_name(value) if name == "region" else value, "count": 0,
                     "selected": True} for value in chosen if value not in shown]
        for option in options:
            # Stable across htmx swaps (the focus stays on its box), and unique for values in any script.
            option["id"] = f"facet-{name}-{slugify(str(option['value']), allow_unicode=True)}"
            if name == "theme":
                # Themes are the teams' own words: each marked with its practices' language ("" → dir="auto").
                option.update(own_words=True, language=theme_languages.get(option["value"], ""))
        facets.append({"name": name, "label": label, "options": options})
    page, pages = outcome["page"], outcome["pages"]
    return {"results": results, "total": outcome["total"], "facets": facets, "page": page, "num_pages": pages,
            "previous_page": page - 1, "next_page": page + 1, "start": (page - 1) * outcome["page_size"] + 1}


def _open_data_links() -> list[dict[str, str]]:
    """The open-data downloads of every published practice (CC BY unless the deployment says otherwise)."""
    return [{"url": reverse("practices:open_data_export", args=[fmt]), "label": label}
            for fmt, label in (("csv", _("Open data (CSV)")), ("json", _("Open data (JSON)")),
                               ("xlsx", _("Open data (XLSX)")))]


@require_safe
def open_data_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Every published practice as CSV, JSON or XLSX, as last prepared (exports.py)."""
    return prepared_file_response(kind=exports.KIND_OPEN_DATA, params={}, fmt=fmt, public=True)


@require_safe
def practice_list(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q, mode = "", "hybrid"
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        mode = form.cleaned_data["mode"] or "hybrid"
    facets = _facet_values(request)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    curator = selectors.is_curator(user=request.user)
    outcome = search.practice_search(q=q, facets=facets, mode=mode, page=page_number,
                                     include_unpublished_for=request.user if curator else None)
    context = {
        "form": form, "found": _found(outcome, facets), "q": q, "mode": mode, "selected": facets,
        "is_curator": curator, "open_data": _open_data_links(),
        "can_create": request.user.is_authenticated and _government_choices(request.user).exists(),
    }
    template = "practices/_results.html" if request.htmx else "practices/list.html"
    return render(request, template, context)


@require_safe
def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = _visible(request, slug)
    user = request.user
    direct, related = _tag_groups(practice)
    curator = selectors.is_curator(user=user)
    can_edit = selectors.can_edit(user=user, practice=practice)
    context: dict[str, Any] = {
        "practice": practice,
        "content_dir": language_dir(practice.language),
        "language_name": language_name(practice.language),
        "ui_rtl": get_language_bidi(),
        "direct_tags": direct,
        "related_tags": related,
        "results": list(practice.quantitative_results.all()),
        "links": list(practice.links.all()),
        "images": list(practice.images.all()),
        "travels": selectors.practice_travels(practice=practice),
        "similar": search.similar_practices(practice=practice, limit=SIMILAR_LIMIT)
        if practice.stage == ReviewStage.PUBLISHED else [],
        "reviews": _labelled(selectors.reviews_for_practice(practice=practice, viewer=user)),
        "can_edit": can_edit,
        "is_curator": curator,
        "my_assignment": _my_assignment(user, practice),
        "needs_extra_reviewer": curator and practice.stage == ReviewStage.IN_REVIEW
        and selectors.needs_extra_reviewer(practice=practice),
        "submit_form": _submit_form(practice) if can_edit else None,
        "can_record_adaptation": practice.stage == ReviewStage.PUBLISHED
        and user.has_perm("practices.record_adaptation", practice),
        "screen_form": ScreenForm() if curator and practice.stage in SCREENING_STAGES else None,
        "decide_form": DecideForm() if curator and practice.stage == ReviewStage.IN_REVIEW else None,
        "rubric": RUBRIC,
    }
    return render(request, "practices/detail.html", context)


def _submit_form(practice: Practice, data: Any = None) -> SubmitForm:
    return SubmitForm(data, calls=selectors.calls_open(), organisations=selectors.curating_organisations(),
                      initial={"curating_organisation": practice.curating_organisation_id})


# --- writing a practice ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    governments = _government_choices(request.user)
    if not governments.exists():
        raise PermissionDenied(_("Only officers and administrators of a local or regional government add practices."))
    form = PracticeForm(request.POST or None, governments=governments,
                        initial={"language": page_language(), "government": governments.first()})
    if request.method == "POST" and form.is_valid():
        fields = form.record_fields()
        try:
            government = form.cleaned_data["government"]
            practice = services.practice_create(
                user=request.user, government=government, partners=list(form.cleaned_data["partners"]),
                governments=[government, *form.cleaned_data["joint_governments"]], tags=form.tag_items(), **fields,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Draft saved. Add results, links and images, then submit it for review."))
            return redirect("practices:detail", slug=practice.slug)
    return render(request, "practices/form.html", {"form": form, "practice": None},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    practice = _editable(request, slug)
    own_ids = actor_ids_for(request.user)
    if request.method == "POST":
        form = PracticeForm(request.POST, record_language=practice.language)
        if form.is_valid():
            try:
                # The editor's own governments stay; the field lists the partner governments of a joint practice.
                own = [g for g in practice.governments.all() if g.pk in own_ids] or list(practice.governments.all())[:1]
                services.practice_update(
                    user=request.user, practice=practice, partners=list(form.cleaned_data["partners"]),
                    governments=[*own, *form.cleaned_data["joint_governments"]], tags=form.tag_items(),
                    **form.record_fields(),
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("practices:detail", slug=practice.slug)
        return render(request, "practices/form.html", {"form": form, "practice": practice}, status=400)
    form = PracticeForm(initial=PracticeForm.initial_for(practice, list(tags_for(record=practice)), own_ids),
                        record_language=practice.language, translations=practice.translations)
    return render(request, "practices/form.html", {"form": form, "practice": practice})


def _translations_form(record: Any, names: tuple[str, ...], data: Any = None) -> TranslationsForm:
    """The translations of a practice or a call, labelled like their own form's fields."""
    labels = {name: form_class.base_fields[name].label for form_class in (PracticeForm, CallForm)
              for name in names if name in form_class.base_fields}
    one_line = tuple(name for name in names if name in ("title", "contact_role"))
    return TranslationsForm(data, names=names, language=record.language, translations=record.translations,
                            labels=labels, one_line=one_line, max_lengths={"title": 250, "contact_role": 200})


@login_required
@require_http_methods(["GET", "POST"])
def practice_translations(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The team's translations of its practice, while it is editable or once it is published."""
    practice = _practice_or_404(slug)
    if not request.user.has_perm("practices.translate_practice", practice):
        raise PermissionDenied(_("Only the government's team translates this practice."))
    form = _translations_form(practice, PRACTICE_TRANSLATABLE, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_translations_set(user=request.user, practice=practice,
                                               translations=form.translations())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Translations saved."))
            return redirect("practices:detail", slug=practice.slug)
    context = translations_page_context(record=practice, form=form, record_url=practice.get_absolute_url())
    return render(request, "core/translations_form.html", context, status=400 if form.errors else 200)


def _extras_context(practice: Practice, **forms: Any) -> dict[str, Any]:
    return {
        "practice": practice,
        "result_form": forms.get("result_form") or ResultForm(prefix="result"),
        "link_form": forms.get("link_form") or LinkForm(prefix="link"),
        "image_form": forms.get("image_form") or ImageForm(prefix="image"),
        "results": list(practice.quantitative_results.all()),
        "links": list(practice.links.all()),
        "images": list(selectors.image_list(practice=practice)),
    }


@login_required
@require_safe
def practice_extras(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Results, links, images and "adapted from": each added with its own small form."""
    practice = _editable(request, slug)
    return render(request, "practices/extras.html", _extras_context(practice))


@login_required
@require_POST
def practice_extra_add(request: AuthenticatedHttpRequest, slug: str, kind: str) -> HttpResponse:
    practice = _editable(request, slug)
    forms_by_kind = {"result": ResultForm, "link": LinkForm, "image": ImageForm}
    if kind not in forms_by_kind:
        raise Http404(_("Nothing of this kind can be added to a practice."))
    form = forms_by_kind[kind](request.POST, request.FILES, prefix=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "result":
                services.result_add(user=request.user, practice=practice, **data)
            elif kind == "link":
                services.link_add(user=request.user, practice=practice, **data)
            else:
                services.image_add(user=request.user, practice=practice, file=data["file"], alt_text=data["alt_text"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Added to the practice."))
            return redirect(reverse("practices:extras", args=[practice.slug]) + f"#{kind}")
    context = _extras_context(practice, **{f"{kind}_form": form})
    return render(request, "practices/extras.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def practice_adaptation(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The published practice this one adapted, recorded by its team while writing it or after publication;
    both practices' pages then show the hop ("Where it travelled")."""
    practice = _practice_or_404(slug)
    if not request.user.has_perm("practices.record_adaptation", practice):
        raise PermissionDenied(_("Only the government's team records where its practice came from."))
    form = AdaptedFromForm(request.POST or None, record_language=practice.language, initial={
        "source": practice.adapted_from.slug if practice.adapted_from is not None else "",
        "note": practice.adaptation_note})
    if request.method == "POST":
        if request.POST.get("remove"):
            services.practice_set_adapted_from(user=request.user, practice=practice, source=None)
            messages.success(request, _("The origin is removed."))
            return redirect("practices:detail", slug=practice.slug)
        if form.is_valid():
            try:
                source = _practice_or_404(form.cleaned_data["source"])
                services.practice_set_adapted_from(user=request.user, practice=practice, source=source,
                                                   note=form.cleaned_data["note"])
            except ValidationError as error:
                _form_errors(form, error, "source")
            except Http404:
                form.add_error("source", _("No practice has this address."))
            else:
                messages.success(request, _("Saved: both practices now show where the idea travelled."))
                return redirect(reverse("practices:detail", args=[practice.slug]) + "#travels-title")
    return render(request, "practices/adaptation.html", {"practice": practice, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def practice_submit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    practice = _editable(request, slug)
    form = _submit_form(practice, request.POST)
    if form.is_valid():
        try:
            services.practice_submit(user=request.user, practice=practice, call=form.cleaned_data["call"],
                                     curating_organisation=form.cleaned_data["curating_organisation"])
        except ValidationError as error:
            messages.error(request, _("Not submitted yet: %(errors)s") % {"errors": " ".join(_errors(error))})
        else:
            messages.success(request, _("Submitted. A curator will check that it is complete."))
    else:
        messages.error(request, _("Choose an open call, or who screens it, or neither."))
    return redirect("practices:detail", slug=practice.slug)


# --- curation: screening, reviewers, decision --------------------------------------------------------------


@login_required
@require_safe
def curation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.is_curator(user=request.user):
        raise PermissionDenied(_("Only curators (network, agency or site staff) see the screening queue."))
    return render(request, "practices/queue.html", {
        "screening": selectors.screening_queue(user=request.user),
        "in_review": selectors.review_queue(user=request.user),
    })


@login_required
@require_POST
def practice_screen(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    practice = _curated(request, slug)
    form = ScreenForm(request.POST)
    if form.is_valid():
        try:
            services.practice_screen(user=request.user, practice=practice, accept=form.cleaned_data["accept"],
                                     note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            if form.cleaned_data["accept"]:
                messages.success(request, _("Sent to peer review. Now assign the reviewers."))
                return redirect("practices:reviewers", slug=practice.slug)
            messages.success(request, _("Returned to the authors for revision."))
    else:
        messages.error(request, _("Choose whether the practice is complete."))
    return redirect("practices:detail", slug=practice.slug)


def _reviewers_context(request: HttpRequest, practice: Practice, form: AssignForm | None = None) -> dict[str, Any]:
    search_form = ReviewerSearchForm(request.GET or None)
    q = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    return {
        "practice": practice,
        "assignments": selectors.assignment_list_for_practice(practice=practice, viewer=request.user),
        "suggestions": selectors.reviewer_suggestions(practice=practice, limit=10),
        "needs_extra_reviewer": selectors.needs_extra_reviewer(practice=practice),
        "form": form or AssignForm(),
        "search_form": search_form,
        "q": q,
        "matches": selectors.reviewer_search(practice=practice, q=q) if q else [],
    }


@login_required
@require_safe
def practice_reviewers(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Who reviews, the ranked suggestions, and a search over everyone who could (htmx: only the matches)."""
    practice = _curated(request, slug)
    template = "practices/_reviewer_matches.html" if getattr(request, "htmx", False) else "practices/reviewers.html"
    return render(request, template, _reviewers_context(request, practice))


@login_required
@require_POST
def practice_assign(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    practice = _curated(request, slug)
    form = AssignForm(request.POST)
    if form.is_valid():
        reviewer = user_get(pk=form.cleaned_data["reviewer"])
        try:
            actor = actor_get(pk=form.cleaned_data["reviewer_actor"])
        except Actor.DoesNotExist:
            actor = None
        if reviewer is None or actor is None:
            form.add_error(None, _("That reviewer or government no longer exists."))
        else:
            try:
                services.review_assign(user=request.user, practice=practice, reviewer=reviewer,
                                       reviewer_actor=actor, role=form.cleaned_data["role"],
                                       due_at=form.cleaned_data["due_at"])
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(name)s is invited to review.") % {"name": reviewer.public_name})
                return redirect("practices:reviewers", slug=practice.slug)
    return render(request, "practices/reviewers.html", _reviewers_context(request, practice, form), status=400)


@login_required
@require_POST
def practice_decide(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    practice = _curated(request, slug)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.practice_decide(user=request.user, practice=practice, decision=form.cleaned_data["decision"],
                                     reasons=form.cleaned_data["reasons"])
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, {
                "publish": _("Published as a peer-reviewed practice."),
                "revise": _("Revision requested from the authors."),
                "decline": _("Declined; the authors see your reasons."),
            }[form.cleaned_data["decision"]])
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("practices:detail", slug=practice.slug)


# --- reviewing -------------------------------------------------------------------------------------------


@login_required
@require_safe
def my_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "practices/my_reviews.html", {"assignments": selectors.assignments_for_user(user=request.user)})


def _assignment(request: HttpRequest, pk: int) -> ReviewAssignment:
    try:
        assignment = selectors.assignment_get(pk=pk)
    except ReviewAssignment.DoesNotExist:
        raise Http404(_("No review of yours at this address.")) from None
    if assignment.reviewer_id != request.user.pk:
        raise Http404(_("No review of yours at this address."))
    return assignment


def _review_context(assignment: ReviewAssignment, **forms: Any) -> dict[str, Any]:
    practice = assignment.practice
    review = getattr(assignment, "review", None) if assignment.status == ReviewAssignmentStatus.SUBMITTED else None
    return {
        "assignment": assignment,
        "practice": practice,
        "content_dir": language_dir(practice.language),
        "respond_form": forms.get("respond_form") or RespondForm(),
        "review_form": forms.get("review_form") or ReviewForm(initial={"language": page_language()}),
        "review": review,
        "review_scores": [(label, getattr(review, name)) for name, label, _d in RUBRIC] if review else [],
    }


@login_required
@require_safe
def review_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    return render(request, "practices/review.html", _review_context(assignment))


@login_required
@require_POST
def review_respond(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.review_respond(
                user=request.user, assignment=assignment, accept=data["accept"],
                conflicts_declared=data["conflicts_declared"], has_no_conflict=data["has_no_conflict"],
                wants_to_be_named=data["wants_to_be_named"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if data["accept"]:
                messages.success(request, _("Thank you. You can write your review now."))
                return redirect("practices:review", pk=assignment.pk)
            messages.success(request, _("You declined this review."))
            return redirect("practices:my_reviews")
    return render(request, "practices/review.html", _review_context(assignment, respond_form=form), status=400)


@login_required
@require_POST
def review_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_submit(
                user=request.user, assignment=assignment, comments=form.cleaned_data["comments"],
                recommendation=form.cleaned_data["recommendation"], language=form.cleaned_data["language"],
                **form.scores(),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Review submitted. Thank you."))
            return redirect("practices:my_reviews")
    return render(request, "practices/review.html", _review_context(assignment, review_form=form), status=400)


# --- calls for practices ---------------------------------------------------------------------------------


@require_safe
def call_list(request: HttpRequest) -> HttpResponse:
    return render(request, "practices/call_list.html", {
        "open_calls": selectors.calls_open(),
        "past_calls": selectors.calls_closed(),
        "can_open": request.user.is_authenticated and _call_owners(request.user).exists(),
    })


@require_safe
def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        call = selectors.call_get(slug=slug)
    except ObjectDoesNotExist:
        raise Http404(_("No call for practices at this address.")) from None
    curator = selectors.is_curator(user=request.user)
    practices = selectors.call_practices(call=call, viewer=request.user)
    stages = selectors.call_stage_counts(call=call)
    return render(request, "practices/call_detail.html", {
        "call": call, "practices": practices, "is_curator": curator, **_deadline_context(call),
        "can_translate": request.user.has_perm("practices.add_callforpractices", call.owner),
        "received": sum(stages.values()),
        "stage_counts": [(label, stages.get(value, 0)) for value, label in ReviewStage.choices if value != "draft"],
    })


def _deadline_context(call: Any) -> dict[str, Any]:
    """The deadline in the viewer's zone (templates convert to it) and, when it differs, in the owner's."""
    deadline = call.deadline
    try:
        owner_zone = zoneinfo.ZoneInfo(call.process.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        owner_zone = zoneinfo.ZoneInfo("UTC")
    viewer_zone = timezone.get_current_timezone()
    return {
        "deadline": deadline, "viewer_zone": viewer_zone, "owner_zone": owner_zone,
        "show_owner_zone": str(owner_zone) != str(viewer_zone),
    }


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    owners = _call_owners(request.user)
    if not owners.exists():
        raise PermissionDenied(_("Only staff of a network or organisation open calls for practices."))
    form = CallForm(request.POST or None, owners=owners, initial={"language": page_language()})
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_open(user=request.user, **form.call_fields())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The call is open."))
            return redirect("practices:call_detail", slug=call.slug)
    return render(request, "practices/call_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def call_translations(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The organiser's translations of a call's title and description."""
    try:
        call = selectors.call_get(slug=slug)
    except ObjectDoesNotExist:
        raise Http404(_("No call for practices at this address.")) from None
    if not request.user.has_perm("practices.add_callforpractices", call.owner):
        raise PermissionDenied(_("Only the call's organisers translate it."))
    form = _translations_form(call, CALL_TRANSLATABLE, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_translations_set(user=request.user, call=call, translations=form.translations())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Translations saved."))
            return redirect("practices:call_detail", slug=call.slug)
    context = translations_page_context(record=call, form=form, record_url=call.get_absolute_url())
    return render(request, "core/translations_form.html", context, status=400 if form.errors else 200)


# --- replication ---------------------------------------------------------------------------------------


def _government_point(government: Any, *, label: str, group: str) -> dict[str, Any] | None:
    local = getattr(government, "local", None)
    if local is None or local.latitude is None or local.longitude is None:
        return None
    return point(government.name, reverse("actors:actor_detail", args=[government.slug]), local.latitude,
                 local.longitude, label=label, group=group)


@require_safe
def replication(request: HttpRequest) -> HttpResponse:
    """Which practices travelled furthest, between which M49 regions, on a map and in a table."""
    paths = selectors.replication_paths(limit=50)
    points: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    corridors: Counter[tuple[str, str]] = Counter()
    for path in paths:
        # Regions in the viewer's language (stored in English, `Country.region_name`).
        corridors[(path["source_region_name"] or _("Unknown region"),
                   path["target_region_name"] or _("Unknown region"))] += 1
        for government, role in ((path["source_government"], _("origin of a practice")),
                                 (path["target_government"], _("adapted a practice"))):
            if government is None or (government.pk, str(role)) in seen:
                continue
            seen.add((government.pk, str(role)))
            region = government.country.region_name if government.country_id else ""
            item = _government_point(government, label=str(role), group=region or _("Unknown region"))
            if item:
                points.append(item)
    return render(request, "practices/replication.html", {
        "paths": paths, "points": points,
        "corridors": [{"source": s, "target": t, "count": n} for (s, t), n in corridors.most_common()],
    })
