"""Peer review as a conversation, in a real browser: the curator finds a reviewer by searching (not among the ten
suggested) and invites her with a due date → she finds the invitation from the header's "My work" count, accepts
and reviews → the curator finds the practice waiting on a decision in "My work" and publishes → the author is
notified and records, after publication, the practice theirs adapted. axe checks each new or changed page in
English and Arabic."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from arrival.practices.models import Practice, ReviewStage
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.practices.factories import (
    assign_and_accept,
    curator,
    draft_practice,
    in_review_practice,
    peer_reviewer,
    published_practice,
    review,
    team_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Neighbourhood mentors for newly arrived families"


def _axe_in_english_and_arabic(page, live_server) -> None:
    """axe on the current page in English, then in Arabic (right to left), then back to English."""
    assert_no_serious_axe_violations(page)
    for language, direction in (("ar", "rtl"), ("en", "ltr")):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.reload()
        expect(page.locator("html")).to_have_attribute("dir", direction)
        if language == "ar":
            assert_no_serious_axe_violations(page)


def _open_my_work(page, count: int) -> None:
    page.goto("/")
    link = page.locator(".my-work-link")
    expect(link).to_have_text(f"My work ({count})")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")


def test_curator_searches_a_reviewer_who_finds_the_invitation_in_my_work_and_the_author_is_told(
        browser, live_server, tmp_path):
    by = curator()
    practice = in_review_practice(practice=draft_practice(title=TITLE), by=by)
    author = team_of(practice)
    # One peer review is in already; ten other peers would be suggested before Zora, who reads no language of
    # the practice.
    review(assign_and_accept(practice, by=by))
    for _n in range(10):
        peer_reviewer()
    zora, zora_city = peer_reviewer(actor__name="Tromsø")
    zora.display_name, zora.preferred_language = "Zora Lindqvist", "nb"
    zora.save()

    # The curator: "My work" says a practice waits on reviewers; she searches and invites Zora by a date.
    curator_page = page_as(browser, live_server, by)
    _open_my_work(curator_page, 1)
    curator_page.get_by_role("link", name=TITLE).click()
    expect(curator_page.get_by_role("heading", level=1)).to_have_text("Reviewers")
    expect(curator_page.locator(".suggestions-table")).not_to_contain_text("Zora Lindqvist")
    curator_page.locator("#reviewer-q").fill("Zora")
    matches = curator_page.locator("#reviewer-matches")
    expect(matches).to_contain_text("Zora Lindqvist")
    expect(matches).to_contain_text("Tromsø")
    _axe_in_english_and_arabic(curator_page, live_server)
    curator_page.locator("#reviewer-q").fill("Zora")
    expect(matches).to_contain_text("Zora Lindqvist")
    curator_page.get_by_label("Review due by (optional)").fill("2099-03-01T12:00")
    curator_page.screenshot(path=str(tmp_path / "reviewers-search.png"), full_page=True)
    matches.get_by_role("button", name="Invite Zora Lindqvist").click()
    expect(curator_page.locator(".messages")).to_contain_text("Zora Lindqvist is invited to review")

    # Zora: the header counts one item; the invitation is there with its deadline; she accepts and reviews.
    reviewer_page = page_as(browser, live_server, zora)
    _open_my_work(reviewer_page, 1)
    row = reviewer_page.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("Accept or decline")
    expect(row).to_contain_text("1 March 2099")
    _axe_in_english_and_arabic(reviewer_page, live_server)
    reviewer_page.screenshot(path=str(tmp_path / "my-work-reviewer.png"), full_page=True)
    row.get_by_role("link", name=TITLE).click()
    expect(reviewer_page.locator("main")).to_contain_text("The curator asks for your review by 1 March 2099")
    _axe_in_english_and_arabic(reviewer_page, live_server)
    reviewer_page.get_by_label("Yes, I accept").check()
    reviewer_page.get_by_label("I have no conflict of interest", exact=False).check()
    reviewer_page.get_by_role("button", name="Send my answer").click()
    for legend in ("Relevance", "Evidence of results", "Replicability", "Sustainability", "Rights-based approach",
                   "Migrants' participation"):
        reviewer_page.locator("fieldset.rubric", has=reviewer_page.locator("legend", has_text=legend)) \
            .get_by_label("4 — strong").check()
    reviewer_page.get_by_label("Comments for the authors", exact=True).fill("Mentors and numbers are convincing.")
    reviewer_page.get_by_label("Publish", exact=True).check()
    reviewer_page.get_by_role("button", name="Submit the review").click()
    expect(reviewer_page.locator(".messages")).to_contain_text("Review submitted")
    expect(reviewer_page.locator(".my-work-link")).to_have_text("My work")
    _axe_in_english_and_arabic(reviewer_page, live_server)  # "Your reviews", with its due-date column
    reviewer_page.context.close()

    # The curator: all reviews are in, the practice waits on her decision; she publishes.
    _open_my_work(curator_page, 1)
    row = curator_page.locator("tr", has_text=TITLE)
    expect(row).to_contain_text("Decide: publish, request a revision or decline")
    row.get_by_role("link", name=TITLE).click()
    curator_page.get_by_label("Publish as peer-reviewed").check()
    curator_page.get_by_role("button", name="Record the decision").click()
    expect(curator_page.locator(".messages")).to_contain_text("Published as a peer-reviewed practice")
    expect(curator_page.locator(".my-work-link")).to_have_text("My work")
    curator_page.context.close()
    assert Practice.objects.get(pk=practice.pk).stage == ReviewStage.PUBLISHED

    # The author is told, and records after publication the practice theirs adapted.
    source = published_practice(practice=draft_practice(title="Buddy families in Malmö"))
    author_page = page_as(browser, live_server, author)
    author_page.goto("/")
    author_page.get_by_role("link", name=re.compile(r"^\d+ new notifications?$")).click()
    expect(author_page.locator("main")).to_contain_text(f"Your practice “{TITLE}” is published as a peer-reviewed "
                                                        "practice.")
    # (Read, so the header shows no count: a count of 3 or more breaks Arabic pages, see the report on base.html.)
    author_page.get_by_role("button", name="Mark all as read").click()
    author_page.goto(f"/practices/{practice.slug}/")
    author_page.get_by_role("link", name="Record the practice this one adapted").click()
    expect(author_page.get_by_role("heading", level=1)).to_have_text("The practice this one adapted")
    _axe_in_english_and_arabic(author_page, live_server)
    author_page.get_by_label("Address of the practice you adapted").fill(f"/practices/{source.slug}/")
    author_page.get_by_label("What you changed, and why").fill("Mentors are neighbours, not families.")
    author_page.get_by_role("button", name="Save the origin").click()
    expect(author_page.locator("#travels-title + p")).to_contain_text("Buddy families in Malmö")
    author_page.screenshot(path=str(tmp_path / "adapted.png"), full_page=True)
    author_page.context.close()
