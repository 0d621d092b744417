"""Baselines on the same instance as the plan, each evaluated on the full published objective and reported as a
share of the plan's bound (`details["share_of_bound"]`):

- key_proportional: cases in a seeded random order, each to the locality furthest below its key quota (relative
  to the quota) that still has room in every capacity — today's practice of distributing by key;
- greedy: cases by their best value, highest first, each to its best locality with room left;
- outcome_only: the planner itself with weights outcome = 1, preference = demand = 0.
Ties are honoured first. The online baselines respect capacities and the band's upper limits; they do not try to
fill band lower limits, so `details["violations"]` lists any shortfall.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .instance import PlanningProblem, Weights
from .solve import Plan, _gap, objective_matrix, plan_solve, plan_validate, plan_value


class _Room:
    """Remaining capacity per locality and service, and persons against the band's upper limits."""

    def __init__(self, problem: PlanningProblem) -> None:
        self.cap = problem.capacity_matrix()
        self.need = problem.need_matrix()
        self.sizes = problem.sizes()
        self.load = np.zeros(self.cap.shape)
        self.persons = np.zeros(problem.m)
        limits = problem.band_limits()
        self.upper = limits[1] if limits else np.full(problem.m, np.inf)

    def fits(self, i: int) -> np.ndarray:
        ok: np.ndarray = self.persons + self.sizes[i] <= self.upper + 1e-9
        nz = np.nonzero(self.need[i])[0]
        for k in nz:
            ok &= self.load[:, k] + self.need[i, k] <= self.cap[:, k] + 1e-9
        return ok

    def add(self, i: int, j: int) -> None:
        self.load[j] += self.need[i]
        self.persons[j] += self.sizes[i]


def _finish(problem: PlanningProblem, a: np.ndarray, bound: float, name: str, started: float) -> Plan:
    obj = plan_value(problem, a)
    return Plan(assignment=a, objective=obj, bound=bound, gap=_gap(obj, bound), seconds=time.perf_counter() - started,
                method=name, details={"share_of_bound": obj / bound if bound else float("nan"),
                                      "violations": plan_validate(problem, a)})


def _place_ties(problem: PlanningProblem, room: _Room, a: np.ndarray) -> np.ndarray:
    ties = problem.ties()
    for i in np.nonzero(ties >= 0)[0]:
        a[i] = ties[i]
        room.add(int(i), int(ties[i]))
    return ties


def key_proportional(problem: PlanningProblem, *, bound: float, seed: int = 0) -> Plan:
    started = time.perf_counter()
    room = _Room(problem)
    a = np.full(problem.n, -1, dtype=np.int32)
    ties = _place_ties(problem, room, a)
    quotas = problem.quotas()
    if quotas is None:
        pop = np.array([max(loc.population, 0) for loc in problem.localities], dtype=np.float64)
        from .keys import largest_remainder

        quotas = np.asarray(largest_remainder(int(room.sizes.sum()), list(pop)), dtype=np.float64)
    q = np.maximum(quotas, 1e-9)
    order = np.random.default_rng(seed).permutation(problem.n)
    for i in order:
        if ties[i] >= 0:
            continue
        ok = room.fits(int(i))
        if not ok.any():
            continue
        deficit = np.where(ok, (quotas - room.persons) / q, -np.inf)
        j = int(np.argmax(deficit))
        a[i] = j
        room.add(int(i), j)
    return _finish(problem, a, bound, "key_proportional", started)


def greedy(problem: PlanningProblem, *, bound: float) -> Plan:
    started = time.perf_counter()
    v = objective_matrix(problem)
    room = _Room(problem)
    a = np.full(problem.n, -1, dtype=np.int32)
    ties = _place_ties(problem, room, a)
    best = np.concatenate([v[s:s + 8192].max(axis=1) for s in range(0, problem.n, 8192)]) if problem.n else np.zeros(0)
    for i in np.argsort(-best, kind="stable"):
        if ties[i] >= 0:
            continue
        ok = room.fits(int(i))
        if not ok.any():
            continue
        row = np.where(ok, v[i], -np.inf)
        j = int(np.argmax(row))
        if row[j] > -problem.unplaced_penalty:
            a[i] = j
            room.add(int(i), j)
    return _finish(problem, a, bound, "greedy", started)


def outcome_only(problem: PlanningProblem, *, bound: float, time_limit: float = 60.0) -> Plan:
    started = time.perf_counter()
    other = dataclasses.replace(problem, weights=Weights(outcome=1.0, preference=0.0, demand=0.0))
    plan = plan_solve(other, time_limit=time_limit)
    return _finish(problem, plan.assignment, bound, "outcome_only", started)


def baselines_compute(problem: PlanningProblem, *, bound: float, seed: int = 0, time_limit: float = 60.0) -> dict[str, Plan]:
    return {"key_proportional": key_proportional(problem, bound=bound, seed=seed),
            "greedy": greedy(problem, bound=bound),
            "outcome_only": outcome_only(problem, bound=bound, time_limit=time_limit)}
