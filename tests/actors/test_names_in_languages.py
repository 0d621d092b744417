"""Names in the reader's language: countries and UN M49 regions from CLDR, official names of organisations and
networks in the UN languages from data/actor_names.csv."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from arrival.actors import forms, loaders
from arrival.actors.models import Actor, ActorName, Country
from arrival.actors.official_names import official_country_name
from arrival.actors.selectors import country_names, fold, place_search
from arrival.core.languages import country_name, region_name, territory_name
from tests.actors.factories import CountryFactory, LocalGovernmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese(settings):
    """Simplified Chinese as an interface language, whether or not its catalogue has arrived yet."""
    settings.LANGUAGES = [*settings.LANGUAGES, ("zh-hans", "Chinese")]


@pytest.fixture
def syria():
    return CountryFactory(code="SY", alpha3="SYR", name="Syria", official_name="Syrian Arab Republic",
                          region="Asia", subregion="Western Asia")


@pytest.fixture
def loaded():
    loaders.load_countries()
    loaders.load_networks()


def test_core_names_territories_and_m49_regions_in_the_viewers_language():
    with translation.override("fr"):
        assert territory_name("DE") == "Allemagne"
        assert region_name("Sub-Saharan Africa") == "Afrique subsaharienne"
        assert country_name("CI", "Côte d'Ivoire") == "Côte d’Ivoire"
    with translation.override("ar"):
        assert region_name("Western Asia") == "غرب آسيا"
    with translation.override("zh-hans"):
        assert territory_name("150") == "欧洲"
    # English readers keep the data's own names; unknown regions and codes fall back to what was given.
    assert country_name("PS", "Palestine") == "Palestine"
    assert region_name("Western Asia") == "Western Asia"
    with translation.override("fr"):
        assert region_name("Atlantis") == "Atlantis" and territory_name("QQ") == ""


def test_country_page_names_country_and_regions_in_arabic_and_french(client, syria):
    LocalGovernmentFactory(actor__name="Aleppo", actor__country=syria)
    client.cookies["django_language"] = "ar"
    html = client.get(reverse("actors:country_detail", args=["sy"])).content.decode()
    assert "<h1>سوريا</h1>" in html and "غرب آسيا" in html and "آسيا" in html
    # ISO's official name in Arabic, from the catalogues pycountry ships: not the English one.
    assert '<p class="muted">الجمهوريّة العربيّة السّوريّة</p>' in html and "Syrian Arab Republic" not in html
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("actors:country_detail", args=["sy"])).content.decode()
    assert "<h1>Syrie</h1>" in html and "Asie de l’Ouest" in html
    # ISO's French list form ("Syrienne, République arabe") is inverted: not shown rather than shown wrong.
    assert "Syrienne, République arabe" not in html and "Syrian Arab Republic" not in html
    client.cookies["django_language"] = "en"
    assert '<p class="muted">Syrian Arab Republic</p>' in client.get(
        reverse("actors:country_detail", args=["sy"])).content.decode()


def test_an_official_name_iso_does_not_give_in_the_readers_language_is_left_out(client):
    CountryFactory(code="KR", alpha3="KOR", name="South Korea", official_name="Republic of Korea")
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("actors:country_detail", args=["kr"])).content.decode()
    assert "<h1>Республика Корея</h1>" in html and "Republic of Korea" not in html
    client.cookies["django_language"] = "en"
    assert '<p class="muted">Republic of Korea</p>' in client.get(
        reverse("actors:country_detail", args=["kr"])).content.decode()


def test_official_country_names_in_each_un_language():
    assert official_country_name("Hashemite Kingdom of Jordan", language="ar") == "المملكة الأردنيّة الهاشميّة"
    assert official_country_name("Hashemite Kingdom of Jordan", language="zh-hans") == "约旦哈希姆王国"
    assert official_country_name("Hashemite Kingdom of Jordan", language="ru") == "Иорданское Хашимитское Королевство"
    assert official_country_name("Hashemite Kingdom of Jordan", language="es") == "Reino Hachemí de Jordania"
    assert official_country_name("Hashemite Kingdom of Jordan", language="fr") == "Royaume hachémite de Jordanie"
    assert official_country_name("Syrian Arab Republic", language="fr") == ""  # ISO's inverted list form
    assert official_country_name("Hashemite Kingdom of Jordan", language="en") == "Hashemite Kingdom of Jordan"
    assert official_country_name("Republic of China", language="ar") == ""  # not ISO's: no translation
    assert official_country_name("Hashemite Kingdom of Jordan", language="de") == ""  # not an interface language
    with translation.override("ar"):
        assert official_country_name("Kingdom of Belgium") == "مملكة بلجيكا"


def test_place_profile_names_its_country_in_chinese(client, syria, chinese):
    aleppo = LocalGovernmentFactory(actor__name="Aleppo", actor__country=syria).actor
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("actors:actor_detail", args=[aleppo.slug])).content.decode()
    assert "叙利亚" in html and "西亚" in html
    # A city's own name is a name, not English text: isolated and kept as it is, without lang="en".
    assert '<h1 id="actor-title"><bdi translate="no">Aleppo</bdi>' in html


def test_country_choices_are_named_and_sorted_in_the_readers_language(loaded):
    codes = ["DE", "EG", "AT", "ES"]
    with translation.override("fr"):
        assert [name for _code, name in country_names(codes=codes)] == ["Allemagne", "Autriche", "Égypte", "Espagne"]
    assert [name for _code, name in country_names(codes=codes)] == ["Austria", "Egypt", "Germany", "Spain"]


def test_place_search_country_filter_is_cached_once_and_named_per_language(loaded, syria):
    LocalGovernmentFactory(actor__name="Aleppo", actor__country=Country.objects.get(code="SY"))
    with translation.override("ar"):
        assert ("SY", "سوريا") in forms.PlaceSearchForm().fields["country"].choices
    assert ("SY", "Syria") in forms.PlaceSearchForm().fields["country"].choices


def test_loader_gives_organisations_and_networks_their_official_names_with_sources(loaded):
    iom = Actor.objects.get(slug="iom")
    assert iom.translations == {
        "fr": {"name": "Organisation internationale pour les migrations"},
        "es": {"name": "Organización Internacional para las Migraciones"},
        "ar": {"name": "المنظمة الدولية للهجرة"},
        "zh": {"name": "国际移民组织"},
        "ru": {"name": "Международная организация по миграции"},
    }
    assert Actor.objects.get(slug="uclg").translations["fr"] == {"name": "Cités et Gouvernements Locaux Unis (CGLU)"}
    assert Actor.objects.get(slug="welcoming-america").translations == {}
    # The official names find the actor too: "OIM"-speakers search in their language.
    assert ActorName.objects.filter(actor=iom, key=fold("Organización Internacional para las Migraciones")).exists()
    assert ActorName.objects.filter(actor__slug="uclg", key=fold("CGLU")).exists()
    assert place_search(q="") is not None


def test_a_name_for_an_unknown_actor_or_language_is_refused(loaded, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for file in loaders.DATA_DIR.glob("*.csv"):
        (data / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (data / "actor_names.csv").write_text("slug,language,name,source\nnowhere,fr,Nulle part,x\n", encoding="utf-8")
    monkeypatch.setattr(loaders, "DATA_DIR", data)
    with pytest.raises(loaders.ActorDataError, match="nowhere"):
        loaders.load_networks()
    (data / "actor_names.csv").write_text("slug,language,name,source\niom,de,Internationale Organisation,x\n",
                                          encoding="utf-8")
    with pytest.raises(loaders.ActorDataError, match="not a UN language"):
        loaders.load_networks()
    assert Actor.objects.get(slug="iom").translations["fr"]  # nothing changed


def test_network_and_organisation_pages_show_official_names_in_the_readers_language(client, loaded):
    client.cookies["django_language"] = "ar"
    iom = client.get(reverse("actors:actor_detail", args=["iom"])).content.decode()
    assert '<h1 id="actor-title"><span>المنظمة الدولية للهجرة</span>' in iom
    client.cookies["django_language"] = "fr"
    uclg = client.get(reverse("actors:network_detail", args=["uclg"])).content.decode()
    assert "<span>Cités et Gouvernements Locaux Unis (CGLU)</span>" in uclg
    networks = client.get(reverse("actors:network_list")).content.decode()
    assert "Cités et Gouvernements Locaux Unis (CGLU)" in networks
    assert '<span lang="en" dir="ltr">Welcoming America</span>' in networks  # no French name: the original, marked
    client.cookies["django_language"] = "en"
    assert "<span>United Cities and Local Governments (UCLG)</span>" in client.get(
        reverse("actors:network_detail", args=["uclg"])).content.decode()
