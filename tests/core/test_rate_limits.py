"""Rate limits hold across the processes of `arrival serve`, and counting them writes nothing to the database."""

from __future__ import annotations

import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrival.core.ratelimit import rate_hit, rate_parse
from tests.core.served import get


def test_api_rate_limit_holds_across_three_worker_processes(served):
    port = served(ARRIVAL_API_RATE_ANON="120/min")
    with ThreadPoolExecutor(max_workers=15) as pool:
        statuses = Counter(pool.map(lambda _: get(port, "/api/v1/actors/countries?page_size=1"), range(450)))
    assert set(statuses) <= {200, 429}, statuses
    # Every hit is counted in the first second or two: a window of sixty slices forgets none of them.
    assert 110 <= statuses[200] <= 120, statuses


def test_counting_a_get_writes_nothing_to_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/actors/countries?page_size=1").status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    with sqlite3.connect(settings.ARRIVAL_RATE_LIMIT_FILE) as counts:
        assert counts.execute("SELECT sum(count) FROM hits WHERE key LIKE 'api:%'").fetchone()[0] >= 1


def test_a_refused_request_is_not_counted_and_the_window_slides(time_machine):
    time_machine.move_to("2026-01-01T00:00:00Z", tick=False)
    assert [rate_hit("k", limit=2, window=60).allowed for _ in range(3)] == [True, True, False]
    time_machine.shift(30)
    refused = rate_hit("k", limit=2, window=60)
    assert not refused.allowed and refused.retry_after == pytest.approx(30)
    time_machine.shift(30)
    assert [rate_hit("k", limit=2, window=60).allowed for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize("rate", ["１２/min", "12", "12/fortnight", "/m"])
def test_a_malformed_rate_is_refused(rate):
    with pytest.raises(ValueError, match="must look like"):
        rate_parse(rate)
