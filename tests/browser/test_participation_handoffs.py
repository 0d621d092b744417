"""Participation's hand-offs in a real browser: a resident posts a proposal → a neighbour supports and follows it
→ the city officer finds it in "My work" from the header count and answers → the neighbour is notified and
reads the answer. Also: the process form read in the Brussels zone, the commitment picker, and the pages a
resident reads in Arabic. axe-core checks every new or changed page in English and Arabic."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.engagement.phases import PhaseSpec
from arrival.participation import services
from arrival.participation.models import AnswerStatus, ParticipationProcess, Proposal, StatusKind
from tests.browser.conftest import assert_no_serious_axe_violations, page_as, sign_in
from tests.commitments.factories import published_commitment
from tests.participation.factories import city_with_officer, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCESS = "Welcoming neighbourhoods"
TITLE = "Evening language classes"
ANSWER = "Classes start in the community centre in September."


def _open_process(officer, city) -> ParticipationProcess:
    """Collecting now, and (as this city chose) supporting during collection; the city answers afterwards."""
    now, day = timezone.now(), dt.timedelta(days=1)
    collect = PhaseSpec(services.PHASE_COLLECT, now - day, now + 10 * day,
                        actions=[services.ACTION_CREATE, services.ACTION_SUPPORT, services.ACTION_COMMENT])
    answer = PhaseSpec(services.PHASE_ANSWER, now + 10 * day, now + 30 * day)
    return services.process_create(user=officer, owner=city, title=PROCESS, purpose="Tell the city what you need.",
                                   input_use="Every input is answered.", phases=[collect, answer],
                                   languages=["en", "ar"], categories=["Learning"])


def _in_arabic(page) -> None:
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def _axe_in_english_and_arabic(page) -> None:
    assert_no_serious_axe_violations(page)
    _in_arabic(page)
    assert_no_serious_axe_violations(page)


def test_a_proposal_reaches_the_officer_through_my_work_and_the_answer_reaches_its_followers(browser, live_server):
    city, officer = city_with_officer()
    process = _open_process(officer, city)

    # A resident posts a proposal.
    author = page_as(browser, live_server, resident())
    author.goto(process.get_absolute_url())
    author.get_by_role("link", name="Post a need or a proposal").click()
    author.get_by_label("Proposal", exact=True).check()
    author.get_by_label("Title", exact=True).fill(TITLE)
    author.get_by_label("Description", exact=True).fill("After work, near the market.")
    author.get_by_role("button", name="Publish").click()
    expect(author.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    proposal = Proposal.objects.get()
    author.context.close()

    # A neighbour supports it; following is ticked by default.
    neighbour = page_as(browser, live_server, resident())
    neighbour.goto(proposal.get_absolute_url())
    expect(neighbour.get_by_label("Tell me when someone comments and when the city answers")).to_be_checked()
    neighbour.get_by_role("button", name="Support", exact=True).click()
    expect(neighbour.get_by_role("button", name="Stop following")).to_be_visible()
    assert_no_serious_axe_violations(neighbour)

    # The officer needs no link from anyone: the header count leads to the proposal.
    team = page_as(browser, live_server, officer)
    team.goto("/")
    team.get_by_role("link", name="My work (1)").click()
    expect(team.get_by_role("heading", name="Needs and proposals to answer")).to_be_visible()
    assert_no_serious_axe_violations(team)
    team.get_by_role("link", name=f"Proposal no. {proposal.pk} in “{PROCESS}”").click()
    expect(team).to_have_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert_no_serious_axe_violations(team)
    team.get_by_label("Status").select_option(label="Accepted")
    team.get_by_label("Public answer", exact=True).fill(ANSWER)
    team.get_by_role("button", name="Publish the answer").click()
    expect(team.locator(".messages")).to_contain_text("The answer is published")
    # Answered, it leaves the queue; accepted, its report-back now waits.
    team.get_by_role("link", name="My work (1)").click()
    expect(team.get_by_role("heading", name="Accepted proposals to report back on")).to_be_visible()
    expect(team.get_by_role("heading", name="Needs and proposals to answer")).to_have_count(0)
    team.context.close()

    # The neighbour is told, in words that are the city's, and reads the answer.
    neighbour.goto("/")
    neighbour.get_by_role("link", name="1 new notification").click()
    notice = neighbour.get_by_role("button", name=f"The city answered a proposal you support in “{PROCESS}”: Accepted.",
                                   exact=True)
    expect(notice).to_be_visible()
    expect(neighbour.get_by_text(TITLE)).to_have_count(0)
    notice.click()
    expect(neighbour.get_by_text(ANSWER)).to_be_visible()
    neighbour.context.close()


def test_the_process_form_reads_times_in_the_brussels_zone(browser, live_server):
    city, officer = city_with_officer()
    page = page_as(browser, live_server, officer)
    page.goto("/participate/new/")
    assert_no_serious_axe_violations(page)
    expect(page.get_by_label("Time zone of the process")).to_have_value("Europe/Brussels")
    page.get_by_label("Title", exact=True).fill(PROCESS)
    page.get_by_label("Purpose", exact=True).fill("Tell the city what you need.")
    page.get_by_label("What the city will do with the input", exact=True).fill("Every input is answered.")
    legends = [text.strip() for text in page.locator("form > fieldset > legend").all_inner_texts()]
    assert legends == ["Translations", "Collect needs and proposals", "Support proposals", "The city answers",
                       "Report back"]
    collect = page.get_by_role("group", name="Collect needs and proposals")
    collect.get_by_label("Starts").fill("2027-01-11T09:00")
    collect.get_by_label("Ends").fill("2027-01-29T17:00")
    answer = page.get_by_role("group", name="The city answers")
    answer.get_by_label("Starts").fill("2027-01-29T17:00")
    answer.get_by_label("Ends").fill("2027-02-26T17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=PROCESS, level=1)).to_be_visible()
    process = ParticipationProcess.objects.get()
    phases = list(process.process.phases.order_by("position"))
    assert [p.phase_type for p in phases] == [services.PHASE_COLLECT, services.PHASE_ANSWER]
    assert phases[0].starts_at == dt.datetime(2027, 1, 11, 8, 0, tzinfo=dt.UTC)  # 09:00 in Brussels, in winter

    page.goto(f"/participate/{process.slug}/edit/")
    collect = page.get_by_role("group", name="Collect needs and proposals")
    expect(collect.get_by_label("Starts")).to_have_value("2027-01-11T09:00")
    _axe_in_english_and_arabic(page)
    page.context.close()


def test_the_commitment_picker_works_with_and_without_javascript(browser, live_server):
    city, officer = city_with_officer()
    process = _open_process(officer, city)
    proposal = services.proposal_create(user=resident(), process=process, title=TITLE, body="Near the market.",
                                        language="en")
    services.answer_create(user=officer, proposal=proposal, text=ANSWER,
                           status=AnswerStatus.objects.get(owner=city, kind=StatusKind.ACCEPTED))
    commitment = published_commitment(lead=city, title="Language classes in every district")["commitment"]

    page = page_as(browser, live_server, officer)
    page.goto(proposal.get_absolute_url())
    page.get_by_label("Find the commitment it became").press_sequentially("language cl", delay=30)
    results = page.locator("#commitment-results")
    expect(results.get_by_role("status")).to_have_text("1 published commitment matches.")
    assert_no_serious_axe_violations(page)
    results.get_by_role("button", name="Link Language classes in every district").click()
    expect(page.locator(".messages")).to_contain_text("The link is saved.")
    expect(page.get_by_role("link", name=re.compile("Language classes in every district"))).to_have_attribute(
        "href", commitment.get_absolute_url())
    page.context.close()

    # Without JavaScript, the same search is a page of results.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    sign_in(context, live_server, officer)
    plain = context.new_page()
    plain.goto(proposal.get_absolute_url())
    plain.get_by_label("Find the commitment it became").fill("district")
    plain.get_by_role("button", name="Search", exact=True).click()
    expect(plain.get_by_role("heading", name="Link to the commitment it became", level=1)).to_be_visible()
    expect(plain.locator("#commitment-results")).to_contain_text("Language classes in every district")
    context.close()
    js = page_as(browser, live_server, officer)
    js.goto(f"/participate/proposals/{proposal.pk}/commitments/?q=district")
    _axe_in_english_and_arabic(js)
    js.context.close()


def test_a_resident_reads_and_follows_a_proposal_in_arabic(browser, live_server):
    city, officer = city_with_officer()
    process = _open_process(officer, city)
    proposal = services.proposal_create(user=resident(), process=process, title="مكتبة للأطفال بلغات متعددة",
                                        body="ركن للأطفال في المكتبة العامة.", language="ar")
    page = page_as(browser, live_server, resident())
    page.goto(proposal.get_absolute_url())
    _in_arabic(page)
    expect(page.locator("h1[lang=ar][dir=rtl]")).to_have_text("مكتبة للأطفال بلغات متعددة")
    expect(page.locator("#support-follow")).to_be_checked()
    assert_no_serious_axe_violations(page)
    page.locator("#support-box button[type=submit]").click()
    expect(page.locator("#support-box form")).to_have_count(2)  # withdraw, and stop following
    assert_no_serious_axe_violations(page)
    # The guest form, with its optional address, in Arabic.
    page.context.clear_cookies()
    page.goto(f"/participate/{process.slug}/propose/")
    _in_arabic(page)
    expect(page.locator("#id_email")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.context.close()
