"""Factories and workflow helpers for practices; the pages, search and API tests build on them.

    team = officer_for(city)                          # an officer of `city`
    practice = draft_practice(user=team, government=city)   # complete, tagged with GCM objective 1
    practice = in_review_practice()                   # submitted and screened by a curator
    practice = published_practice()                   # two peer reviews, published
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from arrival.accounts.models import RoleKind
from arrival.actors.models import Actor, ActorKind
from arrival.engagement.models import Phase, Process
from arrival.engagement.phases import phase_type_get
from arrival.frameworks.loader import load_frameworks
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.practices import phases as call_phases
from arrival.practices import services
from arrival.practices.models import CallForPractices, Practice, ReviewAssignment
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory, NetworkFactory

COMPLETE_FIELDS = {
    "problem": "<p>Newcomers waited months for a first appointment.</p>",
    "approach": "<p>One desk in the town hall, with interpreters, open every weekday.</p>",
    "results": "<p>Waiting time fell from 90 to 12 days.</p>",
    "lessons": "<p>Train front-desk staff together with community mediators.</p>",
    "replication_conditions": "<p>A municipal budget line and a partner NGO.</p>",
}
GOOD_SCORES = {"relevance": 4, "evidence": 4, "replicability": 4, "sustainability": 4, "rights_based": 4,
               "participation": 4}


def ensure_frameworks() -> None:
    if not FrameworkItem.objects.exists():
        load_frameworks()


def gcm_objective(number: int | str = 1) -> FrameworkItem:
    ensure_frameworks()
    return FrameworkItem.objects.get(framework__kind=FrameworkKind.GCM_OBJECTIVE, framework__is_current=True,
                                     code=str(number))


def framework_item(kind: str, code: str) -> FrameworkItem:
    ensure_frameworks()
    return FrameworkItem.objects.get(framework__kind=kind, framework__is_current=True, code=code)


def government(**kwargs: Any) -> Actor:
    """A new local government (with coordinates, in a country of its own unless `actor__country` is given)."""
    return LocalGovernmentFactory(**kwargs).actor


def officer_for(actor: Actor, kind: str = RoleKind.OFFICER, **user_fields: Any) -> Any:
    user = UserFactory(**user_fields)
    RoleFactory(user=user, actor=actor, kind=kind)
    return user


def curator() -> Any:
    """A staff member of a network: curates practices."""
    network = NetworkFactory().actor
    return officer_for(network, kind=RoleKind.STAFF)


def peer_reviewer(**government_kwargs: Any) -> tuple[Any, Actor]:
    """(user, actor): an officer of a new local government, a possible peer reviewer."""
    actor = government(**government_kwargs)
    return officer_for(actor, kind=RoleKind.REVIEWER), actor


class PracticeFactory(factory.django.DjangoModelFactory):
    """A bare draft row, for tests that need no workflow; use `draft_practice` to go through the services."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Welcome desk {n}")
    slug = factory.Sequence(lambda n: f"welcome-desk-{n}")
    summary = "A one-stop welcome desk for newcomers, run by the city."
    language = "en"

    @factory.post_generation
    def governments(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.governments.set(extracted or [government()])


def call_process(*, owner: Actor, title: str, opens: dt.datetime, deadline: dt.datetime, time_zone: str = "UTC",
                 is_demo: bool = False) -> Process:
    """A call's process with its three phases, written directly (any dates, past ones included)."""
    process = Process.objects.create(kind=call_phases.PROCESS_KIND, owner=owner, title=title, time_zone=time_zone,
                                     is_demo=is_demo)
    for position, (key, starts, ends) in enumerate(call_phases.call_phase_windows(opens, deadline), start=1):
        Phase.objects.create(process=process, position=position, phase_type=key, starts_at=starts, ends_at=ends,
                             actions=list(phase_type_get(key).actions))
    return process


class CallFactory(factory.django.DjangoModelFactory):
    """A call whose submissions phase runs on [opens, deadline) (by default: opened 30 days ago, 30 days left)."""

    class Meta:
        model = CallForPractices

    class Params:
        deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
        opens = factory.LazyAttribute(lambda o: min(timezone.now(), o.deadline) - dt.timedelta(days=30))
        time_zone = "UTC"

    title = factory.Sequence(lambda n: f"Call for practices {n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    description = "<p>Practices on housing newcomers.</p>"
    owner = factory.LazyFunction(lambda: ActorFactory(kind=ActorKind.NETWORK, country=None))
    process = factory.LazyAttribute(lambda o: call_process(owner=o.owner, title=o.title, opens=o.opens,
                                                           deadline=o.deadline, time_zone=o.time_zone))


def draft_practice(*, user: Any = None, government: Actor | None = None, complete: bool = True,
                   tags: list[FrameworkItem] | None = None, **fields: Any) -> Practice:
    """A draft made through `practice_create` (complete and tagged with GCM objective 1 unless told otherwise)."""
    government = government or LocalGovernmentFactory().actor
    user = user or officer_for(government)
    data: dict[str, Any] = {"title": "One-stop welcome desk", "summary": "The city runs one desk for newcomers.",
                            "language": "en"}
    if complete:
        data.update(COMPLETE_FIELDS)
        data["tags"] = tags if tags is not None else [gcm_objective(1)]
    elif tags is not None:
        data["tags"] = tags
    data.update(fields)
    return services.practice_create(user=user, government=government, **data)


def team_of(practice: Practice) -> Any:
    """An officer of the practice's first government (a new one)."""
    return officer_for(practice.governments.order_by("pk").first())


def in_review_practice(*, practice: Practice | None = None, by: Any = None) -> Practice:
    """A complete practice, submitted by its team and accepted by a curator into peer review."""
    practice = practice or draft_practice()
    services.practice_submit(user=team_of(practice), practice=practice)
    services.practice_screen(user=by or curator(), practice=practice, accept=True)
    practice.refresh_from_db()
    return practice


def assign_and_accept(practice: Practice, *, by: Any, role: str = "peer", named: bool = False,
                      reviewer: tuple[Any, Actor] | None = None) -> ReviewAssignment:
    user, actor = reviewer or peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor, role=role)
    return services.review_respond(user=user, assignment=assignment, accept=True, has_no_conflict=True,
                                   wants_to_be_named=named)


def review(assignment: ReviewAssignment, *, score: int = 4, **overrides: Any) -> Any:
    data = dict.fromkeys(GOOD_SCORES, score)
    data.update({"comments": "Clear evidence of results.", "recommendation": "publish"})
    data.update(overrides)
    return services.review_submit(user=assignment.reviewer, assignment=assignment, **data)


def published_practice(*, practice: Practice | None = None, named: bool = False) -> Practice:
    """A practice taken through submit → screening → two peer reviews → publish."""
    by = curator()
    practice = in_review_practice(practice=practice, by=by)
    for _ in range(2):
        review(assign_and_accept(practice, by=by, named=named))
    services.practice_decide(user=by, practice=practice, decision="publish")
    practice.refresh_from_db()
    return practice
