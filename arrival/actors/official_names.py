"""Countries' official names (ISO 3166-1) in the reader's language, from the translation catalogues that pycountry
ships with its ISO data (the iso-codes project's `iso3166-1` domain, whose message ids are ISO's English names)."""

from __future__ import annotations

import gettext
from functools import cache

from arrival.core.languages import base_language, page_language

# pycountry's catalogue for each interface language other than English (Simplified Chinese for Chinese).
CATALOGUES: dict[str, str] = {"fr": "fr", "es": "es", "ar": "ar", "zh": "zh_CN", "ru": "ru"}


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    import pycountry  # imported here: only the country page needs its catalogues

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[CATALOGUES[language]], fallback=True)


def official_country_name(official_name: str, *, language: str | None = None) -> str:
    """`official_name` (ISO 3166-1's official name in English, as data/countries.csv stores it) in `language`
    (default: the page's): itself for English readers; ISO's official name in that language when pycountry's
    catalogue gives it in reading order; "" when it does not (e.g. names that come from country_converter, not
    ISO), so that no English reference text is shown on a page in another language. A list form inverted at its
    comma ("Syrienne, République arabe") is not a name to show in a sentence's place, so it counts as none."""
    wanted = base_language(language) if language else page_language()
    if wanted == "en" or not official_name:
        return official_name
    if wanted not in CATALOGUES:
        return ""
    translated = _catalogue(wanted).gettext(official_name)
    if translated == official_name or ("," in translated and "," not in official_name):
        return ""
    return translated
