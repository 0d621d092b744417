"""Factories and workflow helpers for commitments tests.

    lead = city("Ghent"); team = person(lead)                    # an officer of the city
    admin = person(lead, RoleKind.ADMINISTRATOR)
    draft = draft_commitment(user=team, lead=lead)                # complete, tagged with GCM objective 16
    published = published_commitment()                           # approved, submitted and published by site staff
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.commitments import services
from tests.accounts.factories import RoleFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory, MembershipFactory, NetworkFactory
from tests.practices.factories import framework_item, gcm_objective

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def city(name: str | None = None, **fields: Any) -> Actor:
    return LocalGovernmentFactory(**({"actor__name": name} if name else {}), **fields).actor


def network(name: str | None = None) -> Actor:
    return NetworkFactory(**({"actor__name": name} if name else {})).actor


def organisation(name: str = "Helping Hands") -> Actor:
    return ActorFactory(kind=ActorKind.ORGANISATION, name=name, country=None)


def person(actor: Actor, kind: str = RoleKind.OFFICER, **fields: Any) -> Any:
    user = UserFactory(**fields)
    RoleFactory(user=user, actor=actor, kind=kind)
    return user


def member_of(actor: Actor, net: Actor) -> None:
    MembershipFactory(member=actor, network=net)


def staff() -> Any:
    return StaffFactory()


def draft_commitment(*, user: Any, lead: Actor, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "title": "Welcome hosts in every neighbourhood",
        "description": "Trained volunteer hosts meet every newcomer within a month.",
        "forms": ["human_resources", "process"],
        "starts_on": dt.date(2026, 1, 1),
        "target_date": dt.date(2027, 12, 31),
        "contact_role": "Migrant inclusion office",
        "contact_email": "inclusion@example.org",
        "tags": [gcm_objective(16), framework_item("gcm_principle", "a"), framework_item("sdg_target", "10.2")],
        "milestones": [{"title": "First twenty hosts trained", "due_on": dt.date(2026, 6, 30)}],
        "indicators": [{"name": "Newcomers met by a host", "unit": "people", "baseline": 0, "target": 500}],
    }
    values.update(fields)
    return services.commitment_create(user=user, lead=lead, **values)


def publish(commitment: Any, *, team: Any, admin: Any, publisher: Any) -> Any:
    services.commitment_submit_for_approval(user=team, commitment=commitment)
    services.commitment_approve(user=admin, commitment=commitment)
    services.commitment_submit(user=team, commitment=commitment)
    return services.commitment_publish(user=publisher, commitment=commitment)


def published_commitment(lead: Actor | None = None, *, when: dt.datetime = T0, **fields: Any) -> dict[str, Any]:
    """A commitment published at `when`, with its people: {"commitment", "lead", "team", "admin", "publisher"}."""
    lead = lead or city()
    team, admin, publisher = person(lead), person(lead, RoleKind.ADMINISTRATOR), staff()
    with at(when):
        commitment = draft_commitment(user=team, lead=lead, **fields)
        publish(commitment, team=team, admin=admin, publisher=publisher)
    commitment.refresh_from_db()
    return {"commitment": commitment, "lead": lead, "team": team, "admin": admin, "publisher": publisher}
