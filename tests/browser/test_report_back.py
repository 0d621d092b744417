"""The report-back page of a participation process in a real browser: a resident follows the link from the
process page and finds every input with its status, the city's answer and what it became (a published
commitment, reached through its link); a hidden input is counted without its words; the optional demographic
totals show; a title with markup shows as typed. The page passes axe in English and, right to left, in Arabic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.engagement import services as engagement
from arrival.participation import services
from arrival.participation.links import COMMITMENT_TYPE
from arrival.participation.models import AnswerStatus, LinkKind, StatusKind
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.commitments.factories import published_commitment
from tests.participation.factories import city_with_officer, open_process, posted, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCEPTED = "Evening language classes"
WAITING = "مكتبة للأطفال بلغات متعددة"
HIDDEN = "Buy cheap watches here"
MARKUP = "Shade <b>and</b> benches & water"
ANSWER = "Classes start in the community centre in September."


def test_report_back_lists_every_input_its_answer_and_what_it_became(page):  # noqa: ANN001
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city, demographics_enabled=True)
    accepted = posted(process, resident(), title=ACCEPTED)
    posted(process, resident(), title=WAITING, body="ركن للأطفال في المكتبة العامة.", language="ar")
    hidden = posted(process, resident(), title=HIDDEN, body="Visit our shop.")
    posted(process, resident(), title=MARKUP, body="<script>alert(1)</script>")

    status = AnswerStatus.objects.get(owner=city, kind=StatusKind.ACCEPTED)
    services.answer_create(user=officer, proposal=accepted, status=status, text=ANSWER)
    commitment = published_commitment(lead=city, title="Language classes in every district")["commitment"]
    services.proposal_link_create(user=officer, proposal=accepted, kind=LinkKind.COMMITMENT,
                                  target_type=COMMITMENT_TYPE, target_id=commitment.pk,
                                  label="Commitment: language classes in every district",
                                  url=commitment.get_absolute_url())
    engagement.moderation_decide(user=officer, target=hidden, action="hide", reason="Advertising")
    services.demographics_submit(process=process, answers={"age": "30_44", "years_in_city": "under_1"})

    # A visitor, not signed in, follows the link from the process page.
    page.goto(process.get_absolute_url())
    page.get_by_role("link", name="What happened to every input").click()
    expect(page).to_have_url(re.compile(rf"/{process.slug}/report-back/$"))
    expect(page.get_by_role("heading", name="What happened to every input", level=1)).to_be_visible()
    expect(page.get_by_text("3 visible inputs.")).to_be_visible()
    expect(page.get_by_text("1 hidden by moderators.")).to_be_visible()

    by_status = page.get_by_role("table", name="Inputs by status")
    expect(by_status.get_by_role("row", name="Accepted")).to_contain_text("1")
    expect(by_status.get_by_role("row", name="Not answered yet")).to_contain_text("2")

    inputs = page.get_by_role("table", name="Inputs, their status, the city's answer and what they became")
    answered = inputs.get_by_role("row", name=re.compile(ACCEPTED))
    expect(answered).to_contain_text("Accepted")
    expect(answered).to_contain_text(ANSWER)
    expect(inputs.get_by_role("link", name=WAITING)).to_have_attribute("lang", "ar")
    expect(inputs.get_by_role("row", name=re.compile(WAITING))).to_contain_text("Not answered yet")
    expect(inputs).to_contain_text("Hidden by a moderator")
    expect(page.get_by_text(HIDDEN)).to_have_count(0)
    expect(inputs.get_by_role("link", name=MARKUP)).to_be_visible()  # shown as typed, never as markup
    expect(inputs.locator("b")).to_have_count(0)

    ages = page.get_by_role("table", name="Your age")
    expect(ages.get_by_role("row", name="30–44")).to_contain_text("1")
    expect(ages.get_by_role("row", name="Under 18")).to_contain_text("0")
    assert_no_serious_axe_violations(page)

    # The same page in Arabic reads right to left and still passes axe.
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(rf"/{process.slug}/report-back/$"))
    expect(page.get_by_role("link", name=ACCEPTED)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    # What the input became: the link leads to the published commitment, which names its origin.
    answered.get_by_role("link", name="Commitment: language classes in every district").click()
    expect(page).to_have_url(re.compile(re.escape(commitment.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Language classes in every district")
    expect(page.get_by_role("link", name=f"From resident proposal “{ACCEPTED}”")).to_be_visible()

    # And each input's title leads to its page with the answer.
    page.go_back()
    inputs.get_by_role("link", name=ACCEPTED).click()
    expect(page.locator("#proposal-title")).to_have_text(ACCEPTED)
    expect(page.get_by_text(ANSWER)).to_be_visible()
