"""The in-memory facet arrays (arrival.practices.facets): the same filters and counts as the database, kept fresh."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from django.db.models import Q
from django.utils import timezone, translation

from arrival.core.fulltext import fulltext_matches
from arrival.frameworks.services import tags_load
from arrival.practices import facets, search, services
from arrival.practices.models import Practice, ReviewStage
from tests.actors.factories import CountryFactory
from tests.practices.factories import (
    PracticeFactory,
    ensure_frameworks,
    gcm_objective,
    government,
    published_practice,
    team_of,
)

PAST_DRAFT = [stage for stage in facets.STAGES if stage != ReviewStage.DRAFT]


@pytest.fixture(autouse=True)
def _fresh_arrays():
    facets.facet_index_forget()
    yield
    facets.facet_index_forget()


@pytest.fixture
def repository() -> dict[str, Practice]:
    """Two dozen practices across stages, languages, statuses, years, themes, objectives, countries and bands,
    some joint (two governments), some without a start date, a government of unknown population."""
    ensure_frameworks()
    belgium = CountryFactory(code="BE", alpha3="BEL", name="Belgium", region="Europe")
    france = CountryFactory(code="FR", alpha3="FRA", name="France", region="Europe")
    senegal = CountryFactory(code="SN", alpha3="SEN", name="Senegal", region="Africa")
    jordan = CountryFactory(code="JO", alpha3="JOR", name="Jordan", region="Asia")
    towns = [
        government(actor__country=belgium, population=30_000),
        government(actor__country=belgium, population=400_000),
        government(actor__country=france, population=2_500_000),
        government(actor__country=senegal, population=1_200_000),
        government(actor__country=jordan, population=6_000_000),
        government(actor__country=jordan, population=None),
    ]
    stages = [ReviewStage.PUBLISHED] * 4 + [ReviewStage.IN_REVIEW, ReviewStage.SUBMITTED, ReviewStage.DECLINED,
                                            ReviewStage.DRAFT]
    themes = [["housing"], ["housing", "employment"], ["language"], [], ["health", "housing"], ["data"]]
    made = {}
    for number in range(24):
        stage = stages[number % len(stages)]
        practice = PracticeFactory(
            title=f"Welcome desk {number} for newcomers" if number % 3 else f"Housing fund {number}",
            language=["en", "fr", "es", "ar"][number % 4], status=["planned", "ongoing", "completed"][number % 3],
            themes=themes[number % len(themes)], stage=stage,
            started=None if number % 7 == 0 else dt.date(2018 + number % 5, 1 + number % 12, 1),
            published_at=timezone.now() - dt.timedelta(hours=number) if stage == ReviewStage.PUBLISHED else None,
            governments=[towns[number % 6]] + ([towns[(number + 2) % 6]] if number % 5 == 0 else []),
        )
        tags_load(record=practice, items=[gcm_objective(1 + number % 23), gcm_objective(1 + (number * 7) % 23)])
        search.practice_changed(practice.pk)
        made[f"p{number}"] = practice
    return made


FILTERS = [
    {},
    {"region": ["Europe"]},
    {"country": ["be", "JO"]},
    {"population": ["1", "4"]},
    {"population": ["9"]},
    {"theme": ["housing"]},
    {"theme": ["housing"], "language": ["fr", "en"]},
    {"objective": ["1", "8"], "status": ["ongoing"]},
    {"year": ["2019", "2021"], "region": ["Asia", "Africa"]},
    {"year": ["soon"]},
    {"stage": ["in_review", "published"]},
    {"country": ["XX"]},
]


def _database(filters: dict, stages: list[str]) -> tuple[set[int], dict]:
    practices = search._apply_facets(Practice.objects.filter(stage__in=stages), filters)
    return set(practices.values_list("pk", flat=True)), search.facet_counts(practices)


def _memory(filters: dict, stages: list[str]) -> tuple[set[int], dict]:
    index = facets.facet_index()
    allowed = index.allowed(facets=filters, stages=stages)
    counts = index.counts(allowed)
    # Counting the rows left out of the stages (for masks holding most of them) gives the same counts.
    assert index.counts(allowed, stages) == counts, filters
    return {int(key) for key in index.ids[allowed]}, counts


@pytest.mark.parametrize("stages", [[ReviewStage.PUBLISHED], PAST_DRAFT], ids=["public", "curator"])
def test_filters_and_counts_equal_the_database_s(repository, stages) -> None:
    for filters in FILTERS:
        assert _memory(filters, stages) == _database(filters, stages), filters


def test_every_pair_of_facet_values_filters_and_counts_as_the_database_does(repository) -> None:
    index = facets.facet_index()
    choices = [(name, value) for name, facet in index.facets.items() for value in facet.values]
    pairs = list(itertools.combinations(choices, 2))
    assert len(pairs) > 500
    for (first, one), (second, other) in pairs[::7]:  # every seventh pair: all facets meet, in a few seconds
        filters = {first: [one], second: [other]} if first != second else {first: [one, other]}
        assert _memory(filters, PAST_DRAFT) == _database(filters, PAST_DRAFT), filters


def test_a_text_search_counts_its_matches_as_the_database_does(repository) -> None:
    for filters in FILTERS[:9]:
        outcome = search.practice_search(q="housing", mode="text", facets=filters)
        matched = search._apply_facets(Practice.objects.filter(stage=ReviewStage.PUBLISHED), filters).filter(
            pk__in=fulltext_matches(model=Practice, query="housing"))
        assert outcome["total"] == matched.count(), filters
        assert outcome["facets"] == search.facet_counts(matched), filters
        assert {p.pk for p, _s, _w in outcome["results"]} == set(matched.values_list("pk", flat=True))


def test_browse_lists_newest_first_with_the_counts_of_everything_published(repository) -> None:
    """Newest first, those in (or translated into) the reader's language before the others (issue 15)."""
    with translation.override("en"):
        outcome = search.practice_search(page_size=100)
    published = Practice.objects.filter(stage=ReviewStage.PUBLISHED)
    readable = Q(language="en") | Q(language__startswith="en-") | Q(translations__has_key="en")
    newest = ("-published_at", "-pk")
    expected = [*published.filter(readable).order_by(*newest).values_list("pk", flat=True),
                *published.exclude(readable).order_by(*newest).values_list("pk", flat=True)]
    assert [p.pk for p, _s, _w in outcome["results"]] == expected
    assert outcome["facets"] == search.facet_counts(published)


def test_rows_of_marks_ids_not_in_the_arrays(repository) -> None:
    index = facets.facet_index()
    draft = repository["p7"]
    assert draft.stage == ReviewStage.DRAFT
    known = int(index.ids[0])
    assert index.rows_of([known, draft.pk, 10**9, -5]).tolist() == [0, -1, -1, -1]
    assert index.rows_of([]).size == 0


# --- freshness --------------------------------------------------------------------------------------


def _published_count() -> int:
    index = facets.facet_index()
    return int(np.count_nonzero(index.stage_mask([ReviewStage.PUBLISHED])))


def test_publishing_and_unpublishing_through_services_reach_the_counts(settings, django_capture_on_commit_callbacks):
    settings.ARRIVAL_JOBS_EAGER = True
    assert search.practice_search()["total"] == 0
    assert search.practice_search(q="welcome desk", mode="hybrid")["total"] == 0  # nothing past draft yet
    with django_capture_on_commit_callbacks(execute=True):
        practice = published_practice()
    outcome = search.practice_search()
    assert outcome["total"] == 1
    assert {value: count for value, _label, count in outcome["facets"]["stage"]} == {"published": 1}
    # Unpublished (declined, e.g. by an administrator): the practice leaves results and counts.
    practice.stage = ReviewStage.DECLINED
    practice.save()
    with django_capture_on_commit_callbacks(execute=True):
        search.practice_changed(practice.pk)
    assert search.practice_search()["total"] == 0
    assert search.practice_search()["facets"]["stage"] == []


def test_another_process_sees_a_change_by_its_updated_at_without_the_hook(repository) -> None:
    before = _published_count()
    first = facets.facet_index()
    assert facets.facet_index() is first  # nothing changed: the same arrays
    in_review = next(p for p in repository.values() if p.stage == ReviewStage.IN_REVIEW)
    in_review.stage = ReviewStage.PUBLISHED
    in_review.published_at = timezone.now()
    in_review.save()  # no practice_changed call: as seen from another process
    assert _published_count() == before + 1
    in_review.stage = ReviewStage.REVISION_REQUESTED
    in_review.save()
    assert _published_count() == before


def test_new_tags_reach_the_counts_in_every_process(repository) -> None:
    practice = repository["p1"]
    Practice.objects.filter(pk=practice.pk).update(stage=ReviewStage.REVISION_REQUESTED, published_at=None)
    practice.refresh_from_db()
    facets.facet_index_forget()
    before = _memory({}, PAST_DRAFT)[1]["objective"]
    # On commit, practice_changed would drop this process's arrays; the test transaction never commits, so
    # what is seen here is what another process sees: the practice's new `updated_at`.
    services.practice_set_tags(user=team_of(practice), practice=practice, items=[gcm_objective(23)])
    after = _memory({}, PAST_DRAFT)[1]["objective"]
    assert after != before
    assert after == _database({}, PAST_DRAFT)[1]["objective"]


def test_changes_outside_practices_are_seen_at_the_recount(repository, settings) -> None:
    settings.ARRIVAL_FACETS_RECOUNT_SECONDS = 3600
    published = Practice.objects.filter(stage=ReviewStage.PUBLISHED)
    facets.facet_index()
    town = repository["p0"].governments.order_by("pk").first()
    town.population = 9_000_000  # a government grows into another band (a change the practices never see)
    town.save()
    Practice.objects.filter(pk=repository["p8"].pk).delete()  # a deletion in the admin
    assert search.practice_search()["facets"] != search.facet_counts(published)  # not yet: within the window
    settings.ARRIVAL_FACETS_RECOUNT_SECONDS = 0
    assert search.practice_search()["facets"] == search.facet_counts(published)
