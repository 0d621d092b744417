"""Base models every app builds on, and the audit log."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class DemoFlagged(models.Model):
    """Records that demo content can create carry this flag; templates show it (DESIGN.md rule 7)."""

    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)

    class Meta:
        abstract = True


class Translatable(models.Model):
    """User content with translations its owners add: `{"fr": {"title": "…"}, "ar": {…}}`, one entry per UN
    language other than the record's own `language` (the subclass's field). Read through
    `arrival.core.translations.localized` and the `{% content %}` tag; nothing is machine-translated."""

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who changed what, when, with the values before and after.

    `target_type`/`target_id` name the record as strings (app_label.model, primary key) so that the
    log keeps its rows when a record is deleted and needs no foreign key into every app.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    redacted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """One run of a registered background task (`arrival.core.jobs`), with its progress and outcome.

    The row is written in the enqueuing transaction, so a worker sees it only once that transaction
    commits; the worker claims it, runs the task and records progress, result or error here.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("task"), max_length=120, db_index=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_detail = models.TextField(_("error details for staff"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["status", "created_at"], name="job_queue_idx"),
            models.Index(fields=["user", "created_at"], name="job_user_idx"),
        ]

    def __str__(self) -> str:
        return self.label or self.name

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))


class PeriodicSchedule(models.Model):
    """When a periodic task is next due; workers advance `next_run_at` atomically to claim a period."""

    name = models.CharField(_("task"), max_length=120, unique=True)
    every_seconds = models.PositiveIntegerField(_("every (seconds)"))
    next_run_at = models.DateTimeField(_("next run"))
    last_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic schedule")
        verbose_name_plural = _("periodic schedules")

    def __str__(self) -> str:
        return self.name


class Attachment(DemoFlagged):
    """A file attached to any record; its type is read from its bytes, not from its name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    media_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_record_idx")]

    def __str__(self) -> str:
        return self.original_name
