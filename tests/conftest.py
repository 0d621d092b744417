"""Shared fixtures. Tests run against a real database: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Property tests check invariants, not speed: on a shared, busy machine a wall-clock deadline or the "too slow"
# health check fails a correct test. Speed has its benchmarks in bench/.
hypothesis_settings.register_profile("arrival", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("arrival")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # The manifest storage needs collectstatic; tests serve files straight from the apps.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Fast hashing keeps the suite quick; the production hasher is Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counts are shared by the processes of a machine: each test process keeps its own.
    settings.ARRIVAL_RATE_LIMIT_FILE = Path(tempfile.mkdtemp(prefix="arrival-rates-")) / "rate-limits.sqlite3"


@pytest.fixture(scope="session", autouse=True)
def _test_notification_kinds() -> None:
    """Kinds of notification the engagement tests send, registered like an app's."""
    from arrival.engagement.handoffs import notification_kind_register

    for key in ("tests.news", "tests.hello", "tests.thing"):
        notification_kind_register(key, group="Tests", label=key)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploads and the orphan-file pruner work in a throw-away folder, never in data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The database cache needs its table in every test database; flushes keep it."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _db_for_every_test(db: None) -> None:
    """Every test may use the real database (a rolled-back transaction; cheap)."""


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with empty rate-limit counters."""
    from arrival.core.ratelimit import rate_counts_clear

    rate_counts_clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a test that activates another must not leak it into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
