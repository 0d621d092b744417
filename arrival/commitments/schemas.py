"""API schemas of commitments: explicit fields, never "__all__"."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from arrival.core.api import RecordId

TAG_HELP = "kind:code, e.g. gcm_objective:5, gcm_principle:1, sdg_target:10.7, nua_paragraph:28"


class CommitmentActorRef(Schema):
    id: int
    slug: str
    name: str
    kind: str
    country: str = Field("", description="ISO 3166-1 alpha-2")


TRANSLATIONS_HELP = ("Texts the record's team gives in other UN languages, by language: "
                     '{"fr": {"title": "…"}}. Nothing is machine-translated.')


class CommitmentOut(Schema):
    id: int
    public_id: str | None = Field(None, description="Given at publication, e.g. ARR-C-2026-00042; never changes")
    url: str
    title: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    lead: CommitmentActorRef
    commitment_type: str = Field(description="individual, common, partnership or matching")
    matches: str | None = Field(None, description="public id of the commitment this one matches")
    forms: list[str] = Field(description="financial, human_resources, process, policy")
    status: str = Field(description="draft, internal_approval, submitted, published, closed")
    progress_status: str = Field(description="planning, in_progress, fulfilled or lapsed (latest published update)")
    progress_percent: int
    starts_on: date | None
    target_date: date | None
    published_at: datetime | None
    has_overdue_milestone: bool
    tags: list[str] = Field(description=TAG_HELP)
    is_demo: bool


class MilestoneOut(Schema):
    id: int
    title: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    due_on: date
    done_on: date | None = Field(None, description="the day it was done, chosen by the team")
    done_at: datetime | None = Field(None, description="when it was recorded as done")
    is_overdue: bool


class IndicatorValueOut(Schema):
    measured_on: date
    value: float


class IndicatorValueIn(Schema):
    value: float
    measured_on: date | None = Field(None, description="the day it was measured (today when not given, never in the "
                                                       "future); a second value for a day replaces the first")


class CommitmentIndicatorOut(Schema):
    id: int
    name: str
    unit: str
    baseline: float | None
    baseline_year: int | None
    target: float | None
    latest_value: float | None = Field(None, description="the latest measured value of the series")
    latest_on: date | None
    values: list[IndicatorValueOut] = Field(description="every measured value, oldest first")


class CommitmentLinkOut(Schema):
    url: str
    label: str


class ProgressUpdateOut(Schema):
    id: int
    reported_on: date
    status: str
    percent: int
    narrative: str
    links: list[CommitmentLinkOut]
    evidence: list[str] = Field(description="download addresses of attached evidence files")
    corrects: int | None = Field(None, description="id of the update this one corrects")
    published_at: datetime | None


class ForumReportOut(Schema):
    id: int
    forum: str = Field(description="forum key, e.g. imrf-2026")
    forum_name: str
    reported_on: date
    summary: str


class OriginOut(Schema):
    label: str
    url: str


class CommitmentDetailOut(CommitmentOut):
    description: str
    partners: list[CommitmentActorRef]
    contact_role: str
    contact_email: str
    source_contribution: int | None
    source_paragraph: int | None = Field(None, description="id of the outcome-document paragraph it was made from")
    consultation: str | None = Field(None, description="slug of the consultation")
    origins: list[OriginOut]
    milestones: list[MilestoneOut]
    indicators: list[CommitmentIndicatorOut]
    updates: list[ProgressUpdateOut]
    forum_reports: list[ForumReportOut]
    closing_note: str


class CommitmentIn(Schema):
    lead: RecordId = Field(description="id of the lead government or network")
    title: str = Field("", description="required unless made from a contribution or a paragraph (then prefilled)")
    description: str = Field("", description="required unless made from a contribution or a paragraph")
    language: str = "en"
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    commitment_type: str = "individual"
    matches: str | None = Field(None, description="public id of the matched commitment (matching type)")
    forms: list[str] = []
    starts_on: date | None = None
    target_date: date | None = None
    contact_role: str = ""
    contact_email: str = ""
    partners: list[RecordId] = []
    tags: list[str] = Field([], description=TAG_HELP)
    source_contribution: RecordId | None = Field(None, description="create from this consultation contribution")
    source_paragraph: RecordId | None = Field(None, description="create from this paragraph of an adopted outcome document")


class CommitmentPatch(Schema):
    title: str | None = None
    description: str | None = None
    language: str | None = None
    translations: dict[str, dict[str, str]] | None = Field(None, description=TRANSLATIONS_HELP)
    commitment_type: str | None = None
    matches: str | None = None
    forms: list[str] | None = None
    starts_on: date | None = None
    target_date: date | None = None
    contact_role: str | None = None
    contact_email: str | None = None
    partners: list[RecordId] | None = None
    tags: list[str] | None = Field(None, description=TAG_HELP)


class ReasonIn(Schema):
    reason: str


class CloseIn(Schema):
    note: str = ""


class ProgressUpdateIn(Schema):
    reported_on: date | None = None
    status: str = Field(description="planning, in_progress, fulfilled or lapsed")
    percent: int = Field(ge=0, le=100)
    narrative: str
    links: list[CommitmentLinkOut] = []
    corrects: RecordId | None = None


class MilestoneIn(Schema):
    title: str
    due_on: date


class MilestoneDoneIn(Schema):
    done_on: date | None = Field(None, description="the day it was done (today when not given; never in the future, "
                                                   "never before the commitment was made)")
    note: str = ""


class ForumReportIn(Schema):
    forum: str = Field(description="forum key")
    reported_on: date | None = None
    summary: str


class CountOut(Schema):
    status: str
    label: str
    count: int


class YearOut(Schema):
    year: int
    count: int
    mean_percent: float | None
    fulfilled_share: float | None
    fulfilled: int


class OverdueOut(Schema):
    milestone: str
    due_on: date
    commitment: int
    public_id: str | None


class DashboardOut(Schema):
    scope: str
    title: str
    total: int
    by_status: list[CountOut]
    by_progress: list[CountOut]
    over_time: list[YearOut]
    overdue_milestones: list[OverdueOut]
    past_target: list[int] = Field(description="ids of published commitments past their target date, not fulfilled")
    includes_demo: bool


class WindowOut(Schema):
    id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    state: str = Field(description="past, open or upcoming")
    asks: str
    url: str
    is_demo: bool


class ReportRef(Schema):
    actor: str
    commitment: int
    public_id: str | None
    reported_on: date


class ForumCalendarOut(Schema):
    key: str
    name: str
    kind: str
    year: int | None
    starts_on: date | None
    ends_on: date | None
    windows: list[WindowOut]
    reports: list[ReportRef]
