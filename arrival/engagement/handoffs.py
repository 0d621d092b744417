"""Hand-offs (DESIGN.md "Shared mechanisms"): the registries through which every app tells people what waits on
them.

Two registries, filled by the apps in `AppConfig.ready` (each app keeps its registrations in its own
`handoffs.py`; engagement knows none of them):

- **notification kinds** — every `notification_send(kind=…)` names a registered kind, so each person can choose,
  kind by kind, "in the app and my digest", "in the app only" or "off" (`notification_settings` page):

      notification_kind_register("assessments.submitted", group=_("Assessments"),
                                 label=_("An assessment is submitted for your validation"))

- **work providers** — the "My work" page asks each provider what waits on the signed-in person:

      work_provider_register("assessments.validate", label=_("Assessments to validate"),
                             items=selectors.validation_work_items, count=selectors.validation_work_count)

  `items(user)` returns `WorkItem`s (only what waits on this person); `count(user)` returns the queryset of the
  same records (unevaluated: the header adds every provider's into ONE query on every page), or an int.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

# --- Notification kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: Any  # a lazy translation: what the person receives, e.g. "An assessment is submitted for your validation"
    group: Any  # a lazy translation: the app, e.g. "Assessments"


_kinds: dict[str, NotificationKind] = {}


def notification_kind_register(key: str, *, label: Any, group: Any) -> NotificationKind:
    """Register (or replace, on reload) the notification kind `key` ("<app>.<event>")."""
    app, sep, event = key.partition(".")
    if not sep or not app or not event or len(key) > 80:
        raise ValueError(f"A notification kind is written '<app>.<event>' (at most 80 characters), not {key!r}.")
    entry = NotificationKind(key=key, label=label, group=group)
    _kinds[key] = entry
    return entry


def notification_kind_unregister(key: str) -> NotificationKind | None:
    """Take the kind `key` out (tests that need the registry as an installation has it); the kind, if any."""
    return _kinds.pop(key, None)


def notification_kind_get(key: str) -> NotificationKind:
    """The registered kind; KeyError names the kind when an app sends one it did not register."""
    try:
        return _kinds[key]
    except KeyError:
        raise KeyError(f"Notification kind {key!r} is not registered (notification_kind_register).") from None


def notification_kind_list() -> list[NotificationKind]:
    """Every registered kind, grouped by app (in the order apps registered), then in registration order."""
    groups: dict[str, int] = {}
    for kind in _kinds.values():
        groups.setdefault(str(kind.group), len(groups))
    order = {key: index for index, key in enumerate(_kinds)}
    return sorted(_kinds.values(), key=lambda kind: (groups[str(kind.group)], order[kind.key]))


# --- Work providers ("My work") -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """One thing that waits on a person: what to do, on which record, since when, until when."""

    kind: str  # the provider key, e.g. "assessments.validate"
    action: str  # what to do, in the viewer's language: "Validate", "Answer the objection"…
    title: str  # the record's name, e.g. "Mechelen · LMGF 1.0 · 2026"
    url: str
    waiting_since: datetime
    deadline: datetime | None = None
    for_actor: str = ""  # the government or network the person acts for here, when it helps


WorkItems = Callable[[Any], Iterable[WorkItem]]
WorkCount = Callable[[Any], "QuerySet[Any] | int"]


@dataclass(frozen=True)
class WorkProvider:
    key: str
    label: Any  # a lazy translation: the heading in "My work", e.g. "Assessments to validate"
    items: WorkItems
    count: WorkCount


_providers: dict[str, WorkProvider] = {}


def work_provider_register(key: str, *, label: Any, items: WorkItems, count: WorkCount) -> WorkProvider:
    """Register (or replace, on reload) what an app knows waits on people."""
    entry = WorkProvider(key=key, label=label, items=items, count=count)
    _providers[key] = entry
    return entry


def work_provider_list() -> list[WorkProvider]:
    return list(_providers.values())
