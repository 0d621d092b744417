"""Reads other apps rely on: the gap provider, the record provider, replication paths, the demo loader."""

from __future__ import annotations

from arrival.actors.selectors import places_with_records
from arrival.assessments.gap_providers import gap_records
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.frameworks.selectors import items_related_through_crosswalk
from arrival.practices import selectors, services
from tests.practices.factories import (
    draft_practice,
    gcm_objective,
    government,
    officer_for,
    published_practice,
)


def test_gap_provider_returns_published_practices_direct_tags_first() -> None:
    objective = gcm_objective(15)
    domain = FrameworkItem.objects.filter(framework__kind=FrameworkKind.DOMAIN).first()
    related = [i for i in items_related_through_crosswalk(item=domain) if i.framework.kind == FrameworkKind.GCM_OBJECTIVE]
    direct = published_practice(practice=draft_practice(title="Clinics for all", tags=[objective]))
    draft_practice(title="Unpublished clinics", tags=[objective])
    items = [objective]
    if related:
        via = published_practice(practice=draft_practice(title="Via crosswalk", tags=[related[0]]))
        items = [objective, domain]
    rows = gap_records(indicator=None, framework_items=items, limit=5)
    titles = [row["title"] for row in rows]
    assert titles[0] == direct.title
    assert "Unpublished clinics" not in titles
    assert rows[0]["url"] == direct.get_absolute_url() and rows[0]["badge"]
    if related:
        assert via.title in titles


def test_record_provider_lists_governments_of_published_practices() -> None:
    practice = published_practice()
    city = practice.governments.get()
    draft_city = draft_practice().governments.get()
    ids = set(selectors.practice_actor_ids())
    assert city.pk in ids and draft_city.pk not in ids
    assert any(point["name"] == city.name for point in places_with_records())


def test_replication_paths_and_travels_measure_distance_between_regions() -> None:
    from tests.actors.factories import CountryFactory

    source_city = government(actor__country=CountryFactory(region="Europe"), latitude=50.85, longitude=4.35)
    source = published_practice(practice=draft_practice(government=source_city))
    target_city = government(actor__country=CountryFactory(region="Americas"), latitude=45.5, longitude=-73.57)
    team = officer_for(target_city)
    adaptation = draft_practice(user=team, government=target_city)
    services.practice_set_adapted_from(user=team, practice=adaptation, source=source, note="Smaller scale.")
    assert selectors.replication_paths() == []  # the adaptation is not published yet
    published_practice(practice=adaptation)
    (path,) = selectors.replication_paths()
    assert path["source"] == source and path["practice"].pk == adaptation.pk
    assert (path["source_region"], path["target_region"]) == ("Europe", "Americas")
    assert 5500 < path["distance_km"] < 5700  # Brussels → Montréal
    travels = selectors.practice_travels(practice=source)
    assert [hop["practice"].pk for hop in travels["adaptations"]] == [adaptation.pk]
    assert selectors.practice_travels(practice=adaptation)["adapted_from"]["source"] == source


def test_practices_for_government_shows_drafts_to_its_team_only() -> None:
    city = government()
    team = officer_for(city)
    draft = draft_practice(user=team, government=city)
    assert list(selectors.practices_for_government(government=city)) == []
    assert list(selectors.practices_for_government(government=city, viewer=team)) == [draft]
