"""What practices hands on to people: its kinds of notification and what it puts in their "My work"
(arrival.engagement.handoffs)."""

from __future__ import annotations


def register() -> None:
    """Nothing yet."""
