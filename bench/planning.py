"""Planning benchmark (issue 7 §6): the certified planner on large synthetic instances.

    .venv/bin/python -m bench.planning [--small] [--cases 100000] [--localities 1000] [--seed 7]
    .venv/bin/arrival bench-planning [--small]

Scores are produced first and timed apart (a float32 case × locality matrix already in memory); then:

(a) one capacity each (housing, one unit per case), no band: the planner ("network": exact min-cost flow on
    candidate pairs, locality prices, all n × m pairs priced, column generation) — time, objective, bound, gap;
    in the same run a plain OR-Tools min-cost flow on each case's best 300 localities (selection included in its
    time; uncertified), reported with the time ratio plain / certified and its objective against the bound;
(b) five services, family sizes 1–6, a population key with a ±20 % band, capacities declared around each
    locality's key quota with slack (`capacities_around_quotas`, checked by `band_feasibility`): the planner
    ("lagrangian") — time, objective, bound, share of the bound;
(c) the baselines (key-proportional, greedy, outcome-only) on (a) and (b), each as a share of the bound.

Figures are printed and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from arrival.planning.domain import (
    PlanningProblem,
    arrivals_simulate,
    baselines_compute,
    key_compute,
    plan_solve,
    plan_validate,
)
from arrival.planning.domain.outcomes import (
    SERVICES,
    capacities_around_quotas,
    instance_synthetic,
    scores_synthetic,
)
from arrival.planning.domain.solve import SCALE, band_feasibility, plan_value

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"


# (d) a round's arrivals over a season, small enough that the hindsight optimum is solved exactly
ARRIVALS_CASES, ARRIVALS_LOCALITIES, ARRIVALS_BATCHES = 3_000, 40, 10


def plain_flow(problem: PlanningProblem, per_case: int) -> tuple[np.ndarray, float]:
    """OR-Tools SimpleMinCostFlow on each case's best `per_case` localities (no pricing of the other pairs)."""
    from ortools.graph.python import min_cost_flow

    started = time.perf_counter()
    v = problem.scores
    assert v is not None
    n, m = v.shape
    k = min(per_case, m)
    cols = np.empty((n, k), dtype=np.int32)
    for s in range(0, n, 4096):
        cols[s:s + 4096] = np.argpartition(v[s:s + 4096], -k, axis=1)[:, -k:]
    rows = np.repeat(np.arange(n, dtype=np.int32), k)
    cols = cols.ravel()
    cost = -np.rint(v[rows, cols].astype(np.float64) * SCALE).astype(np.int64)
    cap = np.array([loc.capacities["housing"] for loc in problem.localities], dtype=np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    unpl, sink = n + m, n + m + 1
    flow.add_arcs_with_capacity_and_unit_cost(rows, (n + cols).astype(np.int32), np.ones(rows.size, dtype=np.int64), cost)
    flow.add_arcs_with_capacity_and_unit_cost(np.arange(n, dtype=np.int32), np.full(n, unpl, dtype=np.int32),
                                              np.ones(n, dtype=np.int64),
                                              np.full(n, int(round(problem.unplaced_penalty * SCALE)), dtype=np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(n + np.arange(m, dtype=np.int32), np.full(m, sink, dtype=np.int32),
                                              np.minimum(cap, n), np.zeros(m, dtype=np.int64))
    flow.add_arc_with_capacity_and_unit_cost(unpl, sink, n, 0)
    supplies = np.zeros(n + m + 2, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(n + m + 2, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"plain min-cost flow: status {status}")
    f = flow.flows(np.arange(rows.size, dtype=np.int64))
    a = np.full(n, -1, dtype=np.int32)
    used = f > 0
    a[rows[used]] = cols[used]
    return a, time.perf_counter() - started


def _plan_figures(plan: Any) -> dict[str, Any]:
    return {"method": plan.method, "seconds": round(plan.seconds, 3), "objective": plan.objective, "bound": plan.bound,
            "gap": plan.gap, "share_of_bound": plan.objective / plan.bound,
            "details": {k: v for k, v in plan.details.items() if isinstance(v, (int, float, str, list, dict)) and k != "violations"},
            "violations": len(plan.details.get("violations", []) or [])}


def _baselines(problem: PlanningProblem, bound: float, seed: int) -> dict[str, Any]:
    out = {}
    for name, b in baselines_compute(problem, bound=bound, seed=seed).items():
        out[name] = {"objective": b.objective, "share_of_bound": b.details["share_of_bound"],
                     "seconds": round(b.seconds, 3), "violations": len(b.details["violations"])}
        print(f"    baseline {name:17s} {b.details['share_of_bound']:.4f} of the bound ({b.seconds:.1f} s"
              + (f", {len(b.details['violations'])} constraint(s) not met" if b.details["violations"] else "") + ")")
    return out


def run(cases: int, localities: int, seed: int, per_case: int, plain: bool) -> dict[str, Any]:
    report: dict[str, Any] = {"cases": cases, "localities": localities, "seed": seed, "cpus": os.cpu_count(),
                              "load_average_start": os.getloadavg()}
    print(f"planning bench: {cases:,} cases × {localities:,} localities, seed {seed}; load average "
          f"{os.getloadavg()[0]:.2f}")
    # (a) one capacity each
    c, loc = instance_synthetic(cases, localities, seed=seed, services=("housing",), capacity_ratio=0.95, preferences=False)
    t = time.perf_counter()
    scores = scores_synthetic(c, loc, seed=seed + 1)
    report["a_scores_seconds"] = round(time.perf_counter() - t, 3)
    problem = PlanningProblem(cases=c, localities=loc, scores=scores)
    print(f"(a) one capacity each — scores produced in {report['a_scores_seconds']:.1f} s (timed apart)")
    plan = plan_solve(problem)
    assert not plan_validate(problem, plan.assignment)
    report["a_plan"] = _plan_figures(plan)
    print(f"    certified plan ({plan.method}): {plan.seconds:.2f} s, objective {plan.objective:.4f}, "
          f"bound {plan.bound:.4f}, gap {plan.gap:.2e}, rounds {plan.details.get('rounds')}, arcs {plan.details.get('arcs'):,}")
    if plain:
        a, secs = plain_flow(problem, per_case)
        obj = plan_value(problem, a)
        report["a_plain_flow"] = {"per_case": per_case, "seconds": round(secs, 3), "objective": obj,
                                  "time_ratio_plain_over_certified": secs / plan.seconds,
                                  "share_of_bound": obj / plan.bound}
        print(f"    plain OR-Tools min-cost flow, best {per_case} per case: {secs:.2f} s (×{secs / plan.seconds:.1f} "
              f"the certified plan), objective {obj:.4f} = {obj / plan.bound:.6f} of the bound, uncertified")
    report["a_baselines"] = _baselines(problem, plan.bound, seed)
    del problem, scores, plan
    # (b) five services, family sizes, key band
    c, loc = instance_synthetic(cases, localities, seed=seed + 2, services=SERVICES, family_sizes=True,
                                capacity_ratio=1.05, preferences=False)
    t = time.perf_counter()
    scores = scores_synthetic(c, loc, seed=seed + 3)
    report["b_scores_seconds"] = round(time.perf_counter() - t, 3)
    key = key_compute("population", loc, total=sum(x.size for x in c))
    # capacities declared around each locality's key quota with slack (as a real round is prepared), so the
    # band's lower limits can be met: see capacities_around_quotas and docs/planning.md §9
    quotas = PlanningProblem(cases=c, localities=loc, key_shares=key.shares, band=0.2).quotas()
    loc = capacities_around_quotas(c, loc, quotas, seed=seed + 4)
    problem = PlanningProblem(cases=c, localities=loc, scores=scores, key_shares=key.shares, band=0.2)
    report["b_band_deficit_lp"] = band_feasibility(problem)
    print(f"    band lower limits: least deficit {report['b_band_deficit_lp']:g} persons (LP over family types; "
          f"0 = capacities and band compatible)")
    print(f"(b) five services, family sizes, population key ±20 % — scores in {report['b_scores_seconds']:.1f} s (apart)")
    plan = plan_solve(problem, time_limit=60.0)
    report["b_plan"] = _plan_figures(plan)
    print(f"    plan ({plan.method}): {plan.seconds:.2f} s, objective {plan.objective:.4f}, bound {plan.bound:.4f}, "
          f"{plan.objective / plan.bound:.5f} of the bound, {len(plan.details.get('violations') or [])} constraint(s) not met")
    report["b_baselines"] = _baselines(problem, plan.bound, seed)
    del problem, scores, plan
    # (d) arrivals over time: weekly batches placed by the plan's dual prices, against the hindsight optimum
    c, loc = instance_synthetic(ARRIVALS_CASES, ARRIVALS_LOCALITIES, seed=seed + 5, capacity_ratio=0.8,
                                preferences=False)
    problem = PlanningProblem(cases=c, localities=loc, scores=scores_synthetic(c, loc, seed=seed + 6))
    t = time.perf_counter()
    arrivals = arrivals_simulate(problem, batches=ARRIVALS_BATCHES, seed=seed)
    report["d_arrivals"] = {"cases": ARRIVALS_CASES, "localities": ARRIVALS_LOCALITIES, "batches": arrivals.batches,
                            "ratio": arrivals.ratio, "greedy_ratio": arrivals.greedy_ratio,
                            "seconds": round(time.perf_counter() - t, 3)}
    print(f"(d) arrivals over time, {ARRIVALS_CASES:,} cases × {ARRIVALS_LOCALITIES} localities in {arrivals.batches} "
          f"weekly batches: price rule {arrivals.ratio:.3f} of the hindsight optimum, greedy {arrivals.greedy_ratio:.3f}")
    report["load_average_end"] = os.getloadavg()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="arrival bench-planning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="A quick run: 5,000 cases × 100 localities.")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--localities", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-case", type=int, default=300, help="Localities per case for the plain flow.")
    parser.add_argument("--no-plain", action="store_true", help="Skip the plain min-cost flow of (a).")
    args = parser.parse_args()
    cases, localities = (5_000, 100) if args.small else (args.cases, args.localities)
    report = run(cases, localities, args.seed, min(args.per_case, localities), not args.no_plain)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"planning-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, default=float))
    print(f"figures written to {out.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
