"""Participation pages in the page's language (issue 15): languages to write in under their own names, records'
own texts (categories, neighbourhoods, the process's texts) marked with their language or as names, people's
names isolated, and codes in help texts marked as code."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arrival.participation import services
from arrival.participation.forms import ProposalForm, TranslationForm
from arrival.participation.languages import language_options
from tests.accounts.factories import sign_in_as
from tests.participation.factories import COLLECT_AT, city_with_officer, open_process, posted, resident

pytestmark = pytest.mark.django_db


def _option(html: str, value: str, select: str = "") -> str:
    """The <option> of `value`, in the <select name=`select`> when given."""
    if select:
        found = re.search(rf'<select name="{select}".*?</select>', html, re.S)
        assert found, f"no select {select!r}"
        html = found.group(0)
    match = re.search(rf'<option value="{re.escape(value)}"[^>]*>[^<]*</option>', html)
    assert match, f"no option {value!r}"
    return match.group(0)


def test_languages_are_offered_under_their_own_names_marked_with_their_language() -> None:
    with translation.override("ar"):
        options = {option.code: option for option in language_options()}
    assert (options["ko"].label, options["ko"].attrs) == ("한국어", {"lang": "ko", "dir": "ltr"})
    assert (options["he"].label, options["he"].attrs) == ("עברית", {"lang": "he", "dir": "rtl"})
    assert (options["zh-hans"].label, options["zh-hans"].attrs["lang"]) == ("中文 (简体)", "zh-Hans")
    # The page's own language needs no mark; a language CLDR has no own name for keeps the page's name, unmarked.
    assert (options["ar"].label, options["ar"].attrs) == ("العربية", {})
    assert options["udm"].attrs == {} and options["udm"].label != "udm"
    with translation.override("en"):
        assert language_options()[0].label < language_options()[1].label  # ordered by the names shown
        assert {"English": {}, "français": {"lang": "fr", "dir": "ltr"}}.items() <= {
            o.label: o.attrs for o in language_options()}.items()


def test_language_selects_mark_each_option() -> None:
    with translation.override("ru"):
        html = str(ProposalForm(language="ru")["language"]) + str(TranslationForm()["language"])
    assert _option(html, "ko") == '<option value="ko" lang="ko" dir="ltr">한국어</option>'
    assert 'value="ru" selected>русский</option>' in html
    # Mixed text ("한국어 — корейский") cannot be marked in an <option>: no option mixes two names.
    assert " — " not in html


def test_proposal_form_marks_categories_neighbourhoods_and_codes(client) -> None:
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    services.neighbourhood_create(user=officer, owner=city, name="Nord", latitude=None, longitude=None)
    author = resident()
    sign_in_as(client, author)
    with time_machine.travel(COLLECT_AT, tick=False):
        html = client.get(reverse("participation:proposal_create", args=[process.slug]),
                          headers={"Accept-Language": "ar"}).content.decode()
    housing = process.categories.get(name="Housing")
    neighbourhood = city.neighbourhoods.get()
    assert _option(html, str(housing.pk), "category") == (
        f'<option value="{housing.pk}" lang="en" dir="ltr">Housing</option>')
    assert _option(html, str(neighbourhood.pk), "neighbourhood") == (
        f'<option value="{neighbourhood.pk}" translate="no" dir="auto">Nord</option>')
    assert "<code>ti</code>" in html


def test_process_page_marks_records_and_names_languages_in_the_page_language(client) -> None:
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    neighbourhood = services.neighbourhood_create(user=officer, owner=city, name="Nord", latitude=None,
                                                  longitude=None)
    housing = process.categories.get(name="Housing")
    proposal = posted(process, resident(display_name="Amina"), category=housing, neighbourhood=neighbourhood)
    with time_machine.travel(COLLECT_AT, tick=False):
        html = client.get(process.get_absolute_url(), headers={"Accept-Language": "ar"}).content.decode()
        detail = client.get(proposal.get_absolute_url(), headers={"Accept-Language": "ar"}).content.decode()
    # The filter names the proposals' languages in the page's language, with no `lang` of the language named.
    assert re.search(r'<option value="en">الإنجليزية</option>', html)
    assert f'<option value="{housing.pk}" lang="en" dir="ltr">Housing</option>' in html
    assert f'<option value="{neighbourhood.pk}" translate="no" dir="auto">Nord</option>' in html
    assert '<bdi translate="no">Nord</bdi>' in html and '<bdi translate="no">Nord</bdi>' in detail
    assert "<bdi>Amina</bdi>" in detail


def test_team_forms_mark_the_process_texts_and_category_names() -> None:
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    housing = process.categories.get(name="Housing")
    client = Client()
    sign_in_as(client, officer)
    edit = client.get(reverse("participation:process_edit", args=[process.slug]),
                      headers={"Accept-Language": "ru"}).content.decode()
    assert re.search(r'<textarea name="purpose"[^>]*lang="en" dir="ltr"', edit)
    assert re.search(r'<textarea name="categories"[^>]*lang="en" dir="ltr"', edit)
    assert re.search(r'<option value="\d+" selected translate="no">', edit)  # the city's name, not translated
    assert "<code>en, fr, ar</code>" in edit
    translations = client.get(reverse("participation:process_translations", args=[process.slug]),
                              headers={"Accept-Language": "ru"}).content.decode()
    assert '«<span dir="ltr" lang="en">Housing</span>»' in translations
    assert f'for="id_translation_fr_category_{housing.pk}"' in translations
    # On a page in the process's own language, nothing needs a mark.
    english = client.get(reverse("participation:process_edit", args=[process.slug]),
                         headers={"Accept-Language": "en"}).content.decode()
    assert not re.search(r'<textarea name="purpose"[^>]*lang=', english)
