"""The history of an assessment as its readers understand it: each audit row of the assessment and its records
(`assessment_history`) told in the viewer's language — what happened, on which question, which fields changed
from what to what — with statuses, decisions, levels and special answers by their labels, never the audit
log's internal action or field names. Rows of actions this module does not know show as "Other change"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from arrival.actors.models import Actor
from arrival.assessments.domain import framework_file as ff
from arrival.assessments.models import (
    Assessment,
    AssessmentStatus,
    IndicatorFramework,
    SpecialAnswer,
    ValidationDecision,
)
from arrival.assessments.selectors.outcomes import group_label
from arrival.assessments.selectors.records import assessment_history, framework_parsed
from arrival.core.models import AuditEvent

__all__ = ["HistoryChange", "HistoryRow", "assessment_history_rows"]


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str | None  # None: the field had no value before (a new record)
    after: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str  # the person's public name, or "" for the system
    what: str
    about: str  # the question (indicator code) or population group it concerns, when there is one
    changes: list[HistoryChange]
    redacted: bool


def _actions() -> dict[str, str]:
    return {
        "assessments.assessment_open": _("Cycle opened"),
        "assessments.settings_update": _("Settings changed"),
        "assessments.answer_save": _("Answer saved"),
        "assessments.evidence_attach": _("Evidence document attached"),
        "assessments.validators_set": _("Validators named"),
        "assessments.assessment_submit": _("Submitted for validation"),
        "assessments.validation_start": _("Validation started"),
        "assessments.validation_comment": _("Validator's comment"),
        "assessments.team_comment": _("Team note"),
        "assessments.consultation_comment": _("Consultation comment"),
        "assessments.validation_decide": _("Validation decision"),
        "assessments.assessment_status": _("Status changed"),
        "assessments.consultation_invite": _("Organisation invited to comment"),
        "assessments.outcome_value_save": _("Outcome figure recorded"),
        "assessments.assessment_publish": _("Published"),
    }


def _fields() -> dict[str, str]:
    return {
        "status": _("Status"), "cycle": _("Cycle"), "framework": _("Framework version"),
        "consultation_open": _("Consultation open"), "benchmark_opt_in": _("In peer benchmarks"),
        "value": _("Answer"), "special": _("Special answer"), "comment": _("Comment"),
        "evidence_url": _("Evidence link"), "evidence_reference": _("Council decision or document reference"),
        "file": _("Document"), "text": _("Comment"), "decision": _("Decision"), "summary": _("Summary for the team"),
        "validator_actor": _("On behalf of"), "organisation": _("Organisation"), "validators": _("Validators"),
        "year": _("Year"), "source": _("Source"), "overall": _("Overall score"),
    }


# Technical or repeated facts the page does not list as changes: the question and the group are shown as what a
# row is about, the kind of comment is in its name; hashes and ids are for auditors (the API and the export).
_NOT_SHOWN = {"indicator", "group", "kind", "assessment", "attachment", "sha256", "inputs_sha256"}


class _Values:
    """Turns stored audit values into what a reader understands, looking up names once per page."""

    def __init__(self, assessment: Assessment, events: list[AuditEvent]) -> None:
        self.parsed = framework_parsed(framework=assessment.framework)
        actor_ids = {value for event in events for key in ("validator_actor", "organisation")
                     for value in ((event.after or {}).get(key),) if isinstance(value, int)}
        self.actors = dict(Actor.objects.filter(pk__in=actor_ids).values_list("pk", "name"))
        framework_ids = {value for event in events for side in (event.before or {}, event.after or {})
                         for key, value in side.items() if key == "framework" and isinstance(value, int)}
        self.frameworks = {f.pk: f.label for f in IndicatorFramework.objects.filter(pk__in=framework_ids)}

    def show(self, key: str, value: Any, *, action: str, indicator: str | None) -> str:
        if value is None or value == "" or value == []:
            return "–"
        by_choice: dict[str, Callable[[Any], str]] = {
            "status": lambda v: _label(AssessmentStatus, v),
            "special": lambda v: _label(SpecialAnswer, v),
            "decision": lambda v: _label(ValidationDecision, v),
            "validators": lambda v: ", ".join(str(name) for name in v) if isinstance(v, list) else str(v),
        }
        if key in by_choice:
            return by_choice[key](value)
        if key in ("validator_actor", "organisation"):
            return str(self.actors.get(value, "–"))
        if key == "framework":
            return str(self.frameworks.get(value, value))
        if key == "value" and action == "assessments.answer_save" and indicator:
            return self._answer(indicator, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    def _answer(self, code: str, value: Any) -> str:
        try:
            indicator = self.parsed.indicator(code)
        except KeyError:
            return str(value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if indicator.answer_type == ff.MATURITY and isinstance(value, int):
            return _("Level %(level)s") % {"level": value}
        if indicator.answer_type == ff.CHOICE:
            return next((str(option.label) for option in indicator.options if option.code == value), str(value))
        return str(value)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def assessment_history_rows(*, assessment: Assessment) -> list[HistoryRow]:
    """Every change on record for `assessment`, newest first, in the viewer's language."""
    events = assessment_history(assessment=assessment)
    values = _Values(assessment, events)
    actions, fields = _actions(), _fields()
    rows = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        indicator = after.get("indicator") or before.get("indicator")
        about = str(indicator or "")
        if event.action == "assessments.outcome_value_save" and after.get("group"):
            about = f"{about} · {group_label(str(after['group']))}"
        changes = []
        for key in dict.fromkeys([*before, *after]):
            if key in _NOT_SHOWN or key not in fields or before.get(key) == after.get(key):
                continue
            shown_before = (values.show(key, before.get(key), action=event.action, indicator=indicator)
                            if event.before is not None else None)
            label = _("Figure") if key == "value" and event.action == "assessments.outcome_value_save" else fields[key]
            changes.append(HistoryChange(label=label, before=shown_before,
                                         after=values.show(key, after.get(key), action=event.action,
                                                           indicator=indicator)))
        rows.append(HistoryRow(at=event.at, who=event.user.public_name if event.user else "",
                               what=actions.get(event.action, _("Other change")), about=about, changes=changes,
                               redacted=event.redacted))
    return rows
