"""Translations of participation processes, categories, answer statuses and the city's answers (issue 15)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arrival.participation import selectors, services
from arrival.participation.models import AnswerStatus
from tests.accounts.factories import sign_in_as
from tests.participation.factories import ANSWER_AT, city_with_officer, open_process, posted, resident

pytestmark = pytest.mark.django_db


def test_the_team_translates_the_process_and_its_categories():
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city, title="Welcoming neighbourhoods")
    assert process.language == "en"
    housing = process.categories.get(name="Housing")
    client = Client()
    sign_in_as(client, officer)
    response = client.post(reverse("participation:process_translations", args=[process.slug]), {
        "translation_fr_title": "Quartiers accueillants", f"translation_fr_category_{housing.pk}": "Logement"})
    assert response.status_code == 302
    process.refresh_from_db()
    housing.refresh_from_db()
    assert process.translations == {"fr": {"title": "Quartiers accueillants"}}
    assert housing.translations == {"fr": {"name": "Logement"}}
    french = Client().get(process.get_absolute_url(), headers={"Accept-Language": "fr"}).content.decode()
    assert "Quartiers accueillants" in french and ">Logement</option>" in french
    english = Client().get(process.get_absolute_url(), headers={"Accept-Language": "en"}).content.decode()
    assert "Quartiers accueillants" not in english


def test_bad_process_translations_change_nothing():
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    with pytest.raises(ValidationError):
        services.process_update(user=officer, process=process, title="Changed",
                                translations={"en": {"title": "Same language"}})
    process.refresh_from_db()
    assert (process.title, process.translations) == ("Welcoming neighbourhoods", {})


def test_default_statuses_carry_the_interface_translations_and_answers_their_own():
    city, officer = city_with_officer()
    with translation.override("en"):
        process = open_process(officer=officer, city=city)
    accepted = AnswerStatus.objects.get(owner=city, label="Accepted")
    # The interface's own (human) translations of the default label, one per other UN language.
    assert accepted.language == "en" and set(accepted.translations) == {"fr", "es", "ar", "zh", "ru"}
    proposal = posted(process, resident())
    with time_machine.travel(ANSWER_AT, tick=False):
        services.answer_create(user=officer, proposal=proposal, status=accepted, text="مرحبا", language="ar",
                               translations={"en": {"text": "Welcome"}})
    english = Client().get(proposal.get_absolute_url(), headers={"Accept-Language": "en"}).content.decode()
    assert "<div><p>Welcome</p></div>" in english and "(translated from Arabic)" in english
    french = Client().get(proposal.get_absolute_url(), headers={"Accept-Language": "fr"}).content.decode()
    assert '<div lang="ar" dir="rtl"><p>مرحبا</p></div>' in french
    assert accepted.translations["fr"]["label"] in french


def test_the_process_list_puts_the_readers_language_first():
    city, officer = city_with_officer()
    english = open_process(officer=officer, city=city, title="English")
    arabic = open_process(officer=officer, city=city, title="عربي", language="ar")
    with time_machine.travel(ANSWER_AT, tick=False):
        with translation.override("ar"):
            assert [p.pk for p in selectors.process_list_open(reader_first=True)] == [arabic.pk, english.pk]
        with translation.override("en"):
            assert [p.pk for p in selectors.process_list_open(reader_first=True)] == [english.pk, arabic.pk]
