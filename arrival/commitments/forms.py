"""Forms of the commitment pages. They only check and convert input; the services decide and write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor
from arrival.commitments.models import COMMITMENT_TRANSLATABLE, CommitmentType, ProgressStatus
from arrival.commitments.models import CommitmentForm as FormKind
from arrival.core.forms import NameChoiceField, TranslationsFormMixin, form_field
from arrival.core.languages import language_dir, language_tag
from arrival.core.translations import sentence_with_names
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import framework_items

if TYPE_CHECKING:
    from arrival.consultations.models import Forum

RECORD_LANGUAGES = [*((code, name) for code, name in settings.LANGUAGES), ("pt", _("Portuguese")), ("de", _("German")),
                    ("it", _("Italian"))]


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _split(text: str) -> list[str]:
    seen: list[str] = []
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        value = part.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _item_choices(kind: str) -> list[tuple[int, str]]:
    return [(item.pk, f"{item.code} {item.localized_label}") for item in framework_items(kind=kind)]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


PARTNERS_HELP = _("Other governments, networks or organisations: the address of their Arrival page (the last part, "
                  "e.g. %(example)s) or their exact name, one per line.")


class CommitmentEditForm(TranslationsFormMixin, Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(label=_("Description"), max_length=6000, widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("What you commit to do, for whom, and how you will know it is done."))
    language = forms.ChoiceField(label=_("Language of the record"), choices=RECORD_LANGUAGES)
    commitment_type = forms.ChoiceField(label=_("Type"), choices=CommitmentType.choices, widget=forms.RadioSelect)
    # Not named "matches": a form control of that name would hide the form element's DOM method matches().
    matched_public_id = forms.CharField(label=_("Public id of the commitment this one matches"), required=False,
                                        max_length=24,
                                        help_text=_("Only for a matching commitment, e.g. ARR-C-2026-00042."))
    pledge_forms = forms.MultipleChoiceField(label=_("Forms"), choices=FormKind.choices, widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=_date_input())
    target_date = forms.DateField(label=_("Target date"), required=False, widget=_date_input())
    partners = forms.CharField(label=_("Partners"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    gcm_objectives = forms.TypedMultipleChoiceField(label=_("GCM objectives"), coerce=int, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    gcm_principles = forms.TypedMultipleChoiceField(label=_("GCM guiding principles"), coerce=int, required=False,
                                                    widget=forms.CheckboxSelectMultiple)
    sdg_targets = forms.CharField(label=_("SDG targets"), required=False, help_text=_("Codes, e.g. 10.7, 16.9"))
    nua_paragraphs = forms.CharField(label=_("New Urban Agenda paragraphs"), required=False,
                                     help_text=_("Numbers, e.g. 28, 105"))
    contact_role = forms.CharField(label=_("Contact (an office or role)"), required=False, max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail of that office"), required=False)

    def __init__(self, *args: Any, record_language: str = "", translations: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_translation_fields(COMMITMENT_TRANSLATABLE, language=record_language, translations=translations)
        # The example is an address, a code kept as it is in every language.
        self.fields["partners"].help_text = sentence_with_names(PARTNERS_HELP, example=format_html(
            "<code>{}</code>", "metropolis"))
        # The record's own texts, as written (editing, or prefilled from a contribution or a paragraph), keep their
        # language: screen readers read them in it, browsers check their spelling in it.
        written_in = record_language or (self.initial.get("language", "") if self.initial.get("description") else "")
        if written_in:
            for name in ("title", "description", "contact_role"):
                self.fields[name].widget.attrs.update({"lang": language_tag(written_in), "dir": language_dir(written_in)})
        form_field(self, "gcm_objectives", forms.ChoiceField).choices = _item_choices(FrameworkKind.GCM_OBJECTIVE)
        form_field(self, "gcm_principles", forms.ChoiceField).choices = _item_choices(FrameworkKind.GCM_PRINCIPLE)

    def _codes(self, name: str, kind: str) -> list[FrameworkItem]:
        codes = _split(self.cleaned_data.get(name, ""))
        items = {item.code: item for item in framework_items(kind=kind).filter(code__in=codes)}
        missing = [code for code in codes if code not in items]
        if missing:
            raise ValidationError(_("Unknown codes: %(codes)s.") % {"codes": ", ".join(missing)})
        return [items[code] for code in codes]

    def clean_sdg_targets(self) -> list[FrameworkItem]:
        return self._codes("sdg_targets", FrameworkKind.SDG_TARGET)

    def clean_nua_paragraphs(self) -> list[FrameworkItem]:
        return self._codes("nua_paragraphs", FrameworkKind.NUA_PARAGRAPH)

    def clean_partners(self) -> list[Actor]:
        found = []
        for ref in _split(self.cleaned_data.get("partners", "").replace(",", "\n")):
            matches = list(Actor.objects.filter(Q(slug=ref) | Q(name=ref)).order_by("-population")[:2])
            if not matches:
                raise ValidationError(_("No actor called “%(ref)s”.") % {"ref": ref})
            found.append(matches[0])
        return found

    def clean_matched_public_id(self) -> Any:
        from arrival.commitments.models import Commitment

        ref = self.cleaned_data.get("matched_public_id", "").strip().upper()
        if not ref:
            return None
        matched = Commitment.objects.filter(public_id=ref).first()
        if matched is None:
            raise ValidationError(_("No published commitment has the id %(id)s.") % {"id": ref})
        return matched

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = [*data["gcm_objectives"], *data["gcm_principles"]]
        tags = list(FrameworkItem.objects.filter(pk__in=chosen).select_related("framework"))
        tags += data["sdg_targets"] + data["nua_paragraphs"]
        return {name: data[name] for name in ("title", "description", "language", "commitment_type", "starts_on",
                                              "target_date", "contact_role", "contact_email", "partners")} | {
            "forms": data["pledge_forms"], "matches": data["matched_public_id"], "tags": tags,
            "translations": self.translations()}


class CreateForm(CommitmentEditForm):
    lead = NameChoiceField(label=_("Lead government or network"), queryset=Actor.objects.none())
    field_order = ["lead"]

    def __init__(self, *args: Any, leads: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "lead", forms.ModelChoiceField).queryset = leads if leads is not None else Actor.objects.none()


class ReasonForm(Form):
    reason = forms.CharField(label=_("Why it goes back to draft"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(Form):
    note = forms.CharField(label=_("Closing note"), required=False, max_length=3000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneForm(Form):
    title = forms.CharField(label=_("Milestone"), max_length=250)
    due_on = forms.DateField(label=_("Due date"), widget=_date_input())


class MilestoneDoneForm(Form):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=_date_input())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class IndicatorForm(Form):
    name = forms.CharField(label=_("Indicator"), max_length=250)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=60)
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=1990, max_value=2100)
    target = forms.FloatField(label=_("Target"), required=False)


class IndicatorValueForm(Form):
    value = forms.FloatField(label=_("Value"))
    measured_on = forms.DateField(label=_("Measured on"), widget=_date_input())


class ProgressForm(Form):
    reported_on = forms.DateField(label=_("Date of the update"), widget=_date_input())
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices, widget=forms.RadioSelect)
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    narrative = forms.CharField(label=_("What happened"), max_length=6000, widget=forms.Textarea(attrs={"rows": 6}))
    links = forms.CharField(label=_("Evidence links"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One per line: a web address, optionally after a label and “|”, e.g. "
                                        "“Council decision | https://…”."))
    evidence = forms.FileField(label=_("Evidence file (optional)"), required=False,
                               help_text=_("PDF, office document, spreadsheet or image."))
    corrects = forms.TypedChoiceField(label=_("This update corrects"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, updates: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "corrects", forms.ChoiceField).choices = [("", _("Nothing: a new update"))] + [
            (u.pk, f"{u.reported_on:%Y-%m-%d} — {u.get_status_display()} ({u.percent}%)") for u in updates if u.is_published]

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            if not line.strip():
                continue
            label, _sep, url = line.rpartition("|")
            links.append({"label": label.strip(), "url": url.strip()})
        return links


class ForumReportForm(Form):
    forum: forms.ModelChoiceField[Forum] = forms.ModelChoiceField(label=_("Forum"), queryset=None)
    reported_on = forms.DateField(label=_("Reported on"), widget=_date_input())
    summary = forms.CharField(label=_("What was reported"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, forums: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "forum", forms.ModelChoiceField).queryset = forums


class WindowForm(Form):
    forum: forms.ModelChoiceField[Forum] = forms.ModelChoiceField(label=_("Forum"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=250)
    opens_at = forms.DateTimeField(label=_("Opens (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    asks = forms.CharField(label=_("What is asked"), required=False, max_length=3000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(label=_("Language of the title and what is asked"), choices=RECORD_LANGUAGES,
                                 required=False)
    url = forms.URLField(label=_("Official page"), required=False, assume_scheme="https")
    source = forms.CharField(label=_("Source of these dates"), required=False, max_length=300)

    def __init__(self, *args: Any, forums: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"language": get_language()})
        super().__init__(*args, **kwargs)
        form_field(self, "forum", forms.ModelChoiceField).queryset = forums
