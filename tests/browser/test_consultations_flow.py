"""The whole flow in a real browser, from a city's voice to a measured pledge: the owner network opens a
consultation → two cities contribute → synthesis → a comment on the draft → adoption → three cities endorse →
a city makes a commitment from its contribution (internal approval, submission, publication by the network) →
a progress update → the consultation's accountability dashboard shows it. axe on the commitment pages.

Phases move on between steps through engagement's `process_phases_set` (as the consultations browser test does).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.commitments.models import Commitment
from arrival.consultations.demo import phases_with_current
from arrival.consultations.models import Consultation, Contribution
from arrival.engagement.services import process_phases_set
from tests.browser.conftest import assert_no_serious_axe_violations, page_as, sign_in
from tests.consultations.factories import city, gcm_objective, network, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Cities' actions for the migration review"


def _phase(consultation: Consultation, staff, index: int) -> None:  # noqa: ANN001
    process_phases_set(user=staff, process=consultation.process, phases=phases_with_current(index))


def _click_and_see(page, button: str, message: str) -> None:  # noqa: ANN001
    page.get_by_role("button", name=button).click()
    expect(page.locator(".messages")).to_contain_text(message)


def test_from_consultation_to_commitment_progress_on_the_dashboard(browser, page, live_server, tmp_path):  # noqa: ANN001
    gcm_objective(15)
    owner = network("Cities for Migration Network")
    staff = person(owner, RoleKind.STAFF)
    alpha, beta, gamma = city("Alphaville"), city("Betaburg"), city("Gammatown")
    officers = {c.name: person(c) for c in (alpha, beta, gamma)}
    alpha_admin = person(alpha, RoleKind.ADMINISTRATOR)

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
        page.get_by_label(label).fill((today + dt.timedelta(days=offset * 7)).isoformat())
    _click_and_see(page, "Open the consultation", "The consultation is open")
    consultation = Consultation.objects.get(title=TITLE)
    _phase(consultation, staff, 0)

    # Two cities contribute.
    for name in ("Alphaville", "Betaburg"):
        contributor = page_as(browser, live_server, officers[name])
        contributor.goto(f"/consultations/{consultation.slug}/")
        contributor.get_by_role("link", name="Contribute").click()
        contributor.get_by_label("Title", exact=True).fill(f"Input from {name}")
        contributor.get_by_label("Proposed actions", exact=True).fill(f"{name} proposes one welcome desk for all services.")
        contributor.get_by_label("15 Access to basic services for migrants").check()
        _click_and_see(contributor, "Submit the contribution", "your contribution is in")
        contributor.context.close()

    # Synthesis, a comment on the draft, adoption.
    _phase(consultation, staff, 1)
    page.goto(f"/consultations/{consultation.slug}/")
    _click_and_see(page, "Compile the contributions into a draft", "Draft version 1 compiled")
    document_url = page.url
    _phase(consultation, staff, 2)
    commenter = page_as(browser, live_server, officers["Gammatown"])
    commenter.goto(document_url)
    commenter.get_by_label("Your comment").first.fill("Please add a line on funding for small towns.")
    commenter.get_by_role("button", name="Post comment").first.click()
    expect(commenter.locator(".comment-thread").first).to_contain_text("funding for small towns")
    commenter.context.close()
    _phase(consultation, staff, 3)
    page.goto(document_url)
    _click_and_see(page, "Adopt version 1", "The document is adopted")

    # Three cities endorse.
    _phase(consultation, staff, 4)
    endorsements_url = f"/consultations/documents/{consultation.documents.get().pk}/endorsements/"
    for name, officer in officers.items():
        endorser = page_as(browser, live_server, officer)
        endorser.goto(endorsements_url)
        endorser.get_by_label("Signatory's name").fill(f"Mayor of {name}")
        endorser.get_by_label("Signatory's title").fill("Mayor")
        endorser.get_by_label("Authority under which they sign").fill("Council resolution")
        _click_and_see(endorser, "Endorse the document", "Endorsement recorded")
        endorser.context.close()

    # Alphaville turns its contribution into a commitment.
    contribution = Contribution.objects.get(actor=alpha)
    officer = page_as(browser, live_server, officers["Alphaville"])
    officer.goto(f"/commitments/new/?contribution={contribution.pk}")
    expect(officer.get_by_label("Title", exact=True)).to_have_value("Input from Alphaville")
    officer.get_by_label("Policy", exact=True).check()
    officer.get_by_label("Target date").fill((today + dt.timedelta(days=365)).isoformat())
    assert_no_serious_axe_violations(officer)
    _click_and_see(officer, "Save the draft", "Draft commitment saved")
    _click_and_see(officer, "Send for internal approval", "Sent to your administrators for approval")
    commitment = Commitment.objects.get(source_contribution=contribution)

    administrator = page_as(browser, live_server, alpha_admin)
    administrator.goto(f"/commitments/{commitment.pk}/")
    _click_and_see(administrator, "Approve", "Approved")
    administrator.context.close()

    officer.reload()
    _click_and_see(officer, "Submit for publication", "Submitted for publication")

    # The network that ran the consultation publishes it: it gets its public id.
    page.goto("/commitments/")
    page.get_by_role("link", name="Input from Alphaville").first.click()
    _click_and_see(page, "Publish", "Published.")
    public_id = Commitment.objects.get(pk=commitment.pk).public_id
    expect(page.locator(".commitment-id")).to_have_text(public_id)
    expect(page.get_by_role("region", name="Where it comes from")).to_contain_text("It became part of")

    # A progress update.
    officer.reload()
    officer.get_by_role("link", name="Add a progress update").click()
    officer.get_by_label("In progress").check()
    officer.get_by_label("Percent done").fill("40")
    officer.get_by_label("What happened").fill("The welcome desk opened in two districts.")
    _click_and_see(officer, "Publish the update", "Progress update published")
    expect(officer.locator("#history")).to_contain_text("The welcome desk opened in two districts.")
    assert_no_serious_axe_violations(officer)
    officer.screenshot(path=str(tmp_path / "commitment.png"), full_page=True)
    officer.context.close()

    # The consultation's accountability dashboard shows it.
    page.goto(f"/commitments/dashboards/consultation/{consultation.slug}/")
    expect(page.locator('td[data-status="published"]')).to_have_text("1")
    expect(page.locator('td[data-progress="in_progress"]')).to_have_text("1")
    expect(page.locator("main")).to_contain_text(public_id)
    assert_no_serious_axe_violations(page)
