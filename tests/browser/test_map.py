import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.reports.urls")]

REPORT_CSP_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation',"
    " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
)


def test_map_partial_draws_markers_shapes_and_legend_without_csp_errors(page, tmp_path):
    problems: list[str] = []
    page.on("console", lambda message: message.type in {"error", "warning"} and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.add_init_script(REPORT_CSP_VIOLATIONS)

    response = page.goto("/map-test/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    # The country shapes arrive from our own static GeoJSON, after the points.
    expect(page.locator("#country-map path.leaflet-interactive")).to_have_count(3)
    expect(page.locator("#points-map .leaflet-overlay-pane path").nth(150)).to_be_attached()

    points_map = page.locator("#points-map")
    assert points_map.locator("path.leaflet-interactive").count() == 4  # shapes are not interactive here
    assert page.locator("#single-map path.leaflet-interactive").count() == 1
    assert page.locator("#country-map .leaflet-overlay-pane path").count() > 150
    assert [text.strip() for text in points_map.locator(".map-legend li").all_inner_texts()] == [
        "Network A", "Network B", "Other",
    ]
    assert page.locator("#country-map .map-legend li").count() == 6  # five classes and "no data"
    assert page.locator("img[src^='http'], script[src^='http'], link[href^='http']").count() == 0

    # Bigger values get bigger circles.
    radii = page.evaluate(
        "() => [...document.querySelectorAll('#points-map path.leaflet-interactive')]"
        ".map(p => p.getBoundingClientRect().width)"
    )
    assert radii[2] > radii[1] > radii[0]

    # A popup names the place and links to it; a name with markup stays text.
    points_map.locator("path.leaflet-interactive").nth(3).click(force=True)
    popup = points_map.locator(".leaflet-popup-content")
    assert popup.locator("a").get_attribute("href") == "/actors/amman/"
    assert popup.locator("a").inner_text() == "Amman <b>"

    # The map is a labelled region the keyboard can zoom.
    single = page.locator("#single-map")
    assert single.get_attribute("aria-label") == "Map: One place"
    shapes = single.locator(".leaflet-overlay-pane path")
    before = shapes.evaluate_all("paths => paths.map(p => p.getAttribute('d')).join()")
    single.focus()
    page.keyboard.press("Minus")
    page.wait_for_timeout(400)
    assert shapes.evaluate_all("paths => paths.map(p => p.getAttribute('d')).join()") != before

    # A map swapped in by htmx (as the network map page does) is drawn too.
    page.get_by_role("button", name="Load another map").click()
    expect(page.locator("#swapped-map path.leaflet-interactive")).to_have_count(2)
    expect(page.locator("#swapped-map .leaflet-overlay-pane path").nth(150)).to_be_attached()
    assert page.locator("#points-map path.leaflet-interactive").count() == 4

    page.locator("#points-map-table summary").click()
    assert page.locator("#points-map-table table tbody tr").count() == 4
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)
    assert problems == []
