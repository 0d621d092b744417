"""Good practices that cities document, peer cities review, and others adapt.

Target groups are categories, never people; a practice names a contact *role*, not a person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrival.core.models import DemoFlagged, TimeStampedModel, Translatable


class PracticeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class ReviewStage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("In screening")
    IN_REVIEW = "in_review", _("In peer review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    PUBLISHED = "published", _("Published, peer-reviewed")
    DECLINED = "declined", _("Declined")


# The texts a practice's team and a call's organiser may translate (`translations`, core.translations).
PRACTICE_TRANSLATABLE = ("title", "summary", "problem", "approach", "results", "lessons", "replication_conditions",
                         "contact_role")
CALL_TRANSLATABLE = ("title", "description")


class CallForPractices(TimeStampedModel, DemoFlagged, Translatable):
    """A curator's themed call; submitted practices attach to it while its submissions phase runs.

    The call is an engagement process (kind "practices.callforpractices", phases in `practices/phases.py`):
    submissions → review → results. Its deadline is the end of the submissions phase.
    """

    process = models.OneToOneField("engagement.Process", on_delete=models.PROTECT, related_name="practices_call")
    title = models.CharField(max_length=200)
    description = models.TextField()
    language = models.CharField(_("language of the call"), max_length=10, default="en")
    # The process's owner too; kept on the call for the listings' joins and the actors' related records.
    owner = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="calls_for_practices")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    slug = models.SlugField(max_length=220, unique=True)

    def __str__(self) -> str:
        return self.title

    @property
    def submissions_phase(self) -> Any:
        """The process's submissions phase (from prefetched phases when the selector fetched them)."""
        from arrival.practices.phases import SUBMISSIONS

        return next((phase for phase in self.process.phases.all() if phase.phase_type == SUBMISSIONS), None)

    @property
    def deadline(self) -> dt.datetime | None:
        """The end of the submissions phase; selectors annotate it as `submissions_ends_at` (no extra query)."""
        if "submissions_ends_at" in self.__dict__:
            return self.__dict__["submissions_ends_at"]
        phase = self.submissions_phase
        return phase.ends_at if phase is not None else None

    def get_absolute_url(self) -> str:
        return reverse("practices:call_detail", args=[self.slug])


class Practice(TimeStampedModel, DemoFlagged, Translatable):
    slug = models.SlugField(max_length=220, unique=True)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary (who, what, where)"), max_length=2000)
    language = models.CharField(_("language of the record"), max_length=10, default="en")
    governments = models.ManyToManyField(
        "actors.Actor", related_name="practices", verbose_name=_("local governments behind it")
    )
    partners = models.ManyToManyField("actors.Actor", related_name="partner_practices", blank=True)
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=PracticeStatus.choices, default=PracticeStatus.ONGOING)
    problem = models.TextField(_("problem it addresses"), blank=True)  # sanitised rich text (HTML)
    approach = models.TextField(_("approach and steps"), blank=True)  # sanitised rich text
    target_groups = models.JSONField(_("target groups (categories)"), default=list, blank=True)
    results = models.TextField(_("results"), blank=True)  # sanitised rich text
    lessons = models.TextField(_("lessons learned"), blank=True)  # sanitised rich text
    replication_conditions = models.TextField(_("conditions for replication"), blank=True)  # sanitised rich text
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    funding_sources = models.CharField(_("funding sources"), max_length=300, blank=True)
    contact_role = models.CharField(_("contact (a role, e.g. 'Migrant inclusion office')"), max_length=200, blank=True)
    other_languages = models.JSONField(_("other languages available"), default=list, blank=True)
    themes = models.JSONField(default=list, blank=True)
    stage = models.CharField(max_length=20, choices=ReviewStage.choices, default=ReviewStage.DRAFT, db_index=True)
    call = models.ForeignKey(CallForPractices, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices")
    # Who screens it and decides: the call's organiser, or the network or organisation the team chose at
    # submission; none = the site's staff (notifications and "My work" follow it, `selectors.practice_curators`).
    curating_organisation = models.ForeignKey(
        "actors.Actor", null=True, blank=True, on_delete=models.SET_NULL, related_name="curated_practices"
    )
    adapted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="adaptations"
    )
    adaptation_note = models.TextField(_("what changed in the adaptation"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When it reached its current stage: how long it has waited on whoever acts next ("My work").
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        indexes = [
            models.Index(fields=["stage", "published_at"], name="practice_stage_published_idx"),
            # The search facet arrays' freshness check: the latest change, read on every search (facets.py).
            models.Index(fields=["updated_at"], name="practice_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", args=[self.slug])


class QuantitativeResult(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="quantitative_results")
    label = models.CharField(max_length=200)
    value = models.FloatField()
    unit = models.CharField(max_length=50)
    source = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}"


class PracticeLink(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=500)
    label = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.label


class PracticeImage(models.Model):
    """An image is an attachment (core) with the alt text a screen reader needs."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="images")
    attachment = models.ForeignKey("core.Attachment", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.alt_text


class ReviewerRole(models.TextChoices):
    PEER = "peer", _("Peer reviewer (local government)")
    EXPERT = "expert", _("Expert reviewer")


class ReviewAssignmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Review submitted")


class ReviewAssignment(TimeStampedModel, DemoFlagged):
    """A reviewer asked by a curator to review one practice, with their declared conflicts of interest."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    reviewer_actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=ReviewerRole.choices, default=ReviewerRole.PEER)
    status = models.CharField(max_length=12, choices=ReviewAssignmentStatus.choices, default=ReviewAssignmentStatus.INVITED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField(_("review due by"), null=True, blank=True)
    conflicts_declared = models.TextField(_("conflicts of interest declared"), blank=True)
    has_no_conflict = models.BooleanField(default=False)
    wants_to_be_named = models.BooleanField(_("name me as reviewer once published"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "reviewer"], condition=~Q(status="declined"), name="one_active_assignment_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.practice}"


class Review(TimeStampedModel, DemoFlagged):
    """The rubric: six criteria scored 1–5 with comments; overall = mean of the six."""

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    relevance = models.PositiveSmallIntegerField()
    evidence = models.PositiveSmallIntegerField()
    replicability = models.PositiveSmallIntegerField()
    sustainability = models.PositiveSmallIntegerField()
    rights_based = models.PositiveSmallIntegerField()
    participation = models.PositiveSmallIntegerField()
    comments = models.TextField()
    # The language the reviewer wrote the comments in; "" for reviews submitted before it was asked (unknown:
    # pages mark the comments dir="auto").
    language = models.CharField(_("language of the review"), max_length=10, blank=True)
    recommendation = models.CharField(
        max_length=20,
        choices=[("publish", _("Publish")), ("revise", _("Request revision")), ("decline", _("Decline"))],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(relevance__range=(1, 5)) & Q(evidence__range=(1, 5)) & Q(replicability__range=(1, 5))
                & Q(sustainability__range=(1, 5)) & Q(rights_based__range=(1, 5)) & Q(participation__range=(1, 5)),
                name="review_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment.practice}"

    @property
    def overall(self) -> float:
        criteria = (self.relevance, self.evidence, self.replicability, self.sustainability, self.rights_based, self.participation)
        return sum(criteria) / len(criteria)


class PracticeEmbedding(models.Model):
    """The practice's meaning as a vector (float32 bytes), ranked with NumPy; the same path on every engine."""

    practice = models.OneToOneField(Practice, primary_key=True, on_delete=models.CASCADE, related_name="embedding")
    model_name = models.CharField(max_length=100)
    vector = models.BinaryField()
    text_sha256 = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The in-memory vector cache checks its freshness (count, latest update) on every search.
        indexes = [models.Index(fields=["model_name", "updated_at"], name="embedding_freshness_idx")]

    def __str__(self) -> str:
        return f"{self.practice_id} ({self.model_name})"
