"""Reads of assessment records: answers with evidence, lists, previous cycles, the map provider, the demo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrival.actors.selectors import places_with_records
from arrival.assessments.demo import DEMO_CITIES, load_demo_assessments
from arrival.assessments.models import Assessment, AssessmentStatus
from arrival.assessments.selectors.records import (
    assessment_answers,
    assessment_comments,
    assessment_list,
    assessment_score,
    framework_current,
    previous_assessment,
    published_government_ids,
)
from arrival.assessments.services import answer_save, evidence_attach, team_comment
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import AssessmentFactory, answer_all, load_lmgf, officer_for, publish

pytestmark = pytest.mark.django_db


def test_answers_come_with_their_evidence_files_in_few_queries() -> None:
    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    answer_all(assessment, user=officer)
    answers = assessment_answers(assessment=assessment)
    first = answers["D1.1.1"]
    evidence_attach(user=officer, answer=first, file=SimpleUploadedFile("d.pdf", b"%PDF-1.4\n%%EOF\n"))
    with CaptureQueriesContext(connection) as queries:
        answers = assessment_answers(assessment=assessment)
        names = [f.original_name for a in answers.values() for f in a.evidence_files]
    assert names == ["d.pdf"] and len(answers) == 60 and len(queries) <= 3
    team_comment(user=officer, assessment=assessment, indicator=first.indicator, text="Checked.")
    assert [c.text for c in assessment_comments(assessment=assessment)["D1.1.1"]] == ["Checked."]
    assert assessment_score(assessment=assessment).coverage == 100.0


def test_lists_previous_cycle_and_map_provider() -> None:
    city = LocalGovernmentFactory().actor
    officer = officer_for(city)
    old = AssessmentFactory(government=city, cycle=2023)
    answer_all(old, level=1, user=officer)
    publish(old, team=officer)
    new = AssessmentFactory(government=city, cycle=2024)
    assert previous_assessment(assessment=new).pk == old.pk
    assert previous_assessment(assessment=old) is None
    assert [a.pk for a in assessment_list(government=city)] == [old.pk]
    assert [a.pk for a in assessment_list(government=city, published_only=False)] == [new.pk, old.pk]
    assert list(published_government_ids()) == [city.pk]
    assert [p["name"] for p in places_with_records()] == [city.name]
    answer_save(user=officer, assessment=new, indicator=new.framework.indicators.first(), value=2)
    assert framework_current().label == "LMGF-1.0"


def test_demo_assessments_go_through_the_workflow_and_are_idempotent() -> None:
    load_lmgf()
    for geonames_id in DEMO_CITIES[:3]:
        LocalGovernmentFactory(geonames_id=geonames_id)
    assert load_demo_assessments() == {"created": 9, "skipped": 0}
    assert load_demo_assessments() == {"created": 0, "skipped": 9}
    demo = Assessment.objects.filter(is_demo=True)
    assert demo.count() == 9 and not Assessment.objects.filter(is_demo=False).exists()
    # Mechelen (the first demo city) keeps its latest cycle waiting for validation.
    assert demo.filter(status=AssessmentStatus.PUBLISHED).count() == 8
    assert all(a.validations.filter(decision="accepted").exists() for a in demo.filter(status="published"))
    scores = [a.score.overall for a in demo.filter(government__local__geonames_id=DEMO_CITIES[1]).order_by("cycle")]
    assert scores == sorted(scores)  # this city improves over the cycles
