"""The foundation benchmark's parts that can be checked quickly: synthetic rows, targets, the baseline view."""

import pytest

from arrival.actors.models import Actor, ActorName, LocalGovernment
from bench import foundation
from tests.actors.factories import CountryFactory, LocalGovernmentFactory


@pytest.fixture
def real_cities():
    belgium = CountryFactory(code="BE", name="Belgium")
    peru = CountryFactory(code="PE", name="Peru")
    return [
        LocalGovernmentFactory(actor__name="Mechelen", actor__country=belgium, latitude=51.03, longitude=4.48),
        LocalGovernmentFactory(actor__name="Lima", actor__country=peru, latitude=-12.04, longitude=179.9),
    ]


def test_synthetic_governments_are_seeded_labelled_demo_and_resumable(db, real_cities, monkeypatch):
    monkeypatch.setattr(foundation, "BATCH_SIZE", 5)
    assert foundation.add_synthetic_governments(total=7, seed=3) == 7
    synthetic = Actor.objects.filter(slug__startswith=foundation.SYNTHETIC_SLUG_PREFIX).order_by("slug")
    assert synthetic.count() == 7 and all(actor.is_demo for actor in synthetic)
    assert {actor.country.code for actor in synthetic} <= {"BE", "PE"}
    assert all(0 <= actor.population < 15_000 for actor in synthetic)
    first = list(synthetic.values_list("name", "population", "local__latitude", "local__longitude"))

    # Every synthetic government can be found by name, with the search columns filled.
    for actor in synthetic:
        name = ActorName.objects.get(actor=actor)
        assert name.country_code == actor.country.code and name.rank == actor.population
    places = LocalGovernment.objects.filter(actor__in=synthetic)
    assert all(-180 <= p.longitude < 180 and -90 < p.latitude < 90 for p in places)

    # A second run adds nothing; after losing the last batch, the same rows come back.
    assert foundation.add_synthetic_governments(total=7, seed=3) == 7
    assert synthetic.count() == 7
    Actor.objects.filter(slug__startswith=foundation.SYNTHETIC_SLUG_PREFIX, slug__regex=r"-[56]$").delete()
    foundation.add_synthetic_governments(total=7, seed=3)
    assert list(synthetic.values_list("name", "population", "local__latitude", "local__longitude")) == first


def test_database_must_be_named_for_benchmarks():
    assert foundation.database_name("sqlite:////srv/x/bench.sqlite3") == ("sqlite3", "/srv/x/bench.sqlite3")
    assert foundation.database_name("postgres://postgres@127.0.0.1:5432/arrival_bench") == ("postgresql", "arrival_bench")
    for url in ("sqlite:////work/data/arrival.sqlite3", "postgres://postgres@127.0.0.1:5432/arrival", "mysql://x/bench"):
        with pytest.raises(SystemExit):
            foundation.database_name(url)


def test_percentile_interpolates_between_ranks():
    values = [float(v) for v in range(1, 101)]
    assert foundation.percentile(values, 0.5) == pytest.approx(50.5)
    assert foundation.percentile(values, 0.95) == pytest.approx(95.05)
    assert foundation.percentile([7.0], 0.99) == 7.0


@pytest.mark.urls("bench.urls")
def test_targets_are_seeded_and_resolve(client, real_cities):
    foundation.add_synthetic_governments(total=4, seed=1)
    targets = foundation.draw_targets(count=6, seed=9)
    assert targets == foundation.draw_targets(count=6, seed=9)
    assert set(targets) == set(foundation.ENDPOINTS) and all(len(paths) == 6 for paths in targets.values())
    assert any(foundation.SYNTHETIC_SLUG_PREFIX in path for path in targets["profile"])
    assert all("?q=" in path and 2 <= len(path.split("=")[1]) <= 4 for path in targets["autocomplete"])
    assert all(path.startswith("/api/v1/actors/local-governments?country=") for path in targets["list_api"])
    response = client.get(targets["minimal"][0])
    assert response.status_code == 200 and response.content == b"ok"
