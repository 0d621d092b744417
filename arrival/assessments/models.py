"""Assessment cycles on versioned indicator frameworks, answers with evidence, validation and scores.

The framework file (domain/framework_file.py) is the source of truth for a framework version: its parsed
content is stored with its hash, so a published score can always be recomputed from the exact version
and answers it came from (DESIGN.md rule 2). Indicator rows exist so that answers, comments and
framework tags can point to them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrival.core.models import Attachment, DemoFlagged, TimeStampedModel


class IndicatorFramework(TimeStampedModel):
    code = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    content = models.JSONField(help_text=_("The framework file as loaded (parsed YAML)."))
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the file as last loaded (translations included)."))
    content_sha256 = models.CharField(
        max_length=64, default="",
        help_text=_("SHA-256 of the scoring content (everything but translations) as canonical JSON; never changes "
                    "under one version."),
    )
    is_current = models.BooleanField(default=True)
    frozen_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when a published assessment first uses this version; never changes after.")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indicator_framework_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    @property
    def label(self) -> str:
        return f"{self.code}-{self.version}"


class Indicator(models.Model):
    """One indicator of one framework version (policy indicators and the outcome panel)."""

    framework = models.ForeignKey(IndicatorFramework, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40)
    domain_code = models.CharField(max_length=10)
    subcategory_code = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField()
    question = models.TextField()
    answer_type = models.CharField(max_length=10)
    is_outcome = models.BooleanField(default=False, help_text=_("Outcome panel: shown beside the score, never in it."))

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.question[:80]}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for validation")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")


class Assessment(TimeStampedModel, DemoFlagged):
    """One local government's self-assessment for one cycle (a year) on one framework version."""

    government = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(IndicatorFramework, on_delete=models.PROTECT, related_name="assessments")
    cycle = models.PositiveSmallIntegerField(_("cycle (year)"))
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    consultation_open = models.BooleanField(
        default=False, help_text=_("Invited civil-society and migrant associations may comment per indicator.")
    )
    benchmark_opt_in = models.BooleanField(
        default=True, help_text=_("Include this assessment, once published, in peer benchmarks (never a league table).")
    )

    class Meta:
        ordering = ["government", "-cycle"]
        constraints = [models.UniqueConstraint(fields=["government", "cycle"], name="one_assessment_per_cycle")]
        indexes = [models.Index(fields=["status", "cycle"], name="assessment_status_cycle_idx")]

    def __str__(self) -> str:
        return f"{self.government} {self.cycle}"


class SpecialAnswer(models.TextChoices):
    NOT_COMPETENT = "not_competent", _("Not a power of this government")
    NOT_APPLICABLE = "not_applicable", _("Not applicable here")
    UNKNOWN = "unknown", _("Unknown")


class Answer(models.Model):
    """The answer to one indicator: a value (level, yes/no, option code or number) or a special answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    special = models.CharField(max_length=20, choices=SpecialAnswer.choices, blank=True)
    comment = models.TextField(blank=True, max_length=5000)
    evidence_url = models.URLField(blank=True, max_length=500)
    evidence_reference = models.CharField(_("council decision or document reference"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    evidence_files: list[Attachment]  # set for display by selectors.assessment_answers, never stored

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_answer_per_indicator"),
            models.CheckConstraint(
                condition=Q(special="") | Q(value__isnull=True), name="answer_value_or_special_not_both"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.indicator.code}"


class OutcomeValue(models.Model):
    """An outcome-panel statistic: aggregate and disaggregated by population group, never about a person."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="outcome_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="outcome_values")
    population_group = models.CharField(max_length=30)  # e.g. "migrants", "non_migrants", "all"
    value = models.FloatField()
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator", "population_group"], name="one_outcome_value")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.population_group} {self.year}: {self.value}"


class CommentKind(models.TextChoices):
    TEAM = "team", _("Team note")
    VALIDATION = "validation", _("Validator")
    CONSULTATION = "consultation", _("Consultation")


class IndicatorComment(TimeStampedModel):
    """A comment on one indicator of one assessment, by the team, a validator or a consulted organisation."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CommentKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_actor = models.ForeignKey("actors.Actor", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.indicator.code}"


class ValidationDecision(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")


class Validation(TimeStampedModel):
    """A validator from another local government or a network reviews a submitted assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="validations")
    validator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    validator_actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ValidationDecision.choices, default=ValidationDecision.IN_PROGRESS)
    summary = models.TextField(blank=True, max_length=5000)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.validator_actor} validates {self.assessment}"


class NamedValidator(TimeStampedModel):
    """A government or organisation the city names to validate its assessment (a peer city, a network, an
    international organisation). Once an assessment names any, only people holding a validating role in one of
    them may validate it; an assessment naming none (submitted before validators were named) stays open to every
    eligible validator."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="named_validators")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+")
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["assessment", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "actor"], name="one_naming_per_validator")]

    def __str__(self) -> str:
        return f"{self.actor} named to validate {self.assessment}"


class ConsultationInvitation(TimeStampedModel):
    """A civil-society or migrant association the city invites to comment on its assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="consultation_invitations")
    organisation = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "organisation"], name="one_invitation_per_org")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.assessment}"


class ScoreRecord(models.Model):
    """The computed scores of an assessment, with what they were computed from.

    `result` holds the engine's AssessmentScore as JSON; `inputs_sha256` hashes the framework version and
    the answers, so `arrival recompute-scores` can show that a recomputation is bit for bit the same.
    """

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="score")
    framework_label = models.CharField(max_length=40)
    inputs_sha256 = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now=True)
    overall = models.FloatField(null=True)
    partial = models.BooleanField(default=False)
    coverage = models.FloatField()
    result = models.JSONField()
    uncertainty = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.assessment} ({self.framework_label})"


class DomainScore(models.Model):
    """One domain's score per assessment, as rows, for benchmarks and dashboards across many assessments."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="domain_scores")
    domain_code = models.CharField(max_length=10)
    score = models.FloatField(null=True)  # null = insufficient data
    band = models.CharField(max_length=40, blank=True)
    coverage = models.FloatField()
    low = models.FloatField(null=True)  # 90% interval from the Monte Carlo
    high = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "domain_code"], name="one_domain_score")]
        indexes = [models.Index(fields=["domain_code", "score"], name="domain_score_idx")]

    def __str__(self) -> str:
        return f"{self.assessment} {self.domain_code}: {self.score}"
