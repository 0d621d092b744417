"""In a real browser: sign up, see your account, open the second-factor set-up — accessible, in LTR and RTL."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_account_page_and_second_factor_are_accessible(page):
    page.goto("/accounts/signup/")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Username").fill("nightowl")
    page.get_by_label("Display name").fill("Night Owl")
    page.get_by_label("Preferred language").select_option("ar")
    page.locator("#id_password1").fill("correct horse battery staple")
    page.locator("#id_password2").fill("correct horse battery staple")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/me/")
    # The preferred language applies at once: the account page is in Arabic, right to left.
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.reload()  # without the one-off welcome message, which base.html lists in its own region
    assert_no_serious_axe_violations(page)
    page.goto("/accounts/me/second-factor/")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector(".qr-code svg")
    assert_no_serious_axe_violations(page)
