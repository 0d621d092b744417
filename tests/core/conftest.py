from __future__ import annotations

import pytest

from tests.core.served import migrated_database, served  # noqa: F401 - fixtures of the served-instance tests


@pytest.fixture(autouse=True)
def _jobs_not_eager(settings):
    settings.ARRIVAL_JOBS_EAGER = False


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username, "a-long-password", **extra)

    return make
