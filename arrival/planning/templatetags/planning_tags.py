"""Template helpers of the planning pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from arrival.planning.models import SECTOR_LABELS, SERVICE_LABELS, CapacityState

register = template.Library()


@register.filter
def declaration_rows(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A declaration kept as JSON (an objection's or an answer's revised declaration) as labelled rows."""
    values = values or {}
    states = dict(CapacityState.choices)
    capacities = values.get("capacities") or {}
    return {
        "services": [{"label": label, "value": (capacities.get(key) or {}).get("value"),
                      "state": states.get((capacities.get(key) or {}).get("state", ""), "")}
                     for key, label in SERVICE_LABELS.items() if key in capacities],
        "labour": [{"label": SECTOR_LABELS.get(sector, sector), "value": value}
                   for sector, value in (values.get("labour_demand") or {}).items()],
        "places_volunteered": values.get("places_volunteered"),
        "funding_needs": values.get("funding_needs"),
    }


@register.filter
def label_of(labels: Mapping[str, Any] | None, code: str) -> Any:
    """The label `labels` gives a code ("resettlement" → "Resettlement"), "" when it gives none."""
    return (labels or {}).get(code, "")


@register.filter
def category_label(category: Any) -> str:
    """A planning category's label; one of the default categories, still with its default English label, in the
    reader's language (the planner's own labels stay as written)."""
    from django.utils.translation import gettext

    from arrival.planning.services import DEFAULT_CATEGORIES

    if isinstance(category, Mapping):
        code, label = category.get("code"), str(category.get("label", ""))
    else:
        code, label = getattr(category, "code", None), str(getattr(category, "label", category))
    return gettext(label) if (code, label) in DEFAULT_CATEGORIES else label
