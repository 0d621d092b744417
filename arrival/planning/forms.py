"""Forms of the planning pages. They only shape input; the services validate and write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor
from arrival.core.forms import NameChoiceField, form_field
from arrival.planning.models import (
    SECTORS,
    SERVICES,
    CapacityState,
    Declaration,
    KeyName,
    UndeclaredRule,
    default_case_groups,
    default_case_languages,
)

KEY_INPUT_CHOICES = (
    ("population", _("Population")),
    ("tax_revenue", _("Tax revenue")),
    ("gdp", _("GDP")),
    ("unemployment_rate", _("Unemployment rate")),
    ("past_effort", _("Past effort")),
)


class Form(forms.Form):
    """The house's forms: labels without a trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> str | None:
        if hasattr(value, "strftime"):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return super().format_value(value)


class RoundForm(Form):
    government = NameChoiceField(queryset=Actor.objects.none(), label=_("National government"))
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)
    total = forms.IntegerField(label=_("Persons to place"), min_value=1)
    deadline = forms.DateTimeField(label=_("Deadline for declarations"), widget=DateTimeInput,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   help_text=_("In your time zone."))
    categories = forms.CharField(label=_("Planning categories"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                                 help_text=_("One per line, e.g. Resettlement."))
    key_name = forms.ChoiceField(label=_("Distribution key"), choices=KeyName.choices)
    band = forms.FloatField(label=_("Band around the key"), required=False, min_value=0,
                            help_text=_("0.2 keeps each locality within ±20 per cent of its key quota; empty: no band."))
    weight_outcome = forms.FloatField(label=_("Weight of the predicted outcome"), initial=1.0, min_value=0)
    weight_preference = forms.FloatField(label=_("Weight of preferences"), initial=0.0, min_value=0)
    weight_demand = forms.FloatField(label=_("Weight of labour demand"), initial=0.0, min_value=0)
    unplaced_penalty = forms.FloatField(label=_("Penalty for an unplaced family"), initial=1.0, min_value=0)
    currency = forms.CharField(label=_("Funding currency"), max_length=3, initial="EUR")
    undeclared_rule = forms.ChoiceField(
        label=_("Localities without a submitted declaration"), choices=UndeclaredRule.choices,
        initial=UndeclaredRule.KEY_QUOTA, widget=forms.RadioSelect,
        help_text=_("How a plan treats a locality whose declaration is missing or left in draft when it is computed."))
    case_languages = forms.CharField(
        label=_("Language codes of the cases"), required=False, initial=" ".join(default_case_languages()),
        help_text=_("ISO 639 codes separated by spaces, e.g. <code>ar uk fa</code>: a case may list only these."))
    case_groups = forms.CharField(
        label=_("Groups of the cases"), required=False, initial=" ".join(default_case_groups()),
        help_text=_("Codes separated by spaces (lower-case letters, digits, - and _), e.g. <code>group_a group_b</code>: "
                    "a case's group is one of these."))

    def __init__(self, *args: Any, governments: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "government", forms.ModelChoiceField).queryset = governments
        if len(governments) == 1:
            self.fields["government"].initial = governments[0].pk
        if editing:
            del self.fields["government"]
        for name, label in KEY_INPUT_CHOICES:
            self.fields[f"kw_{name}"] = forms.FloatField(
                label=_("Custom key: weight of %(input)s") % {"input": label}, required=False, min_value=0)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("government", None)
        data["categories"] = [line.strip() for line in data.pop("categories").splitlines() if line.strip()]
        data["key_weights"] = {name: data.pop(f"kw_{name}") for name, _label in KEY_INPUT_CHOICES
                               if data.get(f"kw_{name}") not in (None, 0)}
        for name, _label in KEY_INPUT_CHOICES:
            data.pop(f"kw_{name}", None)
        return data


class LocalityTableForm(Form):
    table = forms.CharField(
        label=_("Localities and regions (CSV)"), required=False, widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        help_text=_("A header row <code>locality,region</code>, then one locality per line: its GeoNames id, address "
                    "name or exact name, and the name of its regional government (empty for none)."))
    file = forms.FileField(label=_("…or upload the table as a CSV file"), required=False)

    def text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read().decode("utf-8-sig", errors="replace")
        return self.cleaned_data.get("table") or ""


class DeclarationForm(Form):
    """Per service a value and a state (provided / partial / not provided = 0 / no limit), labour demand, money,
    notes."""

    def __init__(self, *args: Any, declaration: Declaration | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {c.service: c for c in declaration.capacities.all()} if declaration else {}
        demand = {d.sector: d.value for d in declaration.labour_demand.all()} if declaration else {}
        for service, label in SERVICES:
            cap = current.get(service)
            self.fields[f"value_{service}"] = forms.FloatField(
                label=label, required=False, min_value=0, initial=cap.value if cap else None)
            self.fields[f"state_{service}"] = forms.ChoiceField(
                label=_("State of: %(service)s") % {"service": label}, choices=CapacityState.choices,
                initial=cap.state if cap else CapacityState.NOT_PROVIDED)
        for sector, label in SECTORS:
            self.fields[f"labour_{sector}"] = forms.FloatField(
                label=label, required=False, min_value=0, initial=demand.get(sector))
        self.fields["places_volunteered"] = forms.IntegerField(
            label=_("Places volunteered"), required=False, min_value=0,
            initial=declaration.places_volunteered if declaration else None)
        self.fields["funding_needs"] = forms.DecimalField(
            label=_("Funding needs"), required=False, min_value=0, decimal_places=2,
            initial=declaration.funding_needs if declaration else None)
        self.fields["notes"] = forms.CharField(label=_("Notes"), required=False,
                                               widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                                               initial=declaration.notes if declaration else "")

    def service_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"value_{s}"], self[f"state_{s}"]) for s, _label in SERVICES]

    def sector_fields(self) -> list[Any]:
        return [self[f"labour_{s}"] for s, _label in SECTORS]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "capacities": {s: {"value": data.get(f"value_{s}"), "state": data.get(f"state_{s}")} for s, _l in SERVICES},
            "labour": {s: data.get(f"labour_{s}") for s, _l in SECTORS if data.get(f"labour_{s}") is not None},
            "places_volunteered": data.get("places_volunteered"),
            "funding_needs": data.get("funding_needs"),
            "notes": data.get("notes") or "",
        }


class ObjectionForm(DeclarationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reasons"] = forms.CharField(label=_("Reasons for the objection"),
                                                 widget=forms.Textarea(attrs={"rows": 4}))


class PublishForm(Form):
    respond_by = forms.DateTimeField(label=_("Ask the localities to answer by (optional)"), required=False,
                                     widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     help_text=_("In your time zone. Each locality sees it in its own; answers "
                                                 "after it are still taken."))


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Version %(version)s (%(status)s)") % {"version": obj.version, "status": obj.get_status_display()})


class ReplyForm(Form):
    """The planners' reply in an objection's thread, which may link to the plan version it led to."""

    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}))
    revise = forms.BooleanField(required=False,
                                label=_("Revise the plan now from the current declarations and link the new version"))

    def __init__(self, *args: Any, plans: Any, can_revise: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plans.exists():
            self.fields["plan"] = VersionChoiceField(queryset=plans, required=False, empty_label=_("No version"),
                                                     label=_("Link the reply to a later version"))
        if not can_revise:
            del self.fields["revise"]


class AnswerForm(DeclarationForm):
    """The locality's answer back, optionally with a revised declaration (sent only when `revise` is ticked)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"] = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))
        self.fields["revise"] = forms.BooleanField(
            required=False, label=_("Send this revised declaration with the answer (it becomes your current one)"))


class AcceptForm(Form):
    reasons = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CaseGrantForm(Form):
    username = forms.CharField(label=_("Username of the person to let in"), max_length=150)
    hours = forms.IntegerField(label=_("For how many hours"), min_value=1, max_value=24 * 30, initial=8)


class CasesUploadForm(Form):
    file = forms.FileField(label=_("Cases file (CSV)"))


class SyntheticCasesForm(Form):
    count = forms.IntegerField(label=_("Number of synthetic families"), min_value=1, max_value=200_000, initial=200)
    seed = forms.IntegerField(label=_("Seed"), initial=1)


class ScoresForm(Form):
    """The compute form: an optional scores file, and a fairness floor per group of the round's cases."""

    scores = forms.FileField(label=_("Predicted outcome scores (CSV, optional)"), required=False,
                             help_text=_("Without a file, the round's trained outcome model gives the scores; "
                                         "without one, seeded synthetic scores are used."))

    def __init__(self, *args: Any, groups: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        for index, group in enumerate(self.groups):
            self.fields[f"floor_{index}"] = forms.FloatField(
                label=_("Fairness floor for group “%(group)s” (0–1, optional)") % {"group": group},
                required=False, min_value=0.0, max_value=1.0,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}))

    def floor_fields(self) -> list[Any]:
        return [self[f"floor_{index}"] for index in range(len(self.groups))]

    def floors(self) -> dict[str, float]:
        return {group: self.cleaned_data[f"floor_{index}"] for index, group in enumerate(self.groups)
                if self.cleaned_data.get(f"floor_{index}") is not None}


class OutcomeModelForm(Form):
    file = forms.FileField(label=_("Historical outcome records (CSV)"))
    l2 = forms.FloatField(label=_("L2 penalty"), min_value=0.0, max_value=1e6, initial=1.0,
                          help_text=_("Shrinks every coefficient but the intercept towards 0; larger is more "
                                      "cautious."))


class FundingForm(Form):
    def __init__(self, *args: Any, rates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {(r.service, r.basis): r.amount for r in rates}
        self.fields["person"] = forms.DecimalField(label=_("Per person placed"), required=False, min_value=0,
                                                   decimal_places=2, initial=current.get(("person", "person")))
        for service, label in SERVICES:
            self.fields[f"unit_{service}"] = forms.DecimalField(
                label=_("Per unit used: %(service)s") % {"service": label}, required=False, min_value=0,
                decimal_places=2, initial=current.get((service, "unit")))

    def rates(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        rates = []
        if data.get("person") is not None:
            rates.append({"service": "person", "basis": "person", "amount": data["person"]})
        for service, _label in SERVICES:
            if data.get(f"unit_{service}") is not None:
                rates.append({"service": service, "basis": "unit", "amount": data[f"unit_{service}"]})
        return rates
