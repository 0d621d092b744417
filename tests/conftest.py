"""Shared fixtures. Tests run against a real database: SQLite by default, PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # The manifest storage needs collectstatic; tests serve files straight from the apps.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # Fast hashing keeps the suite quick; the production hasher is Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploads and the orphan-file pruner work in a throw-away folder, never in data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_table(db: None) -> None:  # the database cache backs throttles and must exist in every test DB
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
