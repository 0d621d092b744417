"""Languages residents may write in: any language, not only the interface's.

The list offered in forms joins Django's language table with languages common among newcomers that it lacks;
anyone may also type another language tag (BCP 47, e.g. "ti" or "prs"). Names and writing direction come from
CLDR through `arrival.core.languages`, so each language reads in its own name and in the viewer's language.
"""

from __future__ import annotations

import re

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from arrival.core.languages import language_name, sort_key

# Languages common among newcomers that Django's table does not have.
_EXTRA: tuple[str, ...] = (
    "am", "ti", "so", "ps", "prs", "ckb", "kmr", "ha", "wo", "ln", "yo", "ff", "rw", "sd", "yi", "dv", "ug", "bn",
    "ne",
)
_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$")

# The tags residents choose from: Django's table (its entries with a name) and the languages above.
LANGUAGE_CODES: tuple[str, ...] = tuple(dict.fromkeys(
    [code for code, info in LANG_INFO.items() if "name" in info] + list(_EXTRA)))


def language_choices() -> list[tuple[str, str]]:
    """(code, "own name — name in the viewer's language") for every offered language, ordered by the name in
    the viewer's language."""
    rows = []
    for code in LANGUAGE_CODES:
        viewer = language_name(code)
        own = language_name(code, in_language=code)
        rows.append((code, viewer, f"{own} — {viewer}" if own not in (viewer, code) else viewer))
    rows.sort(key=lambda row: sort_key(row[1]))
    return [(code, label) for code, _viewer, label in rows]


def language_clean(value: str) -> str:
    """A language tag, lower-cased, or ValidationError for anything that is not one."""
    value = (value or "").strip().replace("_", "-")
    if not _TAG.match(value):
        raise ValidationError(
            _("Choose a language from the list, or type a language tag such as “ti” or “fa-AF”."), code="language")
    return value.lower()
