"""Distribution keys: hand-checked examples, exact sums, multi-level (no database needed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrival.planning.domain import Locality, key_compute, largest_remainder, quotas_multilevel
from arrival.planning.domain.keys import EU2015_CAP


def loc(lid: str, pop: int, **inputs: float) -> Locality:
    return Locality(id=lid, name=lid.title(), population=pop, key_inputs=inputs)


def test_largest_remainder_hand_checked() -> None:
    # exact quotas 10·(5,3,2)/10 = 5, 3, 2 — no remainders
    assert largest_remainder(10, [5, 3, 2]) == [5, 3, 2]
    # 7·(1/3 each) = 2.333… → floors 2,2,2, one left to the lowest index among equal remainders
    assert largest_remainder(7, [1, 1, 1]) == [3, 2, 2]
    # 10·(0.455, 0.315, 0.23) = 4.55, 3.15, 2.3 → 4,3,2 + one to the largest remainder (4.55)
    assert largest_remainder(10, [0.455, 0.315, 0.23]) == [5, 3, 2]
    assert largest_remainder(0, [1, 2]) == [0, 0]
    assert largest_remainder(3, [0, 0, 0]) == [1, 1, 1]


@given(st.integers(0, 10_000), st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_largest_remainder_sums_exactly(total: int, weights: list[float]) -> None:
    q = largest_remainder(total, weights)
    assert sum(q) == total
    assert all(x >= 0 for x in q)
    s = sum(weights)
    if s > 0:  # each quota within one unit of its exact share
        for x, w in zip(q, weights, strict=True):
            assert abs(x - total * w / s) < 1 + 1e-9


def test_population_and_koenigstein() -> None:
    locs = [loc("a", 600, tax_revenue=10.0), loc("b", 300, tax_revenue=30.0), loc("c", 100, tax_revenue=60.0)]
    pop = key_compute("population", locs, total=100)
    assert pop.quotas == [60, 30, 10]
    k = key_compute("koenigstein", locs, total=300)
    # 2/3·(0.1, 0.3, 0.6) + 1/3·(0.6, 0.3, 0.1) = (0.2667, 0.3, 0.4333)
    np.testing.assert_allclose(k.shares, [0.8 / 3, 0.3, 1.3 / 3])
    assert k.quotas == [80, 90, 130]
    assert k.weights == {"tax_revenue": 2 / 3, "population": 1 / 3}
    assert "2/3" in k.formula
    assert k.inputs[1] == {"id": "b", "name": "B", "tax_revenue": 30.0, "population": 300.0}


def test_eu2015_with_cap() -> None:
    locs = [loc("a", 500, gdp=50.0, unemployment_rate=0.10, past_effort=1.0),
            loc("b", 500, gdp=50.0, unemployment_rate=0.05, past_effort=1.0)]
    r = key_compute("eu2015", locs, total=1000)
    # base = 0.4·0.5 + 0.4·0.5 = 0.4 each; u = 0.1·(1/3, 2/3) → (0.0333, 0.0667), cap 0.3·0.4 = 0.12 (not reached)
    # e = 0.05 each → totals 0.4833, 0.5167 → shares /1.0
    np.testing.assert_allclose(r.shares, [0.4 + 0.1 / 3 + 0.05, 0.4 + 0.2 / 3 + 0.05])
    assert sum(r.quotas) == 1000
    assert r.capped == {}
    # a near-zero unemployment rate makes the correction huge; the cap holds it at 30 % of base
    locs2 = [loc("a", 100, gdp=10.0, unemployment_rate=1e-9, past_effort=1.0),
             loc("b", 900, gdp=90.0, unemployment_rate=0.1, past_effort=1.0)]
    r2 = key_compute("eu2015", locs2, total=100)
    base_a = 0.4 * 0.1 + 0.4 * 0.1
    raw = base_a + min(0.1, EU2015_CAP * base_a) + min(0.05, EU2015_CAP * base_a)
    raw_b = 0.72 + 0.1 * 10 / (1e6 + 10) + 0.05  # 1/x with x floored at 1e-6 for a
    np.testing.assert_allclose(r2.shares[0], raw / (raw + raw_b), rtol=1e-6)
    # for a, both corrections (0.1 and 0.05) exceed the cap 0.3 · 0.08 = 0.024; for b, none does
    assert r2.capped == {"unemployment_rate": 1, "past_effort": 1}


def test_custom_with_inverse_and_errors() -> None:
    locs = [loc("a", 100, jobs=10.0, rent=2.0), loc("b", 100, jobs=30.0, rent=1.0)]
    r = key_compute("custom", locs, total=12, custom_weights={"jobs": 1.0, "rent": 1.0}, inverse=["rent"])
    # 0.5·(0.25, 0.75) + 0.5·inverse rent (1/3, 2/3)
    np.testing.assert_allclose(r.shares, [0.5 * 0.25 + 0.5 / 3, 0.5 * 0.75 + 1 / 3])
    assert "(1/rent)" in r.formula
    with pytest.raises(ValueError, match="no value for key input 'gdp'"):
        key_compute("eu2015", locs, total=1)
    with pytest.raises(ValueError, match="unknown key"):
        key_compute("lottery", locs, total=1)
    with pytest.raises(ValueError, match="inverse inputs without a weight"):
        key_compute("custom", locs, total=1, custom_weights={"jobs": 1.0}, inverse=["rent"])


def test_multilevel_sums_at_each_level() -> None:
    regions = [loc("r1", 700), loc("r2", 300)]
    by_region = {"r1": [loc("x", 100), loc("y", 200), loc("z", 400)], "r2": [loc("u", 1), loc("w", 2)]}
    national, regional = quotas_multilevel(total=101, regions=regions, localities_by_region=by_region, key="population")
    assert national.quotas == [71, 30]
    assert sum(regional["r1"].quotas) == 71 and sum(regional["r2"].quotas) == 30
    assert regional["r2"].quotas == [10, 20]
    assert regional["r1"].quotas == [10, 20, 41]
    with pytest.raises(ValueError, match="has no localities"):
        quotas_multilevel(total=5, regions=regions, localities_by_region={"r1": by_region["r1"]}, key="population")
