"""The assessment cycle in a real browser: fill → submit → validate → publish → profile chart → PDF report."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from arrival.assessments.selectors.records import indicator_list
from arrival.assessments.services import answers_save_many
from tests.assessments.factories import AssessmentFactory, officer_for, publish, validator_for
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERED_IN_THE_BROWSER = ("D1.1.1", "D1.1.2")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"




def _bulk_answer(assessment, user) -> None:
    """Every indicator but the two answered through the page, at level 3 with a decision reference."""
    rows = [
        {"indicator_code": i.code, "value": 3, "evidence_reference": f"Council decision {i.code}"}
        for i in indicator_list(framework=assessment.framework) if i.code not in ANSWERED_IN_THE_BROWSER
    ]
    answers_save_many(user=user, assessment=assessment, rows=rows)


def test_officer_fills_submits_validator_accepts_officer_publishes_profile_and_pdf(
    browser, page, live_server, settings, tmp_path
):
    settings.ARRIVAL_JOBS_EAGER = True
    assessment = AssessmentFactory(cycle=2024)
    government = assessment.government
    officer = officer_for(government)
    _bulk_answer(assessment, officer)
    sign_in(page.context, live_server, officer)

    # The questionnaire: one answer with an uploaded document, one special answer, saved with htmx.
    page.goto(f"/assessments/{assessment.pk}/questionnaire/?domain=D1")
    expect(page.locator("h2", has_text="D1")).to_be_visible()
    expect(page.locator("#answer-progress")).to_contain_text("8 of 10")
    assert_no_serious_axe_violations(page)
    first = page.locator("#ind-D1-1-1")
    first.locator("#id_D1_1_1-answer_2").check()
    first.get_by_label("Council decision or document reference").fill("Decision 2024/7")
    evidence = tmp_path / "decision.pdf"
    evidence.write_bytes(PDF)
    first.locator("#id_D1_1_1-evidence_file").set_input_files(str(evidence))
    first.get_by_role("button", name="Save D1.1.1").click()
    expect(page.locator("#ind-D1-1-1")).to_contain_text("Saved.")
    expect(page.locator("#ind-D1-1-1")).to_contain_text("decision.pdf")
    second = page.locator("#ind-D1-1-2")
    second.get_by_label("Not applicable here").check()
    second.get_by_role("button", name="Save D1.1.2").click()
    expect(page.locator("#ind-D1-1-2")).to_contain_text("Saved.")
    expect(page.locator("#answer-progress")).to_contain_text("10 of 10")
    page.screenshot(path=str(tmp_path / "questionnaire-en.png"), full_page=True)

    # The officer names a validator city and submits.
    validator, validator_actor = validator_for(government)
    page.goto(f"/assessments/{assessment.pk}/")
    page.locator("#validators-field").get_by_label(validator_actor.name).check()
    page.get_by_role("button", name="Submit for validation").click()
    expect(page.locator(".messages")).to_contain_text("Submitted for validation")

    # A validator from that city accepts.
    reviewer_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    sign_in(reviewer_context, live_server, validator)
    reviewer = reviewer_context.new_page()
    reviewer.goto(f"/assessments/{assessment.pk}/validation/")
    reviewer.get_by_label("Validate on behalf of").select_option(str(validator_actor.pk))
    reviewer.get_by_role("button", name="Start").click()
    reviewer.get_by_label("Accept").check()
    reviewer.get_by_label("Summary for the team").fill("Evidence checked.")
    reviewer.get_by_role("button", name="Record the decision").click()
    expect(reviewer.locator(".messages")).to_contain_text("Decision recorded")
    reviewer_context.close()

    # The officer publishes; the public page shows the scores beside the outcome panel.
    page.goto(f"/assessments/{assessment.pk}/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    expect(page.locator("#scores-title")).to_be_visible()
    expect(page.locator("#outcomes-title")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("90% interval")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(tmp_path / "assessment-en.png"), full_page=True)

    # The profile shows the scores and the chart over the years.
    page.goto(f"/actors/{government.slug}/")
    section = page.locator("section.assessment-profile")
    expect(section).to_contain_text("Migration governance self-assessment")
    expect(section.locator("svg").first).to_be_visible()
    expect(section).to_contain_text("Fully meets")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(tmp_path / "profile-en.png"), full_page=True)

    # The report and the open data were prepared by background jobs at publication (run eagerly here): each
    # link downloads its file at once.
    with page.expect_download() as pdf:
        section.get_by_role("link", name="Assessment report (PDF)").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    assert pdf.value.suggested_filename == f"arrival-{government.slug}-2024.pdf"
    with page.expect_download() as workbook:
        section.get_by_role("link", name="Open data (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(workbook.value.path()).read_bytes()), read_only=True)["metadata"]
    metadata = dict(list(sheet.iter_rows(values_only=True))[1:])
    assert metadata["licence"] == "CC BY 4.0" and metadata["version"] == "LMGF-1.0"
    assert metadata["source"] == f"{live_server.url}/assessments/{assessment.pk}/open-data.xlsx"
    page.goto("/assessments/")
    with page.expect_download() as scores:
        page.get_by_role("link", name="All published scores, every government (CSV)").click()
    assert government.slug in Path(scores.value.path()).read_text(encoding="utf-8-sig")

    # Arabic, right to left.
    page.goto(f"/actors/{government.slug}/")
    page.select_option("#lang-select", "ar")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("section.assessment-profile svg").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "profile-ar.png"), full_page=True)
    page.goto(f"/assessments/{assessment.pk}/")
    page.screenshot(path=str(tmp_path / "assessment-ar.png"), full_page=True)
    # Kept for a person to look at: pytest's tmp_path of this test.
    print(f"screenshots in {tmp_path}")


def _published_at(levels: tuple[int, int]):
    """A published assessment of a new 100,000-inhabitant city whose indicators alternate between two levels."""
    assessment = AssessmentFactory(cycle=2024)
    officer = officer_for(assessment.government)
    rows = [
        {"indicator_code": i.code, "value": levels[n % 2], "evidence_reference": f"Council decision {i.code}"}
        for n, i in enumerate(indicator_list(framework=assessment.framework))
    ]
    answers_save_many(user=officer, assessment=assessment, rows=rows)
    return publish(assessment, team=officer)


def test_peer_position_and_export_links_in_english_and_arabic(page, live_server, tmp_path):
    city = _published_at((2, 3))
    for levels in ((0, 1), (1, 2), (1, 4), (3, 3), (3, 4)):
        _published_at(levels)

    page.goto(f"/actors/{city.government.slug}/")
    section = page.locator("section.assessment-profile")
    expect(section.locator(".peer-position")).to_contain_text("percentile of 5 comparable governments")
    expect(section.get_by_role("link", name="All published scores, every government (CSV)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(tmp_path / "profile-position-en.png"), full_page=True)

    page.goto(f"/assessments/{city.pk}/benchmark/")
    expect(page.locator(".peer-position")).to_contain_text("Between the 40th and the 60th percentile")
    assert_no_serious_axe_violations(page)

    page.goto(f"/assessments/{city.pk}/")
    expect(page.get_by_role("link", name="Open data (CSV)")).to_be_visible()
    expect(page.get_by_role("link", name="Assessment report (PDF)")).to_be_visible()
    page.screenshot(path=str(tmp_path / "assessment-links-en.png"), full_page=True)

    # Arabic: numbers and intervals stay left to right inside their right-to-left table.
    page.select_option("#lang-select", "ar")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    interval = page.locator("td.num", has_text="–").first
    assert interval.evaluate("cell => getComputedStyle(cell).direction") == "ltr"
    page.screenshot(path=str(tmp_path / "assessment-links-ar.png"), full_page=True)
    page.goto(f"/actors/{city.government.slug}/")
    expect(page.locator("section.assessment-profile .peer-position")).to_be_visible()
    page.screenshot(path=str(tmp_path / "profile-position-ar.png"), full_page=True)
    print(f"screenshots in {tmp_path}")


def test_officer_enters_the_outcome_panel_and_the_public_page_shows_its_gap(page, live_server):
    draft = AssessmentFactory()
    officer = officer_for(draft.government)
    sign_in(page.context, live_server, officer)
    page.goto(f"/assessments/{draft.pk}/outcomes/")
    assert_no_serious_axe_violations(page)
    page.get_by_label(re.compile(r"OP01 .*Born in the country")).fill("71.5")
    page.get_by_label(re.compile(r"OP01 .*Born abroad")).fill("60")
    page.get_by_label(re.compile(r"OP01 .*year of the figures")).fill("2024")
    page.get_by_label(re.compile(r"OP01 .*source of the figures")).fill("National statistical office")
    page.get_by_role("button", name="Save the outcome panel").click()
    expect(page.get_by_text(re.compile(r"Outcome panel saved: 2 figures changed"))).to_be_visible()
    _bulk_answer(draft, officer)
    answers_save_many(user=officer, assessment=draft, rows=[
        {"indicator_code": code, "value": 3, "evidence_reference": "Council decision"} for code in ANSWERED_IN_THE_BROWSER
    ])
    publish(draft, team=officer)
    page.goto(f"/assessments/{draft.pk}/")
    expect(page.locator("#outcomes-title")).to_be_visible()
    expect(page.get_by_role("cell", name="11.50")).to_be_visible()
