"""The practices section of an actor's profile: its published practices and the peer reviews its people gave.

`register()` is called from `PracticesConfig.ready()`; the section shows only for actors with something to list.
"""

from __future__ import annotations

from typing import Any

from arrival.actors.models import Actor
from arrival.actors.profile_sections import register_profile_section
from arrival.practices import selectors

SHOWN = 10


def profile_context(*, actor: Actor) -> dict[str, Any] | None:
    # A profile is public: published practices only, and reviews of published practices without reviewer names.
    practices = selectors.practices_for_government(government=actor)
    reviews = selectors.reviews_given_by_government(government=actor)
    shown_practices = list(practices[: SHOWN + 1])
    shown_reviews = list(reviews[:SHOWN])
    if not shown_practices and not shown_reviews:
        return None
    more = len(shown_practices) > SHOWN
    return {
        "practices": shown_practices[:SHOWN],
        "more_practices": more,
        "practice_count": practices.count() if more else len(shown_practices),
        "reviews": shown_reviews,
        "review_count": reviews.count() if len(shown_reviews) == SHOWN else len(shown_reviews),
    }


def register() -> None:
    register_profile_section("practices/_profile_section.html", profile_context, order=20)
