"""The commitments section of an actor's profile: the public commitments it leads or partners in, with their
progress, overdue milestones flagged, and what it reported to which forum.

`register()` is called from `CommitmentsConfig.ready()`; the section shows only for actors with something to list.
"""

from __future__ import annotations

from typing import Any

from arrival.actors.models import Actor
from arrival.actors.profile_sections import register_profile_section
from arrival.commitments import selectors

SHOWN = 10


def profile_context(*, actor: Actor) -> dict[str, Any] | None:
    commitments = selectors.commitments_for_government(government=actor)
    shown = list(commitments[: SHOWN + 1])
    if not shown:
        return None
    reports = list(selectors.reports_for_government(government=actor)[:SHOWN])
    return {
        "commitments": shown[:SHOWN],
        "more_commitments": len(shown) > SHOWN,
        "commitment_count": commitments.count() if len(shown) > SHOWN else len(shown),
        "forum_reports": reports,
    }


def register() -> None:
    register_profile_section("commitments/_profile_section.html", profile_context, order=40)
