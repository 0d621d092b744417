"""`arrival recompute-scores`: the batch path reproduces stored scores bit for bit, and tampering shows."""

from __future__ import annotations

import random
from dataclasses import asdict

import numpy as np
import pytest
from django.core.management import call_command

from arrival.assessments.domain.scoring import Answer as DomainAnswer
from arrival.assessments.domain.scoring import answer_code, score_assessment, score_batch
from arrival.assessments.models import ScoreRecord
from arrival.assessments.scores import batch_results, canonical
from arrival.assessments.selectors.records import framework_compiled, framework_parsed, indicator_list
from arrival.assessments.services import answers_save_many
from tests.assessments.factories import AssessmentFactory, load_lmgf, officer_for, publish

pytestmark = pytest.mark.django_db

SPECIALS = ("not_competent", "not_applicable", "unknown")


def _random_answers(rng: random.Random, codes: list[str]) -> dict[str, DomainAnswer]:
    answers = {}
    for code in codes:
        draw = rng.random()
        if draw < 0.15:
            continue
        if draw < 0.3:
            answers[code] = DomainAnswer(special=rng.choice(SPECIALS))
        else:
            answers[code] = DomainAnswer(value=rng.randint(0, 4))
    return answers


def test_batch_results_equal_the_stored_json_of_the_single_path() -> None:
    framework = load_lmgf()
    parsed, compiled = framework_parsed(framework=framework), framework_compiled(framework=framework)
    rng = random.Random(7)
    codes = [i.code for i in parsed.indicators]
    sets = [_random_answers(rng, codes) for _ in range(300)] + [{}]
    matrix = np.array([[answer_code(parsed.indicator(c), a.get(c)) for c in compiled.indicator_codes] for a in sets],
                      dtype=np.int8)
    fresh = batch_results(compiled, matrix, score_batch(compiled, matrix, with_subcategories=True))
    for answers, result in zip(sets, fresh, strict=True):
        assert canonical(asdict(score_assessment(parsed, answers))) == canonical(result)


def _publish_varied(n: int) -> list[int]:
    rng = random.Random(11)
    ids = []
    for cycle in range(n):
        assessment = AssessmentFactory(cycle=2020 + cycle)
        officer = officer_for(assessment.government)
        rows = []
        for indicator in indicator_list(framework=assessment.framework):
            if rng.random() < 0.1:
                rows.append({"indicator_code": indicator.code, "special": rng.choice(SPECIALS)})
            else:
                rows.append({"indicator_code": indicator.code, "value": rng.randint(0, 4), "evidence_reference": "D"})
        answers_save_many(user=officer, assessment=assessment, rows=rows)
        ids.append(publish(assessment, team=officer).pk)
    return ids


def test_check_passes_on_untouched_scores_and_fails_on_tampering(capsys: pytest.CaptureFixture[str]) -> None:
    ids = _publish_varied(3)
    call_command("recompute_scores", "--check", verbosity=0)
    assert "3 identical bit for bit, 0 differing" in capsys.readouterr().out

    record = ScoreRecord.objects.get(assessment_id=ids[1])
    record.result["domains"][3]["raw"] = np.nextafter(record.result["domains"][3]["raw"], 200.0).item()  # one ulp
    record.save(update_fields=["result"])
    with pytest.raises(SystemExit) as exit_:
        call_command("recompute_scores", "--check", verbosity=0)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"assessment {ids[1]} (" in out and ": result.domains[D4].raw: stored " in out and "1 differing" in out

    call_command("recompute_scores", "--assessment", str(ids[1]), verbosity=0)  # repairs from the answers
    assert "1 rewritten" in capsys.readouterr().out
    call_command("recompute_scores", "--check", verbosity=0)
    assert "0 differing" in capsys.readouterr().out


def test_check_notices_answers_changed_behind_the_services() -> None:
    (pk,) = _publish_varied(1)
    from arrival.assessments.models import Answer

    answer = Answer.objects.filter(assessment_id=pk, special="").first()
    Answer.objects.filter(pk=answer.pk).update(value=(answer.value + 1) % 5)
    with pytest.raises(SystemExit):
        call_command("recompute_scores", "--check", verbosity=0)
