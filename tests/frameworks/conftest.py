from __future__ import annotations

import pytest

from arrival.frameworks.loader import load_frameworks


@pytest.fixture
def frameworks() -> dict[str, int]:
    """The shipped framework data, loaded into the test database."""
    return load_frameworks()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("curator", "pw-long-enough")


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("visitor", "pw-long-enough")
