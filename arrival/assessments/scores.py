"""From stored answers to stored scores, and back again (DESIGN.md rule 2: every published number is reproducible).

`score_store` scores one assessment with the per-assessment path (`score_assessment`) and writes its
ScoreRecord and DomainScore rows; `recompute` scores many published assessments at once with the batch path
(`score_batch`) straight from the answer rows and compares, bit for bit, with what is stored. Both paths
perform the same floating-point operations (see domain/scoring.py), so `batch_results` rebuilds exactly the
JSON that `score_store` wrote.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils.translation import gettext as _

from arrival.assessments.domain.framework_file import Framework, content_checksum
from arrival.assessments.domain.scoring import (
    CODE_MISSING,
    CODE_NOT_COMPETENT,
    STATUS_INSUFFICIENT,
    STATUS_SCORED,
    AssessmentScore,
    BatchScores,
    CompiledFramework,
    answer_code,
    encode_answers,
    score_assessment,
    score_batch,
)
from arrival.assessments.domain.scoring import (
    Answer as DomainAnswer,
)
from arrival.assessments.domain.uncertainty import MonteCarloSettings, rank_interval, score_intervals
from arrival.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    DomainScore,
    IndicatorFramework,
    ScoreRecord,
)
from arrival.assessments.report_tasks import assessment_files_refresh
from arrival.assessments.selectors.analysis import MIN_GROUP_SIZE, peer_position_group
from arrival.assessments.selectors.records import framework_compiled, framework_parsed


def answers_for_scoring(*, assessment: Assessment) -> dict[str, DomainAnswer]:
    """The assessment's policy answers as the engine's `Answer`s; empty rows (no value, no special) are left out."""
    rows = Answer.objects.filter(assessment=assessment, indicator__is_outcome=False).values_list(
        "indicator__code", "value", "special"
    )
    return {
        code: DomainAnswer(value=value, special=special or None)
        for code, value, special in rows
        if value is not None or special
    }


def inputs_sha256(framework: IndicatorFramework, answers: Mapping[str, DomainAnswer]) -> str:
    """SHA-256 over the framework's scoring-content checksum and the canonical JSON of the answers."""
    canonical = json.dumps(
        {code: [answer.value, answer.special or ""] for code, answer in answers.items()},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(f"{framework.content_sha256}\n{canonical}".encode()).hexdigest()


def score_result(score: AssessmentScore) -> dict[str, Any]:
    """The engine's score as stored JSON: `dataclasses.asdict`, floats exactly as computed."""
    return asdict(score)


def score_store(*, assessment: Assessment, with_interval: bool = False) -> ScoreRecord:
    """Score `assessment` from its answers and write its ScoreRecord and DomainScore rows (caller's transaction).

    `with_interval` adds the Monte Carlo interval (on publication); drafts are scored without it, so saving
    an answer stays fast.
    """
    framework = assessment.framework
    parsed = framework_parsed(framework=framework, language="")  # stored scores carry the file's own texts
    answers = answers_for_scoring(assessment=assessment)
    score = score_assessment(parsed, answers)
    uncertainty = None
    intervals: list[Any] = [None] * len(parsed.domains)
    if with_interval:
        compiled = framework_compiled(framework=framework)
        codes = np.array([answer_code(i, answers.get(i.code)) for i in _scored(parsed)], dtype=np.int8)
        found = score_intervals(compiled, codes)
        intervals = list(found.domains)
        uncertainty = asdict(found)
    record, _created = ScoreRecord.objects.update_or_create(
        assessment=assessment,
        defaults={
            "framework_label": framework.label,
            "inputs_sha256": inputs_sha256(framework, answers),
            "overall": score.overall,
            "partial": score.partial,
            "coverage": score.coverage_percent,
            "result": score_result(score),
            "uncertainty": uncertainty,
        },
    )
    DomainScore.objects.filter(assessment=assessment).delete()
    DomainScore.objects.bulk_create([
        DomainScore(
            assessment=assessment, domain_code=domain.code, score=domain.score,
            band=domain.band.code if domain.band else "", coverage=domain.coverage_percent,
            low=interval.low if interval else None, high=interval.high if interval else None,
        )
        for domain, interval in zip(score.domains, intervals, strict=True)
    ])
    return record


def _scored(framework: Framework) -> list[Any]:
    return [i for i in framework.indicators if i.is_scored]


# --- many assessments: the batch path --------------------------------------------------------------------


def _num(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def batch_results(compiled: CompiledFramework, codes: np.ndarray, batch: BatchScores) -> list[dict[str, Any]]:
    """For every row of a `score_batch(…, with_subcategories=True)` run, the JSON `score_result` stores."""
    framework = compiled.framework
    n = compiled.n_columns
    has_value = codes >= 0
    answered = has_value | (codes <= CODE_NOT_COMPETENT)
    # Per sub-category counts over its slots (padding slots point past the last column and count nothing).
    slot_columns = compiled.slot_columns
    padded_scored = np.concatenate([has_value, np.zeros((codes.shape[0], 1), dtype=bool)], axis=1)
    padded_answered = np.concatenate([answered, np.zeros((codes.shape[0], 1), dtype=bool)], axis=1)
    sub_scored = padded_scored[:, slot_columns].sum(axis=2)
    sub_answered = padded_answered[:, slot_columns].sum(axis=2)
    sub_total = (slot_columns < n).sum(axis=1)
    bands = [asdict(b) for b in framework.bands]
    sub_raw = batch.subcategory_raw
    assert sub_raw is not None  # noqa: S101 - callers ask for sub-categories
    layout: list[tuple[str, list[tuple[int, str]]]] = []
    s = 0
    for domain in framework.domains:
        subs = []
        for sub in domain.subcategories:
            subs.append((s, sub.code))
            s += 1
        layout.append((domain.code, subs))
    results = []
    for r in range(codes.shape[0]):
        domains = []
        for d, (d_code, subs) in enumerate(layout):
            shown = _num(batch.domain_score[r, d])
            band = int(batch.domain_band[r, d])
            subcategories = []
            for j, s_code in subs:
                raw = _num(sub_raw[r, j])
                subcategories.append({
                    "code": s_code, "score": None if raw is None else math.floor(raw * 10.0 + 0.5) / 10.0,
                    "raw": raw, "scored": int(sub_scored[r, j]), "answered": int(sub_answered[r, j]),
                    "total": int(sub_total[j]),
                })
            domains.append({
                "code": d_code, "status": STATUS_SCORED if shown is not None else STATUS_INSUFFICIENT,
                "score": shown, "raw": _num(batch.domain_raw[r, d]), "band": bands[band] if band >= 0 else None,
                "coverage_percent": float(batch.domain_coverage[r, d]), "answered": int(batch.domain_answered[r, d]),
                "scored": int(batch.domain_scored[r, d]), "total": int(compiled.domain_totals[d]),
                "subcategories": subcategories,
            })
        overall_band = int(batch.overall_band[r])
        results.append({
            "framework": framework.key, "domains": domains, "overall": _num(batch.overall[r]),
            "overall_raw": _num(batch.overall_raw[r]), "partial": bool(batch.partial[r]),
            "band": bands[overall_band] if overall_band >= 0 else None,
            "coverage_percent": float(batch.coverage[r]), "answered": int(answered[r].sum()), "total": n,
        })
    return results


def canonical(result: Any) -> str:
    """A result as text in which two floats are equal only when their bits are (repr round-trips doubles)."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"))


class _Decoder:
    """Answer rows (indicator id, value as JSON text, special) → int8 codes, memoised: few distinct answers."""

    def __init__(self, framework: Framework, columns: Mapping[int, tuple[int, Any]]) -> None:
        self.columns = columns  # indicator id → (column, domain Indicator); outcome and unscored ids absent
        self.cache: dict[tuple[int, Any, str], int] = {}

    def code(self, indicator_id: int, value_text: Any, special: str) -> int:
        key = (indicator_id, value_text, special)
        code = self.cache.get(key)
        if code is None:
            indicator = self.columns[indicator_id][1]
            value = json.loads(value_text) if isinstance(value_text, str) else value_text
            code = self.cache[key] = answer_code(indicator, DomainAnswer(value=value, special=special or None))
        return code


_MISSING = object()


@dataclass
class Difference:
    """What differs between one published assessment's stored numbers and a fresh computation."""

    assessment_id: int
    label: str  # "<government> <cycle>"
    fields: list[str]  # "<field>: stored X, recomputed Y", one per differing number


@dataclass
class RecomputeReport:
    checked: int = 0
    identical: int = 0
    rewritten: int = 0
    differing: list[Difference] = field(default_factory=list)
    frameworks: list[str] = field(default_factory=list)  # framework content that no longer matches its checksum


def _codes_from_database(framework: IndicatorFramework, assessment_ids: list[int],
                         chunk: int) -> tuple[np.ndarray, list[str]]:
    """The code matrix of `assessment_ids` (row order) and each row's inputs hash, read with a plain cursor."""
    compiled = framework_compiled(framework=framework)
    parsed = compiled.framework
    by_code = {i.code: i for i in parsed.indicators}
    column_of = {code: c for c, code in enumerate(compiled.indicator_codes)}
    ids = dict(framework.indicators.filter(is_outcome=False).values_list("pk", "code"))
    columns = {pk: (column_of[code], by_code[code]) for pk, code in ids.items() if code in column_of}
    decoder = _Decoder(parsed, columns)
    codes = np.full((len(assessment_ids), compiled.n_columns), CODE_MISSING, dtype=np.int8)
    answers: list[dict[str, list[Any]]] = [{} for _ in assessment_ids]
    row_of = {pk: r for r, pk in enumerate(assessment_ids)}
    decoded: dict[str, Any] = {}  # few distinct answer values: decode each text once
    table = Answer._meta.db_table
    cast = "CAST(value AS TEXT)" if connection.vendor == "sqlite" else "value::text"
    for start in range(0, len(assessment_ids), chunk):
        part = assessment_ids[start:start + chunk]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT assessment_id, indicator_id, {cast}, special FROM {table} "  # noqa: S608 - names are ours
                f"WHERE assessment_id >= %s AND assessment_id <= %s",
                [part[0], part[-1]],
            )
            for assessment_id, indicator_id, value_text, special in cursor.fetchall():
                r = row_of.get(assessment_id)
                if r is None or indicator_id not in ids:
                    continue
                if value_text is None or value_text == "null":
                    if not special:
                        continue
                    value_text = None
                if value_text is None:
                    value = None
                elif (value := decoded.get(value_text, _MISSING)) is _MISSING:
                    value = decoded[value_text] = json.loads(value_text)
                answers[r][ids[indicator_id]] = [value, special]
                column = columns.get(indicator_id)
                if column is not None:
                    codes[r, column[0]] = decoder.code(indicator_id, value_text, special)
    hashes = []
    for row in answers:
        canonical_answers = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        hashes.append(hashlib.sha256(f"{framework.content_sha256}\n{canonical_answers}".encode()).hexdigest())
    return codes, hashes


# What `recompute` compares: every stored number a page, an export, the benchmark or the API serves.
_INTERVAL_KEYS = ("seed", "draws", "domains", "overall")
_DOMAIN_ROW_FIELDS = ("score", "band", "coverage", "low", "high")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."  # noqa: PLR2004 - a readable line


def _same(stored: Any, fresh: Any) -> bool:
    """Equal, with floats equal only when their bits are (and 1 never equal to 1.0 or True)."""
    return canonical(stored) == canonical(fresh)


def _differences(stored: Any, fresh: Any, path: str, names: list[str] | None = None) -> list[str]:
    """Each differing leaf as "<path>: stored X, recomputed Y"; lists of records are walked by their code
    (`names` gives the code of each position when the records carry none, e.g. the domains of an interval)."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        found = []
        for key in sorted(set(stored) | set(fresh)):
            found += _differences(stored.get(key), fresh.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        found = []
        for n, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            code = b.get("code") if isinstance(b, dict) else None
            if code is None and names is not None and n < len(names):
                code = names[n]
            found += _differences(a, b, f"{path}[{code if code is not None else n}]")
        return found
    if _same(stored, fresh):
        return []
    return [f"{path}: stored {_show(stored)}, recomputed {_show(fresh)}"]


def served_numbers(*, record: ScoreRecord | None, domain_rows: Iterable[DomainScore]) -> dict[str, Any]:
    """The stored numbers of one assessment as `recompute` compares them (absent record: all None)."""
    uncertainty = record.uncertainty if record is not None else None
    return {
        "framework_label": record.framework_label if record else None,
        "inputs_sha256": record.inputs_sha256 if record else None,
        "overall": record.overall if record else None,
        "partial": record.partial if record else None,
        "coverage": record.coverage if record else None,
        "result": record.result if record else None,
        "interval": {key: uncertainty.get(key) for key in _INTERVAL_KEYS} if isinstance(uncertainty, dict) else None,
        "domain_scores": {row.domain_code: {name: getattr(row, name) for name in _DOMAIN_ROW_FIELDS}
                          for row in domain_rows},
    }


def _fresh_numbers(framework: IndicatorFramework, compiled: CompiledFramework, codes: np.ndarray, sha: str,
                   result: dict[str, Any]) -> dict[str, Any]:
    """What `score_store(…, with_interval=True)` writes for these answer codes, in `served_numbers`' shape."""
    found = score_intervals(compiled, codes)
    interval = json.loads(canonical(asdict(found)))  # as stored: tuples become lists
    return {
        "framework_label": framework.label, "inputs_sha256": sha, "overall": result["overall"],
        "partial": result["partial"], "coverage": result["coverage_percent"], "result": result,
        "interval": {key: interval[key] for key in _INTERVAL_KEYS},
        "domain_scores": {
            domain["code"]: {"score": domain["score"], "band": domain["band"]["code"] if domain["band"] else "",
                             "coverage": domain["coverage_percent"], "low": span.low if span else None,
                             "high": span.high if span else None}
            for domain, span in zip(result["domains"], found.domains, strict=True)
        },
    }


def number_differences(stored: dict[str, Any], fresh: dict[str, Any], *, domain_codes: list[str]) -> list[str]:
    """Every stored number that differs from the fresh one, each named by its field."""
    found: list[str] = []
    for key in ("framework_label", "inputs_sha256", "overall", "partial", "coverage", "result", "interval"):
        names = domain_codes if key == "interval" else None
        if key == "interval" and isinstance(stored[key], dict) and isinstance(fresh[key], dict):
            found += [line for sub in _INTERVAL_KEYS for line in _differences(
                stored[key][sub], fresh[key][sub], f"interval.{sub}", names)]
        elif key == "result" and isinstance(stored[key], dict):
            found += _differences(stored[key], fresh[key], "result")
        elif not _same(stored[key], fresh[key]):
            found.append(f"{key}: stored {_show(stored[key])}, recomputed {_show(fresh[key])}")
    if stored["inputs_sha256"] is not None and stored["inputs_sha256"] != fresh["inputs_sha256"]:
        found.append(_("inputs_sha256: the answers changed since the score was stored"))
    rows_stored, rows_fresh = stored["domain_scores"], fresh["domain_scores"]
    for code in sorted(set(rows_stored) | set(rows_fresh)):
        if code not in rows_stored or code not in rows_fresh:
            found.append(f"domain_scores[{code}]: stored {_show(rows_stored.get(code))}, "
                         f"recomputed {_show(rows_fresh.get(code))}")
        else:
            found += _differences(rows_stored[code], rows_fresh[code], f"domain_scores[{code}]")
    return found


def _peer_position_differences(assessment: Assessment) -> list[str]:
    """The kept peer position, recomputed when the page would serve it (its group has not changed since)."""
    record = ScoreRecord.objects.get(assessment=assessment)
    cached = (record.uncertainty or {}).get("peer_position") if isinstance(record.uncertainty, dict) else None
    if not isinstance(cached, dict):
        return []
    group = peer_position_group(assessment=assessment)
    if group is None or len(group.rows) - 1 < MIN_GROUP_SIZE:
        return []
    settings = MonteCarloSettings()
    if cached.get("key") != _group_key(assessment.framework, group.rows, settings):
        return []  # a changed group: the page computes the position afresh, the kept one is never served
    fresh = _peer_position_fresh(assessment, group, cached["key"], settings)
    return _differences(cached, fresh, "interval.peer_position")


def framework_content_problems(framework: IndicatorFramework) -> list[str]:
    """The framework content scores are recomputed from must still hash to the checksum it was loaded with."""
    found = content_checksum(framework.content)
    if found == framework.content_sha256:
        return []
    return [f"framework {framework.label}: content: stored content hashes to {found[:12]}…, loaded as "
            f"{framework.content_sha256[:12]}… (changed behind `arrival load-framework`)"]


def recompute(
    *,
    assessment_ids: Iterable[int] | None = None,
    check: bool = False,
    chunk: int = 2_000,
    progress: Callable[[int], Any] | None = None,
) -> RecomputeReport:
    """Recompute published scores from their answers and compare every stored number with the fresh one.

    Compared, bit for bit: the ScoreRecord's columns (framework label, inputs hash, overall, partial,
    coverage), its JSON result (every domain and sub-category, bands, counts), its intervals (recomputed with
    the same seeded Monte Carlo), the peer position it keeps when the page would serve it, and every
    DomainScore row (score, band, coverage, interval). The framework content must match its checksum.
    With `check`, nothing is written; otherwise assessments that differ are rewritten with `score_store`.
    `progress(n)` is called after each chunk with the number of assessments it held.
    """
    report = RecomputeReport()
    published = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
    if assessment_ids is not None:
        published = published.filter(pk__in=list(assessment_ids))
    for framework in IndicatorFramework.objects.filter(pk__in=published.values("framework_id")).order_by("pk"):
        report.frameworks += framework_content_problems(framework)
        compiled = framework_compiled(framework=framework)
        domain_codes = [domain.code for domain in compiled.framework.domains]
        ids = list(published.filter(framework=framework).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            codes, hashes = _codes_from_database(framework, part, chunk)
            batch = score_batch(compiled, codes, with_subcategories=True)
            fresh = batch_results(compiled, codes, batch)
            records = {record.assessment_id: record for record in ScoreRecord.objects.filter(assessment_id__in=part)}
            rows: dict[int, list[DomainScore]] = {pk: [] for pk in part}
            for row in DomainScore.objects.filter(assessment_id__in=part).order_by("domain_code"):
                rows[row.assessment_id].append(row)
            for r, pk in enumerate(part):
                report.checked += 1
                record = records.get(pk)
                stored = served_numbers(record=record, domain_rows=rows[pk])
                expected = _fresh_numbers(framework, compiled, codes[r], hashes[r], fresh[r])
                if record is None:
                    problems = [_("no stored score")]
                elif _same(stored, expected):  # one comparison of everything; fields are walked only on a miss
                    problems = []
                else:  # a key present on one side only with a null value is a difference too
                    problems = number_differences(stored, expected, domain_codes=domain_codes) or [
                        _("stored score differs from the recomputed one (a field present on one side only)")]
                if record is not None and not problems and isinstance(record.uncertainty, dict) \
                        and "peer_position" in record.uncertainty:
                    problems = _peer_position_differences(
                        Assessment.objects.select_related("framework", "government").get(pk=pk))
                if not problems:
                    report.identical += 1
                    continue
                assessment = Assessment.objects.select_related("framework", "government").get(pk=pk)
                report.differing.append(Difference(pk, f"{assessment.government.name} {assessment.cycle}", problems))
                if not check:
                    with transaction.atomic():
                        score_store(assessment=assessment, with_interval=True)
                        assessment_files_refresh(assessment=assessment)  # its files carry the rewritten numbers
                    report.rewritten += 1
            if progress is not None:
                progress(len(part))
    return report


# --- position in the peer group ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerPosition:
    """The city's percentile among the other governments of its default peer group, with its 90% interval.

    `others` counts the peers besides the city; the percentiles are None when fewer than MIN_GROUP_SIZE of them
    have a complete overall score (the group is then not shown, as in the benchmark).
    """

    group: str
    others: int
    percentile: float | None = None
    low: float | None = None
    high: float | None = None
    seed: int | None = None
    draws: int | None = None

    @property
    def shown(self) -> bool:
        return self.low is not None

    @staticmethod
    def _whole(value: float | None) -> int | None:
        return None if value is None else math.floor(value + 0.5)

    @property
    def low_whole(self) -> int | None:
        return self._whole(self.low)

    @property
    def high_whole(self) -> int | None:
        return self._whole(self.high)

    @property
    def percentile_whole(self) -> int | None:
        return self._whole(self.percentile)


def _peer_codes(compiled: CompiledFramework, assessment_ids: list[int]) -> np.ndarray:
    """The code matrix of a few assessments, rows in the order given. One query."""
    answers: dict[int, dict[str, DomainAnswer]] = {pk: {} for pk in assessment_ids}
    rows = Answer.objects.filter(assessment_id__in=assessment_ids, indicator__is_outcome=False).values_list(
        "assessment_id", "indicator__code", "value", "special")
    for assessment_id, code, value, special in rows:
        if value is not None or special:
            answers[assessment_id][code] = DomainAnswer(value=value, special=special or None)
    return np.stack([encode_answers(compiled, answers[pk]) for pk in assessment_ids])


def _group_key(framework: IndicatorFramework, rows: list[tuple[int, int, str]], settings: MonteCarloSettings) -> str:
    text = "\n".join([framework.content_sha256, settings.describe().decode(), *(f"{g}:{a}:{sha}" for g, a, sha in rows)])
    return hashlib.sha256(text.encode()).hexdigest()


def _peer_position_fresh(assessment: Assessment, group: Any, key: str, settings: MonteCarloSettings) -> dict[str, Any]:
    """The peer position as `peer_position` keeps it, computed from the group's published answers."""
    others = len(group.rows) - 1
    compiled = framework_compiled(framework=assessment.framework)
    ordered = _peer_codes(compiled, [pk for _g, pk, _sha in group.rows])  # by government id (methods.md §6)
    city = next(r for r, (g, _pk, _sha) in enumerate(group.rows) if g == group.city_government_id)
    found = rank_interval(compiled, ordered, city, settings)
    fresh: dict[str, Any] = {"key": key, "others": others, "percentile": None, "low": None, "high": None,
                             "seed": None, "draws": None}
    if found is not None:
        fresh.update(percentile=found.percentile, low=found.percentile_interval.low,
                     high=found.percentile_interval.high, seed=found.seed, draws=found.draws)
    return fresh


def peer_position(*, assessment: Assessment) -> PeerPosition | None:
    """The city's position in its default peer group (`peer_position_group`), computed on first demand.

    The result is cached in the ScoreRecord's `uncertainty` JSON under "peer_position", keyed by a hash of
    the framework version, the Monte Carlo settings and the group's members with their inputs hashes: it is
    recomputed only when the group changes (a peer publishes or opts out). The cached value is derived from
    published data alone and reproducible, so writing it is not a change anyone makes (no audit row).
    None when no group applies (no population on record, no complete overall score).
    """
    group = peer_position_group(assessment=assessment)
    if group is None:
        return None
    others = len(group.rows) - 1
    if others < MIN_GROUP_SIZE:
        return PeerPosition(group=group.label, others=others)
    settings = MonteCarloSettings()
    key = _group_key(assessment.framework, group.rows, settings)
    record = ScoreRecord.objects.get(assessment=assessment)
    uncertainty = dict(record.uncertainty or {})
    cached = uncertainty.get("peer_position")
    if not (isinstance(cached, dict) and cached.get("key") == key):
        cached = _peer_position_fresh(assessment, group, key, settings)
        uncertainty["peer_position"] = cached
        ScoreRecord.objects.filter(pk=record.pk).update(uncertainty=uncertainty)
    return PeerPosition(group=group.label, others=others, percentile=cached["percentile"], low=cached["low"],
                        high=cached["high"], seed=cached["seed"], draws=cached["draws"])
