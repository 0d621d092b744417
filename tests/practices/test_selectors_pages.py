"""Reads behind the curator's pages: who reviews a practice, and what a call received."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from arrival.practices import selectors
from tests.practices.factories import (
    CallFactory,
    assign_and_accept,
    curator,
    draft_practice,
    in_review_practice,
    officer_for,
    published_practice,
    team_of,
)


def test_reviewer_assignments_are_for_curators_only() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    first = assign_and_accept(practice, by=by)
    second = assign_and_accept(practice, by=by)
    assert selectors.assignment_list_for_practice(practice=practice, viewer=by) == [first, second]
    for outsider in (team_of(practice), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            selectors.assignment_list_for_practice(practice=practice, viewer=outsider)


def test_a_call_shows_every_stage_to_curators_and_only_published_practices_to_others() -> None:
    call = CallFactory()
    published = published_practice()
    submitted = draft_practice(title="Still in screening")
    for practice in (published, submitted):
        practice.call = call
        practice.save(update_fields=["call"])
    draft_practice(title="Not submitted to the call")

    assert set(selectors.call_practices(call=call, viewer=curator())) == {published, submitted}
    assert list(selectors.call_practices(call=call, viewer=officer_for(published.governments.get()))) == [published]
    assert list(selectors.call_practices(call=call, viewer=AnonymousUser())) == [published]
    assert selectors.call_stage_counts(call=call) == {"published": 1, "draft": 1}
