"""The closed lists a case record is made of, and the check every stored case passes (docs/planning-app.md).

A case record is pseudonymous by construction: its id is an opaque code (letters, digits, `-`, `_`), its origin a
code from a closed list (ISO 3166-1 alpha-2 or alpha-3 country code, from pycountry, or a UN M49 region code, from
`data/m49_regions.csv` with its source), its category, languages and group from the lists its round defines, its
needs and skills keyed by the services and sectors, its size and every amount a number. No field takes free text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from arrival.planning.models import SECTOR_KEYS, SERVICE_KEYS, IntakeRound

CASE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
GROUP_CODE = re.compile(r"[a-z0-9_-]{1,40}")
MAX_FAMILY_SIZE = 50
# The columns a cases file may have (docs/planning.md §7): anything else is refused, so no free text gets in.
CASE_COLUMNS = ("id", "size", "languages", "preferences", "origin", "tied_to", "group", "category")


@cache
def m49_regions() -> dict[str, str]:
    """UN M49 region codes → English names (data/m49_regions.csv)."""
    path = Path(__file__).resolve().parent / "data" / "m49_regions.csv"
    with path.open(encoding="utf-8") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows)
        return dict(rows)


@cache
def origin_codes() -> frozenset[str]:
    """Every code an origin may take: ISO 3166-1 alpha-2 and alpha-3 country codes, and M49 region codes."""
    import pycountry

    codes = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    return frozenset(codes | set(m49_regions()))


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 (two letters) and ISO 639-3 (three letters) language codes, from pycountry."""
    import pycountry

    codes: set[str] = set()
    for language in pycountry.languages:
        codes.add(language.alpha_3)
        if hasattr(language, "alpha_2"):
            codes.add(language.alpha_2)
    return frozenset(codes)


def languages_clean(values: Iterable[Any]) -> list[str]:
    """A round's list of case languages: ISO 639 codes, lower case, each once; anything else is refused."""
    from django.core.exceptions import ValidationError

    clean: list[str] = []
    for value in values:
        code = str(value).strip().lower()
        if not code:
            continue
        if code not in language_codes():
            raise ValidationError(
                _("“%(code)s” is not an ISO 639 language code (e.g. ar, uk, fa).") % {"code": value}
            )
        if code not in clean:
            clean.append(code)
    return clean


def groups_clean(values: Iterable[Any]) -> list[str]:
    """A round's list of case groups: short codes (lower-case letters, digits, `-`, `_`), each once."""
    from django.core.exceptions import ValidationError

    clean: list[str] = []
    for value in values:
        code = str(value).strip()
        if not code:
            continue
        if not GROUP_CODE.fullmatch(code):
            raise ValidationError(
                _(
                    "The group “%(code)s” is not a code: use lower-case letters, digits, “-” and "
                    "“_”, at most 40 (e.g. group_a)."
                )
                % {"code": value}
            )
        if code not in clean:
            clean.append(code)
    return clean


@dataclass(frozen=True)
class CaseRules:
    """The lists one round's cases are checked against."""

    categories: frozenset[str]
    languages: frozenset[str]
    groups: frozenset[str]

    def errors(
        self,
        *,
        pseudonym: str,
        size: Any,
        needs: Any,
        skills: Any,
        languages: Sequence[str],
        origin: str,
        group: str,
        category: str,
    ) -> list[str]:
        """What is wrong with one case's values (empty when it may be stored)."""
        out: list[str] = []
        if not CASE_ID.fullmatch(pseudonym or ""):
            out.append(
                _(
                    "the case id “%(value)s” is not an opaque code: use letters, digits, “-” and “_” only, no "
                    "spaces, at most 64"
                )
                % {"value": pseudonym}
            )
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_FAMILY_SIZE:
            out.append(
                _("the family size must be a whole number from 1 to %(max)s") % {"max": MAX_FAMILY_SIZE}
            )
        for name, (mapping, keys) in {"need": (needs, SERVICE_KEYS), "skill": (skills, SECTOR_KEYS)}.items():
            for key, value in dict(mapping or {}).items():
                if key not in keys:
                    out.append(
                        _("unknown %(kind)s “%(key)s” (one of: %(keys)s)")
                        % {"kind": name, "key": key, "keys": ", ".join(keys)}
                    )
                elif (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or value < 0
                    or (name == "skill" and value > 1)
                ):
                    out.append(_("%(kind)s “%(key)s” must be a number") % {"kind": name, "key": key})
        unknown = [code for code in languages if code not in self.languages]
        if unknown:
            out.append(
                _("language “%(value)s” is not in the round's list (%(codes)s)")
                % {"value": unknown[0], "codes": ", ".join(sorted(self.languages)) or "—"}
            )
        if origin and origin not in origin_codes():
            out.append(
                _(
                    "origin “%(value)s” is not an ISO 3166 country code (e.g. SY, SYR) or a UN M49 region "
                    "code (e.g. 145)"
                )
                % {"value": origin}
            )
        if group and group not in self.groups:
            out.append(
                _("group “%(value)s” is not in the round's list (%(codes)s)")
                % {"value": group, "codes": ", ".join(sorted(self.groups)) or "—"}
            )
        if category and category not in self.categories:
            out.append(
                _("category “%(value)s” is not one of the round's (%(codes)s)")
                % {"value": category, "codes": ", ".join(sorted(self.categories))}
            )
        return out


def case_rules(intake_round: IntakeRound) -> CaseRules:
    return CaseRules(
        categories=frozenset(intake_round.categories.values_list("code", flat=True)),
        languages=frozenset(intake_round.case_languages or ()),
        groups=frozenset(intake_round.case_groups or ()),
    )


def case_row_errors(*, case: Any, intake_round: IntakeRound, rules: CaseRules | None = None) -> list[str]:
    """What is wrong with a stored (or about to be stored) `Case` of `intake_round`."""
    rules = rules or case_rules(intake_round)
    return rules.errors(
        pseudonym=case.pseudonym,
        size=case.size,
        needs=case.needs,
        skills=case.skills,
        languages=list(case.languages),
        origin=case.origin,
        group=case.group,
        category=case.category,
    )


def column_errors(header: Sequence[str]) -> list[str]:
    """Columns a cases file may not have: free text has no column to go in."""
    bad = []
    for column in header:
        if column in CASE_COLUMNS:
            continue
        if column.startswith("need_") and column[5:] in SERVICE_KEYS:
            continue
        if column.startswith("skill_") and column[6:] in SECTOR_KEYS:
            continue
        bad.append(column)
    return bad
