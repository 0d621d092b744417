"""Commitments hand-offs and joints in a real browser.

1. An officer drafts a commitment from her city's contribution through the prefilled form, sends it for internal
   approval → her administrator sees "My work (1)" in the header, finds it there and approves it → the officer is
   notified and finds "Submit for publication" in her own "My work".
2. The team marks a milestone done on a day it chooses, and records two values of an indicator: the commitment
   page draws the series as a chart with the values in a table beside it.

axe finds nothing serious or critical on these pages, in English and in Arabic (right to left).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.commitments.models import Commitment
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.commitments.factories import person, published_commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_arabic(page) -> None:  # noqa: ANN001
    page.select_option("#lang-select", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def _click_and_see(page, button: str, message: str) -> None:  # noqa: ANN001
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(message)


def test_a_commitment_from_a_contribution_reaches_the_administrator_and_the_decision_reaches_the_officer(
        browser, live_server, tmp_path):  # noqa: ANN001
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    contribution, officer_user = flow["contributions"][0], flow["users"][0]
    admin_user = person(flow["cities"][0], RoleKind.ADMINISTRATOR)

    # The officer opens the form prefilled from her city's contribution and saves the draft.
    officer = page_as(browser, live_server, officer_user)
    officer.goto(f"/commitments/new/?contribution={contribution.pk}")
    expect(officer.locator(".message")).to_contain_text("Prefilled from the contribution")
    expect(officer.get_by_label("Title", exact=True)).to_have_value(contribution.title)
    expect(officer.get_by_label("Description", exact=True)).to_have_value(re.compile("one desk for all services"))
    expect(officer.get_by_label("Lead government or network")).to_have_value(str(contribution.actor_id))
    officer.get_by_label("Policy", exact=True).check()
    officer.get_by_label("Target date").fill((timezone.localdate() + dt.timedelta(days=365)).isoformat())
    assert_no_serious_axe_violations(officer)
    _click_and_see(officer, "Save the draft", "Draft commitment saved")
    commitment = Commitment.objects.get(source_contribution=contribution)
    _click_and_see(officer, "Send for internal approval", "Sent to your administrators for approval")
    assert_no_serious_axe_violations(officer)

    # The administrator needs no address from anyone: the header count leads to the work.
    admin = page_as(browser, live_server, admin_user)
    admin.goto("/")
    admin.get_by_role("link", name="My work (1)").click()
    expect(admin.get_by_role("heading", name="Commitments to approve")).to_be_visible()
    expect(admin.locator("main")).to_contain_text("Approve or send back")
    assert_no_serious_axe_violations(admin)
    admin.get_by_role("link", name=commitment.title).click()
    expect(admin).to_have_url(re.compile(rf"/commitments/{commitment.pk}/$"))
    _click_and_see(admin, "Approve", "Approved")
    expect(admin.get_by_role("link", name="My work", exact=True)).to_be_visible()  # nothing left waiting
    admin.context.close()

    # The officer is told, and finds the next step in her own "My work".
    officer.goto("/")
    officer.get_by_role("link", name=re.compile(r"new notification")).click()
    expect(officer.locator("main")).to_contain_text(f"Your commitment “{commitment.title}” was approved")
    officer.get_by_role("link", name="My work (1)").click()
    expect(officer.locator("main")).to_contain_text("Submit for publication")
    officer.get_by_role("link", name=commitment.title).click()
    expect(officer.get_by_role("button", name="Submit for publication")).to_be_visible()

    # Any government may also answer a paragraph of the adopted outcome document.
    paragraph = flow["version"].paragraphs.order_by("position").first()
    officer.goto(f"/commitments/new/?paragraph={paragraph.pk}")
    expect(officer.locator(".message")).to_contain_text(f"Prefilled from paragraph {paragraph.position}")
    expect(officer.get_by_label("Description", exact=True)).to_have_value(paragraph.text)
    assert_no_serious_axe_violations(officer)
    officer.goto(f"/commitments/{commitment.pk}/")

    # The form and the page pass axe in Arabic too.
    _in_arabic(officer)
    assert_no_serious_axe_violations(officer)
    for source in (f"contribution={contribution.pk}", f"paragraph={paragraph.pk}"):
        officer.goto(f"/commitments/new/?{source}")
        expect(officer.locator("html")).to_have_attribute("dir", "rtl")
        assert_no_serious_axe_violations(officer)
    officer.goto("/engagement/work/")
    assert_no_serious_axe_violations(officer)
    officer.screenshot(path=str(tmp_path / "my-work-ar.png"), full_page=True)
    officer.context.close()


def test_a_milestone_done_on_a_chosen_day_and_an_indicator_series_as_chart_and_table(browser, live_server, tmp_path):  # noqa: ANN001
    parts = published_commitment()  # published on 2 March 2026, starts on 1 January 2026
    commitment = parts["commitment"]
    milestone, indicator = commitment.milestones.get(), commitment.indicators.get()
    today = timezone.localdate()
    done_on = min(today, dt.date(2026, 6, 28))

    team = page_as(browser, live_server, parts["team"])
    team.goto(f"/commitments/{commitment.pk}/")
    milestones = team.locator("#milestones")
    milestones.get_by_text(f"Mark “{milestone.title}” done").click()
    day = milestones.get_by_label("Done on")
    expect(day).to_have_value(today.isoformat())
    expect(day).to_have_attribute("min", "2026-01-01")
    expect(day).to_have_attribute("max", today.isoformat())
    day.fill(done_on.isoformat())
    milestones.get_by_label("Note (optional)").fill("Twenty hosts trained.")
    milestones.get_by_role("button", name="Mark done").click()
    expect(team.locator(".messages")).to_contain_text("Milestone marked done.")
    expect(team.locator("#milestones")).to_contain_text(
        f"Done on {done_on.day} {done_on:%B} {done_on.year} — Twenty hosts trained.")

    indicators = team.locator("#indicators")
    for value, measured in (("120", "2026-04-30"), ("310", min(today, dt.date(2026, 9, 30)).isoformat())):
        indicators.get_by_text(f"Record a value of “{indicator.name}”").click()
        indicators.get_by_label("Value", exact=True).fill(value)
        indicators.get_by_label("Measured on").fill(measured)
        indicators.get_by_role("button", name="Record the value").click()
        expect(team.locator(".messages")).to_contain_text("Value recorded.")
    series = team.locator(f"#indicator-{indicator.pk}-series")
    expect(series.locator("figure svg")).to_be_visible()
    table = series.get_by_role("table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("2026-04-30")
    expect(table).to_contain_text("310")
    assert_no_serious_axe_violations(team)
    team.screenshot(path=str(tmp_path / "indicator-en.png"), full_page=True)

    _in_arabic(team)
    expect(team.locator(f"#indicator-{indicator.pk}-series figure svg")).to_be_visible()
    assert_no_serious_axe_violations(team)
    team.screenshot(path=str(tmp_path / "indicator-ar.png"), full_page=True)
    team.context.close()


def test_a_report_due_to_a_forum_is_found_in_my_work_and_leaves_it_once_recorded(browser, live_server):  # noqa: ANN001
    from arrival.commitments import services
    from arrival.consultations.models import Forum
    from tests.commitments.factories import network

    parts = published_commitment()
    commitment = parts["commitment"]
    forum = Forum.objects.create(key="imrf-2026", name="IMRF 2026", kind="imrf", source="test")
    now = timezone.now()
    services.submission_window_create(user=person(network("Keepers"), RoleKind.STAFF), forum=forum,
                                      title="Local progress reports", opens_at=now - dt.timedelta(days=2),
                                      closes_at=now + dt.timedelta(days=12))
    team = page_as(browser, live_server, parts["team"])
    team.goto("/")
    team.get_by_role("link", name="My work (2)").click()  # the report, and the milestone due on 30 June 2026
    expect(team.get_by_role("heading", name="Milestones due")).to_be_visible()
    expect(team.get_by_role("heading", name="Commitments to report to a forum")).to_be_visible()
    team.get_by_role("link", name=re.compile("Local progress reports")).click()
    expect(team.locator(".message")).to_contain_text("This report answers “Local progress reports” of IMRF 2026")
    expect(team.get_by_label("Forum")).to_have_value(str(forum.pk))
    assert_no_serious_axe_violations(team)
    team.get_by_label("What was reported").fill("Twenty hosts at work; the council was told.")
    team.get_by_role("button", name="Record the report").click()
    expect(team.locator(".messages")).to_contain_text("Report to the forum recorded.")
    expect(team.get_by_role("link", name="My work (1)")).to_be_visible()  # only the milestone still waits
    assert commitment.forum_reports.get().window.title == "Local progress reports"
    _in_arabic(team)
    team.goto(f"/commitments/{commitment.pk}/forum-report/")
    assert_no_serious_axe_violations(team)
    team.context.close()
