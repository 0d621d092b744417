"""Resident participation: a city's processes, residents' needs and proposals, supports, the city's answers.

DESIGN.md rule 1 governs every model here: nothing records a person's legal or migration status, nationality
or papers. People appear only as user accounts (a pseudonym is fine, e-mail optional) or as guests for one
proposal; no IP address and no precise location is stored with content — a place is a neighbourhood with an
approximate centre, never a home address. The optional demographic questions are stored as counts per option
(`DemographicAnswer`), never as a row per person, and can be switched off per process.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrival.core.models import DemoFlagged, TimeStampedModel, Translatable
from arrival.engagement.models import Moderated

DEFAULT_RETENTION_MONTHS = 24

# The engagement process kind and the phase types of a participation process (registered in apps.py).
PROCESS_KIND = "participation.process"
PHASE_COLLECT = "participation.collect"
PHASE_SUPPORT = "participation.support"
PHASE_ANSWER = "participation.answer"
PHASE_REPORT_BACK = "participation.report_back"


class Access(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    INVITED = "invited", _("Invited groups only")


# The texts the city team may translate (`translations`, arrival.core.translations); a proposal's translations
# stay in ProposalTranslation (added by the team for a resident's words).
PROCESS_TRANSLATABLE = ("title", "purpose", "input_use", "privacy_notice")
CATEGORY_TRANSLATABLE = ("name",)
STATUS_TRANSLATABLE = ("label",)
ANSWER_TRANSLATABLE = ("text", "reasons")


class ParticipationProcess(TimeStampedModel, DemoFlagged, Translatable):
    """A local government asks its residents for needs and proposals, in dated phases (engagement.Process)."""

    process = models.OneToOneField("engagement.Process", on_delete=models.PROTECT,
                                   related_name="participation_process")
    owner = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="participation_processes",
                              verbose_name=_("local government"))
    slug = models.SlugField(max_length=220, unique=True)
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"), max_length=5000,
                               help_text=_("What the city wants to learn or decide, in plain words."))
    input_use = models.TextField(_("what the city will do with the input"), max_length=5000)
    language = models.CharField(_("language of the process's texts"), max_length=35, default="en")
    languages = models.JSONField(_("languages"), default=list, blank=True,
                                 help_text=_("Language codes the city reads and answers in, e.g. en, fr, ar."))
    privacy_notice = models.TextField(_("privacy notice"), max_length=5000, blank=True,
                                      help_text=_("Leave empty to show the plain-language default."))
    retention_months = models.PositiveSmallIntegerField(
        _("months content is kept after the process ends"), default=DEFAULT_RETENTION_MONTHS)
    access = models.CharField(_("who may take part"), max_length=10, choices=Access.choices, default=Access.OPEN)
    demographics_enabled = models.BooleanField(
        _("ask the optional aggregate questions"), default=False,
        help_text=_("Anonymous counts only (age band, gender, years in the city); never linked to anyone."))
    # Set once the retention period ended and what identifies people was removed (services.retention_enforce).
    retention_applied_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("participation process")
        verbose_name_plural = _("participation processes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:process_detail", args=[self.slug])


class InvitedGroup(TimeStampedModel, DemoFlagged):
    """A group invited to a process with access limited to invited groups, e.g. a migrant council.

    People join by a link; only a hash of its token is stored. Membership says nothing about the people
    beyond having had the link.
    """

    process = models.ForeignKey(ParticipationProcess, on_delete=models.CASCADE, related_name="invited_groups")
    name = models.CharField(_("name"), max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="participation_groups")

    class Meta:
        ordering = ["name"]
        verbose_name = _("invited group")
        verbose_name_plural = _("invited groups")

    def __str__(self) -> str:
        return self.name


class Category(Translatable):
    process = models.ForeignKey(ParticipationProcess, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language of the name"), max_length=35, default="en")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["process_id", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["process", "name"], name="participation_category_unique")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(DemoFlagged):
    """A part of a city, with an approximate centre for the map. Never a street address."""

    owner = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="neighbourhoods")
    name = models.CharField(_("name"), max_length=120)
    latitude = models.FloatField(_("approximate latitude"), null=True, blank=True)
    longitude = models.FloatField(_("approximate longitude"), null=True, blank=True)

    class Meta:
        ordering = ["owner_id", "name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="participation_neighbourhood_unique")]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")

    def __str__(self) -> str:
        return self.name


class ProposalKind(models.TextChoices):
    NEED = "need", _("Need")
    PROPOSAL = "proposal", _("Proposal")


class StatusKind(models.TextChoices):
    """What a city's own status means, so pages and reports can group statuses without relying on colour."""

    CONSIDERING = "considering", _("Under consideration")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_POSSIBLE = "not_possible", _("Not possible")


class AnswerStatus(Translatable):
    """One status in a city's own list; a city may rename, add or reorder them. The default statuses carry the
    interface's own translations of their labels."""

    owner = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="participation_statuses")
    label = models.CharField(_("label"), max_length=80)
    language = models.CharField(_("language of the label"), max_length=35, default="en")
    kind = models.CharField(_("meaning"), max_length=20, choices=StatusKind.choices)
    is_closing = models.BooleanField(_("closes the proposal"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["owner_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "label"], name="participation_status_unique")]
        verbose_name = _("answer status")
        verbose_name_plural = _("answer statuses")

    def __str__(self) -> str:
        return self.label


class Proposal(TimeStampedModel, DemoFlagged, Moderated):
    """A need or a proposal from a resident, in the language they wrote it in."""

    process = models.ForeignKey(ParticipationProcess, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.PROPOSAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=10000)
    language = models.CharField(_("language written in"), max_length=35,
                                help_text=_("A language tag such as en, fr, es, ar, ti or uk."))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="proposals", verbose_name=_("category"))
    neighbourhood = models.ForeignKey(Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="proposals", verbose_name=_("neighbourhood"))
    # Empty once the author deleted their account and chose to keep their words anonymised.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="participation_proposals")
    # Kept in step by the services, so lists sort and filter at a million proposals without joins.
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    status = models.ForeignKey(AnswerStatus, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="proposals", verbose_name=_("status"))
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["process", "visibility", "-created_at", "-id"], name="particip_prop_newest_idx"),
            models.Index(fields=["process", "visibility", "-support_count", "-id"], name="particip_prop_support_idx"),
            # One index per filter, ending in the sort most used with it (bench/participation.py measures them).
            models.Index(fields=["process", "category", "visibility", "-created_at", "-id"],
                         name="particip_prop_cat_idx"),
            models.Index(fields=["process", "neighbourhood", "visibility", "-support_count", "-id"],
                         name="particip_prop_hood_idx"),
            models.Index(fields=["process", "status", "visibility", "-created_at", "-id"],
                         name="particip_prop_status_idx"),
            models.Index(fields=["process", "language", "visibility", "-support_count", "-id"],
                         name="particip_prop_lang_idx"),
            # "My work": accepted proposals of one status, oldest answer first, waiting for their report-back.
            models.Index(fields=["process", "status", "visibility", "answered_at", "id"],
                         name="particip_prop_answered_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:proposal_detail", args=[self.pk])


class ProposalImage(models.Model):
    """An image is a core attachment with the alt text a screen reader needs."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images")
    attachment = models.OneToOneField("core.Attachment", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(_("description of the image"), max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.alt_text


class ProposalTranslation(TimeStampedModel, DemoFlagged):
    """A translation the city added; the original stays as written."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=35)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=10000)
    translated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="participation_translations")

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["proposal", "language"], name="participation_translation_once")]


class Support(models.Model):
    """One participant supports one proposal, once. When a person deletes their account their supports go.

    A supporter follows the proposal unless they chose not to: they are told when someone comments on it and
    when the city answers or reports back. The follow is part of the support, so it goes with it (withdrawal,
    account deletion, retention).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_supports")
    created_at = models.DateTimeField(auto_now_add=True)
    follows = models.BooleanField(_("tell me about comments and the city's answers"), default=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="participation_support_once")]
        indexes = [models.Index(fields=["user", "proposal"], name="particip_support_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Answer(TimeStampedModel, DemoFlagged, Translatable):
    """The city's answer to a proposal. Every answer is kept; the newest is the current one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    status = models.ForeignKey(AnswerStatus, on_delete=models.PROTECT, related_name="answers",
                               verbose_name=_("status"))
    text = models.TextField(_("public answer"), max_length=5000)
    reasons = models.TextField(_("reasons"), max_length=5000, blank=True)
    language = models.CharField(_("language of the answer"), max_length=35, default="en")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["proposal", "-created_at"], name="particip_answer_hist_idx")]


class LinkKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment")
    EVIDENCE = "evidence", _("Evidence for an assessment indicator")


class ProposalLink(TimeStampedModel, DemoFlagged):
    """What an accepted proposal became: a commitment, or evidence for an indicator of an assessment.

    The target is named by type and id (like the audit log) so the link survives in either app's absence.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    label = models.CharField(_("label"), max_length=300)
    url = models.CharField(_("link"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "target_type", "target_id"],
                                               name="participation_link_once")]
        indexes = [models.Index(fields=["target_type", "target_id"], name="particip_link_target_idx")]


class GuestAccess(models.Model):
    """A guest's way back to their one proposal: a secret link whose token is stored hashed only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_guest")
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    # Optional, only to tell the guest that the city answered (a link, nothing else); emptied by retention.
    email = models.EmailField(_("e-mail address"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"guest {self.user_id}"


class DemographicAnswer(models.Model):
    """How many participants chose an option of an optional question: a count, never a row per person."""

    process = models.ForeignKey(ParticipationProcess, on_delete=models.CASCADE, related_name="demographics")
    question = models.CharField(max_length=40)
    option = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["process_id", "question", "option"]
        constraints = [models.UniqueConstraint(fields=["process", "question", "option"],
                                               name="participation_demographic_once")]

    def __str__(self) -> str:
        return f"{self.question}={self.option}: {self.count}"
