"""Factories and workflow helpers for consultations tests.

Phases are fixed in time so tests travel to them with time_machine:

    with at(CALL):        # during the call for input
    with at(SYNTHESIS):   # … and so on: COMMENTS, ADOPTION, ENDORSEMENT, CLOSED
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.consultations import phases as P
from arrival.consultations import services
from arrival.consultations.models import Access
from arrival.engagement.phases import PhaseSpec
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory, MembershipFactory, NetworkFactory
from tests.practices.factories import framework_item, gcm_objective  # noqa: F401 - re-exported for tests

UTC = dt.UTC
START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Phase boundaries (days after START): call 0–10, synthesis 10–15, comments 15–20, adoption 20–25,
# endorsement 25–200, closed 200–201.
BOUNDS = [0, 10, 15, 20, 25, 200, 201]
CALL, SYNTHESIS, COMMENTS, ADOPTION, ENDORSEMENT, CLOSED = (
    START + dt.timedelta(days=BOUNDS[i], hours=1) for i in range(6))
BEFORE = START - dt.timedelta(days=1)


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def phase_specs() -> list[PhaseSpec]:
    return [PhaseSpec(key, START + dt.timedelta(days=BOUNDS[i]), START + dt.timedelta(days=BOUNDS[i + 1]))
            for i, key in enumerate(P.PHASE_ORDER)]


def person(actor: Actor, kind: str = RoleKind.OFFICER, **fields: Any) -> Any:
    user = UserFactory(**fields)
    RoleFactory(user=user, actor=actor, kind=kind)
    return user


def city(name: str | None = None, **kwargs: Any) -> Actor:
    if name:
        kwargs["actor__name"] = name
    return LocalGovernmentFactory(**kwargs).actor


def network(name: str | None = None) -> Actor:
    return NetworkFactory(**({"actor__name": name} if name else {})).actor


def national_government() -> Actor:
    return ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, name="Ministry of the Interior")


def member_of(actor: Actor, net: Actor) -> None:
    MembershipFactory(member=actor, network=net)


def consultation(*, owner: Actor | None = None, staff: Any = None, access: str = Access.OPEN,
                 access_networks: list[Actor] | None = None, invited: list[Actor] | None = None,
                 questions: list[Any] | None = None, title: str = "Local input to the review") -> Any:
    """A consultation with the fixed phases, created before the call opens (time is frozen inside)."""
    owner = owner or network("Cities Network")
    staff = staff or person(owner, RoleKind.STAFF)
    with at(BEFORE):
        return services.consultation_create(
            user=staff, owner=owner, title=title, purpose="Collect cities' proposals for the review.",
            phases=phase_specs(), access=access, access_networks=access_networks or [], invited=invited or [],
            questions=questions if questions is not None else ["What works in your city?"])


def contribute(cons: Any, actor: Actor, user: Any, *, gcm: str | None = "15", sdg: str | None = None,
               text: str = "Open the city's services to every resident.", title: str = "") -> Any:
    tags = []
    if gcm:
        tags.append(gcm_objective(gcm))
    if sdg:
        tags.append(framework_item("sdg_target", sdg))
    with at(CALL):
        return services.contribution_create(user=user, consultation=cons, actor=actor,
                                            title=title or f"Input from {actor.name}", proposed_actions=text,
                                            tags=tags)


def adopted_flow() -> dict[str, Any]:
    """Owner opens; two cities contribute (objectives 15 and 16); synthesis; adoption. Returns the parts."""
    owner = network("Cities Network")
    staff = person(owner, RoleKind.STAFF)
    cons = consultation(owner=owner, staff=staff)
    a, b = city("Alpha City"), city("Beta City")
    ua, ub = person(a), person(b)
    ca = contribute(cons, a, ua, gcm="15", text="Alpha proposes one desk for all services.")
    cb = contribute(cons, b, ub, gcm="16", text="Beta proposes neighbourhood welcome groups.")
    with at(SYNTHESIS):
        draft = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(ADOPTION):
        services.document_adopt(user=staff, document=draft.document, version=draft)
    draft.refresh_from_db()
    draft.document.refresh_from_db()
    return {"owner": owner, "staff": staff, "consultation": cons, "cities": (a, b), "users": (ua, ub),
            "contributions": (ca, cb), "version": draft, "document": draft.document}


def draft(texts: list[str], *, names: list[str] | None = None) -> tuple[Any, Any, Any]:
    """A consultation whose first draft has one paragraph per text (GCM objectives 15, 16, …, one city each, named
    `names` or "Town 15", "Town 16", …): (consultation, an organiser, version 1)."""
    cons = consultation()
    for index, text in enumerate(texts):
        number = 15 + index
        town = city(names[index] if names else f"Town {number}")
        contribute(cons, town, person(town), gcm=str(number), text=text)
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    return cons, staff, version
