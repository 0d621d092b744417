"""A consultation in a real browser: the owner network opens it → two cities contribute → synthesis → a comment
on a paragraph → adoption → three cities endorse → the public counter shows 3; axe on the consultation,
document and endorsement pages. Phases move on between steps through engagement's `process_phases_set`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.consultations.demo import phases_with_current
from arrival.consultations.models import Consultation
from arrival.engagement.models import Comment
from arrival.engagement.services import process_phases_set
from tests.browser.conftest import assert_no_serious_axe_violations, page_as, sign_in
from tests.consultations.factories import city, gcm_objective, network, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Cities' input to the next migration review"


def _move_to(consultation: Consultation, staff, index: int) -> None:  # noqa: ANN001
    process_phases_set(user=staff, process=consultation.process, phases=phases_with_current(index))


def _contribute(browser, live_server, officer, slug: str, name: str, objective: str) -> None:  # noqa: ANN001
    page = page_as(browser, live_server, officer)
    page.goto(f"/consultations/{slug}/")
    page.get_by_role("link", name="Contribute").click()
    page.get_by_label("Title", exact=True).fill(f"Input from {name}")
    page.get_by_label("Proposed actions", exact=True).fill(f"{name} proposes one welcome desk for all services.")
    page.get_by_label(re.compile(rf"^\s*{objective}\s")).check()
    page.get_by_role("button", name="Submit the contribution").click()
    expect(page.locator(".messages")).to_contain_text("your contribution is in")
    page.context.close()


def test_open_contribute_synthesise_comment_adopt_endorse(browser, page, live_server):  # noqa: ANN001
    gcm_objective(15)
    owner = network("Cities for Migration Network")
    staff = person(owner, RoleKind.STAFF)
    alpha, beta, gamma = city("Alphaville"), city("Betaburg"), city("Gammatown")
    officers = {c.name: person(c) for c in (alpha, beta, gamma)}

    # The owner network opens the consultation.
    sign_in(page.context, live_server, staff)
    page.goto("/consultations/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Purpose", exact=True).fill("Collect concrete actions from cities for the review.")
    page.get_by_label("Guiding questions, one per line").fill("What works in your city?")
    today = timezone.localdate()
    for offset, label in enumerate(("Call for input opens", "Call for input closes (synthesis begins)",
                                    "Synthesis ends (comments on the draft begin)", "Comments close (adoption begins)",
                                    "Adoption ends (endorsement opens)", "Endorsement closes")):
        page.get_by_label(label).fill((today + dt.timedelta(days=max(offset * 7, 0))).isoformat())
    page.get_by_role("button", name="Open the consultation").click()
    expect(page.locator(".messages")).to_contain_text("The consultation is open")
    consultation = Consultation.objects.get(title=TITLE)
    _move_to(consultation, staff, 0)
    page.reload()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Call for input")
    assert_no_serious_axe_violations(page)

    # Two cities contribute.
    _contribute(browser, live_server, officers["Alphaville"], consultation.slug, "Alphaville", "15")
    _contribute(browser, live_server, officers["Betaburg"], consultation.slug, "Betaburg", "15")

    # Synthesis: the owner compiles the draft.
    _move_to(consultation, staff, 1)
    page.goto(f"/consultations/{consultation.slug}/")
    page.get_by_role("button", name="Compile the contributions into a draft").click()
    expect(page.locator(".messages")).to_contain_text("Draft version 1 compiled")
    expect(page.locator(".paragraph-sources").first).to_contain_text("Alphaville")
    expect(page.locator(".paragraph-sources").first).to_contain_text("Betaburg")
    document_url = page.url

    # Comments on the draft: Gammatown comments on paragraph 1.
    _move_to(consultation, staff, 2)
    commenter = page_as(browser, live_server, officers["Gammatown"])
    commenter.goto(document_url)
    commenter.get_by_label("Your comment").first.fill("Please add a line on funding for small towns.")
    commenter.get_by_role("button", name="Post comment").first.click()
    expect(commenter.locator(".comment-thread").first).to_contain_text("funding for small towns")
    commenter.context.close()
    assert Comment.objects.filter(body__contains="funding for small towns").count() == 1

    # Adoption.
    _move_to(consultation, staff, 3)
    page.goto(document_url)
    page.get_by_role("button", name="Adopt version 1").click()
    expect(page.locator(".messages")).to_contain_text("The document is adopted")
    assert_no_serious_axe_violations(page)

    # Three cities endorse.
    _move_to(consultation, staff, 4)
    endorsements_url = None
    for name, officer in officers.items():
        endorser = page_as(browser, live_server, officer)
        endorser.goto(document_url)
        endorser.get_by_role("link", name="Endorse, or see who endorsed").click()
        endorsements_url = endorser.url
        endorser.get_by_label("Signatory's name").fill(f"Mayor of {name}")
        endorser.get_by_label("Signatory's title").fill("Mayor")
        endorser.get_by_label("Authority under which they sign").fill("Council resolution")
        endorser.get_by_role("button", name="Endorse the document").click()
        expect(endorser.locator(".messages")).to_contain_text("Endorsement recorded")
        endorser.context.close()
    page.goto(endorsements_url)
    expect(page.get_by_test_id("endorsement-count")).to_have_text("3")
    expect(page.locator("table").last).to_contain_text("Gammatown")
    assert_no_serious_axe_violations(page)
