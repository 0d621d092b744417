"""Small helpers shared by every app's forms."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, TypeVar

from django import forms
from django.forms.utils import pretty_name

from arrival.core.languages import UN_LANGUAGES, base_language, language_dir, language_name
from arrival.core.translations import localized

_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's own copy of its field `name` (to set choices or a queryset per request), as the kind of field
    the form declares: `form_field(self, "kind", forms.ChoiceField).choices = …`."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class NameSelect(forms.Select):
    """Options that show records' names (actors): the official name in the reader's language when the record has
    one, else the name as it is, marked `translate="no"` — a proper name, left alone by browsers' translators
    (an <option> cannot hold the <bdi> that the `name` template filter uses). A model choice field gives the
    records; a plain choice field sets `widget.records`, {value: record}."""

    records: Mapping[Any, Any] = {}

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(
            name, value, label, selected, index, subindex=subindex, attrs=attrs)
        record = getattr(value, "instance", None) or self.records.get(str(value))
        if record is not None and hasattr(record, "translations"):
            shown = localized(record, "name")
            option["label"] = shown.text
            if not shown.is_translation:
                option["attrs"] = {**option["attrs"], "translate": "no"}
        return option


class NameSelectMultiple(NameSelect, forms.SelectMultiple):
    pass


class NameChoiceField(forms.ModelChoiceField):
    """A choice of one actor, shown by its name (see `NameSelect`)."""

    widget = NameSelect


class NameMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several actors, shown by their names (see `NameSelect`)."""

    widget = NameSelectMultiple


class TranslationsFormMixin:
    """One optional field per translatable field per UN language other than the record's own (as Decidim does),
    shown by `core/_translations.html` as a collapsed section per language.

        class PracticeForm(TranslationsFormMixin, forms.Form):
            def __init__(self, *args, record_language="", translations=None, **kwargs):
                super().__init__(*args, **kwargs)
                self.add_translation_fields(("title", "summary"), language=record_language, translations=translations)

    `form.translations()` gives the value the services check with `translations_clean` (empty texts left out).
    """

    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]
    cleaned_data: dict[str, Any]
    translation_names: tuple[str, ...] = ()
    translation_languages: tuple[str, ...] = ()

    @staticmethod
    def translation_key(language: str, name: str) -> str:
        return f"translation_{language}_{name}"

    def add_translation_fields(self, names: Sequence[str], *, language: str = "",
                               translations: Mapping[str, Any] | None = None,
                               labels: Mapping[str, Any] | None = None, one_line: Sequence[str] = (),
                               max_lengths: Mapping[str, int] | None = None) -> None:
        """Fields for `names` (label, length and one or several lines copied from the form's own field of that
        name, or for a field the form does not have: `labels`, `one_line`, `max_lengths`) in every UN language
        but `language`."""
        self.translation_names = tuple(names)
        own = base_language(language)
        self.translation_languages = tuple(code for code in UN_LANGUAGES if code != own)
        for code in self.translation_languages:
            given = (translations or {}).get(code) or {}
            for name in names:
                source = self.fields.get(name)
                label = (labels or {}).get(name) or (source.label if source is not None else None) or pretty_name(name)
                several_lines = (name not in one_line if source is None
                                 else isinstance(source.widget, forms.Textarea))
                attrs = {"lang": code, "dir": language_dir(code)}
                widget = forms.Textarea(attrs={**attrs, "rows": 3}) if several_lines else forms.TextInput(attrs=attrs)
                key = self.translation_key(code, name)
                self.fields[key] = forms.CharField(
                    label=label, required=False, widget=widget, strip=True,
                    max_length=getattr(source, "max_length", None) if source is not None
                    else (max_lengths or {}).get(name))
                if isinstance(given, Mapping) and given.get(name):
                    self.initial[key] = given[name]

    def translations(self) -> dict[str, dict[str, str]]:
        """The translations typed in, by language (languages with no text left out)."""
        result: dict[str, dict[str, str]] = {}
        for code in self.translation_languages:
            texts = {name: self.cleaned_data.get(self.translation_key(code, name)) or ""
                     for name in self.translation_names}
            texts = {name: text for name, text in texts.items() if text}
            if texts:
                result[code] = texts
        return result

    @property
    def main_fields(self) -> list[Any]:
        """The form's bound fields other than the translations (for templates that loop over a form)."""
        form: Any = self
        return [form[name] for name in self.fields if not name.startswith("translation_")]

    @property
    def translation_groups(self) -> list[dict[str, Any]]:
        """Per language: its code, name (in the reader's language), bound fields, and whether it holds text or
        errors (the template opens those)."""
        form: Any = self
        groups = []
        for code in self.translation_languages:
            bound = [form[self.translation_key(code, name)] for name in self.translation_names]
            groups.append({
                "code": code, "name": language_name(code), "fields": bound,
                "open": any(field.value() for field in bound) or any(field.errors for field in bound),
            })
        return groups


class TranslationsForm(TranslationsFormMixin, forms.Form):
    """Only the translations of a record: `TranslationsForm(data, names=…, language=record.language,
    translations=record.translations, labels={name: label})`, shown by `core/translations_form.html`."""

    def __init__(self, *args: Any, names: Sequence[str], language: str, translations: Mapping[str, Any] | None,
                 labels: Mapping[str, Any], one_line: Sequence[str] = (),
                 max_lengths: Mapping[str, int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.add_translation_fields(names, language=language, translations=translations, labels=labels,
                                    one_line=one_line, max_lengths=max_lengths)


def translations_page_context(*, record: Any, form: TranslationsForm, record_url: str,
                              title_field: str = "title") -> dict[str, Any]:
    """The context of `core/translations_form.html` for `record`."""
    return {"record": record, "form": form, "record_url": record_url, "title_field": title_field,
            "record_title": getattr(record, title_field, ""), "language_name": language_name(record.language)}
