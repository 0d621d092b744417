"""Public pages of actors: home, place search and autocomplete, profiles, countries, networks, network map."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from arrival.actors import profile_sections
from arrival.actors.models import (
    Actor,
    ActorKind,
    ActorName,
    MembershipRole,
    NetworkRelation,
    NetworkRelationKind,
    Organisation,
    OrganisationType,
)
from arrival.actors.profile_sections import registered_profile_sections
from arrival.actors.selectors import fold
from tests.actors.factories import (
    ActorFactory,
    CountryFactory,
    LocalGovernmentFactory,
    MembershipFactory,
    NetworkFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_names(actor: Actor, *names: str) -> None:
    """Index an actor's names for place search, as the loaders do."""
    rank = actor.population or 0
    for name in {actor.name, *names}:
        ActorName.objects.get_or_create(
            actor=actor,
            key=fold(name),
            defaults={
                "name": name,
                "kind": actor.kind,
                "country_code": actor.country.code if actor.country else "",
                "rank": rank,
            },
        )


def place(
    name: str, *, country, population: int | None = 100_000, names: tuple[str, ...] = (), **facts
) -> Actor:
    local = LocalGovernmentFactory(actor__name=name, actor__country=country, population=population, **facts)
    add_names(local.actor, *names)
    return local.actor


def network(name: str, **facts) -> Actor:
    return NetworkFactory(actor__name=name, **facts).actor


@pytest.fixture
def belgium():
    return CountryFactory(
        code="BE", alpha3="BEL", name="Belgium", region="Europe", subregion="Western Europe"
    )


@pytest.fixture
def mechelen(belgium):
    return place(
        "Mechelen",
        country=belgium,
        population=77_530,
        names=("Malines", "Mecheln"),
        geonames_id=2791537,
        latitude=51.02574,
        longitude=4.47762,
        timezone="Europe/Brussels",
        admin1_code="VLG",
    )


def is_full_page(response) -> bool:
    return b"<html" in response.content


# --- Home -----------------------------------------------------------------------------------------


def test_home_says_what_arrival_is_with_search_counts_and_an_empty_map_state(client, mechelen):
    network("Eurocities")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "migration governance led by cities" in page
    assert "whatever their status" in page
    assert f'hx-get="{reverse("actors:place_suggest")}"' in page
    assert 'type="search"' in page
    assert response.context["counts"] == {"countries": 1, "local_governments": 1, "networks": 1}
    assert response.context["points"] == []
    assert "No government has records beyond its reference facts yet." in page
    assert 'id="home-map"' not in page


def test_home_maps_governments_with_records_and_labels_demo_memberships(
    client, mechelen, django_assert_max_num_queries
):
    eurocities = network("Eurocities")
    for index in range(5):
        member = place(f"City {index}", country=mechelen.country, population=10_000)
        MembershipFactory(member=member, network=eurocities, is_demo=True)
    MembershipFactory(member=mechelen, network=eurocities, is_demo=True)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("home"))

    page = response.content.decode()
    assert 'id="home-map"' in page
    assert [point["name"] for point in response.context["points"]][0] == "Mechelen"
    assert len(response.context["points"]) == 6
    assert "badge-demo" in page
    assert "invented for the demonstration" in page


# --- Place search and autocomplete ----------------------------------------------------------------


def test_place_search_without_a_query_invites_one(client, mechelen):
    response = client.get(reverse("actors:place_search"))

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert "Type a name or choose a country" in response.content.decode()
    assert is_full_page(response)


def test_place_search_finds_a_place_by_an_alternate_name_and_links_its_profile(client, mechelen):
    place("Brussels", country=mechelen.country, population=1_019_022)

    response = client.get(reverse("actors:place_search"), {"q": "malines"})

    page = response.content.decode()
    assert [actor.name for actor in response.context["page_obj"]] == ["Mechelen"]
    assert reverse("actors:actor_detail", args=[mechelen.slug]) in page
    assert "Belgium" in page
    assert "77,530" in page
    assert "1 place found" in page


def test_place_search_filters_by_country_and_orders_by_population(client, mechelen):
    place("Brussels", country=mechelen.country, population=1_019_022)
    place(
        "Maastricht", country=CountryFactory(code="NL", alpha3="NLD", name="Netherlands"), population=121_000
    )

    response = client.get(reverse("actors:place_search"), {"country": "BE"})

    assert [actor.name for actor in response.context["page_obj"]] == ["Brussels", "Mechelen"]
    assert '<option value="BE" selected>Belgium</option>' in response.content.decode()


def test_place_search_rejects_an_unknown_country_with_a_clear_error(client, mechelen):
    response = client.get(reverse("actors:place_search"), {"q": "mech", "country": "ZZ"})

    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert "The search could not be run" in response.content.decode()


def test_place_search_pages_and_answers_htmx_with_the_results_partial(
    client, belgium, django_assert_max_num_queries
):
    for index in range(55):
        place(f"Town {index:02d}", country=belgium, population=1_000 + index)

    client.get(reverse("actors:place_search"))  # fills the cached country list
    with django_assert_max_num_queries(4):
        first = client.get(reverse("actors:place_search"), {"q": "town"})
    second = client.get(reverse("actors:place_search"), {"q": "town", "page": 2}, **HTMX)

    assert len(first.context["page_obj"]) == 50
    assert 'rel="next"' in first.content.decode()
    assert not is_full_page(second)
    assert second.content.decode().lstrip().startswith('<section id="place-results"')
    assert [actor.name for actor in second.context["page_obj"]] == [
        f"Town {index:02d}" for index in range(4, -1, -1)
    ]


def test_suggest_returns_list_items_for_a_prefix_without_accents(client, mechelen):
    place(
        "Montréal",
        country=CountryFactory(code="CA", alpha3="CAN", name="Canada"),
        population=1_600_000,
        names=("Montreal",),
    )

    response = client.get(reverse("actors:place_suggest"), {"q": "montre"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert not is_full_page(response)
    assert page.startswith("<li>")
    assert "Montréal" in page and "Canada" in page
    assert 'hx-swap-oob="true"' in page
    assert "1 suggestion" in page


def test_suggest_needs_two_letters_and_leaves_the_list_empty(client, mechelen):
    response = client.get(reverse("actors:place_suggest"), {"q": "m"})

    page = response.content.decode()
    assert "<li>" not in page
    assert "suggestion" not in page


def test_suggest_uses_a_constant_number_of_queries(client, belgium, django_assert_max_num_queries):
    for index in range(20):
        place(f"Mechel {index}", country=belgium, population=10_000 + index)

    with django_assert_max_num_queries(2):
        response = client.get(reverse("actors:place_suggest"), {"q": "mech"})

    assert response.content.decode().count("<li>") == 10


# --- Profiles -------------------------------------------------------------------------------------


def test_local_government_profile_shows_facts_location_and_networks(
    client, mechelen, django_assert_max_num_queries
):
    eurocities = network("Eurocities")
    intercultural = network("Intercultural Cities")
    MembershipFactory(
        member=mechelen,
        network=eurocities,
        role=MembershipRole.MEMBER,
        since=dt.date(2015, 1, 1),
        is_demo=True,
    )
    MembershipFactory(
        member=mechelen, network=intercultural, role=MembershipRole.BOARD, until=dt.date(2020, 1, 1)
    )

    # The actor and its memberships, plus at most two reads for each section later apps register.
    with django_assert_max_num_queries(2 + 2 * len(registered_profile_sections())):
        response = client.get(reverse("actors:actor_detail", args=[mechelen.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in page and "Mechelen" in page
    assert f'href="{reverse("actors:country_detail", args=["be"])}"' in page
    assert "77,530" in page
    assert "Europe/Brussels" in page
    assert "VLG" in page
    assert 'href="https://www.geonames.org/2791537"' in page
    assert "latitude 51.0257, longitude 4.4776" in page
    assert 'id="location-map"' in page
    # The heading names the place; the map's label (an attribute: no markup) is words of the interface only.
    assert 'aria-label="Map: Location"' in page
    assert [m.network.name for m in response.context["memberships"]] == ["Eurocities", "Intercultural Cities"]
    assert "Board or steering member" in page
    assert "2015" in page
    assert page.count("badge-demo") == 2  # the demo membership's badge and the note above the table


def test_profile_without_memberships_or_sections_says_so_without_placeholders(client, mechelen):
    response = client.get(reverse("actors:actor_detail", args=[mechelen.slug]))

    assert response.context["sections"] == []
    assert "has no record of <bdi translate=\"no\">Mechelen</bdi> belonging to a city network" in response.content.decode()


def test_profile_renders_registered_sections_and_skips_those_with_nothing_to_say(
    client, mechelen, settings, tmp_path, monkeypatch
):
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "_section.html").write_text(
        "<section><h2>Self-assessment</h2><p>Score {{ score }} for {{ actor.name }}</p></section>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    monkeypatch.setattr(profile_sections, "_SECTIONS", {})
    profile_sections.register_profile_section(
        "extra/_section.html", lambda *, actor: {"score": 42} if actor.name == "Mechelen" else None, order=5
    )
    other = place("Lier", country=mechelen.country)

    shown = client.get(reverse("actors:actor_detail", args=[mechelen.slug])).content.decode()
    hidden = client.get(reverse("actors:actor_detail", args=[other.slug])).content.decode()

    assert "<h2>Self-assessment</h2><p>Score 42 for Mechelen</p>" in shown
    assert "Self-assessment" not in hidden


def test_register_profile_section_refuses_a_context_that_is_not_callable():
    with pytest.raises(TypeError):
        profile_sections.register_profile_section("extra/_section.html", {"score": 1})


def test_national_government_and_organisation_profiles(client, belgium):
    national = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, name="Government of Belgium", country=belgium)
    organisation = ActorFactory(
        kind=ActorKind.ORGANISATION, name="Caritas Belgium", country=belgium, website="https://example.org/"
    )
    Organisation.objects.create(
        actor=organisation, organisation_type=OrganisationType.NGO, source="annual report"
    )

    national_page = client.get(reverse("actors:actor_detail", args=[national.slug])).content.decode()
    organisation_page = client.get(reverse("actors:actor_detail", args=[organisation.slug])).content.decode()

    assert "National government" in national_page
    assert reverse("actors:country_detail", args=["be"]) in national_page
    assert 'id="location-map"' not in national_page
    assert "Non-governmental organisation" in organisation_page
    assert "https://example.org/" in organisation_page
    assert "annual report" in organisation_page


def test_network_profile_redirects_to_the_network_page(client):
    eurocities = network("Eurocities")

    response = client.get(reverse("actors:actor_detail", args=[eurocities.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("actors:network_detail", args=[eurocities.slug])


def test_unknown_profile_is_404(client):
    assert client.get(reverse("actors:actor_detail", args=["nowhere"])).status_code == 404


# --- Countries ------------------------------------------------------------------------------------


def test_country_page_shows_facts_places_and_networks(client, mechelen, django_assert_max_num_queries):
    belgium = mechelen.country
    national = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, name="Government of Belgium", country=belgium)
    brussels = place("Brussels", country=belgium, population=1_019_022)
    eurocities = network("Eurocities")
    MembershipFactory(member=brussels, network=eurocities, is_demo=True)
    MembershipFactory(member=mechelen, network=eurocities, is_demo=True)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("actors:country_detail", args=["be"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Western Europe" in page
    assert reverse("actors:actor_detail", args=[national.slug]) in page
    assert [actor.name for actor in response.context["largest_places"]] == ["Brussels", "Mechelen"]
    assert response.context["networks"] == [{"network": eurocities, "member_count": 2}]
    assert 'id="country-map"' in page
    assert "invented for the demonstration" in page


def test_country_code_is_case_insensitive_and_unknown_codes_are_404(client, belgium):
    assert client.get(reverse("actors:country_detail", args=["BE"])).status_code == 200
    assert client.get(reverse("actors:country_detail", args=["zz"])).status_code == 404
    assert client.get(reverse("actors:country_detail", args=["belgium"])).status_code == 404


# --- Networks -------------------------------------------------------------------------------------


def test_network_list_shows_facts_and_member_counts(client, mechelen, django_assert_max_num_queries):
    eurocities = network(
        "Eurocities", founded=1986, scale_as_reported="200+ cities", network_type="regional network"
    )
    network("Welcoming International")
    MembershipFactory(member=mechelen, network=eurocities)

    with django_assert_max_num_queries(4):
        response = client.get(reverse("actors:network_list"))

    page = response.content.decode()
    assert [(n.name, n.member_count) for n in response.context["networks"]] == [
        ("Eurocities", 1),
        ("Welcoming International", 0),
    ]
    assert "1986" in page and "200+ cities" in page and "regional network" in page
    assert "invented for the demonstration" not in page


def test_network_list_notes_demo_memberships(client, mechelen):
    MembershipFactory(member=mechelen, network=network("Eurocities"), is_demo=True)

    assert "invented for the demonstration" in client.get(reverse("actors:network_list")).content.decode()


def test_network_page_shows_facts_sources_relations_and_members(
    client, mechelen, django_assert_max_num_queries
):
    eurocities = network(
        "Eurocities", founded=1986, source="https://eurocities.eu/about/", secretariat="Brussels"
    )
    taskforce = network("Global Taskforce")
    NetworkRelation.objects.create(
        subject=taskforce, kind=NetworkRelationKind.COORDINATES, object=eurocities, source="GTF site"
    )
    MembershipFactory(member=mechelen, network=eurocities, is_demo=True, since=dt.date(2010, 5, 1))
    for index in range(10):
        MembershipFactory(member=place(f"City {index}", country=mechelen.country), network=eurocities)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("actors:network_detail", args=[eurocities.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "1986" in page and "Secretariat" in page
    assert 'href="https://eurocities.eu/about/"' in page
    assert "Global Taskforce" in page and "is coordinated by" in page
    assert 'id="members-map"' in page
    assert len(response.context["points"]) == 11
    assert response.context["page_obj"].paginator.count == 11
    assert 'Members of <bdi translate="no">Eurocities</bdi> (11)' in page
    assert "badge-demo" in page


def test_network_members_are_paginated_with_an_htmx_partial(client, belgium):
    eurocities = network("Eurocities")
    for index in range(52):
        MembershipFactory(
            member=place(f"City {index:02d}", country=belgium, population=1_000 + index), network=eurocities
        )

    full = client.get(reverse("actors:network_detail", args=[eurocities.slug]))
    partial = client.get(reverse("actors:network_detail", args=[eurocities.slug]), {"page": 2}, **HTMX)

    assert len(full.context["page_obj"]) == 50
    assert len(full.context["points"]) == 52  # the map shows every member, the table one page
    assert not is_full_page(partial)
    assert partial.content.decode().startswith('<div id="network-members">')
    assert [m.member.name for m in partial.context["page_obj"]] == ["City 01", "City 00"]


def test_network_page_is_404_for_unknown_slugs_and_other_actors(client, mechelen):
    assert client.get(reverse("actors:network_detail", args=["nothing"])).status_code == 404
    assert client.get(reverse("actors:network_detail", args=[mechelen.slug])).status_code == 404


# --- Network map ----------------------------------------------------------------------------------


@pytest.fixture
def three_networks(belgium):
    """Eurocities has 4 members, ICC 2 (both also in Eurocities), Welcoming 1 (also in both others)."""
    eurocities, icc, welcoming = (
        network("Eurocities"),
        network("Intercultural Cities"),
        network("Welcoming International"),
    )
    cities = [
        place(f"City {index}", country=belgium, population=10_000 * (index + 1), latitude=50.0 + index)
        for index in range(4)
    ]
    for city in cities:
        MembershipFactory(member=city, network=eurocities, is_demo=True)
    for city in cities[2:]:
        MembershipFactory(member=city, network=icc, is_demo=True)
    MembershipFactory(member=cities[3], network=welcoming, is_demo=True)
    return {"eurocities": eurocities, "icc": icc, "welcoming": welcoming, "cities": cities}


def test_network_map_shows_overlap_matrix_with_heat_and_bridging_governments(
    client, three_networks, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("actors:network_map"))

    page = response.content.decode()
    assert response.status_code == 200
    rows = response.context["overlap_rows"]
    assert [row["network"].name for row in rows] == [
        "Eurocities",
        "Intercultural Cities",
        "Welcoming International",
    ]
    assert [[cell["value"] for cell in row["cells"]] for row in rows] == [[4, 2, 1], [2, 2, 1], [1, 1, 1]]
    assert [cell["heat"] for cell in rows[0]["cells"]] == ["", "heat-5", "heat-3"]
    # Column headers name each network as a name (no title: an attribute cannot mark a name); the numbered row
    # headers are the visible legend.
    assert 'title="Eurocities"' not in page
    assert '<span class="visually-hidden"><bdi translate="no">Intercultural Cities</bdi></span>' in page
    assert f'1. <a href="{reverse("actors:network_detail", args=[rows[0]["network"].slug])}">' in page
    assert 'class="num heat-5">2</td>' in page

    bridging = response.context["bridging"]
    assert [(row["actor"].name, len(row["networks"])) for row in bridging] == [("City 3", 3), ("City 2", 2)]
    points = response.context["points"]
    assert [(point["name"], point["value"], point["label"]) for point in points] == [
        ("City 3", 3, "in 3 networks"),
        ("City 2", 2, "in 2 networks"),
    ]
    assert 'id="network-map"' in page
    assert "invented for the demonstration" in page


def test_network_map_filters_one_networks_members_with_an_htmx_partial(client, three_networks):
    slug = three_networks["icc"].slug

    full = client.get(reverse("actors:network_map"), {"network": slug})
    partial = client.get(reverse("actors:network_map"), {"network": slug}, **HTMX)

    assert full.context["selected"] == three_networks["icc"]
    assert [m.member.name for m in full.context["members"]] == ["City 3", "City 2"]
    assert re.search(rf'<option value="{slug}"[^>]*\bselected\b', full.content.decode())
    assert not is_full_page(partial)
    assert partial.content.decode().startswith('<div id="network-map-results">')
    assert 'Members of <bdi translate="no">Intercultural Cities</bdi>' in partial.content.decode()
    assert 'aria-label="Map: Members"' in partial.content.decode()


def test_network_map_refuses_an_unknown_network_with_a_clear_error(client, three_networks):
    response = client.get(reverse("actors:network_map"), {"network": "not-a-network"})

    assert response.status_code == 200
    assert response.context["selected"] is None
    assert "This network is not on the map" in response.content.decode()


def test_network_map_without_memberships_says_there_is_nothing_to_compare(client):
    network("Eurocities")

    page = client.get(reverse("actors:network_map")).content.decode()

    assert "No network has members on record yet" in page
    assert "No government belongs to more than one network" in page
    assert "invented for the demonstration" not in page
