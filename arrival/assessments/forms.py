"""Forms of the assessment pages. They only check and convert input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor, ActorKind
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.models import SpecialAnswer, ValidationDecision
from arrival.core.forms import NameChoiceField, form_field

SPECIALS = [(choice.value, choice.label) for choice in SpecialAnswer]
NUMBER_GIVEN = "number"


class OpenCycleForm(forms.Form):
    cycle = forms.IntegerField(label=_("Cycle (year)"), min_value=2000, max_value=2100)


class AnswerForm(forms.Form):
    """One indicator's answer. The radio group holds the levels (or options) and the three special answers."""

    answer = forms.ChoiceField(label=_("Answer"), widget=forms.RadioSelect, required=False)
    number = forms.FloatField(label=_("Value"), required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              max_length=5000)
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, max_length=500,
                                  assume_scheme="https")
    evidence_reference = forms.CharField(label=_("Council decision or document reference"), required=False,
                                         max_length=300)
    evidence_file = forms.FileField(label=_("Upload evidence (PDF, image, DOCX, ODT or XLSX)"), required=False)

    def __init__(self, *args: Any, indicator: ff.Indicator, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", indicator.code.replace(".", "_"))
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        answer = form_field(self, "answer", forms.ChoiceField)
        values: list[tuple[str, str | Promise]]
        if indicator.answer_type == ff.MATURITY:
            values = [(str(level), _("Level %(level)s: %(text)s") % {"level": level, "text": text})
                      for level, text in enumerate(indicator.levels)]
        elif indicator.answer_type == ff.YES_NO:
            values = [("yes", _("Yes")), ("no", _("No"))]
        elif indicator.answer_type == ff.CHOICE:
            values = [(option.code, option.label) for option in indicator.options]
        else:
            values = [(NUMBER_GIVEN, _("The value below"))]
            if indicator.unit:
                self.fields["number"].label = _("Value (%(unit)s)") % {"unit": indicator.unit}
        answer.choices = [*values, *SPECIALS]
        if indicator.answer_type != ff.NUMBER:
            del self.fields["number"]

    @classmethod
    def initial_for(cls, answer: Any) -> dict[str, Any]:
        """The form's initial data from a stored Answer (or None)."""
        if answer is None:
            return {}
        if answer.special:
            choice = answer.special
        elif isinstance(answer.value, bool):
            choice = "yes" if answer.value else "no"
        elif answer.value is None:
            choice = ""
        else:
            choice = str(answer.value)
        initial = {"answer": choice, "comment": answer.comment, "evidence_url": answer.evidence_url,
                   "evidence_reference": answer.evidence_reference}
        if isinstance(answer.value, int | float) and not isinstance(answer.value, bool):
            initial["number"] = answer.value
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("answer") or ""
        value: Any = None
        special = ""
        if choice in SpecialAnswer.values:
            special = choice
        elif self.indicator.answer_type == ff.MATURITY and choice:
            value = int(choice)
        elif self.indicator.answer_type == ff.YES_NO and choice:
            value = choice == "yes"
        elif self.indicator.answer_type == ff.CHOICE and choice:
            value = choice
        elif self.indicator.answer_type == ff.NUMBER and choice == NUMBER_GIVEN:
            value = data.get("number")
            if value is None:
                self.add_error("number", _("Give the value, or choose one of the special answers."))
        data["value"] = value
        data["special"] = special
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ValidationStartForm(forms.Form):
    validator_actor = NameChoiceField(label=_("Validate on behalf of"), queryset=Actor.objects.none())

    def __init__(self, *args: Any, actors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["validator_actor"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = actors
        first_two = list(actors[:2])
        if len(first_two) == 1:  # one role to validate for: chosen already
            field.initial = first_two[0].pk
            field.empty_label = None


class ValidationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(ValidationDecision.CHANGES_REQUESTED.value, _("Request changes")),
                 (ValidationDecision.ACCEPTED.value, _("Accept"))],
    )
    summary = forms.CharField(label=_("Summary for the team"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=5000)


class SettingsForm(forms.Form):
    consultation_open = forms.BooleanField(
        label=_("Consultation open: invited organisations may comment per indicator"), required=False)
    benchmark_opt_in = forms.BooleanField(
        label=_("Include this assessment, once published, in peer benchmarks (medians and quartiles only)"),
        required=False)


class InviteForm(forms.Form):
    organisation = NameChoiceField(
        label=_("Organisation to invite"),
        queryset=Actor.objects.filter(kind=ActorKind.ORGANISATION).order_by("name"),
    )


class DashboardForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_("Cycle"), coerce=int, required=False)
    domain = forms.ChoiceField(label=_("Colour the map by"), required=False)

    def __init__(self, *args: Any, cycles: list[int], domains: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "cycle", forms.TypedChoiceField).choices = [(c, str(c)) for c in cycles]
        form_field(self, "domain", forms.ChoiceField).choices = [("", _("Overall score")), *[(d.code, f"{d.code} {d.title}") for d in domains]]


class FrameworkViewForm(forms.Form):
    kind = forms.ChoiceField(label=_("View through"), required=False)

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = kinds
