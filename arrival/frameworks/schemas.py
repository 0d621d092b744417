"""Explicit API schemas for frameworks, items and the crosswalk."""

from __future__ import annotations

from ninja import Field, Schema


class FrameworkOut(Schema):
    kind: str
    version: str
    title: str
    source: str
    is_current: bool
    item_count: int


class ItemOut(Schema):
    kind: str = Field(..., alias="framework.kind")
    code: str
    label: str
    description: str
    note: str = Field("", description="A caveat to show with the item, e.g. text still to be verified.")
    framework_version: str = Field(..., alias="framework.version")


class ItemRefOut(Schema):
    kind: str = Field(..., alias="framework.kind")
    code: str
    label: str
    framework_version: str = Field(..., alias="framework.version")


class SdgTargetOut(ItemOut):
    goal: ItemRefOut | None = Field(None, alias="parent")


class CrosswalkRowOut(Schema):
    domain: ItemRefOut
    gcm_objectives: list[str]
    sdg_targets: list[str]
    nua_paragraphs: list[str]
    status: str = Field(..., description="The crosswalk is Arrival's own proposal, not an official table.")


class ItemDetailOut(ItemOut):
    framework_title: str = Field(..., alias="framework.title")
    framework_source: str = Field(..., alias="framework.source")
    parent: ItemRefOut | None = None
    children: list[ItemRefOut] = Field(..., alias="children_items")
    crosswalk: list[ItemRefOut] = Field(..., alias="crosswalk_items", description="Items linked to this one in the crosswalk.")
    crosswalk_status: str = Field(..., description="The crosswalk is Arrival's own proposal, not an official table.")
