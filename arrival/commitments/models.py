"""Commitments (pledges) that governments and networks make, and the dated record of what became of them.

A commitment is written by its lead actor's team, approved internally by the lead's administrators, submitted,
then published with a stable public id ("ARR-C-2026-00042"). From then on its team reports dated progress
updates (never edited once published: a correction is a new update that says what it corrects), completes
milestones, reports it to forums and finally closes it. Forums are `consultations.Forum`; the review
calendar adds their submission windows. Reminders before deadlines are recorded so each goes out once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrival.core.models import DemoFlagged, TimeStampedModel, Translatable

if TYPE_CHECKING:
    from arrival.core.models import Attachment
    from arrival.frameworks.models import FrameworkItem


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    INTERNAL_APPROVAL = "internal_approval", _("In internal approval")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class CommitmentType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMON = "common", _("Common")
    PARTNERSHIP = "partnership", _("In partnership")
    MATCHING = "matching", _("Matching (answers another commitment)")


class CommitmentForm(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    HUMAN_RESOURCES = "human_resources", _("Human resources")
    PROCESS = "process", _("Process")
    POLICY = "policy", _("Policy")


class ProgressStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    LAPSED = "lapsed", _("Lapsed")


PUBLIC_STATUSES = (CommitmentStatus.PUBLISHED, CommitmentStatus.CLOSED)


# The texts a commitment's team may translate (`translations`, arrival.core.translations).
COMMITMENT_TRANSLATABLE = ("title", "description", "contact_role")
MILESTONE_TRANSLATABLE = ("title",)


class Commitment(TimeStampedModel, DemoFlagged, Translatable):
    public_id = models.CharField(_("public id"), max_length=24, unique=True, null=True, blank=True,
                                 help_text=_("Given once, at publication; it never changes."))
    lead = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="led_commitments",
                             verbose_name=_("lead government or network"))
    partners = models.ManyToManyField("actors.Actor", related_name="partner_commitments", blank=True,
                                      verbose_name=_("partners"))
    commitment_type = models.CharField(_("type"), max_length=12, choices=CommitmentType.choices,
                                       default=CommitmentType.INDIVIDUAL)
    matches = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="matched_by",
                                verbose_name=_("the commitment this one matches"))
    forms = models.JSONField(_("forms"), default=list, blank=True, help_text="financial, human_resources, process, policy")
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), max_length=6000)
    language = models.CharField(_("language of the record"), max_length=10, default="en")
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    contact_role = models.CharField(_("contact (an office or role, not a person's name)"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail (of the office)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.DRAFT, db_index=True)
    source_contribution = models.ForeignKey(
        "consultations.Contribution", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments",
        verbose_name=_("source contribution"))
    source_paragraph = models.ForeignKey(
        "consultations.Paragraph", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments",
        verbose_name=_("source paragraph of an outcome document"))
    consultation = models.ForeignKey(
        "consultations.Consultation", null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments",
        verbose_name=_("consultation"))
    # The latest published progress update's status and percent, kept here so that lists and dashboards
    # count without reading every update (written only by the service that publishes an update).
    progress_status = models.CharField(_("progress"), max_length=12, choices=ProgressStatus.choices,
                                       default=ProgressStatus.PLANNING, db_index=True)
    progress_percent = models.PositiveSmallIntegerField(_("percent done"), default=0,
                                                        validators=[MaxValueValidator(100)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Who handed it on at each step and since when it waits: the hand-offs (notifications and "My work") read these.
    # The filers — the people who drafted it, sent it for approval or submitted it — hear of each decision.
    approval_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    approval_requested_at = models.DateTimeField(_("sent for internal approval"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True, max_length=3000)
    returned_reason = models.TextField(_("why it was sent back"), blank=True, max_length=2000)
    returned_at = models.DateTimeField(_("sent back to draft"), null=True, blank=True)

    objectives: list[FrameworkItem]  # its GCM objectives, set for display by the list page, never stored

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "status"], name="commitment_lead_status_idx"),
            models.Index(fields=["status", "progress_status"], name="commitment_progress_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="commitment_percent_max_100"),
            models.CheckConstraint(
                condition=Q(public_id__isnull=True) | Q(status__in=["published", "closed"]),
                name="commitment_public_id_only_when_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.title}" if self.public_id else self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def get_forms_display(self) -> list[str]:
        labels = dict(CommitmentForm.choices)
        return [str(labels.get(value, value)) for value in self.forms or []]


class PublicIdCounter(models.Model):
    """The last sequence number given in a year; publication increments it under the row's write lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Milestone(TimeStampedModel, DemoFlagged, Translatable):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=250)
    language = models.CharField(_("language of the title"), max_length=10, default="en")
    due_on = models.DateField(_("due"))
    # The day it was done, chosen by the team (back-dated like a progress update), and when that was recorded.
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_at = models.DateTimeField(_("recorded as done"), null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=500, blank=True)

    is_overdue: bool  # set for display by selectors.milestones_with_flags, never stored

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        indexes = [models.Index(fields=["done_at", "due_on"], name="milestone_open_due_idx")]

    def __str__(self) -> str:
        return self.title


class CommitmentIndicator(TimeStampedModel, DemoFlagged):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=250)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    # The latest measured value of the series (`values`), kept here for lists and exports.
    latest_value = models.FloatField(_("latest value"), null=True, blank=True)
    latest_on = models.DateField(_("latest value measured on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("indicator")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(TimeStampedModel, DemoFlagged):
    """One dated measurement of an indicator: the series its chart draws. One value per day; the indicator's
    `latest_value`/`latest_on` repeat the latest measured one (written only by `services.indicator_value_set`)."""

    indicator = models.ForeignKey(CommitmentIndicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField(_("measured on"))
    value = models.FloatField(_("value"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["indicator_id", "measured_on"]
        verbose_name = _("indicator value")
        constraints = [models.UniqueConstraint(fields=["indicator", "measured_on"], name="indicator_value_one_a_day")]

    def __str__(self) -> str:
        return f"{self.measured_on}: {self.value}"

    @property
    def commitment(self) -> Commitment:  # the rules find the commitment of a record here
        return self.indicator.commitment


class ProgressUpdate(TimeStampedModel, DemoFlagged):
    """A dated account of progress. A published update is never changed; `corrects` names the one it fixes."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField(_("date of the update"))
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField(_("percent done"), validators=[MaxValueValidator(100)])
    narrative = models.TextField(_("what happened"), max_length=6000)
    links = models.JSONField(_("evidence links"), default=list, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 verbose_name=_("corrects the update"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    evidence: list[Attachment]  # set for display by the commitment page (selectors.evidence_for), never stored

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("progress update")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max_100")]
        indexes = [models.Index(fields=["commitment", "published_at"], name="progress_commitment_pub_idx")]

    def __str__(self) -> str:
        return f"{self.reported_on}: {self.get_status_display()} ({self.percent}%)"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SubmissionWindow(TimeStampedModel, DemoFlagged):
    """When a forum takes reports or pledges, and what it asks for — the review calendar."""

    forum = models.ForeignKey("consultations.Forum", on_delete=models.CASCADE, related_name="submission_windows")
    title = models.CharField(_("title"), max_length=250)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"), db_index=True)
    asks = models.TextField(_("what is asked"), max_length=3000, blank=True)
    # The language its title and what is asked are written in (pages mark them with it).
    language = models.CharField(_("language of the title and what is asked"), max_length=10, default="en")
    url = models.URLField(_("official page"), max_length=500, blank=True)
    source = models.CharField(_("source of these dates"), max_length=300, blank=True)

    class Meta:
        ordering = ["closes_at", "id"]
        verbose_name = _("submission window")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                              name="submission_window_dates")]

    def __str__(self) -> str:
        return self.title


class ForumReport(TimeStampedModel, DemoFlagged):
    """A commitment reported to a forum on a date, with what was said."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="forum_reports")
    forum = models.ForeignKey("consultations.Forum", on_delete=models.PROTECT, related_name="commitment_reports")
    window = models.ForeignKey(SubmissionWindow, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="reports")
    reported_on = models.DateField(_("reported on"))
    summary = models.TextField(_("summary"), max_length=3000)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("report to a forum")

    def __str__(self) -> str:
        return f"{self.commitment} → {self.forum} ({self.reported_on})"


class ReminderSent(models.Model):
    """A reminder that went out; `key` names what it was about, so the schedule never sends it twice."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=60)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
