"""Translations of reference and user content: one mechanism for every app (DESIGN.md, shared mechanisms).

A translatable record has a `language` (the tag of the language its own texts are written in) and a
`translations` JSON field: `{"fr": {"title": "…", "summary": "…"}, "ar": {…}}` — texts its owners (or, for
reference content, the data files) give in other languages. Nothing is machine-translated. A reader sees their
language's text where there is one, otherwise the original, marked with its language (`lang`/`dir`) and, where
the page says so, a note naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from arrival.core.languages import (
    UN_LANGUAGES,
    base_language,
    differs_from_page,
    language_dir,
    language_name,
    page_language,
)
from arrival.core.richtext import sanitise_html


@dataclass(frozen=True)
class Localized:
    """A text as one reader sees it: in their language when a translation exists, else the original."""

    text: str
    language: str  # the language `text` is in
    original_language: str
    is_translation: bool

    def __str__(self) -> str:
        return self.text

    @property
    def dir(self) -> str:
        return language_dir(self.language)

    @property
    def differs_from_page(self) -> bool:
        return differs_from_page(self.language)

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def original_language_name(self) -> str:
        return language_name(self.original_language)


def localized(record: Any, field: str, *, language: str | None = None) -> Localized:
    """`record.<field>` in `language` (default: the page's) when its translations give it, else the original."""
    wanted = base_language(language) if language else page_language()
    original_language = getattr(record, "language", "") or "en"
    original = getattr(record, field, "") or ""
    if base_language(original_language) != wanted:
        translations: Mapping[str, Any] = getattr(record, "translations", None) or {}
        for code, texts in translations.items():
            if base_language(code) == wanted and isinstance(texts, Mapping):
                text = texts.get(field)
                if isinstance(text, str) and text.strip():
                    return Localized(text=text, language=code, original_language=original_language,
                                     is_translation=True)
    return Localized(text=str(original), language=original_language, original_language=original_language,
                     is_translation=False)


def name_translations(rows: Iterable[Mapping[str, str]], *, key: str, known: set[str],
                      file: str) -> dict[str, dict[str, dict[str, str]]]:
    """{record key: {language: {"name": …}}} from the rows of a reference file of names in other UN languages
    (columns `key`, language, name, source: every name with its source). Raises ValueError naming the line of
    the first problem."""
    other_languages = set(UN_LANGUAGES) - {"en"}
    names: dict[str, dict[str, dict[str, str]]] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{file} line {line}"
        if row[key] not in known:
            raise ValueError(f"{where}: no record has the {key} {row[key]!r}.")
        if row["language"] not in other_languages:
            raise ValueError(f"{where}: {row['language']!r} is not a UN language other than English.")
        if not row["name"].strip() or not row["source"].strip():
            raise ValueError(f"{where}: every name needs its text and its source.")
        names.setdefault(row[key], {})[row["language"]] = {"name": row["name"].strip()}
    return names


def translations_clean(value: Any, *, fields: Iterable[str], original_language: str = "",
                       rich_fields: Iterable[str] = (),
                       max_lengths: Mapping[str, int] | None = None) -> dict[str, dict[str, str]]:
    """A `translations` value checked: UN language keys other than the original's, known fields, text values;
    empty texts and languages are dropped. Texts of `rich_fields` are sanitised rich text (HTML), as their
    originals; `max_lengths` caps a field's translations as its original is capped. Raises ValidationError
    naming the first problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Translations must be given as a mapping from language to texts."))
    allowed = set(fields)
    rich = set(rich_fields)
    cleaned: dict[str, dict[str, str]] = {}
    for code, texts in value.items():
        language = base_language(str(code))
        if language not in UN_LANGUAGES:
            raise ValidationError(_("“%(code)s” is not a language translations can be given in.") % {"code": code})
        if language == base_language(original_language):
            raise ValidationError(_("A translation cannot be in the record's own language."))
        if not isinstance(texts, Mapping):
            raise ValidationError(_("Translations must be given as a mapping from language to texts."))
        unknown = sorted(set(texts) - allowed)
        if unknown:
            raise ValidationError(_("“%(field)s” cannot be translated here.") % {"field": unknown[0]})
        kept: dict[str, str] = {}
        for key, text in texts.items():
            if text is not None and not isinstance(text, str | int | float):
                raise ValidationError(_("A translation must be a text."))
            clean = sanitise_html(str(text or "")).strip() if key in rich else str(text or "").strip()
            limit = (max_lengths or {}).get(str(key))
            if limit is not None and len(clean) > limit:
                raise ValidationError(
                    _("The %(language)s translation of “%(field)s” may be at most %(max)d characters.")
                    % {"language": language_name(language), "field": key, "max": limit})
            if clean:
                kept[str(key)] = clean
        if kept:
            cleaned[language] = kept
    return cleaned


def in_language_first(queryset: models.QuerySet[Any], *, language: str | None = None) -> models.QuerySet[Any]:
    """`queryset` annotated with `in_reader_language` (1 when the record is written in, or translated into,
    the reader's language), to put first in browsing lists: an English reader's first page is not all Arabic."""
    wanted = base_language(language) if language else page_language()
    return queryset.annotate(in_reader_language=models.Case(
        models.When(models.Q(language=wanted) | models.Q(language__startswith=f"{wanted}-")
                    | models.Q(translations__has_key=wanted), then=models.Value(1)),
        default=models.Value(0), output_field=models.IntegerField()))


@dataclass(frozen=True)
class OriginalTexts:
    """The texts of a reference file in its own language (`language`), for telling, in a file translated only in
    part, which of the texts shown are still the original's: those are marked with their language."""

    language: str
    texts: frozenset[str]

    def localized(self, text: str) -> Localized:
        """`text` with the language it is in: the file's when it is one of its original texts (not translated
        into the page's language), else the page's."""
        language = self.language if text in self.texts and differs_from_page(self.language) else page_language()
        return Localized(text=text, language=language, original_language=self.language, is_translation=False)


def marked_name(record: object) -> SafeString:
    """The name of a place, government, network or organisation: its official name in the reader's language
    when the record has one (`translations`), otherwise its name as it is, in <bdi translate="no">: a proper name
    is not translated (nor by a browser's translator), and its direction does not upset the text around it on a
    right-to-left page (WCAG 1.3.2). Takes a record with a `name`, a mapping with a "name", or a name."""
    if record is None or record == "":
        return mark_safe("")
    if isinstance(record, str):
        return format_html('<bdi translate="no">{}</bdi>', record)
    if isinstance(record, Mapping):
        record = SimpleNamespace(name=record.get("name", ""), translations=record.get("translations") or {})
    name = localized(record, "name")
    if name.is_translation:
        return conditional_escape(name.text)
    return format_html('<bdi translate="no">{}</bdi>', name.text) if name.text else mark_safe("")


def sentence_with_names(sentence: Any, **values: Any) -> SafeString:
    """A translated sentence with %(key)s placeholders filled with names that may carry markup (`marked_name`):
    the sentence is escaped, each value escaped unless it is already safe."""
    return mark_safe(conditional_escape(sentence) % {key: conditional_escape(value) for key, value in values.items()})  # noqa: S308


def sentence_with_text_isolated(sentence: str, text: str) -> SafeString:
    """`sentence` (plain, as a form error or the API gives it) with a record's `text` of unknown language quoted in
    it isolated in <bdi>: its words keep their own direction and are not read as the page's language."""
    return sentence_with_marked(sentence, text, format_html("<bdi>{}</bdi>", text))


def sentence_with_marked(sentence: Any, text: str, marked: SafeString) -> SafeString:
    """`sentence` escaped, with each occurrence of `text` in it replaced by its `marked` form."""
    escaped = conditional_escape(str(sentence))
    if not text:
        return escaped
    return mark_safe(escaped.replace(conditional_escape(text), marked))  # noqa: S308 - both escaped
