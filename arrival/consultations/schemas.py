"""Schemas of the consultations API (explicit fields, never "__all__")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from arrival.core.api import RecordId

TAG_HELP = "framework items as kind:code, e.g. gcm_objective:15, sdg_target:10.7, nua_paragraph:28"


class ConsultationActorRef(Schema):
    id: int
    slug: str
    name: str
    kind: str


class ForumOut(Schema):
    key: str
    name: str
    acronym: str
    kind: str
    year: int | None
    starts_on: date | None
    ends_on: date | None
    place: str  # "Geneva, Switzerland": the city, then the country's English name
    url: str
    source: str

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return str(obj.place_in_english)


class ConsultationPhaseOut(Schema):
    phase_type: str
    label: str
    starts_at: datetime
    ends_at: datetime
    actions: list[str]
    current: bool


class QuestionOut(Schema):
    id: int
    position: int
    text: str
    gcm_objective: str | None


TRANSLATIONS_HELP = ("Texts the record's owners give in other UN languages, by language: "
                     '{"fr": {"title": "…"}}. Nothing is machine-translated.')


class ConsultationOut(Schema):
    slug: str
    url: str
    title: str
    purpose: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    owner: ConsultationActorRef
    forum: str | None = Field(None, description="key of the forum")
    access: str = Field(description="open, networks or invited")
    current_phase: str | None = Field(None, description="phase type key of the running phase")
    contribution_count: int
    is_demo: bool


class ConsultationDetailOut(ConsultationOut):
    phases: list[ConsultationPhaseOut]
    questions: list[QuestionOut]
    access_networks: list[ConsultationActorRef]
    invited: list[ConsultationActorRef]
    documents: list[int]


class PhaseIn(Schema):
    phase_type: str = Field(description="consultations.call_for_input, .synthesis, .comments, .adoption, "
                                        ".endorsement or .closed")
    starts_at: datetime
    ends_at: datetime
    name: str = ""


class QuestionIn(Schema):
    text: str
    gcm_objective: str | None = Field(None, description="GCM objective number, e.g. 15")


class ConsultationIn(Schema):
    owner: RecordId = Field(description="id of the network, organisation or national government running it")
    title: str
    purpose: str
    phases: list[PhaseIn]
    forum: str | None = Field(None, description="key of the forum")
    access: str = "open"
    access_networks: list[RecordId] = Field(default_factory=list)
    invited: list[RecordId] = Field(default_factory=list)
    questions: list[QuestionIn] = Field(default_factory=list)
    language: str = "en"
    time_zone: str = "UTC"
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)


class LinkSchema(Schema):
    url: str
    label: str = ""


class ContributionOut(Schema):
    id: int
    url: str
    consultation: str
    actor: ConsultationActorRef
    title: str
    summary: str
    answers: dict[str, str] = Field(description="answers keyed by guiding question id")
    proposed_actions: str
    links: list[LinkSchema]
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    status: str
    tags: list[str] = Field(description=TAG_HELP)
    cosigned_by: list[ConsultationActorRef]
    version_count: int
    adopted_paragraphs: list[str] = Field(description="where it ended up: document id:version:paragraph number")
    is_demo: bool
    created_at: datetime


class ContributionIn(Schema):
    consultation: str = Field(description="slug of the consultation")
    actor: RecordId = Field(description="id of the government or network contributing")
    title: str
    summary: str = ""
    answers: dict[str, str] = Field(default_factory=dict)
    proposed_actions: str = ""
    links: list[LinkSchema] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description=TAG_HELP)
    language: str = "en"
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)


class ContributionPatch(Schema):
    title: str | None = None
    summary: str | None = None
    answers: dict[str, str] | None = None
    proposed_actions: str | None = None
    links: list[LinkSchema] | None = None
    tags: list[str] | None = None
    language: str | None = None
    translations: dict[str, dict[str, str]] | None = Field(None, description=TRANSLATIONS_HELP)


class CosignIn(Schema):
    actor: RecordId


class ParagraphOut(Schema):
    key: str
    position: int
    group: str
    group_code: str
    heading: str
    text: str
    editorial: bool
    sources: list[RecordId] = Field(description="ids of the contributions the paragraph came from")
    framework_codes: list[str]


class VersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    frozen_at: datetime | None
    paragraphs: list[ParagraphOut]


class VersionSummaryOut(Schema):
    number: int
    note: str
    created_at: datetime
    frozen_at: datetime | None


class DocumentOut(Schema):
    id: int
    url: str
    consultation: str
    title: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    kind: str
    adopted_version: int | None
    adopted_at: datetime | None
    versions: list[VersionSummaryOut]
    endorsement_count: int
    is_demo: bool


class ParagraphIn(Schema):
    key: str | None = Field(None, description="key of the paragraph of the latest version it rewrites; empty: new")
    text: str
    heading: str | None = None
    editorial: bool | None = None
    sources: list[RecordId] | None = Field(None, description="contribution ids; omitted: keep the rewritten paragraph's")


class VersionIn(Schema):
    paragraphs: list[ParagraphIn]
    note: str = ""


class AdoptIn(Schema):
    version: RecordId


class EndorsementOut(Schema):
    id: int
    document: int
    version: int
    actor: ConsultationActorRef
    signatory_name: str
    signatory_title: str
    authority: str
    endorsed_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str
    is_demo: bool


class EndorsementIn(Schema):
    document: RecordId
    actor: RecordId
    signatory_name: str
    signatory_title: str
    authority: str


class WithdrawIn(Schema):
    reason: str
