"""Every address the README's table of pages lists answers: a page, or for signed-in pages the way to sign in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

README = Path(__file__).resolve().parents[1] / "README.md"


def _addresses() -> list[str]:
    table = README.read_text().split("## Pages a visitor can open", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"`(/[^`<]*)`", table)
    assert len(found) >= 15, found
    return sorted(set(found))


@pytest.fixture(autouse=True)
def _reference_frameworks() -> None:
    """The assessments pages read the indicator framework that `arrival setup` loads."""
    from arrival.assessments.loader import load_indicator_frameworks

    load_indicator_frameworks()


@pytest.mark.parametrize("address", _addresses())
def test_every_address_the_readme_lists_answers(address: str) -> None:
    response = Client().get(address)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"] or response.url.startswith("/accounts/"), response.url
        response = Client().get(response.url, follow=True)
    assert response.status_code == 200, f"{address} answers {response.status_code}"
