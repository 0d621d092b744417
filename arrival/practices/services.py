"""Writes for practices: the record, its peer review, calls for practices and replication links.

Every function is keyword-only, runs in one transaction, checks its permission with `require` (the rules
are in `arrival/accounts/rules.py`) and writes an audit row. Bad input raises `ValidationError` with a
message that says what to fix, and changes nothing.

The workflow: draft → submitted → (curator screens) in peer review → published · revision requested ·
declined. Rich text fields are sanitised on every write through `arrival.core.richtext.sanitise_html`.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.actors.models import Actor, ActorKind
from arrival.core.attachments import IMAGE_TYPES, attachment_create
from arrival.core.languages import OTHER_RECORD_LANGUAGES, UN_LANGUAGES, base_language
from arrival.core.permissions import require
from arrival.core.richtext import sanitise_html
from arrival.core.services import audit_record, snapshot
from arrival.core.time_zones import datetime_with_zone
from arrival.core.translations import translations_clean
from arrival.engagement.services import phase_require, process_create
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import tags_for
from arrival.frameworks.services import tags_set
from arrival.practices import phases as call_phases
from arrival.practices.models import (
    CALL_TRANSLATABLE,
    PRACTICE_TRANSLATABLE,
    CallForPractices,
    Practice,
    PracticeImage,
    PracticeLink,
    PracticeStatus,
    QuantitativeResult,
    Review,
    ReviewAssignment,
    ReviewAssignmentStatus,
    ReviewerRole,
    ReviewStage,
)

RICH_TEXT_FIELDS = ("problem", "approach", "results", "lessons", "replication_conditions")
PLAIN_TEXT_FIELDS = ("title", "summary", "budget", "funding_sources", "contact_role")
LIST_FIELDS = ("target_groups", "other_languages", "themes")
RECORD_LANGUAGE_CODES = frozenset((*UN_LANGUAGES, *OTHER_RECORD_LANGUAGES))
OTHER_FIELDS = ("language", "status", "started", "ended", "translations")
RELATION_FIELDS = ("governments", "partners", "tags")
EDITABLE_FIELDS = RICH_TEXT_FIELDS + PLAIN_TEXT_FIELDS + LIST_FIELDS + OTHER_FIELDS + RELATION_FIELDS

_AUDITED = (
    "title", "summary", "language", "status", "started", "ended", "problem", "approach", "results", "lessons",
    "replication_conditions", "budget", "funding_sources", "contact_role", "stage", "call", "adapted_from",
    "adaptation_note", "decision_reasons", "translations",
)
_LIMITS = {"title": 250, "summary": 2000, "budget": 200, "funding_sources": 300, "contact_role": 200}
PRACTICE_GOVERNMENT_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT)
CURATING_ACTOR_KINDS = (ActorKind.NETWORK, ActorKind.ORGANISATION)
EDITABLE_STAGES = (ReviewStage.DRAFT, ReviewStage.REVISION_REQUESTED)
AWAITING_SCREENING = (ReviewStage.SUBMITTED, ReviewStage.SCREENING)
CRITERIA = ("relevance", "evidence", "replicability", "sustainability", "rights_based", "participation")
RECOMMENDATIONS = ("publish", "revise", "decline")
MIN_PEER_REVIEWS = 2
# Two reviewers whose overall scores differ by this much or more disagree: the curator adds a reviewer.
DISAGREEMENT_POINTS = 2.0
IMAGE_MAX_BYTES_DEFAULT = 5 * 1024 * 1024

# Why a person may not be invited to review a practice, as the curators' reviewer search shows it beside them
# (`selectors.reviewer_search`); `_check_reviewer` refuses them with a sentence saying the same.
CONFLICT_TEAM = gettext_lazy("Works for a government behind the practice")
CONFLICT_PARTNER = gettext_lazy("Works for a partner of the practice")
CONFLICT_DECLARED = gettext_lazy("Declined it, declaring a conflict of interest")
ALREADY_REVIEWING = gettext_lazy("Already invited")


def image_max_bytes() -> int:
    return int(getattr(settings, "ARRIVAL_PRACTICE_IMAGE_MAX_BYTES", IMAGE_MAX_BYTES_DEFAULT))


# Hooks other modules of this app fill (search indexing): called after commit with the practice's id.
_after_change: list[Callable[[int], None]] = []


def on_practice_changed(fn: Callable[[int], None]) -> None:
    """Register `fn(practice_id)` to run after any committed change to a practice (e.g. re-indexing)."""
    if fn not in _after_change:
        _after_change.append(fn)


@contextmanager
def practice_changes_deferred() -> Iterator[None]:
    """Hold the change hooks back (bulk loads such as the demo), for a caller that re-indexes once at the end."""
    saved = list(_after_change)
    _after_change.clear()
    try:
        yield
    finally:
        _after_change[:] = saved


def _changed(practice: Practice) -> None:
    practice_id = practice.pk
    for fn in _after_change:
        transaction.on_commit(partial(fn, practice_id))


# --- Helpers ---------------------------------------------------------------------------------------


def _unique_slug(model: type[Practice] | type[CallForPractices], text: str) -> str:
    """An ASCII slug (URL patterns take `<slug:…>`); titles in other scripts get a random one."""
    base = slugify(text)[:180].strip("-")
    if base and not model.objects.filter(slug=base).exists():
        return base
    while True:
        slug = f"{base or 'practice'}-{uuid.uuid4().hex[:8]}"
        if not model.objects.filter(slug=slug).exists():
            return slug


def _clean_text(value: Any, label: str, *, required: bool = False, max_length: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(_("%(field)s is required.") % {"field": label})
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("%(field)s may be at most %(max)d characters.") % {"field": label, "max": max_length}
        )
    return text


def _clean_language(code: Any) -> str:
    """A record's language as its primary subtag ("zh-hans" → "zh", the tag translations use); one Django or the
    record forms know (`record_language_choices`: Chinese is "zh", which Django only knows as "zh-hans")."""
    given = str(code or "").strip().lower()
    clean = base_language(given)
    if not clean or (clean not in LANG_INFO and clean not in RECORD_LANGUAGE_CODES):
        raise ValidationError(_("“%(code)s” is not a language code Arrival knows (e.g. en, fr, es, ar).") % {"code": given})
    return clean


def _clean_list(value: Any, label: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(_("%(field)s must be a list.") % {"field": label})
    cleaned = [str(v).strip()[:100] for v in value if str(v).strip()]
    return list(dict.fromkeys(cleaned))


def _clean_date(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}) from error


def _clean_governments(actors: Iterable[Any]) -> list[Actor]:
    actors = list(actors or [])
    if not actors:
        raise ValidationError(_("A practice needs at least one local government behind it."))
    for actor in actors:
        if not isinstance(actor, Actor) or actor.kind not in PRACTICE_GOVERNMENT_KINDS:
            raise ValidationError(_("%(actor)s is not a local or regional government.") % {"actor": actor})
    return actors


def _clean_partners(actors: Iterable[Any]) -> list[Actor]:
    actors = list(actors or [])
    for actor in actors:
        if not isinstance(actor, Actor):
            raise ValidationError(_("%(actor)s is not an actor.") % {"actor": actor})
    return actors


def _clean_tags(items: Iterable[Any]) -> list[FrameworkItem]:
    items = list(items or [])
    for item in items:
        if not isinstance(item, FrameworkItem):
            raise ValidationError(_("%(item)s is not a framework item.") % {"item": item})
    return items


def _apply_fields(practice: Practice, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and set the plain fields on `practice`; return the relation fields to write after saving."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)})
    limits = _LIMITS
    labels = {
        "title": _("Title"), "summary": _("Summary"), "budget": _("Budget"), "funding_sources": _("Funding sources"),
        "contact_role": _("Contact role"), "target_groups": _("Target groups"), "other_languages": _("Other languages"),
        "themes": _("Themes"), "started": _("Start date"), "ended": _("End date"),
    }
    for name in PLAIN_TEXT_FIELDS:
        if name in fields:
            setattr(practice, name, _clean_text(fields[name], labels[name], required=name in ("title", "summary"),
                                                max_length=limits[name]))
    for name in RICH_TEXT_FIELDS:
        if name in fields:
            setattr(practice, name, sanitise_html(fields[name]))
    for name in LIST_FIELDS:
        if name in fields:
            setattr(practice, name, _clean_list(fields[name], labels[name]))
    if "other_languages" in fields:
        practice.other_languages = [_clean_language(code) for code in practice.other_languages]
    if "language" in fields:
        practice.language = _clean_language(fields["language"])
    if "translations" in fields or "language" in fields:  # a translation is never in the record's own language
        practice.translations = _clean_translations(fields.get("translations", practice.translations), practice)
    if "status" in fields:
        if fields["status"] not in PracticeStatus.values:
            raise ValidationError(_("The status must be planned, ongoing or completed."))
        practice.status = fields["status"]
    for name in ("started", "ended"):
        if name in fields:
            setattr(practice, name, _clean_date(fields[name], labels[name]))
    if practice.started and practice.ended and practice.ended < practice.started:
        raise ValidationError(_("The end date comes before the start date."))
    relations: dict[str, Any] = {}
    if "governments" in fields:
        relations["governments"] = _clean_governments(fields["governments"])
    if "partners" in fields:
        relations["partners"] = _clean_partners(fields["partners"])
    if "tags" in fields:
        relations["tags"] = _clean_tags(fields["tags"])
    return relations


def _clean_translations(value: Any, practice: Practice) -> dict[str, dict[str, str]]:
    return translations_clean(value, fields=PRACTICE_TRANSLATABLE, original_language=practice.language,
                              rich_fields=RICH_TEXT_FIELDS, max_lengths=_LIMITS)


def _team_check_after_governments(user: Any, governments: list[Actor]) -> None:
    """Changing the governments must leave the editor in the team, or nobody could finish the draft."""
    if not any(user.has_perm("practices.add_practice", actor) for actor in governments):
        raise ValidationError(_("Keep at least one government you work for among the governments behind the practice."))


def _gcm_tag_count(practice: Practice) -> int:
    return tags_for(record=practice).filter(item__framework__kind=FrameworkKind.GCM_OBJECTIVE).count()


# --- The record ------------------------------------------------------------------------------------


def practice_create(*, user: Any, government: Actor, title: str, summary: str, language: str,
                    is_demo: bool = False, **fields: Any) -> Practice:
    """A new draft practice of `government`, written by one of its officers or administrators."""
    require(user, "practices.add_practice", government)
    _clean_governments([government])
    practice = Practice(created_by=user, is_demo=is_demo)
    relations = _apply_fields(practice, {"title": title, "summary": summary, "language": language, **fields})
    with transaction.atomic():
        practice.slug = _unique_slug(Practice, practice.title)
        practice.save()
        governments = relations.pop("governments", None) or [government]
        if government not in governments:
            governments = [government, *governments]
        practice.governments.set(governments)
        if "partners" in relations:
            practice.partners.set(relations["partners"])
        if "tags" in relations:
            tags_set(user=user, record=practice, items=relations["tags"])
        audit_record(user=user, action="practices.practice_create", target=practice,
                     after={**snapshot(practice, _AUDITED), "governments": sorted(a.pk for a in governments)})
        _changed(practice)
    return practice


def practice_update(*, user: Any, practice: Practice, **fields: Any) -> Practice:
    """Change a draft (or a practice sent back for revision); only its team may."""
    require(user, "practices.change_practice", practice)
    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        before = snapshot(practice, _AUDITED)
        relations = _apply_fields(practice, fields)
        if "governments" in relations:
            _team_check_after_governments(user, relations["governments"])
        practice.save()
        after = snapshot(practice, _AUDITED)
        if "governments" in relations:
            before["governments"] = sorted(practice.governments.values_list("pk", flat=True))
            practice.governments.set(relations["governments"])
            after["governments"] = sorted(a.pk for a in relations["governments"])
        if "partners" in relations:
            practice.partners.set(relations["partners"])
        if "tags" in relations:
            tags_set(user=user, record=practice, items=relations["tags"])
        audit_record(user=user, action="practices.practice_update", target=practice, before=before, after=after)
        _changed(practice)
    return practice


def practice_translations_set(*, user: Any, practice: Practice, translations: Any) -> Practice:
    """Replace the translations of `practice` (its team, while editable or once published: a translation adds
    readers, it does not change what was reviewed). Languages left out are removed."""
    require(user, "practices.translate_practice", practice)
    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        before = {"translations": practice.translations}
        practice.translations = _clean_translations(translations, practice)
        practice.save(update_fields=["translations", "updated_at"])
        audit_record(user=user, action="practices.practice_translations_set", target=practice, before=before,
                     after={"translations": practice.translations})
        _changed(practice)
    return practice


def practice_set_tags(*, user: Any, practice: Practice, items: Iterable[FrameworkItem]) -> Practice:
    """Make `items` (GCM objectives, SDG targets, NUA paragraphs, domains) exactly the practice's tags."""
    require(user, "practices.change_practice", practice)
    with transaction.atomic():
        tags_set(user=user, record=practice, items=_clean_tags(items))
        # Tags are facets: the new `updated_at` tells every process's search index (practices.facets).
        practice.save(update_fields=["updated_at"])
        _changed(practice)
    return practice


def result_add(*, user: Any, practice: Practice, label: str, value: Any, unit: str, source: str) -> QuantitativeResult:
    """A quantitative result: a number with its unit and where it comes from."""
    require(user, "practices.change_practice", practice)
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("The value must be a number.")) from error
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("The value must be a finite number."))
    result = QuantitativeResult(
        practice=practice,
        label=_clean_text(label, _("Label"), required=True, max_length=200),
        value=number,
        unit=_clean_text(unit, _("Unit"), required=True, max_length=50),
        source=_clean_text(source, _("Source"), required=True, max_length=300),
    )
    with transaction.atomic():
        result.save()
        audit_record(user=user, action="practices.result_add", target=practice,
                     after={"label": result.label, "value": result.value, "unit": result.unit, "source": result.source})
    return result


def result_remove(*, user: Any, result: QuantitativeResult) -> None:
    require(user, "practices.change_practice", result.practice)
    with transaction.atomic():
        audit_record(user=user, action="practices.result_remove", target=result.practice,
                     before={"label": result.label, "value": result.value, "unit": result.unit})
        result.delete()


def link_add(*, user: Any, practice: Practice, url: str, label: str) -> PracticeLink:
    """A web link (http or https) about the practice."""
    require(user, "practices.change_practice", practice)
    url = _clean_text(url, _("Address"), required=True, max_length=500)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationError(_("Enter a full web address starting with http:// or https://.")) from error
    link = PracticeLink(practice=practice, url=url, label=_clean_text(label, _("Label"), required=True, max_length=200))
    with transaction.atomic():
        link.save()
        audit_record(user=user, action="practices.link_add", target=practice, after={"url": link.url, "label": link.label})
    return link


def link_remove(*, user: Any, link: PracticeLink) -> None:
    require(user, "practices.change_practice", link.practice)
    with transaction.atomic():
        audit_record(user=user, action="practices.link_remove", target=link.practice, before={"url": link.url})
        link.delete()


def image_add(*, user: Any, practice: Practice, file: Any, alt_text: str) -> PracticeImage:
    """An image (PNG, JPEG, GIF or WebP, at most `image_max_bytes()`) with the alt text a screen reader reads."""
    require(user, "practices.change_practice", practice)
    alt_text = _clean_text(alt_text, _("Alternative text"), required=True, max_length=300)
    with transaction.atomic():
        attachment = attachment_create(user=user, file=file, record=practice, allowed_types=IMAGE_TYPES,
                                       max_bytes=image_max_bytes(), is_demo=practice.is_demo)
        image = PracticeImage.objects.create(practice=practice, attachment=attachment, alt_text=alt_text)
        audit_record(user=user, action="practices.image_add", target=practice,
                     after={"attachment": str(attachment.pk), "alt_text": alt_text})
    return image


def practice_set_adapted_from(*, user: Any, practice: Practice, source: Practice | None, note: str = "") -> Practice:
    """Name the published practice this one adapted and what changed (or clear it with `source=None`).

    The team records it while writing, or after publication; once the adaptation is published (now, or when it
    is), the source's team is told that their practice travelled.
    """
    require(user, "practices.record_adaptation", practice)
    note = sanitise_html(note)
    if source is not None:
        if source.pk == practice.pk:
            raise ValidationError(_("A practice cannot be adapted from itself."))
        if source.stage != ReviewStage.PUBLISHED:
            raise ValidationError(_("Only a published practice can be named as the one adapted."))
        if not note:
            raise ValidationError(_("Say what changed in the adaptation."))
        shared = set(source.governments.values_list("pk", flat=True)) & set(practice.governments.values_list("pk", flat=True))
        if shared:
            raise ValidationError(_("An adaptation names another government's practice, not one of its own."))
        ancestor: Practice | None = source
        seen = {practice.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError(_("That would make a circle of adaptations."))
            seen.add(ancestor.pk)
            ancestor = ancestor.adapted_from
    with transaction.atomic():
        before = snapshot(practice, ("adapted_from", "adaptation_note"))
        practice.adapted_from = source
        practice.adaptation_note = note if source is not None else ""
        practice.save(update_fields=["adapted_from", "adaptation_note", "updated_at"])
        audit_record(user=user, action="practices.practice_set_adapted_from", target=practice, before=before,
                     after=snapshot(practice, ("adapted_from", "adaptation_note")))
        if source is not None and practice.stage == ReviewStage.PUBLISHED and before["adapted_from"] != source.pk:
            _notifications().practice_adapted(practice=practice)
        _changed(practice)
    return practice


def practice_missing(*, practice: Practice) -> list[str]:
    """What a practice still lacks before it can be submitted (empty when complete)."""
    missing = []
    if not practice.summary.strip():
        missing.append(_("a summary"))
    if not sanitise_html(practice.problem):
        missing.append(_("the problem it addresses"))
    if not sanitise_html(practice.approach):
        missing.append(_("the approach and steps"))
    if not sanitise_html(practice.results):
        missing.append(_("results"))
    if _gcm_tag_count(practice) == 0:
        missing.append(_("at least one GCM objective tag"))
    return missing


def practice_submit(*, user: Any, practice: Practice, call: CallForPractices | None = None,
                    curating_organisation: Actor | None = None) -> Practice:
    """Send a complete draft to the curators; attach it to an open call if given.

    The call's organiser screens a practice answering a call; otherwise the team may send it to a network or
    organisation with curators (`curating_organisation`), else the site's staff screen it. They are notified.
    """
    require(user, "practices.change_practice", practice)
    missing = practice_missing(practice=practice)
    if missing:
        raise ValidationError(_("Before submitting, add: %(missing)s.") % {"missing": "; ".join(missing)})
    if call is not None:
        call_require_open(call=call)
        if curating_organisation is not None and curating_organisation.pk != call.owner_id:
            raise ValidationError(_("A practice answering a call is screened by the call's organiser, %(owner)s.")
                                  % {"owner": call.owner})
        curating_organisation = call.owner
    elif curating_organisation is not None and curating_organisation.kind not in CURATING_ACTOR_KINDS:
        raise ValidationError(_("Practices are screened by a network or an organisation."))
    elif curating_organisation is None:
        # A revision goes back to whoever screened it before (the call's organiser when it answered a call).
        curating_organisation = practice.call.owner if practice.call is not None else practice.curating_organisation
    resubmitted = practice.stage == ReviewStage.REVISION_REQUESTED
    fields = ("stage", "call", "curating_organisation")
    with transaction.atomic():
        before = snapshot(practice, fields)
        practice.stage = ReviewStage.SUBMITTED
        practice.submitted_at = practice.stage_changed_at = timezone.now()
        if call is not None:
            practice.call = call
        practice.curating_organisation = curating_organisation
        practice.save(update_fields=[*fields, "submitted_at", "stage_changed_at", "updated_at"])
        audit_record(user=user, action="practices.practice_submit", target=practice, before=before,
                     after=snapshot(practice, fields))
        _notifications().practice_submitted(practice=practice, by=user, resubmitted=resubmitted)
        _changed(practice)
    return practice


# --- Curation and peer review ---------------------------------------------------------------------


def _notifications() -> Any:
    from arrival.practices import notifications

    return notifications


def practice_screen(*, user: Any, practice: Practice, accept: bool, note: str = "") -> Practice:
    """A curator checks a submitted practice for completeness: on to peer review, or back to its authors
    (who are told either way)."""
    require(user, "practices.curate_practice", practice)
    if practice.stage not in AWAITING_SCREENING:
        raise ValidationError(_("Only a submitted practice can be screened."))
    note = _clean_text(note, _("Note"), required=not accept, max_length=4000)
    with transaction.atomic():
        before = snapshot(practice, ("stage", "decision_reasons"))
        practice.stage = ReviewStage.IN_REVIEW if accept else ReviewStage.REVISION_REQUESTED
        if not accept:
            practice.decision_reasons = note
        practice.stage_changed_at = timezone.now()
        practice.save(update_fields=["stage", "decision_reasons", "stage_changed_at", "updated_at"])
        audit_record(user=user, action="practices.practice_screen", target=practice, before=before,
                     after={**snapshot(practice, ("stage", "decision_reasons")), "note": note})
        _notifications().practice_screened(practice=practice, by=user)
        _changed(practice)
    return practice


def _check_reviewer(practice: Practice, reviewer: Any, reviewer_actor: Actor, role: str) -> None:
    """The conflict-of-interest rule: nobody from a government or partner behind the practice, nobody who declined
    it declaring a conflict, and a peer comes from another local or regional government."""
    if role not in ReviewerRole.values:
        raise ValidationError(_("The reviewer's role must be peer or expert."))
    if not getattr(reviewer, "is_active", False):
        raise ValidationError(_("This person cannot review: their account is not active."))
    government_ids = set(practice.governments.values_list("pk", flat=True))
    partner_ids = set(practice.partners.values_list("pk", flat=True))
    name = {"person": reviewer.public_name}
    if reviewer_actor.pk in government_ids:
        raise ValidationError(_("A reviewer cannot come from a government behind the practice."))
    roles = reviewer.roles.filter(ended_at__isnull=True)
    if roles.filter(actor_id__in=government_ids).exists():
        raise ValidationError(_("%(person)s works for a government behind the practice and cannot review it.") % name)
    if reviewer_actor.pk in partner_ids or roles.filter(actor_id__in=partner_ids).exists():
        raise ValidationError(_("%(person)s works for a partner of the practice and cannot review it.") % name)
    if not roles.filter(actor=reviewer_actor).exists():
        raise ValidationError(_("This person holds no role in %(actor)s.") % {"actor": reviewer_actor})
    if role == ReviewerRole.PEER and reviewer_actor.kind not in PRACTICE_GOVERNMENT_KINDS:
        raise ValidationError(_("A peer reviewer comes from another local or regional government."))
    declined = practice.review_assignments.filter(reviewer=reviewer, status=ReviewAssignmentStatus.DECLINED)
    if declined.exclude(conflicts_declared="").exists():
        raise ValidationError(_("%(person)s declined to review this practice, declaring a conflict of interest, and "
                                "cannot be invited again.") % name)


def review_assign(*, user: Any, practice: Practice, reviewer: Any, reviewer_actor: Actor,
                  role: str = ReviewerRole.PEER, due_at: dt.datetime | None = None) -> ReviewAssignment:
    """A curator invites a reviewer (a peer from another government, or an expert), by a date if given; the
    reviewer is notified."""
    require(user, "practices.curate_practice", practice)
    if practice.stage != ReviewStage.IN_REVIEW:
        raise ValidationError(_("Reviewers are assigned once the practice has passed screening."))
    _check_reviewer(practice, reviewer, reviewer_actor, role)
    if practice.review_assignments.filter(reviewer=reviewer).exclude(status=ReviewAssignmentStatus.DECLINED).exists():
        raise ValidationError(_("%(person)s is already reviewing this practice.") % {"person": reviewer})
    if due_at is not None and (timezone.is_naive(due_at) or due_at <= timezone.now()):
        raise ValidationError(_("The date the review is due must be in the future."))
    with transaction.atomic():
        assignment = ReviewAssignment.objects.create(
            practice=practice, reviewer=reviewer, reviewer_actor=reviewer_actor, role=role, assigned_by=user,
            due_at=due_at, is_demo=practice.is_demo,
        )
        audit_record(user=user, action="practices.review_assign", target=assignment,
                     after=snapshot(assignment, ("practice", "reviewer", "reviewer_actor", "role", "status", "due_at")))
        _notifications().reviewer_invited(assignment=assignment)
    return assignment


def review_respond(*, user: Any, assignment: ReviewAssignment, accept: bool, conflicts_declared: str = "",
                   has_no_conflict: bool = False, wants_to_be_named: bool = False) -> ReviewAssignment:
    """The invited reviewer accepts (declaring their conflicts of interest, or that they have none) or declines."""
    require(user, "practices.review_practice", assignment)
    if assignment.status != ReviewAssignmentStatus.INVITED:
        raise ValidationError(_("This invitation has already been answered."))
    conflicts_declared = _clean_text(conflicts_declared, _("Conflicts of interest"), max_length=4000)
    if accept and not has_no_conflict and not conflicts_declared:
        raise ValidationError(
            _("Declare your conflicts of interest, or confirm that you have none, before accepting.")
        )
    if accept and has_no_conflict and conflicts_declared:
        raise ValidationError(_("You confirmed having no conflict of interest but also declared one: choose one."))
    fields = ("status", "conflicts_declared", "has_no_conflict", "wants_to_be_named")
    with transaction.atomic():
        before = snapshot(assignment, fields)
        assignment.status = ReviewAssignmentStatus.ACCEPTED if accept else ReviewAssignmentStatus.DECLINED
        assignment.conflicts_declared = conflicts_declared
        assignment.has_no_conflict = bool(has_no_conflict) and accept
        assignment.wants_to_be_named = bool(wants_to_be_named) and accept
        assignment.save(update_fields=[*fields, "updated_at"])
        audit_record(user=user, action="practices.review_respond", target=assignment, before=before,
                     after=snapshot(assignment, fields))
        if not accept:
            _notifications().invitation_declined(assignment=assignment)
    return assignment


def _score(value: Any, name: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Score each criterion from 1 to 5 (%(name)s).") % {"name": name}) from error
    if str(value).strip() not in (str(score), f"{score}.0") or not 1 <= score <= 5:
        raise ValidationError(_("Score each criterion from 1 to 5 (%(name)s).") % {"name": name})
    return score


def review_submit(*, user: Any, assignment: ReviewAssignment, relevance: Any, evidence: Any, replicability: Any,
                  sustainability: Any, rights_based: Any, participation: Any, comments: str,
                  recommendation: str, language: str = "") -> Review:
    """The reviewer's rubric: six criteria scored 1–5, comments and a recommendation. `language`: the language
    the comments are written in (pages mark them with it); "" when not said (pages mark them dir="auto")."""
    require(user, "practices.review_practice", assignment)
    if assignment.status != ReviewAssignmentStatus.ACCEPTED:
        raise ValidationError(_("Accept the invitation and declare your conflicts of interest before reviewing."))
    if assignment.practice.stage != ReviewStage.IN_REVIEW:
        raise ValidationError(_("This practice is no longer in peer review."))
    values = dict(zip(CRITERIA, (relevance, evidence, replicability, sustainability, rights_based, participation),
                      strict=True))
    scores = {name: _score(value, name) for name, value in values.items()}
    comments = _clean_text(comments, _("Comments"), required=True, max_length=10000)
    if recommendation not in RECOMMENDATIONS:
        raise ValidationError(_("The recommendation must be publish, revise or decline."))
    language = _clean_language(language) if str(language or "").strip() else ""
    with transaction.atomic():
        review = Review.objects.create(assignment=assignment, comments=comments, recommendation=recommendation,
                                       language=language, is_demo=assignment.is_demo, **scores)
        assignment.status = ReviewAssignmentStatus.SUBMITTED
        assignment.save(update_fields=["status", "updated_at"])
        audit_record(user=user, action="practices.review_submit", target=assignment,
                     after={**scores, "overall": review.overall, "recommendation": recommendation,
                            "language": language})
        _notifications().review_submitted(assignment=assignment)
    return review


def practice_decide(*, user: Any, practice: Practice, decision: str, reasons: str = "") -> Practice:
    """The curator's decision after peer review: publish, ask for a revision, or decline with reasons."""
    from arrival.practices.selectors import needs_extra_reviewer, submitted_peer_review_count

    require(user, "practices.curate_practice", practice)
    if practice.stage != ReviewStage.IN_REVIEW:
        raise ValidationError(_("Only a practice in peer review can be decided."))
    if decision not in ("publish", "revise", "decline"):
        raise ValidationError(_("The decision must be publish, revise or decline."))
    reasons = _clean_text(reasons, _("Reasons"), required=decision != "publish", max_length=4000)
    if decision == "publish":
        if submitted_peer_review_count(practice=practice) < MIN_PEER_REVIEWS:
            raise ValidationError(_("Publishing needs at least two submitted peer reviews."))
        if needs_extra_reviewer(practice=practice):
            raise ValidationError(
                _("The peer reviewers disagree by two points or more: add a reviewer before deciding.")
            )
    with transaction.atomic():
        before = snapshot(practice, ("stage", "decision_reasons", "published_at"))
        practice.stage = {"publish": ReviewStage.PUBLISHED, "revise": ReviewStage.REVISION_REQUESTED,
                          "decline": ReviewStage.DECLINED}[decision]
        practice.decision_reasons = reasons
        practice.stage_changed_at = timezone.now()
        if decision == "publish":
            practice.published_at = practice.stage_changed_at
        practice.save(update_fields=["stage", "decision_reasons", "published_at", "stage_changed_at", "updated_at"])
        audit_record(user=user, action="practices.practice_decide", target=practice, before=before,
                     after={**snapshot(practice, ("stage", "decision_reasons", "published_at")), "decision": decision})
        _notifications().practice_decided(practice=practice, by=user)
        if decision == "publish" and practice.adapted_from_id:
            _notifications().practice_adapted(practice=practice)
        _changed(practice)
    return practice


# --- Calls for practices ---------------------------------------------------------------------------


def _clean_call_translations(value: Any, language: str) -> dict[str, dict[str, str]]:
    return translations_clean(value, fields=CALL_TRANSLATABLE, original_language=language,
                              rich_fields=("description",), max_lengths={"title": 200})


def call_open(*, user: Any, owner: Actor, title: str, description: str, deadline: dt.datetime,
              time_zone: str = "UTC", language: str = "en", translations: Any = None,
              is_demo: bool = False) -> CallForPractices:
    """A network's or organisation's themed call for practices: an engagement process whose submissions phase
    runs from now until `deadline`, then review and results (`practices/phases.py`).

    A naive `deadline` is read in `time_zone`, the owner's zone, in which the deadline is also shown.
    """
    require(user, "practices.add_callforpractices", owner)
    if owner.kind not in CURATING_ACTOR_KINDS:
        raise ValidationError(_("Calls for practices are opened by a network or an organisation."))
    title = _clean_text(title, _("Title"), required=True, max_length=200)
    description = sanitise_html(description)
    if not description:
        raise ValidationError(_("Describe what the call is looking for."))
    language = _clean_language(language)
    translations = _clean_call_translations(translations, language)
    if not isinstance(deadline, dt.datetime):
        raise ValidationError(_("The deadline must be a date and time."))
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone “%(zone)s”.") % {"zone": time_zone}) from None
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline, zone)
    now = timezone.now()
    if deadline <= now:
        raise ValidationError(_("The deadline must be in the future."))
    with transaction.atomic():
        process = process_create(user=user, owner=owner, kind=call_phases.PROCESS_KIND, title=title,
                                 phases=call_phases.call_phase_specs(now, deadline), time_zone=str(zone),
                                 is_demo=is_demo)
        call = CallForPractices.objects.create(
            process=process, title=title, description=description, owner=owner, opened_by=user,
            slug=_unique_slug(CallForPractices, title), language=language, translations=translations,
            is_demo=is_demo,
        )
        audit_record(user=user, action="practices.call_open", target=call,
                     after={**snapshot(call, ("title", "owner", "process", "language", "translations")),
                            "deadline": deadline.isoformat()})
    return call


def call_translations_set(*, user: Any, call: CallForPractices, translations: Any) -> CallForPractices:
    """Replace the translations of a call (its owner's staff and administrators, site staff)."""
    require(user, "practices.add_callforpractices", call.owner)
    with transaction.atomic():
        call = CallForPractices.objects.select_for_update().get(pk=call.pk)
        before = {"translations": call.translations}
        call.translations = _clean_call_translations(translations, call.language)
        call.save(update_fields=["translations", "updated_at"])
        audit_record(user=user, action="practices.call_translations_set", target=call, before=before,
                     after={"translations": call.translations})
    return call


def call_require_open(*, call: CallForPractices, at: dt.datetime | None = None) -> None:
    """Raise a ValidationError naming the call's submission dates unless its submissions phase runs at `at`."""
    try:
        phase_require(process=call.process, action=call_phases.SUBMIT_PRACTICE, at=at)
    except ValidationError:
        phase = call.submissions_phase
        at = at or timezone.now()
        if phase is not None and at < phase.starts_at:
            message = _("The call “%(call)s” takes practices from %(date)s.")
            date = phase.starts_at
        else:
            message = _("The call “%(call)s” closed on %(date)s; it takes no more practices.")
            date = phase.ends_at if phase is not None else at
        raise ValidationError(message % {"call": call.title,
                                         "date": datetime_with_zone(date, call.process.time_zone or "UTC")},
                              code="phase_closed") from None
