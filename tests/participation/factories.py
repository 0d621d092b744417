"""Factories for participation: a city with an officer, a process with the four phases around a fixed moment,
residents and proposals written through the services.

    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)      # collect phase runs at COLLECT_AT
    proposal = posted(process, resident())                    # a proposal written during the collect phase
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from arrival.accounts.models import RoleKind
from arrival.engagement.phases import PhaseSpec
from arrival.participation import services
from arrival.participation.models import ParticipationProcess, Proposal
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import LocalGovernmentFactory

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
COLLECT_AT = START + dt.timedelta(days=5)
SUPPORT_AT = START + dt.timedelta(days=25)
ANSWER_AT = START + dt.timedelta(days=45)
REPORT_AT = START + dt.timedelta(days=65)
AFTER = START + dt.timedelta(days=200)


def phases() -> list[PhaseSpec]:
    day = dt.timedelta(days=1)
    return [
        PhaseSpec(services.PHASE_COLLECT, START, START + 20 * day),
        PhaseSpec(services.PHASE_SUPPORT, START + 20 * day, START + 40 * day),
        PhaseSpec(services.PHASE_ANSWER, START + 40 * day, START + 60 * day),
        PhaseSpec(services.PHASE_REPORT_BACK, START + 60 * day, START + 90 * day),
    ]


def city_with_officer(kind: str = RoleKind.OFFICER) -> tuple[Any, Any]:
    city = LocalGovernmentFactory().actor
    officer = RoleFactory(actor=city, kind=kind).user
    return city, officer


def resident(**kwargs: Any) -> Any:
    return UserFactory(**kwargs)


def open_process(*, officer: Any = None, city: Any = None, **kwargs: Any) -> ParticipationProcess:
    if officer is None:
        city, officer = city_with_officer()
    kwargs.setdefault("categories", ["Housing", "Work"])
    return services.process_create(user=officer, owner=city, title=kwargs.pop("title", "Welcoming neighbourhoods"),
                                   purpose="Tell us what you need.", input_use="We answer every input.",
                                   phases=kwargs.pop("phases", phases()), languages=["en", "ar"], **kwargs)


def posted(process: ParticipationProcess, author: Any, **kwargs: Any) -> Proposal:
    kwargs.setdefault("title", "Evening language classes")
    kwargs.setdefault("body", "After work, near the market.")
    kwargs.setdefault("language", "en")
    return services.proposal_create(user=author, process=process, at=COLLECT_AT, **kwargs)
