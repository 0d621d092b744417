"""Reads of assessment records: frameworks, assessments, answers, comments, history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from arrival.assessments.domain.framework_file import MATURITY, Framework, parse_framework, translated
from arrival.assessments.domain.framework_file import Indicator as FileIndicator
from arrival.assessments.domain.scoring import (
    UNKNOWN,
    CompiledFramework,
    answer_code,
    compile_framework,
    coverage_percent,
    is_answered,
)
from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ConsultationInvitation,
    Indicator,
    IndicatorComment,
    IndicatorFramework,
    ScoreRecord,
    Validation,
)
from arrival.core.languages import page_language
from arrival.core.models import Attachment, AuditEvent
from arrival.core.translations import Localized

__all__ = [
    "AnswerCount",
    "AnswerCounts",
    "SubmissionProblems",
    "answer_counts",
    "overall_band_out",
    "answer_lacks_evidence",
    "answer_needs_evidence",
    "assessment_answers",
    "assessment_comments",
    "assessment_get",
    "assessment_history",
    "assessment_list",
    "assessment_score",
    "assessment_validations",
    "can_comment",
    "can_edit",
    "can_publish",
    "can_validate",
    "can_view",
    "consultation_invitation_list",
    "framework_compiled",
    "framework_current",
    "framework_get",
    "framework_list",
    "framework_parsed",
    "indicator_get",
    "indicator_list",
    "indicator_questions",
    "previous_assessment",
    "submission_problems",
    "published_government_ids",
]

# Parsed and compiled frameworks by file hash: a version's content never changes under the same hash.
_parsed: dict[tuple[str, str], Framework] = {}
_compiled: dict[str, CompiledFramework] = {}


# --- Frameworks ------------------------------------------------------------------------------------------


def framework_list() -> QuerySet[IndicatorFramework]:
    return IndicatorFramework.objects.order_by("code", "-is_current", "-version")


def framework_current(*, code: str = "LMGF") -> IndicatorFramework:
    """The current version of framework `code`; Http404 when none is loaded."""
    framework = IndicatorFramework.objects.filter(code=code, is_current=True).first()
    if framework is None:
        raise Http404(f"No framework {code} is loaded; run `arrival setup`.")
    return framework


def framework_get(*, code: str, version: str) -> IndicatorFramework:
    try:
        return IndicatorFramework.objects.get(code=code, version=version)
    except IndicatorFramework.DoesNotExist:
        raise Http404(f"No framework {code} {version}.") from None


def framework_parsed(*, framework: IndicatorFramework, language: str | None = None) -> Framework:
    """The framework file's content as the domain's dataclasses, its texts in `language` where the file's
    `translations` give them (default: the active language; "" for the file's own texts, which is what scores
    store). Cached by the file's SHA-256 and the language."""
    if language is None:
        language = (translation.get_language() or "").split("-")[0]
    key = (framework.sha256, language)
    parsed = _parsed.get(key)
    if parsed is None:
        source = _parsed.get((framework.sha256, ""))
        if source is None:
            source = _parsed[(framework.sha256, "")] = parse_framework(framework.content)
        parsed = _parsed[key] = translated(source, framework.content, language) if language else source
    return parsed


def framework_compiled(*, framework: IndicatorFramework) -> CompiledFramework:
    """The framework laid out for the batch scorer and the Monte Carlo, with the file's own texts (cached by the
    file's SHA-256)."""
    compiled = _compiled.get(framework.sha256)
    if compiled is None:
        compiled = _compiled[framework.sha256] = compile_framework(framework_parsed(framework=framework, language=""))
    return compiled


def indicator_list(*, framework: IndicatorFramework, outcome: bool = False) -> QuerySet[Indicator]:
    """Policy indicators (or, with `outcome=True`, the outcome panel) of a framework version, in file order."""
    return Indicator.objects.filter(framework=framework, is_outcome=outcome).order_by("position")


def indicator_questions(indicators: list[Indicator]) -> dict[Any, tuple[str, Localized]]:
    """{pk: (code, question)} for lists that name indicators among other records: the question (an outcome
    indicator's title) in the page's language where the framework file translates it, else the file's own."""
    language = page_language()
    frameworks = IndicatorFramework.objects.in_bulk({indicator.framework_id for indicator in indicators})
    texts: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
    def by_code(parsed: Framework) -> dict[str, str]:
        return {**{i.code: i.question for i in parsed.indicators}, **{o.code: o.title for o in parsed.outcome_panel}}

    for pk, framework in frameworks.items():
        texts[pk] = (by_code(framework_parsed(framework=framework, language="")),
                     by_code(framework_parsed(framework=framework, language=language)))
    result = {}
    for indicator in indicators:
        original, in_language = texts.get(indicator.framework_id, ({}, {}))
        own = original.get(indicator.code, indicator.question)
        text = in_language.get(indicator.code, own)
        result[indicator.pk] = (indicator.code, Localized(text=text, language=language if text != own else "en",
                                                          original_language="en", is_translation=text != own))
    return result


def indicator_get(*, framework: IndicatorFramework, code: str) -> Indicator:
    try:
        return Indicator.objects.get(framework=framework, code=code)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator {code!r} in {framework.label}.") from None


# --- Assessments -----------------------------------------------------------------------------------------


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("government__country", "government__local", "framework", "score")


def assessment_get(*, pk: Any) -> Assessment:
    try:
        return _assessments().get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None


def consultation_invitation_list(*, assessment: Assessment) -> QuerySet[ConsultationInvitation]:
    """The organisations invited to comment on `assessment` (shown on its settings page), by name."""
    return assessment.consultation_invitations.select_related("organisation").order_by("organisation__name")


def assessment_list(
    *,
    government: Any = None,
    published_only: bool = True,
    cycle: int | None = None,
    country: str | None = None,
) -> QuerySet[Assessment]:
    """Assessments, newest cycle first; published ones only unless `published_only=False`."""
    assessments = _assessments()
    if published_only:
        assessments = assessments.filter(status=AssessmentStatus.PUBLISHED)
    if government is not None:
        assessments = assessments.filter(government=government)
    if cycle is not None:
        assessments = assessments.filter(cycle=cycle)
    if country:
        assessments = assessments.filter(government__country__code=country.upper())
    return assessments.order_by("-cycle", "government__name", "pk")


def published_government_ids() -> QuerySet[Any]:
    """Ids of governments with at least one published assessment (the home map's record provider)."""
    return (
        Assessment.objects.filter(status=AssessmentStatus.PUBLISHED).values_list("government_id", flat=True).distinct()
    )


def assessment_answers(*, assessment: Assessment) -> dict[str, Answer]:
    """The assessment's answers by indicator code; each has `evidence_files` (its attachments) prefetched."""
    answers = list(
        Answer.objects.filter(assessment=assessment).select_related("indicator", "updated_by").order_by("indicator__position")
    )
    files: dict[str, list[Attachment]] = defaultdict(list)
    if answers:
        attachments = Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Answer), object_id__in=[str(a.pk) for a in answers]
        ).order_by("created_at")
        for attachment in attachments:
            files[attachment.object_id].append(attachment)
    for answer in answers:
        answer.evidence_files = files.get(str(answer.pk), [])
    return {answer.indicator.code: answer for answer in answers}


def assessment_score(*, assessment: Assessment) -> ScoreRecord | None:
    try:
        return ScoreRecord.objects.get(assessment=assessment)
    except ScoreRecord.DoesNotExist:
        return None


def assessment_comments(*, assessment: Assessment) -> dict[str, list[IndicatorComment]]:
    """Comments by indicator code, oldest first."""
    comments: dict[str, list[IndicatorComment]] = defaultdict(list)
    rows = IndicatorComment.objects.filter(assessment=assessment).select_related("indicator", "author", "author_actor")
    for comment in rows.order_by("created_at", "pk"):
        comments[comment.indicator.code].append(comment)
    return dict(comments)


def assessment_validations(*, assessment: Assessment) -> QuerySet[Validation]:
    return assessment.validations.select_related("validator", "validator_actor").order_by("-created_at", "-pk")


def assessment_history(*, assessment: Assessment) -> list[AuditEvent]:
    """Audit rows of the assessment, its answers, comments, validations and invitations, newest first."""
    targets = Q(target_type="assessments.assessment", target_id=str(assessment.pk))
    related = (
        ("assessments.answer", Answer.objects.filter(assessment=assessment)),
        ("assessments.indicatorcomment", IndicatorComment.objects.filter(assessment=assessment)),
        ("assessments.validation", Validation.objects.filter(assessment=assessment)),
        ("assessments.consultationinvitation", assessment.consultation_invitations.all()),
        ("assessments.outcomevalue", assessment.outcome_values.all()),
    )
    for target_type, records in related:
        ids = [str(pk) for pk in records.values_list("pk", flat=True)]
        if ids:
            targets |= Q(target_type=target_type, target_id__in=ids)
    return list(AuditEvent.objects.filter(targets).select_related("user").order_by("-at", "-id"))


# --- The evidence rule and what blocks a submission -----------------------------------------------------


def answer_needs_evidence(*, indicator: FileIndicator, answer: Answer | None) -> bool:
    """Does this answer need evidence (the framework's rule: a maturity level from the indicator's evidence
    level up, or a positive answer where the indicator requires evidence)?"""
    if answer is None or answer.special or answer.value is None:
        return False
    code = answer_code(indicator, DomainAnswer(value=answer.value))
    if indicator.answer_type == MATURITY:
        return indicator.evidence_from_level is not None and code >= indicator.evidence_from_level
    return indicator.evidence_required and code > 0


def answer_lacks_evidence(*, indicator: FileIndicator, answer: Answer | None) -> bool:
    """Does this answer need evidence and have none yet (no link, no reference, no file)? `answer` comes from
    `assessment_answers` (with its `evidence_files`)."""
    if not answer_needs_evidence(indicator=indicator, answer=answer):
        return False
    assert answer is not None  # noqa: S101 - needs_evidence is False without an answer
    return not (answer.evidence_url or answer.evidence_reference or getattr(answer, "evidence_files", None))


@dataclass(frozen=True)
class SubmissionProblems:
    """What keeps an assessment from being submitted, each indicator by its code (in framework order)."""

    unanswered: list[str] = field(default_factory=list)
    no_evidence: list[str] = field(default_factory=list)
    no_validator: bool = False

    def __bool__(self) -> bool:
        return bool(self.unanswered or self.no_evidence or self.no_validator)

    def messages(self) -> list[str]:
        problems = []
        if self.unanswered:
            problems.append(_("Unanswered indicators: %(codes)s.") % {"codes": ", ".join(self.unanswered)})
        if self.no_evidence:
            problems.append(_("Evidence (a link, a document or a decision reference) is needed for: %(codes)s.")
                            % {"codes": ", ".join(self.no_evidence)})
        if self.no_validator:
            problems.append(_("Name the government or organisation that validates this assessment."))
        return problems


@dataclass(frozen=True)
class AnswerCount:
    """How many of some scored indicators are answered (`domain.scoring.is_answered`), "unknown", or blank."""

    answered: int
    unknown: int
    blank: int
    total: int

    @property
    def coverage(self) -> float:
        """Percent answered, rounded as every published coverage (docs/methods.md §3, §5)."""
        return coverage_percent(self.answered, self.total)


@dataclass(frozen=True)
class AnswerCounts(AnswerCount):
    domains: dict[str, AnswerCount] = field(default_factory=dict)


def answer_counts(*, assessment: Assessment) -> AnswerCounts:
    """Answered, unknown and blank scored indicators per domain and in all, with the one rule of
    `is_answered`: what progress, coverage, the pages, the documents and the API count. Unscored numbers are
    outside every count (docs/methods.md §1). One query."""
    parsed = framework_parsed(framework=assessment.framework)
    rows = {code: DomainAnswer(value=value, special=special or None) for code, value, special in
            Answer.objects.filter(assessment=assessment, indicator__is_outcome=False).values_list(
                "indicator__code", "value", "special")}
    domains: dict[str, AnswerCount] = {}
    for domain in parsed.domains:
        answered = unknown = total = 0
        for indicator in (i for s in domain.subcategories for i in s.indicators if i.is_scored):
            total += 1
            answer = rows.get(indicator.code)
            if is_answered(answer):
                answered += 1
            elif answer is not None and answer.special == UNKNOWN:
                unknown += 1
        domains[domain.code] = AnswerCount(answered=answered, unknown=unknown, blank=total - answered - unknown,
                                           total=total)
    return AnswerCounts(
        answered=sum(d.answered for d in domains.values()), unknown=sum(d.unknown for d in domains.values()),
        blank=sum(d.blank for d in domains.values()), total=sum(d.total for d in domains.values()), domains=domains,
    )


BANDED = "banded"
NOT_BANDED_PARTIAL = "not_banded_partial"
NO_SCORE = "no_score"


def overall_band_out(*, record: ScoreRecord) -> dict[str, Any]:
    """The overall score's band as the page states it (docs/methods.md §10): a partial overall score is not
    banded ("not banded: partial"), and no overall score has no band."""
    if record.overall is None:
        return {"overall_band": None, "overall_band_status": NO_SCORE}
    if record.partial:
        return {"overall_band": None, "overall_band_status": NOT_BANDED_PARTIAL}
    band = record.result.get("band") or {}
    return {"overall_band": {"code": band["code"], "label": band["label"], "lower": band["lower"]},
            "overall_band_status": BANDED}


def submission_problems(*, assessment: Assessment) -> SubmissionProblems:
    """Every unanswered policy indicator, every answer lacking the evidence it needs, and whether no validator
    is named: what `assessment_submit` refuses, and what the submit form links to question by question."""
    parsed = framework_parsed(framework=assessment.framework)
    answers = assessment_answers(assessment=assessment)
    unanswered = [i.code for i in parsed.indicators
                  if i.code not in answers or (answers[i.code].value is None and not answers[i.code].special)]
    no_evidence = [i.code for i in parsed.indicators
                   if answer_lacks_evidence(indicator=i, answer=answers.get(i.code))]
    return SubmissionProblems(unanswered=unanswered, no_evidence=no_evidence,
                              no_validator=not assessment.named_validators.exists())


def previous_assessment(*, assessment: Assessment) -> Assessment | None:
    """The same government's latest published assessment of an earlier cycle."""
    return (
        _assessments()
        .filter(government_id=assessment.government_id, cycle__lt=assessment.cycle, status=AssessmentStatus.PUBLISHED)
        .order_by("-cycle")
        .first()
    )


# --- What a person may do --------------------------------------------------------------------------------


def can_view(*, user: Any, assessment: Assessment) -> bool:
    return bool(user.has_perm("assessments.view_assessment", assessment))


def can_edit(*, user: Any, assessment: Assessment) -> bool:
    """May `user` answer now (the team, while a draft or changes are requested)?"""
    return assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.CHANGES_REQUESTED) and bool(
        user.has_perm("assessments.change_assessment", assessment)
    )


def can_validate(*, user: Any, assessment: Assessment) -> bool:
    """May `user` start or continue a validation now (a submitted assessment of another government)?"""
    return assessment.status == AssessmentStatus.SUBMITTED and bool(
        user.has_perm("assessments.validate_assessment", assessment)
    )


def can_comment(*, user: Any, assessment: Assessment) -> bool:
    """May `user` comment in the consultation now?"""
    return assessment.status != AssessmentStatus.PUBLISHED and bool(
        user.has_perm("assessments.comment_assessment", assessment)
    )


def can_publish(*, user: Any, assessment: Assessment) -> bool:
    return assessment.status == AssessmentStatus.VALIDATED and bool(
        user.has_perm("assessments.publish_assessment", assessment)
    )
