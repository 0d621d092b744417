"""Languages of text, whatever the interface's: names, writing direction and the page's language.

Content carries a language tag (BCP 47: "en", "ar", "ti", "fa-AF"); the interface runs in one of the six UN
languages (Django codes "en" … "zh-hans"). Names and directions come from CLDR through Babel, in the viewer's
language, so "ti" reads "Tigrinya" on an English page and "التغرينية" on an Arabic one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# The six UN languages, as content language tags: the languages reference content is written in and the
# languages an owner may add a translation in (one form field each).
UN_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "zh", "ru")


def base_language(code: str | None) -> str:
    """The primary subtag, lower-cased: "zh-hans" → "zh", "fa_AF" → "fa", None → ""."""
    return (code or "").replace("_", "-").split("-")[0].lower()


def page_language() -> str:
    """The active interface language as a content tag ("zh-hans" → "zh")."""
    return base_language(translation.get_language()) or "en"


# Tags CLDR knows under another name: Dari is Persian as written in Afghanistan, Kurmanji is Northern Kurdish.
_CLDR_ALIASES: dict[str, str] = {"prs": "fa-AF", "kmr": "ku"}


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
    locale = _locale(_CLDR_ALIASES.get(code.lower(), code)) if code else None
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def language_name(code: str | None, *, in_language: str | None = None) -> str:
    """The name of the language `code` in the viewer's language (or `in_language`), from CLDR; the tag itself
    when CLDR does not know it."""
    if not code:
        return ""
    viewer = _locale(_CLDR_ALIASES.get(in_language.lower(), in_language)) if in_language else viewer_locale()
    names = viewer.languages if viewer is not None else {}
    tag = _CLDR_ALIASES.get(code.lower(), code).replace("-", "_")
    name = names.get(tag)
    if not name and "_" in tag and viewer is not None:  # "ar-DZ" → "Arabic (Algeria)", "sr-Latn" → "Serbian (Latin)"
        parsed = _locale(tag)
        if parsed is not None and (parsed.territory or parsed.script):
            name = parsed.get_display_name(viewer)
    return str(name or names.get(base_language(tag)) or code)


def differs_from_page(code: str | None) -> bool:
    """Whether text in `code` needs its own `lang` (and `dir`) on the current page."""
    return bool(code) and base_language(code) != page_language()


# UN M49 codes of the regions and sub-regions the country data names in English (arrival/actors/data), so
# that CLDR can name them in the viewer's language. "Latin America and the Caribbean" is M49 419, which CLDR
# calls "Latin America".
M49_CODES: dict[str, str] = {
    "Africa": "002", "Americas": "019", "Asia": "142", "Europe": "150", "Oceania": "009",
    "Northern Africa": "015", "Sub-Saharan Africa": "202",
    "Latin America and the Caribbean": "419", "Northern America": "021",
    "Central Asia": "143", "Eastern Asia": "030", "South-eastern Asia": "035", "Southern Asia": "034",
    "Western Asia": "145",
    "Eastern Europe": "151", "Northern Europe": "154", "Southern Europe": "039", "Western Europe": "155",
    "Australia and New Zealand": "053", "Melanesia": "054", "Micronesia": "057", "Polynesia": "061",
}


def territory_name(code: str | None, *, in_language: str | None = None) -> str:
    """The CLDR name of a country or territory (ISO 3166-1 alpha-2, e.g. "SY") or of a UN M49 region ("150")
    in the viewer's language (or `in_language`); "" when CLDR does not know it, so callers keep their own."""
    if not code:
        return ""
    viewer = _locale(in_language) if in_language else viewer_locale()
    names = viewer.territories if viewer is not None else {}
    return str(names.get(code.upper()) or "")


def country_name(code: str | None, name: str) -> str:
    """A country's name for the viewer: `name` (the data's English name) for English readers, else CLDR's
    name of `code` in the viewer's language, or `name` when CLDR has none."""
    if page_language() == "en":
        return name
    return territory_name(code) or name


def region_name(name: str | None, *, in_language: str | None = None) -> str:
    """A UN M49 region or sub-region given by its English name ("Western Asia"), in the viewer's language;
    the English name when it is not an M49 region CLDR knows, or when the viewer reads English."""
    if not name:
        return ""
    wanted = base_language(in_language) if in_language else page_language()
    if wanted == "en":
        return name
    return territory_name(M49_CODES.get(name), in_language=in_language) or name


def sort_key(text: str) -> str:
    """A cheap language-neutral collation key: case and accents folded, so "Österreich" sorts with "O" and
    "Égypte" with "E". Scripts other than Latin keep their code-point order."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def language_tag(code: str | None) -> str:
    """A language code written as a BCP 47 tag, for `lang` attributes and document metadata: "zh-hans" →
    "zh-Hans", "pt_br" → "pt-BR", "ar" → "ar" (the active interface language when `code` is None)."""
    parts = (code or translation.get_language() or "en").replace("_", "-").split("-")
    tag = [parts[0].lower()]
    for part in parts[1:]:
        tag.append(part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower())  # noqa: PLR2004 - BCP 47 subtag lengths
    return "-".join(tag)


# Unicode directional isolates (UAX #9): a number or a quoted text inside a sentence of the other direction keeps
# its own order, and the punctuation around it stays where the sentence puts it.
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


def isolate(text: str, direction: str | None = None) -> str:
    """`text` between directional isolates: left to right ("ltr", e.g. a number, a range or a code), right to
    left ("rtl"), or as its first strong letter says (None)."""
    if not text:
        return text
    opener = LRI if direction == "ltr" else RLI if direction == "rtl" else FSI
    return f"{opener}{text}{PDI}"


def ltr_in_page(text: str) -> str:
    """`text` (a number, a range "30–60", a percentage, a code) kept left to right on a right-to-left page: so
    "45.5%" does not print as "%45.5" in Arabic. Unchanged on left-to-right pages."""
    return isolate(text, "ltr") if translation.get_language_bidi() else text


# A quotation of user content inside a generated plain text (a notification "The practice “…” was published"):
# the quoted text between directional isolates, its language tag written after the opening isolate in Unicode
# tag characters (U+E0001 LANGUAGE TAG, then U+E0020–U+E007E), which are invisible. `quoted_plain` leaves the
# isolates (so the text reads right in any e-mail client) and drops the tag; `quoted_html` makes each quotation a
# `<bdi lang dir>` element.
_LANGUAGE_TAG = "\U000e0001"
_QUOTATION = re.compile("([\u2066\u2067\u2068])(?:\U000e0001([\U000e0020-\U000e007e]*))?(.*?)\u2069", re.S)
_TAG_CHARACTERS = re.compile("[\U000e0001\U000e0020-\U000e007f]")


def quoted(text: str, language: str | None) -> str:
    """User content `text`, written in `language`, for quoting in a generated text (see above)."""
    if not text:
        return text
    if not language:
        return isolate(text)
    tag = "".join(chr(0xE0000 + ord(char)) for char in language_tag(language) if 0x20 <= ord(char) <= 0x7E)  # noqa: PLR2004 - printable ASCII
    return f"{LRI if language_dir(language) == 'ltr' else RLI}{_LANGUAGE_TAG}{tag}{text}{PDI}"


def quoted_plain(text: str) -> str:
    """A generated text with its quotations' language tags removed (the isolates stay)."""
    return _TAG_CHARACTERS.sub("", text or "")


def quoted_html(text: str) -> SafeString:
    """A generated text as HTML: escaped, each quotation a `<bdi>` with its `lang` (when it differs from the
    page's) and `dir`."""
    out: list[str] = []
    position = 0
    source = text or ""
    for match in _QUOTATION.finditer(source):
        out.append(str(conditional_escape(quoted_plain(source[position:match.start()]))))
        opener, tag_chars, body = match.groups()
        language = "".join(chr(ord(char) - 0xE0000) for char in tag_chars or "")
        direction = {LRI: "ltr", RLI: "rtl"}.get(opener, "auto")
        lang = f' lang="{conditional_escape(language)}"' if language and differs_from_page(language) else ""
        out.append(f'<bdi{lang} dir="{direction}">{conditional_escape(quoted_plain(body))}</bdi>')
        position = match.end()
    out.append(str(conditional_escape(quoted_plain(source[position:]))))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def quoted_removed(text: str) -> str:
    """A generated text with its quotations' marks (isolates and language tags) removed."""
    return re.sub("[\u2066-\u2069]", "", quoted_plain(text))
# Languages a record is commonly written in beyond the UN six (the form's choices; the API takes any tag).
OTHER_RECORD_LANGUAGES: tuple[str, ...] = ("pt", "de", "it", "tr", "fa", "uk", "sw", "ti", "so", "ps", "ur", "bn")


def record_language_choices() -> list[tuple[str, str]]:
    """(tag, name in the viewer's language) for a form's "language this is written in": the UN six, then others."""
    return [(code, language_name(code)) for code in (*UN_LANGUAGES, *OTHER_RECORD_LANGUAGES)]


def names_list(names: Iterable[str]) -> SafeString:
    """Names joined as the viewer's language lists them ("A, B and C", "A، B وC"), each kept as given (safe
    markup such as a marked name stays markup, other text is escaped)."""
    items = [str(conditional_escape(name)) for name in names]
    # CLDR's glue is text: escape it alone, around placeholders for the (already escaped) items.
    glued = str(conditional_escape(format_list([f"\x00{index}\x00" for index in range(len(items))],
                                               locale=viewer_locale()))) if items else ""
    return mark_safe(re.sub("\x00(\\d+)\x00", lambda match: items[int(match.group(1))], glued))  # noqa: S308


def text_attrs(language: str | None) -> dict[str, str]:
    """`lang` and `dir` for an element holding text in `language` when that is not the page's language (WCAG
    3.1.2); `dir="auto"` when the language is unknown; nothing when it is the page's. The `lang_attrs` template
    filter writes these; an <option> or a widget takes them as attributes."""
    if not language:
        return {"dir": "auto"}
    if not differs_from_page(language):
        return {}
    return {"lang": language_tag(language), "dir": language_dir(language)}
