"""Opening a page as a reader of one language, for the tests of what each language sees."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.accounts.factories import sign_in_as


def page_in(language: str, url: str, user: Any = None) -> str:
    """The HTML of `url` as a reader of `language` (signed in as `user` when given); the page must answer 200."""
    client = Client()
    if user is not None:
        sign_in_as(client, user)
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
