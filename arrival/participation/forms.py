"""Forms of participation pages. They validate shapes only; the services check rules and phases.

No form here asks about a person: a pseudonym (guests) is the most a form asks for (DESIGN.md rule 1).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrival.core.forms import NameSelect, TranslationsFormMixin, form_field
from arrival.core.languages import (
    record_language_choices,
    text_attrs,
)
from arrival.core.time_zones import available_time_zones, zone_or_utc
from arrival.core.translations import localized
from arrival.engagement.phases import action_label, phase_type_get
from arrival.participation.languages import language_clean, language_options
from arrival.participation.models import (
    ANSWER_TRANSLATABLE,
    PROCESS_TRANSLATABLE,
    STATUS_TRANSLATABLE,
    Access,
    ProposalKind,
    StatusKind,
)
from arrival.participation.services import ALL_ACTIONS, DEMOGRAPHIC_QUESTIONS, PHASE_SEQUENCE

OTHER = "other"
# A local date and time, written the way the browser's date-and-time picker reads and writes it.
_LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class OptionSelect(forms.Select):
    """A select whose options each carry their own attributes, `option_attrs` = {value: attrs}: `lang` and `dir`
    on an option holding a record's text or a language's own name, `translate="no"` on a place's name. An
    <option> holds text only, so the option itself says what language its text is in."""

    option_attrs: dict[str, dict[str, str]] = {}

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(
            name, value, label, selected, index, subindex=subindex, attrs=attrs)
        extra = self.option_attrs.get(str(value))
        if extra:
            option["attrs"] = {**option["attrs"], **extra}
        return option


def option_widget(form: forms.BaseForm, name: str) -> OptionSelect:
    """The form's own `OptionSelect` of field `name` (to set its options' attributes per request)."""
    widget = form.fields[name].widget
    if not isinstance(widget, OptionSelect):
        raise TypeError(f"{type(form).__name__}.{name} does not use an OptionSelect")
    return widget


def set_language_options(form: forms.BaseForm, name: str, *extra: tuple[str, Any]) -> None:
    """The languages to write in as the choices of `name`, each under its own name and marked with it (see
    `participation.languages.language_options`), then `extra` choices in the page's language."""
    options = language_options()
    form_field(form, name, forms.ChoiceField).choices = [*((o.code, o.label) for o in options), *extra]
    option_widget(form, name).option_attrs = {o.code: o.attrs for o in options if o.attrs}


class _Form(forms.Form):
    """Labels without a trailing colon (it reads badly in Arabic and in screen readers)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ProposalForm(_Form):
    kind = forms.ChoiceField(label=_("This is"), choices=ProposalKind.choices, initial=ProposalKind.PROPOSAL,
                             widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Description"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))
    language = forms.ChoiceField(label=_("Language you write in"), widget=OptionSelect,
                                 help_text=_("Any language, listed under its own name: the city may add a "
                                             "translation."))
    other_language = forms.CharField(label=_("Another language (a language tag)"), max_length=35, required=False,
                                     help_text=_("Only if your language is not in the list, e.g. <code>ti</code>."))
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None,
                                      widget=OptionSelect)
    neighbourhood = forms.TypedChoiceField(label=_("Neighbourhood (optional)"), coerce=int, required=False,
                                           empty_value=None, widget=OptionSelect,
                                           help_text=_("A part of the city, never your address."))
    image = forms.ImageField(label=_("An image (optional)"), required=False)
    image_alt = forms.CharField(label=_("Describe the image for people who cannot see it"), max_length=300,
                                required=False)

    def __init__(self, *args: Any, categories: Any = (), neighbourhoods: Any = (), language: str = "en",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_language_options(self, "language", (OTHER, _("Another language…")))
        self.fields["language"].initial = language
        # A category's name in the reader's language when the team translated it, else as written, marked with
        # its language; a neighbourhood's name is a place's name, as the city writes it (not translated).
        names = {str(c.pk): localized(c, "name") for c in categories}
        form_field(self, "category", forms.ChoiceField).choices = [
            ("", _("No category")), *[(pk, name.text) for pk, name in names.items()]]
        option_widget(self, "category").option_attrs = {pk: text_attrs(name.language) for pk, name in names.items()}
        neighbourhoods = list(neighbourhoods)
        form_field(self, "neighbourhood", forms.ChoiceField).choices = [
            ("", _("None")), *[(n.pk, n.name) for n in neighbourhoods]]
        option_widget(self, "neighbourhood").option_attrs = {str(n.pk): {"translate": "no", "dir": "auto"}
                                                             for n in neighbourhoods}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("language") == OTHER:
            try:
                data["language"] = language_clean(data.get("other_language", ""))
            except ValidationError as error:
                self.add_error("other_language", error)
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image so everyone can know what it shows."))
        return data


class GuestProposalForm(ProposalForm):
    display_name = forms.CharField(label=_("Name to show (a pseudonym is fine)"), max_length=80, required=False,
                                   help_text=_("Leave empty to appear as “Guest”."))
    email = forms.EmailField(label=_("E-mail address to hear when the city answers (optional)"), required=False,
                             help_text=_("We send a link to your proposal, nothing else. Without it, come back with "
                                         "your secret link."))
    field_order = ["display_name"]


class AnswerForm(TranslationsFormMixin, _Form):
    status = forms.TypedChoiceField(label=_("Status"), coerce=int)
    text = forms.CharField(label=_("Public answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Required when the answer is that it is not possible."))
    language = forms.ChoiceField(label=_("Language the answer is written in"), choices=record_language_choices,
                                 required=False)

    def __init__(self, *args: Any, statuses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "status", forms.ChoiceField).choices = [(s.pk, localized(s, "label").text) for s in statuses]
        self.add_translation_fields(ANSWER_TRANSLATABLE)


class TranslationForm(_Form):
    language = forms.ChoiceField(label=_("Language of the translation"), widget=OptionSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Description"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_language_options(self, "language")


class LinkForm(_Form):
    """Evidence for an assessment indicator; a commitment is chosen in the picker instead."""

    target_id = forms.IntegerField(label=_("Number of the assessment answer"), min_value=1)
    label = forms.CharField(label=_("Label shown with the link"), max_length=300)
    url = forms.CharField(label=_("Address of its page on this site"), max_length=500)


class StatusForm(TranslationsFormMixin, _Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    kind = forms.ChoiceField(label=_("What it means"), choices=StatusKind.choices)
    is_closing = forms.BooleanField(label=_("Closes the proposal"), required=False)
    position = forms.IntegerField(label=_("Position in the list"), min_value=0, max_value=100, initial=0)
    language = forms.ChoiceField(label=_("Language of the label"), choices=record_language_choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_translation_fields(STATUS_TRANSLATABLE)

    def status_fields(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if not name.startswith("translation_")}
        return {**data, "translations": self.translations()}


class ProcessForm(TranslationsFormMixin, _Form):
    """The process, its settings and its phases (one row per phase type, in their natural sequence; leave dates
    empty to skip a phase). Dates and times are read in the time zone the form sets, not the viewer's."""

    owner = forms.TypedChoiceField(label=_("Local government"), coerce=int, widget=NameSelect)
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    input_use = forms.CharField(label=_("What the city will do with the input"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=_("Language these texts are written in"), choices=record_language_choices,
                                 required=False)
    languages = forms.CharField(label=_("Languages the city reads and answers in"), max_length=200,
                                initial="en",
                                help_text=_("Language tags separated by commas, e.g. <code>en, fr, ar</code>."))
    access = forms.ChoiceField(label=_("Who may take part"), choices=Access.choices, initial=Access.OPEN)
    demographics_enabled = forms.BooleanField(
        label=_("Ask the optional aggregate questions (age band, gender, years in the city)"), required=False)
    privacy_notice = forms.CharField(label=_("Privacy notice"), max_length=5000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 5}),
                                     help_text=_("Leave empty to show the plain-language default."))
    retention_months = forms.IntegerField(label=_("Months content is kept after the process ends"), min_value=1,
                                          max_value=120, initial=24)
    categories = forms.CharField(label=_("Categories, one per line"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    time_zone = forms.ChoiceField(label=_("Time zone of the process"), initial="UTC",
                                  help_text=_("The dates and times of the phases below are read in this zone."))

    def __init__(self, *args: Any, owners: Any = (), zone_fixed: bool = False, record_language: str = "",
                 translations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_translation_fields(PROCESS_TRANSLATABLE, language=record_language, translations=translations)
        if record_language:  # the process's own texts (and its categories' names) are in its language
            for name in (*PROCESS_TRANSLATABLE, "categories"):
                self.fields[name].widget.attrs.update(text_attrs(record_language))
        owners = list(owners)
        form_field(self, "owner", forms.ChoiceField).choices = [(a.pk, a.name) for a in owners]
        owner_widget = self.fields["owner"].widget
        assert isinstance(owner_widget, NameSelect)  # noqa: S101 - declared just above; tells the type checker
        owner_widget.records = {str(a.pk): a for a in owners}
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)  # noqa: S101 - declared just above; tells the type checker
        zone_field.choices = [(name, name) for name in available_time_zones()]
        if zone_fixed:
            zone_field.disabled = True
            zone_field.help_text = _(
                "The dates and times of the phases below are read in this zone, chosen when the process opened.")
        self.phase_rows = []
        for key in PHASE_SEQUENCE:
            phase_type = phase_type_get(key)
            name = key.replace(".", "_")
            self.fields[f"{name}_starts"] = forms.DateTimeField(label=_("Starts"), required=False, widget=_LOCAL_TIME)
            self.fields[f"{name}_ends"] = forms.DateTimeField(label=_("Ends"), required=False, widget=_LOCAL_TIME)
            self.fields[f"{name}_actions"] = forms.MultipleChoiceField(
                label=_("Participants may"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(a, action_label(a)) for a in ALL_ACTIONS], initial=list(phase_type.actions))
            self.phase_rows.append((phase_type, name))

    def zone_name(self) -> str:
        """The zone the phase times are read in: the one chosen on the form (or fixed on the process)."""
        field = self.fields["time_zone"]
        if self.is_bound and not field.disabled:
            return str(self.data.get(self.add_prefix("time_zone")) or "")
        return str(self.get_initial_for_field(field, "time_zone") or "")

    def full_clean(self) -> None:
        # DateTimeField reads a typed time in the active zone: make that the form's zone while the form is read.
        with timezone.override(zone_or_utc(self.zone_name())):
            super().full_clean()

    def phase_fields(self) -> list[dict[str, Any]]:
        return [{"type": t, "starts": self[f"{k}_starts"], "ends": self[f"{k}_ends"], "actions": self[f"{k}_actions"]}
                for t, k in self.phase_rows]


class DemographicsForm(_Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, spec in DEMOGRAPHIC_QUESTIONS.items():
            self.fields[key] = forms.ChoiceField(label=spec["label"], required=False, widget=forms.RadioSelect,
                                                 choices=list(spec["options"].items()))


class GroupForm(_Form):
    name = forms.CharField(label=_("Name of the invited group"), max_length=200)
