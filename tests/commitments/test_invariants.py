"""Invariants, checked with hypothesis over random histories of progress updates."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.commitments import selectors, services
from tests.commitments.factories import at, published_commitment

STATUS = st.sampled_from(["planning", "in_progress", "lapsed", "fulfilled"])
UPDATE = st.tuples(st.integers(min_value=0, max_value=900), STATUS, st.integers(min_value=0, max_value=100))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(updates=st.lists(UPDATE, min_size=1, max_size=6))
def test_current_progress_is_the_latest_update_and_yearly_means_stay_in_range(updates):
    parts = published_commitment(when=dt.datetime(2026, 1, 10, tzinfo=dt.UTC), starts_on=dt.date(2023, 1, 1))
    commitment = parts["commitment"]
    added = []
    with at(dt.datetime(2026, 6, 30, tzinfo=dt.UTC)):
        for days_back, status, percent in updates:
            percent = 100 if status == "fulfilled" else percent
            added.append(services.progress_update_add(
                user=parts["team"], commitment=commitment, status=status, percent=percent, narrative="Update.",
                reported_on=dt.date(2026, 6, 30) - dt.timedelta(days=days_back)))
        board = selectors.dashboard_government(government=parts["lead"])
    latest = max(added, key=lambda u: (u.reported_on, u.published_at, u.pk))
    commitment.refresh_from_db()
    assert (commitment.progress_status, commitment.progress_percent) == (latest.status, latest.percent)
    assert [row["year"] for row in board.over_time] == [2023, 2024, 2025, 2026]
    for row in board.over_time:
        assert 0 <= row["mean_percent"] <= 100 and 0 <= row["fulfilled_share"] <= 100
    assert board.over_time[-1]["mean_percent"] == latest.percent
