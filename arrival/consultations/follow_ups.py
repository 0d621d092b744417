"""What later apps make from a contribution or an outcome paragraph — the extension point behind "Make a commitment
from this contribution" and the forward links ("Commitments made from this: …").

Consultations comes before commitments (DESIGN.md dependency rule), so it cannot ask commitments directly. A later
app registers a provider from its `AppConfig.ready()`:

    follow_up_provider_register(CommitmentFollowUps())

A provider answers two questions, for `kind` "contribution" or "paragraph":

- `made_from(kind=, ids=)`: the records made from each of these contributions or paragraphs, in one batch (no query
  per id): `{id: [FollowUp(label, url, status), …]}`; ids with nothing are left out;
- `actions(kind=, record=, user=)`: what `user` may make from this record now (`FollowUpAction(label, url)`), each
  a link to the later app's own form; the provider decides who may.

Consultations shows both on the contribution page and beside each paragraph of an outcome document's current version
(where a paragraph's forward links include those made from its earlier versions: the same paragraph, rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

KINDS = ("contribution", "paragraph")


@dataclass(frozen=True)
class FollowUp:
    """A record made from a contribution or an outcome paragraph."""

    label: str  # e.g. "Commitment: Open a welcome centre (Mechelen)"
    url: str
    status: str = ""  # e.g. "Published"
    # The label as HTML for pages, with the record's title marked with its language and names as names (the plain
    # `label` otherwise).
    label_html: str = ""


@dataclass(frozen=True)
class FollowUpAction:
    """Something the viewer may make from a contribution or a paragraph."""

    label: str  # e.g. "Make a commitment from this contribution"
    url: str


class FollowUpProvider(Protocol):
    def made_from(self, *, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]: ...

    def actions(self, *, kind: str, record: Any, user: Any) -> list[FollowUpAction]: ...


# Keyed by the provider's module and class (or module name), so an app registering again replaces its provider.
_providers: dict[str, FollowUpProvider] = {}


def _key(provider: Any) -> str:
    if isinstance(provider, ModuleType):
        return provider.__name__
    return f"{type(provider).__module__}.{type(provider).__qualname__}"


def follow_up_provider_register(provider: FollowUpProvider) -> None:
    """Register (or replace, on reload) what a later app makes from contributions and paragraphs."""
    if not callable(getattr(provider, "made_from", None)) or not callable(getattr(provider, "actions", None)):
        raise TypeError(f"follow-up provider {provider!r} needs made_from() and actions()")
    _providers[_key(provider)] = provider


def follow_up_provider_unregister(provider: FollowUpProvider) -> None:
    _providers.pop(_key(provider), None)


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"follow-ups are made from {' or '.join(KINDS)}, not {kind!r}")


def follow_ups_made_from(*, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]:
    """Every provider's records made from each of `ids`, merged: {id: [FollowUp, …]} (ids with none left out)."""
    _check(kind)
    ids = list(dict.fromkeys(ids))
    merged: dict[int, list[FollowUp]] = {}
    if not ids:
        return merged
    for provider in _providers.values():
        for record_id, follow_ups in provider.made_from(kind=kind, ids=ids).items():
            if follow_ups:
                merged.setdefault(record_id, []).extend(follow_ups)
    return merged


def follow_up_actions(*, kind: str, record: Any, user: Any) -> list[FollowUpAction]:
    """What `user` may make from `record` now, from every provider (nothing for an anonymous visitor)."""
    _check(kind)
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [action for provider in _providers.values()
            for action in provider.actions(kind=kind, record=record, user=user)]
