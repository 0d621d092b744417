"""The database-free core of planning: distribution keys, the optimising planner with its certificate,
baselines, metrics, outcome models, arrivals over time and the file formats of `arrival plan`.

Nothing here imports Django; dataclasses and NumPy arrays go in, dataclasses and arrays come out.
The contract with the app is docs/planning.md (and /tmp/arrival/planning_contract.md while it is built).
"""

from .baselines import baselines_compute
from .dynamic import ArrivalsResult, arrivals_simulate
from .files import PlanFileError, read_cases, read_localities, read_outcome_records, read_scores, write_plan
from .instance import Case, Locality, OutcomeRecord, PlanningProblem, Weights
from .keys import KEY_NAMES, KeyResult, key_compute, largest_remainder, quotas_multilevel
from .metrics import PlanMetrics, plan_metrics
from .outcomes import OutcomeModel, scores_synthetic
from .solve import Plan, PlanInfeasible, objective_matrix, plan_solve, plan_validate

__all__ = [
    "KEY_NAMES", "ArrivalsResult", "Case", "KeyResult", "Locality", "OutcomeModel", "OutcomeRecord", "Plan",
    "PlanFileError", "PlanInfeasible", "PlanMetrics", "PlanningProblem", "Weights", "arrivals_simulate",
    "baselines_compute", "key_compute", "largest_remainder", "objective_matrix", "plan_metrics", "plan_solve",
    "plan_validate", "quotas_multilevel", "read_cases", "read_localities", "read_outcome_records", "read_scores",
    "scores_synthetic", "write_plan",
]
