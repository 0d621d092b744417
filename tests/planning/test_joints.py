"""The joints between a round's steps: declarations left in draft when declarations close, a new plan version while
an objection is open, a round closed with threads open, a locality added to an open round, and deadlines typed and
read in people's time zones."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrival.engagement.models import Notification
from arrival.planning import services
from arrival.planning.models import DeclarationStatus, LocalityResponse, PlanStatus, RoundStatus
from tests.accounts.factories import sign_in_as
from tests.actors.factories import LocalGovernmentFactory
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, work_of
from tests.planning.factories import (
    compute,
    declare,
    object_to,
    open_round,
    published,
    ready_round,
    round_world,
    user_with_role,
)


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def test_a_declaration_left_in_draft_is_no_longer_due_once_planning_starts_and_both_sides_see_it_was_not_counted():
    world = round_world()
    open_round(world)
    drafted, *others = world.cities
    declare(world, drafted, submit=False)
    for city in others:
        declare(world, city)
    officer = world.officers[drafted.pk]
    assert_in_work(officer, "planning.declare")
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=15, seed=2)
    plan = compute(world)
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.PLANNING
    # Declarations are no longer taken, so nothing is due; the draft stays on record as a draft.
    assert_not_in_work(officer, "planning.declare")
    assert world.round.declarations.get(actor=drafted).status == DeclarationStatus.DRAFT
    # The planner sees on the plan which locality's declaration was left in draft and did not limit it.
    page = _client(world.planner).get(reverse("planning:plan_detail", args=[world.round.pk, plan.version]))
    not_counted = page.content.decode().split('id="not-counted"')[1].split("</ul>")[0]
    assert drafted.name in not_counted and "left in draft" in not_counted
    assert all(city.name not in not_counted for city in others)
    # The locality reads on its allocation that its draft was not counted.
    services.plan_publish(user=world.planner, plan=plan)
    page = _client(officer).get(reverse("planning:allocation", args=[world.round.pk, drafted.pk])).content.decode()
    assert 'id="declaration-not-counted"' in page
    other = _client(world.officers[others[0].pk]).get(
        reverse("planning:allocation", args=[world.round.pk, others[0].pk])).content.decode()
    assert 'id="declaration-not-counted"' not in other


def test_a_declaration_is_no_longer_due_after_its_deadline():
    world = round_world(deadline_days=2)
    open_round(world)
    officer = world.officers[world.cities[0].pk]
    assert_in_work(officer, "planning.declare")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert_not_in_work(officer, "planning.declare")


def test_a_new_version_published_while_an_objection_is_open_keeps_the_objection_waiting():
    world = ready_round(cases=15)
    first_plan = published(world)
    city = world.cities[0]
    officer = world.officers[city.pk]
    objection = object_to(world, first_plan, city, "Too many families.")
    # The planner revises and publishes without replying yet: the objection still waits on them.
    second_plan = services.plan_revise(user=world.planner, intake_round=world.round, time_limit=20).plan
    services.plan_publish(user=world.planner, plan=second_plan)
    thread_url = reverse("planning:objection", args=[world.round.pk, objection.pk])
    assert_in_work(world.planner, "planning.reply", url=thread_url)
    # The locality has the new version to answer, and the thread on the superseded one stays open to both sides.
    assert_in_work(officer, "planning.respond")
    services.objection_reply(user=world.planner, objection=objection, body="Version 2 lowers your share.",
                             plan=second_plan)
    services.objection_answer(user=officer, objection=objection, body="Still too many.")
    assert_in_work(world.planner, "planning.reply", url=thread_url)
    page = _client(officer).get(reverse("planning:allocation", args=[world.round.pk, city.pk])).content.decode()
    assert "Version 2 of the plan" in page and "Version 2 lowers your share." in page
    # Answering the new version settles the old thread: it closes and no longer waits on anyone.
    services.response_accept(user=officer, plan=second_plan, actor=city)
    objection.refresh_from_db()
    assert objection.closed_at is not None and objection.awaiting_reply_since is None
    assert_not_in_work(world.planner, "planning.reply", url=thread_url)
    with pytest.raises(ValidationError, match="closed"):
        services.objection_answer(user=officer, objection=objection, body="One more thing.")


def test_objecting_to_the_new_version_carries_the_dialogue_to_a_new_thread():
    world = ready_round(cases=15)
    first_plan = published(world)
    city = world.cities[1]
    old = object_to(world, first_plan, city, "No.")
    second_plan = services.plan_revise(user=world.planner, intake_round=world.round, time_limit=20).plan
    services.plan_publish(user=world.planner, plan=second_plan)
    new = object_to(world, second_plan, city, "Still no.")
    old.refresh_from_db()
    assert old.closed_at is not None
    assert [item.url for item in work_of(world.planner, "planning.reply")] == [
        reverse("planning:objection", args=[world.round.pk, new.pk])]


def test_closing_the_round_closes_its_threads_and_empties_the_queues():
    world = ready_round(cases=15)
    plan = published(world)
    city = world.cities[0]
    objection = object_to(world, plan, city, "No.")
    services.round_close(user=world.planner, intake_round=world.round)
    objection.refresh_from_db()
    assert objection.closed_at is not None
    assert_not_in_work(world.planner, "planning.reply")
    for officer in world.officers.values():
        assert_not_in_work(officer, "planning.respond")
    with pytest.raises(ValidationError, match="closed"):
        services.objection_reply(user=world.planner, objection=objection, body="Late reply.")
    assert not objection.messages.exists()


def test_deadlines_are_typed_in_the_planners_zone_and_read_in_each_localitys_zone():
    world = ready_round(cases=15)
    world.planner.time_zone = "Europe/Berlin"
    world.planner.save(update_fields=["time_zone"])
    city = world.cities[0]
    officer = world.officers[city.pk]
    officer.time_zone = "America/New_York"
    officer.save(update_fields=["time_zone"])
    plan = compute(world)
    next_january = dt.date(timezone.now().year + 1, 1, 15)
    response = _client(world.planner).post(reverse("planning:plan_publish", args=[world.round.pk, plan.version]),
                                           {"respond_by": f"{next_january:%Y-%m-%d}T09:00"})
    assert response.status_code == 302
    plan.refresh_from_db()
    # 09:00 in Berlin in winter is 08:00 UTC, and 03:00 in New York.
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.respond_by == dt.datetime(next_january.year, 1, 15, 8, 0, tzinfo=dt.UTC)
    page = _client(officer).get(reverse("planning:allocation", args=[world.round.pk, city.pk])).content.decode()
    assert "03:00 (America/New_York)" in page.split('id="respond-by"')[1].split("</p>")[0]
    work = _client(officer).get(reverse("engagement:my_work")).content.decode()
    assert "03:00 (America/New_York)" in work
    planner_page = _client(world.planner).get(reverse("planning:plan_detail", args=[world.round.pk, 1])).content
    assert "09:00 (Europe/Berlin)" in planner_page.decode()


def test_the_declaration_deadline_is_shown_in_the_readers_zone():
    world = round_world()
    world.round.deadline = dt.datetime(timezone.now().year + 1, 1, 10, 17, 0, tzinfo=dt.UTC)
    world.round.save(update_fields=["deadline"])
    open_round(world)
    city = world.cities[0]
    officer = world.officers[city.pk]
    officer.time_zone = "Asia/Tokyo"
    officer.save(update_fields=["time_zone"])
    page = _client(officer).get(reverse("planning:declaration", args=[world.round.pk, city.pk])).content.decode()
    assert "02:00 (Asia/Tokyo)" in page.split('id="declaration-deadline"')[1].split("</time>")[0]


def test_an_objection_on_record_before_the_dialogue_waits_on_the_planners_after_the_migration():
    """The data migration: objections already on record wait for a reply unless settled since."""
    from importlib import import_module

    from django.apps import apps

    world = ready_round(cases=15)
    plan = published(world)
    a = world.cities[0]
    waiting = object_to(world, plan, a, "x")
    LocalityResponse.objects.filter(pk=waiting.pk).update(awaiting_reply_since=None)
    world.round.opened_at = None
    world.round.save(update_fields=["opened_at"])
    migration = import_module("arrival.planning.migrations.0003_dialogue_threads_and_waiting_work")
    migration.waiting_from_history(apps, None)
    waiting.refresh_from_db()
    world.round.refresh_from_db()
    assert waiting.awaiting_reply_since == waiting.responded_at and waiting.closed_at is None
    assert world.round.opened_at is not None


def test_a_locality_added_while_the_round_is_open_is_told_and_has_its_declaration_due():
    world = round_world()
    open_round(world)
    late = LocalGovernmentFactory(actor__country=world.country, population=50_000).actor
    officer = user_with_role(late)
    table = "locality,region\n" + "".join(f"{city.slug},\n" for city in [*world.cities, late])
    services.localities_set(user=world.planner, intake_round=world.round, table=table)
    assert_notified("planning.round_opened", to=[officer, *world.officers.values()])
    # The localities already in the round are not told twice.
    assert Notification.objects.filter(kind="planning.round_opened",
                                       recipient=world.officers[world.cities[0].pk]).count() == 1
    assert_in_work(officer, "planning.declare",
                   url=reverse("planning:declaration", args=[world.round.pk, late.pk]))
