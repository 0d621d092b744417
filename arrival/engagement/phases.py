"""Phase types and the gates they open.

A phase type names a step of a process ("call for input", "voting", "information") and the actions it
allows by default, as "<verb>:<app_label.model>" strings. Apps register their types in AppConfig.ready:

    phase_type_register("consultations.call_for_input", label=_("Call for input"), kind="consultations.consultation",
                        actions=["create:consultations.contribution", "comment:consultations.contribution"])

A `PhaseSpec` is what callers pass to `services.process_create` / `process_phases_set`; `actions=None` takes the
type's defaults. An action "<verb>:*" allows the verb on every model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrival.core.dates import date_in_range_check


@dataclass(frozen=True)
class PhaseType:
    key: str
    label: Any  # a lazy translation
    actions: tuple[str, ...] = ()
    # The process kind this type belongs to ("consultations.consultation"); None = usable by any process.
    kind: str | None = None


@dataclass
class PhaseSpec:
    phase_type: str
    starts_at: datetime
    ends_at: datetime
    name: str = ""
    actions: list[str] | None = field(default=None)


_types: dict[str, PhaseType] = {}


def _check_action(action: str) -> None:
    verb, sep, model = action.partition(":")
    if not sep or not verb or not model or (model != "*" and "." not in model):
        raise ValueError(f"An action is written '<verb>:<app_label.model>', not {action!r}.")


def phase_type_register(key: str, *, label: Any, actions: Iterable[str], kind: str | None = None) -> PhaseType:
    """Register (or replace, on reload) the phase type `key`; returns it."""
    actions = tuple(actions)
    for action in actions:
        _check_action(action)
    entry = PhaseType(key=key, label=label, actions=actions, kind=kind)
    _types[key] = entry
    return entry


def phase_type_get(key: str) -> PhaseType:
    """The registered type `key`; raises KeyError for an unknown type."""
    return _types[key]


def phase_types(kind: str | None = None) -> list[PhaseType]:
    """Registered types, those of `kind` plus the general ones when `kind` is given, by key."""
    return sorted(
        (entry for entry in _types.values() if kind is None or entry.kind in (None, kind)), key=lambda e: e.key
    )


def action_allowed(actions: Iterable[str], action: str) -> bool:
    """Does a phase with `actions` allow `action` ("<verb>:<app_label.model>")?"""
    verb = action.partition(":")[0]
    return any(allowed == action or allowed == f"{verb}:*" for allowed in actions)


_VERBS = {
    "comment": _("Commenting on %(things)s"),
    "create": _("Adding %(things)s"),
    "support": _("Supporting %(things)s"),
    "cosign": _("Co-signing %(things)s"),
    "endorse": _("Endorsing %(things)s"),
    "vote": _("Voting on %(things)s"),
    "answer": _("Answering %(things)s"),
    "change": _("Changing %(things)s"),
}


def action_label(action: str) -> str:
    """A sentence-start label for `action`, e.g. "Commenting on contributions", in the active language."""
    verb, _sep, label = action.partition(":")
    things: Any = gettext("records")
    if label and label != "*":
        try:
            things = apps.get_model(label)._meta.verbose_name_plural
        except (LookupError, ValueError):
            things = label
    template = _VERBS.get(verb)
    if template is None:
        return gettext("“%(verb)s” on %(things)s") % {"verb": verb, "things": things}
    return str(template) % {"things": things}


def phase_specs_validate(specs: list[PhaseSpec], *, kind: str | None = None) -> list[PhaseSpec]:
    """Check phases before they are stored: known types, aware dates, ends after starts, in order, no overlap.

    Returns the specs with `actions` filled from the type where None. Raises ValidationError, naming the phase.
    """
    if not specs:
        raise ValidationError(gettext("A process needs at least one phase."))
    checked: list[PhaseSpec] = []
    previous: PhaseSpec | None = None
    for number, spec in enumerate(specs, start=1):
        try:
            phase_type = phase_type_get(spec.phase_type)
        except KeyError:
            raise ValidationError(
                gettext("Phase %(number)s has an unknown type “%(type)s”.") % {"number": number, "type": spec.phase_type}
            ) from None
        if kind is not None and phase_type.kind not in (None, kind):
            raise ValidationError(
                gettext("Phase %(number)s: the type “%(type)s” does not belong to this kind of process.")
                % {"number": number, "type": spec.phase_type}
            )
        if spec.starts_at is None or spec.ends_at is None:
            raise ValidationError(gettext("Phase %(number)s needs a start and an end.") % {"number": number})
        if spec.starts_at.tzinfo is None or spec.ends_at.tzinfo is None:
            raise ValidationError(gettext("Phase %(number)s: dates must carry a time zone.") % {"number": number})
        date_in_range_check(spec.starts_at, label=gettext("Phase %(number)s: the start") % {"number": number})
        date_in_range_check(spec.ends_at, label=gettext("Phase %(number)s: the end") % {"number": number})
        if spec.ends_at <= spec.starts_at:
            raise ValidationError(gettext("Phase %(number)s must end after it starts.") % {"number": number})
        if previous is not None and spec.starts_at < previous.ends_at:
            raise ValidationError(
                gettext("Phase %(number)s starts before phase %(previous)s ends: phases must follow each other "
                        "in order without overlapping.") % {"number": number, "previous": number - 1}
            )
        if len(spec.name) > 200:
            raise ValidationError(gettext("Phase %(number)s: the name is too long.") % {"number": number})
        actions = list(phase_type.actions) if spec.actions is None else list(spec.actions)
        for action in actions:
            try:
                _check_action(action)
            except ValueError:
                raise ValidationError(
                    gettext("Phase %(number)s: “%(action)s” is not an action.") % {"number": number, "action": action}
                ) from None
        checked.append(PhaseSpec(spec.phase_type, spec.starts_at, spec.ends_at, spec.name.strip(), actions))
        previous = spec
    return checked


# Engagement's own general-purpose types; capability apps register theirs.
phase_type_register("engagement.information", label=_("Information"), actions=[])
phase_type_register("engagement.discussion", label=_("Discussion"), actions=["comment:*"])
phase_type_register("engagement.closed", label=_("Closed"), actions=[])
