"""Rounds, localities and the region table, declarations (partial / not provided), key inputs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrival.actors.models import Actor, ActorKind
from arrival.core.models import AuditEvent
from arrival.planning import services
from arrival.planning.models import CapacityState, Declaration, DeclarationStatus, RoundLocality, RoundStatus
from tests.accounts.factories import UserFactory
from tests.actors.factories import LocalGovernmentFactory
from tests.planning.factories import FULL_CAPACITY, declare, open_round, round_world, user_with_role


def test_round_create_needs_a_planner_of_that_government():
    world = round_world()
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.round_create(user=stranger, government=world.government, title="x",
                              period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 2, 1), total=5,
                              deadline=timezone.now() + dt.timedelta(days=1))
    officer = world.officers[world.cities[0].pk]
    with pytest.raises(PermissionDenied):
        services.round_create(user=officer, government=world.government, title="x",
                              period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 2, 1), total=5,
                              deadline=timezone.now() + dt.timedelta(days=1))
    assert world.round.categories.count() == 2
    assert AuditEvent.objects.filter(action="planning.create_round", target_id=str(world.round.pk)).exists()


def test_round_values_are_checked():
    world = round_world()
    with pytest.raises(ValidationError):
        services.round_update(user=world.planner, intake_round=world.round, period_end=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.round_update(user=world.planner, intake_round=world.round, key_name="custom", key_weights={})
    world.round.refresh_from_db()
    assert world.round.period_end == dt.date(2027, 12, 31)


def test_region_table_creates_regional_governments_and_assigns_them():
    world = round_world()
    localities = list(RoundLocality.objects.filter(round=world.round).select_related("region"))
    assert len(localities) == 3
    regions = {loc.region.name for loc in localities}
    assert regions == {"North", "South"}
    north = Actor.objects.get(name="North", kind=ActorKind.REGIONAL_GOVERNMENT)
    assert north.country_id == world.country.pk
    assert AuditEvent.objects.filter(action="actors.create_regional_government", target_id=str(north.pk)).exists()


def test_region_table_errors_name_lines_and_change_nothing():
    world = round_world()
    before = sorted(RoundLocality.objects.filter(round=world.round).values_list("actor_id", "region_id"))
    regional_count = Actor.objects.filter(kind=ActorKind.REGIONAL_GOVERNMENT).count()
    elsewhere = LocalGovernmentFactory().actor  # another country
    table = ("locality,region\n"
             f"{world.cities[0].slug},East\n"
             "no-such-place,East\n"
             f"{elsewhere.slug},East\n"
             f"{world.cities[0].slug},West\n")
    with pytest.raises(ValidationError) as info:
        services.localities_set(user=world.planner, intake_round=world.round, table=table)
    text = " ".join(info.value.messages)
    assert "line 3" in text and "line 4" in text and "line 5" in text
    assert not any(m.startswith("line 2") for m in info.value.messages)
    assert sorted(RoundLocality.objects.filter(round=world.round).values_list("actor_id", "region_id")) == before
    assert Actor.objects.filter(kind=ActorKind.REGIONAL_GOVERNMENT).count() == regional_count
    with pytest.raises(ValidationError) as info:
        services.localities_set(user=world.planner, intake_round=world.round, table="city,area\nx,y\n")
    assert "line 1" in info.value.messages[0]


def test_region_table_is_for_planners_only():
    world = round_world()
    with pytest.raises(PermissionDenied):
        services.localities_set(user=world.officers[world.cities[0].pk], intake_round=world.round,
                                table=f"locality\n{world.cities[0].slug}\n")


def test_declaration_partial_and_not_provided_are_valid():
    world = round_world()
    open_round(world)
    city = world.cities[0]
    declaration = declare(world, city, places_volunteered=25, funding_needs="12000.50", notes="Housing tight.")
    assert declaration.status == DeclarationStatus.SUBMITTED
    states = {c.service: (c.value, c.state) for c in declaration.capacities.all()}
    assert states["health"] == (None, CapacityState.NO_LIMIT)
    assert states["interpreter"] == (50, CapacityState.PARTIAL)
    assert states["housing_1br"] == (40, CapacityState.PROVIDED)
    assert {d.sector: d.value for d in declaration.labour_demand.all()} == {"care": 20, "construction": 10}
    # A service left out counts as not provided.
    declaration = declare(world, city, capacities={"housing_1br": {"value": 3, "state": "partial"}}, submit=False)
    states = {c.service: c.state for c in declaration.capacities.all()}
    assert states["housing_1br"] == "partial" and states["school_6_11"] == "not_provided"
    assert declaration.status == DeclarationStatus.DRAFT


def test_declaration_refuses_a_provided_state_without_a_number():
    world = round_world()
    open_round(world)
    with pytest.raises(ValidationError):
        declare(world, world.cities[0], capacities={"housing_1br": {"value": None, "state": "provided"}})
    with pytest.raises(ValidationError):
        declare(world, world.cities[0], capacities={"housing_1br": {"value": -1, "state": "provided"}})
    assert not Declaration.objects.filter(round=world.round).exists()


def test_declaration_only_by_the_locality_team_for_its_own_government():
    world = round_world()
    open_round(world)
    a, b = world.cities[0], world.cities[1]
    with pytest.raises(PermissionDenied):
        services.declaration_save(user=world.officers[a.pk], intake_round=world.round, actor=b,
                                  capacities=FULL_CAPACITY, submit=True)
    with pytest.raises(PermissionDenied):
        services.declaration_save(user=world.planner, intake_round=world.round, actor=b, capacities=FULL_CAPACITY)
    reviewer = user_with_role(a, "reviewer")
    with pytest.raises(PermissionDenied):
        services.declaration_save(user=reviewer, intake_round=world.round, actor=a, capacities=FULL_CAPACITY)


def test_declarations_close_at_the_deadline_and_before_opening():
    world = round_world(deadline_days=2)
    with pytest.raises(ValidationError):
        declare(world, world.cities[0])  # the round is still a draft
    open_round(world)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        with pytest.raises(ValidationError):
            declare(world, world.cities[0])
    assert world.round.status == RoundStatus.OPEN


def test_key_inputs_checked_and_audited():
    world = round_world()
    city = world.cities[0]
    services.key_inputs_set(user=world.planner, intake_round=world.round,
                            rows={city.pk: {"tax_revenue": "1000", "gdp": 5e9, "unemployment_rate": 6.5}})
    key_input = world.round.key_inputs.get(actor=city)
    assert key_input.tax_revenue == 1000 and key_input.unemployment_rate == 6.5
    with pytest.raises(ValidationError):
        services.key_inputs_set(user=world.planner, intake_round=world.round,
                                rows={city.pk: {"unemployment_rate": 140}})
    with pytest.raises(ValidationError):
        services.key_inputs_set(user=world.planner, intake_round=world.round,
                                rows={LocalGovernmentFactory().actor.pk: {"gdp": 1}})
    with pytest.raises(PermissionDenied):
        services.key_inputs_set(user=world.officers[city.pk], intake_round=world.round, rows={city.pk: {"gdp": 1}})
    assert AuditEvent.objects.filter(action="planning.set_key_input").count() == 1


def test_population_key_single_and_multilevel_quotas():
    flat = round_world(regions=False)  # populations 600k, 300k, 100k; total 200
    result = services.key_results(intake_round=flat.round, key_name="population")
    assert [result["by_locality"][str(c.pk)]["quota"] for c in flat.cities] == [120, 60, 20]
    assert result["multilevel"] is False and "population" in result["formula"]
    nested = round_world(regions=True)  # North: the first two, South: the third
    result = services.key_results(intake_round=nested.round, key_name="population")
    assert result["multilevel"] is True
    assert [result["by_locality"][str(c.pk)]["quota"] for c in nested.cities] == [120, 60, 20]
    assert sorted(r["quota"] for r in result["regions"].values()) == [20, 180]
    with pytest.raises(ValidationError):  # the Königstein key needs tax revenue
        services.key_results(intake_round=nested.round, key_name="koenigstein")


@pytest.mark.parametrize("values", [
    {"period_start": dt.date(1850, 1, 1)},
    {"period_end": dt.date(2300, 1, 1)},
    {"deadline": dt.datetime(2999, 1, 1, tzinfo=dt.UTC)},
])
def test_round_dates_outside_the_sane_range_are_refused(values):
    world = round_world()
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2200-12-31"):
        services.round_update(user=world.planner, intake_round=world.round, **values)
