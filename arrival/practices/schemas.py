"""API schemas of practices: explicit fields, never "__all__". Reviewer identities appear only where the
selector `reviews_for_practice` lets the reader see them (curators; named reviewers once published)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from arrival.core.api import RecordId

TAG_HELP = "kind:code, e.g. gcm_objective:5, sdg_target:10.7, nua_paragraph:28, domain:1"


class GovernmentOut(Schema):
    id: int
    slug: str
    name: str
    country: str = Field("", description="ISO 3166-1 alpha-2")
    region: str = Field("", description="UN M49 region")


TRANSLATIONS_HELP = ("Texts the record's owners give in other UN languages, by language: "
                     '{"fr": {"title": "…", "summary": "…"}}. Nothing is machine-translated.')


class PracticeOut(Schema):
    slug: str
    url: str
    title: str
    summary: str
    language: str
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)
    status: str = Field(description="planned, ongoing or completed")
    stage: str = Field(description="draft, submitted, screening, in_review, revision_requested, published, declined")
    governments: list[GovernmentOut]
    tags: list[str] = Field(description=TAG_HELP)
    themes: list[str]
    started: date | None
    ended: date | None
    published_at: datetime | None
    adapted_from: str | None = Field(None, description="slug of the practice this one adapted")
    is_demo: bool


class ResultOut(Schema):
    label: str
    value: float
    unit: str
    source: str


class PracticeLinkOut(Schema):
    url: str
    label: str


class ImageOut(Schema):
    url: str
    alt_text: str


class ReviewOut(Schema):
    number: int
    role: str = Field(description="peer or expert")
    relevance: int
    evidence: int
    replicability: int
    sustainability: int
    rights_based: int
    participation: int
    overall: float = Field(description="mean of the six criteria")
    comments: str
    language: str = Field("", description="the language the comments are written in; empty when not recorded")
    recommendation: str
    submitted_at: datetime
    reviewer_name: str | None = Field(None, description="only for curators, or when the reviewer chose to be named on a published practice")
    reviewer_government: str | None = Field(None, description="as reviewer_name")
    conflicts_declared: str | None = Field(None, description="curators only")


class PracticeDetailOut(PracticeOut):
    partners: list[str]
    problem: str = Field(description="sanitised HTML")
    approach: str = Field(description="sanitised HTML")
    results: str = Field(description="sanitised HTML")
    lessons: str = Field(description="sanitised HTML")
    replication_conditions: str = Field(description="sanitised HTML")
    target_groups: list[str]
    budget: str
    funding_sources: str
    contact_role: str
    other_languages: list[str]
    adaptation_note: str
    call: str | None = Field(None, description="slug of the call for practices it answered")
    decision_reasons: str
    quantitative_results: list[ResultOut]
    links: list[PracticeLinkOut]
    images: list[ImageOut]
    reviews: list[ReviewOut]
    needs_extra_reviewer: bool | None = Field(None, description="curators only: two peer reviews ≥ 2 points apart")


class PracticeIn(Schema):
    government: RecordId = Field(description="id of the local or regional government behind the practice")
    title: str
    summary: str
    language: str
    problem: str = ""
    approach: str = ""
    results: str = ""
    lessons: str = ""
    replication_conditions: str = ""
    target_groups: list[str] = Field(default_factory=list)
    budget: str = ""
    funding_sources: str = ""
    contact_role: str = ""
    other_languages: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    status: str = "ongoing"
    started: date | None = None
    ended: date | None = None
    tags: list[str] = Field(default_factory=list, description=TAG_HELP)
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, description=TRANSLATIONS_HELP)


class PracticePatch(Schema):
    title: str | None = None
    summary: str | None = None
    language: str | None = None
    problem: str | None = None
    approach: str | None = None
    results: str | None = None
    lessons: str | None = None
    replication_conditions: str | None = None
    target_groups: list[str] | None = None
    budget: str | None = None
    funding_sources: str | None = None
    contact_role: str | None = None
    other_languages: list[str] | None = None
    themes: list[str] | None = None
    status: str | None = None
    started: date | None = None
    ended: date | None = None
    governments: list[RecordId] | None = Field(None, description="ids of every government behind a joint practice")
    tags: list[str] | None = Field(None, description=TAG_HELP)
    translations: dict[str, dict[str, str]] | None = Field(None, description=TRANSLATIONS_HELP)


class TranslationsIn(Schema):
    translations: dict[str, dict[str, str]] = Field(description=TRANSLATIONS_HELP + " Languages left out are removed.")


class SubmitIn(Schema):
    call: str | None = Field(None, description="slug of an open call for practices (its organiser screens it)")
    curating_organisation: RecordId | None = Field(
        None, description="without a call: id of the network or organisation that screens it (default: site staff)")


class PracticeAssignmentOut(Schema):
    id: int
    practice: str = Field(description="slug")
    practice_title: str
    role: str
    status: str = Field(description="invited, accepted, declined or submitted")
    reviewer_government: str
    due_at: datetime | None = Field(None, description="when the curator asked for the review, if they did (UTC)")


class RespondIn(Schema):
    accept: bool
    conflicts_declared: str = ""
    has_no_conflict: bool = False
    wants_to_be_named: bool = False


class ReviewIn(Schema):
    relevance: int = Field(ge=1, le=5)
    evidence: int = Field(ge=1, le=5)
    replicability: int = Field(ge=1, le=5)
    sustainability: int = Field(ge=1, le=5)
    rights_based: int = Field(ge=1, le=5)
    participation: int = Field(ge=1, le=5)
    comments: str
    language: str = Field("", description="the language the comments are written in (e.g. en, fr, ar)")
    recommendation: str = Field(description="publish, revise or decline")


class ReviewSubmittedOut(Schema):
    assignment: int
    overall: float


class SearchHitOut(Schema):
    practice: PracticeOut
    score: float
    why: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    mode: str
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]
