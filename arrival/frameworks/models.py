"""The common language of every record: the frameworks cities report against, versioned, and tags.

A tag points to one item of one framework version, so that a record tagged in 2026 keeps meaning the
same thing after a framework is revised.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from arrival.core.languages import UN_LANGUAGES, base_language, language_name, page_language
from arrival.core.models import TimeStampedModel
from arrival.core.translations import localized

# What `Framework.translation_sources` says of a language whose texts Arrival translated itself (the
# English short labels are Arrival's own words, so their translations are Arrival's translations too).
ARRIVAL_TRANSLATION = "Arrival's translation"
ARRIVAL_TRANSLATION_LABEL = _("Arrival's translation")  # what readers see for it, in their language


class LanguageSource(NamedTuple):
    language: str  # the language of the framework's texts
    language_name: str  # its name for the reader
    text: str  # where they come from
    text_language: str  # the language `text` is written in


class FrameworkKind(models.TextChoices):
    GCM_OBJECTIVE = "gcm_objective", _("Global Compact for Migration objectives")
    GCM_PRINCIPLE = "gcm_principle", _("Global Compact for Migration guiding principles")
    SDG_GOAL = "sdg_goal", _("Sustainable Development Goals")
    SDG_TARGET = "sdg_target", _("SDG targets")
    NUA_PARAGRAPH = "nua_paragraph", _("New Urban Agenda paragraphs")
    DOMAIN = "domain", _("Governance domains")


# One item of each kind, for headings and links ("SDG target 10.7").
KIND_SINGULAR: dict[str, object] = {
    FrameworkKind.GCM_OBJECTIVE: _("GCM objective"),
    FrameworkKind.GCM_PRINCIPLE: _("GCM guiding principle"),
    FrameworkKind.SDG_GOAL: _("SDG"),
    FrameworkKind.SDG_TARGET: _("SDG target"),
    FrameworkKind.NUA_PARAGRAPH: _("New Urban Agenda paragraph"),
    FrameworkKind.DOMAIN: _("Governance domain"),
}


class Framework(models.Model):
    """One version of one framework, e.g. the GCM objectives as adopted in 2018."""

    kind = models.CharField(max_length=20, choices=FrameworkKind.choices)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    source = models.TextField(_("source"), blank=True)
    is_current = models.BooleanField(default=True)
    # The title in the other UN languages, {"fr": {"title": "…"}} (arrival.core.translations), and where each
    # language's texts of this framework come from: {"fr": "<official UN text, address>"} or ARRIVAL_TRANSLATION.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    translation_sources = models.JSONField(_("sources of the translations"), default=dict, blank=True)

    # The data files are written in English; `translations` hold the other languages.
    language = "en"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="framework_kind_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def translation_source(self, language: str) -> LanguageSource | None:
        """Where this framework's texts in `language` come from, or None when it has none in that language."""
        code = base_language(language)
        source = str((self.translation_sources or {}).get(code, ""))
        if not source or code == self.language:
            return None
        if source == ARRIVAL_TRANSLATION:  # said in the reader's language
            return LanguageSource(code, language_name(code), str(ARRIVAL_TRANSLATION_LABEL), page_language())
        return LanguageSource(code, language_name(code), source, code)  # an official text, cited in its language

    @property
    def sources_by_language(self) -> list[LanguageSource]:
        """The source of each other UN language this framework's texts are given in (`source` is English's)."""
        return [row for code in UN_LANGUAGES if (row := self.translation_source(code)) is not None]

    @property
    def page_language_source(self) -> LanguageSource | None:
        """The source of the texts in the page's language, when that is not English."""
        return self.translation_source(page_language())


class FrameworkItem(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0)
    # A caveat readers must see next to the item, e.g. a paragraph whose text is still to be verified.
    note = models.CharField(_("note"), max_length=300, blank=True)
    # `label`, `description` and `note` in the other UN languages: {"fr": {"label": "…"}}. Shown through
    # arrival.core.translations (`localized`, `{% content item "label" %}`); the framework names each
    # language's source.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    language = "en"  # the language of `label`, `description` and `note` (the data files are in English)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="framework_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def get_absolute_url(self) -> str:
        url = reverse("frameworks:item", kwargs={"kind": self.framework.kind, "code": self.code})
        return url if self.framework.is_current else f"{url}?{urlencode({'version': self.framework.version})}"

    @property
    def localized_label(self) -> str:
        """`label` in the reader's language when the data files translate it, else in English."""
        return localized(self, "label").text

    @property
    def kind_label(self) -> str:
        """E.g. "SDG target": reads `framework`, so select it with the item."""
        return str(KIND_SINGULAR[self.framework.kind])


class CrosswalkLink(models.Model):
    """A governance domain related to an item of another framework — Arrival's own proposal, not official."""

    domain = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="crosswalk_out")
    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="crosswalk_in")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "item"], name="crosswalk_link_unique")]

    def __str__(self) -> str:
        return f"{self.domain.code} ↔ {self.item.framework.kind} {self.item.code}"


class Tag(TimeStampedModel):
    """Any record tagged with a framework item."""

    item = models.ForeignKey(FrameworkItem, on_delete=models.PROTECT, related_name="tags")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "content_type", "object_id"], name="tag_unique"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="tag_record_idx")]

    def __str__(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}:{self.object_id} → {self.item}"
