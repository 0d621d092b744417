"""Factories and helpers for assessments; the tests of every assessments part build on them.

- `load_lmgf()` — the shipped LMGF 1.0 loaded (with the reference frameworks its tags point to).
- `AssessmentFactory(government=…, cycle=…)` — a draft on LMGF 1.0 for a new local government by default.
- `officer_for(government)` — a user holding an officer role in it.
- `validator_for(government)` — (user, actor): an officer of another local government.
- `answer_all(assessment, level=2)` — every policy indicator answered at `level`, with a decision reference as
  evidence, through `answers_save_many` (so the score is stored).
- `publish(assessment)` — submit (naming a new validator city) → validate (accepted) → publish through the
  services; returns it reloaded.
"""

from __future__ import annotations

from typing import Any

import factory

from arrival.accounts.models import RoleKind
from arrival.assessments.domain.framework_file import FRAMEWORKS_DIR
from arrival.assessments.models import Assessment, IndicatorFramework
from arrival.assessments.selectors.records import assessment_get, indicator_list
from arrival.assessments.services import (
    answers_save_many,
    assessment_publish,
    assessment_submit,
    framework_load,
    validation_decide,
    validation_start,
)
from arrival.frameworks.loader import load_frameworks
from arrival.frameworks.models import FrameworkItem
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import LocalGovernmentFactory

LMGF_PATH = FRAMEWORKS_DIR / "lmgf-1.0.yaml"


def load_lmgf() -> IndicatorFramework:
    """LMGF 1.0 in the test database (loading the reference frameworks first when they are missing)."""
    if not FrameworkItem.objects.exists():
        load_frameworks()
    return framework_load(path=LMGF_PATH)


def government() -> Any:
    return LocalGovernmentFactory().actor


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    government = factory.LazyFunction(government)
    framework = factory.LazyFunction(load_lmgf)
    cycle = 2024


def officer_for(actor: Any, kind: str = RoleKind.OFFICER) -> Any:
    """A new user holding `kind` (officer by default) in `actor`."""
    user = UserFactory()
    RoleFactory(user=user, actor=actor, kind=kind)
    return user


def validator_for(actor: Any) -> tuple[Any, Any]:
    """(user, actor): an officer of another local government, who may validate `actor`'s assessments."""
    other = LocalGovernmentFactory(actor__country=actor.country).actor
    return officer_for(other), other


def answer_all(assessment: Assessment, level: int = 2, *, user: Any = None) -> int:
    """Answer every policy indicator at `level` with a decision reference as evidence."""
    user = user or officer_for(assessment.government)
    rows = [
        {"indicator_code": indicator.code, "value": level, "evidence_reference": f"Council decision {indicator.code}"}
        for indicator in indicator_list(framework=assessment.framework)
    ]
    return answers_save_many(user=user, assessment=assessment, rows=rows)


def publish(assessment: Assessment, *, team: Any = None) -> Assessment:
    """Take an answered assessment through submit → validation (accepted) → publish."""
    team = team or officer_for(assessment.government)
    validator, validator_actor = validator_for(assessment.government)
    assessment_submit(user=team, assessment=assessment, validators=[validator_actor])
    validation = validation_start(user=validator, assessment=assessment, validator_actor=validator_actor)
    validation_decide(user=validator, validation=validation, decision="accepted", summary="Checked the evidence.")
    assessment_publish(user=team, assessment=assessment_get(pk=assessment.pk))
    return assessment_get(pk=assessment.pk)
