"""Analysis reads on real database rows: progress, changes, gaps, peer benchmarks, framework views, dashboard."""

from __future__ import annotations

import pytest
import yaml

from arrival.assessments import gap_providers, selectors
from arrival.assessments.models import Assessment, AssessmentStatus, DomainScore, ScoreRecord
from arrival.assessments.services import answers_save_many
from arrival.frameworks.models import FrameworkKind
from tests.actors.factories import CountryFactory, LocalGovernmentFactory, MembershipFactory, NetworkFactory
from tests.assessments.factories import (
    LMGF_PATH,
    AssessmentFactory,
    answer_all,
    load_lmgf,
    officer_for,
    publish,
)

pytestmark = pytest.mark.django_db

DOMAINS = ["D1", "D2", "D3", "D4", "D5", "D6"]


def _published(government, *, cycle=2024, scores=None, opt_in=True, framework=None):
    """A published assessment with hand-made domain scores (no answers needed for the benchmark)."""
    framework = framework or load_lmgf()
    assessment = Assessment.objects.create(
        government=government, framework=framework, cycle=cycle, status=AssessmentStatus.PUBLISHED,
        benchmark_opt_in=opt_in,
    )
    scores = scores or {}
    ScoreRecord.objects.create(assessment=assessment, framework_label=framework.label, inputs_sha256="x" * 64,
                               overall=None, partial=True, coverage=100.0, result={})
    DomainScore.objects.bulk_create([
        DomainScore(assessment=assessment, domain_code=code, score=scores.get(code), coverage=100.0)
        for code in DOMAINS
    ])
    return assessment


def _file_tags() -> dict[str, list[str]]:
    data = yaml.safe_load(LMGF_PATH.read_text(encoding="utf-8"))
    return {
        indicator["code"]: indicator.get("tags", [])
        for domain in data["domains"] for sub in domain["subcategories"] for indicator in sub["indicators"]
    }


def test_peer_benchmark_quartiles_are_exact_on_a_hand_made_set():
    country = CountryFactory(code="QA", region="Asia")
    governments = [LocalGovernmentFactory(actor__country=country, population=120_000 + n).actor for n in range(6)]
    for government, score in zip(governments, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0], strict=True):
        _published(government, scores={"D1": score, "D2": 50.0})
    groups = {group.key: group for group in selectors.peer_benchmark(assessment=governments[0].assessments.get())}
    country_group = groups["country"]
    assert country_group.n == 6
    assert country_group.shown
    d1 = country_group.domains[0]
    # statistics.quantiles(method="inclusive") over 10…60: positions 1.25, 2.5 and 3.75.
    assert (d1.q1, d1.median, d1.q3, d1.n, d1.own) == (22.5, 35.0, 47.5, 6, 10.0)
    assert country_group.domains[2].shown is False  # D3 has no score anywhere
    assert groups["population"].n == 6  # all in 50,000–250,000
    assert groups["region"].n == 6


def test_peer_groups_below_five_are_hidden_and_opted_out_or_other_cycles_not_counted():
    country = CountryFactory(code="QB", region="Africa")
    governments = [LocalGovernmentFactory(actor__country=country).actor for _ in range(6)]
    for government in governments[:4]:
        _published(government, scores={"D1": 40.0})
    _published(governments[4], scores={"D1": 90.0}, opt_in=False)
    _published(governments[5], scores={"D1": 90.0}, cycle=2023)
    group = next(g for g in selectors.peer_benchmark(assessment=governments[0].assessments.get()) if g.key == "country")
    assert group.n == 4
    assert not group.shown
    assert all(not domain.shown for domain in group.domains)


def test_peer_benchmark_network_group_uses_current_members():
    network = NetworkFactory().actor
    governments = [LocalGovernmentFactory(actor__country=CountryFactory()).actor for _ in range(5)]
    for government in governments:
        MembershipFactory(member=government, network=network)
        _published(government, scores={"D1": 50.0})
    groups = selectors.peer_benchmark(assessment=governments[0].assessments.get())
    network_group = next(g for g in groups if g.key.startswith("network-"))
    assert network_group.n == 5 and network_group.shown
    assert network_group.domains[0].median == 50.0


def test_population_bands():
    assert selectors.population_band(None) is None
    assert selectors.population_band(49_999)[0] == 0
    assert selectors.population_band(50_000)[0] == 50_000
    assert selectors.population_band(999_999)[0] == 250_000
    assert selectors.population_band(5_000_000)[0] == 5_000_000


def test_framework_view_means_coverage_and_crosswalk():
    assessment = AssessmentFactory()
    answer_all(assessment, level=2)
    tags = _file_tags()
    tagged_15 = sorted(code for code, t in tags.items() if "gcm_objective:15" in t)
    assert len(tagged_15) >= 2
    officer = officer_for(assessment.government)
    rows = [{"indicator_code": code, "value": 4, "evidence_reference": "Decision"} for code in tagged_15[1:]]
    rows.append({"indicator_code": tagged_15[0], "special": "unknown"})
    answers_save_many(user=officer, assessment=assessment, rows=rows)

    view = selectors.framework_view(assessment=assessment, kind=FrameworkKind.GCM_OBJECTIVE)
    row = next(r for r in view["direct"] if r.item.code == "15")
    assert sorted(r.indicator.code for r in row.results) == tagged_15
    assert row.mean == 100.0  # the "unknown" answer is left out, never counted as zero
    assert row.coverage == round(100 * (len(tagged_15) - 1) / len(tagged_15), 1)
    assert not row.through_crosswalk
    for crosswalk_row in view["crosswalk"]:
        assert crosswalk_row.through_crosswalk
        direct_codes = {r.indicator.code for r in next((d.results for d in view["direct"] if d.item == crosswalk_row.item), [])}
        assert not direct_codes & {r.indicator.code for r in crosswalk_row.results}
    with pytest.raises(ValueError):
        selectors.framework_view(assessment=assessment, kind="domain")


def test_progress_changes_and_indicator_moves_over_two_cycles():
    government = LocalGovernmentFactory().actor
    first = AssessmentFactory(government=government, cycle=2023)
    answer_all(first, level=1)
    publish(first)
    second = AssessmentFactory(government=government, cycle=2024)
    answer_all(second, level=2)
    officer = officer_for(government)
    answers_save_many(user=officer, assessment=second, rows=[
        {"indicator_code": "D1.1.1", "value": 4, "evidence_reference": "Decision"},
        {"indicator_code": "D1.1.2", "value": 0},
    ])
    second = publish(second)

    points = selectors.progress_over_cycles(government=government)
    assert [p.cycle for p in points] == [2023, 2024]
    assert points[0].domains[0].score == 25.0 and points[0].domains[0].band == "Partially meets"
    assert points[1].overall_low is not None and points[1].overall_low <= points[1].overall_high
    changes = {c.code: c for c in selectors.score_changes(current=points[1], previous=points[0])}
    assert changes["D2"].delta == 25.0

    moves = selectors.indicator_changes(assessment=second, limit=3)
    assert moves["previous"].pk == first.pk
    assert moves["rose"][0].code == "D1.1.1" and moves["rose"][0].delta == 75.0
    assert [c.code for c in moves["fell"]] == ["D1.1.2"]


def test_gap_list_next_level_and_providers():
    assessment = AssessmentFactory()
    answer_all(assessment, level=3)
    officer = officer_for(assessment.government)
    answers_save_many(user=officer, assessment=assessment, rows=[{"indicator_code": "D1.1.1", "value": 0},
                                                                  {"indicator_code": "D2.1.1", "value": 1,
                                                                   "evidence_reference": "Decision"}])
    data = yaml.safe_load(LMGF_PATH.read_text(encoding="utf-8"))
    levels = data["domains"][0]["subcategories"][0]["indicators"][0]["levels"]

    gaps = selectors.gap_list(assessment=assessment)
    assert [g.result.indicator.code for g in gaps] == ["D1.1.1", "D2.1.1"]
    assert gaps[0].next_level == 1 and gaps[0].next_text == " ".join(levels[1].split())
    assert gaps[0].records == []
    assert {item.framework.kind for item in gaps[0].framework_items} >= {"gcm_objective", "sdg_target"}

    seen = {}

    def provider(*, indicator, framework_items, limit):
        seen[indicator.code] = (len(framework_items), limit)
        return [{"title": f"Practice for {indicator.code}", "url": "/p/1/", "badge": "Practice", "is_demo": True}]

    gap_providers.register_gap_provider(provider)
    try:
        gaps = selectors.gap_list(assessment=assessment, records_per_gap=2)
    finally:
        gap_providers.unregister_gap_provider(provider)
    assert gaps[0].records == [{"title": "Practice for D1.1.1", "url": "/p/1/", "badge": "Practice", "is_demo": True}]
    assert seen["D1.1.1"][1] == 2


def test_dashboard_distribution_and_map_points():
    country = CountryFactory(code="QC", region="Americas")
    network = NetworkFactory().actor
    for n in range(5):
        government = LocalGovernmentFactory(actor__country=country).actor
        MembershipFactory(member=government, network=network)
        _published(government, scores={"D1": 10.0 * (n + 1)})
    data = selectors.dashboard(framework=load_lmgf())
    assert data["cycle"] == 2024 and data["n"] == 5
    region = next(r for r in data["regions"] if r.label == "Americas")
    assert region.by_domain[0].median == 30.0
    assert data["networks"][0].by_domain[0].q1 == 20.0
    assert data["bands"][0]["counts"] == [2, 2, 1, 0]  # 10, 20 | 30, 40 | 50
    assert len(data["points"]) == 5
    assert {p["group"] for p in data["points"]} == {"No complete overall score"}
    by_domain = selectors.dashboard(framework=load_lmgf(), domain="D1")
    assert {p["group"] for p in by_domain["points"]} == {"Requires further progress", "Partially meets", "Meets"}
