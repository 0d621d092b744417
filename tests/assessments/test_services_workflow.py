"""The assessment workflow end to end through the services: answers, submission, validation, publication."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from arrival.assessments.models import Answer, AssessmentStatus, DomainScore, ScoreRecord
from arrival.assessments.selectors.records import (
    assessment_get,
    assessment_history,
    indicator_get,
    indicator_list,
)
from arrival.assessments.services import (
    answer_save,
    answers_save_many,
    assessment_open,
    assessment_publish,
    assessment_submit,
    framework_load,
    outcome_value_save,
    team_comment,
    validation_comment,
    validation_decide,
    validation_start,
)
from arrival.core.models import AuditEvent
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import (
    LMGF_PATH,
    AssessmentFactory,
    answer_all,
    load_lmgf,
    officer_for,
    publish,
    validator_for,
)

pytestmark = pytest.mark.django_db


def test_whole_cycle_through_the_services() -> None:
    framework = load_lmgf()
    city = LocalGovernmentFactory().actor
    officer = officer_for(city)
    assessment = assessment_open(user=officer, government=city, cycle=2024)
    assert assessment.framework == framework and assessment.status == AssessmentStatus.DRAFT
    answer_all(assessment, level=2, user=officer)
    first = indicator_list(framework=framework).first()
    answer_save(user=officer, assessment=assessment, indicator=first, special="not_competent")
    team_comment(user=officer, assessment=assessment, indicator=first, text="No health services are run locally.")
    outcome = indicator_list(framework=framework, outcome=True).first()
    outcome_value_save(user=officer, assessment=assessment, indicator=outcome, population_group="born_abroad",
                       value=12.5, year=2023, source="Municipal labour survey 2023")
    validator, validator_city = validator_for(city)
    assessment_submit(user=officer, assessment=assessment, validators=[validator_city])
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_at

    validation = validation_start(user=validator, assessment=assessment, validator_actor=validator_city)
    validation_comment(user=validator, validation=validation, indicator=first, text="Please say which level runs them.")
    validation_decide(user=validator, validation=validation, decision="changes_requested")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.CHANGES_REQUESTED

    answer_save(user=officer, assessment=assessment, indicator=first, special="not_competent",
                comment="Health care is run by the region.")
    assessment_submit(user=officer, assessment=assessment)  # the validator named stays named
    validation = validation_start(user=validator, assessment=assessment_get(pk=assessment.pk),
                                  validator_actor=validator_city)
    validation_decide(user=validator, validation=validation, decision="accepted", summary="Evidence checked.")
    assessment = assessment_get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.VALIDATED
    assessment_publish(user=officer, assessment=assessment)

    assessment = assessment_get(pk=assessment.pk)
    assert assessment.status == AssessmentStatus.PUBLISHED and assessment.published_at
    framework.refresh_from_db()
    assert framework.frozen_at is not None
    record = assessment.score
    assert record.framework_label == "LMGF-1.0" and record.overall == 50.0
    assert record.uncertainty and record.uncertainty["overall"]["low"] <= 50.0 <= record.uncertainty["overall"]["high"]
    rows = DomainScore.objects.filter(assessment=assessment)
    assert rows.count() == 6 and all(r.band == "meets" and r.low is not None for r in rows)
    assert record.result["domains"][0]["answered"] == 10  # "not a power" counts as answered, never as zero


def test_answer_save_rescores_without_the_monte_carlo() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    indicator = indicator_list(framework=assessment.framework).first()
    answer_save(user=officer, assessment=assessment, indicator=indicator, value=4)
    record = ScoreRecord.objects.get(assessment=assessment)
    assert record.uncertainty is None and record.result["domains"][0]["subcategories"][0]["raw"] == 100.0
    assert record.result["domains"][0]["status"] == "insufficient_data"


def test_bad_values_are_refused_with_the_indicator_code() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    indicator = indicator_get(framework=assessment.framework, code="D1.1.2")
    with pytest.raises(ValidationError, match="D1.1.2"):
        answer_save(user=officer, assessment=assessment, indicator=indicator, value=7)
    with pytest.raises(ValidationError, match="D1.1.2.*either a value or a special"):
        answer_save(user=officer, assessment=assessment, indicator=indicator, value=2, special="unknown")
    with pytest.raises(ValidationError, match="unknown special"):
        answer_save(user=officer, assessment=assessment, indicator=indicator, special="maybe")
    with pytest.raises(ValidationError, match="evidence link"):
        answer_save(user=officer, assessment=assessment, indicator=indicator, value=2, evidence_url="javascript:x")
    assert not Answer.objects.exists()
    answer_save(user=officer, assessment=assessment, indicator=indicator, value="3")  # form text is accepted
    assert Answer.objects.get().value == 3


def test_answers_save_many_writes_all_rows_or_none() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    codes = list(indicator_list(framework=assessment.framework).values_list("code", flat=True))
    rows = [{"indicator_code": code, "value": 1, "evidence_reference": "Decision 1"} for code in codes[:5]]
    rows[2]["value"] = 9
    rows.append({"indicator_code": "NOPE", "value": 1})
    with pytest.raises(ValidationError) as caught:
        answers_save_many(user=officer, assessment=assessment, rows=rows)
    messages = caught.value.messages
    assert any(m.startswith(f"row 3 ({codes[2]})") for m in messages)
    assert any(m.startswith("row 6 (NOPE)") for m in messages)
    assert not Answer.objects.exists() and not ScoreRecord.objects.exists()
    rows[2]["value"] = 2
    assert answers_save_many(user=officer, assessment=assessment, rows=rows[:5]) == 5
    assert Answer.objects.count() == 5
    assert answers_save_many(user=officer, assessment=assessment, rows=rows[:5]) == 0  # nothing changed


def test_submit_lists_unanswered_indicators_and_missing_evidence() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    codes = list(indicator_list(framework=assessment.framework).values_list("code", flat=True))
    answers_save_many(user=officer, assessment=assessment,
                      rows=[{"indicator_code": c, "value": 0} for c in codes[:-1]])
    _, validator_city = validator_for(assessment.government)
    with pytest.raises(ValidationError, match=f"Unanswered indicators: {codes[-1]}"):
        assessment_submit(user=officer, assessment=assessment, validators=[validator_city])
    answer_save(user=officer, assessment=assessment, indicator=indicator_get(framework=assessment.framework,
                                                                             code=codes[-1]), value=3)
    with pytest.raises(ValidationError, match=f"Evidence .* needed for: {codes[-1]}"):
        assessment_submit(user=officer, assessment=assessment)
    answer_save(user=officer, assessment=assessment, indicator=indicator_get(framework=assessment.framework,
                                                                             code=codes[-1]), value=3,
                evidence_url="https://example.org/decision.pdf")
    with pytest.raises(ValidationError, match="Name the government or organisation that validates"):
        assessment_submit(user=officer, assessment=assessment)
    assessment_submit(user=officer, assessment=assessment, validators=[validator_city])
    with pytest.raises(ValidationError, match="only in a draft"):
        answer_save(user=officer, assessment=assessment, indicator=indicator_get(framework=assessment.framework,
                                                                                 code=codes[0]), value=1)


def test_publish_needs_validation_and_cycles_are_unique() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, user=officer)
    with pytest.raises(ValidationError, match="validated"):
        assessment_publish(user=officer, assessment=assessment)
    with pytest.raises(ValidationError, match="already has an assessment"):
        assessment_open(user=officer, government=assessment.government, cycle=2024)
    with pytest.raises(ValidationError, match="cycle"):
        assessment_open(user=officer, government=assessment.government, cycle=1850)


def test_changes_requested_needs_a_reason() -> None:
    assessment = AssessmentFactory()
    answer_all(assessment)
    validator, other = validator_for(assessment.government)
    assessment_submit(user=officer_for(assessment.government), assessment=assessment, validators=[other])
    validation = validation_start(user=validator, assessment=assessment, validator_actor=other)
    with pytest.raises(ValidationError, match="what should change"):
        validation_decide(user=validator, validation=validation, decision="changes_requested")
    with pytest.raises(ValidationError, match="already in progress"):
        validation_start(user=validator, assessment=assessment, validator_actor=other)


def test_frozen_framework_refuses_a_changed_file(tmp_path: Path) -> None:
    framework = load_lmgf()
    audits = AuditEvent.objects.filter(action="assessments.framework_load").count()
    assert framework_load(path=LMGF_PATH).pk == framework.pk  # the same file changes nothing
    assert AuditEvent.objects.filter(action="assessments.framework_load").count() == audits
    changed = tmp_path / "lmgf-1.0.yaml"
    changed.write_text(LMGF_PATH.read_text(encoding="utf-8").replace("title: Local Migration Governance Framework",
                                                                    "title: Local Migration Governance Framework (edited)"),
                       encoding="utf-8")
    # A changed scoring content under the same version is refused, frozen or not (docs/framework-format.md).
    with pytest.raises(ValidationError, match="already loaded with other scoring content"):
        framework_load(path=changed)
    framework.refresh_from_db()
    assert not framework.title.endswith("(edited)")
    publish(_answered(AssessmentFactory(framework=framework)))
    with pytest.raises(ValidationError, match="already loaded with other scoring content"):
        framework_load(path=changed)


def test_framework_load_reports_file_errors(tmp_path: Path) -> None:
    load_lmgf()
    broken = tmp_path / "broken.yaml"
    broken.write_text(LMGF_PATH.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "2.0"')
                      .replace("gcm_objective:15", "gcm_objective:99", 1), encoding="utf-8")
    with pytest.raises(ValidationError, match="broken.yaml.*gcm_objective"):
        framework_load(path=broken)


def test_indicators_are_tagged_with_their_framework_items() -> None:
    from arrival.frameworks.selectors import tags_for

    framework = load_lmgf()
    tags = {(t.item.framework.kind, t.item.code) for t in tags_for(record=indicator_get(framework=framework,
                                                                                       code="D1.1.1"))}
    assert tags == {("domain", "D1"), ("gcm_objective", "15"), ("sdg_target", "3.8"), ("nua_paragraph", "34")}
    assert framework.indicators.filter(is_outcome=True).count() == len(framework.content["outcome_panel"])


def test_every_change_is_in_the_history() -> None:
    load_lmgf()
    city = LocalGovernmentFactory().actor
    officer = officer_for(city)
    assessment = assessment_open(user=officer, government=city, cycle=2025)
    indicator = indicator_get(framework=assessment.framework, code="D2.1.1")
    answer_save(user=officer, assessment=assessment, indicator=indicator, value=1, evidence_reference="Decision 4")
    answer_save(user=officer, assessment=assessment, indicator=indicator, special="unknown")
    team_comment(user=officer, assessment=assessment, indicator=indicator, text="To check with finance.")
    answer_all(assessment, user=officer)
    publish(assessment, team=officer)
    history = assessment_history(assessment=assessment)
    actions = [event.action for event in history]
    assert actions[0] == "assessments.assessment_publish"
    for action in ("assessments.assessment_open", "assessments.answer_save", "assessments.team_comment",
                   "assessments.assessment_submit", "assessments.validation_start", "assessments.validation_decide"):
        assert action in actions
    changes = [e for e in history if e.action == "assessments.answer_save" and e.after["indicator"] == "D2.1.1"]
    assert changes[-1].before is None and changes[-1].after["value"] == 1
    assert changes[-2].before == {"value": 1, "special": "", "comment": "", "evidence_url": "",
                                  "evidence_reference": "Decision 4"}
    assert changes[-2].after["special"] == "unknown" and changes[-2].after["value"] is None


def _answered(assessment):  # type: ignore[no-untyped-def]
    answer_all(assessment)
    return assessment
