"""Forms of the consultation pages; they only check input shape — services decide everything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor, ActorKind
from arrival.consultations.models import (
    CONSULTATION_TRANSLATABLE,
    CONTRIBUTION_TRANSLATABLE,
    Access,
    CommentState,
    Forum,
)
from arrival.consultations.phases import PHASE_ORDER
from arrival.core.forms import (
    NameChoiceField,
    NameMultipleChoiceField,
    NameSelectMultiple,
    TranslationsFormMixin,
    form_field,
)
from arrival.core.languages import (
    language_dir,
    language_name,
    language_tag,
    page_language,
    record_language_choices,
)
from arrival.core.templatetags.arrival import lang_attrs
from arrival.engagement.phases import PhaseSpec
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import framework_items


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FrameworkItem) -> str:
        return f"{obj.code} {obj.localized_label}"


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


def mark_written_in(form: forms.BaseForm, names: Iterable[str], language: str) -> None:
    """The fields holding a record's own text, as written, carry its language (`lang`, `dir`): screen readers read
    it in that language and browsers check its spelling in it."""
    if not language:
        return
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"lang": language_tag(language), "dir": language_dir(language)})


def in_language(text: str, language: str) -> str:
    """A record's text quoted in a label, marked with its language when it is not the page's."""
    return format_html("<span{}>{}</span>", lang_attrs(language), text)


def language_choices(current: str = "") -> list[tuple[str, str]]:
    """The languages a record may say it is written in, with `current` (a language stored before) kept."""
    choices = record_language_choices()
    if current and current not in {code for code, _name in choices}:
        choices.append((current, language_name(current)))
    return choices


DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
PHASE_END_FIELDS = ("input_ends", "synthesis_ends", "comments_ends", "adoption_ends", "endorsement_ends")


class ConsultationForm(TranslationsFormMixin, Form):
    owner = NameChoiceField(label=_("Run by"), queryset=Actor.objects.none(),
                             help_text=_("The network, agency or national government you hold a role in."))
    title = forms.CharField(label=_("Title"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=_("Language the consultation is written in"), choices=record_language_choices,
                                 required=False)
    forum = forms.ModelChoiceField(label=_("Forum or event it serves"), queryset=Forum.objects.none(), required=False)
    access = forms.ChoiceField(label=_("Who may contribute"), choices=Access.choices, initial=Access.OPEN)
    access_networks = NameMultipleChoiceField(
        label=_("Networks whose members may contribute"), queryset=Actor.objects.none(), required=False,
        widget=NameSelectMultiple(attrs={"size": 6}))
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

    def __init__(self, *args: Any, owners: Any = None, record_language: str = "",
                 translations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_translation_fields(CONSULTATION_TRANSLATABLE, language=record_language, translations=translations)
        form_field(self, "owner", forms.ModelChoiceField).queryset = owners if owners is not None else Actor.objects.none()
        form_field(self, "forum", forms.ModelChoiceField).queryset = Forum.objects.order_by("-year", "name")
        form_field(self, "access_networks", forms.ModelChoiceField).queryset = Actor.objects.filter(kind=ActorKind.NETWORK).order_by("name")

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

    def question_fields(self) -> list[Any]:
        return []

    def question_specs(self) -> list[Any]:
        from arrival.consultations.services import QuestionSpec

        specs: list[Any] = [line.strip() for line in self.cleaned_data.get("questions", "").splitlines()
                            if line.strip()]
        if self.cleaned_data.get("per_objective"):
            for item in framework_items(kind=FrameworkKind.GCM_OBJECTIVE):
                specs.append(QuestionSpec(text=str(_("What does your government do, or propose, for objective "
                                                     "%(code)s: %(label)s?")) % {"code": item.code,
                                                                                 "label": item.localized_label},
                                          objective=item))
        return specs


class ConsultationEditForm(ConsultationForm):
    """The opening form for a consultation already open: each guiding question can be reworded (or emptied to
    remove it, if nobody answered it) and new ones added; a phase date left as it was keeps its time of day."""

    questions = forms.CharField(label=_("New guiding questions, one per line"), required=False, max_length=20000,
                                widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, consultation: Any, phases: list[Any], **kwargs: Any) -> None:
        self.consultation = consultation
        self.phases = phases
        self.dated = [p.phase_type for p in phases] == PHASE_ORDER
        tz = timezone.get_current_timezone()
        initial = {
            "title": consultation.title, "purpose": consultation.purpose, "forum": consultation.forum_id,
            "language": consultation.language,
            "access": consultation.access, "access_networks": [n.pk for n in consultation.access_networks.all()],
            "invited": ", ".join(a.slug for a in consultation.invited.all()),
        }
        if self.dated:
            bounds = [phases[0].starts_at, *(p.ends_at for p in phases[:-1])]
            for name, moment in zip(("input_starts", *PHASE_END_FIELDS), bounds, strict=True):
                initial[name] = timezone.localtime(moment, tz).date()
        super().__init__(*args, initial=initial, record_language=consultation.language,
                         translations=consultation.translations, **kwargs)
        del self.fields["owner"]
        del self.fields["per_objective"]
        if not self.dated:  # phases set otherwise (the API): shown, not changed here
            for name in ("input_starts", *PHASE_END_FIELDS):
                del self.fields[name]
        self.question_rows = list(consultation.questions.all())
        for number, question in enumerate(self.question_rows, start=1):
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=_("Guiding question %(number)d") % {"number": number}, max_length=1000, required=False,
                initial=question.text, help_text=_("Empty it to remove the question (only if nobody answered it)."))
        mark_written_in(self, ("title", "purpose", *(f"question_{q.pk}" for q in self.question_rows)),
                        consultation.language)

    def question_fields(self) -> list[Any]:
        return [self[f"question_{q.pk}"] for q in self.question_rows]

    def question_specs(self) -> list[Any]:
        from arrival.consultations.services import QuestionSpec

        specs: list[Any] = [QuestionSpec(text=self.cleaned_data[f"question_{q.pk}"], pk=q.pk)
                            for q in self.question_rows if (self.cleaned_data.get(f"question_{q.pk}") or "").strip()]
        return specs + super().question_specs()

    # None where the phases are not the standard dated ones: editing then leaves them as they are.
    def phase_specs(self) -> list[PhaseSpec] | None:  # type: ignore[override]  # narrower than its base on purpose
        if not self.dated:
            return None
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        old = [self.phases[0].starts_at, *(p.ends_at for p in self.phases[:-1])]
        bounds = []
        for name, before in zip(("input_starts", *PHASE_END_FIELDS), old, strict=True):
            day = data[name]
            bounds.append(before if timezone.localtime(before, tz).date() == day
                          else dt.datetime.combine(day, dt.time.min, tzinfo=tz))
        closed = self.phases[-1]
        specs = [PhaseSpec(key, bounds[i], bounds[i + 1]) for i, key in enumerate(PHASE_ORDER[:-1])]
        length = closed.ends_at - closed.starts_at
        specs.append(PhaseSpec(PHASE_ORDER[-1], bounds[-1], bounds[-1] + length))
        return specs


class ContributionForm(TranslationsFormMixin, Form):
    actor = NameChoiceField(label=_("Contributing for"), queryset=Actor.objects.none())
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
    language = forms.ChoiceField(label=_("Language the contribution is written in"), choices=record_language_choices)
    gcm_objectives = ItemChoiceField(label=_("GCM objectives"), queryset=FrameworkItem.objects.none(),
                                     required=False, widget=forms.CheckboxSelectMultiple)
    sdg_targets = ItemChoiceField(label=_("SDG targets"), queryset=FrameworkItem.objects.none(), required=False,
                                  widget=forms.SelectMultiple(attrs={"size": 8}))
    nua_paragraphs = ItemChoiceField(label=_("New Urban Agenda paragraphs"), queryset=FrameworkItem.objects.none(),
                                     required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    TAG_FIELDS = {"gcm_objectives": FrameworkKind.GCM_OBJECTIVE, "sdg_targets": FrameworkKind.SDG_TARGET,
                  "nua_paragraphs": FrameworkKind.NUA_PARAGRAPH}

    def __init__(self, *args: Any, actors: list[Actor] | None = None, questions: Any = (), record_language: str = "",
                 translations: dict[str, Any] | None = None, questions_language: str = "", **kwargs: Any) -> None:
        """`record_language`: the language of the contribution being changed (its texts as written keep it);
        `questions_language`: the consultation's, which its guiding questions (the answers' labels) are written in."""
        super().__init__(*args, **kwargs)
        self.add_translation_fields(CONTRIBUTION_TRANSLATABLE, language=record_language, translations=translations)
        form_field(self, "language", forms.ChoiceField).choices = language_choices(record_language)
        if actors is None:
            del self.fields["actor"]
        else:
            form_field(self, "actor", forms.ModelChoiceField).queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")
        for name, kind in self.TAG_FIELDS.items():
            form_field(self, name, forms.ModelChoiceField).queryset = framework_items(kind=kind)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=in_language(question.text, questions_language), required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}))
        mark_written_in(self, ("title", "summary", "proposed_actions", *(f"answer_{q.pk}" for q in self.questions)),
                        record_language)

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
    actor = NameChoiceField(label=_("Co-sign for"), queryset=Actor.objects.none())

    def __init__(self, *args: Any, actors: list[Actor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "actor", forms.ModelChoiceField).queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")


class EndorsementForm(Form):
    actor = NameChoiceField(label=_("Endorse for"), queryset=Actor.objects.none(),
                             help_text=_("A government or organisation you hold a role in."))
    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=200)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=200)
    authority = forms.CharField(label=_("Authority under which they sign"), max_length=500,
                                help_text=_("e.g. a council resolution and its date"))
    language = forms.ChoiceField(label=_("Language of the title and authority"), choices=record_language_choices,
                                 required=False)

    def __init__(self, *args: Any, actors: list[Actor], **kwargs: Any) -> None:
        kwargs["initial"] = {"language": page_language(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        form_field(self, "actor", forms.ModelChoiceField).queryset = Actor.objects.filter(pk__in=[a.pk for a in actors]).order_by("name")


class WithdrawForm(Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=500)


def _contribution_numbers(value: str) -> list[int]:
    numbers = []
    for part in (value or "").replace(",", " ").replace(";", " ").split():
        digits = part.lstrip("#")
        if not digits.isdigit():
            raise forms.ValidationError(_("“%(part)s” is not a contribution number (e.g. 12).") % {"part": part[:20]})
        numbers.append(int(digits))
    return list(dict.fromkeys(numbers))


PLACE_HELP = _("Paragraphs are put in the order of these numbers: 2.5 goes between 2 and 3.")
SOURCES_HELP = _("The numbers of the contributions it comes from (shown as #12 on their pages), separated by "
                 "commas. Leave empty for an editorial paragraph.")


class VersionForm(Form):
    """The rewrite of the latest version in one go: for each paragraph its place, heading, text and sources (or
    drop it), and several new paragraphs, each with its own place, heading, text and sources."""

    note = forms.CharField(label=_("What changed in this version"), max_length=1000, required=False)

    def __init__(self, *args: Any, paragraphs: list[Any], contributions: dict[int, Any], new_count: int = 3,
                 language: str = "", **kwargs: Any) -> None:
        """`language`: the document's, which its paragraphs are written in."""
        super().__init__(*args, **kwargs)
        self.paragraphs = paragraphs
        self.contributions = contributions
        self.new_count = new_count
        place = {"step": "any"}
        for paragraph in paragraphs:
            n = paragraph.position
            key = paragraph.key
            self.fields[f"order_{key}"] = forms.DecimalField(
                label=_("Place of paragraph %(number)d") % {"number": n}, initial=n, max_digits=9, decimal_places=3,
                required=False, widget=forms.NumberInput(attrs=place), help_text=PLACE_HELP)
            self.fields[f"heading_{key}"] = forms.CharField(
                label=_("Heading of paragraph %(number)d") % {"number": n}, max_length=300, required=False,
                initial=paragraph.heading)
            self.fields[f"text_{key}"] = forms.CharField(
                label=_("Text of paragraph %(number)d") % {"number": n}, max_length=10000, required=False,
                initial=paragraph.text, widget=forms.Textarea(attrs={"rows": 5}))
            self.fields[f"sources_{key}"] = forms.CharField(
                label=_("Sources of paragraph %(number)d") % {"number": n}, max_length=2000, required=False,
                initial=", ".join(str(s.pk) for s in paragraph.sources.all()), help_text=SOURCES_HELP)
            self.fields[f"editorial_{key}"] = forms.BooleanField(
                label=_("Paragraph %(number)d is editorial (no contribution behind it)") % {"number": n},
                required=False, initial=paragraph.editorial)
            self.fields[f"drop_{key}"] = forms.BooleanField(
                label=_("Drop paragraph %(number)d") % {"number": n}, required=False)
        last = paragraphs[-1].position if paragraphs else 0
        for i in range(new_count):
            n = i + 1
            self.fields[f"new-{i}-order"] = forms.DecimalField(
                label=_("Place of new paragraph %(number)d") % {"number": n}, initial=last + n, max_digits=9,
                decimal_places=3, required=False, widget=forms.NumberInput(attrs=place), help_text=PLACE_HELP)
            self.fields[f"new-{i}-heading"] = forms.CharField(
                label=_("Heading of new paragraph %(number)d") % {"number": n}, max_length=300, required=False)
            self.fields[f"new-{i}-text"] = forms.CharField(
                label=_("Text of new paragraph %(number)d") % {"number": n}, max_length=10000, required=False,
                widget=forms.Textarea(attrs={"rows": 3}))
            self.fields[f"new-{i}-sources"] = forms.CharField(
                label=_("Sources of new paragraph %(number)d") % {"number": n}, max_length=2000, required=False,
                help_text=SOURCES_HELP)
        mark_written_in(self, [f"{kind}_{p.key}" for p in paragraphs for kind in ("heading", "text")], language)

    def _sources(self, name: str) -> list[Any]:
        try:
            numbers = _contribution_numbers(self.cleaned_data.get(name, ""))
        except forms.ValidationError as error:
            self.add_error(name, error)
            return []
        unknown = [number for number in numbers if number not in self.contributions]
        if unknown:
            self.add_error(name, _("This consultation has no contribution %(numbers)s.")
                           % {"numbers": ", ".join(f"#{number}" for number in unknown)})
        return [self.contributions[number] for number in numbers if number in self.contributions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows: list[tuple[Any, int, Any]] = []
        for index, paragraph in enumerate(self.paragraphs):
            key = paragraph.key
            if cleaned.get(f"drop_{key}"):
                continue
            if not (cleaned.get(f"text_{key}") or "").strip():
                self.add_error(f"text_{key}", _("Write the paragraph, or tick “Drop paragraph %(number)d”.")
                               % {"number": paragraph.position})
            # A field the browser did not send (a form of another version's page, a script) keeps what was there.
            sent = self.data
            order = cleaned.get(f"order_{key}")
            rows.append((paragraph.position if order is None else order, index, {
                "key": key, "text": cleaned.get(f"text_{key}", ""),
                "heading": cleaned.get(f"heading_{key}", "") if self.add_prefix(f"heading_{key}") in sent else None,
                "editorial": bool(cleaned.get(f"editorial_{key}")) if self.add_prefix(f"sources_{key}") in sent
                else None,
                "sources": self._sources(f"sources_{key}") if self.add_prefix(f"sources_{key}") in sent else None}))
        for i in range(self.new_count):
            text = (cleaned.get(f"new-{i}-text") or "").strip()
            if not text:
                if (cleaned.get(f"new-{i}-heading") or "").strip() or cleaned.get(f"new-{i}-sources"):
                    self.add_error(f"new-{i}-text", _("A new paragraph needs its text."))
                continue
            sources = self._sources(f"new-{i}-sources")
            order = cleaned.get(f"new-{i}-order")
            rows.append((order if order is not None else len(self.paragraphs) + i + 1, len(self.paragraphs) + i, {
                "key": None, "text": text, "heading": cleaned.get(f"new-{i}-heading", ""),
                "editorial": not sources, "sources": sources}))
        self.ordered_rows = [row for _order, _index, row in sorted(rows, key=lambda r: (r[0], r[1]))]
        return cleaned

    def rows(self) -> list[dict[str, Any]]:
        return [{"paragraph": p, **{name: self[f"{name}_{p.key}"] for name in
                                    ("order", "heading", "text", "sources", "editorial", "drop")}}
                for p in self.paragraphs]

    def new_rows(self) -> list[dict[str, Any]]:
        return [{"number": i + 1, **{name: self[f"new-{i}-{name}"] for name in ("order", "heading", "text", "sources")}}
                for i in range(self.new_count)]

    def edits(self) -> list[Any]:
        from arrival.consultations.services import ParagraphEdit

        return [ParagraphEdit(**row) for row in self.ordered_rows]


class ListFilterForm(Form):
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none(), required=False)
    phase = forms.ChoiceField(label=_("Current phase"), required=False)
    owner = NameChoiceField(label=_("Run by"), queryset=Actor.objects.none(), required=False)

    def __init__(self, *args: Any, owners: Any, phase_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "forum", forms.ModelChoiceField).queryset = Forum.objects.order_by("-year", "name")
        form_field(self, "owner", forms.ModelChoiceField).queryset = owners
        form_field(self, "phase", forms.ChoiceField).choices = [("", _("Any phase")), *phase_choices]


class CommentAnswerForm(Form):
    """The editors' answer to one comment on the draft (prefixed by the comment, several on a page)."""

    state = forms.ChoiceField(label=_("The editors' answer"), choices=CommentState.choices,
                              widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (required unless taken in)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
