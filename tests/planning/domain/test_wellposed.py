"""Well-posed instances (capacities declared around key quotas), the band feasibility check and the vectorised
repair of the Lagrangian planner (no database needed)."""

from __future__ import annotations

import numpy as np

from arrival.planning.domain import Case, Locality, PlanningProblem, key_compute, plan_solve, plan_validate
from arrival.planning.domain.outcomes import (
    SERVICES,
    capacities_around_quotas,
    instance_synthetic,
    scores_synthetic,
)
from arrival.planning.domain.solve import band_feasibility


def _wellposed(n: int, m: int, seed: int) -> PlanningProblem:
    cases, locs = instance_synthetic(n, m, seed=seed, services=SERVICES, family_sizes=True, preferences=False)
    key = key_compute("population", locs, total=sum(c.size for c in cases))
    quotas = PlanningProblem(cases=cases, localities=locs, key_shares=key.shares, band=0.2).quotas()
    locs = capacities_around_quotas(cases, locs, quotas, seed=seed + 1)
    return PlanningProblem(cases=cases, localities=locs, scores=scores_synthetic(cases, locs, seed=seed + 2),
                           key_shares=key.shares, band=0.2)


def test_capacities_around_quotas_leave_room_for_the_lower_limits() -> None:
    p = _wellposed(3000, 40, seed=11)
    cap, need, sizes = p.capacity_matrix(), p.need_matrix(), p.sizes()
    lower, _ = p.band_limits()  # type: ignore[misc]
    per_person = need.sum(axis=0) / sizes.sum()
    # every locality can take its lower limit with an average family mix, and there is more room than need
    assert np.all(cap >= np.floor(per_person[None, :] * lower[:, None]))
    assert np.all(cap.sum(axis=0) > need.sum(axis=0))
    assert band_feasibility(p) == 0.0


def test_band_feasibility_proves_an_ill_posed_instance_infeasible() -> None:
    # two localities with equal keys, but one has housing for a single family: its lower limit (40 persons of 100
    # at ±20 %) cannot be met, whatever the plan
    locs = [Locality(id="a", name="A", population=100, capacities={"housing": 1.0}),
            Locality(id="b", name="B", population=100, capacities={"housing": 100.0})]
    cases = [Case(id=f"C{i}", size=2, needs={"housing": 1.0}) for i in range(50)]
    key = key_compute("population", locs, total=100)
    p = PlanningProblem(cases=cases, localities=locs, scores=np.full((50, 2), 0.5, dtype=np.float32),
                        key_shares=key.shares, band=0.2)
    assert band_feasibility(p) == 38.0  # 40 needed, 2 possible
    plan = plan_solve(p, method="lagrangian", time_limit=10)
    assert plan.details["violations"] == plan_validate(p, plan.assignment) != []  # reported, not hidden
    # the bound holds for feasible plans only; with none, the dual pushes it below this (infeasible) plan's value
    assert plan.bound < plan.objective


def test_lagrangian_repair_on_a_wellposed_instance_is_feasible_and_close() -> None:
    p = _wellposed(6000, 80, seed=21)
    plan = plan_solve(p, method="lagrangian", time_limit=30)
    assert plan_validate(p, plan.assignment) == []
    assert plan.objective <= plan.bound
    assert plan.objective / plan.bound > 0.98
    repair = plan.details["repair"]
    assert "bump_batches" in repair and "fill_batches" in repair  # the vectorised batches ran
