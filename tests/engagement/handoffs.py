"""Helpers for the hand-off tests of every app: who was notified (and who was not), and what waits in whose
"My work"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arrival.engagement.handoffs import work_provider_list
from arrival.engagement.models import Notification
from arrival.engagement.selectors import work_count, work_items, work_provider_count


def notified(kind: str) -> dict[int, Notification]:
    """The notifications of `kind`, by recipient id (the latest per person)."""
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind).order_by("created_at", "id")}


def assert_notified(kind: str, *, to: Iterable[Any], not_to: Iterable[Any] = (), url: str | None = None) -> dict[int, Notification]:
    """Everyone in `to` got a notification of `kind` (pointing to `url` when given), nobody in `not_to` did."""
    sent = notified(kind)
    for person in to:
        assert person.pk in sent, f"{person} was not notified of {kind}; notified: {sorted(sent)}"
        if url is not None:
            assert sent[person.pk].url == url, (sent[person.pk].url, url)
    for person in not_to:
        assert person.pk not in sent, f"{person} should not be notified of {kind}"
    return sent


def work_of(user: Any, kind: str | None = None) -> list[Any]:
    """What waits on `user` in "My work" (of provider `kind`, when given)."""
    return [item for item in work_items(user=user) if kind is None or item.kind == kind]


def assert_in_work(user: Any, kind: str, *, url: str | None = None) -> Any:
    """`user` finds an item of `kind` in "My work" (at `url` when given), and the header count includes it."""
    items = work_of(user, kind)
    if url is not None:
        items = [item for item in items if item.url == url]
    assert items, f"nothing of {kind} waits on {user}: {work_of(user)}"
    assert_counts_match(user)
    return items[0]


def assert_counts_match(user: Any) -> None:
    """Each provider's header count is the number of items it lists for `user`."""
    for provider in work_provider_list():
        assert work_provider_count(provider, user) == len(list(provider.items(user))), provider.key
    assert work_count(user=user) == len(work_items(user=user))


def assert_not_in_work(user: Any, kind: str, *, url: str | None = None) -> None:
    items = [item for item in work_of(user, kind) if url is None or item.url == url]
    assert not items, f"{user} should have nothing of {kind}: {items}"
    assert_counts_match(user)
