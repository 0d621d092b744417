"""The optimising planner and its certificate (docs/planning.md, "The planner" and "The certificate").

Problem. Cases i (families, never split), localities j. Value v_ij = the published mix of predicted outcome,
preference rank reward and skill × sector demand (`objective_matrix`). Choose x_ij ∈ {0, 1} to maximise
    Σ_ij v_ij x_ij − P · #unplaced
subject to Σ_j x_ij ≤ 1 (placed once or unplaced), ties x_{i,t(i)} = 1, per-locality per-service capacities
Σ_i need_is x_ij ≤ cap_js, the key band lower_j ≤ Σ_i size_i x_ij ≤ upper_j, and fairness floors
Σ_{i∈g, j} (s_ij − f_g) x_ij ≥ 0 (mean predicted outcome of the group's placed cases ≥ f_g).

Certificate. For multipliers λ ≥ 0 (capacities), α, β ≥ 0 (band upper/lower), μ ≥ 0 (floors), the Lagrangian
    L(λ, α, β, μ) = Σ_i max(−P, max_j r_ij) + Σ_js cap_js λ_js + Σ_j upper_j α_j − Σ_j lower_j β_j,
    r_ij = v_ij − Σ_s need_is λ_js − size_i (α_j − β_j) + μ_g(i) (s_ij − f_g(i))     (tied cases: r_{i,t(i)} only)
is ≥ the objective of every feasible plan (each relaxed constraint enters with a non-negative multiplier times a
non-negative slack), so it is a valid upper bound on the optimum of the full integer problem whatever the
multipliers. It is evaluated over ALL n × m pairs. Methods:
- "mip": small instances, an exact mixed-integer programme (SCIP through OR-Tools); bound = SCIP's dual bound.
- "network": one unit-need capacity per locality, no band, no floors — a transportation problem: exact min-cost
  flow (OR-Tools) on a restricted set of pairs, locality prices from the optimal flow (longest paths in its
  residual graph), then every pair priced; pairs that price out are added and the flow re-solved (column
  generation) until the Lagrangian bound at those prices meets the plan's objective: certified optimal.
- "lagrangian": everything else — multipliers from a smoothed Lagrangian dual on candidate pairs (L-BFGS-B; the
  charge for a family priced from a family type × locality table), the bound L over all pairs, candidates extended
  while pairs price out and pruned of pairs with no weight, rounds until the bound settles; the primal plan from the best multipliers in
  vectorised batches (deferred acceptance: over-full localities bump their cheapest cases to their next
  candidates; under-band localities take the cases that lose least per person), finished case by case (swaps,
  floors, rescues, moves that raise the objective).
`band_feasibility` tells an ill-posed instance (band lower limits no plan can meet) from a hard one.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .instance import PlanningProblem

CHUNK = 4096
THREADS = 2
MIP_MAX_PAIRS = 3_000  # n × m at or below which the exact MIP is used
TYPE_TABLE_MAX = 4_000_000  # largest family types × localities price table kept
MAX_DUAL_ROUNDS = 40
PRUNE_TAUS = 40.0  # candidate pairs further than this many τ below their row's best leave the smoothed dual
DUAL_SHARE = 0.7  # of the time limit, for the multipliers; the rest is kept for the primal plan


class PlanInfeasible(ValueError):
    """The hard constraints (ties, band lower bounds, floors) cannot all hold."""


@dataclass
class Plan:
    assignment: np.ndarray  # int32 per case: locality index, -1 = unplaced
    objective: float
    bound: float  # valid upper bound for the full problem
    gap: float  # (bound − objective) / max(|bound|, eps)
    seconds: float
    method: str
    prices: np.ndarray | None = None  # m × S (services of problem.services()) dual prices
    details: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------------------------
# The objective


def preference_reward(rank: int, listed: int) -> float:
    """1 for the first listed preference, falling linearly to 1/K for the K-th; 0 when not listed."""
    return (listed - rank) / listed


def objective_matrix(problem: PlanningProblem) -> np.ndarray:
    """n × m float32 value v_ij actually optimised. With weights (1, 0, 0) it is the score matrix itself (no copy)."""
    w = problem.weights
    key = (w.outcome, w.preference, w.demand)
    cached = problem.derived.objective
    if cached is not None and cached[0] == key:
        return cached[1]
    if problem.scores is None:
        from .outcomes import scores_synthetic

        problem.scores = scores_synthetic(problem.cases, problem.localities, seed=0)
    s = problem.scores
    if s.shape != (problem.n, problem.m):
        raise ValueError(f"scores are {s.shape}, expected {(problem.n, problem.m)}")
    if w.outcome == 1.0 and w.preference == 0.0 and w.demand == 0.0 and s.dtype == np.float32:
        v = s
    else:
        v = np.empty(s.shape, dtype=np.float32)
        np.multiply(s, np.float32(w.outcome), out=v, casting="unsafe")
        if w.demand:
            from .outcomes import demand_match

            for start in range(0, problem.n, CHUNK):
                v[start:start + CHUNK] += np.float32(w.demand) * demand_match(problem.cases[start:start + CHUNK], problem.localities)
        if w.preference:
            index = problem.locality_index()
            for i, c in enumerate(problem.cases):
                listed = [index[p] for p in c.preferences if p in index]
                for r, j in enumerate(listed):
                    v[i, j] += np.float32(w.preference * preference_reward(r, len(listed)))
    problem.derived.objective = (key, v)
    return v


def plan_value(problem: PlanningProblem, assignment: np.ndarray, v: np.ndarray | None = None) -> float:
    v = objective_matrix(problem) if v is None else v
    a = np.asarray(assignment)
    placed = a >= 0
    rows = np.nonzero(placed)[0]
    return float(v[rows, a[rows]].astype(np.float64).sum() - problem.unplaced_penalty * float((~placed).sum()))


def plan_validate(problem: PlanningProblem, assignment: np.ndarray, *, tol: float = 1e-6) -> list[str]:
    """Every violated hard constraint as a readable message; [] means the plan is feasible."""
    a = np.asarray(assignment)
    msgs: list[str] = []
    if a.shape != (problem.n,):
        return [f"the assignment has {a.size} entries for {problem.n} cases"]
    if np.any((a < -1) | (a >= problem.m)):
        return ["the assignment names a locality that does not exist"]
    ties = problem.ties()
    for i in np.nonzero((ties >= 0) & (a != ties))[0].tolist():
        msgs.append(f"case {problem.cases[i].id} is tied to {problem.localities[int(ties[i])].id} but placed elsewhere")
    placed = a >= 0
    services = problem.services()
    if services:
        cap = problem.capacity_matrix()
        need = problem.need_matrix()
        for k, s in enumerate(services):
            use = np.bincount(a[placed], weights=need[placed, k], minlength=problem.m)
            for j in np.nonzero(use > cap[:, k] + tol)[0].tolist():
                msgs.append(f"{problem.localities[j].id}: {s} needs {use[j]:g} but the capacity is {cap[j, k]:g}")
    limits = problem.band_limits()
    if limits is not None:
        persons = np.bincount(a[placed], weights=problem.sizes()[placed], minlength=problem.m)
        lower, upper = limits
        for j in np.nonzero((persons < lower - tol) | (persons > upper + tol))[0].tolist():
            msgs.append(f"{problem.localities[j].id}: {persons[j]:g} persons, outside the band {lower[j]:g}–{upper[j]:g}")
    if problem.fairness_floors:
        names, gidx = problem.groups()
        objective_matrix(problem)  # fills in synthetic scores when none were given
        score_matrix = cast(np.ndarray, problem.scores)
        for g, name in enumerate(names):
            rows = np.nonzero((gidx == g) & placed)[0]
            if rows.size:
                mean = float(score_matrix[rows, a[rows]].astype(np.float64).mean())
                if mean < problem.fairness_floors[name] - tol:
                    msgs.append(f"group {name}: mean predicted outcome {mean:.4f} below its floor {problem.fairness_floors[name]:.4f}")
    return msgs


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (bound - objective) / max(abs(bound), 1e-9))


def _chunked(fn: Any, n: int, chunk: int = CHUNK) -> list[Any]:
    starts = list(range(0, n, chunk))
    if len(starts) <= 1:
        return [fn(s, min(s + chunk, n)) for s in starts]
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda s: fn(s, min(s + chunk, n)), starts))


# ----------------------------------------------------------------------------------------------------------------
# Entry point


def plan_solve(problem: PlanningProblem, *, time_limit: float = 60.0, target_gap: float = 1e-3,
               method: str = "auto", dual_rounds: int | None = None) -> Plan:
    """Solve and certify. `method` is "auto" (documented choice), "mip", "network" or "lagrangian".
    `dual_rounds` makes the Lagrangian method run exactly that many dual rounds (time allowing), for studies of how
    the plan follows the multipliers (bench/planning.py --dual)."""
    started = time.perf_counter()
    v = objective_matrix(problem)
    _check_feasible(problem)
    if method == "auto":
        if problem.n * problem.m <= MIP_MAX_PAIRS:
            method = "mip"
        elif _network_eligible(problem):
            method = "network"
        else:
            method = "lagrangian"
    if method == "mip":
        plan = _solve_mip(problem, v, time_limit=time_limit)
    elif method == "network":
        if not _network_eligible(problem):
            raise ValueError("the network method needs one unit-need capacity per locality, no band and no floors")
        plan = _solve_network(problem, v, time_limit=time_limit)
    elif method == "lagrangian":
        plan = _solve_lagrangian(problem, v, time_limit=time_limit, target_gap=target_gap, dual_rounds=dual_rounds)
    else:
        raise ValueError(f"unknown method {method}")
    plan.seconds = time.perf_counter() - started
    return plan


def _check_feasible(problem: PlanningProblem) -> None:
    ties = problem.ties()
    tied = ties >= 0
    if not tied.any():
        limits = problem.band_limits()
        if limits is not None:
            lower, _ = limits
            if lower.sum() > problem.sizes().sum() + 1e-9:
                raise PlanInfeasible("the band's lower limits need more persons than there are")
        return
    services = problem.services()
    if services:
        cap = problem.capacity_matrix()
        need = problem.need_matrix()
        for k, s in enumerate(services):
            use = np.bincount(ties[tied], weights=need[tied, k], minlength=problem.m)
            bad = np.nonzero(use > cap[:, k] + 1e-9)[0]
            if bad.size:
                raise PlanInfeasible(f"the cases tied to {problem.localities[bad[0]].id} need more {s} than its capacity")
    limits = problem.band_limits()
    if limits is not None:
        persons = np.bincount(ties[tied], weights=problem.sizes()[tied], minlength=problem.m)
        bad = np.nonzero(persons > limits[1] + 1e-9)[0]
        if bad.size:
            raise PlanInfeasible(f"the cases tied to {problem.localities[bad[0]].id} exceed its band")


def band_feasibility(problem: PlanningProblem) -> float:
    """Persons the band's lower limits lack at best, from the LP over family types (cases with the same size and
    needs are one type): 0.0 means capacities and band are compatible in the relaxation (a necessary condition);
    a positive figure proves the instance infeasible. Ties and floors are left out. No band: 0.0."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    limits = problem.band_limits()
    if limits is None:
        return 0.0
    lower, upper = limits
    need, sizes, cap = problem.need_matrix(), problem.sizes(), problem.capacity_matrix()
    types, counts = np.unique(np.c_[sizes, need], axis=0, return_counts=True)
    t_n, m, s_n = types.shape[0], problem.m, need.shape[1]
    var = np.arange(t_n * m).reshape(t_n, m)  # x_tj, then a deficit d_j per locality
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    r0 = 0

    def block(coef: np.ndarray, b: np.ndarray, extra: np.ndarray | None = None) -> None:
        nonlocal r0
        for t in range(t_n):  # one row per locality: Σ_t coef_t x_tj (+ extra d_j) ≤ b_j
            if coef[t]:
                rows.append(r0 + np.arange(m))
                cols.append(var[t])
                vals.append(np.full(m, coef[t]))
        if extra is not None:
            rows.append(r0 + np.arange(m))
            cols.append(t_n * m + np.arange(m))
            vals.append(extra)
        rhs.append(b)
        r0 += m

    for t in range(t_n):  # Σ_j x_tj ≤ N_t
        rows.append(np.full(m, r0))
        cols.append(var[t])
        vals.append(np.ones(m))
        rhs.append(np.array([counts[t]], dtype=np.float64))
        r0 += 1
    for k in range(s_n):
        fin = np.isfinite(cap[:, k])
        block(types[:, 1 + k], np.where(fin, cap[:, k], 1e12))
    block(types[:, 0], upper)
    block(-types[:, 0], -lower, -np.ones(m))
    a_ub = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(r0, t_n * m + m)).tocsr()
    c = np.r_[np.zeros(t_n * m), np.ones(m)]
    res = linprog(c, A_ub=a_ub, b_ub=np.concatenate(rhs), bounds=(0, None), method="highs")  # type: ignore[call-overload]  # HiGHS takes a sparse A_ub; the stubs allow dense only
    if res.status != 0:
        raise RuntimeError(f"band feasibility LP: {res.message}")
    return float(max(res.fun, 0.0))


# ----------------------------------------------------------------------------------------------------------------
# Exact MIP for small instances


def _solve_mip(problem: PlanningProblem, v: np.ndarray, *, time_limit: float) -> Plan:
    from ortools.linear_solver import pywraplp

    n, m, pen = problem.n, problem.m, problem.unplaced_penalty
    solver = pywraplp.Solver.CreateSolver("SCIP")
    solver.SetTimeLimit(int(time_limit * 1000))
    ties = problem.ties()
    x = {}
    for i in range(n):
        cols = [int(ties[i])] if ties[i] >= 0 else range(m)
        row = []
        for j in cols:
            x[i, j] = solver.BoolVar(f"x{i}_{j}")
            row.append(x[i, j])
        if ties[i] >= 0:
            solver.Add(row[0] == 1)
        else:
            solver.Add(sum(row) <= 1)
    cap, need, sizes = problem.capacity_matrix(), problem.need_matrix(), problem.sizes()
    for k in range(len(problem.services())):
        for j in range(m):
            if np.isfinite(cap[j, k]):
                terms = [need[i, k] * x[i, j] for i in range(n) if (i, j) in x and need[i, k]]
                if terms:
                    solver.Add(sum(terms) <= cap[j, k])
    limits = problem.band_limits()
    if limits is not None:
        for j in range(m):
            terms = [sizes[i] * x[i, j] for i in range(n) if (i, j) in x]
            if not terms:
                if limits[0][j] > 0:
                    raise PlanInfeasible(f"no case can be placed in {problem.localities[j].id} to reach its band")
                continue
            solver.Add(sum(terms) >= limits[0][j])
            solver.Add(sum(terms) <= limits[1][j])
    if problem.fairness_floors:
        names, gidx = problem.groups()
        objective_matrix(problem)  # fills in synthetic scores when none were given
        s = cast(np.ndarray, problem.scores)
        for g, name in enumerate(names):
            f = problem.fairness_floors[name]
            terms = [(float(s[i, j]) - f) * var for (i, j), var in x.items() if gidx[i] == g]
            if terms:
                solver.Add(sum(terms) >= 0)
    placed_count = sum(x.values())
    solver.Maximize(sum(float(v[i, j]) * var for (i, j), var in x.items()) - pen * (n - placed_count))
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 1e-9)
    status = solver.Solve(params)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise PlanInfeasible("no plan satisfies the constraints (ties, band, floors)")
    a = np.full(n, -1, dtype=np.int32)
    for (i, j), var in x.items():
        if var.solution_value() > 0.5:
            a[i] = j
    obj = plan_value(problem, a, v)
    bound = solver.Objective().BestBound() if status != pywraplp.Solver.OPTIMAL else max(obj, solver.Objective().BestBound())
    bound = max(bound, obj)
    return Plan(assignment=a, objective=obj, bound=float(bound), gap=_gap(obj, bound), seconds=0.0, method="mip",
                details={"status": "optimal" if status == pywraplp.Solver.OPTIMAL else "feasible"})


# ----------------------------------------------------------------------------------------------------------------
# Network method: one unit-need capacity per locality (a transportation problem), certified by column generation


def _network_eligible(problem: PlanningProblem) -> bool:
    if problem.fairness_floors or problem.band_limits() is not None:
        return False
    services = problem.services()
    if not services:
        return True
    need = problem.need_matrix()
    used = [k for k in range(len(services)) if np.any(need[:, k] != 0)]
    if len(used) > 1:
        return False
    return all(np.all((need[:, k] == 0) | (need[:, k] == 1)) for k in used)


SCALE = float(2 ** 24)  # values are rounded to 1/SCALE for the integer min-cost flow


def _flow(rows: np.ndarray, cols: np.ndarray, vint: np.ndarray, n_rows: int, m: int, cap: np.ndarray,
          pen_int: int) -> np.ndarray:
    """Exact max-value assignment of n_rows unit cases on the given arcs (min-cost flow); −1 = unplaced."""
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    loc0, unpl, sink = n_rows, n_rows + m, n_rows + m + 1
    e = rows.size
    tails = np.concatenate([rows, np.arange(n_rows), loc0 + np.arange(m), [unpl]]).astype(np.int32)
    heads = np.concatenate([loc0 + cols, np.full(n_rows, unpl), np.full(m, sink), [sink]]).astype(np.int32)
    caps = np.concatenate([np.ones(e + n_rows, dtype=np.int64), np.minimum(cap, n_rows).astype(np.int64), [n_rows]])
    costs = np.concatenate([-vint, np.full(n_rows, pen_int), np.zeros(m + 1, dtype=np.int64)]).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(n_rows + m + 2, dtype=np.int64)
    supplies[:n_rows] = 1
    supplies[sink] = -n_rows
    flow.set_nodes_supplies(np.arange(n_rows + m + 2, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    f = flow.flows(np.arange(e, dtype=np.int32))
    a = np.full(n_rows, -1, dtype=np.int32)
    used = f > 0
    a[rows[used]] = cols[used]
    return a


def _flow_prices(rows: np.ndarray, cols: np.ndarray, vint: np.ndarray, a: np.ndarray, m: int, pen_int: int) -> np.ndarray:
    """Integer locality prices from an optimal flow: longest paths in its residual graph contracted to localities.

    Node m is "unplaced" (price 0). A case at node a(i) that could move to j gives the edge a(i) → j with weight
    v_ij − v_{i,a(i)}; prices are the smallest p ≥ 0 with p_j ≥ p_a + w for every edge (complementary slackness
    holds because the flow is optimal, so non-full localities stay at 0)."""
    own = np.where(a >= 0, 0, -pen_int).astype(np.int64)
    placed_arc = a[rows] == cols
    own_rows = rows[placed_arc]
    own[own_rows] = vint[placed_arc]
    src = np.where(a[rows] >= 0, a[rows], m).astype(np.int64)
    keep = ~placed_arc
    src, dst, w = src[keep], cols[keep].astype(np.int64), vint[keep] - own[rows[keep]]
    # one edge per (src, dst): the largest weight
    key = src * (m + 1) + dst
    order = np.argsort(key, kind="stable")
    key, w = key[order], w[order]
    if key.size:
        first = np.r_[0, np.nonzero(np.diff(key))[0] + 1]
        w = np.maximum.reduceat(w, first)
        key = key[first]
    src, dst = key // (m + 1), key % (m + 1)
    p = np.zeros(m + 1, dtype=np.int64)
    if m <= 2_000:  # dense relaxation: one (m+1)² max-plus product per sweep
        none = np.iinfo(np.int64).min // 4
        dense: np.ndarray = np.full((m + 1) * (m + 1), none, dtype=np.int64)
        dense[key] = w
        dense = dense.reshape(m + 1, m + 1)
        active = np.unique(src)
        if not active.size:
            return p[:m]
        sub = dense[active]
        for _ in range(m + 2):
            new = np.maximum(p, (p[active, None] + sub).max(axis=0))
            new[m] = 0
            if np.array_equal(new, p):
                break
            p = new
        return p[:m]
    for _ in range(m + 2):
        cand = p[src] + w
        new = p.copy()
        np.maximum.at(new, dst, cand)
        new[m] = 0
        if np.array_equal(new, p):
            break
        p = new
    return p[:m]


def _solve_network(problem: PlanningProblem, v: np.ndarray, *, time_limit: float) -> Plan:
    started = time.perf_counter()
    n, m, pen = problem.n, problem.m, problem.unplaced_penalty
    ties = problem.ties()
    services = problem.services()
    need = problem.need_matrix()
    used = [k for k in range(len(services)) if np.any(need[:, k] != 0)]
    kserv = used[0] if used else None
    cap = problem.capacity_matrix()[:, kserv].copy() if kserv is not None else np.full(m, np.inf)
    tied = ties >= 0
    a_all = np.full(n, -1, dtype=np.int32)
    a_all[tied] = ties[tied]
    if kserv is not None:
        cap -= np.bincount(ties[tied], weights=need[tied, kserv], minlength=m)
        flow_mask = (~tied) & (need[:, kserv] == 1)
    else:
        flow_mask = np.zeros(n, dtype=bool)
    free_mask = (~tied) & ~flow_mask
    flow_rows = np.nonzero(flow_mask)[0]
    nf = flow_rows.size
    cap = np.floor(np.maximum(cap, 0.0) + 1e-9)
    cap_eff = np.minimum(cap, nf)  # a capacity above the number of flowing cases never binds
    # free cases (no capacity they use): their best locality, or unplaced
    free = np.nonzero(free_mask)[0]
    if free.size:
        best = np.argmax(v[free], axis=1)
        val = v[free, best]
        a_all[free] = np.where(val > -pen, best, -1)
    details: dict[str, Any] = {"flow_cases": int(nf), "rounds": 0, "arcs": 0}
    p = np.zeros(m)
    if nf:
        pen_int = int(round(pen * SCALE))
        vf = v[flow_rows] if nf < n else v  # no copy in the common case where every case flows
        # 1. initial prices from a sample of cases with proportionally scaled capacities
        sample_n = min(nf, 3000)
        if nf > 2 * sample_n:
            rng = np.random.default_rng(0)
            sample = np.sort(rng.choice(nf, sample_n, replace=False))
            vs = vf[sample]
            cap_s = np.round(cap_eff * sample_n / nf)
            _, p, _ = _network_core(vs, cap_s, pen, pen_int, p0=np.zeros(m), per_row=24, deadline=started + time_limit)
        # 2. the full restricted problem with column generation
        af, p, info = _network_core(vf, cap_eff, pen, pen_int, p0=p, per_row=6, deadline=started + time_limit)
        a_all[flow_rows] = af
        details.update(info)
    obj = plan_value(problem, a_all, v)
    # the bound over ALL pairs at these prices (tied cases contribute their fixed value)
    bound = _network_bound(v, p, cap_eff, pen, flow_rows, free, ties, tied)
    prices = np.zeros((m, len(services)))
    if kserv is not None:
        prices[:, kserv] = p
    return Plan(assignment=a_all, objective=obj, bound=max(bound, obj) if bound - obj < 1e-9 * abs(bound) else bound,
                gap=_gap(obj, bound), seconds=0.0, method="network", prices=prices, details=details)


def _network_bound(v: np.ndarray, p: np.ndarray, cap_eff: np.ndarray, pen: float, flow_rows: np.ndarray,
                   free: np.ndarray, ties: np.ndarray, tied: np.ndarray) -> float:
    total = float(np.dot(cap_eff, p))
    if flow_rows.size:
        total += _row_bound(v, p, pen, flow_rows if flow_rows.size < v.shape[0] else None)
    if free.size:
        total += float(np.maximum(-pen, v[free].max(axis=1)).astype(np.float64).sum())
    t = np.nonzero(tied)[0]
    if t.size:
        total += float(v[t, ties[t]].astype(np.float64).sum())
    return total


def _row_bound(v: np.ndarray, p: np.ndarray, pen: float, rows: np.ndarray | None) -> float:
    p32 = p.astype(np.float32)
    n = v.shape[0] if rows is None else rows.size

    def part(s: int, e: int) -> float:
        block = v[s:e] if rows is None else v[rows[s:e]]
        r = block - p32
        return float(np.maximum(r.max(axis=1), -pen).astype(np.float64).sum())

    return float(sum(_chunked(part, n)))


def _network_core(v: np.ndarray, cap: np.ndarray, pen: float, pen_int: int, *, p0: np.ndarray, per_row: int,
                  deadline: float) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Column generation for the transportation problem on all rows of v (every row needs one unit)."""
    n, m = v.shape
    p0_32 = p0.astype(np.float32)
    # candidate pairs: per row, those within δ of the row's best reduced value (δ from a sample: ~per_row pairs)
    rng = np.random.default_rng(1)
    probe = v[np.sort(rng.choice(n, min(n, 512), replace=False))] - p0_32
    kth = np.partition(probe, -min(per_row, m), axis=1)[:, -min(per_row, m)]
    delta = float(np.median(probe.max(axis=1) - kth))

    def candidates(s: int, e: int) -> tuple[np.ndarray, np.ndarray]:
        r = v[s:e] - p0_32
        top = r.max(axis=1)
        rr, cc = np.nonzero(r >= (top - delta)[:, None])
        return (rr + s).astype(np.int64), cc.astype(np.int64)

    parts = _chunked(candidates, n)
    rows = np.concatenate([x[0] for x in parts])
    cols = np.concatenate([x[1] for x in parts])
    rounds = 0
    p = p0
    a = np.full(n, -1, dtype=np.int32)
    timings: list[float] = []
    while True:
        rounds += 1
        t0 = time.perf_counter()
        vint = np.rint(v[rows, cols].astype(np.float64) * SCALE).astype(np.int64)
        a = _flow(rows, cols, vint, n, m, cap, pen_int)
        pint = _flow_prices(rows, cols, vint, a, m, pen_int)
        p = pint / SCALE
        p32 = p.astype(np.float32)
        own = np.full(n, -pen, dtype=np.float64)
        placed = a >= 0
        own[placed] = v[np.nonzero(placed)[0], a[placed]].astype(np.float64) - p[a[placed]]
        eps = 2.0 / SCALE + 1e-6

        def price(s: int, e: int, p32: np.ndarray = p32, own: np.ndarray = own, eps: float = eps) -> tuple[np.ndarray, np.ndarray]:
            r = v[s:e] - p32
            viol = r.max(axis=1) > own[s:e] + eps
            if not viol.any():
                return np.empty(0, np.int64), np.empty(0, np.int64)
            idx = np.nonzero(viol)[0]
            sub = r[idx]
            rr, cc = np.nonzero(sub > (own[s:e][idx] + eps)[:, None])
            return (idx[rr] + s).astype(np.int64), cc.astype(np.int64)

        parts = _chunked(price, n)
        new_rows = np.concatenate([x[0] for x in parts])
        new_cols = np.concatenate([x[1] for x in parts])
        timings.append(time.perf_counter() - t0)
        if new_rows.size == 0 or time.perf_counter() > deadline:
            break
        rows = np.concatenate([rows, new_rows])
        cols = np.concatenate([cols, new_cols])
    return a, p, {"rounds": rounds, "arcs": int(rows.size), "round_seconds": [round(t, 3) for t in timings]}


# ----------------------------------------------------------------------------------------------------------------
# Lagrangian method: several capacities, family sizes, key band, fairness floors


@dataclass
class _Lag:
    """Problem arrays and the multiplier layout y = [λ (finite capacities), α (band upper), β (band lower), μ]."""

    n: int
    m: int
    pen: float
    cap: np.ndarray  # m × S (inf = none)
    need: np.ndarray  # n × S
    sizes: np.ndarray
    ties: np.ndarray
    lower: np.ndarray | None
    upper: np.ndarray | None
    floors: np.ndarray  # G
    gidx: np.ndarray  # n (−1 = no floor)
    fin: np.ndarray  # m × S bool
    # Families with the same needs and size are one type: the multipliers' price of locality j for a case is then
    # a T × m table looked up by type, far cheaper than pricing every pair service by service (None when T is large).
    type_of: np.ndarray | None = None  # n: the case's type
    type_need: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # T × S
    type_size: np.ndarray = field(default_factory=lambda: np.zeros(0))  # T

    def __post_init__(self) -> None:
        types, inverse = np.unique(np.c_[self.need, self.sizes], axis=0, return_inverse=True)
        if types.shape[0] * self.m <= TYPE_TABLE_MAX:
            self.type_of = inverse.reshape(-1).astype(np.int64)
            self.type_need, self.type_size = types[:, :-1], types[:, -1]

    def price_table(self, y: np.ndarray) -> np.ndarray:
        """T × m: what the multipliers charge a family of each type in each locality (floors aside)."""
        lam, alpha, beta, _ = self.unpack(y)
        table: np.ndarray = self.type_need @ lam.T
        if self.lower is not None:
            table += self.type_size[:, None] * (alpha - beta)[None, :]
        return table

    def unpack(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        lam = np.zeros(self.cap.shape)
        k = int(self.fin.sum())
        lam[self.fin] = y[:k]
        if self.lower is not None:
            alpha, beta = y[k:k + self.m], y[k + self.m:k + 2 * self.m]
            k += 2 * self.m
        else:
            alpha = beta = np.zeros(self.m)
        return lam, alpha, beta, y[k:]

    def size(self) -> int:
        return int(self.fin.sum()) + (2 * self.m if self.lower is not None else 0) + self.floors.size

    def constant(self, y: np.ndarray) -> float:
        lam, alpha, beta, _ = self.unpack(y)
        c = float(np.sum(np.where(self.fin, self.cap, 0.0) * lam))
        if self.lower is not None and self.upper is not None:
            c += float(self.upper @ alpha - self.lower @ beta)
        return c


def _table32(lg: _Lag, y: np.ndarray) -> np.ndarray | None:
    return lg.price_table(y).astype(np.float32) if lg.type_of is not None else None


def _reduced_block(lg: _Lag, v: np.ndarray, s_mat: np.ndarray | None, y: np.ndarray, start: int, stop: int,
                   rows: np.ndarray | None = None, table: np.ndarray | None = None) -> np.ndarray:
    """Reduced values of a block of rows; `table` is lg.price_table(y) as float32, when there is one."""
    lam, alpha, beta, mu = lg.unpack(y)
    idx = np.arange(start, stop) if rows is None else rows[start:stop]
    block = v[start:stop] if rows is None else v[idx]
    r = block.astype(np.float32, copy=True)
    if table is not None and lg.type_of is not None:
        r -= table[lg.type_of[idx]]
    else:
        if lam.any():
            r -= (lg.need[idx] @ lam.T).astype(np.float32)
        if lg.lower is not None:
            r -= (lg.sizes[idx][:, None] * (alpha - beta)[None, :]).astype(np.float32)
    if mu.size and np.any(mu > 0) and s_mat is not None:
        g = lg.gidx[idx]
        has = g >= 0
        if has.any():
            coef = np.where(has, mu[np.maximum(g, 0)], 0.0).astype(np.float32)
            fl = np.where(has, lg.floors[np.maximum(g, 0)], 0.0).astype(np.float32)
            sblock = s_mat[idx]
            r += coef[:, None] * (sblock - fl[:, None])
    return r


def _full_pass(lg: _Lag, v: np.ndarray, s_mat: np.ndarray | None, y: np.ndarray, delta: float | None,
               rows: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """The Lagrangian bound at y over all pairs of `rows` (all rows by default), and candidate pairs within δ of
    each row's best reduced value (none when δ is None)."""
    n = lg.n if rows is None else rows.size
    ties_all = lg.ties
    table = _table32(lg, y)

    def part(s: int, e: int) -> tuple[float, np.ndarray, np.ndarray]:
        r = _reduced_block(lg, v, s_mat, y, s, e, rows, table)
        idx = np.arange(s, e) if rows is None else rows[s:e]
        t = ties_all[idx]
        tied = t >= 0
        best = r.max(axis=1)
        u = np.maximum(best, -lg.pen)
        if tied.any():
            tr = np.nonzero(tied)[0]
            u[tr] = r[tr, t[tr]]
        total = float(u.astype(np.float64).sum())
        if delta is None:
            return total, np.empty(0, np.int64), np.empty(0, np.int64)
        rr, cc = np.nonzero((r >= (best - delta)[:, None]) & ~tied[:, None])
        if tied.any():
            tr = np.nonzero(tied)[0]
            rr = np.concatenate([rr, tr])
            cc = np.concatenate([cc, t[tr]])
        return total, (rr + s).astype(np.int64), cc.astype(np.int64)

    parts = _chunked(part, n, 2048)
    total = sum(x[0] for x in parts) + lg.constant(y)
    return total, np.concatenate([x[1] for x in parts]), np.concatenate([x[2] for x in parts])


class _Cands:
    """Candidate pairs sorted by row, with everything the smoothed dual needs."""

    def __init__(self, lg: _Lag, v: np.ndarray, s_mat: np.ndarray | None, rows: np.ndarray, cols: np.ndarray,
                 row_ids: np.ndarray) -> None:
        # rows are positions 0..len(row_ids)-1 into row_ids (the cases of this sub-problem); a bitmap removes
        # repeated pairs and sorts by row far faster than sorting the pairs
        mask = np.zeros((row_ids.size, lg.m), dtype=bool)
        mask[rows, cols] = True
        self.r, self.c = np.nonzero(mask)
        del mask
        case = row_ids[self.r]
        self.case = case
        self.v = v[case, self.c].astype(np.float64)
        self.nrows = row_ids.size
        self.starts = np.r_[0, np.nonzero(np.diff(self.r))[0] + 1]
        self.counts = np.diff(np.r_[self.starts, self.r.size])
        self.unplace = (lg.ties[row_ids] < 0)
        if lg.type_of is not None:  # the pair's cell in the type × locality table
            self.cell = lg.type_of[case] * lg.m + self.c
        else:
            self.need_t = np.ascontiguousarray(lg.need[case].T)  # S × pairs: one contiguous row per service
            self.size = lg.sizes[case]
        g = lg.gidx[case]
        self.g = g
        if lg.floors.size and s_mat is not None:
            self.coef = np.where(g >= 0, s_mat[case, self.c] - lg.floors[np.maximum(g, 0)], 0.0)
        else:
            self.coef = np.zeros(case.size)

    def reduced(self, lg: _Lag, y: np.ndarray) -> np.ndarray:
        lam, alpha, beta, mu = lg.unpack(y)
        if lg.type_of is not None:
            r: np.ndarray = self.v - lg.price_table(y).ravel()[self.cell]
        else:
            r = self.v.copy()
            for k in range(lam.shape[1]):  # one gather per service (much faster than an einsum over pairs × S)
                if lg.fin[:, k].any():
                    r -= self.need_t[k] * lam[:, k][self.c]
            if lg.lower is not None:
                r -= self.size * (alpha - beta)[self.c]
        if mu.size:
            r += np.where(self.g >= 0, mu[np.maximum(self.g, 0)], 0.0) * self.coef
        return r

    def usage(self, lg: _Lag, pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected use of each service (m × S) and persons (m) in each locality under the weights pi."""
        if lg.type_of is not None:
            per_type = np.bincount(self.cell, weights=pi, minlength=lg.type_need.shape[0] * lg.m)
            per_type = per_type.reshape(-1, lg.m)
            return per_type.T @ lg.type_need, per_type.T @ lg.type_size
        use = np.zeros(lg.cap.shape)
        for k in range(lg.cap.shape[1]):
            if lg.fin[:, k].any():
                use[:, k] = np.bincount(self.c, weights=pi * self.need_t[k], minlength=lg.m)
        return use, np.bincount(self.c, weights=pi * self.size, minlength=lg.m)


def _smoothed(y: np.ndarray, lg: _Lag, cd: _Cands, tau: float, cap_scale: float) -> tuple[float, np.ndarray]:
    r = cd.reduced(lg, y)
    top = np.maximum.reduceat(r, cd.starts)
    top = np.where(cd.unplace, np.maximum(top, -lg.pen), top)
    r -= np.repeat(top, cd.counts)
    r /= tau
    ex = np.exp(r, out=r)
    z = np.add.reduceat(ex, cd.starts) + np.exp(np.where(cd.unplace, (-lg.pen - top) / tau, -np.inf))
    f = float(np.sum(top + tau * np.log(z)))
    pi = ex
    pi /= np.repeat(z, cd.counts)
    lam, alpha, beta, mu = lg.unpack(y)
    use, persons = cd.usage(lg, pi)
    grads = []
    if lg.fin.any():
        capf = np.where(lg.fin, lg.cap * cap_scale, 0.0)
        f += float(np.sum(capf * lam))
        grads.append((capf - use)[lg.fin])
    if lg.lower is not None and lg.upper is not None:
        up, lo = lg.upper * cap_scale, lg.lower * cap_scale
        f += float(up @ alpha - lo @ beta)
        grads.append(up - persons)
        grads.append(persons - lo)
    if lg.floors.size:
        grads.append(np.bincount(np.maximum(cd.g, 0), weights=pi * cd.coef * (cd.g >= 0), minlength=lg.floors.size))
    return f, np.concatenate(grads) if grads else np.zeros(0)


def _dual_optimise(lg: _Lag, cd: _Cands, y0: np.ndarray, *, cap_scale: float, taus: tuple[float, ...],
                   iters: int, top: float) -> np.ndarray:
    from scipy.optimize import minimize

    y = y0.copy()
    if y.size == 0:
        return y
    # Multipliers are kept in [0, top]: the bound stays valid for any non-negative multipliers, and the box keeps
    # the dual of a restricted candidate set bounded when that restricted set cannot fill a band.
    bounds = [(0.0, top)] * y.size
    for tau in taus:
        res = minimize(_smoothed, y, args=(lg, cd, tau, cap_scale), jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": iters, "maxcor": 20, "ftol": 1e-9 if tau == taus[-1] else 1e-6})
        y = np.maximum(res.x, 0.0)
    return y


def _solve_lagrangian(problem: PlanningProblem, v: np.ndarray, *, time_limit: float, target_gap: float,
                      dual_rounds: int | None = None) -> Plan:
    started = time.perf_counter()
    deadline = started + time_limit
    n, m = problem.n, problem.m
    names, gidx = problem.groups()
    limits = problem.band_limits()
    cap = problem.capacity_matrix()
    lg = _Lag(n=n, m=m, pen=problem.unplaced_penalty, cap=cap, need=problem.need_matrix(), sizes=problem.sizes(),
              ties=problem.ties(), lower=limits[0] if limits else None, upper=limits[1] if limits else None,
              floors=np.array([problem.fairness_floors[g] for g in names], dtype=np.float64), gidx=gidx,
              fin=np.isfinite(cap))
    s_mat = problem.scores if lg.floors.size else None
    y = np.zeros(lg.size())
    scale = float(np.abs(v[: min(n, 2000)]).mean()) or 1.0
    taus = (0.05 * scale, 0.01 * scale, 0.002 * scale)
    top = 1.5 * (float(np.abs(v[: min(n, 2000)]).max()) + lg.pen)
    details: dict[str, Any] = {}
    all_rows = np.arange(n)
    per_row = 12 if n > 20_000 else 30
    t0 = time.perf_counter()
    bound, rr, cc = _full_pass(lg, v, s_mat, y, _delta(lg, v, s_mat, y, per_row))
    best_bound, best_y = bound, y
    cover_r, cover_c = _coverage(lg, np.random.default_rng(3))
    cd = _Cands(lg, v, s_mat, np.concatenate([rr, cover_r]), np.concatenate([cc, cover_c]), all_rows)
    timings = [round(time.perf_counter() - t0, 2)]
    rounds = 0
    while rounds < (dual_rounds or MAX_DUAL_ROUNDS):
        rounds += 1
        t0 = time.perf_counter()
        if rounds == 1:  # a rough first solve: its candidates, priced at y = 0, are mostly the wrong ones
            y = _dual_optimise(lg, cd, y, cap_scale=1.0, taus=taus[1:2] if n > 20_000 else taus[:2],
                               iters=20 if n > 20_000 else 100, top=top)
        else:
            y = _dual_optimise(lg, cd, y, cap_scale=1.0, taus=taus[2:], iters=60, top=top)
        inner = _candidate_bound(lg, cd, y)
        bound, rr, cc = _full_pass(lg, v, s_mat, y, _delta(lg, v, s_mat, y, per_row))
        improved = best_bound - bound
        if bound < best_bound:
            best_bound, best_y = bound, y
        # Keep the pairs that still weigh in the smoothed dual (within PRUNE_TAUS × τ of their row's best: the
        # others carry a weight below e^−PRUNE_TAUS) and add those the pricing of all pairs found: evaluations
        # stay cheap, and the pricing brings back any pair that later matters.
        old = cd
        kr, kc = old.r, old.c
        if rounds >= 2:
            r = old.reduced(lg, y)
            keep = r >= np.repeat(np.maximum.reduceat(r, old.starts), old.counts) - PRUNE_TAUS * taus[2]
            kr, kc = kr[keep], kc[keep]
        cd = _Cands(lg, v, s_mat, np.concatenate([kr, rr, cover_r]), np.concatenate([kc, cc, cover_c]), all_rows)
        timings.append(round(time.perf_counter() - t0, 2))
        # Done when the candidates suffice (pricing every pair adds nothing) and the bound has settled; or when
        # another round like the last would run into the time kept for the primal plan.
        settled = rounds >= 3 and bound - inner <= 1e-9 * abs(bound) and improved <= 0.01 * target_gap * abs(bound)
        if (settled and dual_rounds is None) or time.perf_counter() + timings[-1] > started + DUAL_SHARE * time_limit:
            break
    details["round_seconds"] = timings
    y = best_y
    t_repair = time.perf_counter()
    details["dual_rounds"] = rounds
    details["candidates"] = int(cd.c.size)
    repair_info: dict[str, Any] = {}
    a = _repair(problem, lg, v, s_mat, cd, y, deadline, info=repair_info)
    obj = plan_value(problem, a, v)
    details["repair"] = repair_info
    details["primal"] = "argmax"
    if n <= 20_000 and time.perf_counter() < started + 0.8 * time_limit:  # a second primal: sequential by regret; keep the better
        a2 = _repair(problem, lg, v, s_mat, cd, y, deadline, sequential=True)
        obj2 = plan_value(problem, a2, v)
        if obj2 > obj and len(plan_validate(problem, a2)) <= len(plan_validate(problem, a)):
            a, obj = a2, obj2
            details["primal"] = "sequential"
    details["repair_seconds"] = round(time.perf_counter() - t_repair, 2)
    lam, alpha, beta, mu = lg.unpack(y)
    return Plan(assignment=a, objective=obj, bound=best_bound, gap=_gap(obj, best_bound), seconds=0.0,
                method="lagrangian", prices=lam, details={**details, "band_prices_upper": alpha, "band_prices_lower": beta,
                                                           "floor_prices": mu, "violations": plan_validate(problem, a)})


def _coverage(lg: _Lag, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random extra pairs so that every locality can reach its band's lower limit within the candidates: without
    them the dual restricted to candidates can be unbounded (a lower limit no candidate can fill)."""
    if lg.lower is None:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    free = np.nonzero(lg.ties < 0)[0]
    if not free.size:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    mean_size = float(lg.sizes[free].mean())
    counts = np.minimum(np.ceil(3.0 * lg.lower / mean_size).astype(np.int64) + 2, free.size)
    cols = np.repeat(np.arange(lg.m, dtype=np.int64), counts)
    rows = free[rng.integers(0, free.size, cols.size)].astype(np.int64)
    return rows, cols


def _candidate_bound(lg: _Lag, cd: _Cands, y: np.ndarray) -> float:
    """The Lagrangian over the candidate pairs only (≤ the full one): equal to it when the candidates suffice."""
    r = cd.reduced(lg, y)
    top = np.maximum.reduceat(r, cd.starts)
    top = np.where(cd.unplace, np.maximum(top, -lg.pen), top)
    return float(top.sum()) + lg.constant(y)


def _delta(lg: _Lag, v: np.ndarray, s_mat: np.ndarray | None, y: np.ndarray, per_row: int,
           rows: np.ndarray | None = None) -> float:
    rng = np.random.default_rng(2)
    pool = np.arange(lg.n) if rows is None else rows
    probe = np.sort(rng.choice(pool, min(pool.size, 512), replace=False))
    r = _reduced_block(lg, v, s_mat, y, 0, probe.size, probe, _table32(lg, y))
    k = min(per_row, lg.m)
    kth = np.partition(r, -k, axis=1)[:, -k]
    return float(np.median(r.max(axis=1) - kth))


def _swap_into(j: int, a: np.ndarray, v: np.ndarray, need: np.ndarray, sizes: np.ndarray, ties: np.ndarray,
               load: np.ndarray, persons: np.ndarray, capf: np.ndarray, upper: np.ndarray, lower: np.ndarray,
               eps: float, deadline: float) -> None:
    """Raise locality j to its band's lower limit by swapping one of its families for a larger one from elsewhere
    (or from the unplaced), cheapest first, keeping every capacity and both localities' bands."""
    n = a.size
    own = np.where(a >= 0, v[np.arange(n), np.maximum(a, 0)], 0.0)
    outside = np.nonzero((a != j) & (ties < 0))[0]
    outside = outside[np.argsort(own[outside] - v[outside, j], kind="stable")][:300]
    members = np.nonzero((a == j) & (ties < 0))[0]
    members = members[np.argsort(v[members, j], kind="stable")]
    for i in outside:
        if persons[j] >= lower[j] - eps or time.perf_counter() > deadline:
            return
        k = int(a[i])
        for h in members:
            if sizes[h] >= sizes[i] or a[h] != j:
                continue
            dj = need[i] - need[h]
            if np.any(load[j] + dj > capf[j] + eps) or persons[j] + sizes[i] - sizes[h] > upper[j] + eps:
                continue
            if k >= 0:
                if np.any(load[k] - dj > capf[k] + eps):
                    continue
                pk = persons[k] - sizes[i] + sizes[h]
                if pk < lower[k] - eps or pk > upper[k] + eps:
                    continue
                load[k] -= dj
                persons[k] += sizes[h] - sizes[i]
            load[j] += dj
            persons[j] += sizes[i] - sizes[h]
            a[i], a[h] = j, k
            members = members[members != h]
            break


def _eject_into(i: int, j: int, a: np.ndarray, v: np.ndarray, need: np.ndarray, sizes: np.ndarray, ties: np.ndarray,
               load: np.ndarray, persons: np.ndarray, capf: np.ndarray, upper: np.ndarray, lower: np.ndarray,
               pen: float, fits: Any, move: Any, movable_to: Any) -> bool:
    """Make room for unplaced case i at locality j by moving some of j's cases to other localities (cheapest
    first); keep the change only if the objective rises, otherwise undo it."""
    eps = 1e-9
    members = np.nonzero(a == j)[0]
    members = members[ties[members] < 0]
    if not members.size:
        return False
    members = members[np.argsort(v[members, j], kind="stable")][:60]
    moved: list[tuple[int, int]] = []
    gain = float(v[i, j]) + pen
    for k in members.tolist():
        short = load[j] + need[i] - capf[j]
        pshort = persons[j] + sizes[i] - upper[j]
        if not np.any(short > eps) and pshort <= eps:
            break
        helps = np.any((short > eps) & (need[k] > 0)) or (pshort > eps and sizes[k] > 0)
        if not helps or persons[j] - sizes[k] + sizes[i] < lower[j] - eps and pshort <= eps:
            continue
        j2 = movable_to(k, j)
        if j2 < 0:
            continue
        gain -= float(v[k, j]) - float(v[k, j2])
        move(k, j2)
        moved.append((k, j))
    if fits(i, j) and gain > 0:
        move(i, j)
        return True
    for k, back in reversed(moved):
        move(k, back)
    return False


def _bump_batches(a: np.ndarray, ptr: np.ndarray, last: np.ndarray, ec: np.ndarray, rv: np.ndarray, ties: np.ndarray,
                  need: np.ndarray, sizes: np.ndarray, capf: np.ndarray, upper: np.ndarray, pen: float,
                  rounds: int = 60) -> int:
    """Vectorised deferred acceptance: every case sits at the candidate `ptr[i]` of its list (sorted by reduced
    value, best first); each over-full locality (a service or the band's upper limit) bumps, in one batch, the
    cases with the smallest loss (own reduced value − next option) that it must shed, and each bumped case moves
    on to its next candidate with room at the start of the batch (or is unplaced when none is worth more than −P).
    Pointers only advance, so this ends. Returns the number of batches."""
    m = capf.shape[0]
    eps = 1e-9
    free = ties < 0
    for batch in range(rounds):
        placed = a >= 0
        load = np.zeros((m, capf.shape[1]))
        for k in range(capf.shape[1]):
            load[:, k] = np.bincount(a[placed], weights=need[placed, k], minlength=m)
        persons = np.bincount(a[placed], weights=sizes[placed], minlength=m)
        excess = load - capf  # m × S, > 0 where over
        pex = persons - upper
        over = np.any(excess > eps, axis=1) | (pex > eps)
        if not over.any():
            return batch
        at = np.nonzero(placed & free & over[np.maximum(a, 0)])[0]
        j = a[at]
        ex_s = excess[j] > eps  # the services over at the case's locality
        helps = np.any(ex_s & (need[at] > 0), axis=1) | (pex[j] > eps)
        at, j = at[helps], j[helps]
        nxt = ptr[at] + 1
        has_next = nxt < last[at]
        next_r = np.where(has_next, rv[np.minimum(nxt, rv.size - 1)], -pen)
        loss = rv[ptr[at]] - np.maximum(next_r, -pen)
        order = np.lexsort((loss, j))
        at, j = at[order], j[order]
        # within each locality, cumulative need shed BEFORE each case; bump while the excess is not yet covered
        starts = np.r_[0, np.nonzero(np.diff(j))[0] + 1]
        seg = np.repeat(starts, np.diff(np.r_[starts, j.size]))
        cs = np.cumsum(need[at], axis=0)
        before = cs - need[at] - (cs[seg] - need[at[seg]])
        csz = np.cumsum(sizes[at])
        before_p = csz - sizes[at] - (csz[seg] - sizes[at[seg]])
        still = np.any((excess[j] > eps) & (before < excess[j] - eps) & (need[at] > 0), axis=1) \
            | ((pex[j] > eps) & (before_p < pex[j] - eps))
        bump = at[still]
        if not bump.size:
            return batch
        # move each bumped case to its next candidate with room (checked against the loads before this batch)
        room_load = load.copy()
        room_persons = persons.copy()
        np.subtract.at(room_load, a[bump], need[bump])
        np.subtract.at(room_persons, a[bump], sizes[bump])
        a[bump] = -1
        p = ptr[bump] + 1
        todo = np.arange(bump.size)
        for _ in range(16):
            if not todo.size:
                break
            pi = p[todo]
            ok = pi < last[bump[todo]]
            pi_c = np.minimum(pi, ec.size - 1)
            worth = ok & (rv[pi_c] > -pen)
            jj = ec[pi_c]
            i_ = bump[todo]
            fit = worth & np.all(room_load[jj] + need[i_] <= capf[jj] + eps, axis=1) \
                & (room_persons[jj] + sizes[i_] <= upper[jj] + eps)
            a[i_[fit]] = jj[fit]
            ptr[i_[fit]] = pi[fit]
            done = fit | ~worth
            ptr[i_[~worth]] = last[i_[~worth]]  # nothing worth it: unplaced
            p[todo[~done]] += 1
            todo = todo[~done]
        if todo.size:  # still looking after 16 steps: park at the next candidate regardless; the next batch decides
            i_ = bump[todo]
            pi = p[todo]
            ok = pi < last[i_]
            pi_c = np.minimum(pi, ec.size - 1)
            sel = ok & (rv[pi_c] > -pen)
            a[i_[sel]] = ec[pi_c[sel]]
            ptr[i_[sel]] = pi[sel]
            ptr[i_[~sel]] = last[i_[~sel]]
    return rounds


def _fill_batches(a: np.ndarray, v: np.ndarray, ties: np.ndarray, need: np.ndarray, sizes: np.ndarray,
                  capf: np.ndarray, upper: np.ndarray, lower: np.ndarray, pen: float, rounds: int = 40) -> int:
    """Vectorised band filling: every locality below its band's lower limit takes, in one batch, the cases that
    lose least by moving there (own value − v_ij; unplaced cases count −P), enough persons to cover its deficit,
    keeping every capacity and the donors' own lower limits (cumulative checks per receiver and per donor).
    Returns the number of batches."""
    n, m = a.size, capf.shape[0]
    eps = 1e-9
    free = np.nonzero(ties < 0)[0]
    mean_size = float(sizes[free].mean()) if free.size else 1.0
    idle = 0
    for batch in range(rounds):
        placed = a >= 0
        load = np.zeros((m, capf.shape[1]))
        for k in range(capf.shape[1]):
            load[:, k] = np.bincount(a[placed], weights=need[placed, k], minlength=m)
        persons = np.bincount(a[placed], weights=sizes[placed], minlength=m)
        short = np.nonzero(persons < lower - eps)[0]
        if not short.size:
            return batch
        own = np.full(n, -pen, dtype=np.float32)
        own[placed] = v[np.nonzero(placed)[0], a[placed]]
        # donors must keep their own lower limit: a case can leave only if its locality has that much room
        spare = np.full(n, np.inf)
        spare[placed] = (persons - lower)[a[placed]]
        movable = free[(sizes[free] <= spare[free] + eps)]
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        losses: list[np.ndarray] = []
        for c0 in range(0, short.size, 64):
            js = short[c0:c0 + 64]
            loss = own[movable][:, None] - v[np.ix_(movable, js)]
            blocked = (a[movable][:, None] == js[None, :]) | \
                (persons[js] + sizes[movable][:, None] > upper[js] + eps)
            room = capf[js] - load[js]
            for k in range(capf.shape[1]):  # only cases that fit the receiver's capacities as they stand
                blocked |= need[movable, k][:, None] > room[:, k][None, :] + eps
            loss[blocked] = np.inf
            loss /= sizes[movable][:, None]  # per person of the deficit: larger families first at equal loss
            want = np.minimum(np.ceil(3 * (lower[js] - persons[js]) / mean_size).astype(np.int64) + 8, movable.size)
            kmax = int(want.max())
            part = np.argpartition(loss, kmax - 1, axis=0)[:kmax] if kmax < movable.size else \
                np.tile(np.arange(movable.size)[:, None], (1, js.size))
            for q, j in enumerate(js):
                pick = part[:, q]
                rows.append(movable[pick])
                cols.append(np.full(pick.size, j))
                losses.append(loss[pick, q].astype(np.float64))
        i_all, j_all, l_all = np.concatenate(rows), np.concatenate(cols), np.concatenate(losses)
        ok = np.isfinite(l_all)
        i_all, j_all, l_all = i_all[ok], j_all[ok], l_all[ok]
        # individually: the case fits the receiver's capacities and upper limit
        fit = np.all(load[j_all] + need[i_all] <= capf[j_all] + eps, axis=1) & (persons[j_all] + sizes[i_all] <= upper[j_all] + eps)
        i_all, j_all, l_all = i_all[fit], j_all[fit], l_all[fit]
        # within each receiver, cheapest first, only as many persons as its deficit needs
        order = np.lexsort((l_all, j_all))
        i_all, j_all, l_all = i_all[order], j_all[order], l_all[order]
        if not i_all.size:
            return batch
        starts = np.r_[0, np.nonzero(np.diff(j_all))[0] + 1]
        seg = np.repeat(starts, np.diff(np.r_[starts, j_all.size]))
        csz = np.cumsum(sizes[i_all])
        before = csz - sizes[i_all] - (csz[seg] - sizes[i_all[seg]])
        keep = before < (lower - persons)[j_all] - eps
        i_all, j_all, l_all = i_all[keep], j_all[keep], l_all[keep]
        # a case goes to one receiver only (its cheapest)
        order = np.lexsort((l_all, i_all))
        i_all, j_all, l_all = i_all[order], j_all[order], l_all[order]
        first_of = np.r_[True, i_all[1:] != i_all[:-1]]
        i_all, j_all, l_all = i_all[first_of], j_all[first_of], l_all[first_of]
        # cumulative checks: receivers' capacities and upper limits, donors' lower limits (cheapest first)
        order = np.argsort(l_all, kind="stable")
        i_all, j_all = i_all[order], j_all[order]
        add_load = np.zeros_like(load)
        add_p = np.zeros(m)
        take_p = np.zeros(m)
        status = np.zeros(i_all.size, dtype=np.int8)  # 0 pending, 1 accepted, 2 rejected
        big = np.iinfo(np.int64).max
        for _ in range(8):  # accept, per receiver and per donor, the prefix (in loss order) that passes; repeat
            idx = np.nonzero(status == 0)[0]
            if not idx.size:
                break
            ii, jj = i_all[idx], j_all[idx]
            kk = a[ii]
            kd = np.where(kk >= 0, kk, m)
            o = np.lexsort((idx, jj))
            cl = np.empty((idx.size, load.shape[1]))
            cl[o] = _segmented_cumsum(need[ii][o], jj[o])
            cp = np.empty(idx.size)
            cp[o] = _segmented_cumsum(sizes[ii][o][:, None], jj[o])[:, 0]
            ok_r = np.all(load[jj] + add_load[jj] + cl <= capf[jj] + eps, axis=1) & (persons[jj] + add_p[jj] + cp <= upper[jj] + eps)
            o2 = np.lexsort((idx, kd))
            cdn = np.empty(idx.size)
            cdn[o2] = _segmented_cumsum(sizes[ii][o2][:, None], kd[o2])[:, 0]
            k0 = np.maximum(kk, 0)
            ok_d = (kk < 0) | (persons[k0] - take_p[k0] - cdn >= lower[k0] - eps)
            good = ok_r & ok_d
            bad_r = np.full(m + 1, big)
            bad_d = np.full(m + 1, big)
            np.minimum.at(bad_r, jj[~good], idx[~good])
            np.minimum.at(bad_d, kd[~good], idx[~good])
            acc = good & (idx < bad_r[jj]) & (idx < bad_d[kd])
            rej = ~good & (idx == bad_r[jj]) & (idx == bad_d[kd])
            ai, aj, ak = ii[acc], jj[acc], kk[acc]
            np.add.at(add_load, aj, need[ai])
            np.add.at(add_p, aj, sizes[ai])
            np.add.at(take_p, ak[ak >= 0], sizes[ai[ak >= 0]])
            status[idx[acc]] = 1
            status[idx[rej]] = 2
            if not acc.any() and not rej.any():
                break
        accepted = status == 1
        moved = i_all[accepted]
        a[moved] = j_all[accepted]
        if not moved.size:
            idle += 1
            if idle >= 2:
                return batch
        else:
            idle = 0
    return rounds


def _segmented_cumsum(x: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sums of the rows of x within runs of equal (sorted) keys."""
    cs = np.cumsum(x, axis=0)
    if not keys.size:
        return cs
    starts = np.r_[0, np.nonzero(np.diff(keys))[0] + 1]
    seg = np.repeat(starts, np.diff(np.r_[starts, keys.size]))
    out: np.ndarray = cs - cs[seg] + x[seg]
    return out


def _repair(problem: PlanningProblem, lg: _Lag, v: np.ndarray, s_mat: np.ndarray | None, cd: _Cands, y: np.ndarray,
            deadline: float, sequential: bool = False, info: dict[str, Any] | None = None) -> np.ndarray:
    """A feasible plan from the multipliers: everyone to their best reduced value, then overloads removed by
    smallest regret, reinserted greedily within capacities and band, band deficits filled, floors restored, then
    single moves that raise the true objective."""
    n, m = lg.n, lg.m
    r = cd.reduced(lg, y)
    order = np.lexsort((-r, cd.r))  # by row, best reduced value first
    ec, er, rv, ev = cd.c[order], cd.r[order], r[order], cd.v[order]
    starts = np.r_[0, np.nonzero(np.diff(er))[0] + 1]
    ends = np.r_[starts[1:], er.size]
    row_of_start = er[starts]
    first = np.full(n, -1, dtype=np.int64)
    last = np.full(n, -1, dtype=np.int64)
    first[row_of_start] = starts
    last[row_of_start] = ends
    ties = lg.ties
    a = np.full(n, -1, dtype=np.int32)
    has = first >= 0
    top_r = np.full(n, -np.inf)
    top_r[has] = rv[first[has]]
    take = has & ((top_r > -lg.pen) | (ties >= 0))
    if not sequential:  # everyone at their best reduced value; overloads are removed below
        a[take] = ec[first[take]]
    a[ties >= 0] = ties[ties >= 0]
    capf = np.where(lg.fin, lg.cap, np.inf)
    need, sizes = lg.need, lg.sizes
    placed = a >= 0
    load = np.zeros((m, capf.shape[1]))
    for k in range(capf.shape[1]):
        load[:, k] = np.bincount(a[placed], weights=need[placed, k], minlength=m)
    persons = np.bincount(a[placed], weights=sizes[placed], minlength=m)
    upper = lg.upper if lg.upper is not None else np.full(m, np.inf)
    lower = lg.lower if lg.lower is not None else np.zeros(m)
    eps = 1e-9

    def fits(i: int, j: int) -> bool:
        return bool(np.all(load[j] + need[i] <= capf[j] + eps) and persons[j] + sizes[i] <= upper[j] + eps)

    def move(i: int, j: int) -> None:
        old = a[i]
        if old >= 0:
            load[old] -= need[i]
            persons[old] -= sizes[i]
        if j >= 0:
            load[j] += need[i]
            persons[j] += sizes[i]
        a[i] = j

    # regret of each case: its reduced value minus the next best option (another locality or unplaced)
    second = np.full(n, -lg.pen)
    two = has & (last - first >= 2)
    second[two] = np.maximum(rv[first[two] + 1], -lg.pen)
    regret = top_r - second
    steps: dict[str, float] = info if info is not None else {}
    t_step = time.perf_counter()
    if not sequential:  # 1a. vectorised: over-full localities bump their cheapest cases to their next candidates
        ptr = np.where(a >= 0, first, last)
        ptr[ties >= 0] = last[ties >= 0]  # tied cases never move
        steps["bump_batches"] = _bump_batches(a, ptr, last, ec, rv, ties, need, sizes, capf, upper, lg.pen)
        a[ties >= 0] = ties[ties >= 0]
        placed = a >= 0
        for k in range(capf.shape[1]):
            load[:, k] = np.bincount(a[placed], weights=need[placed, k], minlength=m)
        persons[:] = np.bincount(a[placed], weights=sizes[placed], minlength=m)
        steps["objective_after_bump"] = plan_value(problem, a, v)
        steps["bump_seconds"] = round(time.perf_counter() - t_step, 2)
    # 1. remove overloads (what the batches left, if anything)
    over = np.nonzero(np.any(load > capf + eps, axis=1) | (persons > upper + eps))[0]
    pool: list[int] = [int(i) for i in np.nonzero(take & (ties < 0))[0]] if sequential else []
    if over.size:
        members_sorted = np.argsort(a, kind="stable")
        bounds_ = np.searchsorted(a[members_sorted], np.arange(m + 1))
        for j in over.tolist():  # always completed: capacities are never exceeded, whatever the time
            members = members_sorted[bounds_[j]:bounds_[j + 1]]
            members = members[ties[members] < 0]
            members = members[np.argsort(regret[members], kind="stable")]
            for i in members:
                bad_s = load[j] > capf[j] + eps
                bad_p = persons[j] > upper[j] + eps
                if not bad_s.any() and not bad_p:
                    break
                if bad_p or np.any(need[i][bad_s] > 0):
                    move(int(i), -1)
                    pool.append(int(i))
    # 2. reinsert, the cases with most to lose first
    pool.sort(key=lambda i: -regret[i])
    for i in pool:
        if time.perf_counter() > deadline:
            break
        for e in range(first[i], last[i]):
            j = int(ec[e])
            if rv[e] <= -lg.pen:
                break
            if fits(i, j):
                move(i, j)
                break
    steps["after_reinsert_seconds"] = round(time.perf_counter() - t_step, 2)
    # 3. band deficits: pull the cheapest cases from unplaced or from localities with room above their lower limit
    if lg.lower is not None and not sequential:  # 3a. vectorised batches first
        steps["fill_batches"] = _fill_batches(a, v, ties, need, sizes, capf, upper, lower, lg.pen)
        placed = a >= 0
        for k in range(capf.shape[1]):
            load[:, k] = np.bincount(a[placed], weights=need[placed, k], minlength=m)
        persons[:] = np.bincount(a[placed], weights=sizes[placed], minlength=m)
        steps["fill_seconds"] = round(time.perf_counter() - t_step, 2)
        steps["short_after_fill"] = int(np.sum(persons < lower - eps))
    if lg.lower is not None:
        by_col = np.argsort(ec, kind="stable")
        col_start = np.searchsorted(ec[by_col], np.arange(m + 1))
        own_all = np.where(a >= 0, v[np.arange(n), np.maximum(a, 0)], -lg.pen).astype(np.float64)
        for j in np.nonzero(persons < lower - eps)[0].tolist():
            if time.perf_counter() > deadline:
                break
            # first the candidate pairs of j (cheap), then, if still short, every case by its loss
            pairs = by_col[col_start[j]:col_start[j + 1]]
            near = er[pairs]
            first_try = near[np.argsort(own_all[near] - ev[pairs], kind="stable")]
            for i in first_try:
                if persons[j] >= lower[j] - eps:
                    break
                i = int(i)
                if ties[i] >= 0 or a[i] == j:
                    continue
                k = a[i]
                if k >= 0 and persons[k] - sizes[i] < lower[k] - eps:
                    continue
                if fits(i, j):
                    move(i, j)
                    own_all[i] = v[i, j]
            if persons[j] >= lower[j] - eps:
                continue
            loss = own_all - v[:, j]
            # only the cases that could move (vectorised filter: they fit j as it stands, their locality keeps its
            # lower limit), cheapest first; when none can, a swap is tried below
            src = np.maximum(a, 0)
            can = (ties < 0) & (a != j) & np.all(need <= capf[j] - load[j] + eps, axis=1) \
                & (sizes <= upper[j] - persons[j] + eps) & ((a < 0) | (persons[src] - sizes >= lower[src] - eps))
            can = np.nonzero(can)[0]
            for i in can[np.argsort(loss[can], kind="stable")]:
                if persons[j] >= lower[j] - eps:
                    break
                i = int(i)
                if ties[i] >= 0 or a[i] == j:
                    continue
                k = a[i]
                if k >= 0 and persons[k] - sizes[i] < lower[k] - eps:
                    continue
                if fits(i, j):
                    move(i, j)
            if persons[j] < lower[j] - eps:
                _swap_into(j, a, v, need, sizes, ties, load, persons, capf, upper, lower, eps, deadline)
    steps["after_band_seconds"] = round(time.perf_counter() - t_step, 2)
    steps["objective_after_band"] = plan_value(problem, a, v)
    # 4. fairness floors: move the group's weakest placed cases to better-scoring places, else leave them unplaced
    if lg.floors.size and s_mat is not None:
        for g in range(lg.floors.size):
            members = np.nonzero((lg.gidx == g) & (a >= 0) & (ties < 0))[0]
            def mean_ok(g: int = g) -> bool:
                rows = np.nonzero((lg.gidx == g) & (a >= 0))[0]
                return not rows.size or float(s_mat[rows, a[rows]].mean()) >= lg.floors[g] - 1e-9
            for i in members[np.argsort(s_mat[members, a[members]])]:
                if mean_ok():
                    break
                i = int(i)
                js = np.argsort(-s_mat[i])
                for j in js[:20]:
                    if s_mat[i, j] <= s_mat[i, a[i]]:
                        break
                    if (persons[a[i]] - sizes[i] >= lower[a[i]] - eps) and fits(i, int(j)):
                        move(i, int(j))
                        break
                else:
                    if persons[a[i]] - sizes[i] >= lower[a[i]] - eps:
                        move(i, -1)
    steps["after_floors_seconds"] = round(time.perf_counter() - t_step, 2)
    # 5. rescue unplaced cases: any locality with room, else make room by moving one of its cases elsewhere
    def movable_to(k: int, src: int) -> int:
        for e in range(first[k], last[k]):
            j2 = int(ec[e])
            if j2 != src and fits(k, j2):
                return j2
        return -1

    unplaced = np.nonzero((a < 0) & (ties < 0))[0]
    unplaced = unplaced[np.argsort(-sizes[unplaced], kind="stable")]
    for i in unplaced:
        if time.perf_counter() > deadline:
            break
        i = int(i)
        ok = np.all(load + need[i] <= capf + eps, axis=1) & (persons + sizes[i] <= upper + eps)
        if ok.any():
            row = np.where(ok, v[i], -np.inf)
            j = int(np.argmax(row))
            if row[j] > -lg.pen:
                move(i, j)
                continue
        for j in np.argsort(-v[i])[:8]:
            j = int(j)
            if v[i, j] <= -lg.pen or time.perf_counter() > deadline:
                break
            if _eject_into(i, j, a, v, need, sizes, ties, load, persons, capf, upper, lower, lg.pen, fits, move, movable_to):
                break
    steps["after_rescue_seconds"] = round(time.perf_counter() - t_step, 2)
    steps["objective_after_rescue"] = plan_value(problem, a, v)
    # 6. improving single moves on the true objective, while time allows
    own_v = np.where(a >= 0, v[np.arange(n), np.maximum(a, 0)], -lg.pen).astype(np.float64)
    row_best_v = np.full(n, -np.inf)
    np.maximum.at(row_best_v, er, ev)
    movable = np.nonzero((row_best_v > own_v + 1e-12) & (ties < 0))[0]
    floors_on = bool(lg.floors.size)
    for _ in range(2):
        changed = 0
        for i in movable:
            if time.perf_counter() > deadline:
                break
            i = int(i)
            cur = a[i]
            cur_v = float(v[i, cur]) if cur >= 0 else -lg.pen
            if cur >= 0 and persons[cur] - sizes[i] < lower[cur] - eps:
                continue
            seg = np.arange(first[i], last[i])
            seg = seg[np.argsort(-ev[seg])]
            for e in seg:
                if ev[e] <= cur_v + 1e-12:
                    break
                j = int(ec[e])
                if j != cur and fits(i, j):
                    if floors_on and lg.gidx[i] >= 0 and s_mat is not None and s_mat[i, j] < (s_mat[i, cur] if cur >= 0 else 1.0):
                        continue
                    move(i, j)
                    changed += 1
                    break
        if not changed:
            break
    steps["improve_seconds"] = round(time.perf_counter() - t_step, 2)
    steps["objective_after_improve"] = plan_value(problem, a, v)
    return a
