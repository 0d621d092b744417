"""Writes for commitments: the record, its lifecycle, progress, milestones, indicators, forum reports,
the review calendar's submission windows and the reminders the schedule sends.

Every function is keyword-only, runs in one transaction, checks its permission with `require` (the rules are
in the commitments section of `arrival/accounts/rules.py`) and writes an audit row. Bad input raises
`ValidationError` saying what to fix, and changes nothing.

Lifecycle: draft → internal approval (the lead's administrators approve, or send it back) → submitted →
published (a public id such as "ARR-C-2026-00042", given once) → progress updates, milestones, reports to
forums → closed. A published progress update is never changed: a correction is a new update naming it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.actors.models import Actor
from arrival.commitments import file_once, selectors
from arrival.commitments.models import (
    COMMITMENT_TRANSLATABLE,
    MILESTONE_TRANSLATABLE,
    Commitment,
    CommitmentForm,
    CommitmentIndicator,
    CommitmentStatus,
    CommitmentType,
    ForumReport,
    IndicatorValue,
    Milestone,
    ProgressStatus,
    ProgressUpdate,
    PublicIdCounter,
    SubmissionWindow,
)
from arrival.core.attachments import DOCUMENT_TYPES, IMAGE_TYPES, SPREADSHEET_TYPES, attachment_create
from arrival.core.dates import date_in_range_check
from arrival.core.languages import page_language, quoted
from arrival.core.permissions import require
from arrival.core.services import audit_record, snapshot
from arrival.core.translations import translations_clean
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import tags_for
from arrival.frameworks.services import tags_set

LEAD_KINDS = selectors.LEAD_KINDS
TAG_KINDS = selectors.TAG_KINDS
EDITABLE_FIELDS = ("title", "description", "language", "commitment_type", "matches", "forms", "starts_on",
                   "target_date", "contact_role", "contact_email", "partners", "tags", "translations")
_LIMITS = {"title": 250, "description": 6000, "contact_role": 200}
_AUDITED = ("public_id", "lead", "commitment_type", "matches", "title", "description", "language", "translations",
            "starts_on",
            "target_date", "contact_role", "contact_email", "status", "source_contribution", "source_paragraph",
            "consultation",
            "progress_status", "progress_percent", "approved_by", "approved_at", "submitted_at", "published_at",
            "closed_at", "closing_note", "returned_reason")
_UPDATE_AUDITED = ("commitment", "reported_on", "status", "percent", "narrative", "corrects", "published_at")
PUBLIC_ID_FORMAT = "ARR-C-{year}-{number:05d}"
EVIDENCE_TYPES = DOCUMENT_TYPES | SPREADSHEET_TYPES | IMAGE_TYPES


def _audit_after(commitment: Commitment) -> dict[str, Any]:
    values = snapshot(commitment, _AUDITED)
    values["forms"] = list(commitment.forms or [])
    return values


# --- Cleaning ----------------------------------------------------------------------------------------------


def _text(value: Any, label: str, *, required: bool = False, max_length: int = 250) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(_("%(field)s is required.") % {"field": label})
    if len(text) > max_length:
        raise ValidationError(_("%(field)s may be at most %(max)d characters.") % {"field": label, "max": max_length})
    return text


def _date(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError as error:
            raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": label}) from error
    date_in_range_check(day, label=label)
    return day


def _forms(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    chosen = [str(v) for v in value]
    unknown = sorted(set(chosen) - set(CommitmentForm.values))
    if unknown:
        raise ValidationError(_("Unknown form of commitment: %(forms)s. Choose among financial, human resources, "
                                "process and policy.") % {"forms": ", ".join(unknown)})
    return [form for form in CommitmentForm.values if form in chosen]


def _actors(value: Iterable[Any] | None) -> list[Actor]:
    actors = list(value or [])
    for actor in actors:
        if not isinstance(actor, Actor):
            raise ValidationError(_("%(actor)s is not an actor.") % {"actor": actor})
    return actors


def _tags(value: Iterable[Any] | None) -> list[FrameworkItem]:
    items = list(value or [])
    for item in items:
        if not isinstance(item, FrameworkItem) or item.framework.kind not in TAG_KINDS:
            raise ValidationError(_("%(item)s is not a GCM objective or guiding principle, SDG target or New Urban "
                                    "Agenda paragraph.") % {"item": item})
    return items


def _links(value: Any) -> list[dict[str, str]]:
    links = []
    validate = URLValidator(schemes=["http", "https"])
    for entry in list(value or [])[:20]:
        url = str(entry.get("url", "") if isinstance(entry, dict) else entry).strip()
        label = str(entry.get("label", "") if isinstance(entry, dict) else "").strip()[:200]
        if not url:
            continue
        try:
            validate(url)
        except ValidationError as error:
            raise ValidationError(_("“%(url)s” is not a web address (http or https).") % {"url": url}) from error
        links.append({"url": url[:500], "label": label or url[:200]})
    return links


def _apply(commitment: Commitment, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and set the plain fields; return the relations (partners, tags) to write after saving."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)})
    if "title" in fields:
        commitment.title = _text(fields["title"], _("Title"), required=True, max_length=250)
    if "description" in fields:
        commitment.description = _text(fields["description"], _("Description"), required=True, max_length=6000)
    if "language" in fields:
        commitment.language = _text(fields["language"], _("Language"), required=True, max_length=10).lower()
    if "translations" in fields or "language" in fields:  # never in the record's own language
        commitment.translations = translations_clean(
            fields.get("translations", commitment.translations), fields=COMMITMENT_TRANSLATABLE,
            original_language=commitment.language, max_lengths=_LIMITS)
    if "commitment_type" in fields:
        if fields["commitment_type"] not in CommitmentType.values:
            raise ValidationError(_("The type must be individual, common, partnership or matching."))
        commitment.commitment_type = fields["commitment_type"]
    if "matches" in fields:
        matched = fields["matches"]
        if matched is not None and (not isinstance(matched, Commitment) or not matched.is_public):
            raise ValidationError(_("A matching commitment cites a published commitment by its public id."))
        if matched is not None and commitment.pk and matched.pk == commitment.pk:
            raise ValidationError(_("A commitment cannot match itself."))
        commitment.matches = matched
    if "forms" in fields:
        commitment.forms = _forms(fields["forms"])
    for name, label in (("starts_on", _("Start date")), ("target_date", _("Target date"))):
        if name in fields:
            setattr(commitment, name, _date(fields[name], label))
    if commitment.starts_on and commitment.target_date and commitment.target_date < commitment.starts_on:
        raise ValidationError(_("The target date comes before the start date."))
    if "contact_role" in fields:
        commitment.contact_role = _text(fields["contact_role"], _("Contact"), max_length=200)
    if "contact_email" in fields:
        email = _text(fields["contact_email"], _("Contact e-mail"), max_length=254)
        if email:
            EmailValidator(message=_("The contact e-mail is not an e-mail address."))(email)
        commitment.contact_email = email
    if commitment.commitment_type == CommitmentType.MATCHING and commitment.matches_id is None:
        raise ValidationError(_("A matching commitment names the commitment it matches."))
    if commitment.commitment_type != CommitmentType.MATCHING:
        commitment.matches = None
    relations: dict[str, Any] = {}
    if "partners" in fields:
        relations["partners"] = _actors(fields["partners"])
    if "tags" in fields:
        relations["tags"] = _tags(fields["tags"])
    return relations


def _write_relations(user: Any, commitment: Commitment, relations: dict[str, Any]) -> None:
    if "partners" in relations:
        partners = [p for p in relations["partners"] if p.pk != commitment.lead_id]
        commitment.partners.set(partners)
    if "tags" in relations:
        tags_set(user=user, record=commitment, items=relations["tags"])


# --- The record --------------------------------------------------------------------------------------------


@transaction.atomic
def commitment_create(
    *,
    user: Any,
    lead: Actor,
    title: str,
    description: str,
    source_contribution: Any = None,
    source_paragraph: Any = None,
    consultation: Any = None,
    milestones: Iterable[dict[str, Any]] = (),
    indicators: Iterable[dict[str, Any]] = (),
    is_demo: bool = False,
    **fields: Any,
) -> Commitment:
    """A new draft led by `lead` (a government or network); `fields` are any of EDITABLE_FIELDS."""
    if not isinstance(lead, Actor) or lead.kind not in LEAD_KINDS:
        raise ValidationError(_("A commitment is led by a government or a network."))
    require(user, "commitments.add_commitment", lead)
    commitment = Commitment(lead=lead, created_by=user, is_demo=is_demo, source_contribution=source_contribution,
                            source_paragraph=source_paragraph, consultation=consultation)
    relations = _apply(commitment, {"title": title, "description": description, **fields})
    commitment.save()
    _write_relations(user, commitment, relations)
    for milestone in milestones:
        _milestone_new(commitment, milestone)
    for indicator in indicators:
        _indicator_new(commitment, indicator)
    audit_record(user=user, action="commitments.create_commitment", target=commitment, after=_audit_after(commitment))
    return commitment


@transaction.atomic
def commitment_create_from_contribution(*, user: Any, contribution: Any, lead: Actor | None = None,
                                        **overrides: Any) -> Commitment:
    """A draft prefilled from a consultation contribution, keeping the link to it and to its consultation.

    The lead is the contributing government or network unless `lead` names one that co-signed it. Title,
    description (the contribution's summary and proposed actions) and framework tags are copied; `overrides`
    replace any of them.
    """
    if getattr(contribution, "status", "submitted") != "submitted" or getattr(contribution, "visibility", "visible") != "visible":
        raise ValidationError(_("Only a submitted, visible contribution can become a commitment."))
    lead = lead or contribution.actor
    signers = {contribution.actor_id, *(c.actor_id for c in contribution.cosignatures.all())}
    if lead.pk not in signers:
        raise ValidationError(_("A commitment from a contribution is led by the government or network that "
                                "contributed it or co-signed it."))
    prefilled = selectors.prefill_from_contribution(contribution=contribution) | overrides
    title, description = prefilled.pop("title"), prefilled.pop("description")
    is_demo = prefilled.pop("is_demo", contribution.is_demo)
    return commitment_create(user=user, lead=lead, title=title, description=description,
                             source_contribution=contribution, consultation=contribution.consultation,
                             is_demo=is_demo, **prefilled)


@transaction.atomic
def commitment_create_from_paragraph(*, user: Any, paragraph: Any, lead: Actor, **overrides: Any) -> Commitment:
    """A draft prefilled from a paragraph of an adopted outcome document, keeping the link to it and to its
    consultation. Any government or network may answer an outcome with a commitment; `overrides` replace the
    prefilled title, description, language or tags."""
    if paragraph.version.frozen_at is None:
        raise ValidationError(_("A commitment is made from a paragraph of an adopted outcome document, not of a "
                                "draft."))
    prefilled = selectors.prefill_from_paragraph(paragraph=paragraph) | overrides
    title, description = prefilled.pop("title"), prefilled.pop("description")
    consultation = paragraph.version.document.consultation
    is_demo = prefilled.pop("is_demo", consultation.is_demo)
    return commitment_create(user=user, lead=lead, title=title, description=description, source_paragraph=paragraph,
                             consultation=consultation, is_demo=is_demo, **prefilled)


@transaction.atomic
def commitment_update(*, user: Any, commitment: Commitment, **fields: Any) -> Commitment:
    """Change a draft's fields (any of EDITABLE_FIELDS)."""
    require(user, "commitments.change_commitment", commitment)
    before = _audit_after(commitment)
    relations = _apply(commitment, fields)
    commitment.save()
    _write_relations(user, commitment, relations)
    audit_record(user=user, action="commitments.update_commitment", target=commitment, before=before,
                 after=_audit_after(commitment))
    file_once.commitment_files_refresh(commitment=commitment)
    return commitment


def _check_complete(commitment: Commitment) -> None:
    problems = []
    if not commitment.forms:
        problems.append(_("Choose at least one form (financial, human resources, process, policy)."))
    if commitment.target_date is None:
        problems.append(_("Give a target date."))
    kinds = {tag.item.framework.kind for tag in tags_for(record=commitment)}
    if FrameworkKind.GCM_OBJECTIVE not in kinds:
        problems.append(_("Tag at least one GCM objective."))
    if commitment.commitment_type in (CommitmentType.PARTNERSHIP, CommitmentType.COMMON) and not commitment.partners.exists():
        problems.append(_("A common or partnership commitment names its partners."))
    if commitment.commitment_type == CommitmentType.MATCHING and commitment.matches_id is None:
        problems.append(_("A matching commitment names the commitment it matches."))
    if problems:
        raise ValidationError(problems)


def _transition(user: Any, commitment: Commitment, action: str, before: dict[str, Any]) -> Commitment:
    commitment.save()
    audit_record(user=user, action=f"commitments.{action}", target=commitment, before=before,
                 after=_audit_after(commitment))
    file_once.commitment_files_refresh(commitment=commitment)
    return commitment


def _lock(commitment: Commitment) -> Commitment:
    """Re-read the commitment under a row lock, so two people acting at once cannot both move it."""
    fresh = Commitment.objects.select_for_update().get(pk=commitment.pk)
    for field in ("status", "approval_requested_at", "approval_requested_by_id", "approved_at", "approved_by_id",
                  "submitted_at", "submitted_by_id", "returned_at", "public_id", "published_at"):
        setattr(commitment, field, getattr(fresh, field))
    return commitment


def _notify(commitment: Commitment, *, kind: str, recipients: list[Any], text: Any, acting: Any) -> None:
    """Tell `recipients` (never the person acting) of a step of the commitment, on its page, in their language."""
    from arrival.engagement.services import notification_send

    notification_send(recipients=[person for person in recipients if person.pk != getattr(acting, "pk", None)],
                      kind=kind, text=text, url=commitment.get_absolute_url(), target=commitment)


@transaction.atomic
def commitment_submit_for_approval(*, user: Any, commitment: Commitment) -> Commitment:
    """Send a complete draft to the lead's administrators, who are notified and find it in their "My work"."""
    require(user, "commitments.submit_commitment", commitment)
    _lock(commitment)
    if commitment.status != CommitmentStatus.DRAFT:
        raise ValidationError(_("Only a draft goes to internal approval."))
    _check_complete(commitment)
    before = _audit_after(commitment)
    commitment.status = CommitmentStatus.INTERNAL_APPROVAL
    commitment.approved_at, commitment.approved_by = None, None
    commitment.approval_requested_at, commitment.approval_requested_by = timezone.now(), user
    commitment.returned_at, commitment.returned_reason = None, ""
    _transition(user, commitment, "submit_for_approval", before)
    title, lead = quoted(commitment.title, commitment.language), commitment.lead.name
    _notify(commitment, kind="commitments.approval_requested", recipients=selectors.commitment_approvers(
        commitment=commitment), acting=user, text=lambda: _(
            "The commitment “%(title)s” of %(lead)s was sent for your approval.") % {"title": title, "lead": lead})
    return commitment


@transaction.atomic
def commitment_approve(*, user: Any, commitment: Commitment) -> Commitment:
    """The lead's administrator approves the commitment internally; the team can then submit it."""
    require(user, "commitments.approve_commitment", commitment)
    _lock(commitment)
    if commitment.status != CommitmentStatus.INTERNAL_APPROVAL or commitment.approved_at is not None:
        raise ValidationError(_("Only a commitment waiting for internal approval can be approved."))
    before = _audit_after(commitment)
    commitment.approved_at, commitment.approved_by = timezone.now(), user
    _transition(user, commitment, "approve_commitment", before)
    title = quoted(commitment.title, commitment.language)
    _notify(commitment, kind="commitments.approved", recipients=selectors.commitment_filers(commitment=commitment),
            acting=user, text=lambda: _("Your commitment “%(title)s” was approved: you can submit it for "
                                        "publication.") % {"title": title})
    return commitment


@transaction.atomic
def commitment_send_back(*, user: Any, commitment: Commitment, reason: str) -> Commitment:
    """Back to draft with a reason: by the lead's administrators during approval, by a publisher once submitted."""
    _lock(commitment)
    if commitment.status == CommitmentStatus.INTERNAL_APPROVAL:
        require(user, "commitments.approve_commitment", commitment)
    elif commitment.status == CommitmentStatus.SUBMITTED:
        require(user, "commitments.publish_commitment", commitment)
    else:
        raise ValidationError(_("Only a commitment in approval or submitted can be sent back."))
    reason = _text(reason, _("Reason"), required=True, max_length=2000)
    before = _audit_after(commitment)
    commitment.status = CommitmentStatus.DRAFT
    commitment.approved_at, commitment.approved_by, commitment.submitted_at = None, None, None
    commitment.returned_reason, commitment.returned_at = reason, timezone.now()
    _transition(user, commitment, "send_back_commitment", before)
    title = quoted(commitment.title, commitment.language)
    _notify(commitment, kind="commitments.returned", recipients=selectors.commitment_filers(commitment=commitment),
            acting=user, text=lambda: _("Your commitment “%(title)s” was sent back to draft; its page says why.")
            % {"title": title})
    return commitment


@transaction.atomic
def commitment_submit(*, user: Any, commitment: Commitment) -> Commitment:
    """Submit an approved commitment for publication; the people who may publish it are notified."""
    require(user, "commitments.submit_commitment", commitment)
    _lock(commitment)
    if commitment.status != CommitmentStatus.INTERNAL_APPROVAL or commitment.approved_at is None:
        raise ValidationError(_("A commitment is submitted once an administrator of its lead has approved it."))
    before = _audit_after(commitment)
    commitment.status = CommitmentStatus.SUBMITTED
    commitment.submitted_at, commitment.submitted_by = timezone.now(), user
    _transition(user, commitment, "submit_commitment", before)
    title, lead = quoted(commitment.title, commitment.language), commitment.lead.name
    _notify(commitment, kind="commitments.publication_requested", acting=user,
            recipients=selectors.commitment_publishers(commitment=commitment),
            text=lambda: _("%(lead)s submitted the commitment “%(title)s” for publication: publish it or send it "
                           "back.") % {"title": title, "lead": lead})
    return commitment


def _next_public_id(year: int) -> str:
    PublicIdCounter.objects.get_or_create(year=year)
    # The UPDATE takes the row's write lock until the transaction ends, so two publications never share a number.
    PublicIdCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = PublicIdCounter.objects.get(year=year).last
    return PUBLIC_ID_FORMAT.format(year=year, number=number)


@transaction.atomic
def commitment_publish(*, user: Any, commitment: Commitment) -> Commitment:
    """Publish a submitted commitment and give it its public id (never changed or reused afterwards)."""
    require(user, "commitments.publish_commitment", commitment)
    _lock(commitment)
    if commitment.status != CommitmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted commitment can be published."))
    before = _audit_after(commitment)
    now = timezone.now()
    commitment.status = CommitmentStatus.PUBLISHED
    commitment.published_at = now
    if not commitment.public_id:
        commitment.public_id = _next_public_id(now.year)
    _transition(user, commitment, "publish_commitment", before)
    title, public_id = quoted(commitment.title, commitment.language), commitment.public_id
    _notify(commitment, kind="commitments.published", recipients=selectors.commitment_filers(commitment=commitment),
            acting=user, text=lambda: _("Your commitment “%(title)s” was published as %(id)s.")
            % {"title": title, "id": public_id})
    return commitment


@transaction.atomic
def commitment_close(*, user: Any, commitment: Commitment, note: str = "") -> Commitment:
    """Close a published commitment (fulfilled, or ended); its record and updates stay public."""
    require(user, "commitments.report_commitment", commitment)
    _lock(commitment)
    if commitment.status != CommitmentStatus.PUBLISHED:
        raise ValidationError(_("Only a published commitment can be closed."))
    before = _audit_after(commitment)
    commitment.status = CommitmentStatus.CLOSED
    commitment.closed_at = timezone.now()
    commitment.closing_note = _text(note, _("Closing note"), max_length=3000)
    return _transition(user, commitment, "close_commitment", before)


# --- Milestones and indicators -----------------------------------------------------------------------------


def _require_editable_or_reporting(user: Any, commitment: Commitment) -> None:
    if commitment.status == CommitmentStatus.DRAFT:
        require(user, "commitments.change_commitment", commitment)
    else:
        require(user, "commitments.report_commitment", commitment)


def _milestone_new(commitment: Commitment, data: dict[str, Any]) -> Milestone:
    due = _date(data.get("due_on"), _("Due date"))
    if due is None:
        raise ValidationError(_("A milestone needs a due date."))
    return Milestone.objects.create(commitment=commitment, title=_text(data.get("title"), _("Milestone"), required=True),
                                    due_on=due, language=commitment.language, is_demo=commitment.is_demo)


@transaction.atomic
def milestone_add(*, user: Any, commitment: Commitment, title: str, due_on: Any) -> Milestone:
    _require_editable_or_reporting(user, commitment)
    milestone = _milestone_new(commitment, {"title": title, "due_on": due_on})
    audit_record(user=user, action="commitments.add_milestone", target=milestone,
                 after=snapshot(milestone, ("commitment", "title", "due_on")))
    file_once.commitment_files_refresh(commitment=commitment)
    return milestone


@transaction.atomic
def commitment_translations_set(*, user: Any, commitment: Commitment, translations: Any,
                                milestones: dict[int, Any] | None = None) -> Commitment:
    """Replace the translations of a commitment's texts and (by milestone id) of its milestones' titles: its
    team while it is a draft, its reporting team once it is submitted or public. A translation adds readers; it
    changes nothing that was committed."""
    _require_editable_or_reporting(user, commitment)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    rows = list(commitment.milestones.all())
    before = {"translations": commitment.translations, "milestones": {m.pk: m.translations for m in rows}}
    commitment.translations = translations_clean(translations, fields=COMMITMENT_TRANSLATABLE,
                                                 original_language=commitment.language, max_lengths=_LIMITS)
    commitment.save(update_fields=["translations", "updated_at"])
    for milestone in rows:
        if milestones is not None and milestone.pk in milestones:
            milestone.translations = translations_clean(milestones[milestone.pk], fields=MILESTONE_TRANSLATABLE,
                                                        original_language=milestone.language,
                                                        max_lengths={"title": 250})
            milestone.save(update_fields=["translations", "updated_at"])
    audit_record(user=user, action="commitments.translations_set", target=commitment, before=before,
                 after={"translations": commitment.translations, "milestones": {m.pk: m.translations for m in rows}})
    file_once.commitment_files_refresh(commitment=commitment)
    return commitment


def commitment_made_on(commitment: Commitment) -> dt.date:
    """The day a commitment was made: its start date, or the day it was recorded in Arrival if that is earlier
    (a commitment may start later than it was made). Nothing is done for it before that day."""
    recorded = timezone.localdate(commitment.created_at)
    return min(commitment.starts_on, recorded) if commitment.starts_on else recorded


@transaction.atomic
def milestone_complete(*, user: Any, milestone: Milestone, done_on: Any = None, note: str = "") -> Milestone:
    """Mark a milestone of a published commitment done on `done_on` (today when not given): a day chosen like a
    progress update's, never in the future and never before the commitment was made."""
    require(user, "commitments.report_commitment", milestone.commitment)
    if milestone.done_at is not None:
        raise ValidationError(_("This milestone is already done."))
    day = _date(done_on, _("Done on")) or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(_("A milestone cannot be done in the future."))
    made = commitment_made_on(milestone.commitment)
    if day < made:
        raise ValidationError(_("A milestone cannot be done before the commitment was made (%(date)s).")
                              % {"date": made.isoformat()})
    before = snapshot(milestone, ("done_on", "done_at", "done_note"))
    milestone.done_on, milestone.done_at = day, timezone.now()
    milestone.done_note = _text(note, _("Note"), max_length=500)
    milestone.save(update_fields=["done_on", "done_at", "done_note", "updated_at"])
    audit_record(user=user, action="commitments.complete_milestone", target=milestone, before=before,
                 after=snapshot(milestone, ("done_on", "done_at", "done_note")))
    return milestone


def _number(value: Any, label: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("%(field)s must be a number.") % {"field": label}) from error


def _indicator_new(commitment: Commitment, data: dict[str, Any]) -> CommitmentIndicator:
    year = data.get("baseline_year")
    return CommitmentIndicator.objects.create(
        commitment=commitment, name=_text(data.get("name"), _("Indicator"), required=True),
        unit=_text(data.get("unit"), _("Unit"), max_length=60), baseline=_number(data.get("baseline"), _("Baseline")),
        baseline_year=int(year) if year not in (None, "") else None, target=_number(data.get("target"), _("Target")),
        is_demo=commitment.is_demo,
    )


_INDICATOR_AUDITED = ("commitment", "name", "unit", "baseline", "baseline_year", "target", "latest_value", "latest_on")


@transaction.atomic
def indicator_add(*, user: Any, commitment: Commitment, name: str, unit: str = "", baseline: Any = None,
                  baseline_year: Any = None, target: Any = None) -> CommitmentIndicator:
    _require_editable_or_reporting(user, commitment)
    indicator = _indicator_new(commitment, {"name": name, "unit": unit, "baseline": baseline,
                                            "baseline_year": baseline_year, "target": target})
    audit_record(user=user, action="commitments.add_indicator", target=indicator,
                 after=snapshot(indicator, _INDICATOR_AUDITED))
    return indicator


@transaction.atomic
def indicator_value_set(*, user: Any, indicator: CommitmentIndicator, value: Any, measured_on: Any) -> CommitmentIndicator:
    """Add the value measured on a day to the indicator's series (published commitments). A value for a day already
    in the series replaces it (the audit log keeps the old one). The indicator's latest value follows the latest
    measured day, whatever the order values are recorded in."""
    require(user, "commitments.report_commitment", indicator.commitment)
    number = _number(value, _("Value"))
    if number is None:
        raise ValidationError(_("Value is required."))
    measured = _date(measured_on, _("Measured on")) or timezone.localdate()
    if measured > timezone.localdate():
        raise ValidationError(_("A value cannot be measured in the future."))
    previous = indicator.values.filter(measured_on=measured).values_list("value", flat=True).first()
    before = snapshot(indicator, _INDICATOR_AUDITED) | {"measured_on": measured.isoformat(), "value": previous}
    IndicatorValue.objects.update_or_create(indicator=indicator, measured_on=measured, defaults={
        "value": number, "recorded_by": user, "is_demo": indicator.is_demo})
    latest = indicator.values.order_by("-measured_on").first()
    indicator.latest_value, indicator.latest_on = (latest.value, latest.measured_on) if latest else (None, None)
    indicator.save(update_fields=["latest_value", "latest_on", "updated_at"])
    audit_record(user=user, action="commitments.set_indicator_value", target=indicator, before=before,
                 after=snapshot(indicator, _INDICATOR_AUDITED) | {"measured_on": measured.isoformat(), "value": number})
    return indicator


# --- Progress updates --------------------------------------------------------------------------------------


def _refresh_progress(commitment: Commitment) -> None:
    latest = (ProgressUpdate.objects.filter(commitment=commitment, published_at__isnull=False)
              .order_by("-reported_on", "-published_at", "-id").first())
    if latest is not None:
        Commitment.objects.filter(pk=commitment.pk).update(progress_status=latest.status, progress_percent=latest.percent)
        commitment.progress_status, commitment.progress_percent = latest.status, latest.percent
        file_once.commitment_files_refresh(commitment=commitment)


def _clean_update(commitment: Commitment, *, reported_on: Any, status: str, percent: Any, narrative: str,
                  links: Any, corrects: ProgressUpdate | None) -> dict[str, Any]:
    reported = _date(reported_on, _("Date of the update")) or timezone.localdate()
    if reported > timezone.localdate():
        raise ValidationError(_("A progress update cannot be dated in the future."))
    if status not in ProgressStatus.values:
        raise ValidationError(_("The status must be planning, in progress, fulfilled or lapsed."))
    try:
        percent = int(percent)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Percent done must be a whole number from 0 to 100.")) from error
    if not 0 <= percent <= 100:
        raise ValidationError(_("Percent done must be a whole number from 0 to 100."))
    if status == ProgressStatus.FULFILLED and percent != 100:
        raise ValidationError(_("A fulfilled commitment must show 100 per cent progress."))
    if corrects is not None and (corrects.commitment_id != commitment.pk or not corrects.is_published):
        raise ValidationError(_("A correction names a published update of the same commitment."))
    return {"reported_on": reported, "status": status, "percent": percent,
            "narrative": _text(narrative, _("What happened"), required=True, max_length=6000),
            "links": _links(links), "corrects": corrects}


@transaction.atomic
def progress_update_add(*, user: Any, commitment: Commitment, status: str, percent: Any, narrative: str,
                        reported_on: Any = None, links: Any = (), corrects: ProgressUpdate | None = None,
                        evidence: Iterable[Any] = (), publish: bool = True) -> ProgressUpdate:
    """A dated progress update on a published commitment, with evidence links and files (core attachments).

    Published at once unless `publish=False` (a draft the team can still change and attach evidence to).
    Publishing moves the commitment's current progress; a published update is never changed again.
    """
    require(user, "commitments.report_commitment", commitment)
    data = _clean_update(commitment, reported_on=reported_on, status=status, percent=percent, narrative=narrative,
                         links=links, corrects=corrects)
    update = ProgressUpdate.objects.create(commitment=commitment, author=user, is_demo=commitment.is_demo, **data)
    for file in evidence:
        attachment_create(user=user, file=file, record=update, allowed_types=EVIDENCE_TYPES, is_demo=commitment.is_demo)
    if publish:
        update.published_at = timezone.now()
        update.save(update_fields=["published_at"])
    audit_record(user=user, action="commitments.add_progress_update", target=update,
                 after=snapshot(update, _UPDATE_AUDITED))
    if publish:
        _refresh_progress(commitment)
    return update


@transaction.atomic
def progress_update_edit(*, user: Any, update: ProgressUpdate, **fields: Any) -> ProgressUpdate:
    """Change an unpublished update; a published one is never changed (write a correcting update instead)."""
    require(user, "commitments.change_progressupdate", update)
    allowed = {"reported_on", "status", "percent", "narrative", "links"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(_("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)})
    current = {"reported_on": update.reported_on, "status": update.status, "percent": update.percent,
               "narrative": update.narrative, "links": update.links}
    data = _clean_update(update.commitment, corrects=update.corrects, **{**current, **fields})
    before = snapshot(update, _UPDATE_AUDITED)
    for name, value in data.items():
        setattr(update, name, value)
    update.save()
    audit_record(user=user, action="commitments.edit_progress_update", target=update, before=before,
                 after=snapshot(update, _UPDATE_AUDITED))
    return update


@transaction.atomic
def progress_update_publish(*, user: Any, update: ProgressUpdate) -> ProgressUpdate:
    require(user, "commitments.change_progressupdate", update)
    before = snapshot(update, _UPDATE_AUDITED)
    update.published_at = timezone.now()
    update.save(update_fields=["published_at", "updated_at"])
    audit_record(user=user, action="commitments.publish_progress_update", target=update, before=before,
                 after=snapshot(update, _UPDATE_AUDITED))
    _refresh_progress(update.commitment)
    return update


# --- Forums and the review calendar ------------------------------------------------------------------------


@transaction.atomic
def commitment_report_to_forum(*, user: Any, commitment: Commitment, forum: Any, summary: str,
                               reported_on: Any = None, window: SubmissionWindow | None = None) -> ForumReport:
    """Record that the commitment was reported to `forum` (a consultations.Forum) on a date, with a summary.

    Without `window`, a report dated while one of the forum's submission windows is open answers that window
    (and leaves its team's "My work")."""
    require(user, "commitments.report_commitment", commitment)
    if forum is None:
        raise ValidationError(_("Choose the forum the commitment was reported to."))
    if window is not None and window.forum_id != forum.pk:
        raise ValidationError(_("The submission window belongs to another forum."))
    reported = _date(reported_on, _("Reported on")) or timezone.localdate()
    if reported > timezone.localdate():
        raise ValidationError(_("A report cannot be dated in the future."))
    if window is None:
        now = timezone.now()
        window = next((open_window for open_window in SubmissionWindow.objects.filter(
            forum=forum, opens_at__lte=now, closes_at__gt=now).order_by("closes_at", "pk")
            if timezone.localdate(open_window.opens_at) <= reported), None)
    report = ForumReport.objects.create(commitment=commitment, forum=forum, window=window, reported_on=reported,
                                        summary=_text(summary, _("Summary"), required=True, max_length=3000),
                                        reported_by=user, is_demo=commitment.is_demo)
    audit_record(user=user, action="commitments.report_to_forum", target=report,
                 after=snapshot(report, ("commitment", "forum", "window", "reported_on", "summary")))
    return report


_WINDOW_AUDITED = ("forum", "title", "opens_at", "closes_at", "asks", "language", "url", "source")


@transaction.atomic
def submission_window_create(*, user: Any, forum: Any, title: str, opens_at: dt.datetime, closes_at: dt.datetime,
                             asks: str = "", language: str = "", url: str = "", source: str = "",
                             is_demo: bool = False) -> SubmissionWindow:
    """A forum's submission window on the review calendar; its title and what it asks are written in `language`
    (default: the language of the page it was written on)."""
    require(user, "commitments.manage_calendar", forum)
    if not isinstance(opens_at, dt.datetime) or not isinstance(closes_at, dt.datetime):
        raise ValidationError(_("Give the opening and closing date and time."))
    if closes_at <= opens_at:
        raise ValidationError(_("A submission window closes after it opens."))
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise ValidationError(_("“%(url)s” is not a web address (http or https).") % {"url": url}) from error
    window = SubmissionWindow.objects.create(
        forum=forum, title=_text(title, _("Title"), required=True), opens_at=opens_at, closes_at=closes_at,
        asks=_text(asks, _("What is asked"), max_length=3000),
        language=_text(language, _("Language"), max_length=10).lower() or page_language(), url=url,
        source=_text(source, _("Source"), max_length=300), is_demo=is_demo,
    )
    audit_record(user=user, action="commitments.create_submission_window", target=window,
                 after=snapshot(window, _WINDOW_AUDITED))
    return window


@transaction.atomic
def submission_window_delete(*, user: Any, window: SubmissionWindow) -> None:
    require(user, "commitments.manage_calendar", window.forum)
    audit_record(user=user, action="commitments.delete_submission_window", target=window,
                 before=snapshot(window, _WINDOW_AUDITED))
    window.delete()


# --- Reminders (run by the schedule, commitments/tasks.py) -------------------------------------------------

REMINDER_DAYS = selectors.DUE_SOON_DAYS


def _team_members(actor_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The active team members (officer, administrator, staff roles) of each actor, as users."""
    return selectors.team_members(actor_ids=actor_ids)


def _send_once(*, key: str, kind: str, recipients: list[Any], text: Any, url: str) -> bool:
    """Send one reminder unless one with `key` was already sent; the record and the notifications land together."""
    from arrival.commitments.models import ReminderSent
    from arrival.engagement.services import notification_send

    if not recipients:
        return False
    with transaction.atomic():
        reminder, created = ReminderSent.objects.get_or_create(key=key, defaults={"kind": kind})
        if not created:
            return False
        reminder.recipients = notification_send(recipients=recipients, kind=kind, text=text, url=url)
        reminder.save(update_fields=["recipients"])
        audit_record(user=None, action="commitments.send_reminder", target=reminder,
                     after={"key": key, "kind": kind, "recipients": reminder.recipients})
    return True


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind teams of deadlines within REMINDER_DAYS days, each reminder once; returns how many were sent.

    - a milestone of a published commitment falls due: the lead's team;
    - a forum's submission window closes: the teams of every government with a published commitment.
    """
    from django.template.defaultfilters import date as date_filter
    from django.urls import reverse

    from arrival.actors.models import GOVERNMENT_KINDS

    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=REMINDER_DAYS)
    sent = 0
    milestones = list(
        Milestone.objects.filter(done_at__isnull=True, due_on__gte=today, due_on__lte=horizon,
                                 commitment__status=CommitmentStatus.PUBLISHED)
        .select_related("commitment").order_by("due_on", "pk")
    )
    teams = _team_members({m.commitment.lead_id for m in milestones})
    for milestone in milestones:
        commitment = milestone.commitment

        def text(milestone: Milestone = milestone, commitment: Commitment = commitment) -> str:
            return _("Milestone “%(milestone)s” of the commitment %(commitment)s is due on %(date)s.") % {
                "milestone": milestone.title, "commitment": commitment.public_id or commitment.title,
                "date": date_filter(milestone.due_on, "DATE_FORMAT")}

        if _send_once(key=f"milestone:{milestone.pk}:{milestone.due_on.isoformat()}", kind="commitments.milestone_due",
                      recipients=teams.get(commitment.lead_id, []), text=text,
                      url=reverse("commitments:detail", args=[commitment.pk])):
            sent += 1
    windows = list(SubmissionWindow.objects.filter(closes_at__gt=now, closes_at__lte=now + dt.timedelta(days=REMINDER_DAYS))
                   .select_related("forum").order_by("closes_at", "pk"))
    if windows:
        lead_ids = set(Commitment.objects.filter(status=CommitmentStatus.PUBLISHED, lead__kind__in=GOVERNMENT_KINDS)
                       .values_list("lead_id", flat=True))
        teams = _team_members(lead_ids)
        for window in windows:
            def window_text(window: SubmissionWindow = window) -> str:
                return _("The submission window “%(window)s” of %(forum)s closes on %(date)s.") % {
                    "window": window.title, "forum": window.forum.name,
                    "date": date_filter(timezone.localtime(window.closes_at), "DATETIME_FORMAT")}

            for actor_id in sorted(lead_ids):
                if _send_once(key=f"window:{window.pk}:actor:{actor_id}", kind="commitments.window_closing",
                              recipients=teams.get(actor_id, []), text=window_text,
                              url=reverse("commitments:calendar")):
                    sent += 1
    return sent


# --- Personal data (accounts' "download my data" and "delete my account") --------------------------------


def personal_data_export(user: Any) -> dict[str, Any]:
    """What this person did on commitments: the acts are theirs, the records belong to the governments."""
    return {
        "commitments_created": list(Commitment.objects.filter(created_by=user).order_by("pk").values(
            "pk", "public_id", "title", "created_at")),
        "commitments_sent_for_approval": list(Commitment.objects.filter(approval_requested_by=user).order_by("pk")
                                              .values("pk", "public_id", "approval_requested_at")),
        "commitments_approved": list(Commitment.objects.filter(approved_by=user).order_by("pk").values(
            "pk", "public_id", "approved_at")),
        "commitments_submitted": list(Commitment.objects.filter(submitted_by=user).order_by("pk").values(
            "pk", "public_id", "submitted_at")),
        "progress_updates_written": list(ProgressUpdate.objects.filter(author=user).order_by("pk").values(
            "pk", "commitment_id", "reported_on", "status", "percent", "narrative")),
        "forum_reports_recorded": list(ForumReport.objects.filter(reported_by=user).order_by("pk").values(
            "pk", "commitment_id", "forum__key", "reported_on")),
        "indicator_values_recorded": list(IndicatorValue.objects.filter(recorded_by=user).order_by("pk").values(
            "pk", "indicator_id", "measured_on", "value")),
    }


def personal_data_erase(user: Any, *, keep_content_anonymised: bool = True) -> None:
    """Detach the person from the commitments they worked on. The commitments, their updates and reports are the
    governments' public record and stay whatever `keep_content_anonymised` says; only the link to the person goes."""
    Commitment.objects.filter(created_by=user).update(created_by=None)
    Commitment.objects.filter(approved_by=user).update(approved_by=None)
    Commitment.objects.filter(approval_requested_by=user).update(approval_requested_by=None)
    Commitment.objects.filter(submitted_by=user).update(submitted_by=None)
    ProgressUpdate.objects.filter(author=user).update(author=None)
    ForumReport.objects.filter(reported_by=user).update(reported_by=None)
    IndicatorValue.objects.filter(recorded_by=user).update(recorded_by=None)
