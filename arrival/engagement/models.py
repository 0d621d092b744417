"""Shared participation mechanics (DESIGN.md "Shared mechanisms"): processes with dated phases, comments,
reports and moderation, notifications and e-mail digests.

Capability apps (consultations, participation, practices' calls…) own their records and link them here:
a consultation or a resident process has a one-to-one `Process`; any record can carry comments and be
reported, addressed by content type and primary key. The rules of who may act live in
`arrival/accounts/rules.py` (`engagement.*`); phase gates live in `arrival.engagement.phases`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from arrival.core.languages import quoted_html, quoted_plain, quoted_removed
from arrival.core.models import DemoFlagged, TimeStampedModel


class Process(TimeStampedModel, DemoFlagged):
    """A dated sequence of phases owned by an actor; the app named by `kind` holds the subject matter."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True, help_text="e.g. consultations.consultation")
    owner = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="engagement_processes",
                              verbose_name=_("owner"))
    title = models.CharField(_("title"), max_length=300)
    # The IANA zone the owner works in: deadlines are shown in it beside the viewer's own.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """One dated step of a process. `actions` lists what participants may do while it runs, as
    "<verb>:<app_label.model>" strings (e.g. "create:consultations.contribution", "comment:consultations.paragraph",
    "support:participation.proposal"); a phase type in `arrival.engagement.phases` gives the defaults."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(_("position"))
    phase_type = models.CharField(_("phase type"), max_length=60)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Shown instead of the type's label."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    actions = models.JSONField(_("allowed actions"), default=list, blank=True)
    # Set once participants have been told that this phase began (the schedule does it, once).
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["process_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="engagement_phase_position_unique"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="engagement_phase_dates"),
        ]
        indexes = [models.Index(fields=["process", "starts_at", "ends_at"], name="engagement_phase_window_idx")]

    def __str__(self) -> str:
        from arrival.engagement.selectors import phase_label

        return phase_label(self)


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")
    REMOVED = "removed", _("Removed by its author")


class Moderated(models.Model):
    """Fields every record that residents or participants write carries, so moderation works the same on all."""

    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.VISIBLE, db_index=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        abstract = True


class Comment(TimeStampedModel, DemoFlagged, Moderated):
    """A comment on any record (a paragraph of a draft, a contribution, a proposal…), threaded by `parent`."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    # Empty once the author deleted their account and chose to keep their words anonymised.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="engagement_comments")
    # The government or network the author speaks for, when they speak for one.
    author_actor = models.ForeignKey("actors.Actor", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="engagement_comments")
    body = models.TextField(_("comment"), max_length=5000)
    language = models.CharField(_("language"), max_length=12, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="engagement_comment_target_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive or abusive")
    OFF_TOPIC = "off_topic", _("Off-topic")
    PERSONAL_DATA = "personal_data", _("Reveals personal information")
    OTHER = "other", _("Other")


class Report(TimeStampedModel):
    """A participant's report that a record breaks the rules; it waits in the moderators' queue until decided."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="engagement_reports")
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision = models.ForeignKey("ModerationDecision", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reports")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target_type", "target_id", "reporter"], name="engagement_report_once"),
        ]
        indexes = [models.Index(fields=["process", "decision"], name="engagement_report_queue_idx")]


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hide")
    RESTORE = "restore", _("Restore")
    DISMISS = "dismiss", _("Dismiss the reports")


class ModerationDecision(TimeStampedModel):
    """A moderator's decision on a record, kept for the record (who, what, why)."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=ModerationAction.choices)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["-created_at", "-id"]


class Notification(models.Model):
    """One thing a person should know, shown in the app and gathered into their next e-mail digest.

    The text is rendered in the recipient's language and time zone when it is created, so digests and the inbox
    need no knowledge of the app that sent it. It names the record and never copies what a resident wrote; the
    record it is about (`target_*`) lets retention and erasure delete it with that record.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=80, help_text="e.g. consultations.phase_changed")
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    # False when the person chose "in the app only" for this kind: no digest carries it.
    by_email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="engagement_notif_unread_idx"),
            models.Index(fields=["recipient", "digest"], name="engagement_notif_digest_idx"),
            models.Index(fields=["target_type", "target_id"], name="engagement_notif_target_idx"),
        ]

    def __str__(self) -> str:
        return self.plain_text

    @property
    def plain_text(self) -> str:
        """The text for plain-text e-mails and the API: record titles it quotes (`arrival.core.languages.quoted`)
        keep their directional isolates."""
        return quoted_plain(self.text)

    @property
    def words(self) -> str:
        """The text without the marks around its quotations: what a reader sees, for comparing and searching."""
        return quoted_removed(self.text)

    @property
    def html(self) -> SafeString:
        """The text as HTML: each quoted record title a `<bdi>` with its own `lang` and `dir`."""
        return quoted_html(self.text)


class DigestPeriod(models.TextChoices):
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")
    NEVER = "never", _("Never (only in the app)")


class NotificationSettings(models.Model):
    """How often a person wants e-mail; without an e-mail address they see notifications in the app only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    digest_period = models.CharField(_("e-mail digest"), max_length=10, choices=DigestPeriod.choices,
                                     default=DigestPeriod.DAILY)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest_period}"


class Delivery(models.TextChoices):
    DIGEST = "digest", _("In the app and in my e-mail digest")
    IN_APP = "in_app", _("In the app only")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification; without a row the kind goes to the app and the digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=80)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="engagement_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class Digest(models.Model):
    """One e-mail sent to one person for one period; unique, so a period never mails anyone twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=10, choices=DigestPeriod.choices)
    period_start = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "period", "period_start"], name="engagement_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.period} {self.period_start:%Y-%m-%d}"
