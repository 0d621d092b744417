"""Reads of actors: folding, place search, countries, networks, overlap and bridges, map points."""

from __future__ import annotations

import datetime as dt

import pytest

from arrival.actors import selectors
from arrival.actors.models import ActorKind, MembershipRole
from tests.actors.factories import (
    ActorFactory,
    CountryFactory,
    LocalGovernmentFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkRelationFactory,
    index_names,
)

pytestmark = pytest.mark.django_db


def place(name, *, country, population=100_000, names=()):
    actor = LocalGovernmentFactory(actor__name=name, actor__country=country, population=population).actor
    index_names(actor, *names)
    return actor


@pytest.fixture
def be():
    return CountryFactory(code="BE", alpha3="BEL", name="Belgium")


@pytest.fixture
def br():
    return CountryFactory(code="BR", alpha3="BRA", name="Brazil", region="Americas")


@pytest.mark.parametrize(
    ("text", "folded"),
    [("São Paulo", "sao paulo"), ("  Montréal-Nord ", "montreal nord"), ("'s-Hertogenbosch", "s hertogenbosch"),
     ("Straße", "strasse"), ("القاهرة", "القاهرة"), ("", "")],
)
def test_fold(text, folded):
    assert selectors.fold(text) == folded


def test_place_search_by_alternate_names_and_accents(be, br):
    mechelen = place("Mechelen", country=be, population=77_530, names=("Malines", "Mecheln"))
    place("Malmedy", country=be, population=12_000)
    sao_paulo = place("São Paulo", country=br, population=10_000_000, names=("Sampa",))
    assert selectors.place_search(q="malines") == [mechelen]
    assert [a.name for a in selectors.place_search(q="Mal")] == ["Mechelen", "Malmedy"]
    assert selectors.place_search(q="SAO  PAULO!") == [sao_paulo]
    assert selectors.place_search(q="são") == [sao_paulo]
    assert selectors.place_search(q="sa", country="be") == []
    assert selectors.place_search(q="m") == [] and selectors.place_search(q=" ") == []
    assert selectors.place_search(q="mal", limit=1) == [mechelen]


def test_place_search_orders_by_population_then_name_none_last(be):
    national = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, name="Antwerp Region Office", country=be)
    index_names(national)
    small = place("Antwerp B", country=be, population=10)
    big = place("Antwerp", country=be, population=500_000)
    tie = place("Antwerp A", country=be, population=10)
    assert selectors.place_search(q="antw") == [big, tie, small, national]


def test_place_search_one_actor_once_and_kinds(be):
    city = place("Bruxelles", country=be, names=("Brussel", "Brussels", "Bruxel"))
    network = NetworkFactory(actor__name="Brussels Network").actor
    index_names(network)
    assert selectors.place_search(q="bru") == [city]
    assert selectors.place_search(q="bru", kinds=(ActorKind.NETWORK,)) == [network]


def test_place_search_queries(be, django_assert_max_num_queries):
    for n in range(15):
        place(f"Gent {n}", country=be, population=1000 + n, names=(f"Gand {n}",))
    with django_assert_max_num_queries(3):
        results = selectors.place_search(q="gan")
        assert [a.population for a in results] == list(range(1014, 1004, -1))
        assert all(a.country.code == "BE" for a in results)


def test_local_government_list(be, br):
    place("Liège", country=be, population=200_000, names=("Luik",))
    place("Leuven", country=be, population=100_000)
    place("Lençóis", country=br, population=10_000)
    unknown = place("Lier", country=be, population=None)
    assert [a.name for a in selectors.local_government_list(q="le")] == ["Leuven", "Lençóis"]
    assert [a.name for a in selectors.local_government_list(q="luik")] == ["Liège"]
    assert [a.name for a in selectors.local_government_list(country="be")][-1] == unknown.name
    assert [a.name for a in selectors.local_government_list(q="l", country="BR")] == ["Lençóis"]


def test_actor_get(be):
    city = place("Namur", country=be)
    assert selectors.actor_get(slug=city.slug) == city
    assert selectors.actor_get(pk=city.pk).population == 100_000
    with pytest.raises(type(city).DoesNotExist):
        selectors.actor_get(slug="nowhere")


def test_countries(be, br):
    place("Namur", country=be)
    place("Mons", country=be)
    counts = {c.code: c.local_government_count for c in selectors.country_list()}
    assert counts == {"BE": 2, "BR": 0}
    assert selectors.country_get(code="be") == be
    with pytest.raises(type(be).DoesNotExist):
        selectors.country_get(code="zz")


def test_country_overview(be, br, django_assert_max_num_queries):
    national = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, name="Government of Belgium", country=be)
    cities = [place(f"City {n}", country=be, population=1000 * (n + 1)) for n in range(25)]
    network = NetworkFactory().actor
    for city in cities[:3]:
        MembershipFactory(member=city, network=network)
    MembershipFactory(member=place("Rio", country=br), network=NetworkFactory().actor)
    with django_assert_max_num_queries(5):
        overview = selectors.country_overview(country=be)
    assert overview["national_government"] == national
    assert overview["local_government_count"] == 25
    assert overview["largest_places"][0] == cities[-1] and len(overview["largest_places"]) == 20
    assert overview["networks"] == [{"network": network, "member_count": 3}]
    assert len(overview["places_on_map"]) == 25
    point = overview["places_on_map"][0]
    assert set(point) == {"name", "url", "lat", "lon", "value", "label", "group"}
    assert point["value"] == 25_000 and point["label"] == "Belgium"


def test_networks_members_and_relations(be, django_assert_max_num_queries):
    network = NetworkFactory(actor__name="Eurocities").actor
    other = NetworkFactory(actor__name="UCLG").actor
    cities = [place(f"Town {n}", country=be, population=n + 1) for n in range(5)]
    for city in cities:
        MembershipFactory(member=city, network=network)
    MembershipFactory(member=cities[0], network=other, until=dt.date(2001, 1, 1))
    relation = NetworkRelationFactory(subject=other, object=network, kind="coordinates", source="ref")
    with django_assert_max_num_queries(1):
        counts = {a.name: (a.member_count, a.network.network_type) for a in selectors.network_list()}
    assert counts == {"Eurocities": (5, "global network"), "UCLG": (0, "global network")}
    with django_assert_max_num_queries(1):
        members = [(m.member.name, m.member.population, m.member.country.code)
                   for m in selectors.network_members(network=network)]
    assert members[0] == ("Town 4", 5, "BE")
    past = list(selectors.network_members(network=other))
    assert past[0].is_current is False
    assert selectors.network_relations(network=network) == [
        {"direction": "in", "kind_label": "is coordinated by", "other": other, "source": "ref", "record": relation}]
    assert selectors.network_relations(network=other)[0]["kind_label"] == "coordinates"


def test_actor_memberships_current_first(be):
    city = place("Gent", country=be)
    old = MembershipFactory(member=city, network=NetworkFactory(actor__name="A").actor, until=dt.date(2000, 1, 1))
    current = MembershipFactory(member=city, network=NetworkFactory(actor__name="B").actor,
                                role=MembershipRole.BOARD)
    assert list(selectors.actor_memberships(actor=city)) == [current, old]


def test_overlap_bridges_and_places_with_records(be, django_assert_max_num_queries):
    a, b, c = (NetworkFactory(actor__name=name).actor for name in "ABC")
    x, y, z = (place(name, country=be, population=p) for name, p in (("X", 3), ("Y", 2), ("Z", 1)))
    for member, networks in ((x, (a, b, c)), (y, (a, b)), (z, (a,))):
        for network in networks:
            MembershipFactory(member=member, network=network)
    MembershipFactory(member=z, network=c, until=dt.date(2000, 1, 1))  # ended: no bridge
    overlap = selectors.network_overlap()
    assert overlap["networks"] == [a, b, c]
    assert overlap["matrix"] == [[3, 2, 1], [2, 2, 1], [1, 1, 1]]
    with django_assert_max_num_queries(3):
        bridges = selectors.bridging_members()
        assert [(r["actor"], [n.name for n in r["networks"]]) for r in bridges] == [
            (x, ["A", "B", "C"]), (y, ["A", "B"])]
        assert bridges[0]["actor"].population == 3
    assert selectors.bridging_members(min_networks=3) == [{"actor": x, "networks": [a, b, c]}]
    names = [p["name"] for p in selectors.places_with_records()]
    assert names == ["X", "Y", "Z"]


def test_record_providers_extend_places_with_records(be):
    lonely = place("Lonely", country=be)
    assert selectors.places_with_records() == []
    provider = lambda: [lonely.pk]  # noqa: E731 - a one-line provider for the test
    selectors.register_record_provider(provider)
    try:
        assert [p["name"] for p in selectors.places_with_records()] == ["Lonely"]
    finally:
        selectors._record_providers.remove(provider)
