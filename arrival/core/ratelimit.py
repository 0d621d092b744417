"""Rate limits counted once for every process of the site (API reads, posts).

Counts live in Redis when `REDIS_URL` is set (the "throttle" cache: one count for every server), otherwise in a
small SQLite file of their own (`ARRIVAL_RATE_LIMIT_FILE`, beside the data) that every process of the machine
shares — never in the main database, so a counted GET writes nothing there. Both stores increment atomically
(Redis INCR; SQLite's upsert under its write lock), so concurrent requests in several workers cannot lose a count.

A window is counted in sixtieths: a request is admitted when the hits of the last sixty slices, its own included,
are at most the limit. A hit is forgotten between 59/60 and one window after it happened. A request counts itself
before it reads the total, and a refused request takes its count back, so concurrent requests may refuse each
other at the edge but never admit more than the limit, and a client that slows down gets through again.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

SLICES = 60
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """'120/min' → (120, 60): a count and a window in seconds (units s, sec, m, min, h, hour, d, day)."""
    count, _sep, unit = rate.partition("/")
    seconds = _UNITS.get(unit.strip().lower())
    if not count.strip().isascii() or not count.strip().isdigit() or seconds is None:
        raise ValueError(f"A rate must look like '120/min' or '10/m', not {rate!r}.")
    return int(count), seconds


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: float | None = None  # when refused: seconds until the oldest counted hit is forgotten


class _SQLiteCounters:
    """Counters in one SQLite file shared by the processes of a machine; one connection per thread and process."""

    PRUNE_EVERY = 60.0

    def __init__(self) -> None:
        self._local = threading.local()
        self._pruned_at = 0.0

    def _connection(self) -> sqlite3.Connection:
        path = Path(settings.ARRIVAL_RATE_LIMIT_FILE)
        key = (os.getpid(), str(path))  # a forked worker, or a changed setting, opens its own
        if getattr(self._local, "key", None) != key:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
            # Counts need no durability across a crash: no fsync, and WAL so readers never wait.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, slice INTEGER NOT NULL, count INTEGER NOT NULL,"
                " expires REAL NOT NULL, PRIMARY KEY (key, slice)) WITHOUT ROWID"
            )
            self._local.connection, self._local.key = connection, key
        shared: sqlite3.Connection = self._local.connection
        return shared

    def increment(self, key: str, slice_: int, *, ttl: float) -> None:
        connection = self._connection()
        now = time.time()
        if now - self._pruned_at > self.PRUNE_EVERY:
            self._pruned_at = now
            connection.execute("DELETE FROM hits WHERE expires < ?", (now,))
        connection.execute(
            "INSERT INTO hits (key, slice, count, expires) VALUES (?, ?, 1, ?)"
            " ON CONFLICT (key, slice) DO UPDATE SET count = count + 1",
            (key, slice_, now + ttl),
        )

    def counts(self, key: str, slices: list[int]) -> dict[int, int]:
        rows = self._connection().execute(
            "SELECT slice, count FROM hits WHERE key = ? AND slice BETWEEN ? AND ?", (key, slices[0], slices[-1])
        )
        return {int(slice_): int(count) for slice_, count in rows}

    def decrement(self, key: str, slice_: int) -> None:
        self._connection().execute("UPDATE hits SET count = count - 1 WHERE key = ? AND slice = ?", (key, slice_))

    def clear(self) -> None:
        self._connection().execute("DELETE FROM hits")


class _CacheCounters:
    """Counters in the "throttle" cache (Redis): add and incr are atomic there."""

    @staticmethod
    def _name(key: str, slice_: int) -> str:
        return f"rate:{key}:{slice_}"

    def increment(self, key: str, slice_: int, *, ttl: float) -> None:
        cache, name = caches["throttle"], self._name(key, slice_)
        if not cache.add(name, 1, math.ceil(ttl)):
            try:
                cache.incr(name)
            except ValueError:  # expired between add and incr
                cache.add(name, 1, math.ceil(ttl))

    def counts(self, key: str, slices: list[int]) -> dict[int, int]:
        found = caches["throttle"].get_many([self._name(key, slice_) for slice_ in slices])
        return {slice_: int(found.get(self._name(key, slice_), 0)) for slice_ in slices}

    def decrement(self, key: str, slice_: int) -> None:
        try:
            caches["throttle"].decr(self._name(key, slice_))
        except ValueError:
            pass  # expired: nothing left to take back

    def clear(self) -> None:
        caches["throttle"].clear()


_sqlite_counters = _SQLiteCounters()
_cache_counters = _CacheCounters()


def _counters() -> _SQLiteCounters | _CacheCounters:
    return _cache_counters if "throttle" in settings.CACHES else _sqlite_counters


def rate_hit(key: str, *, limit: int, window: int) -> RateDecision:
    """Count one request for `key` against `limit` per `window` seconds; a refused request is not counted."""
    counters = _counters()
    now = time.time()
    width = window / SLICES
    current = math.floor(now / width)
    key = f"{key}:{window}"
    counters.increment(key, current, ttl=window + width)
    counts = counters.counts(key, list(range(current - SLICES + 1, current + 1)))
    if sum(counts.values()) <= limit:
        return RateDecision(allowed=True)
    counters.decrement(key, current)
    oldest = min((slice_ for slice_, count in counts.items() if count > 0), default=current)
    return RateDecision(allowed=False, retry_after=max((oldest + SLICES) * width - now, 1.0))


def rate_counts_clear() -> None:
    """Forget every count (tests, or an operator lifting limits at once)."""
    _counters().clear()
