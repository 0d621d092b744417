"""Plan metrics: deviation from the key, outcome ratio between groups, top-3 preferences, service use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .instance import PlanningProblem


@dataclass
class PlanMetrics:
    placed: int
    unplaced: int
    persons_by_locality: np.ndarray
    key_deviation: np.ndarray | None  # persons placed − key quota, per locality
    service_use: dict[str, np.ndarray]  # service -> units used per locality
    group_outcome: dict[str, float]  # mean predicted outcome of the placed cases, per group
    group_outcome_ratio: float | None  # min / max over groups
    top3_share: float | None  # among cases with preferences: placed in one of their first three


def plan_metrics(problem: PlanningProblem, plan_or_assignment: Any) -> PlanMetrics:
    a = np.asarray(getattr(plan_or_assignment, "assignment", plan_or_assignment))
    placed = a >= 0
    rows = np.nonzero(placed)[0]
    persons = np.bincount(a[placed], weights=problem.sizes()[placed], minlength=problem.m)
    quotas = problem.quotas()
    need = problem.need_matrix()
    service_use = {s: np.bincount(a[placed], weights=need[placed, k], minlength=problem.m)
                   for k, s in enumerate(problem.services())}
    group_outcome: dict[str, float] = {}
    if problem.scores is not None and rows.size:
        got = problem.scores[rows, a[rows]].astype(np.float64)
        groups = np.array([problem.cases[i].group for i in rows.tolist()])
        for g in sorted(set(groups.tolist())):
            if g:
                group_outcome[g] = float(got[groups == g].mean())
    ratio = None
    if len(group_outcome) >= 2:
        hi = max(group_outcome.values())
        ratio = min(group_outcome.values()) / hi if hi > 0 else None
    ids = [loc.id for loc in problem.localities]
    with_prefs = 0
    top3 = 0
    for i, c in enumerate(problem.cases):
        if c.preferences:
            with_prefs += 1
            if a[i] >= 0 and ids[a[i]] in c.preferences[:3]:
                top3 += 1
    return PlanMetrics(placed=int(placed.sum()), unplaced=int((~placed).sum()), persons_by_locality=persons,
                       key_deviation=None if quotas is None else persons - quotas, service_use=service_use,
                       group_outcome=group_outcome, group_outcome_ratio=ratio,
                       top3_share=top3 / with_prefs if with_prefs else None)
