"""Every hand-off of an intake round reaches the next people, in their language and time zone, and lands in their
"My work" until they act: round opened → localities; draft plan published → localities; objection → planners;
planners' reply → that locality; its answer back → planners; plan agreed → localities and planners."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.actors.models import ActorKind
from arrival.core.time_zones import datetime_with_zone, zone_or_utc
from arrival.planning import services
from tests.accounts.factories import StaffFactory, UserFactory
from tests.actors.factories import ActorFactory
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, notified, work_of
from tests.planning.factories import (
    FULL_CAPACITY,
    World,
    compute,
    declare,
    object_to,
    open_round,
    published,
    ready_round,
    round_world,
    user_with_role,
)


def _in(language: str, zone: str, render: Any) -> str:
    """What a recipient who reads `language` in `zone` should read."""
    with translation.override(language), timezone.override(zone_or_utc(zone)):
        return render()


def _people(world: World) -> dict[str, Any]:
    """Besides the planner and one officer per city: an administrator of the first city who reads French in Paris,
    a staff member of the first city (no say in declarations), a planner of another country, site staff."""
    first = world.cities[0]
    french = user_with_role(first, RoleKind.ADMINISTRATOR)
    french.preferred_language, french.time_zone = "fr", "Europe/Paris"
    french.save(update_fields=["preferred_language", "time_zone"])
    other_government = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT)
    return {"french": french, "staff_member": user_with_role(first, RoleKind.STAFF),
            "other_planner": user_with_role(other_government, RoleKind.PLANNER), "site_staff": StaffFactory(),
            "stranger": UserFactory()}


def test_round_opened_tells_each_localitys_team_with_the_deadline_in_their_zone_and_a_declaration_is_due():
    world = round_world()
    people = _people(world)
    intake_round = open_round(world)
    officers = list(world.officers.values())
    sent = assert_notified("planning.round_opened", to=[*officers, people["french"]],
                           not_to=[world.planner, people["staff_member"], people["other_planner"],
                                   people["site_staff"], people["stranger"]],
                           url=reverse("planning:round_detail", args=[intake_round.pk]))
    assert sent[people["french"].pk].text == _in("fr", "Europe/Paris", lambda: _(
        "%(round)s is open: declare your capacity by %(deadline)s.") % {
            "round": intake_round.title, "deadline": datetime_with_zone(intake_round.deadline)})
    assert "(Europe/Paris)" in sent[people["french"].pk].text

    first = world.cities[0]
    url = reverse("planning:declaration", args=[intake_round.pk, first.pk])
    item = assert_in_work(world.officers[first.pk], "planning.declare", url=url)
    assert item.deadline == intake_round.deadline and item.for_actor == first.name
    assert item.waiting_since == intake_round.opened_at
    assert_in_work(people["french"], "planning.declare", url=url)
    for person in (world.planner, people["staff_member"], people["stranger"]):
        assert_not_in_work(person, "planning.declare")
    # A draft is still due (and says so); the submitted declaration leaves "My work".
    declare(world, first, submit=False)
    assert assert_in_work(world.officers[first.pk], "planning.declare", url=url).action == (
        "Submit your draft declaration")
    declare(world, first, submit=True)
    assert_not_in_work(world.officers[first.pk], "planning.declare", url=url)
    assert_not_in_work(people["french"], "planning.declare", url=url)
    assert_in_work(world.officers[world.cities[1].pk], "planning.declare")


def test_publishing_tells_each_locality_with_its_own_page_and_the_answer_date_in_its_zone():
    world = ready_round(cases=15)
    people = _people(world)
    respond_by = timezone.now() + dt.timedelta(days=7)
    plan = published(world, respond_by=respond_by)
    first, second, _third = world.cities
    sent = assert_notified("planning.plan_published", to=[*world.officers.values(), people["french"]],
                           not_to=[world.planner, people["staff_member"], people["other_planner"],
                                   people["site_staff"], people["stranger"]])
    assert sent[world.officers[second.pk].pk].url == reverse("planning:allocation", args=[world.round.pk, second.pk])
    assert sent[people["french"].pk].url == reverse("planning:allocation", args=[world.round.pk, first.pk])
    assert sent[people["french"].pk].text == _in("fr", "Europe/Paris", lambda: _(
        "Version %(version)s of the plan for %(round)s is published: see your allocation and answer by "
        "%(deadline)s.") % {"version": 1, "round": world.round.title, "deadline": datetime_with_zone(respond_by)})

    url = reverse("planning:allocation", args=[world.round.pk, first.pk])
    item = assert_in_work(world.officers[first.pk], "planning.respond", url=url)
    assert item.deadline == respond_by and item.waiting_since == plan.published_at
    assert_not_in_work(world.planner, "planning.respond")
    assert_not_in_work(people["staff_member"], "planning.respond")
    services.response_accept(user=world.officers[first.pk], plan=plan, actor=first)
    assert_not_in_work(world.officers[first.pk], "planning.respond")
    assert_not_in_work(people["french"], "planning.respond")
    object_to(world, plan, second, "Too many.")
    assert_not_in_work(world.officers[second.pk], "planning.respond")


def test_an_answer_date_in_the_past_is_refused_and_nothing_is_published():
    world = ready_round(cases=10)
    plan = compute(world)
    with pytest.raises(ValidationError, match="future"):
        services.plan_publish(user=world.planner, plan=plan, respond_by=timezone.now() - dt.timedelta(hours=1))
    plan.refresh_from_db()
    assert plan.status == "draft" and not notified("planning.plan_published")


def test_an_objection_waits_on_the_rounds_planners_only():
    world = ready_round(cases=15)
    people = _people(world)
    second_planner = user_with_role(world.government, RoleKind.PLANNER)
    second_planner.preferred_language = "fr"
    second_planner.save(update_fields=["preferred_language"])
    plan = published(world)
    city = world.cities[1]
    objection = object_to(world, plan, city, "Our schools are full.")
    url = reverse("planning:objection", args=[world.round.pk, objection.pk])
    sent = assert_notified("planning.objection_received", to=[world.planner, second_planner],
                           not_to=[*world.officers.values(), people["french"], people["other_planner"],
                                   people["site_staff"]], url=url)
    assert sent[second_planner.pk].text == _in("fr", "UTC", lambda: _(
        "%(locality)s objected to version %(version)s of the plan for %(round)s and sent a revised declaration.")
        % {"locality": city.name, "version": 1, "round": world.round.title})
    assert "Our schools" not in sent[second_planner.pk].text  # the notification points; it does not copy
    item = assert_in_work(world.planner, "planning.reply", url=url)
    assert item.waiting_since == objection.awaiting_reply_since and item.for_actor == city.name
    assert_in_work(second_planner, "planning.reply", url=url)
    for person in (people["other_planner"], people["site_staff"], world.officers[city.pk]):
        assert_not_in_work(person, "planning.reply")


def test_the_planners_reply_reaches_that_locality_only_and_leaves_their_work():
    world = ready_round(cases=15)
    people = _people(world)
    plan = published(world)
    first, second, _third = world.cities
    objection = object_to(world, plan, first, "Housing is short.")
    services.objection_reply(user=world.planner, objection=objection, body="We will look again.")
    url = reverse("planning:allocation", args=[world.round.pk, first.pk]) + f"#objection-{objection.pk}"
    sent = assert_notified("planning.reply_received", to=[world.officers[first.pk], people["french"]],
                           not_to=[world.officers[second.pk], people["staff_member"], world.planner], url=url)
    assert sent[people["french"].pk].text == _in("fr", "Europe/Paris", lambda: _(
        "The planners replied to the objection of %(locality)s to version %(version)s of the plan for %(round)s.")
        % {"locality": first.name, "version": 1, "round": world.round.title})
    assert_not_in_work(world.planner, "planning.reply")


def test_the_localitys_answer_back_with_a_revised_declaration_waits_on_the_planners_again():
    world = ready_round(cases=15)
    people = _people(world)
    french_planner = user_with_role(world.government, RoleKind.PLANNER)
    french_planner.preferred_language, french_planner.time_zone = "fr", "Europe/Paris"
    french_planner.save(update_fields=["preferred_language", "time_zone"])
    plan = published(world)
    city = world.cities[0]
    objection = object_to(world, plan, city, "Housing is short.")
    services.objection_reply(user=world.planner, objection=objection, body="Which flats?")
    revised = dict(FULL_CAPACITY, housing_2br={"value": 5, "state": "provided"})
    message = services.objection_answer(user=people["french"], objection=objection, body="These.",
                                        capacities=revised)
    url = reverse("planning:objection", args=[world.round.pk, objection.pk])
    sent = assert_notified("planning.answer_received", to=[world.planner, french_planner],
                           not_to=[*world.officers.values(), people["french"], people["other_planner"]], url=url)
    assert sent[french_planner.pk].text == _in("fr", "Europe/Paris", lambda: _(
        "%(locality)s answered your reply on its objection to version %(version)s of the plan for %(round)s, "
        "with a revised declaration.") % {"locality": city.name, "version": 1, "round": world.round.title})
    assert message.revised_declaration["capacities"]["housing_2br"] == {"value": 5.0, "state": "provided"}
    current = world.round.declarations.get(actor=city)
    assert current.capacities.get(service="housing_2br").value == 5 and current.status == "submitted"
    item = assert_in_work(world.planner, "planning.reply", url=url)
    assert item.action == f"Reply to the revised declaration of {city.name}"
    assert item.waiting_since == message.created_at
    services.objection_reply(user=french_planner, objection=objection, body="Noted.")
    assert_not_in_work(world.planner, "planning.reply")
    assert_not_in_work(french_planner, "planning.reply")


def test_an_agreed_plan_is_announced_to_every_locality_and_the_planners():
    world = ready_round(cases=15)
    people = _people(world)
    plan = published(world)
    for city in world.cities[:-1]:
        services.response_accept(user=world.officers[city.pk], plan=plan, actor=city)
    assert not notified("planning.plan_agreed")
    last = world.cities[-1]
    services.response_accept(user=world.officers[last.pk], plan=plan, actor=last)
    sent = assert_notified("planning.plan_agreed", to=[*world.officers.values(), people["french"], world.planner],
                           not_to=[people["staff_member"], people["other_planner"], people["site_staff"]])
    assert sent[people["french"].pk].text == _in("fr", "Europe/Paris", lambda: _(
        "The plan for %(round)s is agreed: every locality accepted version %(version)s.")
        % {"round": world.round.title, "version": 1})
    assert sent[world.planner.pk].url == reverse("planning:plan_detail", args=[world.round.pk, 1])
    for officer in world.officers.values():
        assert not work_of(officer, "planning.respond")


def test_the_header_count_is_one_query_per_provider():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from arrival.planning import selectors

    world = ready_round(cases=10)
    for count in (selectors.declaration_work_count, selectors.response_work_count, selectors.objection_work_count):
        with CaptureQueriesContext(connection) as queries:
            counted = count(world.planner)
            assert (counted if isinstance(counted, int) else counted.count()) >= 0
        assert len(queries) == 1, [q["sql"] for q in queries]
