"""The registry behind "download my data" and "delete my account".

Each app that keeps records written by or about a person registers how to export them and how to erase them;
accounts calls every registered provider, so lower apps never need to know the higher ones. Providers run
inside the caller's transaction.

    register_personal_data("engagement", export=comments_export, erase=comments_erase)

- `export(user) -> dict | list` returns JSON-safe data (what the person wrote, supported, was notified of).
- `erase(user, *, keep_content_anonymised: bool) -> None` either detaches the person from their content
  (it stays, anonymised) or removes the content (removed records keep their place with a notice where a
  thread needs it); it must also redact the audit rows that hold the content (`core.services.audit_redact_target`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Export = Callable[[Any], Any]
Erase = Callable[..., None]


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    export: Export
    erase: Erase


_providers: dict[str, PersonalDataProvider] = {}


def register_personal_data(key: str, *, export: Export, erase: Erase) -> None:
    """Register (or replace, on reload) the provider named `key`, e.g. the app label."""
    _providers[key] = PersonalDataProvider(key=key, export=export, erase=erase)


def personal_data_providers() -> list[PersonalDataProvider]:
    return [_providers[key] for key in sorted(_providers)]
