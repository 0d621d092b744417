"""`arrival plan --localities L.csv --cases C.csv [--scores S.csv | --outcomes H.csv] [--key NAME] [--band 0.1]
--out PLAN.csv`.

Runs the planner on files (formats in docs/planning.md), prints the certificate (objective, bound, gap, time) and
the baselines as shares of the bound, and writes the plan. Scores come from `--scores`, else from a logistic model
trained on the historical outcome records of `--outcomes` (its coefficients are printed), else synthetic (demo). A bad file stops with an error naming the line, and
nothing is written (the plan goes to a temporary file renamed only on success).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arrival.planning.domain import (
    KEY_NAMES,
    OutcomeModel,
    PlanFileError,
    PlanInfeasible,
    PlanningProblem,
    Weights,
    baselines_compute,
    key_compute,
    plan_metrics,
    plan_solve,
    read_cases,
    read_localities,
    read_outcome_records,
    read_scores,
    write_plan,
)
from arrival.planning.domain.files import check_references, check_services, read_header
from arrival.planning.domain.outcomes import scores_synthetic


class Command(BaseCommand):
    help = "Plan the placement of cases among localities from CSV files and print the plan's certificate."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--localities", required=True, help="Localities CSV (docs/planning.md).")
        parser.add_argument("--cases", required=True, help="Cases CSV (docs/planning.md).")
        parser.add_argument("--scores", help="Predicted outcomes CSV; without it (and --outcomes), synthetic scores "
                                             "(demo only).")
        parser.add_argument("--outcomes", help="Historical outcome records CSV (docs/planning.md): without --scores, "
                                               "the scores come from a logistic model trained on them.")
        parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty of the model trained on --outcomes.")
        parser.add_argument("--key", choices=[k for k in KEY_NAMES if k != "custom"], default=None,
                            help="Distribution key for the band (default population when --band is given).")
        parser.add_argument("--band", type=float, default=None, help="Persons per locality within ±BAND × key quota.")
        parser.add_argument("--penalty", type=float, default=1.0, help="Objective cost of an unplaced case.")
        parser.add_argument("--weight-outcome", type=float, default=1.0)
        parser.add_argument("--weight-preference", type=float, default=0.0)
        parser.add_argument("--weight-demand", type=float, default=0.0)
        parser.add_argument("--seed", type=int, default=0, help="Seed for synthetic scores and the random baseline.")
        parser.add_argument("--time-limit", type=float, default=60.0)
        parser.add_argument("--no-baselines", action="store_true")
        parser.add_argument("--out", required=True, help="Where to write the plan CSV.")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            localities = read_localities(o["localities"])
        except PlanFileError as exc:
            raise CommandError(f"{o['localities']}: {exc}") from exc
        try:
            cases = read_cases(o["cases"])
            check_references(cases, localities)
            check_services(localities, read_header(o["cases"]))
        except PlanFileError as exc:
            raise CommandError(f"{o['cases']}: {exc}") from exc
        if o["scores"]:
            try:
                scores = read_scores(o["scores"], cases, localities)
            except PlanFileError as exc:
                raise CommandError(f"{o['scores']}: {exc}") from exc
            if o["outcomes"]:
                self.stdout.write("--scores given: --outcomes is not used")
        elif o["outcomes"]:
            scores = self._trained_scores(o, cases, localities)
        else:
            scores = scores_synthetic(cases, localities, seed=o["seed"])
            self.stdout.write("no --scores: synthetic predicted outcomes (for trying the planner only)")
        if o["band"] is not None and o["band"] < 0:
            raise CommandError("--band must be at least 0")
        key_name = o["key"] or ("population" if o["band"] is not None else None)
        shares = None
        if key_name:
            total = sum(c.size for c in cases)
            try:
                key = key_compute(key_name, localities, total=total)
            except ValueError as exc:
                raise CommandError(f"{o['localities']}: {exc}") from exc
            shares = key.shares
            self.stdout.write(f"key {key.name}: {key.formula}")
        problem = PlanningProblem(cases=cases, localities=localities, scores=scores, key_shares=shares,
                                  band=o["band"], unplaced_penalty=o["penalty"],
                                  weights=Weights(o["weight_outcome"], o["weight_preference"], o["weight_demand"]))
        started = time.perf_counter()
        try:
            plan = plan_solve(problem, time_limit=o["time_limit"])
        except (PlanInfeasible, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        m = plan_metrics(problem, plan)
        self.stdout.write(f"cases {problem.n}, localities {problem.m}, placed {m.placed}, unplaced {m.unplaced}")
        self.stdout.write(f"objective {plan.objective:.6f}")
        self.stdout.write(f"bound     {plan.bound:.6f}")
        self.stdout.write(f"gap       {plan.gap:.3e}")
        self.stdout.write(f"time      {seconds:.2f} s ({plan.method})")
        violations = plan.details.get("violations") or []
        if violations:
            self.stdout.write(f"constraints not met: {len(violations)} — first: {violations[0]}")
        if m.top3_share is not None:
            self.stdout.write(f"top-3 preference share {m.top3_share:.3f}")
        if not o["no_baselines"]:
            for name, b in baselines_compute(problem, bound=plan.bound, seed=o["seed"], time_limit=o["time_limit"]).items():
                self.stdout.write(f"baseline {name}: objective {b.objective:.6f}, {b.details['share_of_bound']:.4f} of the bound")
        write_plan(o["out"], problem, plan)
        self.stdout.write(f"plan written to {o['out']}")

    def _trained_scores(self, o: dict[str, Any], cases: Any, localities: Any) -> Any:
        if o["l2"] < 0:
            raise CommandError("--l2 must be at least 0")
        try:
            records = read_outcome_records(o["outcomes"])
        except PlanFileError as exc:
            raise CommandError(f"{o['outcomes']}: {exc}") from exc
        if len({r.outcome for r in records}) < 2:
            raise CommandError(f"{o['outcomes']}: every record has the same outcome; the model needs both")
        try:
            model = OutcomeModel.fit(records, l2=o["l2"])
        except (ValueError, ArithmeticError) as exc:
            raise CommandError(f"{o['outcomes']}: {exc}") from exc
        self.stdout.write(f"outcome model: logistic, l2 {model.l2:g}, {len(records)} records, "
                          f"{model.iterations} iterations")
        for name, value in model.coefficients.items():
            self.stdout.write(f"  {name:<17} {value:+.4f}")
        return model.predict(cases, localities)
