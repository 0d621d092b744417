"""Networks' facts and their relations' sources in the six UN languages: English from the reference file,
the other languages in Arrival's translation (data/networks.translations.csv, data/network_relations.translations.csv);
a secretariat that is a city is a name, shown as one."""

from __future__ import annotations

import csv
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from arrival.actors import loaders
from arrival.actors.models import Actor, Network, NetworkRelation
from tests.actors.factories import CountryFactory, LocalGovernmentFactory, NetworkFactory

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = ("fr", "es", "ar", "zh", "ru")
# What may stay in Latin letters inside an Arabic, Chinese or Russian text: the reference file's path, codes with
# digits ("C40").
_CODES = re.compile(r"shared/reference/networks\.csv|\b\w*\d\w*\b")


@pytest.fixture
def loaded():
    loaders.load_countries()
    loaders.load_networks()


def _rows(name: str) -> list[dict[str, str]]:
    with (loaders.DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_fact_and_relation_source_is_given_in_every_other_un_language():
    networks = loaders.read_networks()
    facts = loaders.network_fact_translations(networks)
    places = loaders.network_secretariat_places(networks)
    for row in networks:
        for column, field in loaders.NETWORK_TRANSLATED_FIELDS.items():
            if not row[column] or (column == "secretariat" and row["slug"] in places):
                continue
            for language in OTHER_LANGUAGES:
                assert facts[row["slug"]][language].get(field), (row["slug"], column, language)
    relations = loaders.read_network_relations()
    sources = loaders.relation_source_translations(relations)
    for row in relations:
        key = (row["subject_slug"], row["kind"], row["object_slug"])
        assert all(sources[key][language]["source"] for language in OTHER_LANGUAGES), key


def test_translations_are_written_in_their_languages_script():
    for name in ("networks.translations.csv", "network_relations.translations.csv"):
        for row in _rows(name):
            for language in ("ar", "zh", "ru"):
                left = _CODES.sub(" ", row[language])
                assert not re.search(r"[A-Za-z]", left), (name, language, row[language])


def test_a_place_secretariat_is_a_name_with_its_geonames_id_and_agrees_with_networks_csv():
    places = loaders.network_secretariat_places(loaders.read_networks())
    assert places["uclg"] == 3128760  # Barcelona
    assert places["welcoming-america"] == 4191124  # Decatur, Georgia
    assert "global-taskforce" not in places  # "facilitated by UCLG": described, so translated


def test_loading_stores_the_facts_translations_and_the_secretariats_place(loaded):
    loaders.load_networks()  # twice: idempotent
    uclg = Network.objects.get(actor__slug="uclg")
    assert uclg.secretariat_geonames_id == 3128760
    assert uclg.translations["ar"]["network_type"] == "شبكة عالمية للحكومات المحلية"
    assert uclg.translations["ru"]["scale_as_reported"].startswith("по её словам, представляет более 250")
    assert "secretariat" not in uclg.translations["fr"]
    taskforce = Network.objects.get(actor__slug="global-taskforce")
    assert taskforce.secretariat_geonames_id is None
    assert taskforce.translations["zh"]["secretariat"] == "由世界城市和地方政府联合组织负责"
    relation = NetworkRelation.objects.get(subject__slug="mc2cm", kind="run_by", object__slug="icmpd")
    assert relation.translations["fr"]["source"].startswith("Fichier de référence : le MC2CM est dirigé par l'ICMPD")


def test_the_data_migration_gives_existing_installations_the_translations(loaded):
    Network.objects.update(translations={}, secretariat_geonames_id=None)
    NetworkRelation.objects.update(translations={})
    migration = importlib.import_module("arrival.actors.migrations.0005_network_fact_translations")

    migration.facts_from_the_files(apps, None)

    uclg = Network.objects.get(actor__slug="uclg")
    assert uclg.secretariat_geonames_id == 3128760 and uclg.translations["es"]["network_type"]
    assert all(relation.translations for relation in NetworkRelation.objects.all())


def test_network_page_shows_the_facts_in_the_readers_language(client, loaded):
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("actors:network_detail", args=["uclg"])).content.decode()
    assert '<p class="muted"><span>شبكة عالمية للحكومات المحلية</span></p>' in page
    assert "<span>تقول إنها تمثل أكثر من 250,000 حكومة محلية وإقليمية في نحو 190 بلداً</span>" in page
    assert "ميثاق لامبيدوزا" in page and "Lampedusa" not in page
    assert "<span>الصفحات العامة للمنظمة، كما جُمعت في الملف المرجعي للمشروع" in page
    # The city of the secretariat is a name (Barcelona is not loaded here: shown as it is, isolated).
    assert '<dd><bdi translate="no">Barcelona</bdi></dd>' in page
    assert "ترجمة Arrival" in page  # the translation says whose it is
    assert "(المصدر: <span>الملف المرجعي: تنسق فرقة العمل العالمية" in page  # a relation's source
    assert "Reference file" not in page


def test_a_described_secretariat_is_translated(client, loaded):
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("actors:network_detail", args=["cities-alliance"])).content.decode()
    assert "<dd><span>размещается при ЮНОПС</span></dd>" in page and "hosted by UNOPS" not in page


def test_the_secretariats_place_is_linked_when_it_is_loaded(client, loaded):
    spain = CountryFactory(code="XS", alpha3="XSP", name="Spain test")
    barcelona = LocalGovernmentFactory(actor__name="Barcelona", actor__country=spain, geonames_id=3128760).actor
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("actors:network_detail", args=["uclg"])).content.decode()
    url = reverse("actors:actor_detail", args=[barcelona.slug])
    assert f'<dd><a href="{url}"><bdi translate="no">Barcelona</bdi></a></dd>' in page


def test_english_readers_see_the_reference_files_own_words(client, loaded):
    page = client.get(reverse("actors:network_detail", args=["uclg"])).content.decode()
    assert "<span>global network of local governments</span>" in page
    assert "Arrival&#x27;s translation" not in page and "Arrival's translation" not in page
    networks = client.get(reverse("actors:network_list")).content.decode()
    assert "<span>says it represents over 250,000 local and regional governments in about 190 countries</span>" in networks


def test_network_list_shows_types_and_scales_in_the_readers_language(client, loaded):
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("actors:network_list")).content.decode()
    assert "<span>глобальная сеть местных органов власти</span>" in page
    assert "<span>136 членов (2017 год)</span>" in page
    assert "global network" not in page and "members (2017)" not in page
    assert "Перевод Arrival" in page


def test_facts_without_a_translation_keep_their_language_marked(client):
    network = NetworkFactory(network_type="regional network", scale_as_reported="12 cities").actor
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("actors:network_detail", args=[network.slug])).content.decode()
    assert '<span lang="en" dir="ltr">regional network</span>' in page
    assert '<span lang="en" dir="ltr">12 cities</span>' in page
    assert "ترجمة Arrival" not in page  # nothing is in Arrival's translation here


@pytest.mark.parametrize(("file", "content", "message"), [
    ("networks.translations.csv", "slug,field,fr\nnowhere,kind,réseau\n", "no row 'nowhere'"),
    ("networks.translations.csv", "slug,field,fr\nuclg,name,CGLU\n", "'name' is not translated"),
    ("networks.translations.csv", "slug,field,de\nuclg,kind,Netzwerk\n", "not a UN language"),
    ("networks.translations.csv", "slug,field,fr\nc40-cities,scale_as_reported,beaucoup\n", "no scale_as_reported"),
    ("networks.translations.csv", "slug,field,fr\nuclg,secretariat,Barcelone\n", "is a place"),
    ("network_secretariats.csv", "slug,secretariat,geonames_id\nuclg,Madrid,3117735\n", "no secretariat 'Madrid'"),
    ("network_relations.translations.csv", "subject_slug,kind,object_slug,field,fr\nuclg,run_by,iom,source,x\n",
     "no row"),
])
def test_a_translations_file_that_contradicts_the_data_is_refused(loaded, tmp_path, monkeypatch, file, content,
                                                                  message):
    data = tmp_path / "data"
    data.mkdir()
    for existing in loaders.DATA_DIR.glob("*.csv"):
        (data / existing.name).write_text(existing.read_text(encoding="utf-8"), encoding="utf-8")
    (data / file).write_text(content, encoding="utf-8")
    monkeypatch.setattr(loaders, "DATA_DIR", data)
    with pytest.raises(loaders.ActorDataError, match=re.escape(message)):
        loaders.load_networks()
    assert Actor.objects.get(slug="uclg").network.translations["fr"]  # nothing changed
