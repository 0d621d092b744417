"""The trained outcome model (training from a CSV file, score source precedence) and fairness floors."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.core.models import AuditEvent
from arrival.planning import services
from arrival.planning.domain.outcomes import FEATURES
from arrival.planning.models import IntakeRound
from tests.accounts.factories import StaffFactory, UserFactory
from tests.planning.factories import ready_round
from tests.planning.outcome_records import outcome_lines, write_outcomes


def _train(world, path, **kwargs):
    with path.open("rb") as fh:
        return services.outcome_model_train(user=world.planner, intake_round=world.round, file=fh, **kwargs)


def _compute(world, **kwargs):
    return services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20, **kwargs).plan


def test_training_from_a_csv_file_stores_the_model_and_plans_use_it(tmp_path):
    world = ready_round(cases=20)
    summary = _train(world, write_outcomes(tmp_path / "history.csv"), l2=0.5)
    world.round.refresh_from_db()
    stored = world.round.outcome_model
    assert summary["records"] == stored["records"] == 120 and stored["l2"] == 0.5
    assert set(stored["coefficients"]) == set(FEATURES) and stored["iterations"] >= 1
    assert stored["coefficients"]["demand_match"] > 0  # the direction the records were drawn with
    assert stored["trained_by"] == world.planner.pk and stored["trained_at"]
    # Nothing of the records themselves is kept: only the model.
    assert set(stored) == {"features", "beta", "mean", "scale", "demand_top", "coefficients", "l2", "iterations",
                           "records", "trained_at", "trained_by"}
    event = AuditEvent.objects.get(action="planning.train_outcome_model", target_id=str(world.round.pk))
    assert event.after["records"] == 120
    build = services.problem_build(intake_round=world.round)
    expected = services._outcome_model_load(stored).predict(build.problem.cases, build.problem.localities)
    assert np.array_equal(build.problem.scores, expected)
    plan = _compute(world)
    assert plan.inputs["scores"] == "trained model" and plan.inputs["scores_source"] == "model"
    assert plan.inputs["scores_model"]["coefficients"] == stored["coefficients"]
    assert plan.inputs["scores_model"]["records"] == 120


def test_score_source_precedence_file_then_model_then_synthetic(tmp_path):
    world = ready_round(cases=12)
    _train(world, write_outcomes(tmp_path / "history.csv"))
    ids = [str(c.pk) for c in world.cities]
    lines = ["case_id," + ",".join(ids)] + [f"{c.pseudonym},0.9,0.1,0.5" for c in world.round.cases.order_by("id")]
    uploaded = _compute(world, scores_file=io.StringIO("\n".join(lines) + "\n"))
    assert uploaded.inputs["scores"] == "uploaded" and uploaded.inputs["scores_model"] is None
    assert _compute(world).inputs["scores_source"] == "model"
    services.outcome_model_clear(user=world.planner, intake_round=world.round)
    world.round.refresh_from_db()
    assert world.round.outcome_model == {}
    synthetic = _compute(world)
    assert synthetic.inputs["scores_source"] == "synthetic"
    assert synthetic.inputs["scores"] == f"synthetic (seed {world.round.pk})"
    assert AuditEvent.objects.filter(action="planning.clear_outcome_model").exists()


def test_a_bad_records_file_names_the_line_and_changes_nothing(tmp_path):
    world = ready_round(cases=5)
    lines = outcome_lines(20)
    bad = lines[:3] + [lines[3].replace(",0,", ",1.5,", 1).replace(",1,", ",1.5,", 1)] + lines[4:]
    with pytest.raises(ValidationError) as info:
        _train(world, write_outcomes(tmp_path / "bad.csv", bad))
    assert "line 4" in info.value.messages[0] and "outcome" in info.value.messages[0]
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model == {}
    assert not AuditEvent.objects.filter(action="planning.train_outcome_model").exists()
    # A model trained before stays as it was.
    _train(world, write_outcomes(tmp_path / "good.csv"))
    before = IntakeRound.objects.get(pk=world.round.pk).outcome_model
    missing = [lines[0].replace("population,", "")] + lines[1:]
    with pytest.raises(ValidationError) as info:
        _train(world, write_outcomes(tmp_path / "bad2.csv", missing))
    assert "line 1" in info.value.messages[0] and "population" in info.value.messages[0]
    same = [lines[0]] + [line.replace(",1,", ",0,", 1) for line in lines[1:]]
    with pytest.raises(ValidationError, match="same outcome"):
        _train(world, write_outcomes(tmp_path / "same.csv", same))
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model == before


def test_only_the_round_planners_train_or_remove_the_model(tmp_path):
    world = ready_round(cases=5)
    path = write_outcomes(tmp_path / "history.csv")
    for user in (world.officers[world.cities[0].pk], UserFactory(), StaffFactory()):
        with pytest.raises(PermissionDenied), path.open("rb") as fh:
            services.outcome_model_train(user=user, intake_round=world.round, file=fh)
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model == {}
    _train(world, path)
    with pytest.raises(PermissionDenied):
        services.outcome_model_clear(user=StaffFactory(), intake_round=world.round)
    assert IntakeRound.objects.get(pk=world.round.pk).outcome_model


def test_fairness_floors_are_respected_and_stored():
    world = ready_round(cases=40)
    free = _compute(world)
    achieved = free.metrics["group_outcome"]
    low = min(achieved, key=achieved.get)
    floor = round(achieved[low] + 0.02, 3)
    plan = _compute(world, fairness_floors={low: str(floor), "group_b" if low == "group_a" else "group_a": ""})
    assert plan.inputs["fairness_floors"] == {low: floor}
    assert plan.metrics["group_outcome"][low] >= floor - 1e-6
    families = plan.metrics["group_families"][low]
    assert 0 < families["placed"] <= families["total"]
    # A revision keeps the floors of the published version.
    services.plan_publish(user=world.planner, plan=plan)
    revised = services.plan_revise(user=world.planner, intake_round=world.round, time_limit=20).plan
    assert revised.inputs["fairness_floors"] == {low: floor}


@pytest.mark.parametrize(("floors", "message"), [
    ({"group_a": "1.5"}, "at most 1"),
    ({"group_a": "high"}, "must be a number"),
    ({"nobody": "0.2"}, "No case of this round is in the group"),
    ({"group_a": "0.9999"}, "cannot be met"),
])
def test_bad_or_infeasible_floors_get_a_clear_error_and_store_nothing(floors, message):
    world = ready_round(cases=15)
    with pytest.raises(ValidationError) as info:
        _compute(world, fairness_floors=floors)
    assert message in " ".join(info.value.messages)
    assert not world.round.plans.exists()


def test_a_high_floor_is_met_by_leaving_families_unplaced_and_the_plan_says_how_many():
    world = ready_round(cases=15)
    build = services.problem_build(intake_round=world.round)
    rows = np.array([c.group for c in build.problem.cases]) == "group_a"
    # Just under the group's best pair: one family can reach it, the group as a whole cannot.
    floor = float(build.problem.scores[rows].max()) - 1e-4
    plan = _compute(world, fairness_floors={"group_a": floor})
    families = plan.metrics["group_families"]["group_a"]
    assert 1 <= families["placed"] < families["total"]
    assert plan.metrics["group_outcome"]["group_a"] >= floor - 1e-6


def test_floors_are_for_the_round_planners_and_reach_the_background_job(settings):
    world = ready_round(cases=20)
    with pytest.raises(PermissionDenied):
        services.plan_compute(user=StaffFactory(), intake_round=world.round, fairness_floors={"group_a": 0.1})
    settings.ARRIVAL_PLANNING_SYNC_CASES = 10
    result = services.plan_compute(user=world.planner, intake_round=world.round, fairness_floors={"group_a": 0.1})
    assert result.job is not None and result.job.kwargs["fairness_floors"] == {"group_a": 0.1}
    from arrival.core.jobs.services import job_run_eager

    job_run_eager(job_id=result.job.pk)
    result.job.refresh_from_db()
    assert result.job.status == "succeeded", result.job.message
    assert world.round.plans.get().inputs["fairness_floors"] == {"group_a": 0.1}
