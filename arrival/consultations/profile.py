"""The consultations section of a government's (or network's) profile: its contributions and endorsements."""

from __future__ import annotations

from typing import Any

from arrival.actors.models import Actor
from arrival.actors.profile_sections import register_profile_section
from arrival.consultations import selectors

SHOWN = 10


def profile_context(*, actor: Actor) -> dict[str, Any] | None:
    contributions = list(selectors.contribution_list_for_actor(actor=actor)[: SHOWN + 1])
    endorsements = list(selectors.endorsement_list_for_actor(actor=actor)[: SHOWN + 1])
    if not contributions and not endorsements:
        return None
    return {"contributions": contributions[:SHOWN], "more_contributions": len(contributions) > SHOWN,
            "endorsements": endorsements[:SHOWN], "more_endorsements": len(endorsements) > SHOWN,
            "profile_actor": actor}


def register() -> None:
    register_profile_section("consultations/_profile_section.html", profile_context, order=30)
