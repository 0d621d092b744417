""""My work" in a real browser: a person sees the count in the header on any page, follows it to the page that
lists what waits on them (oldest first, deadlines in their own time zone, overdue marked) and reaches the record;
the page and its empty state pass axe in English and in Arabic, right to left."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.engagement.handoffs import WorkItem, _providers, work_provider_register
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_no_serious_axe_violations, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting():
    """What waits on whom, served by a provider registered like an app's (the live server shares the process)."""
    items: dict[int, list[WorkItem]] = {}
    work_provider_register("tests.review", label="Things to review", items=lambda user: items.get(user.pk, []),
                           count=lambda user: len(items.get(user.pk, [])))
    yield items
    del _providers["tests.review"]


def test_from_the_header_count_to_the_work_oldest_first_in_my_time_zone(browser, live_server, waiting):  # noqa: ANN001
    user = UserFactory(time_zone="America/Bogota")
    now = timezone.now()
    waiting[user.pk] = [
        WorkItem(kind="tests.review", action="Review", title="Second in line", url="/frameworks/",
                 waiting_since=now - timedelta(days=1), deadline=now + timedelta(days=3)),
        WorkItem(kind="tests.review", action="Review", title="First in line", url="/places/",
                 waiting_since=now - timedelta(days=5), deadline=datetime(2026, 1, 5, 14, 0, tzinfo=UTC)),
    ]
    page = page_as(browser, live_server, user)
    page.goto("/frameworks/")
    page.get_by_role("link", name="My work (2)").click()
    expect(page).to_have_url(re.compile(r"/engagement/work/$"))
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("First in line")
    expect(rows.nth(0)).to_contain_text("5 January 2026, 09:00 (America/Bogota)")
    expect(rows.nth(0)).to_contain_text("overdue")
    expect(rows.nth(1)).not_to_contain_text("overdue")
    assert_no_serious_axe_violations(page)

    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(2)
    assert_no_serious_axe_violations(page)
    page.select_option("#lang-select", "en")

    page.get_by_role("link", name="First in line").click()
    expect(page).to_have_url(re.compile(r"/places/$"))
    page.context.close()


def test_nothing_waiting_says_so_in_english_and_arabic(browser, live_server, waiting):  # noqa: ANN001
    page = page_as(browser, live_server, UserFactory())
    page.goto("/engagement/work/")
    expect(page.get_by_text("Nothing waits on you now.")).to_be_visible()
    expect(page.locator("header").get_by_role("link", name="My work", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert_no_serious_axe_violations(page)
    page.context.close()
