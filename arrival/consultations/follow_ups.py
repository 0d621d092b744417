"""Follow-ups: what later apps made from a contribution or an outcome paragraph (an extension point).

Consultations comes before commitments in the app order, so it cannot ask commitments what was made from its
records; a later app registers a provider instead (DESIGN.md, "an earlier app exposes a small registry that a
later app fills"):

- `made_from(kind=, ids=)` — for many contributions ("contribution") or paragraphs ("paragraph") at once, in one
  query, the records made from each, as forward links: {id: [FollowUp, …]};
- `actions(kind=, record=, user=)` — what `user` may make from this record ("Make a commitment from this
  contribution").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class FollowUp:
    label: str
    url: str
    status: str = ""


@dataclass(frozen=True)
class FollowUpAction:
    label: str
    url: str


class FollowUpProvider(Protocol):
    def made_from(self, *, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]: ...

    def actions(self, *, kind: str, record: Any, user: Any) -> list[FollowUpAction]: ...


_providers: list[FollowUpProvider] = []


def follow_up_provider_register(provider: FollowUpProvider) -> None:
    """Register a provider (once; registering it again changes nothing)."""
    if provider not in _providers:
        _providers.append(provider)


def follow_ups_made_from(*, kind: str, ids: list[int]) -> dict[int, list[FollowUp]]:
    """What every provider made from each record: {id: [FollowUp, …]} (ids with nothing are left out)."""
    found: dict[int, list[FollowUp]] = {}
    for provider in _providers:
        for pk, follow_ups in provider.made_from(kind=kind, ids=list(ids)).items():
            found.setdefault(pk, []).extend(follow_ups)
    return found


def follow_up_actions(*, kind: str, record: Any, user: Any) -> list[FollowUpAction]:
    """What `user` may make from `record`, from every provider."""
    return [action for provider in _providers for action in provider.actions(kind=kind, record=record, user=user)]
