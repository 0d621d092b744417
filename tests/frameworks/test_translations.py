"""Framework titles and texts in the six UN languages: loaded from the data files with each language's source,
shown in the reader's language on the pages and in the API."""

from __future__ import annotations

import csv
import shutil

import pytest
from django.urls import reverse

from arrival.frameworks.loader import DATA_DIR, FrameworkDataError, load_frameworks
from arrival.frameworks.models import ARRIVAL_TRANSLATION, Framework, FrameworkItem, FrameworkKind


@pytest.fixture
def chinese(settings):
    """Simplified Chinese as an interface language, whether or not its catalogue has arrived yet."""
    settings.LANGUAGES = [*settings.LANGUAGES, ("zh-hans", "Chinese")]


def _in(client, language: str) -> None:
    client.cookies["django_language"] = language


def test_loader_loads_every_items_translations_in_the_five_other_languages(frameworks):
    for item in FrameworkItem.objects.select_related("framework"):
        assert set(item.translations) == {"fr", "es", "ar", "zh", "ru"}, item
        assert all(texts.get("label") for texts in item.translations.values()), item
        if item.description:
            assert all(texts.get("description") for texts in item.translations.values()), item
        if item.note:
            assert all(texts.get("note") for texts in item.translations.values()), item
    sdg = FrameworkItem.objects.get(framework__kind=FrameworkKind.SDG_GOAL, code="10")
    assert sdg.translations["fr"]["label"] == "Inégalités réduites"
    assert sdg.translations["zh"]["label"] == "减少不平等"
    target = FrameworkItem.objects.get(framework__kind=FrameworkKind.SDG_TARGET, code="10.7")
    assert target.translations["ar"]["description"].startswith("الغاية المحورية")


def test_every_framework_names_each_languages_source(frameworks):
    for framework in Framework.objects.all():
        assert set(framework.translations) == set(framework.translation_sources) == {"fr", "es", "ar", "zh", "ru"}
        # The framework's own source is said in every language too (issue #15: a citation is reference text).
        assert all(texts.get("title") and texts.get("source") for texts in framework.translations.values())
    official = Framework.objects.get(kind=FrameworkKind.SDG_GOAL).translation_sources
    assert official["fr"].endswith("https://www.un.org/sustainabledevelopment/fr/")
    for kind in (FrameworkKind.GCM_OBJECTIVE, FrameworkKind.GCM_PRINCIPLE, FrameworkKind.SDG_TARGET,
                 FrameworkKind.NUA_PARAGRAPH, FrameworkKind.DOMAIN):
        sources = Framework.objects.get(kind=kind).translation_sources
        assert set(sources.values()) == {ARRIVAL_TRANSLATION}, kind


def test_running_the_loader_again_carries_translations_to_existing_rows(frameworks):
    item = FrameworkItem.objects.get(framework__kind=FrameworkKind.GCM_OBJECTIVE, code="15")
    FrameworkItem.objects.filter(pk=item.pk).update(translations={})
    Framework.objects.update(translations={}, translation_sources={})
    load_frameworks()
    item.refresh_from_db()
    assert item.translations["es"]["label"] == "Acceso de los migrantes a los servicios básicos"
    assert Framework.objects.get(kind=FrameworkKind.GCM_OBJECTIVE).translation_sources["ru"] == ARRIVAL_TRANSLATION


def _copy_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def _append(path, row):
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row)


@pytest.mark.parametrize(
    ("file", "row", "message"),
    [
        ("gcm_objectives.translations.csv", ["99", "short_label", "x", "x", "x", "x", "x"], "no item '99'"),
        ("sdg_targets.translations.csv", ["10.7", "goal", "x", "x", "x", "x", "x"], "cannot be translated"),
        ("frameworks.translations.csv", ["sdg_goal", "2015", "de", "Ziele", "x"], "not a UN language"),
        ("frameworks.translations.csv", ["sdg_goal", "2015", "fr", "Objectifs", ""], "needs its source"),
    ],
)
def test_a_bad_translation_file_is_refused_and_changes_nothing(tmp_path, frameworks, file, row, message):
    data = _copy_data(tmp_path)
    _append(data / file, row)
    before = FrameworkItem.objects.get(framework__kind=FrameworkKind.SDG_GOAL, code="1").translations
    with pytest.raises(FrameworkDataError, match=message):
        load_frameworks(data_dir=data)
    assert FrameworkItem.objects.get(framework__kind=FrameworkKind.SDG_GOAL, code="1").translations == before


def test_a_list_without_a_translations_file_loads_in_english_only(tmp_path, frameworks):
    data = _copy_data(tmp_path)
    (data / "gcm_principles.translations.csv").unlink()
    load_frameworks(data_dir=data)
    assert FrameworkItem.objects.get(framework__kind=FrameworkKind.GCM_PRINCIPLE, code="a").translations == {}


def test_french_pages_show_french_titles_and_name_the_source(client, frameworks):
    _in(client, "fr")
    html = client.get(reverse("frameworks:framework", args=["sdg_goal"])).content.decode()
    assert "<h1><span>Objectifs de développement durable</span></h1>" in html
    assert "Pas de pauvreté" in html and "No poverty" not in html
    assert "https://www.un.org/sustainabledevelopment/fr/" in html  # the official source of the French names
    item = client.get(reverse("frameworks:item", args=["gcm_objective", "15"])).content.decode()
    assert "Accès des migrants aux services de base" in item
    assert "Textes en français" in item and "Traduction d&#x27;Arrival" in item  # the source of the French text


def test_arabic_item_page_shows_arabic_texts_and_cites_the_source_in_arabic(client, frameworks):
    _in(client, "ar")
    html = client.get(reverse("frameworks:item", args=["domain", "D1"])).content.decode()
    assert "حقوق المهاجرين" in html and "لمّ شمل الأسر" in html  # the name and what it covers
    assert '<dd class="small"><span>إطار حوكمة الهجرة للمنظمة الدولية للهجرة (MiGOF، 2015)' in html
    assert "IOM Migration Governance Framework" not in html


def test_chinese_pages_show_chinese_titles(client, frameworks, chinese):
    _in(client, "zh-hans")
    html = client.get(reverse("frameworks:crosswalk")).content.decode()
    assert "移民权利" in html and "全民健康覆盖" in html
    index = client.get(reverse("frameworks:index")).content.decode()
    assert "可持续发展目标" in index


def test_the_english_page_is_unchanged_and_lists_every_languages_source(client, frameworks):
    html = client.get(reverse("frameworks:framework", args=["gcm_objective"])).content.decode()
    assert "<h1><span>Global Compact for Safe, Orderly and Regular Migration: objectives</span></h1>" in html
    assert "Access to basic services for migrants" in html
    for language in ("French", "Spanish", "Arabic", "Chinese", "Russian"):
        assert f"<li>{language}: <span>Arrival&#x27;s translation</span></li>" in html


def test_api_answers_in_the_readers_language_with_every_translation(client, frameworks):
    body = client.get("/api/v1/frameworks/sdg-goals", HTTP_ACCEPT_LANGUAGE="es").json()
    first = body["items"][0]
    assert first["label"] == "Fin de la pobreza" and first["language"] == "es"
    assert first["translations"]["ru"]["label"] == "Ликвидация нищеты"
    english = client.get("/api/v1/frameworks/sdg-goals", HTTP_ACCEPT_LANGUAGE="en").json()["items"][0]
    assert english["label"] == "No poverty" and english["language"] == "en"
    detail = client.get("/api/v1/frameworks/items/sdg_target/10.7", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert detail["label"].startswith("migration ordonnée") and detail["framework_translation_source"]
    assert detail["framework_title"].startswith("Cibles des ODD")
    frameworks_list = client.get("/api/v1/frameworks/", HTTP_ACCEPT_LANGUAGE="ar").json()["items"]
    assert {f["language"] for f in frameworks_list} == {"ar"}
    assert all(set(f["translation_sources"]) == {"fr", "es", "ar", "zh", "ru"} for f in frameworks_list)


def test_a_framework_page_cites_its_source_in_the_readers_language(client, frameworks):
    framework = Framework.objects.get(kind=FrameworkKind.GCM_OBJECTIVE)
    _in(client, "ar")
    page = client.get(reverse("frameworks:framework", args=[framework.kind])).content.decode()
    assert "قرار الجمعية العامة للأمم المتحدة 73/195" in page
    assert "the Compact's list of 23 objectives" not in page
