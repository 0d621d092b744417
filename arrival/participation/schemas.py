"""API schemas of participation, each field named explicitly. No schema carries anything about a person but a
display name (a pseudonym is fine) — never status, nationality or papers (DESIGN.md rule 1)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from arrival.core.api import RecordId


class ParticipationPhaseOut(Schema):
    phase_type: str
    name: str
    starts_at: datetime
    ends_at: datetime
    actions: list[str]


TRANSLATIONS_HELP = ("Texts the city team gives in other UN languages, by language: "
                     '{"fr": {"title": "…"}}. Nothing is machine-translated.')


class ProcessOut(Schema):
    slug: str
    url: str
    title: str
    owner: str
    owner_slug: str
    purpose: str
    input_use: str
    language: str = Field(description="the language the process's texts are written in")
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    languages: list[str]
    access: str
    privacy_notice: str
    retention_months: int
    phases: list[ParticipationPhaseOut]
    is_demo: bool


class ParticipationAnswerOut(Schema):
    status: str
    status_kind: str
    text: str
    reasons: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    created_at: datetime
    is_demo: bool


class TranslationOut(Schema):
    language: str
    title: str
    body: str


class ParticipationLinkOut(Schema):
    kind: str
    label: str
    url: str


class ProposalOut(Schema):
    id: int
    url: str
    process: str
    kind: str
    title: str
    body: str
    language: str
    category: str | None
    neighbourhood: str | None
    author_name: str | None
    support_count: int
    status: str | None
    status_kind: str | None
    created_at: datetime
    is_demo: bool


class ProposalDetailOut(ProposalOut):
    translations: list[TranslationOut]
    answer: ParticipationAnswerOut | None
    links: list[ParticipationLinkOut]


class ProposalIn(Schema):
    process: str = Field(..., description="slug of the process")
    kind: str = "proposal"
    title: str
    body: str
    language: str = Field(..., description="language tag of the text, any language (e.g. ar, ti, fa-AF)")
    category: RecordId | None = None
    neighbourhood: RecordId | None = None


class SupportOut(Schema):
    proposal: int
    support_count: int
    supported: bool


class ParticipationAnswerIn(Schema):
    status: RecordId = Field(..., description="id of one of the city's answer statuses")
    text: str
    reasons: str = ""
    language: str = Field("", description="the answer's language; empty: the process's")
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)


class StatusCount(Schema):
    status: str
    status_kind: str
    count: int


class ReportBackRow(Schema):
    proposal: int
    title: str
    support_count: int
    status: str | None
    answer: str | None
    links: list[ParticipationLinkOut]


class ReportBackOut(Schema):
    process: str
    total: int
    unanswered: int
    hidden: int
    page: int
    pages: int
    by_status: list[StatusCount]
    rows: list[ReportBackRow]
