"""`arrival load-framework FILE`: a framework version from a file outside the package — checked, its scoring
content checksummed, a changed scoring content under an existing version refused, translations added or fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from arrival import cli
from arrival.assessments.models import IndicatorFramework
from arrival.assessments.scores import recompute
from arrival.assessments.selectors.records import framework_parsed
from tests.assessments.factories import LMGF_PATH, AssessmentFactory, answer_all, load_lmgf, publish

pytestmark = pytest.mark.django_db

TRANSLATIONS_FR = """
translations:
  fr:
    title: Cadre local de gouvernance des migrations
    bands: {meets: Satisfait}
    items:
      D1: {title: Droits des personnes migrantes}
      D1.1.1: {question: "Chaque habitant peut-il utiliser les services de santé ?"}
"""


def _variant(
    tmp_path: Path, name: str, *, version: str = "1.0", extra: str = "", replace: tuple[str, str] = ("", "")
) -> Path:
    text = LMGF_PATH.read_text(encoding="utf-8").replace('version: "1.0"', f'version: "{version}"')
    if replace[0]:
        text = text.replace(*replace)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_a_new_version_loads_from_a_file_outside_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_lmgf()
    call_command("load_framework", str(_variant(tmp_path, "mine.yaml", version="1.1")))
    out = capsys.readouterr().out
    assert "LMGF-1.1: 76 indicators" in out and "(current version)" in out
    newer = IndicatorFramework.objects.get(code="LMGF", version="1.1")
    older = IndicatorFramework.objects.get(code="LMGF", version="1.0")
    assert newer.is_current and not older.is_current
    assert newer.content_sha256 != older.content_sha256  # the version is part of the scoring content


def test_a_changed_scoring_content_under_an_existing_version_is_refused(tmp_path: Path) -> None:
    framework = load_lmgf()
    before = (framework.sha256, framework.content_sha256, framework.content)
    changed = _variant(
        tmp_path,
        "weights.yaml",
        replace=("            type: maturity\n", "            type: maturity\n            weight: 2\n"),
    )
    with pytest.raises(
        CommandError, match=r"weights.yaml: LMGF-1.0 is already loaded with other scoring content"
    ):
        call_command("load_framework", str(changed))
    framework.refresh_from_db()
    assert (framework.sha256, framework.content_sha256, framework.content) == before


def test_translations_are_added_and_fixed_under_the_same_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment = AssessmentFactory()
    answer_all(assessment, level=3)
    publish(assessment)  # the version is frozen now
    framework = IndicatorFramework.objects.get(code="LMGF", version="1.0")
    checksum = framework.content_sha256
    call_command("load_framework", str(_variant(tmp_path, "fr.yaml", extra=TRANSLATIONS_FR)))
    assert "translations: fr" in capsys.readouterr().out
    framework.refresh_from_db()
    assert framework.content_sha256 == checksum and framework.content["translations"]["fr"]["bands"] == {
        "meets": "Satisfait"
    }
    fixed = TRANSLATIONS_FR.replace("Satisfait", "Atteint")
    call_command("load_framework", str(_variant(tmp_path, "fr-fixed.yaml", extra=fixed)))
    framework.refresh_from_db()
    assert framework.content["translations"]["fr"]["bands"] == {"meets": "Atteint"}
    # Pages read the texts in the viewer's language, the file's own where no translation is given.
    with translation.override("fr"):
        shown = framework_parsed(framework=framework)
        assert shown.title == "Cadre local de gouvernance des migrations"
        assert shown.domains[0].title == "Droits des personnes migrantes"
        assert shown.domains[0].subcategories[0].title == "Health care"  # not translated: stays English
        assert shown.indicator("D1.1.1").question.startswith("Chaque habitant")
        assert (
            shown.band_for(60.0).label == "Atteint"
            and shown.band_for(10.0).label == "Requires further progress"
        )
        # Published scores stay reproducible, whatever the language: translations are no part of what they
        # were computed from, and stored scores keep the file's own texts.
        report = recompute(check=True)
    assert report.identical == 1 and not report.differing and not report.frameworks
    assert framework_parsed(framework=framework).title == "Local Migration Governance Framework"


def test_a_broken_file_names_each_problem_with_its_line_and_changes_nothing(tmp_path: Path) -> None:
    load_lmgf()
    count = IndicatorFramework.objects.count()
    broken = _variant(
        tmp_path,
        "broken.yaml",
        version="2.0",
        extra=TRANSLATIONS_FR.replace("D1.1.1:", "D9.9.9:"),
        replace=("maturity_scale:\n  - None\n", "maturity_scale:\n"),
    )
    with pytest.raises(CommandError) as error:
        call_command("load_framework", str(broken))
    message = str(error.value)
    assert "broken.yaml:" in message
    assert "line 24, maturity_scale: expected 5 levels, got 4" in message
    assert "translations.fr.items.D9.9.9: unknown field" in message
    assert IndicatorFramework.objects.count() == count
    with pytest.raises(CommandError, match="missing.yaml: cannot be read"):
        call_command("load_framework", str(tmp_path / "missing.yaml"))


def test_arrival_help_lists_load_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "  load-framework  " in capsys.readouterr().out


def test_the_data_migration_carries_stored_scores_over_to_the_scoring_content_checksum() -> None:
    """Before 0005 a score's inputs hash started from the file's SHA-256; the migration computes each version's
    `content_sha256` and moves every hash that matched its answers, and only those."""
    import hashlib
    import importlib
    import json

    from django.apps import apps

    from arrival.assessments.models import Answer, ScoreRecord
    from arrival.assessments.scores import answers_for_scoring, inputs_sha256

    kept, stale = AssessmentFactory(cycle=2023), AssessmentFactory(cycle=2024)
    for assessment in (kept, stale):
        answer_all(assessment, level=2)
        publish(assessment)
    framework = IndicatorFramework.objects.get(code="LMGF", version="1.0")
    checksum = framework.content_sha256

    def old_hash(assessment: Any) -> str:
        answers = {
            c: [a.value, a.special or ""] for c, a in answers_for_scoring(assessment=assessment).items()
        }
        text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{framework.sha256}\n{text}".encode()).hexdigest()

    # The state an installation was in before the migration.
    IndicatorFramework.objects.filter(pk=framework.pk).update(content_sha256="")
    for assessment in (kept, stale):
        ScoreRecord.objects.filter(assessment=assessment).update(inputs_sha256=old_hash(assessment))
    changed = Answer.objects.filter(assessment=stale).first()
    assert changed is not None
    Answer.objects.filter(pk=changed.pk).update(value=4)  # changed behind the services, before the migration

    migration = importlib.import_module("arrival.assessments.migrations.0005_scores_hash_scoring_content")
    migration.forwards(apps, None)

    framework.refresh_from_db()
    assert framework.content_sha256 == checksum
    assert ScoreRecord.objects.get(assessment=kept).inputs_sha256 == inputs_sha256(
        framework, answers_for_scoring(assessment=kept)
    )
    report = recompute(check=True)
    assert [d.assessment_id for d in report.differing] == [stale.pk]
    assert any(
        "the answers changed since the score was stored" in line for line in report.differing[0].fields
    )
