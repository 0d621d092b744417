"""Languages residents may write in: any language, not only the interface's.

The list offered in forms joins Django's language table with languages common among newcomers that it lacks;
anyone may also type another language tag (BCP 47, e.g. "ti" or "prs"). Direction (`dir`) comes from the
same table, so right-to-left scripts show the right way round.
"""

from __future__ import annotations

import re

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Languages Django's table does not have, with their own names (right-to-left marked).
_EXTRA: dict[str, tuple[str, str, bool]] = {
    "am": ("Amharic", "አማርኛ", False),
    "ti": ("Tigrinya", "ትግርኛ", False),
    "so": ("Somali", "Soomaali", False),
    "ps": ("Pashto", "پښتو", True),
    "prs": ("Dari", "دری", True),
    "ckb": ("Central Kurdish", "کوردیی ناوەندی", True),
    "kmr": ("Kurmanji Kurdish", "Kurmancî", False),
    "ha": ("Hausa", "Hausa", False),
    "wo": ("Wolof", "Wolof", False),
    "ln": ("Lingala", "Lingála", False),
    "yo": ("Yoruba", "Yorùbá", False),
    "ff": ("Fula", "Fulfulde", False),
    "rw": ("Kinyarwanda", "Ikinyarwanda", False),
    "sd": ("Sindhi", "سنڌي", True),
    "yi": ("Yiddish", "ייִדיש", True),
    "dv": ("Dhivehi", "ދިވެހި", True),
    "ug": ("Uyghur", "ئۇيغۇرچە", True),
    "bn": ("Bengali", "বাংলা", False),
    "ne": ("Nepali", "नेपाली", False),
}
_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,3}$")


def _entries() -> dict[str, tuple[str, str, bool]]:
    entries = {code: (info["name"], info["name_local"], bool(info.get("bidi")))
               for code, info in LANG_INFO.items() if "name" in info}
    entries.update(_EXTRA)
    return entries


_ENTRIES = _entries()


def language_choices() -> list[tuple[str, str]]:
    """(code, "own name — English name") for every known language, ordered by English name."""
    rows = sorted(_ENTRIES.items(), key=lambda item: item[1][0])
    return [(code, f"{local} — {name}" if local != name else name) for code, (name, local, _bidi) in rows]


def language_clean(value: str) -> str:
    """A language tag, lower-cased, or ValidationError for anything that is not one."""
    value = (value or "").strip().replace("_", "-")
    if not _TAG.match(value):
        raise ValidationError(
            _("Choose a language from the list, or type a language tag such as “ti” or “fa-AF”."), code="language")
    return value.lower()


def language_name(code: str) -> str:
    entry = _ENTRIES.get(code) or _ENTRIES.get(code.split("-")[0])
    if entry is None:
        return code
    name, local, _bidi = entry
    return local if local == name else f"{local} ({name})"


def language_dir(code: str) -> str:
    entry = _ENTRIES.get(code) or _ENTRIES.get((code or "").split("-")[0])
    return "rtl" if entry and entry[2] else "ltr"
