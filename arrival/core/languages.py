"""Languages of text, whatever the interface's: names, writing direction and the page's language.

Content carries a language tag (BCP 47: "en", "ar", "ti", "fa-AF"); the interface runs in one of the six UN
languages (Django codes "en" … "zh-hans"). Names and directions come from CLDR through Babel, in the viewer's
language, so "ti" reads "Tigrinya" on an English page and "التغرينية" on an Arabic one.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils import translation

# The six UN languages, as content language tags: the languages reference content is written in and the
# languages an owner may add a translation in (one form field each).
UN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "zh", "ru")


def base_language(code: str | None) -> str:
    """The primary subtag, lower-cased: "zh-hans" → "zh", "fa_AF" → "fa", None → ""."""
    return (code or "").replace("_", "-").split("-")[0].lower()


def page_language() -> str:
    """The active interface language as a content tag ("zh-hans" → "zh")."""
    return base_language(translation.get_language()) or "en"


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale | None:
    tag = code.replace("-", "_")
    if base_language(tag) == "zh" and "_" not in tag:
        tag = "zh_Hans"
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(base_language(code))
        except (UnknownLocaleError, ValueError):
            return None


def viewer_locale() -> Locale:
    """The CLDR locale of the active interface language (Simplified Chinese for "zh-hans")."""
    return _locale(translation.get_language() or "en") or Locale("en")


def language_dir(code: str | None) -> str:
    """"rtl" for languages written right to left (Arabic, Persian, Hebrew, Urdu, Pashto…), else "ltr"."""
    locale = _locale(code) if code else None
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def language_name(code: str | None, *, in_language: str | None = None) -> str:
    """The name of the language `code` in the viewer's language (or `in_language`), from CLDR; the tag itself
    when CLDR does not know it."""
    if not code:
        return ""
    viewer = _locale(in_language) if in_language else viewer_locale()
    names = viewer.languages if viewer is not None else {}
    tag = code.replace("-", "_")
    return str(names.get(tag) or names.get(base_language(code)) or code)


def differs_from_page(code: str | None) -> bool:
    """Whether text in `code` needs its own `lang` (and `dir`) on the current page."""
    return bool(code) and base_language(code) != page_language()


# Languages a record is commonly written in beyond the UN six (the form's choices; the API takes any tag).
OTHER_RECORD_LANGUAGES: tuple[str, ...] = ("pt", "de", "it", "tr", "fa", "uk", "sw", "ti", "so", "ps", "ur", "bn")


def record_language_choices() -> list[tuple[str, str]]:
    """(tag, name in the viewer's language) for a form's "language this is written in": the UN six, then others."""
    return [(code, language_name(code)) for code in (*UN_LANGUAGES, *OTHER_RECORD_LANGUAGES)]
