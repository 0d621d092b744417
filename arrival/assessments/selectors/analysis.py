"""Reads that analyse published assessments: progress, gaps, peer benchmarks, framework views, dashboards.

Peer benchmarks (`peer_benchmark`) compare an assessment with comparable published assessments of the same
cycle and framework version whose governments opted in. Comparable means one of:

- the same country;
- the same population band (GeoNames population of the local government):
  under 50,000 · 50,000 to under 250,000 · 250,000 to under 1 million · 1 to under 5 million · 5 million or more;
- a city network both belong to (current memberships);
- the same UN M49 region.

A group shows its size n, the median and the quartiles per domain (quartiles by linear interpolation between
closest ranks, Python's `statistics.quantiles(method="inclusive")`, the same as R's type 7 and NumPy's default).
A group, or one domain of a group, with fewer than `MIN_GROUP_SIZE` scores is not shown: too small a group
would let readers work out one government's score, and its quartiles would swing with every new member.
No function here ranks governments: there is no league table.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor, Membership
from arrival.actors.selectors import current_membership_q
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.domain.scoring import Answer as ScoringAnswer
from arrival.assessments.domain.scoring import indicator_score, is_answered
from arrival.assessments.gap_providers import gap_records
from arrival.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    DomainScore,
    Indicator,
    IndicatorFramework,
    SpecialAnswer,
)
from arrival.assessments.selectors.records import framework_parsed, previous_assessment
from arrival.core.languages import region_name, sort_key
from arrival.core.translations import localized, marked_name, sentence_with_names
from arrival.frameworks.models import CrosswalkLink, FrameworkItem, FrameworkKind
from arrival.reports.maps import point

__all__ = [
    "MIN_GROUP_SIZE",
    "POPULATION_BANDS",
    "VIEW_KINDS",
    "benchmark_eligible",
    "dashboard",
    "framework_view",
    "gap_list",
    "indicator_changes",
    "population_band",
    "peer_benchmark",
    "peer_position_group",
    "progress_over_cycles",
    "score_changes",
]

MIN_GROUP_SIZE = 5

# (lower bound inclusive, upper bound exclusive or None, label)
POPULATION_BANDS: tuple[tuple[int, int | None, Any], ...] = (
    (0, 50_000, _("under 50,000 inhabitants")),
    (50_000, 250_000, _("50,000 to 250,000 inhabitants")),
    (250_000, 1_000_000, _("250,000 to 1 million inhabitants")),
    (1_000_000, 5_000_000, _("1 to 5 million inhabitants")),
    (5_000_000, None, _("5 million inhabitants or more")),
)

VIEW_KINDS = (FrameworkKind.GCM_OBJECTIVE, FrameworkKind.SDG_TARGET, FrameworkKind.NUA_PARAGRAPH)

_PUBLISHED = AssessmentStatus.PUBLISHED


# --- shared helpers ------------------------------------------------------------------------------------


def _band_labels(parsed: ff.Framework) -> dict[str, str]:
    return {band.code: band.label for band in parsed.bands}


def _band_label(parsed: ff.Framework, score: float | None) -> str:
    return "" if score is None else parsed.band_for(score).label


@dataclass(frozen=True)
class IndicatorResult:
    indicator: ff.Indicator
    domain: ff.Domain
    subcategory: ff.Subcategory
    value: Any
    special: str
    score: float | None  # None: special, unanswered or not scored

    @property
    def answered(self) -> bool:
        """Counts towards coverage (docs/methods.md §3): a value, or "not a power" / "not applicable"."""
        return is_answered(ScoringAnswer(value=self.value, special=self.special or None))

    @property
    def special_label(self) -> str:
        return str(SpecialAnswer(self.special).label) if self.special else ""


def _indicator_results(assessment: Assessment) -> dict[str, IndicatorResult]:
    """Every scored-type indicator of the assessment's framework with its answer and score. One query."""
    parsed = framework_parsed(framework=assessment.framework)
    rows = {
        code: (value, special)
        for code, value, special in Answer.objects.filter(assessment=assessment).values_list(
            "indicator__code", "value", "special"
        )
    }
    results: dict[str, IndicatorResult] = {}
    for domain in parsed.domains:
        for sub in domain.subcategories:
            for indicator in sub.indicators:
                if not indicator.is_scored:
                    continue
                value, special = rows.get(indicator.code, (None, ""))
                score = indicator_score(indicator, ScoringAnswer(value=value, special=special or None)) if (
                    value is not None or special) else None
                results[indicator.code] = IndicatorResult(
                    indicator=indicator, domain=domain, subcategory=sub, value=value, special=special or "", score=score
                )
    return results


# --- progress over cycles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainPoint:
    code: str
    title: str
    score: float | None  # None = insufficient data
    band: str
    low: float | None
    high: float | None
    coverage: float


@dataclass(frozen=True)
class CyclePoint:
    assessment: Assessment
    cycle: int
    framework_label: str
    overall: float | None
    overall_band: str
    overall_low: float | None
    overall_high: float | None
    partial: bool
    coverage: float
    domains: list[DomainPoint]


def _overall_interval(uncertainty: Any) -> tuple[float | None, float | None]:
    overall = (uncertainty or {}).get("overall") if isinstance(uncertainty, dict) else None
    if isinstance(overall, dict):
        return overall.get("low"), overall.get("high")
    if isinstance(overall, list | tuple) and len(overall) == 2:  # noqa: PLR2004 - a [low, high] pair
        return overall[0], overall[1]
    return None, None


def _cycle_point(assessment: Assessment) -> CyclePoint:
    parsed = framework_parsed(framework=assessment.framework)
    titles = {domain.code: domain.title for domain in parsed.domains}
    labels = _band_labels(parsed)
    rows = {row.domain_code: row for row in assessment.domain_scores.all()}
    domains = []
    for domain in parsed.domains:
        row = rows.get(domain.code)
        domains.append(DomainPoint(
            code=domain.code, title=titles[domain.code],
            score=row.score if row else None,
            band=labels.get(row.band, row.band) if row and row.score is not None else "",
            low=row.low if row else None, high=row.high if row else None,
            coverage=row.coverage if row else 0.0,
        ))
    score = getattr(assessment, "score", None)
    low, high = _overall_interval(score.uncertainty if score else None)
    overall = score.overall if score else None
    return CyclePoint(
        assessment=assessment, cycle=assessment.cycle,
        framework_label=score.framework_label if score else assessment.framework.label,
        overall=overall, overall_band=_band_label(parsed, overall), overall_low=low, overall_high=high,
        partial=bool(score.partial) if score else True, coverage=score.coverage if score else 0.0, domains=domains,
    )


def _published_with_scores() -> QuerySet[Assessment]:
    return Assessment.objects.filter(status=_PUBLISHED).select_related("framework", "score", "government").prefetch_related(
        Prefetch("domain_scores", queryset=DomainScore.objects.order_by("domain_code"))
    )


def progress_over_cycles(*, government: Actor) -> list[CyclePoint]:
    """Each published cycle of `government`, oldest first, with domain and overall scores and intervals."""
    assessments = _published_with_scores().filter(government=government).order_by("cycle")
    return [_cycle_point(assessment) for assessment in assessments]


@dataclass(frozen=True)
class ScoreChange:
    code: str
    title: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


def score_changes(*, current: CyclePoint, previous: CyclePoint | None) -> list[ScoreChange]:
    """Domain and overall change from `previous` to `current`; a side without a score gives no delta."""
    if previous is None:
        return []
    before = {domain.code: domain.score for domain in previous.domains}
    changes = [ScoreChange(code=d.code, title=d.title, before=before.get(d.code), after=d.score) for d in current.domains]
    changes.append(ScoreChange(code="overall", title=str(_("Overall")), before=previous.overall, after=current.overall))
    return changes


# --- strengths and gaps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    question: str
    domain_title: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def indicator_changes(*, assessment: Assessment, limit: int = 5) -> dict[str, Any]:
    """The indicators that rose most (strengths) and fell most (gaps) since the previous published cycle.

    Only indicators scored in both cycles count; ties keep framework order. Three queries.
    """
    previous = previous_assessment(assessment=assessment)
    if previous is None:
        return {"previous": None, "rose": [], "fell": []}
    now, before = _indicator_results(assessment), _indicator_results(previous)
    changes = [
        IndicatorChange(code=code, question=result.indicator.question, domain_title=result.domain.title,
                        before=was, after=now_score)
        for code, result in now.items()
        if (now_score := result.score) is not None and code in before and (was := before[code].score) is not None
    ]
    rose = sorted((c for c in changes if c.delta > 0), key=lambda c: -c.delta)[:limit]
    fell = sorted((c for c in changes if c.delta < 0), key=lambda c: c.delta)[:limit]
    return {"previous": previous, "rose": rose, "fell": fell}


# --- gap list -------------------------------------------------------------------------------------------


@dataclass
class Gap:
    indicator: Indicator
    result: IndicatorResult
    level: int
    level_text: str
    next_level: int
    next_text: str
    framework_items: list[FrameworkItem] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)


_TAG_KIND = {kind.value: kind.value for kind in FrameworkKind}


def _tag_items(tags: Iterable[str]) -> dict[str, FrameworkItem]:
    """Current framework items for "kind:code" tags, keyed by tag. One query."""
    condition = Q()
    wanted = set()
    for tag in tags:
        kind, _sep, code = tag.partition(":")
        if kind in _TAG_KIND:
            condition |= Q(framework__kind=kind, code=code)
            wanted.add(tag)
    if not wanted:
        return {}
    items = FrameworkItem.objects.filter(condition, framework__is_current=True).select_related("framework")
    return {f"{item.framework.kind}:{item.code}": item for item in items}


def gap_list(*, assessment: Assessment, records_per_gap: int = 3) -> list[Gap]:
    """Each maturity indicator answered below level 2, with what the next level means and linked records.

    Linked records come from the registered gap providers (`arrival.assessments.gap_providers`).
    """
    results = _indicator_results(assessment)
    low = [
        r for r in results.values()
        if r.indicator.answer_type == ff.MATURITY and isinstance(r.value, int) and r.value < 2  # noqa: PLR2004
    ]
    if not low:
        return []
    rows = {
        row.code: row
        for row in Indicator.objects.filter(framework=assessment.framework, code__in=[r.indicator.code for r in low])
    }
    items = _tag_items(tag for r in low for tag in r.indicator.tags)
    gaps = []
    for result in low:
        level = int(result.value)
        gap = Gap(
            indicator=rows[result.indicator.code], result=result, level=level,
            level_text=result.indicator.levels[level], next_level=level + 1,
            next_text=result.indicator.levels[level + 1],
            framework_items=[items[tag] for tag in result.indicator.tags if tag in items],
        )
        gap.records = gap_records(indicator=gap.indicator, framework_items=gap.framework_items, limit=records_per_gap)
        gaps.append(gap)
    return gaps


# --- peer benchmark -------------------------------------------------------------------------------------


def population_band(population: int | None) -> tuple[int, int | None, Any] | None:
    if population is None:
        return None
    for band in POPULATION_BANDS:
        if population >= band[0] and (band[1] is None or population < band[1]):
            return band
    return None


@dataclass(frozen=True)
class DomainStats:
    code: str
    title: str
    n: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    own: float | None = None

    @property
    def shown(self) -> bool:
        return self.median is not None


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    n: int
    shown: bool
    domains: list[DomainStats]


def _stats(values: Sequence[float]) -> tuple[float, float, float]:
    q1, median, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return round(q1, 1), round(median, 1), round(q3, 1)


def benchmark_eligible(*, framework: IndicatorFramework, cycle: int) -> QuerySet[DomainScore]:
    """Domain scores of published, opted-in assessments of one cycle and framework version."""
    return DomainScore.objects.filter(
        assessment__status=_PUBLISHED, assessment__benchmark_opt_in=True,
        assessment__cycle=cycle, assessment__framework=framework,
    )


def _group(key: str, label: str, rows: QuerySet[DomainScore], parsed: ff.Framework,
           own: dict[str, float | None]) -> PeerGroup:
    values: dict[str, list[float]] = defaultdict(list)
    members: set[int] = set()
    for assessment_id, code, score in rows.values_list("assessment_id", "domain_code", "score"):
        members.add(assessment_id)
        if score is not None:
            values[code].append(score)
    shown = len(members) >= MIN_GROUP_SIZE
    domains = []
    for domain in parsed.domains:
        scores = values.get(domain.code, [])
        if shown and len(scores) >= MIN_GROUP_SIZE:
            q1, median, q3 = _stats(scores)
            domains.append(DomainStats(domain.code, domain.title, len(scores), q1, median, q3, own.get(domain.code)))
        else:
            domains.append(DomainStats(domain.code, domain.title, len(scores), own=own.get(domain.code)))
    return PeerGroup(key=key, label=label, n=len(members), shown=shown, domains=domains)


def peer_benchmark(*, assessment: Assessment) -> list[PeerGroup]:
    """Median and quartiles per domain in each group of comparable governments (module docstring)."""
    parsed = framework_parsed(framework=assessment.framework)
    government = Actor.objects.select_related("country").get(pk=assessment.government_id)
    eligible = benchmark_eligible(framework=assessment.framework, cycle=assessment.cycle)
    own = dict(DomainScore.objects.filter(assessment=assessment).values_list("domain_code", "score"))
    groups: list[PeerGroup] = []
    country = government.country
    if country is not None:
        groups.append(_group(
            "country", sentence_with_names(_("Same country: %(name)s"), name=country.display_name),
            eligible.filter(assessment__government__country_id=country.pk), parsed, own,
        ))
    band = population_band(government.population)
    if band is not None:
        lower, upper, label = band
        rows = eligible.filter(assessment__government__population__gte=lower)
        if upper is not None:
            rows = rows.filter(assessment__government__population__lt=upper)
        groups.append(_group("population", str(_("Same population band: %(band)s") % {"band": label}), rows, parsed, own))
    networks = (
        Membership.objects.filter(current_membership_q(), member=government)
        .select_related("network").order_by("network__name").distinct()
    )
    seen: set[int] = set()
    for membership in networks:
        if membership.network_id in seen:
            continue
        seen.add(membership.network_id)
        members = Membership.objects.filter(current_membership_q(), network_id=membership.network_id).values("member_id")
        groups.append(_group(
            f"network-{membership.network_id}",
            sentence_with_names(_("Same network: %(name)s"), name=marked_name(membership.network)),
            eligible.filter(assessment__government_id__in=members), parsed, own,
        ))
    if country is not None and country.region:
        groups.append(_group(
            "region", sentence_with_names(_("Same world region (UN M49): %(name)s"), name=region_name(country.region)),
            eligible.filter(assessment__government__country__region=country.region), parsed, own,
        ))
    return groups


@dataclass(frozen=True)
class PositionGroup:
    """The default peer group of the position interval: the city first considered, then its peers."""

    label: str
    city_government_id: int
    rows: list[tuple[int, int, str]]  # (government id, assessment id, inputs SHA-256), by government id, city included


def peer_position_group(*, assessment: Assessment) -> PositionGroup | None:
    """The group the city's position is computed in (docs/methods.md, "Peer benchmark"): published, opted-in
    assessments of the same cycle and framework version in the city's population band, with a complete
    (not partial) overall score. A partial overall score averages other domains, so it is not compared.
    None when the city has no population on record or no complete overall score. One or two queries.
    """
    government = Actor.objects.get(pk=assessment.government_id)
    band = population_band(government.population)
    record = getattr(assessment, "score", None)
    if band is None or record is None or record.overall is None or record.partial:
        return None
    lower, upper, label = band
    peers = Assessment.objects.filter(
        status=_PUBLISHED, benchmark_opt_in=True, cycle=assessment.cycle, framework_id=assessment.framework_id,
        government__population__gte=lower, score__overall__isnull=False, score__partial=False,
    ).exclude(pk=assessment.pk)
    if upper is not None:
        peers = peers.filter(government__population__lt=upper)
    rows = list(peers.values_list("government_id", "pk", "score__inputs_sha256"))
    rows.append((assessment.government_id, assessment.pk, record.inputs_sha256))
    rows.sort()
    return PositionGroup(label=str(label), city_government_id=assessment.government_id, rows=rows)


# --- framework views (GCM objectives, SDG targets, NUA paragraphs) --------------------------------------


@dataclass
class ViewRow:
    item: FrameworkItem
    results: list[IndicatorResult]
    through_crosswalk: bool

    @property
    def mean(self) -> float | None:
        scores = [r.score for r in self.results if r.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None

    @property
    def coverage(self) -> float:
        return round(100 * sum(r.answered for r in self.results) / len(self.results), 1) if self.results else 0.0


def framework_view(*, assessment: Assessment, kind: str) -> dict[str, list[ViewRow]]:
    """The assessment's answers seen through one framework's items.

    `direct`: items an indicator's framework-file tags name. `crosswalk`: items linked in Arrival's crosswalk
    to a governance domain the indicators are tagged with, counting only indicators not tagged with the item
    directly. Three queries.
    """
    if kind not in VIEW_KINDS:
        raise ValueError(f"no framework view for {kind!r}")
    results = _indicator_results(assessment)
    direct: dict[str, list[IndicatorResult]] = defaultdict(list)
    by_domain: dict[str, list[IndicatorResult]] = defaultdict(list)
    for result in results.values():
        for tag in result.indicator.tags:
            tag_kind, _sep, code = tag.partition(":")
            if tag_kind == kind:
                direct[code].append(result)
            elif tag_kind == FrameworkKind.DOMAIN:
                by_domain[code].append(result)
    items = FrameworkItem.objects.filter(framework__kind=kind, framework__is_current=True).select_related("framework")
    item_by_code = {item.code: item for item in items.order_by("position")}
    direct_rows = [ViewRow(item, direct[code], False) for code, item in item_by_code.items() if code in direct]
    links = CrosswalkLink.objects.filter(
        item__framework__kind=kind, item__framework__is_current=True, domain__framework__is_current=True,
        domain__code__in=list(by_domain),
    ).values_list("item__code", "domain__code")
    related: dict[str, dict[str, IndicatorResult]] = defaultdict(dict)
    for item_code, domain_code in links:
        directly = {r.indicator.code for r in direct.get(item_code, [])}
        for result in by_domain[domain_code]:
            if result.indicator.code not in directly:
                related[item_code][result.indicator.code] = result
    crosswalk_rows = [
        ViewRow(item, sorted(related[code].values(), key=lambda r: r.indicator.code), True)
        for code, item in item_by_code.items() if related.get(code)
    ]
    return {"direct": direct_rows, "crosswalk": crosswalk_rows}


# --- network and agency dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    label: str
    n: int
    by_domain: list[DomainStats]


def _distribution(label: str, scores: dict[str, list[float]], n: int, parsed: ff.Framework) -> Distribution:
    domains = []
    for domain in parsed.domains:
        values = scores.get(domain.code, [])
        if n >= MIN_GROUP_SIZE and len(values) >= MIN_GROUP_SIZE:
            q1, median, q3 = _stats(values)
            domains.append(DomainStats(domain.code, domain.title, len(values), q1, median, q3))
        else:
            domains.append(DomainStats(domain.code, domain.title, len(values)))
    return Distribution(label=label, n=n, by_domain=domains)


def dashboard(*, framework: IndicatorFramework, cycle: int | None = None, domain: str = "") -> dict[str, Any]:
    """Distribution of domain scores across a cycle's published assessments by M49 region and by network,
    band counts per domain, and map points coloured by band (the overall band, or one domain's)."""
    parsed = framework_parsed(framework=framework)
    published = Assessment.objects.filter(status=_PUBLISHED, framework=framework)
    cycles = sorted(set(published.values_list("cycle", flat=True)), reverse=True)
    if cycle is None and cycles:
        cycle = cycles[0]
    result: dict[str, Any] = {"cycles": cycles, "cycle": cycle, "domains": parsed.domains, "domain": domain,
                              "regions": [], "networks": [], "bands": [], "points": [], "n": 0}
    if cycle is None:
        return result
    rows = list(
        published.filter(cycle=cycle)
        .select_related("government__country", "government__local", "score")
        .prefetch_related("domain_scores")
        .order_by("government__name")
    )
    result["n"] = len(rows)
    scores_of = {a.pk: {d.domain_code: d.score for d in a.domain_scores.all()} for a in rows}

    def collect(assessments: Iterable[Assessment]) -> tuple[dict[str, list[float]], int]:
        values: dict[str, list[float]] = defaultdict(list)
        count = 0
        for a in assessments:
            count += 1
            for code, score in scores_of[a.pk].items():
                if score is not None:
                    values[code].append(score)
        return values, count

    by_region: dict[str, list[Assessment]] = defaultdict(list)
    for a in rows:
        region = a.government.country.region if a.government.country is not None else ""
        by_region[region_name(region) or str(_("No region recorded"))].append(a)
    result["regions"] = [_distribution(name, *collect(group), parsed)
                         for name, group in sorted(by_region.items(), key=lambda pair: sort_key(pair[0]))]

    memberships = (
        Membership.objects.filter(current_membership_q(), member_id__in=[a.government_id for a in rows])
        .values_list("network_id", "member_id").distinct()
    )
    by_network: dict[int, set[int]] = defaultdict(set)
    for network_id, member_id in memberships:
        by_network[network_id].add(member_id)
    networks = Actor.objects.in_bulk(list(by_network))
    result["networks"] = [
        _distribution(marked_name(network), *collect(a for a in rows if a.government_id in by_network[network.pk]), parsed)
        for network in sorted(networks.values(), key=lambda network: sort_key(localized(network, "name").text))
    ]

    band_counts = []
    for d in parsed.domains:
        counts = {band.code: 0 for band in parsed.bands}
        insufficient = 0
        for a in rows:
            score = scores_of[a.pk].get(d.code)
            if score is None:
                insufficient += 1
            else:
                counts[parsed.band_for(score).code] += 1
        band_counts.append({"domain": d, "counts": [counts[b.code] for b in parsed.bands], "insufficient": insufficient})
    result["bands"] = band_counts
    result["band_labels"] = [band.label for band in parsed.bands]

    # A partial overall score is never headlined, so it gets no colour of its own on the map.
    no_band = str(_("Insufficient data")) if domain else str(_("No complete overall score"))
    points = []
    for a in rows:
        local = getattr(a.government, "local", None)
        if local is None or local.latitude is None or local.longitude is None:
            continue
        if domain:
            score = scores_of[a.pk].get(domain)
        else:
            record = getattr(a, "score", None)
            score = record.overall if record is not None and not record.partial else None
        group = parsed.band_for(score).label if score is not None else no_band
        label = f"{score:.1f}" if score is not None else no_band
        points.append(point(a.government.name, reverse("assessments:detail", args=[a.pk]), local.latitude,
                            local.longitude, label=label, group=group))
    result["points"] = points
    return result
