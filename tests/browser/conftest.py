"""Playwright against Debian's chromium (never a downloaded browser) and pytest-django's live server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which(path):
        pytest.fail("Debian chromium is not installed: run scripts/bootstrap --with-browser as root")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _site_at_the_live_server(request, settings) -> None:  # noqa: ANN001
    """Links that leave a page (a guest's return link, an invitation) start with the site's configured address:
    in browser tests, the live server's."""
    if "live_server" in request.fixturenames:
        settings.ARRIVAL_SITE_URL = request.getfixturevalue("live_server").url


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def assert_no_serious_axe_violations(page) -> None:
    """axe-core, run inside the page, must find nothing serious or critical (WCAG 2.2 AA rules)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}})
    serious = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    assert not serious, "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious)


def sign_in(context, live_server, user) -> None:
    """Give a browser context the session of `user`, signed in through Django's test client — with the second
    factor passed for real when `user` must use one (staff, planners, administrators)."""
    from django.conf import settings
    from django.test import Client

    from arrival.accounts.selectors import second_factor_required
    from tests.accounts.factories import pass_second_factor

    client = Client()
    if second_factor_required(user):
        pass_second_factor(client, user)
    else:
        client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def page_as(browser, live_server, user):
    """A new page in its own context, signed in as `user` (several people in one test each get one)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(30_000)
    sign_in(context, live_server, user)
    return context.new_page()
