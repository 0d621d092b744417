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


def instance_b(cases: int, localities: int, seed: int) -> tuple[PlanningProblem, float]:
    """Case (b): five services, family sizes, a population key ±20 %, capacities declared around each locality's key
    quota with slack (as a real round is prepared, so the band's lower limits can be met: docs/planning.md §9).
    Returns the problem and the seconds spent producing its scores (timed apart)."""
    c, loc = instance_synthetic(cases, localities, seed=seed + 2, services=SERVICES, family_sizes=True,
                                capacity_ratio=1.05, preferences=False)
    t = time.perf_counter()
    scores = scores_synthetic(c, loc, seed=seed + 3)
    scores_seconds = round(time.perf_counter() - t, 3)
    key = key_compute("population", loc, total=sum(x.size for x in c))
    quotas = PlanningProblem(cases=c, localities=loc, key_shares=key.shares, band=0.2).quotas()
    loc = capacities_around_quotas(c, loc, quotas, seed=seed + 4)
    return PlanningProblem(cases=c, localities=loc, scores=scores, key_shares=key.shares, band=0.2), scores_seconds


def dual_study(cases: int, localities: int, seed: int, rounds: tuple[int, ...] = (4, 7, 10)) -> dict[str, Any]:
    """Why the Lagrangian method is built as it is (docs/planning.md §3, "Measured at scale"), on instance (b):
    the cost of one evaluation of the smoothed dual with the family type price table and pair by pair, on as many
    pairs as the unpruned (44 per case) and pruned (17 per case) candidate sets; then the plan repaired at the
    multipliers of a given number of dual rounds, against that run's bound."""
    from arrival.planning.domain import solve

    problem, _ = instance_b(cases, localities, seed)
    v = solve.objective_matrix(problem)
    limits = problem.band_limits()
    assert limits is not None
    cap = problem.capacity_matrix()
    _, gidx = problem.groups()
    rng = np.random.default_rng(seed)
    report: dict[str, Any] = {"cases": cases, "localities": localities, "seed": seed, "evaluation_ms": {}, "rounds": {}}
    print(f"dual study on (b): {cases:,} cases × {localities:,} localities, seed {seed}")
    for per_case in (44, 17):
        rows = np.repeat(np.arange(problem.n), per_case)
        cols = rng.integers(0, problem.m, rows.size)
        for table in (False, True):
            lg = solve._Lag(n=problem.n, m=problem.m, pen=problem.unplaced_penalty, cap=cap, need=problem.need_matrix(),
                            sizes=problem.sizes(), ties=problem.ties(), lower=limits[0], upper=limits[1],
                            floors=np.zeros(0), gidx=gidx, fin=np.isfinite(cap))
            if not table:
                lg.type_of = None
            candidates = solve._Cands(lg, v, None, rows, cols, np.arange(problem.n))
            y = rng.random(lg.size()) * 0.01
            times = []
            for _ in range(5):
                t = time.perf_counter()
                solve._smoothed(y, lg, candidates, 0.0013, 1.0)
                times.append(time.perf_counter() - t)
            label = f"{candidates.c.size:,} pairs, {'type table' if table else 'pair by pair'}"
            report["evaluation_ms"][label] = round(1000 * float(np.median(times)), 1)
            print(f"    one evaluation of the smoothed dual, {label}: {report['evaluation_ms'][label]:.0f} ms (median of 5)")
    for n_rounds in rounds:
        plan = plan_solve(problem, method="lagrangian", dual_rounds=n_rounds, time_limit=600.0)
        report["rounds"][n_rounds] = {"share_of_bound": plan.objective / plan.bound, "bound": plan.bound,
                                      "seconds": round(plan.seconds, 2)}
        print(f"    plan at the multipliers of {n_rounds} dual rounds: {plan.objective / plan.bound:.5f} of the bound "
              f"{plan.bound:,.1f} ({plan.seconds:.1f} s)")
    return report


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
    problem, report["b_scores_seconds"] = instance_b(cases, localities, seed)
    report["b_band_deficit_lp"] = band_feasibility(problem)
    print(f"    band lower limits: least deficit {report['b_band_deficit_lp']:g} persons (LP over family types; "
          f"0 = capacities and band compatible)")
    print(f"(b) five services, family sizes, population key ±20 % — scores in {report['b_scores_seconds']:.1f} s (apart)")
    plan = plan_solve(problem, time_limit=60.0)
    report["b_plan"] = _plan_figures(plan)
    print(f"    plan ({plan.method}): {plan.seconds:.2f} s, objective {plan.objective:.4f}, bound {plan.bound:.4f}, "
          f"{plan.objective / plan.bound:.5f} of the bound, {len(plan.details.get('violations') or [])} constraint(s) not met")
    report["b_baselines"] = _baselines(problem, plan.bound, seed)
    del problem, plan
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
    parser.add_argument("--dual", action="store_true",
                        help="Instead: the dual study on (b) (evaluation cost; plans after 4, 7 and 10 dual rounds).")
    args = parser.parse_args()
    cases, localities = (5_000, 100) if args.small else (args.cases, args.localities)
    if args.dual:
        report = dual_study(cases, localities, args.seed)
    else:
        report = run(cases, localities, args.seed, min(args.per_case, localities), not args.no_plain)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"planning{'-dual' if args.dual else ''}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, default=float))
    print(f"figures written to {out.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
