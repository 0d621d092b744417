"""Explicit API schemas for accounts: what a client sees of a person is what they see on their own page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from arrival.accounts.services import API_TOKEN_DAYS_DEFAULT, API_TOKEN_DAYS_MAX
from arrival.core.api import RecordId


class RoleOut(Schema):
    id: int
    kind: str
    actor_id: int
    actor_name: str = Field(..., alias="actor.name")
    actor_kind: str = Field(..., alias="actor.kind")
    actor_slug: str = Field(..., alias="actor.slug")
    since: datetime = Field(..., alias="created_at")


class RoleRequestIn(Schema):
    actor_id: RecordId
    kind: str = Field(..., description="officer, administrator, staff, planner or reviewer (valid per actor kind)")
    message: str = Field("", max_length=2000, description="How site staff can verify that you act for this actor.")


class RoleRequestOut(Schema):
    id: int
    actor_id: int
    actor_name: str = Field(..., alias="actor.name")
    kind: str
    status: str
    message: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    public_name: str
    email: str | None
    preferred_language: str
    time_zone: str = Field(..., description="The IANA zone dates are shown in: the person's choice, else their government's")
    is_staff: bool
    otp_enabled: bool
    roles: list[RoleOut]
    pending_role_requests: list[RoleRequestOut]


class ApiTokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100, description="What will use the token, e.g. a script's name.")
    scope: Literal["read", "write"] = Field(
        "read", description="read: safe methods only (GET, HEAD, OPTIONS); write: also what its owner may change."
    )
    days_valid: int = Field(
        API_TOKEN_DAYS_DEFAULT, ge=1, le=API_TOKEN_DAYS_MAX, description="Days until the token expires (at most a year)."
    )


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="The first characters of the key, to tell tokens apart.")
    scope: str = Field(..., description="read or write")
    created_at: datetime
    expires_at: datetime = Field(..., description="After this the token is refused with 401.")
    last_used_at: datetime | None = Field(..., description="Recorded at most once an hour.")
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    key: str = Field(..., description="The full key. It is shown only this once; store it safely.")
