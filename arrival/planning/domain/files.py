"""CSV files for `arrival plan` and uploads (formats in docs/planning.md, "File formats").

Every file has a header row and one record per line, UTF-8, comma-separated.
- Localities: `id,name,population[,region]` then any of `cap_<service>` (units, 0 = not provided, or `no_limit`),
  `demand_<sector>`, `key_<input>` (e.g. key_tax_revenue, key_gdp, key_unemployment_rate, key_past_effort,
  key_language:ar).
- Cases: `id,size` then any of `need_<service>`, `skill_<sector>` (0..1), `languages` and `preferences`
  (`;`-separated), `origin`, `tied_to`, `group`, `category`.
- Scores: `case_id` then one column per locality id, one row per case, each cell in [0, 1].
- Outcome records (training `OutcomeModel`): `size,locality_id,population,outcome` then any of `skill_<sector>`
  (0..1), `languages` and `preferences` (`;`-separated) about the case, `demand_<sector>` and `key_language:<code>`
  (0..1) about the locality at the time; `outcome` in [0, 1]. Other columns are ignored.
- Plan (written): `case_id,locality_id,locality_name,value` (locality empty = unplaced).
Errors raise `PlanFileError` naming the line (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from .instance import Case, Locality, OutcomeRecord, PlanningProblem


class PlanFileError(ValueError):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


@contextmanager
def _open(path_or_file: Any) -> Iterator[IO[str]]:
    if isinstance(path_or_file, (str, os.PathLike)):
        try:
            with open(path_or_file, encoding="utf-8-sig", newline="") as fh:
                yield fh
        except FileNotFoundError as exc:
            raise PlanFileError(f"file not found: {path_or_file}") from exc
        except UnicodeDecodeError as exc:
            raise PlanFileError(f"{path_or_file} is not UTF-8 text") from exc
    else:
        data = path_or_file.read()
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise PlanFileError("the file is not UTF-8 text") from exc
        yield io.StringIO(data, newline="")


def _rows(fh: IO[str], required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        raise PlanFileError("the file is empty; a header row is expected", line=1) from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise PlanFileError(f"missing column(s) {', '.join(missing)} in the header", line=1)
    if len(set(header)) != len(header):
        raise PlanFileError("a column name appears twice in the header", line=1)
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise PlanFileError(f"{len(row)} fields where the header has {len(header)}", line=line)
        yield line, {h: c.strip() for h, c in zip(header, row, strict=True)}


def _number(text: str, what: str, line: int, *, minimum: float = 0.0, maximum: float = math.inf) -> float:
    try:
        x = float(text)
    except ValueError:
        raise PlanFileError(f"{what} must be a number, not '{text}'", line=line) from None
    if not math.isfinite(x) or x < minimum or x > maximum:
        bounds = f"between {minimum:g} and {maximum:g}" if math.isfinite(maximum) else f"at least {minimum:g}"
        raise PlanFileError(f"{what} must be {bounds}, not '{text}'", line=line)
    return x


NO_LIMIT = "no_limit"


def _capacity(cell: str, column: str, line: int) -> float | None:
    """A capacity cell: units (0 = not provided), or `no_limit` (the service does not constrain this locality).
    An empty cell is refused: it could mean either."""
    if cell == NO_LIMIT:
        return None
    if cell == "":
        raise PlanFileError(f"{column} is empty: write the units (0 = not provided) or {NO_LIMIT}", line=line)
    return _number(cell, column, line)


def check_services(localities: Sequence[Locality], case_columns: Sequence[str]) -> None:
    """Every capacity column of the localities file needs its need column in the cases file: without it no case
    would use the service, and the capacity would limit nothing while the plan claims to respect it."""
    needs = {c[5:] for c in case_columns if c.startswith("need_")}
    declared = sorted({s for loc in localities for s in loc.capacities})
    missing = [s for s in declared if s not in needs]
    if missing:
        pairs = "; ".join(f"cap_{s} has no need_{s}" for s in missing)
        raise PlanFileError(f"a capacity column of the localities file has no matching need column in the cases "
                            f"file ({pairs}): add need_<service> to the cases, or remove the capacity column", line=1)


def read_header(path_or_file: Any) -> list[str]:
    """The column names of a CSV file (its first line)."""
    with _open(path_or_file) as fh:
        return [h.strip() for h in next(csv.reader(fh), [])]


def read_localities(path_or_file: Any) -> list[Locality]:
    out: list[Locality] = []
    seen: set[str] = set()
    with _open(path_or_file) as fh:
        for line, row in _rows(fh, ("id", "name", "population")):
            lid = row["id"]
            if not lid:
                raise PlanFileError("the id is empty", line=line)
            if lid in seen:
                raise PlanFileError(f"the locality id '{lid}' appears twice", line=line)
            seen.add(lid)
            pop = _number(row["population"], "population", line)
            if pop != int(pop):
                raise PlanFileError("population must be a whole number", line=line)
            caps: dict[str, float | None] = {}
            demand: dict[str, float] = {}
            key_inputs: dict[str, float] = {}
            for col, cell in row.items():
                if col.startswith("cap_"):
                    caps[col[4:]] = _capacity(cell, col, line)
                elif col.startswith("demand_") and cell != "":
                    demand[col[7:]] = _number(cell, col, line)
                elif col.startswith("key_") and cell != "":
                    key_inputs[col[4:]] = _number(cell, col, line)
            out.append(Locality(id=lid, name=row["name"] or lid, population=int(pop), capacities=caps,
                                sector_demand=demand, region=row.get("region", ""), key_inputs=key_inputs))
    if not out:
        raise PlanFileError("no localities in the file")
    return out


def _ids(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(";") if x.strip())


def read_cases(path_or_file: Any) -> list[Case]:
    out: list[Case] = []
    seen: set[str] = set()
    with _open(path_or_file) as fh:
        for line, row in _rows(fh, ("id", "size")):
            cid = row["id"]
            if not cid:
                raise PlanFileError("the id is empty", line=line)
            if cid in seen:
                raise PlanFileError(f"the case id '{cid}' appears twice", line=line)
            seen.add(cid)
            size = _number(row["size"], "size", line, minimum=1)
            if size != int(size):
                raise PlanFileError("size must be a whole number", line=line)
            needs: dict[str, float] = {}
            skills: dict[str, float] = {}
            for col, cell in row.items():
                if col.startswith("need_") and cell != "":
                    needs[col[5:]] = _number(cell, col, line)
                elif col.startswith("skill_") and cell != "":
                    skills[col[6:]] = _number(cell, col, line, maximum=1.0)
            prefs = _ids(row.get("preferences", ""))
            if len(set(prefs)) != len(prefs):
                raise PlanFileError("a locality appears twice in the preferences", line=line)
            out.append(Case(id=cid, size=int(size), needs=needs, skills=skills, languages=_ids(row.get("languages", "")),
                            origin=row.get("origin", ""), preferences=prefs, tied_to=row.get("tied_to") or None,
                            group=row.get("group", ""), category=row.get("category", "")))
    if not out:
        raise PlanFileError("no cases in the file")
    return out


def check_references(cases: Sequence[Case], localities: Sequence[Locality]) -> None:
    """Ties and preferences must name localities of the localities file (line = the case's line, header = 1)."""
    ids = {loc.id for loc in localities}
    for k, c in enumerate(cases):
        if c.tied_to is not None and c.tied_to not in ids:
            raise PlanFileError(f"case {c.id} is tied to '{c.tied_to}', which is not in the localities file", line=k + 2)
        unknown = [p for p in c.preferences if p not in ids]
        if unknown:
            raise PlanFileError(f"case {c.id} prefers unknown locality '{unknown[0]}'", line=k + 2)


def read_scores(path_or_file: Any, cases: Sequence[Case], localities: Sequence[Locality]) -> np.ndarray:
    case_pos = {c.id: i for i, c in enumerate(cases)}
    out = np.full((len(cases), len(localities)), np.nan, dtype=np.float32)
    with _open(path_or_file) as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise PlanFileError("the file is empty; a header row is expected", line=1) from None
        if not header or header[0] != "case_id":
            raise PlanFileError("the first column must be case_id", line=1)
        loc_pos = {loc.id: j for j, loc in enumerate(localities)}
        cols = header[1:]
        unknown = [c for c in cols if c not in loc_pos]
        if unknown:
            raise PlanFileError(f"unknown locality '{unknown[0]}' in the header", line=1)
        missing = [loc.id for loc in localities if loc.id not in set(cols)]
        if missing:
            raise PlanFileError(f"no column for locality '{missing[0]}'", line=1)
        order = np.array([loc_pos[c] for c in cols])
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise PlanFileError(f"{len(row)} fields where the header has {len(header)}", line=line)
            cid = row[0].strip()
            if cid not in case_pos:
                raise PlanFileError(f"unknown case '{cid}'", line=line)
            i = case_pos[cid]
            if not np.isnan(out[i, 0]):
                raise PlanFileError(f"case '{cid}' appears twice", line=line)
            out[i, order] = [_number(x.strip(), f"score for {cols[k]}", line, maximum=1.0) for k, x in enumerate(row[1:])]
    missing_rows: Sequence[int] = np.nonzero(np.isnan(out[:, 0]))[0].tolist() if len(localities) else []
    if len(missing_rows):
        raise PlanFileError(f"no scores for case '{cases[missing_rows[0]].id}'")
    return out


def read_outcome_records(path_or_file: Any) -> list[OutcomeRecord]:
    """Historical outcome records: one placed case, the locality it went to and its outcome per line.

    Only what the model's features read is kept (size, skills, languages, the first preference; the locality's
    population, sector demand and language communities); no case id is needed, and other columns are ignored.
    """
    out: list[OutcomeRecord] = []
    with _open(path_or_file) as fh:
        for line, row in _rows(fh, ("size", "locality_id", "population", "outcome")):
            lid = row["locality_id"]
            if not lid:
                raise PlanFileError("the locality_id is empty", line=line)
            size = _number(row["size"], "size", line, minimum=1)
            if size != int(size):
                raise PlanFileError("size must be a whole number", line=line)
            pop = _number(row["population"], "population", line)
            if pop != int(pop):
                raise PlanFileError("population must be a whole number", line=line)
            outcome = _number(row["outcome"], "outcome", line, maximum=1.0)
            skills: dict[str, float] = {}
            demand: dict[str, float] = {}
            languages: dict[str, float] = {}
            for col, cell in row.items():
                if cell == "":
                    continue
                if col.startswith("skill_"):
                    skills[col[6:]] = _number(cell, col, line, maximum=1.0)
                elif col.startswith("demand_"):
                    demand[col[7:]] = _number(cell, col, line)
                elif col.startswith("key_language:"):
                    languages[col[4:]] = _number(cell, col, line, maximum=1.0)
            prefs = _ids(row.get("preferences", ""))
            case = Case(id=str(line), size=int(size), skills=skills, languages=_ids(row.get("languages", "")),
                        preferences=prefs[:1])
            locality = Locality(id=lid, name=lid, population=int(pop), sector_demand=demand, key_inputs=languages)
            out.append(OutcomeRecord(case=case, locality=locality, outcome=outcome))
    if not out:
        raise PlanFileError("no outcome records in the file")
    return out


def write_plan(path_or_file: Any, problem: PlanningProblem, plan: Any) -> None:
    """Write the plan; to a path it goes through a temporary file renamed only once complete."""
    from .solve import objective_matrix

    a = np.asarray(getattr(plan, "assignment", plan))
    v = objective_matrix(problem)

    def dump(fh: IO[str]) -> None:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["case_id", "locality_id", "locality_name", "value"])
        for i, c in enumerate(problem.cases):
            j = int(a[i])
            if j >= 0:
                loc = problem.localities[j]
                w.writerow([c.id, loc.id, loc.name, f"{float(v[i, j]):.6f}"])
            else:
                w.writerow([c.id, "", "", f"{-problem.unplaced_penalty:.6f}"])

    if isinstance(path_or_file, (str, os.PathLike)):
        target = Path(path_or_file)
        fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".csv", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                dump(fh)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    else:
        dump(path_or_file)
