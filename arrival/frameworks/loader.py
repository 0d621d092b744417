"""Load the framework data files shipped in `arrival/frameworks/data/` into the database.

Idempotent: running it again updates labels in place and creates nothing twice. `frameworks.csv` lists
every framework version to load; the last line of a kind is its current version. The crosswalk is
Arrival's own proposal and is replaced by what `crosswalk.csv` says.

Translations: beside each list, `<list>.translations.csv` (columns code, field, then one per UN language)
gives its texts in the other UN languages — `field` names the list's own column ("short_label", "subject",
"covers", …, and "note" for the caveat); `frameworks.translations.csv` (kind, version, language, title,
source, citation) gives each framework's title in those languages, where that language's texts come from, and
the framework's own source (frameworks.csv's `source`) said in that language.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import ProtectedError

from arrival.core.languages import UN_LANGUAGES
from arrival.frameworks.models import CrosswalkLink, Framework, FrameworkItem, FrameworkKind

DATA_DIR = Path(__file__).resolve().parent / "data"
NUA_TO_VERIFY_NOTE = "Still to be verified against the full text of the New Urban Agenda."


class FrameworkDataError(Exception):
    """A data file contradicts itself or the database; nothing was changed."""


@dataclass(frozen=True)
class ItemRow:
    code: str
    label: str
    description: str = ""
    note: str = ""
    parent: tuple[str, str] | None = None  # (kind, code) of the parent item in the current version of its kind


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield {key: (value or "").strip() for key, value in row.items()}


RowReader = Callable[[dict[str, str]], ItemRow]

ROW_READERS: dict[str, RowReader] = {
    FrameworkKind.GCM_OBJECTIVE: lambda r: ItemRow(code=r["number"], label=r["short_label"]),
    FrameworkKind.GCM_PRINCIPLE: lambda r: ItemRow(code=r["code"], label=r["name"]),
    FrameworkKind.SDG_GOAL: lambda r: ItemRow(code=r["number"], label=r["short_name"]),
    FrameworkKind.SDG_TARGET: lambda r: ItemRow(
        code=r["code"], label=r["subject"], description=r["migration_link"], parent=(FrameworkKind.SDG_GOAL, r["goal"])
    ),
    FrameworkKind.NUA_PARAGRAPH: lambda r: ItemRow(
        code=r["paragraph"], label=r["subject"], note=NUA_TO_VERIFY_NOTE if r["to_verify"] == "yes" else ""
    ),
    FrameworkKind.DOMAIN: lambda r: ItemRow(code=r["code"], label=r["name"], description=r["covers"]),
}

# Which column of each list a translation's `field` names, and the item field it translates.
TRANSLATED_FIELDS: dict[str, dict[str, str]] = {
    FrameworkKind.GCM_OBJECTIVE: {"short_label": "label"},
    FrameworkKind.GCM_PRINCIPLE: {"name": "label"},
    FrameworkKind.SDG_GOAL: {"short_name": "label"},
    FrameworkKind.SDG_TARGET: {"subject": "label", "migration_link": "description"},
    FrameworkKind.NUA_PARAGRAPH: {"subject": "label", "note": "note"},
    FrameworkKind.DOMAIN: {"name": "label", "covers": "description"},
}
OTHER_LANGUAGES = tuple(code for code in UN_LANGUAGES if code != "en")
Translations = dict[str, dict[str, str]]


def translations_file(file: str) -> str:
    """`gcm_objectives.csv` → `gcm_objectives.translations.csv`."""
    return file.removesuffix(".csv") + ".translations.csv"


def _item_translations(kind: str, file: str, data_dir: Path) -> dict[str, Translations]:
    """{code: {language: {item field: text}}} from the list's translations file (none when there is no file)."""
    path = data_dir / translations_file(file)
    if not path.exists():
        return {}
    fields = TRANSLATED_FIELDS[kind]
    result: dict[str, Translations] = {}
    for line, row in enumerate(_read(path), start=2):
        where = f"{path.name} line {line}"
        unknown_languages = sorted(set(row) - {"code", "field", *OTHER_LANGUAGES})
        if unknown_languages:
            raise FrameworkDataError(f"{where}: {unknown_languages[0]!r} is not a UN language other than English.")
        if row["field"] not in fields:
            raise FrameworkDataError(
                f"{where}: {row['field']!r} cannot be translated; the fields are {', '.join(sorted(fields))}.")
        for language in OTHER_LANGUAGES:
            if row.get(language):
                result.setdefault(row["code"], {}).setdefault(language, {})[fields[row["field"]]] = row[language]
    return result


def _framework_translations(entries: list[dict[str, str]], data_dir: Path) -> dict[tuple[str, str], tuple[Translations, dict[str, str]]]:
    """{(kind, version): ({language: {"title": …, "source": …}}, {language: source of the translation})} from
    frameworks.translations.csv: the framework's title and its `source` (the citation of the English text, column
    "citation") in each language, and where that language's texts come from (column "source")."""
    path = data_dir / "frameworks.translations.csv"
    if not path.exists():
        return {}
    known = {(entry["kind"], entry["version"]) for entry in entries}
    result: dict[tuple[str, str], tuple[Translations, dict[str, str]]] = {}
    for line, row in enumerate(_read(path), start=2):
        key = (row["kind"], row["version"])
        if key not in known:
            raise FrameworkDataError(f"{path.name} line {line}: frameworks.csv has no {row['kind']} {row['version']}.")
        if row["language"] not in OTHER_LANGUAGES:
            raise FrameworkDataError(f"{path.name} line {line}: {row['language']!r} is not a UN language other than English.")
        if not row["source"]:
            raise FrameworkDataError(f"{path.name} line {line}: every language needs its source.")
        texts, sources = result.setdefault(key, ({}, {}))
        texts[row["language"]] = {field: row[column] for column, field in (("title", "title"), ("citation", "source"))
                                  if row.get(column)}
        sources[row["language"]] = row["source"]
    return result


# Which kinds a crosswalk column names, in the order of the columns.
CROSSWALK_COLUMNS = {
    "gcm_objectives": FrameworkKind.GCM_OBJECTIVE,
    "sdg_targets": FrameworkKind.SDG_TARGET,
    "nua_paragraphs": FrameworkKind.NUA_PARAGRAPH,
}


def _load_framework(
    entry: dict[str, str], *, current: bool, data_dir: Path,
    translated: tuple[Translations, dict[str, str]] = ({}, {}),
) -> tuple[Framework, int]:
    kind = entry["kind"]
    if kind not in ROW_READERS:
        raise FrameworkDataError(f"frameworks.csv names an unknown kind {kind!r}.")
    texts, sources = translated
    framework, _ = Framework.objects.update_or_create(
        kind=kind,
        version=entry["version"],
        defaults={"title": entry["title"], "source": entry["source"], "is_current": current,
                  "translations": texts, "translation_sources": sources},
    )
    rows = [ROW_READERS[kind](row) for row in _read(data_dir / entry["file"])]
    translations = _item_translations(kind, entry["file"], data_dir)
    existing = {item.code: item for item in framework.items.all()}
    parents = _parents(rows)
    for position, row in enumerate(rows, start=1):
        values = {
            "label": row.label,
            "description": row.description,
            "note": row.note,
            "position": position,
            "parent": parents.get(row.parent) if row.parent else None,
            "translations": translations.get(row.code, {}),
        }
        if row.parent and values["parent"] is None:
            raise FrameworkDataError(f"{entry['file']}: {row.code} names the unknown parent {row.parent[1]}.")
        item = existing.get(row.code)
        if item is None:
            FrameworkItem.objects.create(framework=framework, code=row.code, **values)
        elif any(getattr(item, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(item, name, value)
            item.save()
    stale = [code for code in existing if code not in {row.code for row in rows}]
    if stale:
        try:
            framework.items.filter(code__in=stale).delete()
        except ProtectedError as exc:
            raise FrameworkDataError(
                f"{entry['file']} no longer lists {', '.join(sorted(stale))} of {framework}, but records are "
                "tagged with them: publish the change as a new version instead."
            ) from exc
    orphans = sorted(set(translations) - {row.code for row in rows})
    if orphans:
        raise FrameworkDataError(f"{translations_file(entry['file'])}: {entry['file']} has no item {orphans[0]!r}.")
    return framework, len(rows)


def _parents(rows: list[ItemRow]) -> dict[tuple[str, str], FrameworkItem]:
    wanted = {row.parent for row in rows if row.parent}
    if not wanted:
        return {}
    items = FrameworkItem.objects.filter(
        framework__is_current=True,
        framework__kind__in={kind for kind, _ in wanted},
        code__in={code for _, code in wanted},
    ).select_related("framework")
    return {(item.framework.kind, item.code): item for item in items}


def _load_crosswalk(data_dir: Path) -> int:
    def current_items(kind: str) -> dict[str, FrameworkItem]:
        return {item.code: item for item in FrameworkItem.objects.filter(framework__kind=kind, framework__is_current=True)}

    domains = current_items(FrameworkKind.DOMAIN)
    targets = {kind: current_items(kind) for kind in CROSSWALK_COLUMNS.values()}
    wanted: set[tuple[int, int]] = set()
    for line, row in enumerate(_read(data_dir / "crosswalk.csv"), start=2):
        domain = domains.get(row["migof_domain"])
        if domain is None:
            raise FrameworkDataError(f"crosswalk.csv line {line}: unknown governance domain {row['migof_domain']!r}.")
        for column, kind in CROSSWALK_COLUMNS.items():
            for code in filter(None, (part.strip() for part in row[column].split(";"))):
                item = targets[kind].get(code)
                if item is None:
                    raise FrameworkDataError(f"crosswalk.csv line {line}: {column} names the unknown code {code!r}.")
                wanted.add((domain.pk, item.pk))
    links = CrosswalkLink.objects.filter(domain__in=domains.values())
    have = set(links.values_list("domain_id", "item_id"))
    for domain_id, item_id in have - wanted:
        links.filter(domain_id=domain_id, item_id=item_id).delete()
    CrosswalkLink.objects.bulk_create(
        [CrosswalkLink(domain_id=domain_id, item_id=item_id) for domain_id, item_id in sorted(wanted - have)]
    )
    return len(wanted)


def load_frameworks(*, stdout: IO[str] | Any | None = None, data_dir: Path = DATA_DIR, **_: Any) -> dict[str, int]:
    """Load every framework version of `frameworks.csv` and the crosswalk, all or nothing.

    Returns the number of items per `kind version` and of crosswalk links, which `arrival setup` prints.
    """
    entries = list(_read(data_dir / "frameworks.csv"))
    framework_translations = _framework_translations(entries, data_dir)
    last_of_kind = {entry["kind"]: index for index, entry in enumerate(entries)}
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Parents first: SDG targets point to the goals, so goals must be in place before them.
        order = sorted(range(len(entries)), key=lambda i: entries[i]["kind"] == FrameworkKind.SDG_TARGET)
        for index in order:
            entry = entries[index]
            current = last_of_kind[entry["kind"]] == index
            framework, count = _load_framework(
                entry, current=current, data_dir=data_dir,
                translated=framework_translations.get((entry["kind"], entry["version"]), ({}, {})),
            )
            if current:  # one current version per kind, also when a version left the manifest
                Framework.objects.filter(kind=framework.kind).exclude(pk=framework.pk).update(is_current=False)
            counts[f"{framework.kind} {framework.version}"] = count
        counts["crosswalk links"] = _load_crosswalk(data_dir)
    if stdout is not None:
        for name, count in counts.items():
            stdout.write(f"  {name}: {count}\n")
    return counts
