"""Factories and workflow helpers for the planning app's tests.

    world = round_world()          # a national government with a planner, three cities (two in one region)
    world.round                    # a draft round with its localities set from a table
    open_round(world)              # opened for declarations
    declare(world, city, submit=True, **overrides)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.planning import services
from arrival.planning.models import IntakeRound
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory, CountryFactory, LocalGovernmentFactory


@dataclass
class World:
    country: Any
    government: Actor
    planner: Any
    cities: list[Actor]
    officers: dict[int, Any]
    round: IntakeRound
    extra: dict[str, Any] = field(default_factory=dict)


def user_with_role(actor: Actor, kind: str = RoleKind.OFFICER) -> Any:
    user = UserFactory()
    RoleFactory(user=user, actor=actor, kind=kind)
    return user


FULL_CAPACITY = {
    "housing_1br": {"value": 40, "state": "provided"},
    "housing_2br": {"value": 40, "state": "provided"},
    "housing_3br": {"value": 40, "state": "provided"},
    "school_6_11": {"value": 80, "state": "provided"},
    "school_12_17": {"value": 80, "state": "partial"},
    "childcare": {"value": 80, "state": "provided"},
    "language_course": {"value": 300, "state": "provided"},
    "health": {"value": None, "state": "no_limit"},
    "interpreter": {"value": 50, "state": "partial"},
}


def round_world(*, regions: bool = True, populations: tuple[int, ...] = (600_000, 300_000, 100_000),
                deadline_days: int = 10) -> World:
    country = CountryFactory()
    government = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, country=country, name=f"Government of {country.name}")
    planner = user_with_role(government, RoleKind.PLANNER)
    cities = [LocalGovernmentFactory(actor__country=country, population=p, latitude=50 + i, longitude=8 + i).actor
              for i, p in enumerate(populations)]
    officers = {city.pk: user_with_role(city) for city in cities}
    now = timezone.now()
    intake_round = services.round_create(
        user=planner, government=government, title="Round 2027", period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31), total=200, deadline=now + dt.timedelta(days=deadline_days),
        categories=["Resettlement", "Relocation"], weight_outcome=1.0, weight_preference=0.1,
    )
    if regions:
        table = "locality,region\n" + "".join(
            f"{city.slug},{'North' if i < 2 else 'South'}\n" for i, city in enumerate(cities))
    else:
        table = "locality\n" + "".join(f"{city.slug}\n" for city in cities)
    services.localities_set(user=planner, intake_round=intake_round, table=table)
    return World(country=country, government=government, planner=planner, cities=cities, officers=officers,
                 round=intake_round)


def open_round(world: World) -> IntakeRound:
    world.round = services.round_open(user=world.planner, intake_round=world.round)
    return world.round


def declare(world: World, city: Actor, *, submit: bool = True, capacities: dict | None = None, **kwargs: Any) -> Any:
    return services.declaration_save(
        user=world.officers[city.pk], intake_round=world.round, actor=city,
        capacities=capacities if capacities is not None else FULL_CAPACITY,
        labour=kwargs.pop("labour", {"care": 20, "construction": 10}), submit=submit, **kwargs)


def ready_round(*, cases: int = 60, regions: bool = True) -> World:
    """Opened, every city declared (submitted), synthetic cases generated."""
    world = round_world(regions=regions)
    open_round(world)
    for city in world.cities:
        declare(world, city)
    services.cases_generate_synthetic(user=world.planner, intake_round=world.round, count=cases, seed=3)
    return world


def compute(world: World) -> Any:
    """A new draft version of the round's plan (computed now)."""
    return services.plan_compute(user=world.planner, intake_round=world.round, time_limit=20).plan


def published(world: World, **kwargs: Any) -> Any:
    """A new version, computed and published to the localities (`respond_by=` passes on)."""
    return services.plan_publish(user=world.planner, plan=compute(world), **kwargs)


def object_to(world: World, plan: Any, city: Actor, reasons: str = "No room.", **kwargs: Any) -> Any:
    """`city`'s officer objects to `plan` with the full capacity as its revised declaration."""
    return services.response_object(user=world.officers[city.pk], plan=plan, actor=city, reasons=reasons,
                                    capacities=kwargs.pop("capacities", FULL_CAPACITY), **kwargs)
