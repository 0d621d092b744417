"""Forums and review meetings in a real browser: a visitor goes from the consultations list to the forums, reads
each forum's facts with its source, and moves between a forum and the consultations that feed into it. Both
pages pass axe; an unknown forum is a 404."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.consultations.loaders import load_forums
from arrival.consultations.models import Forum
from tests.browser.conftest import assert_no_serious_axe_violations
from tests.consultations.factories import consultation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMRF = "International Migration Review Forum 2026"
TITLE = "Cities' input to the IMRF 2026"


def test_forum_list_and_detail_link_both_ways_to_consultations(page):  # noqa: ANN001
    load_forums()
    imrf = Forum.objects.get(key="imrf-2026")
    for_imrf = consultation(title=TITLE)
    for_imrf.forum = imrf
    for_imrf.save(update_fields=["forum"])
    consultation(title="A consultation for no forum")

    page.goto("/consultations/")
    page.get_by_role("link", name="Forums and review meetings").click()
    expect(page).to_have_url(re.compile(r"/consultations/forums/$"))
    expect(page.get_by_role("heading", name="Forums and review meetings", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Forums that consultations feed into")
    expect(table.locator("tbody tr")).to_have_count(Forum.objects.count())
    imrf_row = table.get_by_role("row", name=re.compile(IMRF))
    expect(imrf_row).to_contain_text("(IMRF)")
    expect(imrf_row).to_contain_text("International Migration Review Forum")
    expect(imrf_row.locator("td.num")).to_have_text("1")
    stocktaking = table.get_by_role("row", name=re.compile("Preparatory stocktaking meeting"))
    expect(stocktaking).to_contain_text("4 Dec 2017 – 6 Dec 2017")
    expect(stocktaking).to_contain_text("Puerto Vallarta, Mexico")
    expect(stocktaking.locator("td.num")).to_have_text("0")
    expect(table.get_by_role("row", name=re.compile("High-level Political Forum"))).to_contain_text("every year")
    assert_no_serious_axe_violations(page)

    # The forum page: its facts, its source, and the consultation that feeds into it (not the other one).
    table.get_by_role("link", name=IMRF).click()
    expect(page).to_have_url(re.compile(r"/consultations/forums/imrf-2026/$"))
    expect(page.get_by_role("heading", name=IMRF, level=1)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("2026")
    expect(facts).to_contain_text("Not recorded")  # no place known for sure
    expect(facts).to_contain_text("UN General Assembly resolution 73/326")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_role("link", name="A consultation for no forum")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The consultation says which forum it serves, and links back.
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    page.get_by_role("link", name=IMRF).click()
    expect(page).to_have_url(re.compile(r"/consultations/forums/imrf-2026/$"))
    page.get_by_role("link", name="Forums and review meetings").click()
    expect(page).to_have_url(re.compile(r"/consultations/forums/$"))


def test_forum_with_a_web_page_and_dates_and_an_empty_one(page):  # noqa: ANN001
    load_forums()
    page.goto("/consultations/forums/imrf-2022/")
    expect(page.get_by_role("heading", name="International Migration Review Forum 2022", level=1)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("17 May 2022 – 20 May 2022")
    expect(facts).to_contain_text("New York, United States")  # the city as a name, the country from CLDR
    url = "https://migrationnetwork.un.org/international-migration-review-forum-2022"
    expect(facts.get_by_role("link", name=url, exact=True)).to_have_attribute("href", url)
    expect(page.get_by_role("listitem").filter(has_text="None yet.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    response = page.goto("/consultations/forums/no-such-forum/")
    assert response is not None and response.status == 404
