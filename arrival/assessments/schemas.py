"""API schemas of assessments: explicit fields, never "__all__"."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from arrival.core.api import RecordId, Year


class BandOut(Schema):
    code: str
    label: str
    lower: float = Field(description="Lowest score of the band (inclusive); it runs up to the next band's lower bound.")


class AssessmentFrameworkOut(Schema):
    code: str
    version: str
    title: str
    label: str = Field(description="code-version, the name every score carries")
    sha256: str = Field(description="SHA-256 of the framework file as loaded")
    is_current: bool
    frozen_at: datetime | None = Field(description="When a published assessment first used this version")


class AssessmentIndicatorOut(Schema):
    code: str
    domain_code: str
    subcategory_code: str
    question: str
    guidance: str = ""
    answer_type: str = Field(description="maturity, yes_no, number or choice")
    weight: float = 1.0
    levels: list[str] = Field(default_factory=list, description="Maturity: the descriptor of levels 0 to 4")
    options: list[dict[str, Any]] = Field(default_factory=list, description="Choice: code, label and score")
    unit: str = ""
    evidence_from_level: int | None = None
    evidence_required: bool = False
    tags: list[str] = Field(default_factory=list, description="kind:code, e.g. gcm_objective:15")
    is_outcome: bool = False


class SubcategoryOut(Schema):
    code: str
    title: str
    indicators: list[AssessmentIndicatorOut]


class DomainOut(Schema):
    code: str
    title: str
    subcategories: list[SubcategoryOut]


class OutcomeIndicatorOut(Schema):
    code: str
    title: str
    definition: str
    unit: str
    direction: str
    disaggregation: str
    sdg_indicators: list[str]
    tags: list[str]


class FrameworkDetailOut(AssessmentFrameworkOut):
    licence: str
    description: str
    bands_note: str
    bands: list[BandOut]
    min_coverage_percent: float
    maturity_scale: list[str]
    domains: list[DomainOut]
    outcome_panel: list[OutcomeIndicatorOut]


class GovernmentRef(Schema):
    id: int
    name: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2")


class AssessmentOut(Schema):
    id: int
    government: GovernmentRef
    cycle: int
    status: str
    framework: str = Field(description="Framework version label, e.g. LMGF-1.0")
    overall: float | None = Field(None, description="Overall score 0-100; shown, never headlined, when partial")
    partial: bool | None = None
    coverage: float | None = Field(None, description="Share of indicators answered, percent")
    is_demo: bool
    published_at: datetime | None


class IntervalOut(Schema):
    low: float
    high: float


class DomainScoreOut(Schema):
    code: str
    title: str
    status: str = Field(description="scored or insufficient_data")
    score: float | None
    band: BandOut | None
    coverage: float
    interval: IntervalOut | None = Field(None, description="90% interval from the seeded Monte Carlo")


class ScoresOut(Schema):
    framework: str
    inputs_sha256: str
    overall: float | None
    overall_band: BandOut | None = Field(
        description="The overall score's band; none when the score is partial (not banded) or absent")
    overall_band_status: Literal["banded", "not_banded_partial", "no_score"] = Field(
        description="banded; not_banded_partial: some domain has insufficient data, so the overall score is the "
                    "mean of the others and carries no band (as the page says); no_score")
    partial: bool
    coverage: float = Field(description="Share of the scored indicators answered, percent: answered ÷ total")
    answered: int = Field(description="Scored indicators answered: a value, not_competent or not_applicable "
                                      "(unknown is not answered; docs/methods.md §3)")
    total: int = Field(description="Scored indicators of the framework version")
    interval: IntervalOut | None
    domains: list[DomainScoreOut]
    computed_at: datetime


class ValidatorOut(Schema):
    id: int
    name: str
    kind: str = Field(description="local, network or organisation")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2")


class AssessmentDetailOut(AssessmentOut):
    submitted_at: datetime | None
    validated_at: datetime | None
    consultation_open: bool
    benchmark_opt_in: bool
    validators: list[ValidatorOut] = Field(
        default_factory=list,
        description="The governments or organisations named to validate it; none on assessments submitted before "
                    "validators were named (any eligible validator may take those up)")
    scores: ScoresOut | None


class ValidatorsIn(Schema):
    actor_ids: list[RecordId] = Field(description="Ids of the actors named to validate: local governments (never the "
                                             "assessed one), networks or organisations; at most 5")


class EvidenceFileOut(Schema):
    id: str
    name: str
    media_type: str
    size: int
    url: str


class AssessmentAnswerOut(Schema):
    indicator_code: str
    value: Any = None
    special: str
    comment: str
    evidence_url: str
    evidence_reference: str
    evidence_files: list[EvidenceFileOut]
    updated_at: datetime


class AssessmentIn(Schema):
    government_id: RecordId
    cycle: Year
    framework_code: str = "LMGF"
    framework_version: str | None = Field(None, description="Default: the framework's current version")


class AssessmentAnswerIn(Schema):
    value: Any = Field(None, description="Level 0-4, true/false, an option code or a number")
    special: str = Field("", description="not_competent, not_applicable or unknown (then no value)")
    comment: str = ""
    evidence_url: str = ""
    evidence_reference: str = ""


class OutcomeFigureOut(Schema):
    population_group: str = Field(description="born_abroad, born_in_country or all: a group of residents, never a person")
    label: str
    value: float
    year: int
    source: str


class OutcomePanelRowOut(Schema):
    indicator_code: str
    title: str
    definition: str
    unit: str
    direction: str
    disaggregation: str
    sdg_indicators: list[str]
    population_groups: list[str] = Field(description="The groups the indicator's figures are given for")
    figures: list[OutcomeFigureOut]
    gap: float | None = Field(None, description="First group minus the second, in the indicator's unit, when both are given")


class OutcomeFigureIn(Schema):
    population_group: str = Field(description="One of the indicator's population groups")
    value: float = Field(description="The aggregate statistic for the group, in the indicator's unit")


class OutcomeFiguresIn(Schema):
    year: Year = Field(description="Year the figures refer to")
    source: str = Field(description="Who published the figures (statistical office, register, survey)")
    figures: list[OutcomeFigureIn] = Field(min_length=1)
