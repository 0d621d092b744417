"""The dialogue on a draft plan: a locality's objection opens a thread, the planners reply (and may revise the plan,
linking the reply to the new version), the locality answers back; the thread stays on record with the plan versions.
A locality sees only its own thread, its own allocation and its own funding lines — never another's, never cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import RoleKind
from arrival.actors.models import ActorKind
from arrival.core.models import AuditEvent
from arrival.planning import selectors, services
from arrival.planning.models import DialogueMessage, DialogueSide, PlanStatus
from tests.accounts.factories import sign_in_as
from tests.actors.factories import ActorFactory
from tests.planning.factories import FULL_CAPACITY, object_to, published, ready_round, user_with_role


def _client(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def _object_on_page(client: Client, world, city, reasons: str) -> None:
    form = {"decision": "object", "object-reasons": reasons}
    for service, item in FULL_CAPACITY.items():
        form[f"object-value_{service}"] = "" if item["value"] is None else str(item["value"])
        form[f"object-state_{service}"] = item["state"]
    response = client.post(reverse("planning:respond", args=[world.round.pk, city.pk]), form)
    assert response.status_code == 302


def test_the_thread_on_the_pages_objection_reply_with_a_revised_plan_and_an_answer_back():
    world = ready_round(cases=20)
    services.funding_rates_set(user=world.planner, intake_round=world.round,
                               rates=[{"service": "person", "basis": "person", "amount": "1000"}])
    plan = published(world)
    city = world.cities[0]
    officer = _client(world.officers[city.pk])
    _object_on_page(officer, world, city, "Our schools are full this year.")
    objection = plan.responses.get(actor=city)
    thread_url = reverse("planning:objection", args=[world.round.pk, objection.pk])

    planner = _client(world.planner)
    page = planner.get(thread_url).content.decode()
    assert "Our schools are full this year." in page and "Waiting for the planners" in page
    response = planner.post(thread_url, {"reply-body": "We lowered your share of school-age children.",
                                         "reply-revise": "on"})
    second = world.round.plans.get(version=2)
    assert response.status_code == 302 and response["Location"] == reverse(
        "planning:plan_detail", args=[world.round.pk, 2])
    reply = DialogueMessage.objects.get(objection=objection)
    assert reply.side == DialogueSide.PLANNERS and reply.plan == second and reply.author == world.planner
    objection.refresh_from_db()
    assert objection.awaiting_reply_since is None
    # On record with the versions: v1 shows the thread, v2 the reply that led to it.
    v1 = planner.get(reverse("planning:plan_detail", args=[world.round.pk, 1])).content.decode()
    assert "Our schools are full this year." in v1 and "We lowered your share" in v1
    assert "This reply led to version 2 of the plan" in v1
    v2 = planner.get(reverse("planning:plan_detail", args=[world.round.pk, 2])).content.decode()
    assert f'Reply to the objection of <bdi translate="no">{city.name}</bdi> to version 1' in v2.split('id="linked-replies"')[1]
    # Before v2 is published the locality reads the reply, and that its version is not published yet.
    mine = officer.get(reverse("planning:allocation", args=[world.round.pk, city.pk])).content.decode()
    assert "We lowered your share" in mine and "not yet published" in mine
    planner.post(reverse("planning:plan_publish", args=[world.round.pk, 2]), {"respond_by": ""})
    second.refresh_from_db()
    assert second.status == PlanStatus.PUBLISHED
    mine = officer.get(reverse("planning:allocation", args=[world.round.pk, city.pk])).content.decode()
    assert "Version 2 of the plan" in mine and "This reply led to version 2 of the plan" in mine
    persons = sum(a.persons for a in second.allocations.filter(actor=city))
    assert f"{Decimal(persons) * 1000:.2f}" in mine.split('id="funding-total"')[1].split("</td>")[0]

    # The locality answers back with a revised declaration; the planners have it waiting again.
    answer = {"answer-body": "Thank you; here are our new figures.", "answer-revise": "on"}
    for service, item in FULL_CAPACITY.items():
        answer[f"answer-value_{service}"] = "" if item["value"] is None else str(item["value"])
        answer[f"answer-state_{service}"] = item["state"]
    answer["answer-value_housing_3br"] = "3"
    response = officer.post(thread_url, answer)
    assert response.status_code == 302
    message = objection.messages.get(side=DialogueSide.LOCALITY)
    assert message.revised_declaration["capacities"]["housing_3br"]["value"] == 3.0
    assert world.round.declarations.get(actor=city).capacities.get(service="housing_3br").value == 3
    objection.refresh_from_db()
    assert objection.awaiting_reply_since == message.created_at
    assert {"planning.reply_objection", "planning.answer_objection"} <= set(
        AuditEvent.objects.values_list("action", flat=True))
    # An answer without the box ticked leaves the declaration as it is.
    officer.post(thread_url, {**answer, "answer-revise": "", "answer-value_housing_3br": "9",
                              "answer-body": "One more remark."})
    assert world.round.declarations.get(actor=city).capacities.get(service="housing_3br").value == 3
    assert objection.messages.filter(side=DialogueSide.LOCALITY).last().revised_declaration == {}


def test_a_locality_never_reads_another_localitys_thread_allocation_funding_or_cases():
    world = ready_round(cases=20)
    services.funding_rates_set(user=world.planner, intake_round=world.round,
                               rates=[{"service": "person", "basis": "person", "amount": "500"}])
    plan = published(world)
    mine, theirs, _third = world.cities
    object_to(world, plan, theirs, "Confidential reasons of theirs.")
    their_thread = plan.responses.get(actor=theirs)
    services.objection_reply(user=world.planner, objection=their_thread, body="A reply only for them.")
    officer = _client(world.officers[mine.pk])
    assert officer.get(reverse("planning:objection", args=[world.round.pk, their_thread.pk])).status_code == 403
    assert officer.post(reverse("planning:objection", args=[world.round.pk, their_thread.pk]),
                        {"answer-body": "Let me in."}).status_code == 403
    assert officer.get(reverse("planning:allocation", args=[world.round.pk, theirs.pk])).status_code == 403
    page = officer.get(reverse("planning:allocation", args=[world.round.pk, mine.pk])).content.decode()
    assert "Confidential reasons" not in page and "A reply only for them" not in page
    assert theirs.name not in page
    pseudonyms = [case.pseudonym for case in world.round.cases.all()]
    assert not any(pseudonym in page for pseudonym in pseudonyms)
    lines = page.split('id="funding-lines"')[1].split("</table>")[0]
    own = selectors.transfer_table(plan=plan, actor_ids={mine.pk})["rows"][0]
    assert f"{own['total']}" in lines
    assert selectors.thread_list(intake_round=world.round, actor_ids={mine.pk}) == []
    # The plan's full page and the case pages stay with the planners.
    assert officer.get(reverse("planning:plan_detail", args=[world.round.pk, 1])).status_code == 302
    assert officer.get(reverse("planning:cases", args=[world.round.pk])).status_code == 403
    # Through the API, too, a locality reads only its own answers.
    api = officer.get(f"/api/v1/planning/rounds/{world.round.pk}/responses").json()
    assert all(row["locality"] == mine.pk for row in api)


def test_who_may_write_in_a_thread_and_what_is_refused():
    world = ready_round(cases=15)
    plan = published(world)
    city, other, _third = world.cities
    objection = object_to(world, plan, city, "No.")
    staff_member = user_with_role(city, RoleKind.STAFF)
    foreign_planner = user_with_role(ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT), RoleKind.PLANNER)
    for person in (world.officers[city.pk], foreign_planner, world.officers[other.pk]):
        with pytest.raises(PermissionDenied):
            services.objection_reply(user=person, objection=objection, body="Reply.")
    for person in (world.officers[other.pk], staff_member, world.planner):
        with pytest.raises(PermissionDenied):
            services.objection_answer(user=person, objection=objection, body="Answer.")
    with pytest.raises(ValidationError):
        services.objection_reply(user=world.planner, objection=objection, body="  ")
    with pytest.raises(ValidationError, match="later version"):
        services.objection_reply(user=world.planner, objection=objection, body="See this.", plan=plan)
    with pytest.raises(ValidationError):  # a revised declaration that does not hold changes nothing
        services.objection_answer(user=world.officers[city.pk], objection=objection, body="Figures.",
                                  capacities={"housing_1br": {"value": None, "state": "provided"}})
    accepted = services.response_accept(user=world.officers[other.pk], plan=plan, actor=other)
    with pytest.raises(ValidationError, match="Only an objection"):
        services.objection_reply(user=world.planner, objection=accepted, body="Reply.")
    assert not DialogueMessage.objects.exists()
    # The locality's staff read their own thread; only its officers and administrators write in it.
    page = _client(staff_member).get(reverse("planning:objection", args=[world.round.pk, objection.pk]))
    assert page.status_code == 200 and 'name="answer-body"' not in page.content.decode()
