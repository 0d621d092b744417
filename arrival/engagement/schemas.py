"""Explicit API schemas of engagement (never "__all__")."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from arrival.core.api import RecordId


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    id: RecordId | None = Field(None, description="One notification; all unread ones when empty.")


class MarkedOut(Schema):
    marked: int


class NotificationSettingsIO(Schema):
    digest_period: str = Field(..., description="daily, weekly or never")
    deliveries: dict[str, str] | None = Field(
        None, description="Per kind of notification: digest (the app and the e-mail digest), in_app or off. "
                          "Kinds left out keep their choice; GET returns every kind.")


class WorkItemOut(Schema):
    kind: str = Field(..., description="What kind of work, e.g. assessments.validate")
    action: str = Field(..., description="What to do, in the caller's language")
    title: str
    url: str = Field(..., description="The record's address on this site")
    waiting_since: datetime
    deadline: datetime | None
    for_actor: str


class CommentOut(Schema):
    id: int
    parent: int | None
    depth: int
    visibility: str
    body: str | None = Field(None, description="Empty when hidden or removed; `notice` then says why.")
    notice: str
    language: str
    author: str | None
    author_actor: int | None
    created_at: datetime
    is_demo: bool


class CommentIn(Schema):
    target_type: str = Field(..., description='"app_label.model", e.g. "consultations.contribution"')
    target_id: str
    body: str
    parent: RecordId | None = None
    language: str = ""
    author_actor: RecordId | None = None


class ReportIn(Schema):
    target_type: str
    target_id: str
    reason: str = Field(..., description="spam, offensive, off_topic, personal_data or other")
    note: str = ""


class ReportOut(Schema):
    id: int
    target_type: str
    target_id: str
    reason: str
    created_at: datetime


class QueueReportOut(Schema):
    reason: str
    note: str
    created_at: datetime


class QueueItemOut(Schema):
    target_type: str
    target_id: str
    target_repr: str
    visibility: str | None
    process: int | None
    count: int
    first_reported: datetime
    reports: list[QueueReportOut]


class DecisionIn(Schema):
    target_type: str
    target_id: str
    action: str = Field(..., description="hide, restore or dismiss")
    reason: str


class DecisionOut(Schema):
    id: int
    target_type: str
    target_id: str
    process: int | None
    action: str
    reason: str
    moderator: str | None
    created_at: datetime
