"""A practice in a real browser: an officer submits it → a curator screens it → two peer reviewers from other
cities declare no conflict and review → the curator publishes → a Spanish query finds the English practice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.practices.models import Practice, ReviewStage
from tests.browser.conftest import assert_no_serious_axe_violations, page_as, sign_in
from tests.practices.factories import curator, gcm_objective, government, officer_for, peer_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "One-stop welcome desk for newly arrived migrants"






def _review_in_browser(browser, live_server, reviewer, tmp_path, name: str, check_axe: bool) -> None:
    page = page_as(browser, live_server, reviewer)
    page.goto("/practices/reviews/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Yes, I accept").check()
    page.get_by_label("I have no conflict of interest", exact=False).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("You can write your review now")
    for legend in ("Relevance", "Evidence of results", "Replicability", "Sustainability", "Rights-based approach",
                   "Migrants' participation"):
        page.locator("fieldset.rubric", has=page.locator("legend", has_text=legend)).get_by_label("4 — strong").check()
    page.get_by_label("Comments for the authors", exact=True).fill("Clear steps and numbers with sources; easy to adapt.")
    page.get_by_label("Publish", exact=True).check()
    if check_axe:
        assert_no_serious_axe_violations(page)
        page.screenshot(path=str(tmp_path / f"review-form-{name}.png"), full_page=True)
    page.get_by_role("button", name="Submit the review").click()
    expect(page.locator(".messages")).to_contain_text("Review submitted")
    page.context.close()


def test_submit_screen_two_reviews_publish_then_found_in_spanish(browser, page, live_server, settings, tmp_path):
    settings.ARRIVAL_JOBS_EAGER = True
    objective = gcm_objective(16)
    city = government(actor__name="Ghent")
    officer = officer_for(city)
    by = curator()
    first, second = peer_reviewer(), peer_reviewer()

    # The officer writes the practice and submits it.
    sign_in(page.context, live_server, officer)
    page.goto("/practices/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Summary: who, what, where", exact=True).fill(
        "The city hall runs one desk where newly arrived migrants get help with registration, housing, schools "
        "and health care, with interpreters in twelve languages.")
    page.get_by_label("The problem it addresses", exact=True).fill("<p>Newcomers were sent from office to office for months.</p>")
    page.get_by_label("Approach and steps", exact=True).fill("<p>One desk, trained staff and community interpreters.</p>")
    page.get_by_label("Results and evidence", exact=True).fill("<p>Waiting time for a first appointment fell from 90 to 12 days.</p>")
    page.get_by_label(f"{objective.code} {objective.label}", exact=True).check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    page.get_by_role("button", name="Submit for peer review").click()
    expect(page.locator(".messages")).to_contain_text("Submitted")

    # The curator screens it and invites two peer reviewers from the ranked suggestions.
    curator_page = page_as(browser, live_server, by)
    curator_page.goto("/practices/curation/")
    curator_page.get_by_role("link", name=TITLE).click()
    curator_page.get_by_label("Complete: send to peer review").check()
    curator_page.get_by_role("button", name="Record the screening").click()
    expect(curator_page.locator("h1")).to_have_text("Reviewers")
    expect(curator_page.locator(".suggestions-table")).to_contain_text("reads the practice's language")
    for reviewer, _actor in (first, second):
        curator_page.get_by_role("button", name=f"Invite {reviewer.public_name}").click()
        expect(curator_page.locator(".messages")).to_contain_text("is invited to review")

    # Two peers from other cities declare no conflict and review; axe checks the rubric form.
    _review_in_browser(browser, live_server, first[0], tmp_path, "first", check_axe=True)
    _review_in_browser(browser, live_server, second[0], tmp_path, "second", check_axe=False)

    # The author sees both reviews, without the reviewers' names.
    page.reload()
    expect(page.locator("#reviews-title")).to_be_visible()
    expect(page.locator(".review")).to_have_count(2)
    for reviewer, actor in (first, second):
        expect(page.locator("main")).not_to_contain_text(reviewer.public_name)
        expect(page.locator("main")).not_to_contain_text(actor.name)

    # The curator publishes.
    curator_page.goto(page.url.replace(live_server.url, ""))
    curator_page.get_by_label("Publish as peer-reviewed").check()
    curator_page.get_by_role("button", name="Record the decision").click()
    expect(curator_page.locator(".messages")).to_contain_text("Published as a peer-reviewed practice")
    assert Practice.objects.get(title=TITLE).stage == ReviewStage.PUBLISHED

    # Anyone finds it with a Spanish query; the facets then narrow the results without a reload.
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB")
    visitor.set_default_timeout(30_000)
    search = visitor.new_page()
    search.goto("/practices/")
    search.get_by_role("searchbox").fill("ventanilla única de acogida para migrantes recién llegados")
    search.get_by_role("button", name="Search").click()
    expect(search.locator(".result-list")).to_contain_text(TITLE)
    search.goto("/practices/")
    assert_no_serious_axe_violations(search)
    search.locator(".facet", has=search.locator("legend", has_text="GCM objective")).locator("input").first.check()
    expect(search).to_have_url(re.compile(r"objective=16"))
    expect(search.locator("#result-status")).to_contain_text("1 practice found")
    expect(search.locator(".facet input:checked")).to_have_count(1)
    search.screenshot(path=str(tmp_path / "list-en.png"), full_page=True)

    search.get_by_role("link", name=TITLE).click()
    # An English practice on an English page: its title needs no language of its own.
    expect(search.locator("html")).to_have_attribute("lang", "en")
    expect(search.locator("#practice-title [lang]")).to_have_count(0)
    assert_no_serious_axe_violations(search)
    search.screenshot(path=str(tmp_path / "detail-en.png"), full_page=True)

    # The same pages in Arabic: right to left, the English record kept left to right.
    search.locator("#lang-select").select_option("ar")
    expect(search.locator("html")).to_have_attribute("dir", "rtl")
    for english_text in search.locator(".practice-content > :not(h2)").all():
        expect(english_text).to_have_attribute("lang", "en")
        expect(english_text).to_have_attribute("dir", "ltr")
    assert_no_serious_axe_violations(search)
    search.screenshot(path=str(tmp_path / "detail-ar.png"), full_page=True)
    search.goto("/practices/")
    assert_no_serious_axe_violations(search)
    search.screenshot(path=str(tmp_path / "list-ar.png"), full_page=True)
    visitor.close()
    curator_page.context.close()


def test_a_curator_opens_a_call_and_its_page_shows_the_phases(browser, page, live_server):
    """The call is an engagement process: its page shows the phase timeline, the current phase marked, and the
    deadline in the viewer's zone and the organiser's; a city then answers the call from its draft."""
    from tests.practices.factories import draft_practice, team_of

    by = curator()
    sign_in(page.context, live_server, by)
    page.goto("/practices/calls/new/")
    page.get_by_label("Opened on behalf of").select_option(label=by.roles.get().actor.name)
    page.get_by_label("Title", exact=True).fill("Housing newcomers")
    page.get_by_label("Theme and what you are looking for", exact=True).fill("Practices that help newcomers find a home.")
    page.get_by_label("Deadline", exact=False).fill("2099-01-31T18:00")
    page.get_by_label("Time zone of the call", exact=False).select_option("America/Bogota")
    page.get_by_role("button", name="Open the call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Housing newcomers"))
    timeline = page.get_by_role("navigation", name="Phases")
    expect(timeline.locator("[aria-current=step]")).to_contain_text("Submissions")
    expect(page.locator("dl.facts")).to_contain_text("31 January 2099, 23:00")  # 18:00 in Bogotá, seen in UTC
    expect(page.locator("dl.facts")).to_contain_text("organiser's time (America/Bogota): 31 January 2099, 18:00")
    assert_no_serious_axe_violations(page)

    practice = draft_practice(title="Rent guarantee for newcomers")
    team_page = page_as(browser, live_server, team_of(practice))
    team_page.goto(f"/practices/{practice.slug}/")
    team_page.get_by_label("Answer a call for practices (optional)").select_option(label="Housing newcomers")
    team_page.get_by_role("button", name="Submit for peer review").click()
    practice.refresh_from_db()
    assert practice.call is not None and practice.call.title == "Housing newcomers"
    team_page.context.close()
