"""File formats and the `arrival plan` command on real files (no database needed)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrival.planning.domain import PlanFileError, read_cases, read_localities, read_scores

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "planning"


def test_example_files_read() -> None:
    locs = read_localities(EXAMPLES / "localities.csv")
    assert [x.id for x in locs] == ["north", "river", "hill", "port"]
    assert locs[1].capacities == {"housing": 4.0, "school": None, "language_course": 5.0}  # no_limit = no constraint
    assert locs[0].key_inputs["unemployment_rate"] == 0.06 and locs[0].sector_demand["care"] == 12.0
    cases = read_cases(EXAMPLES / "cases.csv")
    assert cases[0].languages == ("ar", "en") and cases[0].preferences == ("north", "river")
    assert cases[4].tied_to == "hill" and cases[0].needs["school"] == 2.0
    scores = read_scores(EXAMPLES / "scores.csv", cases, locs)
    assert scores.dtype == np.float32 and scores[1, 3] == pytest.approx(0.66)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("id,name\nx,X\n", 1, "missing column(s) population"),
    ("id,name,population\na,A,10\nb,B,many\n", 3, "population must be a number"),
    ("id,name,population,cap_housing\na,A,10,3\na,B,10,4\n", 3, "appears twice"),
    ("id,name,population,cap_housing\na,A,10,-1\n", 2, "cap_housing must be at least 0"),
    ("id,name,population\na,A,10,extra\n", 2, "4 fields where the header has 3"),
])
def test_locality_errors_name_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(PlanFileError) as err:
        read_localities(io.StringIO(text))
    assert err.value.line == line
    assert message in str(err.value) and f"line {line}" in str(err.value)


def test_case_and_score_errors_name_the_line() -> None:
    with pytest.raises(PlanFileError, match="line 3: skill_care must be between 0 and 1") as err:
        read_cases(io.StringIO("id,size,skill_care\nA,1,0.5\nB,2,1.5\n"))
    assert err.value.line == 3
    with pytest.raises(PlanFileError, match="line 2: size must be at least 1"):
        read_cases(io.StringIO("id,size\nA,0\n"))
    locs = read_localities(EXAMPLES / "localities.csv")
    cases = read_cases(EXAMPLES / "cases.csv")
    bad = (EXAMPLES / "scores.csv").read_text().replace("F05,0.40", "F05,1.40")
    with pytest.raises(PlanFileError, match="line 6: score for north must be between 0 and 1"):
        read_scores(io.StringIO(bad), cases, locs)


def _run(tmp_path: Path, *extra: str, cases: Path = EXAMPLES / "cases.csv") -> tuple[str, Path]:
    out = tmp_path / "plan.csv"
    buf = io.StringIO()
    call_command("plan", "--localities", str(EXAMPLES / "localities.csv"), "--cases", str(cases),
                 "--scores", str(EXAMPLES / "scores.csv"), "--out", str(out), *extra, stdout=buf)
    return buf.getvalue(), out


def test_plan_command_on_the_example_files(tmp_path: Path) -> None:
    text, out = _run(tmp_path, "--band", "0.5", "--weight-preference", "0.2")
    assert "objective 8.160000" in text and "bound     8.160000" in text and "gap       0.000e+00" in text
    assert "baseline key_proportional" in text and "baseline greedy" in text
    rows = out.read_text().splitlines()
    assert rows[0] == "case_id,locality_id,locality_name,value"
    assert len(rows) == 13
    assert "F05,hill,Hillfield" in out.read_text()  # the tie holds


def test_plan_command_bad_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "cases.csv"
    bad.write_text((EXAMPLES / "cases.csv").read_text().replace("F07,2,", "F07,two,"))
    with pytest.raises(CommandError, match=r"cases.csv: line 8: size must be a number"):
        _run(tmp_path, cases=bad)
    assert not (tmp_path / "plan.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["cases.csv"]  # no temporary file left either
    unknown = tmp_path / "cases.csv"
    unknown.write_text((EXAMPLES / "cases.csv").read_text().replace("F08,3,1,1,2,0.4,0.6,ps,port;north", "F08,3,1,1,2,0.4,0.6,ps,port;atlantis"))
    with pytest.raises(CommandError, match="line 9: case F08 prefers unknown locality 'atlantis'"):
        _run(tmp_path, cases=unknown)
    assert not (tmp_path / "plan.csv").exists()


def test_a_capacity_without_its_need_column_is_an_error_naming_both(tmp_path: Path) -> None:
    # The cases call the service "housing_units": a capacity "cap_housing" would limit nothing.
    cases = tmp_path / "cases.csv"
    cases.write_text((EXAMPLES / "cases.csv").read_text().replace("need_housing", "need_housing_units", 1))
    with pytest.raises(CommandError, match=r"line 1: .*cap_housing has no need_housing") as err:
        _run(tmp_path, cases=cases)
    assert "need_housing" in str(err.value) and "cap_housing" in str(err.value)
    assert not (tmp_path / "plan.csv").exists()


def test_capacity_cells_are_explicit(tmp_path: Path) -> None:
    locs = read_localities(io.StringIO("id,name,population,cap_housing,cap_school\na,A,10,0,no_limit\n"))
    assert locs[0].capacities == {"housing": 0.0, "school": None}  # 0 = not provided, no_limit = no constraint
    with pytest.raises(PlanFileError, match="line 2: cap_school is empty"):
        read_localities(io.StringIO("id,name,population,cap_housing,cap_school\na,A,10,3,\n"))
