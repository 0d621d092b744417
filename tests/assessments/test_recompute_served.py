"""`arrival recompute-scores --check` compares every stored number a page, export, benchmark or API serves.

Each test tampers with one kind of stored number behind the services — the overall column, the domain rows,
the engine's JSON (domains, sub-categories, bands, coverage), the intervals, the framework content scores are
computed from — and expects the check to exit with status 1, naming the assessment and the field.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from arrival.assessments.models import Assessment, DomainScore, IndicatorFramework, ScoreRecord
from arrival.assessments.selectors.records import indicator_list
from arrival.assessments.services import answers_save_many
from tests.assessments.factories import AssessmentFactory, officer_for, publish

pytestmark = pytest.mark.django_db

SPECIALS = ("not_competent", "not_applicable", "unknown")


def _published(seed: int = 3, cycle: int = 2024) -> Assessment:
    """A published assessment with varied answers: every domain scored, some special answers."""
    rng = random.Random(seed)
    assessment = AssessmentFactory(cycle=cycle)
    officer = officer_for(assessment.government)
    rows: list[dict[str, Any]] = []
    for indicator in indicator_list(framework=assessment.framework):
        if rng.random() < 0.1:
            rows.append({"indicator_code": indicator.code, "special": rng.choice(SPECIALS)})
        else:
            rows.append(
                {"indicator_code": indicator.code, "value": rng.randint(0, 4), "evidence_reference": "D"}
            )
    answers_save_many(user=officer, assessment=assessment, rows=rows)
    return publish(assessment, team=officer)


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        call_command("recompute_scores", "--check", verbosity=0)
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_lowering_the_overall_and_its_domain_rows_by_a_tenth_fails_the_check(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment = _published()
    assert _check(capsys)[0] == 0
    record = ScoreRecord.objects.get(assessment=assessment)
    true_overall = record.overall
    assert true_overall is not None
    ScoreRecord.objects.filter(pk=record.pk).update(overall=round(true_overall - 0.1, 1))
    for row in DomainScore.objects.filter(assessment=assessment, score__isnull=False):
        DomainScore.objects.filter(pk=row.pk).update(score=round(row.score - 0.1, 1))
    # The API now serves the lowered figure…
    served = client.get(f"/api/v1/assessments/assessments/{assessment.pk}").json()["scores"]["overall"]
    assert served == round(true_overall - 0.1, 1)
    # …and the check says so, naming the assessment and each field.
    code, out = _check(capsys)
    assert code == 1
    assert (
        f"assessment {assessment.pk} ({assessment.government.name} {assessment.cycle}): overall: stored "
        f"{round(true_overall - 0.1, 1)!r}, recomputed {true_overall!r}" in out
    )
    assert (
        f"assessment {assessment.pk} ({assessment.government.name} {assessment.cycle}): domain_scores[D1].score"
        in out
    )
    assert "1 differing" in out
    # Without --check the record and its rows are rewritten from the answers, and the check passes again.
    call_command("recompute_scores", verbosity=0)
    assert "1 rewritten" in capsys.readouterr().out
    assert _check(capsys)[0] == 0
    assert (
        client.get(f"/api/v1/assessments/assessments/{assessment.pk}").json()["scores"]["overall"]
        == true_overall
    )


def _record(assessment: Assessment) -> ScoreRecord:
    return ScoreRecord.objects.get(assessment=assessment)


def _set_result(assessment: Assessment, change: Callable[[dict[str, Any]], None]) -> None:
    record = _record(assessment)
    result = record.result
    change(result)
    ScoreRecord.objects.filter(pk=record.pk).update(result=result)


def _set_uncertainty(assessment: Assessment, change: Callable[[dict[str, Any]], None]) -> None:
    record = _record(assessment)
    uncertainty = record.uncertainty
    assert uncertainty is not None
    change(uncertainty)
    ScoreRecord.objects.filter(pk=record.pk).update(uncertainty=uncertainty)


def _domain_row(assessment: Assessment, code: str = "D2") -> Any:
    return DomainScore.objects.filter(assessment=assessment, domain_code=code)


def _first_interval(uncertainty: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in uncertainty["domains"] if i is not None)


def _bump(value: float) -> float:
    return round(value + 0.1, 1)


TAMPERINGS: dict[str, tuple[Callable[[Assessment], None], str]] = {
    "overall column": (
        lambda a: ScoreRecord.objects.filter(assessment=a).update(overall=_bump(_record(a).overall)),
        ": overall: stored",
    ),
    "partial column": (
        lambda a: ScoreRecord.objects.filter(assessment=a).update(partial=not _record(a).partial),
        ": partial: stored",
    ),
    "coverage column": (
        lambda a: ScoreRecord.objects.filter(assessment=a).update(coverage=_bump(_record(a).coverage)),
        ": coverage: stored",
    ),
    "framework label": (
        lambda a: ScoreRecord.objects.filter(assessment=a).update(framework_label="LMGF-0.9"),
        ": framework_label: stored 'LMGF-0.9'",
    ),
    "overall in the JSON": (
        lambda a: _set_result(a, lambda r: r.update(overall=_bump(r["overall"]))),
        ": result.overall: stored",
    ),
    "overall band in the JSON": (
        lambda a: _set_result(a, lambda r: r.update(band=None)),
        ": result.band: stored",
    ),
    "domain score in the JSON": (
        lambda a: _set_result(a, lambda r: r["domains"][1].update(score=_bump(r["domains"][1]["score"]))),
        ": result.domains[D2].score: stored",
    ),
    "domain band in the JSON": (
        lambda a: _set_result(
            a, lambda r: r["domains"][1].update(band={"code": "x", "label": "x", "lower": 0})
        ),
        ": result.domains[D2].band.code: stored 'x'",
    ),
    "domain coverage in the JSON": (
        lambda a: _set_result(a, lambda r: r["domains"][1].update(coverage_percent=1.0)),
        ": result.domains[D2].coverage_percent: stored 1.0",
    ),
    "sub-category score in the JSON": (
        lambda a: _set_result(a, lambda r: r["domains"][2]["subcategories"][1].update(score=1.0)),
        ": result.domains[D3].subcategories[D3.2].score: stored 1.0",
    ),
    "answered count in the JSON": (
        lambda a: _set_result(a, lambda r: r.update(answered=r["total"])),
        ": result.answered: stored",
    ),
    "overall interval": (
        lambda a: _set_uncertainty(a, lambda u: u["overall"].update(low=u["overall"]["low"] - 1)),
        ": interval.overall.low: stored",
    ),
    "domain interval": (
        lambda a: _set_uncertainty(a, lambda u: _first_interval(u).update(high=101.0)),
        ".high: stored 101.0",
    ),
    "intervals missing": (
        lambda a: ScoreRecord.objects.filter(assessment=a).update(uncertainty=None),
        ": interval: stored None",
    ),
    "domain row score": (lambda a: _domain_row(a).update(score=1.0), ": domain_scores[D2].score: stored 1.0"),
    "domain row band": (
        lambda a: _domain_row(a).update(
            band="fully_meets" if _domain_row(a).get().band != "fully_meets" else "meets"
        ),
        ": domain_scores[D2].band: stored",
    ),
    "domain row coverage": (
        lambda a: _domain_row(a).update(coverage=12.5),
        ": domain_scores[D2].coverage: stored 12.5",
    ),
    "domain row interval low": (
        lambda a: _domain_row(a).update(low=0.0),
        ": domain_scores[D2].low: stored 0.0",
    ),
    "domain row interval high": (
        lambda a: _domain_row(a).update(high=100.0),
        ": domain_scores[D2].high: stored 100.0",
    ),
    "domain row deleted": (lambda a: _domain_row(a).delete(), ": domain_scores[D2]: stored None"),
    "domain row added": (
        lambda a: DomainScore.objects.create(
            assessment=a, domain_code="D9", score=50.0, coverage=100.0, low=None, high=None
        ),
        ": domain_scores[D9]: stored ",
    ),
}


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_tampering_with_any_served_number_fails_the_check(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment = _published()
    untouched = _published(seed=4, cycle=2023)
    assert _check(capsys)[0] == 0
    tamper, expected = TAMPERINGS[kind]
    tamper(assessment)
    code, out = _check(capsys)
    assert code == 1, out
    assert f"assessment {assessment.pk} (" in out and expected in out, out
    assert f"assessment {untouched.pk} (" not in out
    assert "1 differing" in out


def test_tampering_with_the_framework_content_fails_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    """Scores are recomputed from the stored framework content: a changed weight there must not pass unseen,
    even once every score has been rewritten from it."""
    assessment = _published()
    framework = IndicatorFramework.objects.get(pk=assessment.framework_id)
    content = framework.content
    content["domains"][0]["subcategories"][0]["indicators"][0]["weight"] = 3
    IndicatorFramework.objects.filter(pk=framework.pk).update(content=content)
    code, out = _check(capsys)
    assert code == 1
    assert f"framework {framework.label}: content" in out


def test_rewritten_scores_rebuild_the_published_files_that_serve_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The report and open data are prepared files: a rewrite of the numbers they carry queues their rebuild."""
    from arrival.core.models import Job, JobStatus

    assessment = _published()
    Job.objects.filter(name="reports.prepare_file").delete()  # what publication queued: built, say
    record = ScoreRecord.objects.get(assessment=assessment)
    assert record.overall is not None
    ScoreRecord.objects.filter(pk=record.pk).update(overall=round(record.overall - 0.1, 1))
    call_command("recompute_scores", verbosity=0)
    assert "1 rewritten" in capsys.readouterr().out
    queued = {
        (job.kwargs["kind"], job.kwargs["fmt"])
        for job in Job.objects.filter(name="reports.prepare_file", status=JobStatus.QUEUED)
    }
    assert {("assessments.report", "pdf"), ("assessments.open_data", "csv"), ("assessments.open_data_all", "csv")} <= queued
