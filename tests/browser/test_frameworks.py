"""The frameworks pages in a real browser: accessible, with the crosswalk labelled as Arrival's proposal."""

import re

import pytest
from playwright.sync_api import expect

from arrival.frameworks.loader import load_frameworks
from tests.browser.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/frameworks/", "/frameworks/crosswalk/", "/frameworks/gcm_objective/15/"])
def test_frameworks_pages_have_no_serious_accessibility_violations(page, path):
    load_frameworks()
    page.goto(path)
    assert page.locator(".badge-proposal").first.is_visible()
    assert_no_serious_axe_violations(page)


def test_item_page_in_arabic_is_right_to_left(page):
    load_frameworks()
    page.goto("/frameworks/gcm_objective/15/")
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(r"/frameworks/gcm_objective/15/$"))
    assert_no_serious_axe_violations(page)
