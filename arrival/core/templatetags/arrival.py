from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import linebreaks_filter as linebreaks
from django.utils import translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from arrival.core.languages import differs_from_page, language_dir, text_attrs, viewer_locale
from arrival.core.languages import language_tag as _language_tag
from arrival.core.richtext import sanitise_html
from arrival.core.time_zones import datetime_with_zone
from arrival.core.translations import Localized, OriginalTexts, localized, marked_name, sentence_with_marked

register = template.Library()


@register.filter
def with_zone(value: datetime | None) -> str:
    """A date and time in the viewer's zone, with the zone named ("… 09:00 (Europe/Brussels)")."""
    return datetime_with_zone(value) if value else ""


@register.simple_tag
def demo_badge(record: object) -> str:
    """A visible label on every record that demo content created (DESIGN.md rule 7)."""
    if getattr(record, "is_demo", False):
        # In the page's language even inside a record's text marked with another language.
        language = translation.get_language() or "en"
        return format_html('<span class="badge badge-demo" lang="{}" dir="{}" title="{}">{}</span>', language,
                           language_dir(language), _("Invented for the demonstration"), _("Demo data"))
    return ""


@register.filter
def lang_attrs(language: str | None) -> str:
    """` lang="…" dir="…"` for an element holding text in `language` (`text_attrs`)."""
    return format_html_join("", ' {}="{}"', text_attrs(language).items())  # in that order: lang, then dir


@register.filter
def person(user: object) -> str:
    """A person's public name (a display name they chose, a pseudonym or a username) isolated in <bdi>: a name
    is not translated and its language and direction are not known, so it neither takes the page's language
    nor upsets the order of the text around it (WCAG 1.3.2, 3.1.2)."""
    if user is None or user == "":
        return ""
    name = getattr(user, "public_name", None) or str(user)
    return format_html("<bdi>{}</bdi>", name)


@register.filter(name="name")
def proper_name(record: object) -> str:
    """The name of a place, government, network or organisation, marked as a name (`marked_name`)."""
    return marked_name(record)


@register.filter
def name_marked(text: object, name: str | None) -> str:
    """`text` — a sentence built in Python, plain for the API too — with `name` marked as a name where it occurs
    ("Reply to the objection of <bdi translate="no">Berlin</bdi>")."""
    return sentence_with_marked(text, name or "", marked_name(name))


@register.simple_tag
def list_separator(loop: Mapping[str, Any]) -> str:
    """What goes after the current item of a `{% for %}` listing things in a sentence, as the reader's language
    lists them (CLDR): ", " and ", and " in English, " و" in Arabic, "、" and "和" in Chinese; "" after
    the last."""
    length = loop["counter"] + loop["revcounter"] - 1
    if loop["revcounter"] == 1:
        return ""
    patterns = viewer_locale().list_patterns["standard"]
    key = "2" if length == 2 else "end" if loop["revcounter"] == 2 else "start" if loop["counter"] == 1 else "middle"  # noqa: PLR2004
    return str(patterns[key]).replace("{0}", "").replace("{1}", "")


@register.filter
def code(value: object) -> str:
    """A code shown as it is in every language (a currency, a file column, an identifier), marked as code."""
    return format_html("<code>{}</code>", value) if value not in (None, "") else ""


@register.filter(name="localized")
def localized_text(record: object, field: str) -> str:
    """`record.<field>` as plain text in the reader's language when translated, else the original — for
    places that take no markup (a page's <title>, an attribute, a blocktranslate argument)."""
    return localized(record, field).text


@register.filter
def localized_text_with_language(record: object, field: str) -> Localized:
    """`record.<field>` as `localized` gives it (`.text`, `.language`), for elements that take no markup inside
    but carry `lang`/`dir` themselves: `<option{{ title.language|lang_attrs }}>{{ title.text }}</option>`."""
    return localized(record, field)


@register.filter
def language_tag(code: str | None) -> str:
    """A language code as a BCP 47 tag for `lang` attributes and metadata ("zh-hans" → "zh-Hans")."""
    return _language_tag(code)


@register.filter
def ltr(value: Any) -> str:
    """A number, range, percentage or code kept left to right on a right-to-left page (`<bdi dir="ltr">`), so
    that "45.5%" does not read "%45.5" in Arabic; the value itself on other pages."""
    if value is None or value == "":
        return ""
    if not get_language_bidi():
        return conditional_escape(value)
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def original_marked(text: str, originals: OriginalTexts | None) -> str:
    """`text` from a reference file translated only in part: in a span marked with the file's language when it
    is still one of the file's original texts and the page is in another language; else the text itself."""
    if originals is None or not text:
        return conditional_escape(text)
    language = originals.localized(str(text)).language
    if not differs_from_page(language):
        return conditional_escape(text)
    return format_html("<span{}>{}</span>", lang_attrs(language), text)


@register.simple_tag
def content(record: object, field: str, form: str = "inline", note: bool = False, words: int = 0) -> str:
    """A record's text in the reader's language when translated, else its original, marked with its language.

    `form`: "inline" (a span), "block" (paragraphs from line breaks, in a div) or "html" (sanitised rich text
    stored as HTML, in a div). `note=True` adds "(in Arabic)" when the reader sees text in another language
    than the page's, so they know why, or "(translated from Arabic)" when they see a translation. `words`
    shortens a plain text to that many words (lists)."""
    text = localized(record, field)
    if words and form != "html":
        text = replace(text, text=Truncator(text.text).words(words))
    body: str
    if form == "block":
        body = linebreaks(text.text, autoescape=True)
    elif form == "html":
        # Sanitised again on the way out: a translation may have reached the database by another path.
        body = mark_safe(sanitise_html(text.text))  # noqa: S308 - nh3 keeps only the allowed tags
    else:
        body = conditional_escape(text.text)
    tag = "span" if form == "inline" else "div"
    html = format_html("<{}{}>{}</{}>", tag, lang_attrs(text.language), body, tag)
    return format_html("{}{}", html, language_note(text)) if note else html


def language_note(text: Localized) -> str:
    if text.is_translation:
        message = _("translated from %(language)s") % {"language": text.original_language_name}
    elif text.differs_from_page:
        message = _("in %(language)s") % {"language": text.language_name}
    else:
        return ""
    return format_html(' <span class="language-note small">({})</span>', message)


@register.simple_tag
def content_text(record: object, field: str) -> str:
    """The text `{% content %}` shows, bare (escaped), for places that cannot carry markup: <title>, meta
    descriptions, attribute values."""
    return localized(record, field).text
