"""Loaders on small real slices of the shipped data: countries, GeoNames cities, networks, demo memberships."""

from __future__ import annotations

import pytest

from arrival.actors import loaders
from arrival.actors.models import (
    Actor,
    ActorKind,
    ActorName,
    Country,
    LocalGovernment,
    Membership,
    Network,
    NetworkRelation,
    Organisation,
)
from arrival.actors.selectors import place_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def countries():
    loaders.load_countries()


def test_countries_and_national_governments(countries):
    assert Country.objects.count() == 250
    kosovo = Country.objects.get(code="XK")
    assert kosovo.is_sovereign and kosovo.numeric == ""
    belgium = Country.objects.get(code="BE")
    assert (belgium.region, belgium.subregion) == ("Europe", "Western Europe")
    governments = Actor.objects.filter(kind=ActorKind.NATIONAL_GOVERNMENT)
    assert governments.count() == Country.objects.filter(is_sovereign=True).count() == 197
    assert governments.get(country=belgium).name == "Government of Belgium"
    assert not governments.filter(country__code="PR").exists()  # a territory has no national government here
    assert [a.name for a in place_search(q="belgium")] == ["Government of Belgium"]


def test_countries_are_idempotent(countries):
    loaders.load_countries()
    assert Country.objects.count() == 250
    assert Actor.objects.filter(kind=ActorKind.NATIONAL_GOVERNMENT).count() == 197


def test_geonames_thresholds():
    assert loaders.geonames_threshold(15_000) == 15_000
    assert loaders.geonames_threshold(5_000_000) == 15_000
    assert loaders.geonames_threshold(2_000) == 1_000
    assert loaders.geonames_threshold(500) == 500
    with pytest.raises(ValueError, match="smallest population"):
        loaders.geonames_threshold(100)


def test_places_of_one_country(countries):
    counts = loaders.load_places(countries=["BE"], progress=False)
    assert counts["created"] == counts["cities"] > 100
    mechelen = Actor.objects.select_related("local", "country").get(local__geonames_id=2791537)
    assert mechelen.name == "Mechelen" and mechelen.country.code == "BE"
    assert mechelen.slug == "mechelen-2791537"
    local = mechelen.local
    assert mechelen.population > 50_000 and local.admin1_code == "VLG" and local.timezone == "Europe/Brussels"
    assert 50 < local.latitude < 52 and 4 < local.longitude < 5
    assert "Malines" in local.alternate_names
    keys = list(ActorName.objects.filter(actor=mechelen).values_list("key", flat=True))
    assert "malines" in keys and len(keys) == len(set(keys))
    assert all(2 <= len(key) <= 200 for key in keys)
    assert ActorName.objects.filter(actor=mechelen).values_list("rank", flat=True).distinct().get() == mechelen.population
    assert [a.name for a in place_search(q="Malines")] == ["Mechelen"]


def test_places_rerun_updates_without_duplicates(countries):
    loaders.load_places(countries=["LU"], progress=False)
    total, names = LocalGovernment.objects.count(), ActorName.objects.count()
    city = Actor.objects.filter(local__isnull=False).order_by("local__geonames_id").first()
    Actor.objects.filter(pk=city.pk).update(population=1)
    counts = loaders.load_places(countries=["LU"], progress=False)
    assert (counts["created"], counts["updated"]) == (0, 1)
    assert LocalGovernment.objects.count() == total and ActorName.objects.count() == names
    city.refresh_from_db()
    assert city.population > 1
    assert set(ActorName.objects.filter(actor_id=city.pk).values_list("rank", flat=True)) == {city.population}


def test_large_cities_found_by_other_names(countries):
    loaders.load_places(min_population=1_000_000, progress=False)
    assert 300 < LocalGovernment.objects.count() < 1_000
    assert place_search(q="Montreal")[0].name == "Montréal"
    assert place_search(q="Sao Paulo")[0].name == "São Paulo"
    assert place_search(q="sao paulo", country="br")[0].name == "São Paulo"
    assert place_search(q="القاهرة")[0].name == "Cairo"
    populations = [a.population for a in place_search(q="sa")]
    assert populations == sorted(populations, reverse=True)


def test_networks_relations_and_organisations(countries):
    loaders.load_networks()
    loaders.load_networks()
    assert Network.objects.count() == 17
    assert Organisation.objects.count() == 8
    uclg = Actor.objects.get(slug="uclg")
    assert uclg.network.secretariat == "Barcelona"
    assert "reference file" in uclg.network.source
    assert NetworkRelation.objects.filter(subject__slug="global-taskforce", kind="coordinates",
                                          object__slug="metropolis").exists()
    assert set(
        NetworkRelation.objects.filter(subject__slug="mayors-mechanism", kind="run_by").values_list(
            "object__slug", flat=True
        )
    ) == {"uclg", "mayors-migration-council"}
    assert NetworkRelation.objects.count() == 10
    assert all(relation.source for relation in NetworkRelation.objects.all())
    assert [a.slug for a in place_search(q="MC2CM", kinds=(ActorKind.NETWORK,))] == ["mc2cm"]
    assert Actor.objects.get(slug="iom").website == "https://www.iom.int"


def test_demo_memberships_are_labelled_seeded_and_idempotent(countries):
    loaders.load_places(min_population=1_000_000, progress=False)
    loaders.load_places(countries=["GR", "GB", "IE"], progress=False)
    loaders.load_networks()
    loaders.load_demo_memberships()
    first = set(Membership.objects.values_list("member_id", "network_id", "role", "since", "until"))
    assert 200 < len(first) < 600
    assert not Membership.objects.exclude(is_demo=True).exists()
    assert set(Membership.objects.values_list("source", flat=True)) == {loaders.DEMO_SOURCE}
    assert Membership.objects.filter(network__slug="cities-network-for-integration-greece").exclude(
        member__country__code="GR").count() == 0
    loaders.load_demo_memberships()
    assert set(Membership.objects.values_list("member_id", "network_id", "role", "since", "until")) == first
    Membership.objects.all().delete()
    loaders.load_demo_memberships()
    assert set(Membership.objects.values_list("member_id", "network_id", "role", "since", "until")) == first
