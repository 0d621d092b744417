"""An intake round in a real browser: the planner opens a round → two localities declare → a draft plan →
one objects with a revised declaration → the revised plan is accepted by both. axe on planner and locality pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.actors.models import ActorKind
from arrival.planning.models import IntakeRound, LocalityResponse, PlanStatus, RoundStatus
from tests.actors.factories import ActorFactory, CountryFactory, LocalGovernmentFactory
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.planning.factories import user_with_role
from tests.planning.outcome_records import write_outcomes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICES = ("Housing units, one bedroom", "Housing units, two bedrooms", "Housing units, three or more bedrooms",
            "School places, ages 6–11", "School places, ages 12–17", "Childcare places, under 6",
            "Language-course seats", "Health-care capacity (persons)", "Interpreter capacity (persons)")


def _declare(page, round_id: int, actor_id: int, *, value: str, partial: bool) -> None:
    page.goto(f"/planning/{round_id}/declaration/{actor_id}/")
    for label in SERVICES:
        page.get_by_label(label, exact=True).fill(value)
        page.get_by_label(f"State of: {label}", exact=True).select_option("provided")
    page.get_by_label("State of: Health-care capacity (persons)", exact=True).select_option("not_provided")
    if partial:
        page.get_by_label("State of: Interpreter capacity (persons)", exact=True).select_option("partial")
    page.get_by_label("Health and care", exact=True).fill("15")
    page.get_by_role("button", name="Submit the declaration").click()
    expect(page.locator("#declaration-status")).to_have_text("Submitted")


def test_round_declarations_objection_revision_acceptance(browser, page, live_server, tmp_path):
    country = CountryFactory(code="ZZ", name="Zedland")
    government = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, country=country, name="Government of Zedland")
    planner = user_with_role(government, RoleKind.PLANNER)
    north = LocalGovernmentFactory(actor__country=country, actor__name="Northtown", population=400_000).actor
    south = LocalGovernmentFactory(actor__country=country, actor__name="Southville", population=200_000,
                                   latitude=48.0).actor
    officers = {north.pk: user_with_role(north), south.pk: user_with_role(south)}

    # The planner creates the round, sets localities and regions, opens it.
    planner_page = page_as(browser, live_server, planner)
    planner_page.goto("/planning/new/")
    planner_page.get_by_label("Title", exact=True).fill("Zedland intake 2027")
    planner_page.get_by_label("Period start", exact=True).fill("2027-01-01")
    planner_page.get_by_label("Period end", exact=True).fill("2027-12-31")
    planner_page.get_by_label("Persons to place", exact=True).fill("120")
    deadline = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    planner_page.get_by_label("Deadline for declarations", exact=True).fill(deadline)
    planner_page.get_by_role("button", name="Create the round").click()
    intake_round = IntakeRound.objects.get(title="Zedland intake 2027")
    planner_page.get_by_label("Localities and regions (CSV)").fill(
        f"locality,region\n{north.slug},Upper Zed\n{south.slug},Lower Zed\n")
    planner_page.get_by_role("button", name="Save the table").click()
    expect(planner_page.locator("#localities")).to_contain_text("Upper Zed")
    planner_page.goto(f"/planning/{intake_round.pk}/")
    planner_page.get_by_role("button", name="Open for declarations").click()
    expect(planner_page.locator("#round-status")).to_have_text("Open for declarations")
    assert_no_serious_axe_violations(planner_page)

    # Two localities declare (one with partial and not-provided services).
    north_page = page_as(browser, live_server, officers[north.pk])
    _declare(north_page, intake_round.pk, north.pk, value="60", partial=True)
    assert_no_serious_axe_violations(north_page)
    south_page = page_as(browser, live_server, officers[south.pk])
    _declare(south_page, intake_round.pk, south.pk, value="40", partial=False)

    # The planner generates synthetic families, computes and publishes a draft plan.
    planner_page.goto(f"/planning/{intake_round.pk}/")
    expect(planner_page.locator("#declarations")).to_contain_text("Submitted")
    planner_page.goto(f"/planning/{intake_round.pk}/cases/")
    planner_page.get_by_label("Number of synthetic families").fill("40")
    planner_page.get_by_role("button", name="Generate").click()
    expect(planner_page.get_by_role("rowheader", name="C00001")).to_be_visible()
    # ... trains the round's outcome model on historical records (a real file), which then gives the scores ...
    planner_page.goto(f"/planning/{intake_round.pk}/outcome-model/")
    planner_page.get_by_label("Historical outcome records (CSV)").set_input_files(
        str(write_outcomes(tmp_path / "history.csv")))
    planner_page.get_by_role("button", name="Train the model").click()
    expect(planner_page.locator("#model-coefficients")).to_contain_text("demand_match")
    assert_no_serious_axe_violations(planner_page)
    planner_page.goto(f"/planning/{intake_round.pk}/")
    planner_page.get_by_label("Fairness floor for group “group_a” (0–1, optional)").fill("0.05")
    planner_page.get_by_role("button", name="Compute a draft plan").click()
    expect(planner_page.locator("#certificate")).to_contain_text("Upper bound")
    expect(planner_page.locator("#fairness-floors")).to_contain_text("group_a")
    expect(planner_page.locator("main")).to_contain_text("Outcome model trained on historical records")
    assert_no_serious_axe_violations(planner_page)
    planner_page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
    planner_page.get_by_role("button", name="Publish this draft to the localities").click()
    expect(planner_page.locator("#plan-status")).to_have_text("Published")
    planner_page.goto(f"/planning/{intake_round.pk}/keys/")
    assert_no_serious_axe_violations(planner_page)

    # Northtown objects with a revised declaration; Southville accepts.
    north_page.goto(f"/planning/{intake_round.pk}/allocation/{north.pk}/")
    expect(north_page.locator("#by-category")).to_be_visible()
    assert_no_serious_axe_violations(north_page)
    north_page.get_by_label("Reasons for the objection").fill("Our large flats are already taken.")
    north_page.get_by_label("Housing units, three or more bedrooms", exact=True).fill("2")
    north_page.get_by_role("button", name="Object and send the revised declaration").click()
    expect(north_page.locator("#my-response")).to_contain_text("Objected")
    south_page.goto(f"/planning/{intake_round.pk}/allocation/{south.pk}/")
    south_page.get_by_role("button", name="Accept this allocation").click()
    expect(south_page.locator("#my-response")).to_contain_text("Accepted")

    # The planner revises from the current declarations and publishes version 2; both accept.
    planner_page.goto(f"/planning/{intake_round.pk}/")
    expect(planner_page.locator("#responses")).to_contain_text("Our large flats are already taken.")
    planner_page.get_by_role("button", name="Revise from current declarations").click()
    expect(planner_page.locator("h1")).to_contain_text("Plan version 2")
    planner_page.get_by_role("button", name="Publish this draft to the localities").click()
    for actor, officer_page in ((north, north_page), (south, south_page)):
        officer_page.goto(f"/planning/{intake_round.pk}/allocation/{actor.pk}/")
        officer_page.get_by_role("button", name="Accept this allocation").click()
        expect(officer_page.locator("#my-response")).to_contain_text("Accepted")
    planner_page.goto(f"/planning/{intake_round.pk}/")
    expect(planner_page.locator("#round-status")).to_have_text("Agreed")

    intake_round.refresh_from_db()
    assert intake_round.status == RoundStatus.AGREED
    assert intake_round.plans.get(version=2).status == PlanStatus.ACCEPTED
    assert intake_round.plans.get(version=1).status == PlanStatus.SUPERSEDED
    assert LocalityResponse.objects.filter(plan__round=intake_round).count() == 4
    v2_large = sum(a.service_units.get("housing_3br", 0) for a in intake_round.plans.get(version=2).allocations
                   .filter(actor=north))
    assert v2_large <= 2
    for p in (north_page, south_page, planner_page):
        p.context.close()
