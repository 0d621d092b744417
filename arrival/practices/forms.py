"""Forms of the practice pages. They only check and convert input; the services decide, sanitise and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrival.actors.models import Actor, ActorKind
from arrival.core.forms import (
    NameChoiceField,
    NameMultipleChoiceField,
    NameSelectMultiple,
    TranslationsFormMixin,
    form_field,
)
from arrival.core.languages import (
    differs_from_page,
    language_dir,
    language_name,
    page_language,
    record_language_choices,
)
from arrival.core.time_zones import available_time_zones
from arrival.core.translations import localized
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import framework_items
from arrival.practices.models import (
    CALL_TRANSLATABLE,
    PRACTICE_TRANSLATABLE,
    CallForPractices,
    Practice,
    PracticeStatus,
    ReviewerRole,
)

RICH_TEXT_HELP = _("Paragraphs, bold, italics, lists, links (http, https or mailto), level-3 and level-4 headings "
                   "and quotes are kept; anything else is removed when saved.")

# The rubric (issue 4): six criteria scored 1–5; a review's overall score is their mean.
RUBRIC = (
    ("relevance", _("Relevance"),
     _("How well the practice answers a real local migration governance need and the GCM objectives it is tagged with.")),
    ("evidence", _("Evidence of results"),
     _("How convincingly results are shown: numbers with units and sources, evaluations, independent evidence.")),
    ("replicability", _("Replicability"),
     _("How easily another local government could adapt it: clear steps, stated conditions and costs.")),
    ("sustainability", _("Sustainability"),
     _("Whether funding, staff and political support will keep it going beyond a pilot.")),
    ("rights_based", _("Rights-based approach"),
     _("Whether it respects everyone's human rights and serves people whatever their status.")),
    ("participation", _("Migrants' participation"),
     _("Whether migrants and their organisations helped design, run or evaluate it.")),
)
SCORES = [
    ("1", _("1 — very weak")),
    ("2", _("2 — weak")),
    ("3", _("3 — adequate")),
    ("4", _("4 — strong")),
    ("5", _("5 — excellent")),
]
RECOMMENDATIONS = [("publish", _("Publish")), ("revise", _("Request revision")), ("decline", _("Decline"))]


def _list_from_text(text: str) -> list[str]:
    """"a, b; c" or one per line → ["a", "b", "c"], duplicates removed, order kept."""
    seen: list[str] = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        value = part.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


class Form(forms.Form):
    """Labels and legends without the trailing colon, as in the rest of the site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ListField(forms.CharField):
    """A short list typed as text, separated by commas, semicolons or new lines."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # the text becomes a list, by design
        return _list_from_text(super().to_python(value) or "")


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FrameworkItem) -> str:
        return f"{obj.code} {obj.localized_label}"


def _items(kind: str) -> Any:
    return framework_items(kind=kind)


def _mark_language(form: forms.Form, names: tuple[str, ...], language: str) -> None:
    """The inputs holding a record's own texts marked with the record's language (WCAG 3.1.2), so that their
    text is read and laid out in it whatever the page's language; `dir="auto"` when it is not known yet (a new
    record, whose language is chosen in the same form)."""
    attrs = {"lang": language, "dir": language_dir(language)} if language else {"dir": "auto"}
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs.update(attrs)


class CallSelect(forms.Select):
    """Calls for practices by their title in the reader's language when translated, else the original title
    marked with its language (an option holds no markup: `lang` and `dir` go on the option)."""

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(
            name, value, label, selected, index, subindex=subindex, attrs=attrs)
        call = getattr(value, "instance", None)
        if call is not None:
            title = localized(call, "title")
            option["label"] = title.text
            if differs_from_page(title.language):
                option["attrs"] = {**option["attrs"], "lang": title.language, "dir": title.dir}
        return option


class PracticeForm(TranslationsFormMixin, Form):
    """Every field of the practice record, its translations and framework tags; `government` only when creating.

    `record_language`: the stored record's language (no translation fields in it); "" when creating."""

    government = NameChoiceField(
        label=_("Local government behind the practice"), queryset=Actor.objects.none(),
        help_text=_("Governments you hold a role in. Partner governments of a joint practice are added later."),
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    summary = forms.CharField(label=_("Summary: who, what, where"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    # Languages as content tags (the UN six, then others; Chinese is "zh"), named in the reader's language.
    language = forms.ChoiceField(label=_("Language the record is written in"), choices=record_language_choices)
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages the practice is documented in"), choices=record_language_choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=PracticeStatus.choices)
    started = forms.DateField(label=_("Started"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ended = forms.DateField(label=_("Ended"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    joint_governments = ListField(
        label=_("Other local governments behind a joint practice"), required=False, max_length=2000,
        help_text=_("The last part of each government's page address on Arrival (e.g. lyon-12 for /actors/lyon-12/), "
                    "separated by commas."),
    )
    partners = NameMultipleChoiceField(
        label=_("Partner organisations and networks"), required=False, queryset=Actor.objects.none(),
        widget=NameSelectMultiple(attrs={"size": 6}),
    )
    problem = forms.CharField(label=_("The problem it addresses"), required=False, help_text=RICH_TEXT_HELP,
                              widget=forms.Textarea(attrs={"rows": 5}))
    approach = forms.CharField(label=_("Approach and steps"), required=False, help_text=RICH_TEXT_HELP,
                               widget=forms.Textarea(attrs={"rows": 6}))
    target_groups = ListField(
        label=_("Target groups"), required=False, max_length=1000,
        help_text=_("Categories, separated by commas (e.g. newly arrived families, young people). Never name a person."),
    )
    results = forms.CharField(label=_("Results and evidence"), required=False, help_text=RICH_TEXT_HELP,
                              widget=forms.Textarea(attrs={"rows": 5}))
    lessons = forms.CharField(label=_("Lessons learned"), required=False, help_text=RICH_TEXT_HELP,
                              widget=forms.Textarea(attrs={"rows": 4}))
    replication_conditions = forms.CharField(label=_("Conditions for replication"), required=False,
                                             help_text=RICH_TEXT_HELP, widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.CharField(label=_("Budget"), required=False, max_length=200)
    funding_sources = forms.CharField(label=_("Funding sources"), required=False, max_length=300)
    contact_role = forms.CharField(
        label=_("Contact"), required=False, max_length=200,
        help_text=_("A role or office, e.g. “Migrant inclusion office”, never a person's name."),
    )
    themes = ListField(label=_("Themes"), required=False, max_length=500,
                       help_text=_("Separated by commas, e.g. housing, language learning."))
    gcm_objectives = ItemChoiceField(
        label=_("Global Compact for Migration objectives"), queryset=FrameworkItem.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("At least one is needed before you submit."),
    )
    sdg_targets = ItemChoiceField(label=_("SDG targets"), queryset=FrameworkItem.objects.none(), required=False,
                                  widget=forms.SelectMultiple(attrs={"size": 8}))
    nua_paragraphs = ItemChoiceField(label=_("New Urban Agenda paragraphs"), queryset=FrameworkItem.objects.none(),
                                     required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    domains = ItemChoiceField(label=_("Governance domains"), queryset=FrameworkItem.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple)

    TAG_FIELDS = {
        "gcm_objectives": FrameworkKind.GCM_OBJECTIVE,
        "sdg_targets": FrameworkKind.SDG_TARGET,
        "nua_paragraphs": FrameworkKind.NUA_PARAGRAPH,
        "domains": FrameworkKind.DOMAIN,
    }
    RECORD_FIELDS = (
        "title", "summary", "language", "other_languages", "status", "started", "ended", "problem", "approach",
        "target_groups", "results", "lessons", "replication_conditions", "budget", "funding_sources",
        "contact_role", "themes",
    )
    RICH_FIELDS = ("problem", "approach", "results", "lessons", "replication_conditions")
    # The fields holding the record's own texts (in its language).
    TEXT_FIELDS = ("title", "summary", "problem", "approach", "target_groups", "results", "lessons",
                   "replication_conditions", "budget", "funding_sources", "contact_role", "themes")

    def __init__(self, *args: Any, governments: Any = None, record_language: str = "",
                 translations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mark_language(self, self.TEXT_FIELDS, record_language)
        if record_language and record_language not in dict(record_language_choices()):
            # A language given through the API that the form does not list: kept as it is.
            choice = (record_language, language_name(record_language))
            form_field(self, "language", forms.ChoiceField).choices = [*record_language_choices(), choice]
        self.add_translation_fields(PRACTICE_TRANSLATABLE, language=record_language, translations=translations)
        if governments is None:
            del self.fields["government"]
        else:
            form_field(self, "government", forms.ModelChoiceField).queryset = governments
        form_field(self, "partners", forms.ModelChoiceField).queryset = Actor.objects.filter(
            kind__in=[ActorKind.ORGANISATION, ActorKind.NETWORK]
        ).order_by("name")
        for name, kind in self.TAG_FIELDS.items():
            form_field(self, name, forms.ModelChoiceField).queryset = _items(kind)

    def clean_joint_governments(self) -> list[Actor]:
        slugs = [slug.strip("/").rsplit("/", 1)[-1] for slug in self.cleaned_data["joint_governments"]]
        found = {actor.slug: actor for actor in Actor.objects.filter(
            slug__in=slugs, kind__in=[ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT])}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise forms.ValidationError(_("No local or regional government at: %(slugs)s.") % {"slugs": ", ".join(unknown)})
        return [found[slug] for slug in slugs]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        started, ended = data.get("started"), data.get("ended")
        if started and ended and ended < started:
            self.add_error("ended", _("The end date is before the start date."))
        return data

    @classmethod
    def initial_for(cls, practice: Practice, tags: list[Any], own_ids: set[int]) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(practice, name) for name in cls.RECORD_FIELDS}
        initial["partners"] = list(practice.partners.all())
        initial["joint_governments"] = [g.slug for g in practice.governments.all() if g.pk not in own_ids]
        for name, kind in cls.TAG_FIELDS.items():
            initial[name] = [tag.item for tag in tags if tag.item.framework.kind == kind]
        return initial

    def record_fields(self) -> dict[str, Any]:
        return {**{name: self.cleaned_data[name] for name in self.RECORD_FIELDS}, "translations": self.translations()}

    def tag_items(self) -> list[FrameworkItem]:
        return [item for name in self.TAG_FIELDS for item in self.cleaned_data[name]]


class ResultForm(Form):
    label = forms.CharField(label=_("What was measured"), max_length=200)
    value = forms.FloatField(label=_("Value"))
    unit = forms.CharField(label=_("Unit"), max_length=50, help_text=_("e.g. people, %, days"))
    source = forms.CharField(label=_("Source"), max_length=300, help_text=_("Where the number comes from."))


class LinkForm(Form):
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    label = forms.CharField(label=_("Link text"), max_length=200)


class ImageForm(Form):
    file = forms.FileField(label=_("Image (PNG, JPEG, GIF or WebP)"))
    alt_text = forms.CharField(
        label=_("Text alternative"), max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )


class AdaptedFromForm(Form):
    source = forms.CharField(
        label=_("Address of the practice you adapted"), max_length=300,
        help_text=_("Its page address or the last part of it, e.g. /practices/welcome-desks/."),
    )
    note = forms.CharField(label=_("What you changed, and why"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)

    def __init__(self, *args: Any, record_language: str = "", **kwargs: Any) -> None:
        """`record_language`: the adapting practice's language, which its team writes the note in."""
        super().__init__(*args, **kwargs)
        _mark_language(self, ("note",), record_language)

    def clean_source(self) -> str:
        value = self.cleaned_data["source"].strip().rstrip("/")
        return value.rsplit("/", 1)[-1]


class SubmitForm(Form):
    call = forms.ModelChoiceField(
        label=_("Answer a call for practices (optional)"), queryset=CallForPractices.objects.none(),
        required=False, empty_label=_("No call"), widget=CallSelect,
    )
    curating_organisation = NameChoiceField(
        label=_("Without a call, who screens it (optional)"), queryset=Actor.objects.none(), required=False,
        empty_label=_("The site's curators"),
        help_text=_("A network or organisation with curators. A practice answering a call is screened by the "
                    "call's organiser."),
    )

    def __init__(self, *args: Any, calls: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "call", forms.ModelChoiceField).queryset = calls
        form_field(self, "curating_organisation", forms.ModelChoiceField).queryset = organisations


class ScreenForm(Form):
    accept = forms.TypedChoiceField(
        label=_("Screening decision"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Complete: send to peer review")), ("no", _("Incomplete: return to the authors"))],
    )
    note = forms.CharField(label=_("Note to the authors"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))


class AssignForm(Form):
    """One invitation: the person, the government or organisation they review for and as what — either as
    three fields or as one `candidate` "person:actor:role" (the value of each Invite button) — and an optional
    date the review is due, read in the curator's time zone."""

    candidate = forms.RegexField(regex=r"^\d+:\d+:(peer|expert)$", required=False, widget=forms.HiddenInput)
    reviewer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reviewer_actor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=ReviewerRole.choices, required=False)
    due_at = forms.DateTimeField(
        label=_("Review due by (optional)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_at"].help_text = _("In your time zone (%(zone)s). The reviewers see it in theirs.") % {
            "zone": timezone.get_current_timezone_name()}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("candidate"):
            reviewer, actor, role = data["candidate"].split(":")
            data.update(reviewer=int(reviewer), reviewer_actor=int(actor), role=role)
        if not (data.get("reviewer") and data.get("reviewer_actor")):
            raise forms.ValidationError(_("Choose a reviewer."))
        data["role"] = data.get("role") or ReviewerRole.PEER
        return data


class ReviewerSearchForm(Form):
    q = forms.CharField(label=_("A person's name, or the government or organisation they work for"),
                        required=False, max_length=100)


class RespondForm(Form):
    """The reviewer's answer to an invitation, with their declaration of conflicts of interest."""

    accept = forms.TypedChoiceField(
        label=_("Will you review this practice?"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, I accept")), ("no", _("No, I decline"))],
    )
    has_no_conflict = forms.BooleanField(
        label=_("I have no conflict of interest with this practice or the governments and partners behind it"),
        required=False,
    )
    conflicts_declared = forms.CharField(
        label=_("Conflicts of interest to declare"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("Any tie to the governments or partners behind the practice: work, funding, family, advocacy."),
    )
    wants_to_be_named = forms.BooleanField(
        label=_("Name me as a reviewer once the practice is published"), required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accept") and not data.get("has_no_conflict") and not (data.get("conflicts_declared") or "").strip():
            raise forms.ValidationError(
                _("Declare your conflicts of interest, or confirm that you have none, before you accept.")
            )
        return data


class ReviewForm(Form):
    comments = forms.CharField(label=_("Comments for the authors"), max_length=20000,
                               widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}))
    # Pages mark the comments with it (the reader's language by default: the view sets the initial value); not
    # given, the comments' language is unknown and pages let the browser find their direction.
    language = forms.ChoiceField(label=_("Language your comments are written in"), choices=record_language_choices,
                                 required=False)
    recommendation = forms.ChoiceField(label=_("Your recommendation"), choices=RECOMMENDATIONS,
                                       widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, description in RUBRIC:
            field = forms.TypedChoiceField(label=label, help_text=description, choices=SCORES, coerce=int,
                                           widget=forms.RadioSelect)
            self.fields[name] = field

    def criteria(self) -> list[forms.BoundField]:
        return [self[name] for name, _label, _description in RUBRIC]

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _label, _description in RUBRIC}


class DecideForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("publish", _("Publish as peer-reviewed")), ("revise", _("Request a revision")),
                 ("decline", _("Decline"))],
    )
    reasons = forms.CharField(label=_("Reasons, shown to the authors"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") in ("revise", "decline") and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Give the authors your reasons."))
        return data


class CallForm(TranslationsFormMixin, Form):
    owner = NameChoiceField(label=_("Opened on behalf of"), queryset=Actor.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Theme and what you are looking for"), max_length=10000,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    language = forms.ChoiceField(label=_("Language the call is written in"), choices=record_language_choices,
                                 required=False)
    deadline = forms.DateTimeField(
        label=_("Deadline (end of submissions, in the time zone below)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    # IANA zone names, chosen from the list (codes, the same in every language).
    time_zone = forms.ChoiceField(label=_("Time zone of the call"), initial="UTC", required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "owner", forms.ModelChoiceField).queryset = owners
        form_field(self, "time_zone", forms.ChoiceField).choices = [(name, name) for name in available_time_zones()]
        self.add_translation_fields(CALL_TRANSLATABLE)

    def call_fields(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if not name.startswith("translation_")}
        return {**data, "language": data.get("language") or page_language(), "translations": self.translations()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The wall time as typed: the service reads it in the call's time zone (and checks that zone).
        if data.get("deadline") is not None and timezone.is_aware(data["deadline"]):
            data["deadline"] = timezone.make_naive(data["deadline"])
        data["time_zone"] = (data.get("time_zone") or "").strip() or "UTC"
        return data


class SearchForm(Form):
    q = forms.CharField(label=_("Search practices, in any language"), required=False, max_length=300)
    mode = forms.ChoiceField(
        label=_("Match"), required=False, initial="hybrid",
        choices=[("hybrid", _("Words and meaning")), ("text", _("Words only")), ("semantic", _("Meaning only"))],
    )
