"""The participation section of a local government's profile: the processes it opened for its residents."""

from __future__ import annotations

from typing import Any

from arrival.actors.models import Actor
from arrival.actors.profile_sections import register_profile_section
from arrival.participation import selectors

SHOWN = 10


def profile_context(*, actor: Actor) -> dict[str, Any] | None:
    processes = list(selectors.processes_for_owner(owner=actor)[: SHOWN + 1])
    if not processes:
        return None
    return {"participation_processes": processes[:SHOWN], "more_participation": len(processes) > SHOWN}


def register() -> None:
    register_profile_section("participation/_profile_section.html", profile_context, order=50)
