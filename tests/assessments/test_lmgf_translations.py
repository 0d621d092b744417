"""LMGF 1.0 ships every text a reader sees in the six UN languages, and adding those translations to an
installation that published scores without them leaves every score bit for bit the same."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation

from arrival.assessments.domain.framework_file import content_checksum
from arrival.assessments.models import IndicatorFramework
from arrival.assessments.selectors.records import framework_parsed, indicator_list
from arrival.assessments.services import answers_save_many, framework_load
from arrival.frameworks.loader import load_frameworks
from tests.assessments.factories import LMGF_PATH, AssessmentFactory, officer_for, publish

LANGUAGES = ("fr", "es", "ar", "zh", "ru")
SCRIPT = {"ar": re.compile(r"[\u0600-\u06ff]"), "zh": re.compile(r"[\u4e00-\u9fff]"),
          "ru": re.compile(r"[\u0400-\u04ff]")}


def _texts_a_reader_sees(doc: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(item code or "", field) of every text of the file's own language."""
    wanted = [("", "title"), ("", "description"), ("", "bands_note"), ("", "bands"), ("", "maturity_scale")]
    for domain in doc["domains"]:
        wanted.append((domain["code"], "title"))
        for sub in domain["subcategories"]:
            wanted.append((sub["code"], "title"))
            for indicator in sub["indicators"]:
                wanted.append((indicator["code"], "question"))
                if "guidance" in indicator:
                    wanted.append((indicator["code"], "guidance"))
                extra = {"maturity": "levels", "choice": "options", "number": "unit"}.get(indicator["type"])
                if extra:
                    wanted.append((indicator["code"], extra))
    for outcome in doc.get("outcome_panel", []):
        wanted += [(outcome["code"], key) for key in ("title", "definition", "unit", "disaggregation") if key in outcome]
    return wanted


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_a_reader_sees_is_translated(language: str) -> None:
    doc = yaml.safe_load(LMGF_PATH.read_text(encoding="utf-8"))
    texts = doc["translations"][language]
    missing = [f"{code or 'file'}.{field}" for code, field in _texts_a_reader_sees(doc)
               if field not in (texts.get("items", {}).get(code, {}) if code else texts)]
    assert not missing, f"{language}: {len(missing)} texts missing, e.g. {missing[:5]}"
    assert set(texts["bands"]) == {band["code"] for band in doc["bands"]["cutoffs"]}
    if language in SCRIPT:  # written in the language's own script, not left in English
        questions = [item["question"] for item in texts["items"].values() if "question" in item]
        assert all(SCRIPT[language].search(question) for question in questions)


@pytest.mark.django_db
def test_adding_the_shipped_translations_leaves_published_scores_bit_for_bit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = LMGF_PATH.read_text(encoding="utf-8")
    without = tmp_path / "lmgf-1.0.yaml"
    without.write_text(shipped[: shipped.index("\ntranslations:\n")] + "\n", encoding="utf-8")
    load_frameworks()
    framework = framework_load(path=without)
    assert "translations" not in framework.content
    checksum = framework.content_sha256

    rng = random.Random(15)
    for cycle in (2022, 2023, 2024):
        assessment = AssessmentFactory(framework=framework, cycle=cycle)
        officer = officer_for(assessment.government)
        rows = [{"indicator_code": indicator.code, "special": "unknown"} if rng.random() < 0.15
                else {"indicator_code": indicator.code, "value": rng.randint(0, 4), "evidence_reference": "Decision 12"}
                for indicator in indicator_list(framework=framework)]
        answers_save_many(user=officer, assessment=assessment, rows=rows)
        publish(assessment, team=officer)

    call_command("load_framework", str(LMGF_PATH))
    assert "translations: ar, es, fr, ru, zh" in capsys.readouterr().out
    framework.refresh_from_db()
    assert IndicatorFramework.objects.filter(code="LMGF").count() == 1
    assert framework.content_sha256 == checksum == content_checksum(yaml.safe_load(shipped))
    call_command("recompute_scores", "--check", verbosity=0)
    assert "3 identical bit for bit, 0 differing" in capsys.readouterr().out

    doc = yaml.safe_load(shipped)
    for language, django_code in (("ar", "ar"), ("zh", "zh-hans"), ("ru", "ru"), ("es", "es")):
        with translation.override(django_code):
            shown = framework_parsed(framework=framework)
        expected = doc["translations"][language]["items"]["D1.1.1"]["question"]
        assert shown.indicator("D1.1.1").question == expected.strip()


@pytest.mark.django_db
def test_a_framework_item_lists_its_tagged_indicators_by_their_question_in_the_readers_language(client) -> None:
    from django.urls import reverse

    from arrival.assessments.loader import load_indicator_frameworks

    load_frameworks()
    load_indicator_frameworks()
    url = reverse("frameworks:item", args=["gcm_objective", "15"])
    client.cookies["django_language"] = "ar"
    html = client.get(url).content.decode()
    assert "هل يستطيع جميع السكان الاستفادة من الخدمات الصحية" in html  # D1.1.1, tagged with objective 15
    assert "Can every resident use the health services" not in html
    client.cookies["django_language"] = "en"
    assert "Can every resident use the health services" in client.get(url).content.decode()
