"""The Monte Carlo: seeded, deterministic, bounded by the indicator scores it aggregates."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.assessments.domain.framework_file import FRAMEWORKS_DIR, load_framework
from arrival.assessments.domain.scoring import compile_framework, score_batch
from arrival.assessments.domain.uncertainty import (
    MonteCarloSettings,
    derive_seed,
    rank_interval,
    score_intervals,
)

COMPILED = compile_framework(load_framework(FRAMEWORKS_DIR / "lmgf-1.0.yaml"))
FAST = MonteCarloSettings(draws=200)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

code_rows = st.lists(st.integers(-4, 4), min_size=60, max_size=60).map(lambda v: np.array(v, dtype=np.int8))


@PROPERTY
@given(code_rows)
def test_same_inputs_give_the_same_interval(row: np.ndarray) -> None:
    assert score_intervals(COMPILED, row, FAST) == score_intervals(COMPILED, row.copy(), FAST)


def test_seed_depends_on_answers_framework_and_settings() -> None:
    row = np.zeros((1, 60), dtype=np.int8)
    changed = row.copy()
    changed[0, 5] = 1
    seed = derive_seed(COMPILED, row, FAST)
    assert seed == derive_seed(COMPILED, row.copy(), FAST)
    assert seed != derive_seed(COMPILED, changed, FAST)
    assert seed != derive_seed(COMPILED, row, MonteCarloSettings(draws=201))
    assert seed != derive_seed(COMPILED, row, FAST, salt=b"rank:0")


@PROPERTY
@given(code_rows)
def test_intervals_stay_within_the_scores_they_aggregate(row: np.ndarray) -> None:
    result = score_intervals(COMPILED, row, FAST)
    nominal = score_batch(COMPILED, row[None, :])
    for d, interval in enumerate(result.domains):
        if np.isnan(nominal.domain_score[0, d]):
            assert interval is None
            continue
        assert interval is not None
        levels = row[d * 10:(d + 1) * 10]
        scores = levels[levels >= 0] * 25.0
        assert scores.min() <= interval.low <= interval.high <= scores.max()
    if result.overall is not None:
        assert 0.0 <= result.overall.low <= result.overall.high <= 100.0
    else:
        assert np.isnan(nominal.overall[0])


@PROPERTY
@given(st.integers(0, 4), st.lists(st.sampled_from([-4, -3, -2, -1]), min_size=60, max_size=60), st.data())
def test_equal_levels_collapse_the_interval(level: int, specials: list[int], data: st.DataObject) -> None:
    row = np.full(60, level, dtype=np.int8)
    # Up to 3 special answers per domain keep coverage at 70% or more.
    for d in range(6):
        for position in data.draw(st.lists(st.integers(0, 9), max_size=3, unique=True)):
            row[d * 10 + position] = specials[d * 10 + position]
    result = score_intervals(COMPILED, row, FAST)
    for interval in result.domains:
        assert interval is not None and interval.low == interval.high == level * 25.0
    assert result.overall is not None and result.overall.low == result.overall.high == level * 25.0


def test_rank_interval_is_deterministic_and_contains_the_extremes() -> None:
    rng = np.random.default_rng(3)
    peers = rng.integers(0, 5, size=(40, 60)).astype(np.int8)
    peers[0] = 4  # the best possible city ranks first in every draw
    peers[1] = 0  # the worst ranks last in every draw
    best = rank_interval(COMPILED, peers, 0, FAST)
    worst = rank_interval(COMPILED, peers, 1, FAST)
    assert best is not None and worst is not None
    assert best == rank_interval(COMPILED, peers, 0, FAST)
    assert best.rank == 1 and best.rank_interval.low == best.rank_interval.high == 1
    assert best.percentile == 100.0 and best.percentile_interval.low == 100.0
    assert worst.rank == 40 and worst.rank_interval.low == 40 and worst.percentile_interval.high == 0.0
    middle = rank_interval(COMPILED, peers, 5, FAST)
    assert middle is not None and 1 <= middle.rank_interval.low <= middle.rank_interval.high <= 40


def test_rank_needs_an_overall_score() -> None:
    peers = np.zeros((3, 60), dtype=np.int8)
    peers[0] = -2  # all unknown: no overall score
    assert rank_interval(COMPILED, peers, 0, FAST) is None
