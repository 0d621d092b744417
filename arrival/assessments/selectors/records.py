"""Reads of assessment records: frameworks, assessments, answers, comments, history."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.assessments.domain.framework_file import Framework, parse_framework
from arrival.assessments.domain.scoring import CompiledFramework, compile_framework
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
from arrival.core.models import Attachment, AuditEvent

__all__ = [
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
    "previous_assessment",
    "published_government_ids",
    "validator_actors",
]

# Parsed and compiled frameworks by file hash: a version's content never changes under the same hash.
_parsed: dict[str, Framework] = {}
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


def framework_parsed(*, framework: IndicatorFramework) -> Framework:
    """The framework file's content as the domain's dataclasses (cached by the file's SHA-256)."""
    parsed = _parsed.get(framework.sha256)
    if parsed is None:
        parsed = _parsed[framework.sha256] = parse_framework(framework.content)
    return parsed


def framework_compiled(*, framework: IndicatorFramework) -> CompiledFramework:
    """The framework laid out for the batch scorer and the Monte Carlo (cached by the file's SHA-256)."""
    compiled = _compiled.get(framework.sha256)
    if compiled is None:
        compiled = _compiled[framework.sha256] = compile_framework(framework_parsed(framework=framework))
    return compiled


def indicator_list(*, framework: IndicatorFramework, outcome: bool = False) -> QuerySet[Indicator]:
    """Policy indicators (or, with `outcome=True`, the outcome panel) of a framework version, in file order."""
    return Indicator.objects.filter(framework=framework, is_outcome=outcome).order_by("position")


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
        answer.evidence_files = files.get(str(answer.pk), [])  # type: ignore[attr-defined]
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



def validator_actors(*, user: Any, assessment: Assessment) -> QuerySet[Actor]:
    """The governments and networks `user` may validate `assessment` for, by name: a current reviewer, officer
    or administrator role in another local government, or a staff or reviewer role in a network (the rule
    `assessments.validate_assessment` and `validation_start` check the same). Never the assessed government.
    """
    if not getattr(user, "is_authenticated", False):
        return Actor.objects.none()
    local = Q(kind=ActorKind.LOCAL_GOVERNMENT,
              roles__kind__in=[RoleKind.REVIEWER, RoleKind.OFFICER, RoleKind.ADMINISTRATOR])
    network = Q(kind=ActorKind.NETWORK, roles__kind__in=[RoleKind.STAFF, RoleKind.REVIEWER])
    return (
        Actor.objects.filter(local | network, roles__user=user, roles__ended_at__isnull=True)
        .exclude(pk=assessment.government_id).distinct().order_by("name")
    )
