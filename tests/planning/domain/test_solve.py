"""The planner: known optima by brute force, invariants by hypothesis, the certificate (no database needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.planning.domain import (
    Case,
    Locality,
    PlanInfeasible,
    PlanningProblem,
    Weights,
    key_compute,
    objective_matrix,
    plan_metrics,
    plan_solve,
    plan_validate,
)
from arrival.planning.domain.outcomes import SERVICES, instance_synthetic, scores_synthetic
from arrival.planning.domain.solve import plan_value

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw: st.DrawFn, max_cases: int = 7, max_localities: int = 3, band: bool = True) -> PlanningProblem:
    n = draw(st.integers(1, max_cases))
    m = draw(st.integers(1, max_localities))
    services = ["housing", "school"]
    locs = []
    for j in range(m):
        caps = {s: draw(st.one_of(st.none(), st.integers(0, 6)).map(lambda x: None if x is None else float(x)))
                for s in services}
        locs.append(Locality(id=f"L{j}", name=f"L{j}", population=draw(st.integers(1, 1000)), capacities=caps))
    cases = []
    for i in range(n):
        tie = draw(st.one_of(st.none(), st.integers(0, m - 1))) if draw(st.integers(0, 5)) == 0 else None
        cases.append(Case(id=f"C{i}", size=draw(st.integers(1, 4)),
                          needs={"housing": 1.0, "school": float(draw(st.integers(0, 3)))},
                          tied_to=None if tie is None else f"L{tie}", group="ab"[i % 2]))
    scores = np.array(draw(st.lists(st.floats(0, 1, width=32), min_size=n * m, max_size=n * m)),
                      dtype=np.float32).reshape(n, m)
    shares = key_compute("population", locs, total=1).shares if band and draw(st.booleans()) else None
    return PlanningProblem(cases=cases, localities=locs, scores=scores, key_shares=shares,
                           band=draw(st.sampled_from([0.3, 0.6, 1.0])) if shares is not None else None,
                           unplaced_penalty=draw(st.sampled_from([0.0, 0.5, 1.0])))


def brute_force(problem: PlanningProblem) -> float | None:
    best = None
    for combo in itertools.product(range(-1, problem.m), repeat=problem.n):
        a = np.array(combo, dtype=np.int32)
        if not plan_validate(problem, a):
            val = plan_value(problem, a)
            best = val if best is None or val > best else best
    return best


@SLOW
@given(problems())
def test_finds_the_brute_force_optimum(problem: PlanningProblem) -> None:
    best = brute_force(problem)
    if best is None:
        with pytest.raises(PlanInfeasible):
            plan_solve(problem)
        return
    try:
        plan = plan_solve(problem)
    except PlanInfeasible:
        pytest.fail("the planner called a feasible instance infeasible")
    assert plan_validate(problem, plan.assignment) == []
    assert plan.objective == pytest.approx(best, abs=1e-5)
    assert plan.bound >= best - 1e-5


@SLOW
@given(problems(max_cases=12, max_localities=4))
def test_lagrangian_plans_are_feasible_and_bounded(problem: PlanningProblem) -> None:
    """The Lagrangian method on small instances: families never split, ties and capacities always kept; every
    broken constraint (a band missed) reported; objective ≤ bound when none is; and its bound is ≥ the exact
    optimum (a valid bound for the full problem)."""
    try:
        exact = plan_solve(problem, method="mip")
    except PlanInfeasible:
        return
    plan = plan_solve(problem, method="lagrangian", time_limit=10)
    a = plan.assignment
    assert a.shape == (problem.n,)  # one locality per case: families are never split
    ties = problem.ties()
    assert np.all(a[ties >= 0] == ties[ties >= 0])  # ties respected
    cap, need = problem.capacity_matrix(), problem.need_matrix()
    for k in range(cap.shape[1]):  # capacities never exceeded
        use = np.bincount(a[a >= 0], weights=need[a >= 0, k], minlength=problem.m)
        assert np.all(use <= cap[:, k] + 1e-9)
    assert plan.details["violations"] == plan_validate(problem, a)  # what breaks a constraint is reported
    if not plan.details["violations"]:  # a plan that breaks one is infeasible: the bound does not cover it
        assert plan.objective <= plan.bound + 1e-6
    assert plan.bound >= exact.objective - 1e-5


@SLOW
@given(problems(max_cases=40, max_localities=6, band=False))
def test_network_method_is_certified(problem: PlanningProblem) -> None:
    # one unit-need capacity: drop the school service
    locs = [Locality(id=x.id, name=x.name, population=x.population, capacities={"housing": x.capacities["housing"]})
            for x in problem.localities]
    cases = [Case(id=c.id, size=c.size, needs={"housing": 1.0}, tied_to=c.tied_to) for c in problem.cases]
    p = PlanningProblem(cases=cases, localities=locs, scores=problem.scores, unplaced_penalty=problem.unplaced_penalty)
    try:
        exact = plan_solve(p, method="mip")
    except PlanInfeasible:
        return
    plan = plan_solve(p, method="network")
    assert plan_validate(p, plan.assignment) == []
    assert plan.objective == pytest.approx(exact.objective, abs=1e-5)
    assert plan.objective <= plan.bound + 1e-6
    assert plan.gap < 1e-6


def test_network_certifies_a_larger_instance_and_bound_is_tight() -> None:
    cases, locs = instance_synthetic(4000, 60, seed=5, capacity_ratio=0.9, preferences=False)
    p = PlanningProblem(cases=cases, localities=locs, scores=scores_synthetic(cases, locs, seed=6))
    plan = plan_solve(p)
    assert plan.method == "network"
    assert plan_validate(p, plan.assignment) == []
    assert plan.gap < 1e-6
    # the prices are the capacity duals: only full localities have a positive price
    full = np.bincount(plan.assignment[plan.assignment >= 0], minlength=p.m) == p.capacity_matrix()[:, 0]
    assert np.all(plan.prices[~full, 0] == 0)


def test_key_only_plan_matches_largest_remainder_quotas() -> None:
    locs = [Locality(id=f"L{j}", name=f"L{j}", population=pop) for j, pop in enumerate([500, 300, 150, 50])]
    cases = [Case(id=f"C{i}", size=1) for i in range(23)]
    key = key_compute("population", locs, total=23)
    p = PlanningProblem(cases=cases, localities=locs, scores=np.full((23, 4), 0.5, dtype=np.float32),
                        key_shares=key.shares, band=0.0)
    plan = plan_solve(p)
    assert plan_metrics(p, plan).persons_by_locality.tolist() == key.quotas
    plan = plan_solve(p, method="lagrangian")
    assert plan_metrics(p, plan).persons_by_locality.tolist() == key.quotas


def test_lagrangian_medium_instance_is_close_to_its_bound() -> None:
    cases, locs = instance_synthetic(1500, 30, seed=2, services=SERVICES, family_sizes=True, preferences=True)
    key = key_compute("population", locs, total=sum(c.size for c in cases))
    p = PlanningProblem(cases=cases, localities=locs, scores=scores_synthetic(cases, locs, seed=3),
                        weights=Weights(outcome=1.0, preference=0.1, demand=0.1), key_shares=key.shares, band=0.3)
    plan = plan_solve(p, time_limit=30)
    assert plan.method == "lagrangian"
    assert plan_validate(p, plan.assignment) == []
    assert plan.objective <= plan.bound
    assert plan.objective / plan.bound > 0.98


def test_family_type_price_table_and_pair_by_pair_pricing_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the family type table (many distinct need vectors) the multipliers are priced service by service:
    the same arithmetic, so the same multipliers, bound and plan up to rounding."""
    from arrival.planning.domain import solve

    cases, locs = instance_synthetic(600, 20, seed=4, services=SERVICES, family_sizes=True, preferences=False)
    key = key_compute("population", locs, total=sum(c.size for c in cases))

    def solved() -> tuple[float, float]:
        p = PlanningProblem(cases=cases, localities=locs, scores=scores_synthetic(cases, locs, seed=5),
                            key_shares=key.shares, band=0.3)
        plan = plan_solve(p, method="lagrangian", time_limit=30)
        assert plan_validate(p, plan.assignment) == []
        return plan.bound, plan.objective

    with_table = solved()
    p = PlanningProblem(cases=cases, localities=locs, scores=scores_synthetic(cases, locs, seed=5),
                        key_shares=key.shares, band=0.3)
    assert plan_solve(p, method="lagrangian", dual_rounds=2).details["dual_rounds"] == 2  # the bench's study knob
    monkeypatch.setattr(solve, "TYPE_TABLE_MAX", 0)
    pair_by_pair = solved()
    assert pair_by_pair == pytest.approx(with_table, rel=1e-6)


def test_objective_mix_and_fairness_floor() -> None:
    locs = [Locality(id="a", name="A", population=1, sector_demand={"care": 10}),
            Locality(id="b", name="B", population=1, sector_demand={"care": 0})]
    cases = [Case(id="x", skills={"care": 1.0}, preferences=("b", "a"), group="g"),
             Case(id="y", group="h")]
    scores = np.array([[0.2, 0.3], [0.5, 0.1]], dtype=np.float32)
    p = PlanningProblem(cases=cases, localities=locs, scores=scores, weights=Weights(1.0, 0.5, 0.25))
    v = objective_matrix(p)
    # x: a = 0.2 + 0.5·(1/2) + 0.25·1 = 0.7, b = 0.3 + 0.5·1 = 0.8
    np.testing.assert_allclose(v[0], [0.7, 0.8], rtol=1e-6)
    plain = PlanningProblem(cases=cases, localities=locs, scores=scores)
    assert objective_matrix(plain) is scores  # no copy of the score matrix with the default weights
    floored = PlanningProblem(cases=cases, localities=locs, scores=scores, fairness_floors={"g": 0.25})
    plan = plan_solve(floored)
    assert plan.assignment[0] == 1 and plan_validate(floored, plan.assignment) == []
    floored = PlanningProblem(cases=cases, localities=locs, scores=np.array([[0.2, 0.1], [0.5, 0.1]], dtype=np.float32),
                              fairness_floors={"g": 0.25})
    plan = plan_solve(floored)
    assert plan.assignment[0] == -1  # no place gives x 0.25: left unplaced rather than below the floor


def test_infeasible_ties_are_reported() -> None:
    locs = [Locality(id="a", name="A", population=1, capacities={"housing": 1.0})]
    cases = [Case(id=f"C{i}", needs={"housing": 1.0}, tied_to="a") for i in range(2)]
    with pytest.raises(PlanInfeasible, match="tied to a"):
        plan_solve(PlanningProblem(cases=cases, localities=locs, scores=np.ones((2, 1), dtype=np.float32)))


def test_a_lagrangian_plan_that_misses_a_band_says_so() -> None:
    """Found by the property above: the only feasible plan needs two moves at once (the small family to L0, the
    large one to L1); the repair makes one at a time, so its plan leaves L0 under its band, and says so."""
    locs = [Locality(id="L0", name="L0", population=3, capacities={"housing": None, "school": 0.0}),
            Locality(id="L1", name="L1", population=3, capacities={"housing": None, "school": None}),
            Locality(id="L2", name="L2", population=1, capacities={"housing": None, "school": None})]
    cases = [Case(id="C0", size=1, needs={"housing": 1.0, "school": 0.0}),
             Case(id="C1", size=3, needs={"housing": 1.0, "school": 1.0})]
    problem = PlanningProblem(cases=cases, localities=locs, scores=np.array([[0, 1, 0], [0, 0, 0]], dtype=np.float32),
                              key_shares=key_compute("population", locs, total=1).shares, band=0.3,
                              unplaced_penalty=0.0)
    assert plan_solve(problem, method="mip").assignment.tolist() == [0, 1]
    plan = plan_solve(problem, method="lagrangian", time_limit=10)
    assert plan.details["violations"] == plan_validate(problem, plan.assignment)
    if plan.details["violations"]:
        assert plan.details["violations"] == ["L0: 0 persons, outside the band 1–3"]
    else:  # a better repair finds the one feasible plan
        assert plan.assignment.tolist() == [0, 1]
