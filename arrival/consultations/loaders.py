"""Reference data of consultations: the forums and review meetings in `data/forums.csv`, their names in the other
UN languages in `data/forum_names.csv`.

Where a forum met is its city (`place`, a proper name) and its country (`country`, an ISO 3166-1 alpha-2 code that
pages name in the reader's language).

Every row names its source; a date the file does not know for sure stays empty. Idempotent: rows are matched
by `key` and updated in place.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from arrival.consultations.models import Forum, ForumKind
from arrival.core.languages import territory_name
from arrival.core.translations import name_translations

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

DATA = Path(__file__).resolve().parent / "data" / "forums.csv"
NAMES = DATA.with_name("forum_names.csv")
COLUMNS = ("key", "name", "acronym", "kind", "year", "starts_on", "ends_on", "place", "country", "url", "source")


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def read_forums(path: Path = DATA) -> list[dict[str, Any]]:
    """The rows of the file, checked: known kind, a source, dates that parse and follow each other."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValidationError(f"{path.name}: expected the columns {', '.join(COLUMNS)}")
        rows = []
        for number, row in enumerate(reader, start=2):
            if row["kind"] not in ForumKind.values:
                raise ValidationError(f"{path.name} line {number}: unknown kind {row['kind']!r}")
            if not row["source"].strip():
                raise ValidationError(f"{path.name} line {number}: every forum names its source")
            country = row["country"].strip().upper()
            if country and not territory_name(country, in_language="en"):
                raise ValidationError(f"{path.name} line {number}: unknown country code {row['country']!r}")
            starts, ends = _date(row["starts_on"]), _date(row["ends_on"])
            if starts and ends and ends < starts:
                raise ValidationError(f"{path.name} line {number}: the forum ends before it starts")
            rows.append({
                "key": row["key"], "name": row["name"], "acronym": row["acronym"], "kind": row["kind"],
                "year": int(row["year"]) if row["year"] else None, "starts_on": starts, "ends_on": ends,
                "place": row["place"], "country": country, "url": row["url"], "source": row["source"],
            })
    return rows


def read_forum_names(known: set[str], path: Path = NAMES) -> dict[str, dict[str, dict[str, str]]]:
    """{forum key: {language: {"name": …}}}: the forums' names in the other UN languages, each with its source."""
    with path.open(encoding="utf-8", newline="") as handle:
        try:
            return name_translations(csv.DictReader(handle), key="key", known=known, file=path.name)
        except ValueError as error:
            raise ValidationError(str(error)) from error


@transaction.atomic
def load_forums(*, stdout: SupportsWrite[str] | None = None, path: Path = DATA, names: Path = NAMES,
                **_: Any) -> dict[str, int]:
    rows = read_forums(path)
    translations = read_forum_names({row["key"] for row in rows}, names)
    created = 0
    for row in rows:
        key = row.pop("key")
        _forum, was_created = Forum.objects.update_or_create(
            key=key, defaults={**row, "translations": translations.get(key, {})})
        created += was_created
    if stdout is not None:
        stdout.write(f"  {len(rows)} forums ({created} new)\n")
    return {"forums": len(rows), "created": created}
