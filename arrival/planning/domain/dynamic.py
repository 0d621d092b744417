"""Arrivals over time: weekly batches placed by a price rule taken from the duals of a plan on expected arrivals.

The rule (docs/planning.md, "Arrivals over time"):
1. At the start of each week, the arrivals still expected (this week's cases plus the weeks to come, forecast by
   resampling — seeded bootstrap — the cases seen so far up to the expected total) are planned against the
   capacity still free. The dual prices λ_js of that plan (per locality and service) price each unit of capacity.
2. The week's cases are then placed one by one, in arrival order, at argmax_j v_ij − Σ_s need_is · λ_js among the
   localities that still have room in every service, or left unplaced when that is below −penalty.
3. The result is compared with the hindsight optimum (the planner on all cases at once) and with greedy practice
   (the same online loop with zero prices), as ratios of objectives.
Capacities are honoured online; the key band is not (it is a whole-period target), so the comparison is made on
the problem without band for all three.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .instance import PlanningProblem
from .solve import objective_matrix, plan_solve, plan_value


@dataclass
class ArrivalsResult:
    batches: int
    objective: float
    hindsight_objective: float
    ratio: float  # objective / hindsight objective
    greedy_ratio: float  # greedy objective / hindsight objective
    greedy_objective: float = 0.0


def _place(problem: PlanningProblem, v: np.ndarray, rows: np.ndarray, prices: np.ndarray, load: np.ndarray,
           a: np.ndarray) -> None:
    cap = problem.capacity_matrix()
    need = problem.need_matrix()
    ties = problem.ties()
    for i in rows:
        if ties[i] >= 0:
            j = int(ties[i])
        else:
            ok = np.all(load + need[i] <= cap + 1e-9, axis=1)
            if not ok.any():
                continue
            score = np.where(ok, v[i] - prices @ need[i], -np.inf)
            j = int(np.argmax(score))
            if score[j] <= -problem.unplaced_penalty:
                continue
        a[i] = j
        load[j] += need[i]


def _week_prices(base: PlanningProblem, v: np.ndarray, week: np.ndarray, seen: np.ndarray, remaining: int,
                 load: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Duals of the plan on the arrivals still expected, against the capacity still free."""
    future = seen[rng.integers(0, seen.size, remaining)] if remaining > 0 else np.zeros(0, dtype=np.int64)
    rows = np.concatenate([week, future]).astype(np.int64)
    free = np.maximum(base.capacity_matrix() - load, 0.0)
    services = base.services()
    locs = [dataclasses.replace(loc, capacities={s: (None if not np.isfinite(free[j, k]) else float(free[j, k]))
                                                 for k, s in enumerate(services)})
            for j, loc in enumerate(base.localities)]
    cases = [dataclasses.replace(base.cases[i], tied_to=None) for i in rows]
    forecast = PlanningProblem(cases=cases, localities=locs, scores=np.ascontiguousarray(v[rows]),
                               unplaced_penalty=base.unplaced_penalty)
    plan = plan_solve(forecast, time_limit=20.0)
    if plan.prices is None:  # the exact small-instance method has no prices: fall back to none
        return np.zeros((base.m, len(services)))
    return plan.prices


def arrivals_simulate(problem: PlanningProblem, *, batches: int, seed: int) -> ArrivalsResult:
    if batches < 1:
        raise ValueError("at least one batch")
    base = dataclasses.replace(problem, band=None, key_shares=None, fairness_floors={})
    v = objective_matrix(base)
    rng = np.random.default_rng(seed)
    order = rng.permutation(base.n)
    weeks = np.array_split(order, batches)
    s_count = len(base.services())
    a = np.full(base.n, -1, dtype=np.int32)
    load = np.zeros((base.m, s_count))
    done = 0
    for week in weeks:
        seen = order[:done + week.size]
        remaining = base.n - done - week.size
        prices = _week_prices(base, v, week, seen, remaining, load, rng)
        _place(base, v, week, prices, load, a)
        done += week.size
    greedy = np.full(base.n, -1, dtype=np.int32)
    _place(base, v, order, np.zeros((base.m, s_count)), np.zeros((base.m, s_count)), greedy)
    hindsight = plan_solve(base)
    obj, gobj = plan_value(base, a, v), plan_value(base, greedy, v)
    h = hindsight.objective
    return ArrivalsResult(batches=batches, objective=obj, hindsight_objective=h, ratio=obj / h if h else float("nan"),
                          greedy_ratio=gobj / h if h else float("nan"), greedy_objective=gobj)
