"""The scoring engine (docs/methods.md states every formula used here).

Two paths give bit-identical results:

- `score_assessment` scores one assessment from its answers in plain Python floats;
- `score_batch` scores many assessments at once from an int8 matrix of answer codes (assessments × scored
  indicators) with NumPy.

Both perform the same IEEE-754 double operations in the same order — weighted sums run over a sub-category's
indicators in file order, means over sub-categories and domains in file order, and only element-wise
add/multiply/divide are used (no reductions whose summation order NumPy may choose) — and both round with
`round_score`. That is why a published score can be recomputed bit for bit by either path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .framework_file import CHOICE, MATURITY, MATURITY_LEVELS, NUMBER, YES_NO, Band, Framework, Indicator

NOT_COMPETENT = "not_competent"  # not a power of this government
NOT_APPLICABLE = "not_applicable"  # not applicable here
UNKNOWN = "unknown"
SPECIAL_ANSWERS = (NOT_COMPETENT, NOT_APPLICABLE, UNKNOWN)
# The special answers that count as answered (docs/methods.md §3): the team knows, and says the indicator is
# outside this government's powers or does not apply. "unknown" is not answered.
ANSWERED_SPECIALS = (NOT_COMPETENT, NOT_APPLICABLE)

# Answer codes of the vectorised path: 0, 1, 2… are answer values; negatives are the absence of a value.
CODE_MISSING = -1  # not answered yet
CODE_UNKNOWN = -2
CODE_NOT_COMPETENT = -3
CODE_NOT_APPLICABLE = -4
_SPECIAL_CODES = {UNKNOWN: CODE_UNKNOWN, NOT_COMPETENT: CODE_NOT_COMPETENT, NOT_APPLICABLE: CODE_NOT_APPLICABLE}
_CODE_SHIFT = 4  # table column = code + 4, so that CODE_NOT_APPLICABLE lands on column 0

STATUS_SCORED = "scored"
STATUS_INSUFFICIENT = "insufficient_data"


class AnswerError(ValueError):
    """An answer does not fit its indicator; the message names the indicator."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: a value (level, yes/no, option code or number) or one of the special answers."""

    value: int | float | bool | str | None = None
    special: str | None = None


def round_score(value: float) -> float:
    """Half up to one decimal: floor(10·x + 0.5) / 10 in double precision (scores are never negative)."""
    return math.floor(value * 10.0 + 0.5) / 10.0


def round_scores(values: np.ndarray) -> np.ndarray:
    """`round_score` element-wise; NaN stays NaN."""
    return np.floor(values * 10.0 + 0.5) / 10.0


def is_answered(answer: Answer | None) -> bool:
    """The one rule for "answered" (coverage, progress, pages, documents, API; docs/methods.md §3): a value, or
    "not a power of this government" / "not applicable here". "unknown" and no answer are not answered."""
    if answer is None:
        return False
    if answer.special:
        return answer.special in ANSWERED_SPECIALS
    return answer.value is not None


def code_is_answered(code: int) -> bool:
    """`is_answered` on an answer code (the vectorised path tests `codes >= 0 | codes <= CODE_NOT_COMPETENT`)."""
    return code >= 0 or code <= CODE_NOT_COMPETENT


def coverage_percent(answered: int, total: int) -> float:
    return round_score(answered * 100 / total) if total else 0.0


def is_reportable(framework: Framework, *, answered: int, scored: int, total: int) -> bool:
    """A domain score is shown when ≥ min coverage of its indicators are answered and one is scored."""
    return scored >= 1 and answered * 100.0 >= framework.min_coverage_percent * total


# --- one indicator ---------------------------------------------------------------------------------------


def answer_code(indicator: Indicator, answer: Answer | None) -> int:
    """The int8 code of an answer: its value index (level, 0/1, option position, threshold band) or a special code."""
    if answer is None:
        return CODE_MISSING
    if answer.special is not None:
        if answer.special not in _SPECIAL_CODES:
            raise AnswerError(f"{indicator.code}: unknown special answer {answer.special!r}")
        if answer.value is not None:
            raise AnswerError(f"{indicator.code}: give either a value or a special answer, not both")
        return _SPECIAL_CODES[answer.special]
    value = answer.value
    if value is None:
        return CODE_MISSING
    if indicator.answer_type == MATURITY:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MATURITY_LEVELS:
            raise AnswerError(f"{indicator.code}: expected a level from 0 to 4, got {value!r}")
        return value
    if indicator.answer_type == YES_NO:
        if not isinstance(value, bool):
            raise AnswerError(f"{indicator.code}: expected yes or no, got {value!r}")
        return int(value)
    if indicator.answer_type == CHOICE:
        for position, option in enumerate(indicator.options):
            if option.code == value:
                return position
        raise AnswerError(f"{indicator.code}: {value!r} is not one of {', '.join(o.code for o in indicator.options)}")
    if indicator.answer_type == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise AnswerError(f"{indicator.code}: expected a number, got {value!r}")
        if indicator.minimum is not None and value < indicator.minimum:
            raise AnswerError(f"{indicator.code}: {value:g} is below the minimum {indicator.minimum:g}")
        if indicator.maximum is not None and value > indicator.maximum:
            raise AnswerError(f"{indicator.code}: {value:g} is above the maximum {indicator.maximum:g}")
        if not indicator.thresholds:
            return 0  # recorded, not scored: the code only says "a value was given"
        band = 0
        for position, threshold in enumerate(indicator.thresholds):
            if value >= threshold.lower:
                band = position
        return band
    raise AnswerError(f"{indicator.code}: unknown answer type {indicator.answer_type!r}")


def code_score(indicator: Indicator, code: int) -> float | None:
    """The 0–100 score of an answer code, or None when the code carries no score (special or missing)."""
    if code < 0 or not indicator.is_scored:
        return None
    if indicator.answer_type == MATURITY:
        return code / 4 * 100
    if indicator.answer_type == YES_NO:
        return 100.0 if code else 0.0
    if indicator.answer_type == CHOICE:
        return indicator.options[code].score
    return indicator.thresholds[code].score


def indicator_score(indicator: Indicator, answer: Answer | None) -> float | None:
    return code_score(indicator, answer_code(indicator, answer))


def _max_code(indicator: Indicator) -> int:
    if indicator.answer_type == MATURITY:
        return MATURITY_LEVELS - 1
    if indicator.answer_type == YES_NO:
        return 1
    if indicator.answer_type == CHOICE:
        return len(indicator.options) - 1
    return max(len(indicator.thresholds) - 1, 0)


# --- one assessment --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubcategoryScore:
    code: str
    score: float | None  # rounded; None when every answer is special, missing or unknown
    raw: float | None  # unrounded, what the domain mean uses
    scored: int
    answered: int
    total: int


@dataclass(frozen=True, slots=True)
class DomainScore:
    code: str
    status: str  # STATUS_SCORED or STATUS_INSUFFICIENT
    score: float | None  # rounded, shown only when status is "scored"
    raw: float | None  # unrounded mean of the sub-categories that have a score
    band: Band | None
    coverage_percent: float
    answered: int
    scored: int
    total: int
    subcategories: tuple[SubcategoryScore, ...]


@dataclass(frozen=True, slots=True)
class AssessmentScore:
    framework: str  # "<code>-<version>"
    domains: tuple[DomainScore, ...]
    overall: float | None  # rounded mean of the reportable domains; None when no domain is reportable
    overall_raw: float | None
    partial: bool  # some domain has insufficient data: the overall score is shown, never headlined
    band: Band | None
    coverage_percent: float
    answered: int
    total: int

    def domain(self, code: str) -> DomainScore:
        for domain in self.domains:
            if domain.code == code:
                return domain
        raise KeyError(code)


def score_assessment(framework: Framework, answers: Mapping[str, Answer]) -> AssessmentScore:
    """Score one assessment; `answers` maps indicator codes to answers (absent = not answered yet)."""
    known = {i.code for i in framework.indicators}
    unknown_codes = sorted(set(answers) - known)
    if unknown_codes:
        raise AnswerError(f"no such indicator in {framework.key}: {', '.join(unknown_codes)}")
    domains: list[DomainScore] = []
    overall_sum, overall_count = 0.0, 0
    all_answered = all_total = 0
    for domain in framework.domains:
        subs: list[SubcategoryScore] = []
        sub_sum, sub_count = 0.0, 0
        d_answered = d_scored = d_total = 0
        for sub in domain.subcategories:
            num = den = 0.0
            s_answered = s_scored = s_total = 0
            for indicator in sub.indicators:
                if not indicator.is_scored:
                    answer_code(indicator, answers.get(indicator.code))  # still checked, never counted
                    continue
                code = answer_code(indicator, answers.get(indicator.code))
                s_total += 1
                if code_is_answered(code):
                    s_answered += 1
                score = code_score(indicator, code)
                if score is not None:
                    s_scored += 1
                    num += indicator.weight * score
                    den += indicator.weight
            raw = num / den if den > 0 else None
            if raw is not None:
                sub_sum += raw
                sub_count += 1
            subs.append(SubcategoryScore(code=sub.code, score=None if raw is None else round_score(raw), raw=raw,
                                         scored=s_scored, answered=s_answered, total=s_total))
            d_answered += s_answered
            d_scored += s_scored
            d_total += s_total
        d_raw = sub_sum / sub_count if sub_count else None
        reportable = d_raw is not None and is_reportable(framework, answered=d_answered, scored=d_scored,
                                                         total=d_total)
        shown = round_score(d_raw) if reportable and d_raw is not None else None
        if reportable and d_raw is not None:
            overall_sum += d_raw
            overall_count += 1
        domains.append(DomainScore(
            code=domain.code, status=STATUS_SCORED if shown is not None else STATUS_INSUFFICIENT, score=shown,
            raw=d_raw, band=framework.band_for(shown) if shown is not None else None,
            coverage_percent=coverage_percent(d_answered, d_total), answered=d_answered, scored=d_scored,
            total=d_total, subcategories=tuple(subs),
        ))
        all_answered += d_answered
        all_total += d_total
    overall_raw = overall_sum / overall_count if overall_count else None
    overall = round_score(overall_raw) if overall_raw is not None else None
    return AssessmentScore(
        framework=framework.key, domains=tuple(domains), overall=overall, overall_raw=overall_raw,
        partial=overall_count < len(framework.domains), band=framework.band_for(overall) if overall is not None else None,
        coverage_percent=coverage_percent(all_answered, all_total), answered=all_answered, total=all_total,
    )


# --- many assessments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledFramework:
    """A framework laid out as arrays for `score_batch` and the Monte Carlo; build with `compile_framework`."""

    framework: Framework
    indicator_codes: tuple[str, ...]  # the columns of a code matrix: scored indicators in file order
    score_table: np.ndarray  # (columns + 1, width) score of (column, code + 4); NaN where no score; last row padding
    weights: np.ndarray  # (columns,)
    slot_columns: np.ndarray  # (sub-categories, K): column of each sub-category's k-th indicator; padding = columns
    sub_domain: np.ndarray  # (sub-categories,) domain index
    domain_slots: np.ndarray  # (domains, J): sub-category of each domain's j-th slot; padding = sub-categories
    domain_starts: np.ndarray  # (domains,) first column of each domain (columns are grouped by domain)
    domain_totals: np.ndarray  # (domains,) scored indicators per domain
    band_lowers: np.ndarray  # (bands,)
    weighted_lut: np.ndarray  # (columns + 1, 256) weight × score by the code's byte (code & 0xFF); 0 = no score
    weight_lut: np.ndarray  # (columns + 1, 256) weight when the code carries a score, else 0
    max_codes: np.ndarray  # (columns,) int8 highest valid answer code of each column

    @property
    def n_columns(self) -> int:
        return len(self.indicator_codes)


def compile_framework(framework: Framework) -> CompiledFramework:
    columns: list[Indicator] = []
    slots: list[list[int]] = []
    sub_domain: list[int] = []
    domain_subs: list[list[int]] = []
    domain_starts: list[int] = []
    domain_totals: list[int] = []
    for d, domain in enumerate(framework.domains):
        domain_starts.append(len(columns))
        domain_subs.append([])
        for sub in domain.subcategories:
            domain_subs[-1].append(len(slots))
            sub_domain.append(d)
            slots.append([])
            for indicator in sub.indicators:
                if indicator.is_scored:
                    slots[-1].append(len(columns))
                    columns.append(indicator)
        domain_totals.append(len(columns) - domain_starts[-1])
    n = len(columns)
    width = _CODE_SHIFT + 1 + max((_max_code(i) for i in columns), default=0)
    table = np.full((n + 1, width), np.nan)
    table[n, :] = 0.0  # padding slots score nothing and weigh nothing
    for column, indicator in enumerate(columns):
        for code in range(_max_code(indicator) + 1):
            score = code_score(indicator, code)
            table[column, code + _CODE_SHIFT] = np.nan if score is None else score
    k = max(len(s) for s in slots)
    slot_columns = np.full((len(slots), k), n, dtype=np.intp)
    for j, members in enumerate(slots):
        slot_columns[j, : len(members)] = members
    jmax = max(len(s) for s in domain_subs)
    domain_slots = np.full((len(domain_subs), jmax), len(slots), dtype=np.intp)
    for d, members in enumerate(domain_subs):
        domain_slots[d, : len(members)] = members
    weights = np.append(np.array([i.weight for i in columns], dtype=np.float64), 0.0)
    byte = (np.arange(width) - _CODE_SHIFT) & 0xFF  # the byte of each code an int8 matrix can hold
    weighted_lut = np.zeros((n + 1, 256))
    weight_lut = np.zeros((n + 1, 256))
    weighted_lut[:, byte] = np.where(np.isnan(table), 0.0, table * weights[:, None])
    weight_lut[:, byte] = np.where(np.isnan(table), 0.0, weights[:, None])
    return CompiledFramework(
        weighted_lut=weighted_lut, weight_lut=weight_lut, framework=framework,
        max_codes=np.array([_max_code(i) for i in columns], dtype=np.int8), indicator_codes=tuple(i.code for i in columns), score_table=table,
        weights=weights[:n], slot_columns=slot_columns,
        sub_domain=np.array(sub_domain, dtype=np.intp), domain_slots=domain_slots,
        domain_starts=np.array(domain_starts, dtype=np.intp), domain_totals=np.array(domain_totals, dtype=np.int32),
        band_lowers=np.array([b.lower for b in framework.bands], dtype=np.float64),
    )


def encode_answers(compiled: CompiledFramework, answers: Mapping[str, Answer]) -> np.ndarray:
    """One row of the code matrix for `score_batch` (int8, one entry per scored indicator)."""
    framework = compiled.framework
    known = {i.code for i in framework.indicators}
    unknown_codes = sorted(set(answers) - known)
    if unknown_codes:
        raise AnswerError(f"no such indicator in {framework.key}: {', '.join(unknown_codes)}")
    row = np.empty(compiled.n_columns, dtype=np.int8)
    for column, code in enumerate(compiled.indicator_codes):
        row[column] = answer_code(framework.indicator(code), answers.get(code))
    return row


@dataclass(frozen=True)
class BatchScores:
    """Scores of many assessments; row r of every array belongs to row r of the code matrix."""

    domain_score: np.ndarray  # (rows, domains) rounded; NaN = insufficient data
    domain_raw: np.ndarray  # (rows, domains) unrounded mean of sub-categories; NaN = no sub-category scored
    domain_band: np.ndarray  # (rows, domains) int8 band index; -1 = insufficient data
    domain_coverage: np.ndarray  # (rows, domains) rounded percent
    domain_answered: np.ndarray  # (rows, domains) int16
    domain_scored: np.ndarray  # (rows, domains) int16
    subcategory_raw: np.ndarray | None  # (rows, sub-categories) unrounded; NaN = no score
    overall: np.ndarray  # (rows,) rounded; NaN = no reportable domain
    overall_raw: np.ndarray
    overall_band: np.ndarray  # (rows,) int8; -1 = no overall score
    partial: np.ndarray  # (rows,) bool
    coverage: np.ndarray  # (rows,) rounded percent


def score_batch(compiled: CompiledFramework, codes: np.ndarray, *, chunk_rows: int = 8_192,
                with_subcategories: bool = False) -> BatchScores:
    """Score every row of `codes` (int8, rows × scored indicators); equal, bit for bit, to `score_assessment`."""
    if codes.dtype != np.int8 or codes.ndim != 2 or codes.shape[1] != compiled.n_columns:
        raise AnswerError(f"expected an int8 matrix with {compiled.n_columns} columns, got {codes.dtype} {codes.shape}")
    rows = codes.shape[0]
    n_dom = len(compiled.domain_starts)
    # Results are filled as (domains × rows) so that each chunk writes contiguous rows; callers get the
    # transposed views, (rows × domains).
    out: dict[str, np.ndarray] = {
        "domain_score": np.empty((n_dom, rows)), "domain_raw": np.empty((n_dom, rows)),
        "domain_band": np.empty((n_dom, rows), dtype=np.int8), "domain_coverage": np.empty((n_dom, rows)),
        "domain_answered": np.empty((n_dom, rows), dtype=np.int16),
        "domain_scored": np.empty((n_dom, rows), dtype=np.int16), "overall": np.empty(rows),
        "overall_raw": np.empty(rows), "overall_band": np.empty(rows, dtype=np.int8),
        "partial": np.empty(rows, dtype=bool), "coverage": np.empty(rows),
    }
    sub_raw = np.empty((compiled.slot_columns.shape[0], rows)) if with_subcategories else None
    for start in range(0, rows, chunk_rows):
        _score_chunk(compiled, codes[start:start + chunk_rows], out, start, sub_raw)
    return BatchScores(
        domain_score=out["domain_score"].T, domain_raw=out["domain_raw"].T, domain_band=out["domain_band"].T,
        domain_coverage=out["domain_coverage"].T, domain_answered=out["domain_answered"].T,
        domain_scored=out["domain_scored"].T, subcategory_raw=None if sub_raw is None else sub_raw.T,
        overall=out["overall"], overall_raw=out["overall_raw"], overall_band=out["overall_band"],
        partial=out["partial"], coverage=out["coverage"],
    )


def _bands(compiled: CompiledFramework, scores: np.ndarray) -> np.ndarray:
    band = np.full(scores.shape, -1, dtype=np.int8)
    band[scores >= compiled.band_lowers[0]] = 0  # NaN compares false and stays -1
    for lower in compiled.band_lowers[1:]:
        band += scores >= lower
    return band


def _score_chunk(compiled: CompiledFramework, codes: np.ndarray, out: dict[str, np.ndarray], start: int,
                 sub_raw: np.ndarray | None) -> None:
    rows = codes.shape[0]
    stop = start + rows
    n = compiled.n_columns
    # Work on the transpose (indicators × rows) so that every step reads and writes contiguous rows.
    by_column = np.ascontiguousarray(codes.T)
    low, high = by_column.min(axis=1), by_column.max(axis=1)
    if (low < CODE_NOT_APPLICABLE).any() or (high > compiled.max_codes).any():
        column = int(np.flatnonzero((low < CODE_NOT_APPLICABLE) | (high > compiled.max_codes))[0])
        values = by_column[column]
        row = int(np.flatnonzero((values < CODE_NOT_APPLICABLE) | (values > compiled.max_codes[column]))[0])
        raise AnswerError(f"row {start + row}: code {values[row]} is not a valid answer to "
                          f"{compiled.indicator_codes[column]}")
    as_bytes = by_column.view(np.uint8)
    no_codes = np.zeros(rows, dtype=np.uint8)  # what a padding slot reads: its lookup row is all zeros
    # Weighted score and weight of every (slot, row) come from 256-entry lookup tables indexed by the code's
    # byte; padding and unscored entries are 0.0, which leaves a sum unchanged bit for bit, so the running
    # sums equal those of the per-assessment loop.
    slot_columns = compiled.slot_columns
    n_sub = slot_columns.shape[0]
    # One extra all-zero row stands for the padding sub-category of domains with fewer sub-categories.
    num = np.empty((n_sub + 1, rows))
    den = np.empty((n_sub + 1, rows))
    num[n_sub] = 0.0
    den[n_sub] = 0.0
    ws = np.empty((n_sub, rows))
    wt = np.empty((n_sub, rows))
    for k in range(slot_columns.shape[1]):
        target_ws, target_wt = (num, den) if k == 0 else (ws, wt)
        for j in range(n_sub):
            column = slot_columns[j, k]
            source = as_bytes[column] if column < n else no_codes
            # mode="clip" skips the bounds check: a byte never exceeds 255, the last lookup entry.
            np.take(compiled.weighted_lut[column], source, out=target_ws[j], mode="clip")
            np.take(compiled.weight_lut[column], source, out=target_wt[j], mode="clip")
        if k:
            num[:n_sub] += ws
            den[:n_sub] += wt
    has = den > 0
    den += ~has  # 1 where nothing is scored: 0.0 / 1 = 0.0 there, and den unchanged everywhere else
    sub = np.divide(num, den, out=num)  # (sub-categories + 1, rows)
    if sub_raw is not None:
        sub_raw[:, start:stop] = np.where(has[:n_sub], sub[:n_sub], np.nan)
    # Domain mean over its sub-categories in file order; a sub-category without a score adds 0.0 and 0.
    slots = compiled.domain_slots
    dsum = sub[slots[:, 0]]
    dcount = has[slots[:, 0]].astype(np.int16)
    for j in range(1, slots.shape[1]):
        dsum += sub[slots[:, j]]
        dcount += has[slots[:, j]]
    domain_raw = np.divide(dsum, dcount, out=np.full_like(dsum, np.nan), where=dcount > 0)  # (domains, rows)
    has_value = by_column >= 0
    answered_mask = has_value | (by_column <= CODE_NOT_COMPETENT)
    bounds = list(zip(compiled.domain_starts, [*compiled.domain_starts[1:], n], strict=True))
    answered = np.stack([answered_mask[a:b].sum(axis=0, dtype=np.int16) for a, b in bounds])
    scored = np.stack([has_value[a:b].sum(axis=0, dtype=np.int16) for a, b in bounds])
    min_cov = compiled.framework.min_coverage_percent
    totals = compiled.domain_totals[:, None]
    reportable = (scored >= 1) & (dcount > 0) & (answered * 100.0 >= min_cov * totals)
    osum = np.where(reportable[0], domain_raw[0], 0.0)
    ocount = reportable[0].astype(np.int16)
    for d in range(1, reportable.shape[0]):
        osum += np.where(reportable[d], domain_raw[d], 0.0)
        ocount += reportable[d]
    overall_raw = np.divide(osum, ocount, out=np.full_like(osum, np.nan), where=ocount > 0)
    domain_score = round_scores(np.where(reportable, domain_raw, np.nan))
    overall = round_scores(overall_raw)
    out["domain_raw"][:, start:stop] = domain_raw
    out["domain_score"][:, start:stop] = domain_score
    out["domain_band"][:, start:stop] = _bands(compiled, domain_score)
    out["domain_coverage"][:, start:stop] = round_scores(answered.astype(np.int64) * 100 / np.maximum(totals, 1))
    out["domain_answered"][:, start:stop] = answered
    out["domain_scored"][:, start:stop] = scored
    out["overall_raw"][start:stop] = overall_raw
    out["overall"][start:stop] = overall
    out["overall_band"][start:stop] = _bands(compiled, overall)
    out["partial"][start:stop] = ocount < reportable.shape[0]
    out["coverage"][start:stop] = round_scores(answered.sum(axis=0, dtype=np.int64) * 100 / max(int(totals.sum()), 1))
