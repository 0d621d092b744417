"""Writes of assessments: framework versions, assessment cycles, answers with evidence, validation,
consultation and publication. Each runs in one transaction, checks its permission and writes an audit row.

Errors are `ValidationError`s whose messages name the indicator codes (and, for many rows, the row), and
`PermissionDenied` for permissions; on either, nothing is changed.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrival.accounts.selectors import actor_ids_for
from arrival.actors.models import ActorKind
from arrival.assessments import notifications, report_tasks
from arrival.assessments.domain.framework_file import (
    MATURITY,
    NUMBER,
    TAG_KINDS,
    TRANSLATIONS,
    YES_NO,
    Framework,
    FrameworkFileError,
    content_checksum,
    parse_framework_text,
)
from arrival.assessments.domain.framework_file import Indicator as FileIndicator
from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.domain.scoring import AnswerError, answer_code
from arrival.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CommentKind,
    ConsultationInvitation,
    Indicator,
    IndicatorComment,
    IndicatorFramework,
    NamedValidator,
    OutcomeValue,
    SpecialAnswer,
    Validation,
    ValidationDecision,
)
from arrival.assessments.scores import score_store
from arrival.assessments.selectors.outcomes import OutcomeCell, OutcomeRow
from arrival.assessments.selectors.records import can_edit, framework_parsed, submission_problems
from arrival.assessments.selectors.validation import (
    named_validator_list,
    validator_actors,
    validator_candidate_list,
)
from arrival.core.attachments import DOCX, IMAGE_TYPES, ODT, PDF, XLSX, attachment_create
from arrival.core.models import Attachment
from arrival.core.permissions import require
from arrival.core.services import audit_record, snapshot
from arrival.frameworks.models import FrameworkItem
from arrival.frameworks.selectors import framework_items
from arrival.frameworks.services import tags_load

EVIDENCE_TYPES = frozenset(IMAGE_TYPES | {PDF, DOCX, ODT, XLSX})
EDITABLE = (AssessmentStatus.DRAFT, AssessmentStatus.CHANGES_REQUESTED)
# Validators can be named until a decision is taken: while the team edits, and while the assessment waits.
NAMING = (*EDITABLE, AssessmentStatus.SUBMITTED)
MAX_VALIDATORS = 5
ANSWER_FIELDS = ("value", "special", "comment", "evidence_url", "evidence_reference")
_MAX_TEXT = 5000


# --- Framework versions ----------------------------------------------------------------------------------


def _known_tags() -> dict[str, set[str]] | None:
    """Codes of the reference framework items a framework file may tag; None before they are loaded."""
    known = {kind: set(framework_items(kind=kind).values_list("code", flat=True)) for kind in TAG_KINDS}
    return known if any(known.values()) else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _indicator_rows(parsed: Framework) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for domain in parsed.domains:
        for sub in domain.subcategories:
            for indicator in sub.indicators:
                rows.append({
                    "code": indicator.code, "domain_code": domain.code, "subcategory_code": sub.code,
                    "question": indicator.question, "answer_type": indicator.answer_type, "is_outcome": False,
                    "tags": indicator.tags,
                })
    for outcome in parsed.outcome_panel:
        rows.append({
            "code": outcome.code, "domain_code": "", "subcategory_code": "", "question": outcome.title,
            "answer_type": NUMBER, "is_outcome": True, "tags": outcome.tags,
        })
    return rows


def _tag_items(tags: Iterable[str]) -> list[FrameworkItem]:
    items = []
    for tag in tags:
        kind, code = tag.split(":", 1)
        item = framework_items(kind=kind).filter(code=code).first()
        if item is not None:
            items.append(item)
    return items


def framework_load(*, path: str | Path) -> IndicatorFramework:
    """Load a framework version from its file (anywhere on disk), with its indicators and their framework tags.

    The file is checked in full first (every problem with its line). Its scoring content — everything but
    `translations` — is checksummed (`content_checksum`): a new version is created; the same version with the
    same scoring content changes nothing, or only its translations when those differ; the same version with a
    different scoring content is refused, whether or not an assessment uses it yet, since answers and scores
    already given under it would change meaning. Publish such a change as a new version. The highest version of
    a framework code becomes its current version. On any error nothing is changed.
    """
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ValidationError(_("%(file)s: cannot be read (%(reason)s).") % {"file": name, "reason": exc.strerror}) \
            from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(_("%(file)s: not UTF-8 text (byte %(position)s).") % {"file": name,
                                                                                     "position": exc.start}) from exc
    sha = hashlib.sha256(raw).hexdigest()
    try:
        parsed = parse_framework_text(text, known_tags=_known_tags())
    except FrameworkFileError as exc:
        raise ValidationError(_("%(file)s: %(errors)s") % {"file": name, "errors": exc}) from exc
    content = yaml.safe_load(text)  # stored as loaded: framework_parsed re-reads it
    checksum = content_checksum(content)
    with transaction.atomic():
        framework = IndicatorFramework.objects.select_for_update().filter(
            code=parsed.code, version=parsed.version
        ).first()
        if framework is not None and framework.sha256 == sha and framework.content_sha256 == checksum:
            return framework
        if framework is not None and framework.content_sha256 != checksum:
            raise ValidationError(
                _("%(file)s: %(label)s is already loaded with other scoring content (checksum %(stored)s…, this "
                  "file's %(found)s…). Only translations may change under the same version: publish a changed "
                  "framework as a new version.")
                % {"file": name, "label": framework.label, "stored": framework.content_sha256[:12],
                   "found": checksum[:12]}
            )
        if framework is not None:  # the same scoring content: translations added or fixed
            before = {"sha256": framework.sha256, "translations": sorted(framework.content.get(TRANSLATIONS) or {})}
            framework.content = content
            framework.sha256 = sha
            framework.save(update_fields=["content", "sha256", "updated_at"])
            audit_record(user=None, action="assessments.framework_translations_update", target=framework,
                         before=before, after={"sha256": sha, "translations": sorted(content.get(TRANSLATIONS) or {})})
            return framework
        framework = IndicatorFramework.objects.create(
            code=parsed.code, version=parsed.version, title=parsed.title, content=content, sha256=sha,
            content_sha256=checksum,
        )
        rows = _indicator_rows(parsed)
        for position, row in enumerate(rows, start=1):
            tags = row.pop("tags")
            indicator = Indicator.objects.create(framework=framework, position=position, **row)
            tags_load(record=indicator, items=_tag_items(tags))
        versions = IndicatorFramework.objects.filter(code=parsed.code)
        newest = max(versions, key=lambda f: _version_key(f.version))
        versions.exclude(pk=newest.pk).update(is_current=False)
        versions.filter(pk=newest.pk).update(is_current=True)
        framework.refresh_from_db()
        audit_record(user=None, action="assessments.framework_load", target=framework, before=None,
                     after={"sha256": sha, "content_sha256": checksum, "indicators": len(rows)})
    return framework


# --- Assessment cycles -----------------------------------------------------------------------------------


def _audited(assessment: Assessment) -> dict[str, Any]:
    return snapshot(assessment, ("status", "cycle", "framework", "consultation_open", "benchmark_opt_in"))


def assessment_open(
    *, user: Any, government: Any, cycle: int, framework: IndicatorFramework | None = None, is_demo: bool = False
) -> Assessment:
    """Open `government`'s assessment for `cycle` (a year) on `framework` (default: the current LMGF)."""
    require(user, "assessments.open_assessment", government)
    if government.kind != ActorKind.LOCAL_GOVERNMENT:
        raise ValidationError(_("Only local governments open assessments."))
    this_year = timezone.now().year
    if not isinstance(cycle, int) or isinstance(cycle, bool) or not 2000 <= cycle <= this_year + 1:
        raise ValidationError(_("The cycle must be a year from 2000 to %(max)s.") % {"max": this_year + 1})
    if framework is None:
        framework = IndicatorFramework.objects.filter(code="LMGF", is_current=True).first()
        if framework is None:
            raise ValidationError(_("No framework is loaded; run `arrival setup` first."))
    with transaction.atomic():
        if Assessment.objects.filter(government=government, cycle=cycle).exists():
            raise ValidationError(
                _("%(government)s already has an assessment for %(cycle)s.") % {"government": government, "cycle": cycle}
            )
        assessment = Assessment.objects.create(
            government=government, framework=framework, cycle=cycle, opened_by=user, is_demo=is_demo
        )
        audit_record(user=user, action="assessments.assessment_open", target=assessment, after=_audited(assessment))
    return assessment


def _lock(assessment: Assessment) -> Assessment:
    """Re-read the assessment under a row lock, so status checks and writes see the same state."""
    return Assessment.objects.select_for_update().select_related("framework", "government").get(pk=assessment.pk)


def _require_editable(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE:
        raise ValidationError(
            _("The assessment is %(status)s: answers can change only in a draft or when changes are requested.")
            % {"status": assessment.get_status_display()}
        )


def assessment_update_settings(
    *, user: Any, assessment: Assessment, consultation_open: bool | None = None, benchmark_opt_in: bool | None = None
) -> Assessment:
    require(user, "assessments.change_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        before = _audited(assessment)
        if consultation_open is not None:
            if consultation_open and assessment.status == AssessmentStatus.PUBLISHED:
                raise ValidationError(_("A published assessment cannot open a consultation."))
            assessment.consultation_open = bool(consultation_open)
        if benchmark_opt_in is not None:
            assessment.benchmark_opt_in = bool(benchmark_opt_in)
        assessment.save(update_fields=["consultation_open", "benchmark_opt_in", "updated_at"])
        after = _audited(assessment)
        if before != after:
            audit_record(user=user, action="assessments.settings_update", target=assessment, before=before, after=after)
    return assessment


# --- Answers ---------------------------------------------------------------------------------------------

_YES = {"yes", "true", "1", "y", "oui", "sí", "si"}
_NO = {"no", "false", "0", "n", "non"}


def _coerce(indicator: FileIndicator, value: Any) -> Any:
    """Forms and spreadsheets send text; turn it into the type the indicator takes (the engine then checks it)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if indicator.answer_type == MATURITY:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
    elif indicator.answer_type == YES_NO:
        if isinstance(value, str) and value.strip().lower() in _YES | _NO:
            return value.strip().lower() in _YES
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
    elif indicator.answer_type == NUMBER and isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value and "," not in value else number
    return value


def _clean_answer(
    *, parsed: Framework, indicator: Indicator, value: Any, special: str, comment: str, evidence_url: str,
    evidence_reference: str,
) -> dict[str, Any]:
    """Check one answer against its indicator; returns the fields to store or raises naming the indicator."""
    code = indicator.code
    if indicator.is_outcome:
        raise ValidationError(_("%(code)s is an outcome statistic: record it as an outcome value.") % {"code": code})
    special = (special or "").strip()
    if special and special not in SpecialAnswer.values:
        raise ValidationError(_("%(code)s: unknown special answer %(special)r.") % {"code": code, "special": special})
    file_indicator = parsed.indicator(code)
    value = _coerce(file_indicator, value)
    if special and value is not None:
        raise ValidationError(_("%(code)s: give either a value or a special answer, not both.") % {"code": code})
    try:
        answer_code(file_indicator, DomainAnswer(value=value, special=special or None))
    except AnswerError as exc:
        raise ValidationError(str(exc)) from exc
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(_("%(code)s: the number must be finite.") % {"code": code})
    texts = {"comment": comment or "", "evidence_url": (evidence_url or "").strip(),
             "evidence_reference": (evidence_reference or "").strip()}
    limits = {"comment": _MAX_TEXT, "evidence_url": 500, "evidence_reference": 300}
    for name, text in texts.items():
        if len(text) > limits[name]:
            raise ValidationError(_("%(code)s: %(field)s is longer than %(max)s characters.")
                                  % {"code": code, "field": name.replace("_", " "), "max": limits[name]})
    if texts["evidence_url"]:
        try:
            URLValidator(schemes=["http", "https"])(texts["evidence_url"])
        except ValidationError:
            raise ValidationError(_("%(code)s: the evidence link is not a valid web address.") % {"code": code}) from None
    return {"value": value, "special": special, **texts}


def _indicator_of(assessment: Assessment, indicator: Indicator) -> None:
    if indicator.framework_id != assessment.framework_id:
        raise ValidationError(
            _("%(code)s does not belong to %(label)s.") % {"code": indicator.code, "label": assessment.framework.label}
        )


def _answer_write(*, user: Any, assessment: Assessment, indicator: Indicator, fields: dict[str, Any],
                  answer: Answer | None = None) -> Answer:
    """Write one checked answer (`answer`: the stored one, when the caller has read it already)."""
    if answer is None:
        answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
    if answer is None:
        answer = Answer(assessment=assessment, indicator=indicator)
    before = snapshot_answer(answer) if answer.pk else None
    for name, value in fields.items():
        setattr(answer, name, value)
    after = snapshot_answer(answer)
    if before == after:
        return answer
    answer.updated_by = user if getattr(user, "is_authenticated", False) else None
    answer.save()
    audit_record(user=user, action="assessments.answer_save", target=answer, before=before,
                 after={**after, "indicator": indicator.code})
    return answer


def snapshot_answer(answer: Answer) -> dict[str, Any]:
    """An answer's audited fields (the value stays JSON, not text)."""
    return {name: getattr(answer, name) for name in ANSWER_FIELDS}


def answer_save(
    *,
    user: Any,
    assessment: Assessment,
    indicator: Indicator,
    value: Any = None,
    special: str = "",
    comment: str = "",
    evidence_url: str = "",
    evidence_reference: str = "",
) -> Answer:
    """Save one answer (a value or a special answer) and rescore the assessment (without the Monte Carlo)."""
    require(user, "assessments.change_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        _require_editable(assessment)
        _indicator_of(assessment, indicator)
        parsed = framework_parsed(framework=assessment.framework)
        fields = _clean_answer(parsed=parsed, indicator=indicator, value=value, special=special, comment=comment,
                               evidence_url=evidence_url, evidence_reference=evidence_reference)
        answer = _answer_write(user=user, assessment=assessment, indicator=indicator, fields=fields)
        score_store(assessment=assessment)
        report_tasks.assessment_files_refresh(assessment=assessment)
    return answer


def answers_save_many(*, user: Any, assessment: Assessment, rows: list[dict[str, Any]]) -> int:
    """Save many answers, all or none. Each row has `indicator_code` and answer_save's fields (and may give
    `row`, the number to name it by, e.g. its spreadsheet line; by default its position from 1).
    Returns the number of answers that changed."""
    require(user, "assessments.change_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        _require_editable(assessment)
        parsed = framework_parsed(framework=assessment.framework)
        indicators = {i.code: i for i in assessment.framework.indicators.all()}
        errors: list[str] = []
        cleaned: list[tuple[Indicator, dict[str, Any]]] = []
        seen: dict[str, Any] = {}
        for position, row in enumerate(rows, start=1):
            number = row.get("row", position)
            code = str(row.get("indicator_code") or "").strip()
            where = _("row %(row)s (%(code)s)") % {"row": number, "code": code or "?"}
            indicator = indicators.get(code)
            if indicator is None:
                errors.append(_("%(where)s: no such indicator in %(label)s.")
                              % {"where": where, "label": assessment.framework.label})
                continue
            if code in seen:
                errors.append(_("%(where)s: %(code)s is answered twice (also row %(other)s).")
                              % {"where": where, "code": code, "other": seen[code]})
                continue
            seen[code] = number
            try:
                fields = _clean_answer(
                    parsed=parsed, indicator=indicator, value=row.get("value"), special=row.get("special") or "",
                    comment=row.get("comment") or "", evidence_url=row.get("evidence_url") or "",
                    evidence_reference=row.get("evidence_reference") or "",
                )
            except ValidationError as exc:
                errors.append(f"{where}: {'; '.join(exc.messages)}")
                continue
            cleaned.append((indicator, fields))
        if errors:
            raise ValidationError(errors)
        stored = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment,
                                                                   indicator__in=[i for i, _ in cleaned])}
        changed = 0
        for indicator, fields in cleaned:
            before = stored.get(indicator.pk)
            old = snapshot_answer(before) if before else None
            answer = _answer_write(user=user, assessment=assessment, indicator=indicator, fields=fields,
                                   answer=before or Answer(assessment=assessment, indicator=indicator))
            changed += int(old != snapshot_answer(answer))
        score_store(assessment=assessment)
        report_tasks.assessment_files_refresh(assessment=assessment)
    return changed


def evidence_attach(*, user: Any, answer: Answer, file: Any) -> Attachment:
    """Attach an evidence file (PDF, image, DOCX, ODT or XLSX; size limit from settings) to an answer."""
    require(user, "assessments.change_assessment", answer.assessment)
    with transaction.atomic():
        assessment = _lock(answer.assessment)
        _require_editable(assessment)
        attachment = attachment_create(user=user, file=file, record=answer, allowed_types=EVIDENCE_TYPES,
                                       is_demo=assessment.is_demo)
        audit_record(user=user, action="assessments.evidence_attach", target=answer,
                     after={"attachment": str(attachment.pk), "file": attachment.original_name,
                            "sha256": attachment.sha256, "indicator": answer.indicator.code})
    return attachment


def _validators_write(*, user: Any, assessment: Assessment, validators: Iterable[Any]) -> list[int]:
    """Make the named validators exactly `validators` (the caller holds the assessment's lock); returns the ids
    of the actors newly named."""
    if assessment.status not in NAMING:
        raise ValidationError(_("The assessment is %(status)s: its validators can no longer change.")
                              % {"status": assessment.get_status_display()})
    wanted = {actor.pk: actor for actor in validators}
    if len(wanted) > MAX_VALIDATORS:
        raise ValidationError(_("Name at most %(max)s validators.") % {"max": MAX_VALIDATORS})
    if assessment.government_id in wanted:
        raise ValidationError(_("A government never validates its own assessment."))
    current = {row.actor_id: row for row in NamedValidator.objects.filter(assessment=assessment).select_related("actor")}
    added = [pk for pk in wanted if pk not in current]
    removed = [pk for pk in current if pk not in wanted]
    allowed = set(validator_candidate_list(assessment=assessment).filter(pk__in=added).values_list("pk", flat=True))
    refused = sorted(str(wanted[pk].name) for pk in added if pk not in allowed)
    if refused:
        raise ValidationError(
            _("%(actors)s cannot validate: name a local government, a network or an organisation in which somebody "
              "holds a reviewer role (or an officer, administrator or staff role).") % {"actors": ", ".join(refused)})
    if assessment.status == AssessmentStatus.SUBMITTED:
        if not wanted:
            raise ValidationError(_("A submitted assessment keeps at least one validator."))
        busy = assessment.validations.filter(decision=ValidationDecision.IN_PROGRESS, validator_actor_id__in=removed)
        started = busy.select_related("validator_actor").first()
        if started is not None:
            raise ValidationError(_("%(actor)s has started validating this assessment and stays named.")
                                  % {"actor": started.validator_actor.name})
    if not added and not removed:
        return []
    before = sorted(row.actor.name for row in current.values())
    NamedValidator.objects.filter(assessment=assessment, actor_id__in=removed).delete()
    NamedValidator.objects.bulk_create([NamedValidator(assessment=assessment, actor=wanted[pk], named_by=user)
                                        for pk in added])
    audit_record(user=user, action="assessments.validators_set", target=assessment, before={"validators": before},
                 after={"validators": sorted(str(actor.name) for actor in wanted.values())})
    return added


def assessment_validators_set(*, user: Any, assessment: Assessment, validators: Iterable[Any]) -> list[NamedValidator]:
    """Name the governments or organisations that validate `assessment` (a peer city, a network, IOM…), until a
    validation decision. Only people holding a validating role in them may then validate it; while it waits for
    validation, the people of a newly named validator are told, and a validator that started stays named."""
    require(user, "assessments.change_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        added = _validators_write(user=user, assessment=assessment, validators=validators)
        if added and assessment.status == AssessmentStatus.SUBMITTED:
            notifications.submitted(assessment=assessment, by=user, actor_ids=added)
    return named_validator_list(assessment=assessment)


def assessment_submit(*, user: Any, assessment: Assessment, validators: Iterable[Any] | None = None) -> Assessment:
    """Submit for validation (naming `validators` first, when given); refused while any indicator is unanswered
    or lacks the evidence its answer needs, or no validator is named. The named validators and the team are told."""
    require(user, "assessments.change_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        _require_editable(assessment)
        if validators is not None:
            _validators_write(user=user, assessment=assessment, validators=validators)
        problems = submission_problems(assessment=assessment)
        if problems:
            raise ValidationError(problems.messages())
        resubmitted = assessment.status == AssessmentStatus.CHANGES_REQUESTED
        before = _audited(assessment)
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(user=user, action="assessments.assessment_submit", target=assessment, before=before,
                     after=_audited(assessment))
        notifications.submitted(assessment=assessment, by=user, resubmitted=resubmitted)
    return assessment


# --- Validation ------------------------------------------------------------------------------------------


def validation_start(*, user: Any, assessment: Assessment, validator_actor: Any) -> Validation:
    """`user` starts validating a submitted assessment for `validator_actor`: one of the validators the city named
    (or, when it named none, another local government or a network) in which `user` holds a validating role."""
    require(user, "assessments.validate_assessment", assessment)
    if validator_actor.pk == assessment.government_id:
        raise ValidationError(_("A government never validates its own assessment."))
    if not validator_actors(user=user, assessment=assessment).filter(pk=validator_actor.pk).exists():
        named = NamedValidator.objects.filter(assessment=assessment)
        if named.exists() and not named.filter(actor_id=validator_actor.pk).exists():
            raise ValidationError(_("%(actor)s is not among the validators the city named for this assessment.")
                                  % {"actor": validator_actor})
        raise ValidationError(
            _("You validate for %(actor)s only with a reviewer, officer or administrator role in another local "
              "government, or a staff or reviewer role in a network or a named organisation.") % {"actor": validator_actor}
        )
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status != AssessmentStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted assessment can be validated."))
        if assessment.validations.filter(decision=ValidationDecision.IN_PROGRESS).exists():
            raise ValidationError(_("A validation of this assessment is already in progress."))
        validation = Validation.objects.create(assessment=assessment, validator=user, validator_actor=validator_actor)
        audit_record(user=user, action="assessments.validation_start", target=validation,
                     after={"assessment": assessment.pk, "validator_actor": validator_actor.pk})
    return validation


def _require_own_open_validation(user: Any, validation: Validation) -> None:
    require(user, "assessments.validate_assessment", validation.assessment)
    if validation.validator_id != user.pk:
        raise ValidationError(_("Only the validator who started this validation can continue it."))
    if validation.decision != ValidationDecision.IN_PROGRESS:
        raise ValidationError(_("This validation is already decided."))


def _comment_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write a comment."))
    if len(text) > _MAX_TEXT:
        raise ValidationError(_("A comment may be at most %(max)s characters.") % {"max": _MAX_TEXT})
    return text


def _comment(*, user: Any, assessment: Assessment, indicator: Indicator, kind: str, actor: Any,
             text: str) -> IndicatorComment:
    _indicator_of(assessment, indicator)
    comment = IndicatorComment.objects.create(assessment=assessment, indicator=indicator, kind=kind, author=user,
                                              author_actor=actor, text=_comment_text(text))
    audit_record(user=user, action=f"assessments.{kind}_comment", target=comment,
                 after={"indicator": indicator.code, "kind": kind, "text": comment.text})
    return comment


def validation_comment(*, user: Any, validation: Validation, indicator: Indicator, text: str) -> IndicatorComment:
    _require_own_open_validation(user, validation)
    with transaction.atomic():
        return _comment(user=user, assessment=validation.assessment, indicator=indicator,
                        kind=CommentKind.VALIDATION, actor=validation.validator_actor, text=text)


def validation_decide(*, user: Any, validation: Validation, decision: str, summary: str = "") -> Validation:
    """Accept (the assessment becomes VALIDATED) or ask for changes (it returns to the team)."""
    _require_own_open_validation(user, validation)
    if decision not in (ValidationDecision.CHANGES_REQUESTED, ValidationDecision.ACCEPTED):
        raise ValidationError(_("Decide either “changes requested” or “accepted”."))
    summary = (summary or "").strip()
    if len(summary) > _MAX_TEXT:
        raise ValidationError(_("The summary may be at most %(max)s characters.") % {"max": _MAX_TEXT})
    with transaction.atomic():
        assessment = _lock(validation.assessment)
        if assessment.status != AssessmentStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted assessment can be validated."))
        if decision == ValidationDecision.CHANGES_REQUESTED and not summary and not IndicatorComment.objects.filter(
            assessment=assessment, kind=CommentKind.VALIDATION, author=user, created_at__gte=validation.created_at
        ).exists():
            raise ValidationError(_("Say what should change: write a summary or comment on the indicators."))
        validation.decision = decision
        validation.summary = summary
        validation.decided_at = timezone.now()
        validation.save(update_fields=["decision", "summary", "decided_at", "updated_at"])
        before = _audited(assessment)
        if decision == ValidationDecision.ACCEPTED:
            assessment.status = AssessmentStatus.VALIDATED
            assessment.validated_at = validation.decided_at
        else:
            assessment.status = AssessmentStatus.CHANGES_REQUESTED
        assessment.save(update_fields=["status", "validated_at", "updated_at"])
        audit_record(user=user, action="assessments.validation_decide", target=validation,
                     after={"decision": decision, "summary": summary})
        audit_record(user=user, action="assessments.assessment_status", target=assessment, before=before,
                     after=_audited(assessment))
        notifications.decided(assessment=assessment, by=user, validator=validation.validator_actor,
                              accepted=decision == ValidationDecision.ACCEPTED)
    return validation


# --- Consultation and team notes ---------------------------------------------------------------------------


def consultation_invite(*, user: Any, assessment: Assessment, organisation: Any) -> ConsultationInvitation:
    """Invite a civil-society or migrant association to comment per indicator while the consultation is open."""
    require(user, "assessments.change_assessment", assessment)
    if organisation.kind != ActorKind.ORGANISATION:
        raise ValidationError(_("Only organisations (civil society, migrant associations…) can be invited."))
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status == AssessmentStatus.PUBLISHED:
            raise ValidationError(_("The assessment is published; its consultation is over."))
        invitation, created = ConsultationInvitation.objects.get_or_create(
            assessment=assessment, organisation=organisation, defaults={"invited_by": user}
        )
        if created:
            audit_record(user=user, action="assessments.consultation_invite", target=invitation,
                         after={"assessment": assessment.pk, "organisation": organisation.pk})
    return invitation


def consultation_comment(*, user: Any, assessment: Assessment, indicator: Indicator, text: str) -> IndicatorComment:
    require(user, "assessments.comment_assessment", assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(_("The assessment is published; its consultation is over."))
    invited = assessment.consultation_invitations.filter(organisation_id__in=actor_ids_for(user))
    invitation = invited.select_related("organisation").order_by("pk").first()
    if invitation is None:
        raise ValidationError(_("Only organisations the city invited can comment."))
    with transaction.atomic():
        return _comment(user=user, assessment=assessment, indicator=indicator, kind=CommentKind.CONSULTATION,
                        actor=invitation.organisation, text=text)


def team_comment(*, user: Any, assessment: Assessment, indicator: Indicator, text: str) -> IndicatorComment:
    require(user, "assessments.change_assessment", assessment)
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(_("The assessment is published; add notes to the next cycle."))
    with transaction.atomic():
        return _comment(user=user, assessment=assessment, indicator=indicator, kind=CommentKind.TEAM,
                        actor=assessment.government, text=text)


# --- Outcome panel ---------------------------------------------------------------------------------------


def outcome_value_save(
    *, user: Any, assessment: Assessment, indicator: Indicator, population_group: str, value: Any, year: Any,
    source: str,
) -> OutcomeValue:
    """Record an aggregate outcome statistic (never about a person) for one population group."""
    require(user, "assessments.change_assessment", assessment)
    code = indicator.code
    if not indicator.is_outcome:
        raise ValidationError(_("%(code)s is a policy indicator: answer it instead.") % {"code": code})
    group = (population_group or "").strip()
    if not group or len(group) > 30:
        raise ValidationError(_("%(code)s: name the population group (at most 30 characters).") % {"code": code})
    try:
        number = float(value)
        year_number = int(year)
    except (TypeError, ValueError):
        raise ValidationError(_("%(code)s: the value must be a number and the year a year.") % {"code": code}) from None
    if not math.isfinite(number):
        raise ValidationError(_("%(code)s: the value must be a finite number.") % {"code": code})
    if not 1990 <= year_number <= assessment.cycle:
        raise ValidationError(_("%(code)s: the year must be from 1990 to %(cycle)s.") % {"code": code,
                                                                                      "cycle": assessment.cycle})
    source = (source or "").strip()
    if not source or len(source) > 300:
        raise ValidationError(_("%(code)s: name the source of the figure (at most 300 characters).") % {"code": code})
    with transaction.atomic():
        assessment = _lock(assessment)
        _require_editable(assessment)
        _indicator_of(assessment, indicator)
        record = OutcomeValue.objects.filter(assessment=assessment, indicator=indicator, population_group=group).first()
        before = snapshot(record, ("value", "year", "source")) if record else None
        record = record or OutcomeValue(assessment=assessment, indicator=indicator, population_group=group)
        record.value, record.year, record.source = number, year_number, source
        record.save()
        audit_record(user=user, action="assessments.outcome_value_save", target=record, before=before,
                     after={**snapshot(record, ("value", "year", "source")), "indicator": code, "group": group})
    return record


# --- Publication -----------------------------------------------------------------------------------------


def assessment_publish(*, user: Any, assessment: Assessment) -> Assessment:
    """Publish a validated assessment: freeze its framework version, store its scores with their intervals."""
    require(user, "assessments.publish_assessment", assessment)
    with transaction.atomic():
        assessment = _lock(assessment)
        if assessment.status != AssessmentStatus.VALIDATED:
            raise ValidationError(_("Only a validated assessment can be published."))
        framework = IndicatorFramework.objects.select_for_update().get(pk=assessment.framework_id)
        if framework.frozen_at is None:
            framework.frozen_at = timezone.now()
            framework.save(update_fields=["frozen_at", "updated_at"])
        before = _audited(assessment)
        assessment.status = AssessmentStatus.PUBLISHED
        assessment.published_at = timezone.now()
        assessment.consultation_open = False
        assessment.save(update_fields=["status", "published_at", "consultation_open", "updated_at"])
        record = score_store(assessment=assessment, with_interval=True)
        audit_record(user=user, action="assessments.assessment_publish", target=assessment, before=before,
                     after={**_audited(assessment), "framework": framework.label, "overall": record.overall,
                            "inputs_sha256": record.inputs_sha256})
        notifications.published(assessment=assessment, by=user)
        # Its report, open data and the all-scores file are prepared now, not when first asked for.
        report_tasks.assessment_files_refresh(assessment=assessment)
    return assessment


# --- Outcome panel, the whole form at once ---------------------------------------------------------


def _outcome_unchanged(cell: OutcomeCell, year: str, source: str) -> bool:
    stored = cell.stored
    try:
        return stored is not None and math.isclose(float(cell.value), stored.value, rel_tol=0, abs_tol=1e-9) and (
            int(year) == stored.year and source == stored.source)
    except ValueError:
        return False


def outcome_panel_save(*, user: Any, assessment: Assessment, rows: list[OutcomeRow]) -> int:
    """Save the panel's changed figures in one transaction: all of them or none.

    Raises one `ValidationError` listing every problem (each names its indicator); returns how many figures
    were written. A figure already recorded cannot be blanked: the service records figures, it does not
    delete them, so a blank would silently keep the old value.
    """
    require(user, "assessments.change_assessment", assessment)
    if not can_edit(user=user, assessment=assessment):
        raise ValidationError(_("The assessment is %(status)s: its outcome panel can change only in a draft or when "
                                "changes are requested.") % {"status": assessment.get_status_display()})
    problems: list[str] = []
    written = 0
    with transaction.atomic():
        for row in rows:
            code = row.outcome.code
            given = [c for c in row.cells if c.value]
            if any(c.stored is not None and not c.value for c in row.cells):
                problems.append(_("%(code)s: a recorded figure cannot be removed; correct it instead.") % {"code": code})
            if not given and (row.year or row.source) and not any(c.stored for c in row.cells):
                problems.append(_("%(code)s: give the figures, or leave the year and source empty.") % {"code": code})
            for cell in given:
                if _outcome_unchanged(cell, row.year, row.source):
                    continue
                try:
                    with transaction.atomic():  # a savepoint, so later rows are still checked
                        outcome_value_save(
                            user=user, assessment=assessment, indicator=row.indicator, population_group=cell.group,
                            value=cell.value, year=row.year, source=row.source,
                        )
                    written += 1
                except ValidationError as error:
                    problems.extend(str(m) for m in error.messages)
        if problems:
            raise ValidationError(list(dict.fromkeys(problems)))  # leaving the block rolls every figure back
    return written
