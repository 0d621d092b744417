"""Reads of an assessment's outcome panel: aggregate statistics by population group, never about a person.

Each outcome indicator of the framework gets a figure for each group its definition compares (residents born
abroad and residents born in the country), for residents born abroad alone, or for the whole population, plus
the year and source of the figures — aggregates published by statistical offices or surveys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from arrival.assessments.domain import framework_file as ff
from arrival.assessments.models import Assessment, Indicator, OutcomeValue
from arrival.assessments.selectors.records import framework_parsed, indicator_list

__all__ = ["ALL", "BORN_ABROAD", "BORN_IN_COUNTRY", "OutcomeCell", "OutcomeRow", "group_label", "outcome_groups",
           "outcome_panel"]

BORN_ABROAD = "born_abroad"
BORN_IN_COUNTRY = "born_in_country"
ALL = "all"
GROUP_LABELS = {
    BORN_ABROAD: gettext_lazy("Born abroad (aggregate)"),
    BORN_IN_COUNTRY: gettext_lazy("Born in the country (aggregate)"),
    ALL: gettext_lazy("Whole group (aggregate)"),
}
DIRECTION_LABELS = {
    "higher_is_better": gettext_lazy("higher is better"),
    "lower_is_better": gettext_lazy("lower is better"),
}


def outcome_groups(outcome: ff.OutcomeIndicator) -> tuple[str, ...]:
    """The population groups an outcome indicator's figures are given for, read from its definition.

    A definition naming both residents born abroad and residents born in the country compares them: both
    groups, in the definition's order, so that the gap is the first minus the second. One naming only residents
    born abroad, without a subtraction, is their share. Anything else (a gap between other aggregates, course
    participants) is one figure for the whole group the definition describes.
    """
    text = outcome.definition.lower()
    abroad, in_country = text.find("born abroad"), text.find("born in the country")
    if abroad >= 0 and in_country >= 0:
        return (BORN_ABROAD, BORN_IN_COUNTRY) if abroad < in_country else (BORN_IN_COUNTRY, BORN_ABROAD)
    if abroad >= 0 and " minus " not in text:
        return (BORN_ABROAD,)
    return (ALL,)


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group))


@dataclass
class OutcomeCell:
    group: str
    label: str
    name: str
    value: str
    stored: OutcomeValue | None


@dataclass
class OutcomeRow:
    outcome: ff.OutcomeIndicator
    indicator: Indicator
    cells: list[OutcomeCell]
    year: str
    source: str
    gap: float | None
    errors: list[str] = field(default_factory=list)

    @property
    def direction_label(self) -> str:
        return str(DIRECTION_LABELS.get(self.outcome.direction, self.outcome.direction))


def _text(value: float) -> str:
    return f"{value:g}"


def _gap(groups: tuple[str, ...], values: dict[str, OutcomeValue]) -> float | None:
    if len(groups) == 2 and all(g in values for g in groups):
        return round(values[groups[0]].value - values[groups[1]].value, 6)
    return None


def outcome_panel(*, assessment: Assessment, data: Any = None) -> list[OutcomeRow]:
    """The panel's rows in file order with the stored figures (or, with `data`, the figures as posted)."""
    parsed = framework_parsed(framework=assessment.framework)
    indicators = {i.code: i for i in indicator_list(framework=assessment.framework, outcome=True)}
    stored: dict[str, dict[str, OutcomeValue]] = {}
    for record in assessment.outcome_values.select_related("indicator"):
        stored.setdefault(record.indicator.code, {})[record.population_group] = record
    rows = []
    for outcome in parsed.outcome_panel:
        if outcome.code not in indicators:
            continue
        groups = outcome_groups(outcome)
        values = stored.get(outcome.code, {})
        first = next(iter(values.values()), None)
        cells = [
            OutcomeCell(group=g, label=group_label(g), name=f"{outcome.code}-{g}", stored=values.get(g),
                 value=_text(values[g].value) if g in values else "")
            for g in groups
        ]
        row = OutcomeRow(outcome=outcome, indicator=indicators[outcome.code], cells=cells,
                  year=str(first.year) if first else "", source=first.source if first else "",
                  gap=_gap(groups, values))
        if data is not None:
            for cell in cells:
                cell.value = data.get(cell.name, "").strip()
            row.year = data.get(f"{outcome.code}-year", "").strip()
            row.source = data.get(f"{outcome.code}-source", "").strip()
        rows.append(row)
    return rows
