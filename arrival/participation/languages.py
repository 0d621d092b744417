"""Languages residents may write in: any language, not only the interface's.

The list offered in forms joins Django's language table with languages common among newcomers that it lacks;
anyone may also type another language tag (BCP 47, e.g. "ti" or "prs"). Names and writing direction come from
CLDR through `arrival.core.languages`: the form offers each language under its own name, marked with its
language; pages that show a text's language name it in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from arrival.core.languages import language_dir, language_name, language_tag, sort_key

# Languages common among newcomers that Django's table does not have.
_EXTRA: tuple[str, ...] = (
    "am", "ti", "so", "ps", "prs", "ckb", "kmr", "ha", "wo", "ln", "yo", "ff", "rw", "sd", "yi", "dv", "ug", "bn",
    "ne",
)
_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$")

# The tags residents choose from: Django's table (its entries with a name) and the languages above.
LANGUAGE_CODES: tuple[str, ...] = tuple(dict.fromkeys(
    [code for code, info in LANG_INFO.items() if "name" in info] + list(_EXTRA)))


@dataclass(frozen=True)
class LanguageOption:
    """One language offered to write in: its tag, the name shown, and the option's attributes."""

    code: str
    label: str
    attrs: dict[str, str]


def language_options() -> list[LanguageOption]:
    """Every offered language under its own name (its autonym: "한국어", "ትግርኛ", "français"), marked with that
    language and its direction, so a resident finds the language they write in as they write it and a screen
    reader reads it in that language. An <option> holds text only, so it cannot also give the name in the
    page's language marked apart (the proposal's page names the language in the reader's language). A language
    CLDR has no own name for is shown under its name in the page's language, unmarked. Ordered by the name
    shown, case and accents folded (Latin-script names first, then each script together)."""
    page = language_tag(None).lower()
    options = []
    for code in LANGUAGE_CODES:
        own = language_name(code, in_language=code)
        if own and own != code:
            tag = language_tag(code)
            attrs = {"lang": tag, "dir": language_dir(code)} if tag.lower() != page else {}
            options.append(LanguageOption(code=code, label=own, attrs=attrs))
        else:
            options.append(LanguageOption(code=code, label=language_name(code), attrs={}))
    options.sort(key=lambda option: sort_key(option.label))
    return options


def language_choices() -> list[tuple[str, str]]:
    """(code, label) of `language_options()`, for a choice field's validation and a plain select."""
    return [(option.code, option.label) for option in language_options()]


def language_clean(value: str) -> str:
    """A language tag, lower-cased, or ValidationError for anything that is not one."""
    value = (value or "").strip().replace("_", "-")
    if not _TAG.match(value):
        raise ValidationError(
            _("Choose a language from the list, or type a language tag such as “ti” or “fa-AF”."), code="language")
    return value.lower()
