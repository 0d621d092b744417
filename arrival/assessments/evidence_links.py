"""The extension point behind "linked records" on an answer's evidence: later apps say which of their records
were given as evidence for an indicator's answer (participation: resident proposals the city accepted).

Assessments sits below them (DESIGN.md dependency rule), so they register from `AppConfig.ready()`:

    register_evidence_link_provider(fn)   # fn(answer) -> [(label, url), …]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

EvidenceLinkProvider = Callable[[Any], list[tuple[str, str]]]

_PROVIDERS: dict[str, EvidenceLinkProvider] = {}


def register_evidence_link_provider(fn: EvidenceLinkProvider) -> None:
    if not callable(fn):
        raise TypeError(f"evidence link provider {fn!r} must be callable")
    _PROVIDERS[f"{fn.__module__}.{fn.__qualname__}"] = fn


def evidence_links(answer: Any) -> list[tuple[str, str]]:
    """(label, url) of every record a registered provider links to `answer`."""
    if answer is None or getattr(answer, "pk", None) is None:
        return []
    return [row for provider in _PROVIDERS.values() for row in provider(answer)]
