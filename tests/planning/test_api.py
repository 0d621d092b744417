"""The planning API: the same permissions as the pages; case-level data only for the round's planners."""

from __future__ import annotations

from arrival.accounts.services import api_token_create
from arrival.planning import services
from tests.accounts.factories import StaffFactory, UserFactory
from tests.planning.factories import FULL_CAPACITY, open_round, ready_round, round_world

BASE = "/api/v1/planning"


def _auth(user) -> dict[str, str]:
    _token, key = api_token_create(user=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_reads_need_authentication(client):
    world = round_world()
    assert client.get(f"{BASE}/rounds/{world.round.pk}").status_code == 401
    assert client.get(f"{BASE}/rounds").status_code == 401


def test_round_list_and_detail_follow_permissions(client):
    world = round_world()
    body = client.get(f"{BASE}/rounds", **_auth(world.planner)).json()
    assert [r["id"] for r in body["items"]] == [world.round.pk]
    assert len(body["items"][0]["localities"]) == 3
    officer = world.officers[world.cities[0].pk]
    assert client.get(f"{BASE}/rounds/{world.round.pk}", **_auth(officer)).status_code == 403  # draft
    open_round(world)
    assert client.get(f"{BASE}/rounds/{world.round.pk}", **_auth(officer)).status_code == 200
    assert client.get(f"{BASE}/rounds/{world.round.pk}", **_auth(UserFactory())).status_code == 403


def test_locality_writes_and_reads_its_own_declaration_only(client):
    world = round_world()
    open_round(world)
    a, b = world.cities[0], world.cities[1]
    auth = _auth(world.officers[a.pk])
    payload = {"capacities": {"housing_1br": {"value": 5, "state": "partial"},
                              "health": {"value": None, "state": "not_provided"}},
               "labour": {"care": 3}, "submit": True}
    response = client.put(f"{BASE}/rounds/{world.round.pk}/declarations/{a.pk}", payload,
                          content_type="application/json", **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["capacities"]["housing_1br"] == {"value": 5.0, "state": "partial"}
    assert body["capacities"]["school_6_11"]["state"] == "not_provided"
    denied = client.put(f"{BASE}/rounds/{world.round.pk}/declarations/{b.pk}", payload,
                        content_type="application/json", **auth)
    assert denied.status_code == 403
    services.declaration_save(user=world.officers[b.pk], intake_round=world.round, actor=b, capacities=FULL_CAPACITY)
    listed = client.get(f"{BASE}/rounds/{world.round.pk}/declarations", **auth).json()
    assert [d["locality"] for d in listed] == [a.pk]
    assert client.get(f"{BASE}/rounds/{world.round.pk}/declarations/{b.pk}", **auth).status_code == 403
    everyone = client.get(f"{BASE}/rounds/{world.round.pk}/declarations", **_auth(world.planner)).json()
    assert {d["locality"] for d in everyone} == {a.pk, b.pk}
    bad = client.put(f"{BASE}/rounds/{world.round.pk}/declarations/{a.pk}",
                     {"capacities": {"housing_1br": {"value": None, "state": "provided"}}},
                     content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["status"] == 400


def test_keys_for_planners(client):
    world = round_world(regions=False)
    body = client.get(f"{BASE}/rounds/{world.round.pk}/keys", **_auth(world.planner)).json()
    population = next(k for k in body if k["name"] == "population")
    assert sum(population["quotas"].values()) == world.round.total
    assert population["formula"]
    assert client.get(f"{BASE}/rounds/{world.round.pk}/keys",
                      **_auth(world.officers[world.cities[0].pk])).status_code == 403


def test_plans_aggregate_for_localities_case_level_for_planners_only(client):
    world = ready_round(cases=30)
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    a = world.cities[0]
    officer_auth = _auth(world.officers[a.pk])
    # A draft is invisible to localities.
    assert client.get(f"{BASE}/rounds/{world.round.pk}/plans", **officer_auth).json() == []
    assert client.get(f"{BASE}/rounds/{world.round.pk}/plans/1", **officer_auth).status_code == 404
    services.plan_publish(user=world.planner, plan=plan)
    body = client.get(f"{BASE}/rounds/{world.round.pk}/plans/1", **officer_auth).json()
    assert {"objective", "bound", "gap", "baselines"} <= set(body)
    assert {row["locality"] for row in body["allocations"]} <= {a.pk}
    assert set(body["metrics"]["persons_by_locality"]) <= {str(a.pk)}
    assert "C0000" not in str(body)
    assert client.get(f"{BASE}/rounds/{world.round.pk}/plans/1/assignment", **officer_auth).status_code == 403
    assert client.get(f"{BASE}/rounds/{world.round.pk}/plans/1/assignment",
                      **_auth(StaffFactory())).status_code == 403
    rows = client.get(f"{BASE}/rounds/{world.round.pk}/plans/1/assignment", **_auth(world.planner)).json()
    assert len(rows) == 30
    full = client.get(f"{BASE}/rounds/{world.round.pk}/plans/1", **_auth(world.planner)).json()
    assert {row["locality"] for row in full["allocations"]} > {a.pk}


def test_responses_through_the_api(client):
    world = ready_round(cases=20)
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    services.plan_publish(user=world.planner, plan=plan)
    a, b = world.cities[0], world.cities[1]
    url = f"{BASE}/rounds/{world.round.pk}/plans/1/responses"
    response = client.post(f"{url}/{a.pk}", {"decision": "accept"}, content_type="application/json",
                           **_auth(world.officers[a.pk]))
    assert response.status_code == 201, response.content
    objection = client.post(f"{url}/{b.pk}", {"decision": "object", "reasons": "No flats.", "declaration": {
        "capacities": {"housing_3br": {"value": 0, "state": "provided"}}}}, content_type="application/json",
        **_auth(world.officers[b.pk]))
    assert objection.status_code == 201, objection.content
    assert objection.json()["revised_declaration"]["capacities"]["housing_3br"]["value"] == 0
    assert client.post(f"{url}/{b.pk}", {"decision": "accept"}, content_type="application/json",
                       **_auth(world.officers[a.pk])).status_code == 403
    mine = client.get(f"{BASE}/rounds/{world.round.pk}/responses", **_auth(world.officers[a.pk])).json()
    assert [r["locality"] for r in mine] == [a.pk]
    assert len(client.get(f"{BASE}/rounds/{world.round.pk}/responses", **_auth(world.planner)).json()) == 2


def test_the_objection_thread_through_the_api_for_its_two_sides_only(client):
    from arrival.planning.models import DialogueMessage
    from tests.planning.factories import FULL_CAPACITY, ready_round

    world = ready_round(cases=15)
    first = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    services.plan_publish(user=world.planner, plan=first)
    city, other, _third = world.cities
    objection = services.response_object(user=world.officers[city.pk], plan=first, actor=city, reasons="No room.",
                                         capacities=FULL_CAPACITY)
    second = services.plan_revise(user=world.planner, intake_round=world.round, time_limit=20).plan
    url = f"{BASE}/rounds/{world.round.pk}/responses/{objection.pk}/messages"
    reply = client.post(url, {"body": "See version 2.", "link_version": second.version},
                        content_type="application/json", **_auth(world.planner))
    assert reply.status_code == 201 and reply.json()["side"] == "planners" and reply.json()["plan_version"] == 2
    intruder = client.post(url, {"body": "Me too."}, content_type="application/json", **_auth(world.officers[other.pk]))
    assert intruder.status_code == 404
    declaration = {"capacities": {key: {"value": item["value"], "state": item["state"]}
                                  for key, item in FULL_CAPACITY.items()}}
    declaration["capacities"]["housing_1br"] = {"value": 2, "state": "provided"}
    answer = client.post(url, {"body": "Fewer flats now.", "declaration": declaration},
                         content_type="application/json", **_auth(world.officers[city.pk]))
    assert answer.status_code == 201 and answer.json()["revised_declaration"]["capacities"]["housing_1br"]["value"] == 2
    assert DialogueMessage.objects.filter(objection=objection).count() == 2
    mine = client.get(f"{BASE}/rounds/{world.round.pk}/responses", **_auth(world.officers[city.pk])).json()
    assert [m["body"] for m in mine[0]["messages"]] == ["See version 2.", "Fewer flats now."]
    assert mine[0]["awaiting_reply_since"] is not None
    theirs = client.get(f"{BASE}/rounds/{world.round.pk}/responses", **_auth(world.officers[other.pk])).json()
    assert theirs == []


def test_keys_notes_are_worded_from_the_counts(client):
    world = round_world(regions=False)
    rates = {world.cities[0].pk: 5, world.cities[1].pk: 6, world.cities[2].pk: 0}  # the smallest: capped
    services.key_inputs_set(user=world.planner, intake_round=world.round,
                            rows={city.pk: {"gdp": 10, "unemployment_rate": rates[city.pk], "past_effort": 3}
                                  for city in world.cities})
    body = client.get(f"{BASE}/rounds/{world.round.pk}/keys", **_auth(world.planner)).json()
    eu2015 = next(k for k in body if k["name"] == "eu2015")
    assert eu2015["notes"] == ["1 unemployment-rate correction was capped at 30% of the population and GDP base."]
    assert next(k for k in body if k["name"] == "population")["notes"] == []
