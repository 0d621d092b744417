"""Explicit API schemas of planning. Allocations are aggregate; case-level rows have their own schema."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from arrival.core.api import MAX_INT32, RecordId


class RoundOut(Schema):
    id: int
    title: str
    government: int
    government_name: str
    period_start: dt.date
    period_end: dt.date
    total: int
    deadline: dt.datetime
    status: str
    key_name: str
    key_weights: dict[str, float]
    band: float | None
    weights: dict[str, float]
    unplaced_penalty: float
    currency: str
    undeclared_rule: str
    case_languages: list[str]
    case_groups: list[str]
    categories: list[dict[str, str]]
    localities: list[dict[str, Any]]
    is_demo: bool


class CapacityIn(Schema):
    """One service: "provided" or "partial" with a value (the capacity), "not_provided" (capacity 0) or
    "no_limit" (the service does not constrain the plan here)."""

    value: float | None = None
    state: Literal["provided", "partial", "not_provided", "no_limit"] = "provided"


class DeclarationIn(Schema):
    capacities: dict[str, CapacityIn] = {}
    labour: dict[str, float] = {}
    places_volunteered: int | None = Field(None, ge=0, le=MAX_INT32)
    funding_needs: str | None = None
    notes: str = ""
    submit: bool = False


class DeclarationOut(Schema):
    id: int
    round: int
    locality: int
    locality_name: str
    status: str
    capacities: dict[str, dict[str, Any]]
    labour_demand: dict[str, float]
    places_volunteered: int | None
    funding_needs: str | None
    notes: str
    submitted_at: dt.datetime | None
    is_demo: bool


class KeyOut(Schema):
    name: str
    formula: str
    weights: dict[str, float]
    multilevel: bool
    quotas: dict[str, int]
    shares: dict[str, float]
    notes: list[str]


class AllocationOut(Schema):
    locality: int
    locality_name: str
    category: str
    persons: int
    families: int
    service_units: dict[str, float]


class PlanOut(Schema):
    id: int
    round: int
    version: int
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    method: str
    baselines: dict[str, Any]
    metrics: dict[str, Any]
    published_at: dt.datetime | None
    allocations: list[AllocationOut]
    is_demo: bool


class PlanningAssignmentOut(Schema):
    case: str
    locality: int | None


class ResponseIn(Schema):
    decision: str
    reasons: str = ""
    declaration: DeclarationIn | None = None


class MessageIn(Schema):
    """A message in an objection's thread: the planners' reply (optionally linked to a later version) or the
    locality's answer back (optionally with a revised declaration)."""

    body: str
    link_version: RecordId | None = None
    declaration: DeclarationIn | None = None


class MessageOut(Schema):
    id: int
    side: str
    body: str
    plan_version: int | None
    revised_declaration: dict[str, Any]
    created_at: dt.datetime


class ResponseOut(Schema):
    id: int
    plan: int
    version: int
    locality: int
    locality_name: str
    decision: str
    reasons: str
    revised_declaration: dict[str, Any]
    responded_at: dt.datetime
    awaiting_reply_since: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    messages: list[MessageOut] = []


class PlanningCaseGrantIn(Schema):
    """One of the round's planners lets a user (e.g. a superuser or site staff) read the case records for a time."""

    user: RecordId
    hours: int = Field(..., ge=1, le=24 * 30)


class PlanningCaseGrantOut(Schema):
    id: int
    round: int
    user: int
    user_name: str
    granted_by: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
