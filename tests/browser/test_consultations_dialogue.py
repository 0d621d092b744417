"""The dialogue on a draft in a real browser: a city comments on a paragraph → the organiser finds the comment in
"My work" from the header count, answers it (partly taken in, with a reason), then publishes a new version that
rewrites, reorders and adds paragraphs → the city, told in its notifications, finds its comment carried to the
paragraph it became, with the editors' answer; the old version still shows it. The organiser also changes the
consultation after opening. axe on every new or changed page, in English and Arabic."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.consultations import services
from arrival.consultations.demo import phases_with_current
from arrival.consultations.models import CommentAnswer, CommentState, Paragraph
from arrival.engagement.models import Comment
from arrival.engagement.services import process_phases_set
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.consultations.factories import city, gcm_objective, network, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Please add a line on funding for small towns."
REASON = "Funding is named; the amounts are for the ministry to set."


def _in_arabic(page) -> None:  # noqa: ANN001
    """axe on the page in Arabic, right to left, then back to English."""
    page.select_option("#lang-select", "ar")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_serious_axe_violations(page)
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_a_comment_is_answered_and_carried_to_the_new_version(browser, live_server, tmp_path):  # noqa: ANN001
    gcm_objective(15)
    gcm_objective(16)
    owner = network("Cities for Migration Network")
    organiser = person(owner, RoleKind.STAFF)
    alpha, beta, gamma = city("Alphaville"), city("Betaburg"), city("Gammatown")
    commenter = person(gamma)
    consultation = services.consultation_create(
        user=organiser, owner=owner, title="Cities' input to the migration review", purpose="Concrete actions.",
        phases=phases_with_current(0), questions=["What works in your city?"])
    for town, objective in ((alpha, "15"), (beta, "16")):
        services.contribution_create(user=person(town), consultation=consultation, actor=town,
                                     title=f"Input from {town.name}", tags=[gcm_objective(objective)],
                                     proposed_actions=f"{town.name} proposes one welcome desk for all services.")
    process_phases_set(user=organiser, process=consultation.process, phases=phases_with_current(1))
    v1 = services.outcome_draft_compile(user=organiser, consultation=consultation)
    first, second = v1.paragraphs.order_by("position")
    process_phases_set(user=organiser, process=consultation.process, phases=phases_with_current(2))

    # Gammatown comments on paragraph 1 of the draft.
    city_page = page_as(browser, live_server, commenter)
    city_page.goto(v1.document.get_absolute_url())
    thread = city_page.locator(f"#p-{first.key}")
    thread.get_by_label("Your comment").fill(COMMENT)
    thread.get_by_role("button", name="Post comment").click()
    expect(city_page.locator(f"#p-{first.key} .comment-thread")).to_contain_text(COMMENT)
    comment = Comment.objects.get(body=COMMENT)

    # The organiser finds it from the header count, on the paragraph it was written on.
    organiser_page = page_as(browser, live_server, organiser)
    organiser_page.goto("/")
    organiser_page.get_by_role("link", name=re.compile(r"My work \(\d+\)")).click()
    expect(organiser_page.get_by_role("heading", name="Comments on a draft awaiting the editors' answer")).to_be_visible()
    assert_no_serious_axe_violations(organiser_page)
    organiser_page.get_by_role("link", name=re.compile(r"paragraph 1 \(version 1\)")).click()
    expect(organiser_page.locator(f"#answer-{comment.pk}")).to_contain_text("Awaiting the editors' answer.")
    assert_no_serious_axe_violations(organiser_page)

    # The organiser publishes version 2: a preamble first, paragraph 1 rewritten and moved after paragraph 2.
    organiser_page.get_by_role("link", name="Rewrite paragraphs (new version)").click()
    # axe runs on the page the link opens, not on the one it leaves.
    expect(organiser_page.get_by_label("Place of paragraph 1", exact=True)).to_be_visible()
    assert_no_serious_axe_violations(organiser_page)
    organiser_page.get_by_label("Place of paragraph 1", exact=True).fill("3")
    organiser_page.get_by_label("Text of paragraph 1", exact=True).fill(
        "Alphaville proposes one welcome desk for all services, with funding for small towns.")
    organiser_page.get_by_label("Place of new paragraph 1", exact=True).fill("0")
    organiser_page.get_by_label("Heading of new paragraph 1", exact=True).fill("1. Preamble")
    organiser_page.get_by_label("Text of new paragraph 1", exact=True).fill("We, the cities of the network…")
    organiser_page.get_by_label("What changed in this version").fill("Preamble; funding for small towns.")
    organiser_page.screenshot(path=str(tmp_path / "rewrite.png"), full_page=True)
    organiser_page.get_by_role("button", name="Save the new version").click()
    expect(organiser_page.locator(".messages")).to_contain_text("Version 2 saved")
    expect(organiser_page.get_by_role("heading", name=re.compile(r"^1\. Preamble"))).to_be_visible()
    assert_no_serious_axe_violations(organiser_page)
    v2 = v1.document.versions.get(number=2)
    became = Paragraph.objects.get(version=v2, key=first.key)
    assert [p.key for p in v2.paragraphs.order_by("position")][1:] == [second.key, first.key]

    # The comment still waits in My work, now at the paragraph it became: the organiser answers it there.
    organiser_page.goto("/engagement/work/")
    organiser_page.get_by_role("link", name=re.compile(r"paragraph 1 \(version 1\)")).click()
    expect(organiser_page).to_have_url(re.compile(rf"/versions/2/#answer-{comment.pk}$"))
    entry = organiser_page.locator(f"#p-{became.key} #answer-{comment.pk}")
    expect(entry).to_contain_text(COMMENT)
    entry.get_by_label("Partly taken in").check()
    entry.get_by_label("Reason (required unless taken in)").fill(REASON)
    entry.get_by_role("button", name="Record the editors' answer").click()
    expect(organiser_page.locator(".messages")).to_contain_text("The editors' answer is recorded")
    expect(organiser_page.locator(f"#answer-{comment.pk}")).to_contain_text("The editors: Partly taken in")
    assert CommentAnswer.objects.get(comment=comment).state == CommentState.PARTLY
    assert_no_serious_axe_violations(organiser_page)
    _in_arabic(organiser_page)

    # The city is told, follows the notification, and finds its comment beside the paragraph it became.
    city_page.goto("/engagement/notifications/")
    city_page.get_by_role("button", name=re.compile(r"^The editors of .* answered your comment on paragraph 1")).click()
    expect(city_page).to_have_url(re.compile(rf"/versions/2/#answer-{comment.pk}$"))
    carried = city_page.locator(f"#p-{became.key} #answer-{comment.pk}")
    expect(carried).to_contain_text(COMMENT)
    expect(carried).to_contain_text("written on paragraph 1 of version 1")
    expect(carried).to_contain_text("The editors: Partly taken in")
    expect(carried).to_contain_text(REASON)
    expect(city_page.locator(f"#p-{became.key}-title")).to_have_text(
        f"3. {first.heading}")
    assert "Record the editors' answer" not in city_page.content()
    assert_no_serious_axe_violations(city_page)
    city_page.screenshot(path=str(tmp_path / "carried-comment.png"), full_page=True)
    _in_arabic(city_page)
    # The old version keeps it too, with the same answer, and says where the paragraph went.
    city_page.goto(v1.get_absolute_url())
    old_entry = city_page.locator(f"#p-{first.key} #answer-{comment.pk}")
    expect(old_entry).to_contain_text("The editors: Partly taken in")
    expect(old_entry.get_by_role("link", name="now beside paragraph 3 of version 2")).to_be_visible()
    assert_no_serious_axe_violations(city_page)
    city_page.context.close()

    # The comparison page numbers each paragraph once.
    organiser_page.goto(f"/consultations/documents/{v1.document.pk}/diff/")
    expect(organiser_page.locator(".diff-list h2").first).to_contain_text("1. Preamble")
    assert_no_serious_axe_violations(organiser_page)
    _in_arabic(organiser_page)

    # The organiser changes the consultation after opening: the comment phase gets longer.
    organiser_page.goto(consultation.get_absolute_url())
    organiser_page.get_by_role("link", name="Change the consultation or its phases").click()
    expect(organiser_page.get_by_role("button", name="Save the changes")).to_be_visible()
    assert_no_serious_axe_violations(organiser_page)
    _in_arabic(organiser_page)
    organiser_page.screenshot(path=str(tmp_path / "change.png"), full_page=True)
    organiser_page.get_by_label("Title", exact=True).fill("Cities' input to the migration review (extended)")
    organiser_page.get_by_role("button", name="Save the changes").click()
    expect(organiser_page.locator(".messages")).to_contain_text("The consultation is saved")
    expect(organiser_page.get_by_role("heading", level=1)).to_contain_text("(extended)")

    # The contribution page (changed: the follow-ups and the synthesis card).
    contribution = first.sources.get()
    organiser_page.goto(contribution.get_absolute_url())
    assert_no_serious_axe_violations(organiser_page)
    _in_arabic(organiser_page)
    organiser_page.context.close()
    print(f"screenshots in {tmp_path}")
