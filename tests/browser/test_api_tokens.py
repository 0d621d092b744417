"""In a real browser: create an API token with a chosen term and scope, see its key once, see it listed with
its scope, expiry and last use, revoke it — accessible, in English and in Arabic (right to left)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from arrival.accounts.models import ApiToken
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_no_serious_axe_violations, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_see_once_list_and_revoke_a_token(browser, live_server):  # noqa: ANN001
    user = UserFactory()
    page = page_as(browser, live_server, user)
    page.goto("/accounts/me/")
    assert_no_serious_axe_violations(page)
    form = page.locator("form[action$='/accounts/me/tokens/']")
    form.get_by_label("Token name").fill("monthly export")
    form.get_by_label("Read and write").check()
    form.get_by_label("Valid for").select_option("30")
    form.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="Your new API token", level=1)).to_be_visible()
    key = page.get_by_label("Key").input_value()
    token = ApiToken.objects.get(user=user)
    assert key.startswith(token.prefix) and token.scope == "write"
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(minutes=1)
    expect(page.get_by_text("Read and write")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Back to your account").click()
    row = page.get_by_role("row", name=re.compile("monthly export"))
    expect(row).to_contain_text(token.prefix)
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text("never")
    assert key not in page.content()  # the key is shown once only
    assert_no_serious_axe_violations(page)
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("row", name=re.compile("monthly export"))).to_contain_text("revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
    page.context.close()


def test_the_token_list_in_arabic_right_to_left(browser, live_server):  # noqa: ANN001
    user = UserFactory()
    page = page_as(browser, live_server, user)
    page.goto("/accounts/me/")
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.locator("form[action$='/accounts/me/tokens/']")
    form.locator("input[name=name]").fill("تصدير شهري")
    form.locator("input[name=scope][value=read]").check()
    form.locator("select[name=days_valid]").select_option("7")
    form.locator("button[type=submit]").click()
    expect(page.locator("#api-key")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_serious_axe_violations(page)
    page.goto("/accounts/me/")
    expect(page.get_by_role("row", name=re.compile("تصدير شهري"))).to_be_visible()
    assert_no_serious_axe_violations(page)
    token = ApiToken.objects.get(user=user)
    assert token.scope == "read" and round((token.expires_at - token.created_at) / timedelta(days=1)) == 7
    page.context.close()
