"""Resident participation in a real browser: a guest posts a proposal in Arabic → two residents support it →
the city answers → the guest comes back through their secret link and reads the answer. axe-core checks the
process, proposal and answer pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.engagement.phases import PhaseSpec
from arrival.participation import services
from arrival.participation.models import Proposal
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.participation.factories import city_with_officer, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "مكتبة للأطفال بلغات متعددة"
ANSWER = "The library will open a children's corner in May."


def _phases(collect_open: bool) -> list[PhaseSpec]:
    now = timezone.now()
    day = dt.timedelta(days=1)
    switch = now + day if collect_open else now - dt.timedelta(hours=1)
    return [PhaseSpec(services.PHASE_COLLECT, now - 10 * day, switch),
            PhaseSpec(services.PHASE_SUPPORT, switch, switch + 10 * day),
            PhaseSpec(services.PHASE_ANSWER, switch + 10 * day, switch + 20 * day)]


def test_guest_proposal_in_arabic_supported_answered_and_read_back(browser, page, live_server):
    city, officer = city_with_officer()
    process = services.process_create(user=officer, owner=city, title="Welcoming neighbourhoods",
                                      purpose="Tell the city what you need.", input_use="Every input is answered.",
                                      phases=_phases(collect_open=True), languages=["en", "ar"],
                                      categories=["Culture", "Housing"])

    # A guest, not signed in, reads the process page and posts in Arabic.
    page.goto(process.get_absolute_url())
    expect(page.get_by_role("heading", name="Your privacy")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Post a need or a proposal").click()
    expect(page.get_by_role("heading", name="Taking part as a guest")).to_be_visible()
    page.get_by_label("Name to show (a pseudonym is fine)").fill("ليلى")
    page.get_by_label("Need").check()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill("نقترح ركناً في المكتبة العامة فيه كتب للأطفال بالعربية.")
    page.get_by_label("Language you write in").select_option("ar")
    page.get_by_label("Category").select_option(label="Culture")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Your proposal is published")).to_be_visible()
    guest_link = page.get_by_label("Secret link").input_value()
    assert "/participate/guest/" in guest_link
    page.context.clear_cookies()  # the guest closes the browser

    proposal = Proposal.objects.get()
    assert proposal.language == "ar" and proposal.author.email is None

    # The support phase begins; two residents support it.
    services.process_update(user=officer, process=process, phases=_phases(collect_open=False))
    for person in (resident(), resident()):
        other = page_as(browser, live_server, person)
        other.goto(proposal.get_absolute_url())
        expect(other.locator("h1[lang=ar][dir=rtl]")).to_have_text(TITLE)
        other.get_by_role("button", name="Support").click()
        expect(other.get_by_role("button", name="Withdraw my support")).to_be_visible()
        other.context.close()
    assert Proposal.objects.get(pk=proposal.pk).support_count == 2

    # The city answers.
    team = page_as(browser, live_server, officer)
    team.goto(proposal.get_absolute_url())
    expect(team.get_by_text("2 people support this.")).to_be_visible()
    assert_no_serious_axe_violations(team)
    team.get_by_label("Status").select_option(label="Accepted")
    team.get_by_label("Public answer", exact=True).fill(ANSWER)
    team.get_by_role("button", name="Publish the answer").click()
    expect(team.locator(".messages")).to_contain_text("The answer is published")
    team.context.close()

    # The guest comes back through the secret link and reads the answer.
    page.goto(guest_link)
    expect(page.locator("h1[lang=ar]")).to_have_text(TITLE)
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_text("You are signed in as a guest.", exact=False)).to_be_visible()
    # Behind the secret link the guest also has the notification, in the city's words, not their own.
    page.get_by_role("link", name="1 new notification").click()
    expect(page.get_by_role("button", name="The city answered your proposal in “Welcoming neighbourhoods”: Accepted.",
                            exact=True)).to_be_visible()
    page.go_back()
    assert_no_serious_axe_violations(page)
