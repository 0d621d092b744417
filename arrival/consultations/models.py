"""Consultations: cities' input into national and UN processes, compiled into an outcome document that
traces every paragraph back to the contributions it came from, then endorsed on a rolling basis.

A consultation is the subject matter of an `engagement.Process`, whose dated phases (call for input →
synthesis → comments on the draft → adoption → open for endorsement → closed) decide what may be done when.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrival.core.languages import country_name, territory_name
from arrival.core.models import DemoFlagged, TimeStampedModel, Translatable
from arrival.core.translations import localized
from arrival.engagement.models import Moderated


class ForumKind(models.TextChoices):
    IMRF = "imrf", _("International Migration Review Forum")
    REGIONAL_GCM_REVIEW = "regional_gcm_review", _("Regional review of the Global Compact for Migration")
    WUF = "wuf", _("World Urban Forum")
    HLPF = "hlpf", _("High-level Political Forum on Sustainable Development")
    GRF = "grf", _("Global Refugee Forum")
    GCM_STOCKTAKING = "gcm_stocktaking", _("GCM stocktaking meeting")
    OTHER = "other", _("Other")


class Forum(TimeStampedModel, DemoFlagged):
    """A forum or event that consultations feed into, loaded from `data/forums.csv` with a source per row, its
    name in the other UN languages from `data/forum_names.csv` (`translations`, each row with its source).

    Dates are left empty where the data file does not know them for sure. Where it met is a city (`place`, a proper
    name, shown as it is) and a country (`country`, an ISO 3166-1 code, named in the reader's language).
    """

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ForumKind.choices, db_index=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    place = models.CharField(_("city"), max_length=200, blank=True)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2, blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    source = models.CharField(_("source of these facts"), max_length=500)
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "-starts_on", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The forum's name in the reader's language (`name` is English, and what the API and exports give)."""
        return localized(self, "name").text

    @property
    def country_name(self) -> str:
        """The country it met in, in the reader's language (CLDR)."""
        return country_name(self.country, territory_name(self.country, in_language="en"))

    @property
    def place_in_english(self) -> str:
        """"Geneva, Switzerland": the city and country as the API and exports give them."""
        country = territory_name(self.country, in_language="en")
        return ", ".join(part for part in (self.place, country) if part)

    def get_absolute_url(self) -> str:
        return reverse("consultations:forum_detail", args=[self.key])


class Access(models.TextChoices):
    OPEN = "open", _("Open to every local government and network")
    NETWORKS = "networks", _("Members of the named networks")
    INVITED = "invited", _("Invited governments only")


# The texts owners may translate (`translations`, arrival.core.translations): the organisers theirs, a
# contribution's team its own.
CONSULTATION_TRANSLATABLE = ("title", "purpose")
CONTRIBUTION_TRANSLATABLE = ("title", "summary", "proposed_actions")
DOCUMENT_TRANSLATABLE = ("title",)


class Consultation(TimeStampedModel, DemoFlagged, Translatable):
    """A call for input run by a network, an agency or a national government (the owner of its process)."""

    process = models.OneToOneField("engagement.Process", on_delete=models.PROTECT,
                                   related_name="consultations_consultation")
    slug = models.SlugField(max_length=220, unique=True)
    title = models.CharField(_("title"), max_length=300)
    purpose = models.TextField(_("purpose"), max_length=5000)
    language = models.CharField(_("language of the consultation"), max_length=12, default="en")
    forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultations",
                              verbose_name=_("forum or event"))
    access = models.CharField(_("who may contribute"), max_length=10, choices=Access.choices, default=Access.OPEN)
    access_networks = models.ManyToManyField("actors.Actor", blank=True, related_name="+",
                                             verbose_name=_("networks whose members may contribute"))
    invited = models.ManyToManyField("actors.Actor", blank=True, related_name="consultations_invited",
                                     verbose_name=_("invited governments"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", args=[self.slug])

    @property
    def owner(self):  # the Actor that owns the process
        return self.process.owner


class GuidingQuestion(models.Model):
    """A question contributors are asked to answer, optionally about one GCM objective."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=1000)
    objective = models.ForeignKey("frameworks.FrameworkItem", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("GCM objective"))

    class Meta:
        ordering = ["consultation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "position"], name="consultations_question_position"),
        ]

    def __str__(self) -> str:
        return self.text


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Contribution(TimeStampedModel, DemoFlagged, Moderated, Translatable):
    """Input from a local government's team (or a network): answers, proposed actions, evidence and tags.

    Every save while the call for input runs keeps a `ContributionVersion`.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="contributions")
    actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="consultation_contributions",
                              verbose_name=_("contributing government or network"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    # {"<question id>": "answer text"}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    proposed_actions = models.TextField(_("proposed actions"), max_length=10000, blank=True)
    # [{"url": ..., "label": ...}]
    links = models.JSONField(_("evidence links"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=12, default="en")
    status = models.CharField(_("status"), max_length=10, choices=ContributionStatus.choices,
                              default=ContributionStatus.SUBMITTED, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="consultation_contributions")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [models.Index(fields=["consultation", "status"], name="consultations_contrib_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:contribution_detail", args=[self.pk])

    @property
    def process(self):  # engagement finds the process of a reported record here
        return self.consultation.process


class ContributionVersion(models.Model):
    """The state of a contribution after one save (kept until the call for input closes)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["contribution_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "number"], name="consultations_contribversion_number"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} v{self.number}"


class Cosignature(TimeStampedModel, DemoFlagged):
    """Another government (or network) signing on to a contribution."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="cosignatures")
    actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="consultation_cosignatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "actor"], name="consultations_cosign_once"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.contribution_id}"


class DocumentKind(models.TextChoices):
    OUTCOME = "outcome", _("Outcome document")
    DECLARATION = "declaration", _("Declaration")
    POSITION_PAPER = "position_paper", _("Position paper")
    CHARTER = "charter", _("Charter")


class OutcomeDocument(TimeStampedModel, DemoFlagged, Translatable):
    """The document a consultation produces; its versions are drafts until one is adopted (and frozen)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language of the document"), max_length=12, default="en")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.OUTCOME)
    adopted_version = models.OneToOneField("DocumentVersion", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outcome document")
        verbose_name_plural = _("outcome documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:document_detail", args=[self.pk])


class DocumentVersion(models.Model):
    """One numbered version of a document; frozen (never changed again) once adopted."""

    document = models.ForeignKey(OutcomeDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    note = models.CharField(_("what changed"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="consultations_docversion_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:version_detail", args=[self.document_id, self.number])


class GroupKind(models.TextChoices):
    GCM = "gcm", _("GCM objective")
    SDG = "sdg", _("SDG")
    NUA = "nua", _("New Urban Agenda")
    GENERAL = "general", _("General")


_OWN_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*[.)](?:\s+|$)")


def heading_without_number(heading: str) -> str:
    """A heading without the number an editor typed before it ("2. Housing" → "Housing"): the document numbers its
    paragraphs itself. A heading that only begins with a figure ("2030 Agenda", "1.5 degrees") keeps it."""
    return _OWN_NUMBER.sub("", heading, count=1).strip()


class Paragraph(models.Model):
    """A paragraph of one document version, under the heading of a framework item, with its sources.

    `key` stays the same when an editor rewrites the paragraph in a later version, so versions can be compared
    paragraph by paragraph. `editorial` marks a paragraph the editors wrote without a contribution behind it.
    """

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="paragraphs")
    key = models.CharField(max_length=40)
    position = models.PositiveIntegerField(_("number"))
    group_kind = models.CharField(_("heading group"), max_length=10, choices=GroupKind.choices,
                                  default=GroupKind.GENERAL)
    group_code = models.CharField(_("framework code"), max_length=20, blank=True)
    group_item = models.ForeignKey("frameworks.FrameworkItem", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), max_length=10000)
    editorial = models.BooleanField(_("editorial (no contribution behind it)"), default=False)
    sources = models.ManyToManyField(Contribution, blank=True, related_name="paragraphs",
                                     verbose_name=_("contributions it came from"))

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="consultations_paragraph_position"),
            models.UniqueConstraint(fields=["version", "key"], name="consultations_paragraph_key"),
        ]

    def __str__(self) -> str:
        return f"¶{self.position}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:version_detail", args=[self.version.document_id, self.version.number]) + (
            f"#p-{self.key}")

    @property
    def numbered_heading(self) -> str:
        """"3. Housing": the paragraph's number, once, then its heading (a number typed into it is left out)."""
        return f"{self.position}. {heading_without_number(self.heading)}".strip()

    @property
    def process(self):  # engagement finds the process of a reported record here
        return self.version.document.consultation.process


class Endorsement(TimeStampedModel, DemoFlagged):
    """A dated endorsement of an adopted document by an actor, signed by a named person; withdrawable."""

    document = models.ForeignKey(OutcomeDocument, on_delete=models.CASCADE, related_name="endorsements")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="endorsements")
    actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="consultation_endorsements")
    signatory_name = models.CharField(_("signatory's name"), max_length=200)
    signatory_title = models.CharField(_("signatory's title"), max_length=200)
    authority = models.CharField(_("authority under which they sign"), max_length=500)
    # The language the signatory's title and the authority are written in ("" for endorsements recorded before it
    # was asked, or through the API without it: unknown, shown isolated).
    language = models.CharField(_("language of the title and authority"), max_length=12, blank=True, default="")
    endorsed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    endorsed_at = models.DateTimeField(_("endorsed"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=500, blank=True)

    class Meta:
        ordering = ["endorsed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "actor"], condition=Q(withdrawn_at__isnull=True),
                                    name="consultations_endorsement_active_once"),
        ]
        indexes = [models.Index(fields=["document", "withdrawn_at"], name="consultations_endorse_active")]

    def __str__(self) -> str:
        return f"{self.actor_id} endorses {self.document_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class CommentState(models.TextChoices):
    """The editors' answer to a comment on a draft paragraph (the context keeps each language's grammar apart
    from a declined practice or invitation)."""

    TAKEN_IN = "taken_in", pgettext_lazy("editors' answer to a comment", "Taken in")
    PARTLY = "partly", pgettext_lazy("editors' answer to a comment", "Partly taken in")
    DECLINED = "declined", pgettext_lazy("editors' answer to a comment", "Declined")


class CommentAnswer(TimeStampedModel):
    """The editors' answer to a comment on a paragraph of a draft: taken in, partly taken in or declined, with the
    reason (required unless taken in).

    The comment (`engagement.Comment`) stays on the paragraph of the version it was written on; later versions show
    it, with this answer, beside the paragraph that one became (the paragraph with the same `key`).
    """

    comment = models.OneToOneField("engagement.Comment", on_delete=models.CASCADE, related_name="consultations_answer")
    state = models.CharField(_("the editors' answer"), max_length=10, choices=CommentState.choices)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer to a comment")
        verbose_name_plural = _("answers to comments")

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.state}"
