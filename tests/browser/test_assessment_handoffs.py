"""The hand-offs of an assessment in a real browser, as the people in it live them (issue 12, §5).

A city officer names a validator city and submits → the validator finds the assessment from the header's
"My work (1)", requests changes → the officer is told (header and inbox), finds it in "My work", fixes the
answer and resubmits → the validator accepts → the officer, told, publishes from "My work" (the team publishes:
`assessments.publish_assessment`). On the way, the joints: a refused upload is said beside its field and does
not block the next save, the evidence rule warns at save time, "validate on behalf of" is chosen already, and
the history reads as sentences. The pages added or changed pass axe in English and Arabic.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from arrival.accounts.models import RoleKind
from arrival.assessments.models import AssessmentStatus
from arrival.assessments.selectors import assessment_get, indicator_list
from arrival.assessments.services import answers_save_many
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import AssessmentFactory, officer_for
from tests.browser.conftest import assert_no_serious_axe_violations, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer_all_but_the_first(assessment, officer) -> None:
    rows = [{"indicator_code": i.code, "value": 2, "evidence_reference": f"Council decision {i.code}"}
            for i in indicator_list(framework=assessment.framework) if i.code != "D1.1.1"]
    answers_save_many(user=officer, assessment=assessment, rows=rows)


def _open_my_work(page, count: int) -> None:
    page.goto("/")
    link = page.locator("a.my-work-link")
    expect(link).to_have_text(f"My work ({count})")
    link.click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()


def _choose_language(page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#lang-select", code)
    expect(page.locator("html")).to_have_attribute("lang", code)


def _axe_in_arabic(page, paths: list[str]) -> None:
    _choose_language(page, "ar")
    for path in paths:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert_no_serious_axe_violations(page)
    _choose_language(page, "en")


def test_submit_request_changes_resubmit_validate_publish_across_two_people(browser, live_server, tmp_path):
    assessment = AssessmentFactory(government=LocalGovernmentFactory(actor__name="Ghent").actor, cycle=2025)
    officer = officer_for(assessment.government)
    _answer_all_but_the_first(assessment, officer)
    peer = LocalGovernmentFactory(actor__name="Leuven").actor
    validator = RoleFactory(actor=peer, kind=RoleKind.REVIEWER, user=UserFactory(display_name="Validator")).user
    overview = f"/assessments/{assessment.pk}/"
    questionnaire = f"/assessments/{assessment.pk}/questionnaire/?domain=D1"

    # The officer answers the last question: a refused file is said beside the file field, the answer is kept,
    # the next save goes through and says that evidence is still needed.
    city = page_as(browser, live_server, officer)
    city.goto(questionnaire)
    block = city.locator("#ind-D1-1-1")
    block.get_by_label("Level 3:").check()
    block.get_by_label("Comment").fill("Open to all since the 2024 council decision.")
    refused_file = tmp_path / "evidence.exe"
    refused_file.write_bytes(b"MZ\x90\x00" * 10)
    block.get_by_label("Upload evidence").set_input_files(str(refused_file))
    block.get_by_role("button", name="Save D1.1.1").click()
    error = city.locator("#id_D1_1_1-evidence_file_error")
    expect(error).to_be_visible()
    expect(city.locator("#id_D1_1_1-evidence_file")).to_have_attribute("aria-describedby", "id_D1_1_1-evidence_file_error")
    expect(city.locator("#ind-D1-1-1").get_by_label("Comment")).to_have_value("Open to all since the 2024 council decision.")
    city.locator("#ind-D1-1-1").get_by_role("button", name="Save D1.1.1").click()
    expect(city.locator("#ind-D1-1-1")).to_contain_text("Saved.")
    expect(city.locator("#ind-D1-1-1")).to_contain_text("Evidence needed:")
    assert_no_serious_axe_violations(city)

    # Submitting now is refused; the blocking message links to the question.
    city.goto(overview)
    city.locator("#validator-q").fill("Leuv")
    option = city.locator("#validator-options").get_by_label("Leuven")
    expect(option).to_be_visible()
    option.check()
    city.get_by_role("button", name="Submit for validation").click()
    expect(city.get_by_role("heading", name="The assessment could not be submitted")).to_be_visible()
    assert_no_serious_axe_violations(city)
    city.get_by_role("link", name="Add evidence to D1.1.1").click()
    expect(city).to_have_url(re.compile(r"questionnaire/\?domain=D1#ind-D1-1-1$"))
    city.locator("#ind-D1-1-1").get_by_label("Council decision or document reference").fill("Decision 2024/31")
    city.locator("#ind-D1-1-1").get_by_role("button", name="Save D1.1.1").click()
    expect(city.locator("#ind-D1-1-1")).to_contain_text("Saved.")
    expect(city.locator("#ind-D1-1-1")).not_to_contain_text("Evidence needed:")

    # The officer names Leuven (search as you type) and submits.
    city.goto(overview)
    city.locator("#validator-q").fill("Leuv")
    city.locator("#validator-options").get_by_label("Leuven").check()
    assert_no_serious_axe_violations(city)
    city.get_by_role("button", name="Submit for validation").click()
    expect(city.locator(".messages")).to_contain_text("Submitted for validation by Leuven")

    # The validator needs no address from anyone: the header count leads to the work.
    checker = page_as(browser, live_server, validator)
    _open_my_work(checker, 1)
    expect(checker.locator("main")).to_contain_text("Assessments to validate")
    checker.get_by_role("link", name="Ghent: assessment 2025").click()
    expect(checker.get_by_role("heading", name="Validation", level=1)).to_be_visible()
    expect(checker.get_by_label("Validate on behalf of")).to_have_value(str(peer.pk))
    assert_no_serious_axe_violations(checker)
    checker.get_by_role("button", name="Start").click()
    checker.get_by_label("Request changes").check()
    checker.get_by_label("Summary for the team").fill("Please link the decision for D1.1.1.")
    checker.get_by_role("button", name="Record the decision").click()
    expect(checker.locator(".messages")).to_contain_text("Decision recorded")
    checker.goto("/")
    expect(checker.locator("a.my-work-link")).to_have_text("My work")

    # The officer is told, and the returned assessment waits in "My work".
    city.goto("/")
    expect(city.get_by_role("link", name="1 new notification")).to_be_visible()
    city.get_by_role("link", name="1 new notification").click()
    expect(city.locator("main")).to_contain_text("Leuven asked for changes to the 2025 assessment of Ghent.")
    _open_my_work(city, 1)
    expect(city.locator("main")).to_contain_text("Make the requested changes and resubmit")
    city.get_by_role("link", name="Ghent: assessment 2025").click()
    expect(city.locator("main")).to_contain_text("Please link the decision for D1.1.1.")
    city.get_by_role("link", name="Continue the questionnaire").click()
    city.locator("#ind-D1-1-1").get_by_label("Evidence link").fill("https://ghent.example/decision-2024-31")
    city.locator("#ind-D1-1-1").get_by_role("button", name="Save D1.1.1").click()
    expect(city.locator("#ind-D1-1-1")).to_contain_text("Saved.")
    city.goto(overview)
    expect(city.locator("#validators-field").get_by_label("Leuven")).to_be_checked()
    city.get_by_role("button", name="Submit for validation").click()
    expect(city.locator(".messages")).to_contain_text("Submitted for validation by Leuven")

    # The validator finds it again and accepts.
    _open_my_work(checker, 1)
    checker.get_by_role("link", name="Ghent: assessment 2025").click()
    checker.get_by_role("button", name="Start").click()
    checker.get_by_label("Accept").check()
    checker.get_by_label("Summary for the team").fill("Evidence checked.")
    checker.get_by_role("button", name="Record the decision").click()
    expect(checker.locator(".messages")).to_contain_text("Decision recorded")

    # The officer publishes from "My work".
    _open_my_work(city, 1)
    expect(city.locator("main")).to_contain_text("Validated assessments to publish")
    assert_no_serious_axe_violations(city)
    city.get_by_role("link", name="Ghent: assessment 2025").click()
    city.get_by_role("button", name="Publish").click()
    expect(city.locator(".messages")).to_contain_text("Published")
    assert assessment_get(pk=assessment.pk).status == AssessmentStatus.PUBLISHED
    city.goto("/")
    expect(city.locator("a.my-work-link")).to_have_text("My work")

    # The history says what happened in words.
    city.goto(f"/assessments/{assessment.pk}/history/")
    history = city.locator("main table")
    expect(history).to_contain_text("Validators named")
    expect(history).to_contain_text("Changes requested")
    expect(history).not_to_contain_text("assessments.")
    assert_no_serious_axe_violations(city)
    city.screenshot(path=str(tmp_path / "history-en.png"), full_page=True)
    _axe_in_arabic(city, [f"/assessments/{assessment.pk}/history/", f"/assessments/{assessment.pk}/settings/",
                          overview, "/engagement/work/"])
    print(f"screenshots in {tmp_path}")


def test_settings_name_validators_and_the_open_pages_pass_axe_in_both_languages(browser, live_server):
    assessment = AssessmentFactory(government=LocalGovernmentFactory(actor__name="Mechelen").actor)
    officer = officer_for(assessment.government)
    _answer_all_but_the_first(assessment, officer)
    peer = LocalGovernmentFactory(actor__name="Hasselt").actor
    officer_for(peer, kind=RoleKind.REVIEWER)
    page = page_as(browser, live_server, officer)
    page.goto(f"/assessments/{assessment.pk}/settings/")
    page.locator("#validator-q").fill("Hass")
    page.locator("#validator-options").get_by_label("Hasselt").check()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save validators").click()
    expect(page.locator(".messages")).to_contain_text("Validators saved")
    expect(page.locator("#validators-field").get_by_label("Hasselt")).to_be_checked()
    page.goto(f"/assessments/{assessment.pk}/questionnaire/?domain=D1")
    assert_no_serious_axe_violations(page)
    _axe_in_arabic(page, [f"/assessments/{assessment.pk}/settings/",
                          f"/assessments/{assessment.pk}/questionnaire/?domain=D1"])
