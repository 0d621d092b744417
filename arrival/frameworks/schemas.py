"""Explicit API schemas for frameworks, items and the crosswalk.

Titles, labels, descriptions and notes come in the reader's language (the request's, e.g. Accept-Language)
where the data files give a translation, else in English; `language` says which, and `translations` holds
every language's texts.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from arrival.core.translations import localized


class FrameworkOut(Schema):
    kind: str
    version: str
    title: str = Field(..., description="In the reader's language when translated, else English.")
    language: str = Field("en", description="The language `title` is given in.")
    source: str = Field(..., description="Where the framework's texts come from (in English).")
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description="The title in other UN languages.")
    translation_sources: dict[str, str] = Field(
        default_factory=dict,
        description="Where each other language's texts come from: an official UN text, or \"Arrival's translation\".",
    )
    is_current: bool
    item_count: int

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return localized(obj, "title").text

    @staticmethod
    def resolve_language(obj: Any) -> str:
        return localized(obj, "title").language


class ItemRefOut(Schema):
    kind: str = Field(..., alias="framework.kind")
    code: str
    label: str = Field(..., description="In the reader's language when translated, else English.")
    framework_version: str = Field(..., alias="framework.version")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return localized(obj, "label").text


class ItemOut(Schema):
    kind: str = Field(..., alias="framework.kind")
    code: str
    label: str = Field(..., description="In the reader's language when translated, else English.")
    description: str
    note: str = Field("", description="A caveat to show with the item, e.g. text still to be verified.")
    language: str = Field("en", description="The language `label` is given in.")
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="The item's texts in other UN languages: {language: {field: text}}.")
    framework_version: str = Field(..., alias="framework.version")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return localized(obj, "label").text

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return localized(obj, "description").text

    @staticmethod
    def resolve_note(obj: Any) -> str:
        return localized(obj, "note").text

    @staticmethod
    def resolve_language(obj: Any) -> str:
        return localized(obj, "label").language


class SdgTargetOut(ItemOut):
    goal: ItemRefOut | None = Field(None, alias="parent")


class CrosswalkRowOut(Schema):
    domain: ItemRefOut
    gcm_objectives: list[str]
    sdg_targets: list[str]
    nua_paragraphs: list[str]
    status: str = Field(..., description="The crosswalk is Arrival's own proposal, not an official table.")


class ItemDetailOut(ItemOut):
    framework_title: str = Field(..., description="In the reader's language when translated, else English.")
    framework_source: str = Field(..., alias="framework.source")
    framework_translation_source: str = Field(
        "", description="Where the texts in the language given come from, when that is not English.")
    parent: ItemRefOut | None = None
    children: list[ItemRefOut] = Field(..., alias="children_items")
    crosswalk: list[ItemRefOut] = Field(..., alias="crosswalk_items", description="Items linked to this one in the crosswalk.")
    crosswalk_status: str = Field(..., description="The crosswalk is Arrival's own proposal, not an official table.")

    @staticmethod
    def resolve_framework_title(obj: Any) -> str:
        return localized(obj.framework, "title").text

    @staticmethod
    def resolve_framework_translation_source(obj: Any) -> str:
        source = obj.framework.translation_source(localized(obj, "label").language)
        return source.text if source is not None else ""
