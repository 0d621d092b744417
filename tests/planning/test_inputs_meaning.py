"""Planning inputs mean what the user declared (issue 13 §1): "not provided" is 0, "no limit" is its own choice,
localities without a declaration follow the round's rule, and the rounds list counts localities once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrival.planning import selectors, services
from arrival.planning.models import DeclaredCapacity
from tests.planning.factories import FULL_CAPACITY, declare, open_round, round_world


def _interpreter_cases(world, count: int = 30) -> None:
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=count, seed=3)
    world.round.cases.update(needs={"interpreter": 1.0}, tied_to="")


def test_not_provided_is_capacity_zero_and_no_limit_is_explicit():
    world = round_world()
    open_round(world)
    first, second, third = world.cities
    declare(
        world, first, capacities={**FULL_CAPACITY, "interpreter": {"value": None, "state": "not_provided"}}
    )
    declare(world, second, capacities={**FULL_CAPACITY, "interpreter": {"value": None, "state": "no_limit"}})
    declare(world, third, capacities={**FULL_CAPACITY, "interpreter": {"value": 2, "state": "provided"}})
    _interpreter_cases(world)
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    used = plan.metrics["service_use"]["interpreter"]
    assert used[str(first.pk)] == 0  # "not provided" takes no one who needs an interpreter
    assert used[str(third.pk)] <= 2
    assert used[str(second.pk)] > 2  # "no limit" takes the rest
    assert plan.metrics["capacity"]["interpreter"][str(first.pk)] == 0
    assert plan.metrics["capacity"]["interpreter"][str(second.pk)] is None
    stored = DeclaredCapacity.objects.get(declaration__actor=first, service="interpreter")
    assert (stored.value, stored.state) == (0, "not_provided")


def test_a_service_left_out_of_a_declaration_is_not_provided():
    world = round_world()
    open_round(world)
    declaration = declare(
        world, world.cities[0], capacities={"housing_1br": {"value": 3, "state": "provided"}}
    )
    states = {c.service: (c.value, c.state) for c in declaration.capacities.all()}
    assert states["interpreter"] == (0, "not_provided")


def _undeclared_world(rule: str, band: float | None = 0.2):
    world = round_world(regions=False)
    services.round_update(user=world.planner, intake_round=world.round, band=band, undeclared_rule=rule)
    open_round(world)
    for city in world.cities[:2]:
        declare(world, city, capacities={**FULL_CAPACITY, "health": {"value": None, "state": "no_limit"}})
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=60, seed=3)
    return world


def test_undeclared_locality_key_quota_rule_caps_it_at_its_quota():
    world = _undeclared_world("key_quota")
    silent = world.cities[2]
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    persons = plan.metrics["persons_by_locality"][str(silent.pk)]
    assert persons <= plan.metrics["key_quota"][str(silent.pk)]
    assert plan.inputs["undeclared"]["rule"] == "key_quota"
    assert plan.inputs["undeclared"]["localities"][str(silent.pk)]["treatment"] == "key_quota"


def test_undeclared_locality_exclude_rule_places_nobody_there():
    world = _undeclared_world("exclude")
    silent = world.cities[2]
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    assert plan.metrics["persons_by_locality"].get(str(silent.pk), 0) == 0
    assert not plan.allocations.filter(actor=silent).exclude(persons=0).exists()
    assert plan.inputs["undeclared"]["localities"][str(silent.pk)]["treatment"] == "excluded"


def test_undeclared_locality_last_round_rule_uses_its_previous_declaration():
    world = _undeclared_world("last_round", band=None)
    silent = world.cities[2]
    earlier = services.round_create(
        user=world.planner,
        government=world.government,
        title="Round 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        total=100,
        deadline=timezone.now() + dt.timedelta(days=3),
        categories=["Resettlement"],
    )
    services.localities_set(user=world.planner, intake_round=earlier, table=f"locality\n{silent.slug}\n")
    services.round_open(user=world.planner, intake_round=earlier)
    services.declaration_save(
        user=world.officers[silent.pk],
        intake_round=earlier,
        actor=silent,
        submit=True,
        capacities={**FULL_CAPACITY, "interpreter": {"value": None, "state": "not_provided"}},
    )
    world.round.cases.update(needs={"interpreter": 1.0}, tied_to="")
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    row = plan.inputs["undeclared"]["localities"][str(silent.pk)]
    assert row["treatment"] == "last_round" and row["round"] == earlier.pk
    assert plan.metrics["service_use"]["interpreter"][str(silent.pk)] == 0  # its earlier "not provided" holds


def test_undeclared_rule_is_validated():
    world = round_world()
    with pytest.raises(ValidationError):
        services.round_update(user=world.planner, intake_round=world.round, undeclared_rule="ignore")


def test_round_list_counts_each_locality_once():
    world = round_world(populations=tuple(100_000 + i for i in range(10)))
    open_round(world)
    # Several related rows: the officer is a member of every city, each city declared.
    for city in world.cities:
        declare(world, city)
    from tests.accounts.factories import RoleFactory

    member = world.officers[world.cities[0].pk]
    for city in world.cities[1:]:
        RoleFactory(user=member, actor=city, kind="officer")
    for user in (world.planner, member):
        rounds = list(selectors.round_list(user=user))
        assert [r.locality_count for r in rounds] == [10]


def test_a_service_declared_not_provided_takes_no_family_that_needs_it():
    # Only states that existed before: "not provided" must not mean "unlimited".
    world = round_world()
    open_round(world)
    first, second, third = world.cities
    declare(
        world, first, capacities={**FULL_CAPACITY, "interpreter": {"value": None, "state": "not_provided"}}
    )
    for city in (second, third):
        declare(world, city, capacities={**FULL_CAPACITY, "interpreter": {"value": 100, "state": "provided"}})
    _interpreter_cases(world)
    plan = services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan
    assert plan.metrics["service_use"]["interpreter"][str(first.pk)] == 0
