"""Notification settings in a real browser: a person goes from their inbox to the e-mail settings, chooses a
weekly digest, saves, and finds the choice kept after a reload; a person without an e-mail address is told no
e-mail is sent, and changes the setting in Arabic, right to left. Every page passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.engagement import selectors
from arrival.engagement.models import DigestPeriod
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_no_serious_axe_violations, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_EMAIL = "Your account has no e-mail address, so no e-mail is sent."


def test_choose_a_weekly_digest_and_find_it_kept_after_reload(browser, live_server):  # noqa: ANN001
    user = UserFactory(email="amina@example.org")
    page = page_as(browser, live_server, user)
    page.goto("/engagement/notifications/")
    page.get_by_role("main").get_by_role("link", name="Notification settings").click()
    expect(page).to_have_url(re.compile(r"/engagement/notifications/settings/$"))
    expect(page.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
    expect(page.get_by_text(NO_EMAIL)).to_have_count(0)
    choices = page.get_by_role("group", name="E-mail digest")
    expect(choices.get_by_role("radio")).to_have_count(3)
    expect(choices.get_by_label("Once a day")).to_be_checked()  # the default
    assert_no_serious_axe_violations(page)

    choices.get_by_label("Once a week").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification settings are saved.")
    expect(page).to_have_url(re.compile(r"/engagement/notifications/settings/$"))
    expect(page.get_by_label("Once a week")).to_be_checked()
    assert_no_serious_axe_violations(page)

    # Kind by kind: replies to my comments in the app only.
    replies = page.get_by_role("group", name="Someone replied to your comment")
    expect(replies.get_by_label("In the app and in my e-mail digest")).to_be_checked()
    replies.get_by_label("In the app only").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your notification settings are saved.")

    page.reload()
    expect(page.get_by_label("Once a week")).to_be_checked()
    expect(page.get_by_label("Once a day")).not_to_be_checked()
    expect(page.get_by_role("group", name="Someone replied to your comment").get_by_label("In the app only")).to_be_checked()
    assert selectors.notification_preferences_get(user=user)["engagement.reply"] == "in_app"
    expect(page.locator(".messages")).to_have_count(0)  # the message was shown once
    assert selectors.notification_settings_get(user=user) == DigestPeriod.WEEKLY

    page.get_by_role("main").get_by_role("link", name="Back to your notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    page.context.close()


def test_without_email_in_arabic_right_to_left(browser, live_server):  # noqa: ANN001
    user = UserFactory()
    page = page_as(browser, live_server, user)
    page.goto("/engagement/notifications/settings/")
    expect(page.get_by_text(NO_EMAIL)).to_be_visible()
    page.get_by_role("link", name="Your account").click()
    expect(page).to_have_url(re.compile(r"/accounts/me/$"))
    page.go_back()

    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(r"/engagement/notifications/settings/$"))
    assert_no_serious_axe_violations(page)

    form = page.locator("main form[method=post]")
    form.locator("input[name=digest_period][value=never]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.reload()
    expect(page.locator("input[name=digest_period][value=never]")).to_be_checked()
    assert selectors.notification_settings_get(user=user) == DigestPeriod.NEVER
    assert_no_serious_axe_violations(page)
    page.context.close()
