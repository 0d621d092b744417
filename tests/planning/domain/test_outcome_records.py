"""The outcome records file and `arrival plan --outcomes` on real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrival.planning.domain import OutcomeModel, PlanFileError, read_outcome_records
from tests.planning.outcome_records import HEADER, outcome_lines, write_outcomes

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "planning"


def test_records_read_what_the_features_use() -> None:
    records = read_outcome_records(io.StringIO(HEADER + "\n3,H1,50000,1,0.5,,ar;en,H1;H2,12,,0.3\n"))
    (r,) = records
    assert r.case.size == 3 and r.case.skills == {"care": 0.5} and r.case.languages == ("ar", "en")
    assert r.case.preferences == ("H1",)  # only the first preference is a feature
    assert r.locality.id == "H1" and r.locality.population == 50000 and r.locality.sector_demand == {"care": 12.0}
    assert r.locality.key_inputs == {"language:ar": 0.3} and r.outcome == 1.0
    model = OutcomeModel.fit(read_outcome_records(io.StringIO("\n".join(outcome_lines()) + "\n")))
    assert model.coefficients["demand_match"] > 0


@pytest.mark.parametrize(("text", "line", "message"), [
    ("size,locality_id,outcome\n1,a,1\n", 1, "missing column(s) population"),
    ("size,locality_id,population,outcome\n1,a,10,1\n2,b,10,2\n", 3, "outcome must be between 0 and 1"),
    ("size,locality_id,population,outcome\n1,a,10,1\n0,b,10,0\n", 3, "size must be at least 1"),
    ("size,locality_id,population,outcome\n1,,10,1\n", 2, "the locality_id is empty"),
    ("size,locality_id,population,outcome,skill_care\n1,a,10,1,2\n", 2, "skill_care must be between 0 and 1"),
    ("size,locality_id,population,outcome\n", None, "no outcome records"),
])
def test_record_errors_name_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(PlanFileError) as err:
        read_outcome_records(io.StringIO(text))
    assert err.value.line == line and message in str(err.value)


def _run(tmp_path: Path, outcomes: Path) -> tuple[str, Path]:
    out = tmp_path / "plan.csv"
    buf = io.StringIO()
    call_command("plan", "--localities", str(EXAMPLES / "localities.csv"), "--cases", str(EXAMPLES / "cases.csv"),
                 "--outcomes", str(outcomes), "--l2", "0.5", "--no-baselines", "--out", str(out), stdout=buf)
    return buf.getvalue(), out


def test_plan_command_trains_on_outcomes(tmp_path: Path) -> None:
    text, out = _run(tmp_path, write_outcomes(tmp_path / "history.csv"))
    assert "outcome model: logistic, l2 0.5, 120 records" in text and "demand_match" in text
    assert "synthetic" not in text and "objective" in text
    assert out.read_text().splitlines()[0] == "case_id,locality_id,locality_name,value"


def test_plan_command_bad_outcomes_file_writes_nothing(tmp_path: Path) -> None:
    lines = outcome_lines(10)
    bad = write_outcomes(tmp_path / "history.csv", [*lines[:7], lines[7].replace(",H", ",", 1).split(",", 1)[0]])
    with pytest.raises(CommandError, match=r"history.csv: line 8: "):
        _run(tmp_path, bad)
    assert not (tmp_path / "plan.csv").exists()


def test_the_documented_example_records_train_a_model(tmp_path: Path) -> None:
    """docs/planning.md §8 runs the command on docs/examples/planning/outcomes.csv and quotes the coefficient."""
    text, out = _run(tmp_path, EXAMPLES / "outcomes.csv")
    assert "80 records" in text and out.exists()
    model = OutcomeModel.fit(read_outcome_records(EXAMPLES / "outcomes.csv"))
    assert 2.0 < model.coefficients["demand_match"] < 4.0
