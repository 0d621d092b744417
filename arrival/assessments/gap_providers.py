"""The extension point behind the gap list: records "tagged like this indicator" from later apps.

Assessments sits before practices (DESIGN.md dependency rule), so it cannot ask them directly. A later app
registers a provider from its `AppConfig.ready()`:

    register_gap_provider(practices_for_gap)

`fn(*, indicator, framework_items, limit)` gets the `Indicator` row, the framework items (GCM objectives,
SDG targets, NUA paragraphs, governance domains) its framework file tags it with, and the most records to
return. It returns a list of dicts with `title` (in the reader's language where the record has it), `language`
(the language `title` is in; missing or "" when unknown), `url`, `badge` (a short label such as "Practice", may
be empty) and `is_demo`. With no provider registered the gap list says there are no linked records yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

GapProvider = Callable[..., list[dict[str, Any]]]

_REQUIRED_KEYS = ("title", "url")

# Keyed by the function's qualified name, so a reloaded app replaces its provider instead of adding it twice.
_PROVIDERS: dict[str, GapProvider] = {}


def register_gap_provider(fn: GapProvider) -> None:
    if not callable(fn):
        raise TypeError(f"gap provider {fn!r} must be callable")
    _PROVIDERS[f"{fn.__module__}.{fn.__qualname__}"] = fn


def unregister_gap_provider(fn: GapProvider) -> None:
    _PROVIDERS.pop(f"{fn.__module__}.{fn.__qualname__}", None)


def registered_gap_providers() -> list[GapProvider]:
    return list(_PROVIDERS.values())


def gap_records(*, indicator: Any, framework_items: Sequence[Any], limit: int) -> list[dict[str, Any]]:
    """What every provider returns for one indicator, each record checked and normalised."""
    records: list[dict[str, Any]] = []
    for provider in registered_gap_providers():
        for record in provider(indicator=indicator, framework_items=list(framework_items), limit=limit)[:limit]:
            missing = [key for key in _REQUIRED_KEYS if not record.get(key)]
            if missing:
                raise ValueError(f"gap provider {provider.__qualname__} returned a record without {', '.join(missing)}")
            records.append({
                "title": str(record["title"]),
                "url": str(record["url"]),
                "badge": str(record.get("badge") or ""),
                "is_demo": bool(record.get("is_demo", False)),
            })
    return records
