"""The demo round: real German cities with their Länder, illustrative figures, a computed draft plan; idempotent."""

from __future__ import annotations

import time

from arrival.actors.models import Actor, ActorKind
from arrival.planning.demo import CITIES, DEMO_TITLE, load_demo_planning
from arrival.planning.models import CapacityState, DeclaredCapacity, IntakeRound, PlanStatus
from tests.actors.factories import ActorFactory, CountryFactory, LocalGovernmentFactory


def test_demo_round_loads_once_with_a_draft_plan():
    assert load_demo_planning() == {"rounds": 0}  # nothing loaded: skipped, no error
    germany = CountryFactory(code="DE", name="Germany")
    ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, slug="government-de", country=germany, name="Government of Germany")
    for index, geonames_id in enumerate(CITIES):
        LocalGovernmentFactory(geonames_id=geonames_id, actor__country=germany, population=500_000 + 100_000 * index)
    started = time.perf_counter()
    import sys

    assert load_demo_planning(stdout=sys.stdout)["rounds"] == 1
    assert time.perf_counter() - started < 60
    intake_round = IntakeRound.objects.get(title=DEMO_TITLE)
    assert intake_round.is_demo and "illustrative" in intake_round.title
    assert set(Actor.objects.filter(kind=ActorKind.REGIONAL_GOVERNMENT).values_list("name", flat=True)) == {
        "Bayern", "Nordrhein-Westfalen", "Hessen", "Baden-Württemberg", "Sachsen"}
    states = set(DeclaredCapacity.objects.filter(declaration__round=intake_round).values_list("state", flat=True))
    assert {CapacityState.PARTIAL, CapacityState.NOT_PROVIDED, CapacityState.PROVIDED} <= states
    assert intake_round.declarations.filter(status="draft").count() == 1
    plan = intake_round.plans.get()
    assert plan.status == PlanStatus.DRAFT and plan.is_demo and plan.objective <= plan.bound + 1e-6
    assert all(intake_round.cases.values_list("is_demo", flat=True))
    assert load_demo_planning() == {"rounds": 0}
    assert IntakeRound.objects.count() == 1


def test_demo_sign_ins_for_the_round_work_and_never_exist_in_production(settings):
    from arrival.accounts.models import User
    from arrival.planning.demo import load_demo_planning_accounts

    assert load_demo_planning_accounts() == {}  # no demo round yet: nothing made
    germany = CountryFactory(code="DE", name="Germany")
    ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, slug="government-de", country=germany, name="Government of Germany")
    for index, geonames_id in enumerate(CITIES):
        LocalGovernmentFactory(geonames_id=geonames_id, actor__country=germany, population=500_000 + 100_000 * index)
    load_demo_planning()
    first = load_demo_planning_accounts()
    second = load_demo_planning_accounts()
    assert set(first) == set(second) and len(first) == 2
    intake_round = IntakeRound.objects.get(title=DEMO_TITLE)
    for username, password in second.items():
        user = User.objects.get(username=username)
        assert user.is_demo and user.check_password(password) and not user.check_password(first[username])
    planner = User.objects.get(username="demo-planner-de")
    assert planner.has_perm("planning.view_case", intake_round)  # a real planner of the round
    settings.PRODUCTION = True
    assert load_demo_planning_accounts() == {}
