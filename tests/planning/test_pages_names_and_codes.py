"""Planning pages in the reader's language: places' names marked as names (or in their official form in the
reader's language), CSV columns and codes in the help texts marked as code, the distribution keys' notes worded
by the app (issue #15)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from arrival.actors.models import Actor
from arrival.planning import services
from tests.accounts.factories import sign_in_as
from tests.planning.factories import ready_round, round_world


def _named(name: str) -> str:
    return f'<bdi translate="no">{name}</bdi>'


def _regions(world) -> list[Actor]:
    return list(Actor.objects.filter(pk__in=world.round.localities.values("region_id")).order_by("name"))


def test_localities_round_and_keys_pages_mark_places_and_regions_as_names(client):
    world = round_world()
    sign_in_as(client, world.planner)
    north, south = _regions(world)
    for page in ("localities", "round_detail", "keys"):
        html = client.get(reverse(f"planning:{page}", args=[world.round.pk])).content.decode()
        for actor in (*world.cities, north, south):
            assert _named(actor.name) in html, (page, actor.name)
        assert f"<td>{north.name}</td>" not in html and f"<th scope=\"row\">{world.cities[0].name}</th>" not in html


def test_keys_page_gives_a_region_its_official_name_in_the_readers_language(client):
    world = round_world()
    north = _regions(world)[0]
    north.translations = {"ru": {"name": "Северный регион"}}
    north.save(update_fields=["translations"])
    sign_in_as(client, world.planner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("planning:keys", args=[world.round.pk])).content.decode()
    assert "<td>Северный регион</td>" in html  # the localities' table: each locality's region
    assert '<th scope="row">Северный регион</th>' in html  # the regions' table
    assert _named(north.name) not in html.split('id="key-inputs"')[0]


def test_case_assignment_marks_localities_as_names(client):
    world = ready_round(cases=12)
    sign_in_as(client, world.planner)
    client.post(reverse("planning:plan_compute", args=[world.round.pk]))
    plan = world.round.plans.get()
    html = client.get(reverse("planning:plan_assignment", args=[world.round.pk, plan.version])).content.decode()
    placed = {actor_id for _case, actor_id in plan.assignment if actor_id}
    assert placed
    for city in world.cities:
        if str(city.pk) in {str(a) for a in placed}:
            assert f"<td>{_named(city.name)}</td>" in html


def test_help_texts_mark_csv_columns_and_commands_as_code(client):
    world = round_world()
    sign_in_as(client, world.planner)
    localities = client.get(reverse("planning:localities", args=[world.round.pk])).content.decode()
    assert "<code>locality,region</code>" in localities
    model = client.get(reverse("planning:outcome_model", args=[world.round.pk])).content.decode()
    # The columns as CSV headers: one code each for the required and the optional ones (a lone "size" would read
    # as the interface word).
    assert "<code>size, locality_id, population, outcome</code>" in model
    assert "<code>skill_SECTOR, languages, preferences, demand_SECTOR, key_language:CODE</code>" in model
    cases = client.get(reverse("planning:cases", args=[world.round.pk])).content.decode()
    assert "<code>arrival plan</code>" in cases


def test_keys_notes_are_worded_by_the_app_from_the_counts(client):
    world = round_world(regions=False)
    rates = {world.cities[0].pk: 5, world.cities[1].pk: 6, world.cities[2].pk: 0}  # the smallest: capped
    services.key_inputs_set(user=world.planner, intake_round=world.round,
                            rows={city.pk: {"gdp": 10, "unemployment_rate": rates[city.pk], "past_effort": 3}
                                  for city in world.cities})
    result = services.key_results(intake_round=world.round, key_name="eu2015")
    assert result["capped"] == {"unemployment_rate": 1}
    sign_in_as(client, world.planner)
    html = client.get(reverse("planning:keys", args=[world.round.pk])).content.decode()
    assert "1 unemployment-rate correction was capped at 30% of the population and GDP base." in html
    assert "inverse correction(s)" not in html


def test_key_notes_count_each_kind_of_correction():
    with translation.override("en"):
        assert services.key_notes({"capped": {}}) == []
        assert services.key_notes({"capped": {"unemployment_rate": 2, "past_effort": 1}}) == [
            "2 unemployment-rate corrections were capped at 30% of the population and GDP base.",
            "1 past-effort correction was capped at 30% of the population and GDP base.",
        ]
