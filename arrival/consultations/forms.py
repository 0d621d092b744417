"""Forms of the consultation pages; they only check input shape — services decide everything else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor, ActorKind
from arrival.consultations.models import Access, Forum
from arrival.consultations.phases import PHASE_ORDER
from arrival.engagement.phases import PhaseSpec
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import framework_items


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FrameworkItem) -> str:
        return f"{obj.code} {obj.label}"


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Actor) -> str:
        return obj.name


def _slugs_to_actors(value: str, kinds: tuple[str, ...]) -> list[Actor]:
    slugs = [part.strip() for part in (value or "").replace("\n", ",").split(",") if part.strip()]
    actors = list(Actor.objects.filter(slug__in=slugs, kind__in=kinds))
    missing = set(slugs) - {a.slug for a in actors}
    if missing:
        raise forms.ValidationError(_("Not found: %(slugs)s.") % {"slugs": ", ".join(sorted(missing))})
    return actors


class Form(forms.Form):
    """Labels without the trailing colon, as in the rest of the site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
PHASE_END_FIELDS = ("input_ends", "synthesis_ends", "comments_ends", "adoption_ends", "endorsement_ends")


class ConsultationForm(Form):
    owner = ActorChoiceField(label=_("Run by"), queryset=Actor.objects.none(),
                             help_text=_("The network, agency or national government you hold a role in."))
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    forum = forms.ModelChoiceField(label=_("Forum or event it serves"), queryset=Forum.objects.none(), required=False)
    access = forms.ChoiceField(label=_("Who may contribute"), choices=Access.choices, initial=Access.OPEN)
    access_networks = forms.ModelMultipleChoiceField(
        label=_("Networks whose members may contribute"), queryset=Actor.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}))
    invited = forms.CharField(
        label=_("Invited governments"), required=False, max_length=4000,
        help_text=_("The last part of each government's page address on Arrival (e.g. lyon-12), separated by commas."))
    questions = forms.CharField(label=_("Guiding questions, one per line"), required=False, max_length=20000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    per_objective = forms.BooleanField(label=_("Add one guiding question per GCM objective"), required=False)
    input_starts = forms.DateField(label=_("Call for input opens"), widget=DATE_WIDGET)
    input_ends = forms.DateField(label=_("Call for input closes (synthesis begins)"), widget=DATE_WIDGET)
    synthesis_ends = forms.DateField(label=_("Synthesis ends (comments on the draft begin)"), widget=DATE_WIDGET)
    comments_ends = forms.DateField(label=_("Comments close (adoption begins)"), widget=DATE_WIDGET)
    adoption_ends = forms.DateField(label=_("Adoption ends (endorsement opens)"), widget=DATE_WIDGET)
    endorsement_ends = forms.DateField(label=_("Endorsement closes"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else Actor.objects.none()
        self.fields["forum"].queryset = Forum.objects.order_by("-year", "name")
        self.fields["access_networks"].queryset = Actor.objects.filter(kind=ActorKind.NETWORK).order_by("name")

    def clean_invited(self) -> list[Actor]:
        return _slugs_to_actors(self.cleaned_data.get("invited", ""),
                                (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT, ActorKind.NETWORK))

    def phase_specs(self) -> list[PhaseSpec]:
        data = self.cleaned_data
        dates = [data["input_starts"], *(data[name] for name in PHASE_END_FIELDS)]
        tz = timezone.get_current_timezone()

        def at(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

        specs = [PhaseSpec(key, at(dates[i]), at(dates[i + 1])) for i, key in enumerate(PHASE_ORDER[:-1])]
        specs.append(PhaseSpec(PHASE_ORDER[-1], at(dates[-1]), at(dates[-1]) + dt.timedelta(days=365)))
        return specs

    def question_specs(self) -> list[Any]:
        from arrival.consultations.services import QuestionSpec

        specs: list[Any] = [line.strip() for line in self.cleaned_data.get("questions", "").splitlines()
                            if line.strip()]
        if self.cleaned_data.get("per_objective"):
            for item in framework_items(kind=FrameworkKind.GCM_OBJECTIVE):
                specs.append(QuestionSpec(text=str(_("What does your government do, or propose, for objective "
                                                     "%(code)s: %(label)s?")) % {"code": item.code,
                                                                                 "label": item.label},
                                          objective=item))
        return specs


class ContributionForm(Form):
    actor = ActorChoiceField(label=_("Contributing for"), queryset=Actor.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    proposed_actions = forms.CharField(label=_("Proposed actions"), max_length=10000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 5}))
    links = forms.CharField(
        label=_("Evidence links"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the web address, a space, then a short label."))
    evidence = forms.FileField(label=_("Evidence file (optional)"), required=False,
                               help_text=_("PDF, office document, spreadsheet or image."))
    language = forms.CharField(label=_("Language of the contribution (code, e.g. en, fr, es, ar)"), max_length=12,
                               initial="en")
    gcm_objectives = ItemChoiceField(label=_("GCM objectives"), queryset=FrameworkItem.objects.none(),
                                     required=False, widget=forms.CheckboxSelectMultiple)
    sdg_targets = ItemChoiceField(label=_("SDG targets"), queryset=FrameworkItem.objects.none(), required=False,
                                  widget=forms.SelectMultiple(attrs={"size": 8}))
    nua_paragraphs = ItemChoiceField(label=_("New Urban Agenda paragraphs"), queryset=FrameworkItem.objects.none(),
                                     required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    TAG_FIELDS = {"gcm_objectives": FrameworkKind.GCM_OBJECTIVE, "sdg_targets": FrameworkKind.SDG_TARGET,
                  "nua_paragraphs": FrameworkKind.NUA_PARAGRAPH}

    def __init__(self, *args: Any, actors: list[Actor] | None = None, questions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actors is None:
            del self.fields["actor"]
        else:
            self.fields["actor"].queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")
        for name, kind in self.TAG_FIELDS.items():
            self.fields[name].queryset = framework_items(kind=kind)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=question.text, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def answer_fields(self) -> list[Any]:
        return [self[f"answer_{q.pk}"] for q in self.questions]

    def answers(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data.get(f"answer_{q.pk}", "") for q in self.questions
                if self.cleaned_data.get(f"answer_{q.pk}")}

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in self.cleaned_data.get("links", "").splitlines():
            if line.strip():
                url, _sep, label = line.strip().partition(" ")
                links.append({"url": url, "label": label.strip()})
        return links

    def tag_items(self) -> list[FrameworkItem]:
        return [item for name in self.TAG_FIELDS for item in self.cleaned_data[name]]


class CosignForm(Form):
    actor = ActorChoiceField(label=_("Co-sign for"), queryset=Actor.objects.none())

    def __init__(self, *args: Any, actors: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")


class EndorsementForm(Form):
    actor = ActorChoiceField(label=_("Endorse for"), queryset=Actor.objects.none(),
                             help_text=_("A government or organisation you hold a role in."))
    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=200)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=200)
    authority = forms.CharField(label=_("Authority under which they sign"), max_length=500,
                                help_text=_("e.g. a council resolution and its date"))

    def __init__(self, *args: Any, actors: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")


class WithdrawForm(Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=500)


class VersionForm(Form):
    """One text box per paragraph of the latest version, a "drop" box each, and one new paragraph."""

    note = forms.CharField(label=_("What changed in this version"), max_length=1000, required=False)
    new_heading = forms.CharField(label=_("Heading of a new paragraph (optional)"), max_length=300, required=False)
    new_text = forms.CharField(label=_("Text of a new, editorial paragraph (optional)"), max_length=10000,
                               required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, paragraphs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paragraphs = paragraphs
        for paragraph in paragraphs:
            self.fields[f"text_{paragraph.key}"] = forms.CharField(
                label=_("Paragraph %(number)d") % {"number": paragraph.position}, max_length=10000,
                initial=paragraph.text, widget=forms.Textarea(attrs={"rows": 5}))
            self.fields[f"drop_{paragraph.key}"] = forms.BooleanField(
                label=_("Drop paragraph %(number)d") % {"number": paragraph.position}, required=False)

    def rows(self) -> list[dict[str, Any]]:
        return [{"paragraph": p, "text": self[f"text_{p.key}"], "drop": self[f"drop_{p.key}"]}
                for p in self.paragraphs]

    def edits(self) -> list[Any]:
        from arrival.consultations.services import ParagraphEdit

        edits = [ParagraphEdit(key=p.key, text=self.cleaned_data[f"text_{p.key}"]) for p in self.paragraphs
                 if not self.cleaned_data.get(f"drop_{p.key}")]
        if self.cleaned_data.get("new_text"):
            edits.append(ParagraphEdit(text=self.cleaned_data["new_text"], heading=self.cleaned_data["new_heading"],
                                       editorial=True))
        return edits


class ListFilterForm(Form):
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none(), required=False)
    phase = forms.ChoiceField(label=_("Current phase"), required=False)
    owner = forms.ModelChoiceField(label=_("Run by"), queryset=Actor.objects.none(), required=False)

    def __init__(self, *args: Any, owners: Any, phase_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = Forum.objects.order_by("-year", "name")
        self.fields["owner"].queryset = owners
        self.fields["phase"].choices = [("", _("Any phase"))] + phase_choices
