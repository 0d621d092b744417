"""In a real browser: sign up, see your account, open the second-factor set-up — accessible, in LTR and RTL."""

from __future__ import annotations

import re

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


def test_a_slowed_down_sign_in_says_how_long_to_wait_then_lets_the_person_in(page, settings):
    from axes.models import AccessAttempt

    from tests.accounts.factories import PASSWORD, UserFactory

    UserFactory(username="nightowl")
    # Many failures from this address (the browser's) just now: someone was guessing from the same connection.
    AccessAttempt.objects.create(
        username="someone-else",
        ip_address="127.0.0.1",
        user_agent="script",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=settings.ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT + 3,  # each attempt waits 8 s
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nightowl")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Please wait a moment").wait_for()
    seconds = int(re.search(r"Please try again in (\d) seconds?\.", page.content()).group(1))
    assert_no_serious_axe_violations(page)
    page.wait_for_timeout(seconds * 1000 + 200)
    page.get_by_role("link", name="Back to the sign-in page").click()
    page.get_by_label("Username").fill("nightowl")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/me/")
    page.goto("/accounts/me/data/")
    assert page.get_by_text("Successful sign-ins are not recorded.").is_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_staff_must_set_up_the_second_factor_before_reaching_moderation(page, language):
    from base64 import b32decode

    from django_otp.oath import totp

    from tests.accounts.factories import PASSWORD, StaffFactory

    staff = StaffFactory(username="moderator", preferred_language=language)
    page.goto("/engagement/moderation/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # The password is right, but a member of staff reaches nothing before the second factor is set up.
    page.wait_for_url("**/accounts/me/second-factor/?next=%2Fengagement%2Fmoderation%2F")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_serious_axe_violations(page)
    page.goto("/engagement/moderation/")
    page.wait_for_url("**/accounts/me/second-factor/**")
    page.locator("main form button[type=submit]").first.click()  # begin
    page.wait_for_selector(".qr-code svg")
    assert_no_serious_axe_violations(page)
    # "Scan" the code: the same key is on the page as text; the authenticator app computes the current code.
    secret = page.locator("code.secret").inner_text().strip()
    page.locator("main input[name=token]").fill(f"{totp(b32decode(secret)):06d}")
    page.locator("main form button[type=submit]").first.click()
    codes = page.locator(".recovery-codes code")
    codes.first.wait_for()
    assert codes.count() == 10
    assert_no_serious_axe_violations(page)
    page.locator("main a.button").click()
    page.wait_for_url("**/engagement/moderation/")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_serious_axe_violations(page)
