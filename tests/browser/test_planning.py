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
from tests.accounts.factories import StaffFactory
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
    page.get_by_label("State of: Health-care capacity (persons)", exact=True).select_option("no_limit")
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
    planner_page.get_by_label("Exclude it: it receives no one").check()
    planner_page.get_by_role("button", name="Create the round").click()
    intake_round = IntakeRound.objects.get(title="Zedland intake 2027")
    planner_page.get_by_label("Localities and regions (CSV)").fill(
        f"locality,region\n{north.slug},Upper Zed\n{south.slug},Lower Zed\n")
    planner_page.get_by_role("button", name="Save the table").click()
    expect(planner_page.locator("#localities")).to_contain_text("Upper Zed")
    planner_page.goto(f"/planning/{intake_round.pk}/")
    planner_page.get_by_role("button", name="Open for declarations").click()
    expect(planner_page.locator("#round-status")).to_have_text("Open for declarations")
    expect(planner_page.locator("#undeclared-rule")).to_have_text("Exclude it: it receives no one")
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
    # ... and lets a member of the site staff read the case records for eight hours.
    helper = StaffFactory(username="site-helper")
    planner_page.goto(f"/planning/{intake_round.pk}/")
    planner_page.get_by_label("Username of the person to let in").fill(helper.username)
    planner_page.get_by_role("button", name="Give access").click()
    expect(planner_page.locator("#case-grants")).to_contain_text(str(helper))
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


def test_objection_reply_with_a_revised_plan_found_through_my_work_in_english_and_arabic(browser, live_server):
    """A locality objects to the draft plan → the planner finds it in "My work" from the header count, replies and
    revises the plan, publishes it → the locality, from its own "My work", sees the reply, the new allocation and its
    funding lines, and answers back. Every page of the dialogue passes axe in English and, right to left, Arabic."""
    from arrival.planning import services
    from arrival.planning.models import DialogueMessage
    from tests.planning.factories import ready_round

    world = ready_round(cases=30)
    services.funding_rates_set(user=world.planner, intake_round=world.round,
                               rates=[{"service": "person", "basis": "person", "amount": "1200"},
                                      {"service": "language_course", "basis": "unit", "amount": "300"}])
    first = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    services.plan_publish(user=world.planner, plan=first,
                          respond_by=timezone.now() + dt.timedelta(days=10))
    city = world.cities[0]
    officer = page_as(browser, live_server, world.officers[city.pk])

    # The locality finds the draft plan in its "My work" and objects with a revised declaration.
    officer.goto("/")
    officer.get_by_role("link", name="My work (1)").click()
    expect(officer.locator("main")).to_contain_text("Accept or object to version 1")
    officer.get_by_role("link", name=world.round.title, exact=True).click()
    expect(officer.locator("#respond-by")).to_contain_text("(")
    officer.get_by_label("Reasons for the objection").fill("Our three-bedroom flats are taken until spring.")
    officer.get_by_label("Housing units, three or more bedrooms", exact=True).fill("1")
    officer.get_by_role("button", name="Object and send the revised declaration").click()
    expect(officer.locator("#my-response")).to_contain_text("Objected")
    expect(officer.locator("#my-threads")).to_contain_text("Waiting for the planners' reply")
    assert_no_serious_axe_violations(officer)

    # The planner: the header count → "My work" → the objection's thread → reply, revising the plan.
    planner = page_as(browser, live_server, world.planner)
    planner.goto("/")
    planner.get_by_role("link", name="My work (1)").click()
    expect(planner.locator("main")).to_contain_text(f"Reply to the objection and revised declaration of {city.name}")
    planner.get_by_role("link", name=f"{world.round.title} · version 1").click()
    expect(planner.locator("main")).to_contain_text("Our three-bedroom flats are taken until spring.")
    assert_no_serious_axe_violations(planner)
    planner.get_by_label("Your reply").fill("Version 2 places no large family with you.")
    planner.get_by_label("Revise the plan now from the current declarations and link the new version").check()
    planner.get_by_role("button", name="Send the reply").click()
    expect(planner.locator("h1")).to_contain_text("Plan version 2")
    expect(planner.locator("#linked-replies")).to_contain_text(f"Reply to the objection of {city.name} to version 1")
    assert_no_serious_axe_violations(planner)
    planner.get_by_role("button", name="Publish this draft to the localities").click()
    expect(planner.locator("#plan-status")).to_have_text("Published")
    planner.goto("/")
    expect(planner.locator(".my-work-link")).to_have_text("My work")

    # The locality sees the reply, the new allocation and its funding lines, and answers back.
    officer.goto("/")
    officer.get_by_role("link", name="My work (1)").click()
    expect(officer.locator("main")).to_contain_text("Accept or object to version 2")
    officer.get_by_role("link", name=world.round.title, exact=True).click()
    expect(officer.locator("main")).to_contain_text("Version 2 of the plan")
    expect(officer.locator("#my-threads")).to_contain_text("Version 2 places no large family with you.")
    expect(officer.locator("#my-threads")).to_contain_text("This reply led to version 2 of the plan")
    expect(officer.locator("#funding-lines")).to_contain_text("Per person placed")
    expect(officer.locator("#by-category")).to_be_visible()
    assert_no_serious_axe_violations(officer)
    officer.get_by_role("link", name="Answer in this thread").click()
    officer.get_by_label("Your answer").fill("Thank you, this works for us.")
    officer.get_by_role("button", name="Send the answer").click()
    expect(officer.locator("#my-threads")).to_contain_text("Thank you, this works for us.")

    # The same pages in Arabic, right to left. (The locality reads its notifications first: with three or more unread,
    # the header's lazy count breaks Arabic plural rules — reported to engagement, whose context processor it is.)
    officer.goto("/engagement/notifications/")
    officer.get_by_role("button", name="Mark all as read").click()
    officer.goto(f"/planning/{world.round.pk}/allocation/{city.pk}/")
    officer.select_option("#lang-select", "ar")
    expect(officer.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_serious_axe_violations(officer)
    thread = DialogueMessage.objects.filter(objection__actor=city).first().objection
    officer.goto(f"/planning/{world.round.pk}/objections/{thread.pk}/")
    expect(officer.locator("html")).to_have_attribute("dir", "rtl")
    assert_no_serious_axe_violations(officer)
    planner.select_option("#lang-select", "ar")
    expect(planner.locator("html")).to_have_attribute("dir", "rtl")
    planner.goto(f"/planning/{world.round.pk}/objections/{thread.pk}/")
    assert_no_serious_axe_violations(planner)
    planner.goto(f"/planning/{world.round.pk}/plans/1/")
    assert_no_serious_axe_violations(planner)
    planner.goto("/engagement/work/")
    assert_no_serious_axe_violations(planner)

    second = world.round.plans.get(version=2)
    assert second.status == "published"
    assert DialogueMessage.objects.get(objection=thread, side="planners").plan == second
    large = sum(a.service_units.get("housing_3br", 0) for a in second.allocations.filter(actor=city))
    assert large <= 1
    for p in (officer, planner):
        p.context.close()
