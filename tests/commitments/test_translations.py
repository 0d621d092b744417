"""Translations of commitments and their milestones (issue 15 §2, §3)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arrival.commitments import file_once, selectors, services
from tests.accounts.factories import sign_in_as
from tests.commitments.factories import city, draft_commitment, person, published_commitment

pytestmark = pytest.mark.django_db


def test_the_team_translates_a_published_commitment_and_its_milestones():
    made = published_commitment()
    commitment, team = made["commitment"], made["team"]
    milestone = commitment.milestones.get()
    client = Client()
    sign_in_as(client, team)
    response = client.post(reverse("commitments:translations", args=[commitment.pk]), {
        "translation_fr_title": "Des hôtes d'accueil dans chaque quartier",
        f"translation_fr_milestone_{milestone.pk}": "Vingt premiers hôtes formés"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    milestone.refresh_from_db()
    assert commitment.translations == {"fr": {"title": "Des hôtes d'accueil dans chaque quartier"}}
    assert milestone.translations == {"fr": {"title": "Vingt premiers hôtes formés"}}
    french = Client().get(commitment.get_absolute_url(), headers={"Accept-Language": "fr"}).content.decode()
    assert "Des hôtes d&#x27;accueil dans chaque quartier" in french and "Vingt premiers hôtes formés" in french
    english = Client().get(commitment.get_absolute_url(), headers={"Accept-Language": "en"}).content.decode()
    assert '<h1 id="commitment-title"><span>Welcome hosts in every neighbourhood</span></h1>' in english
    rows = {key: value for key, _label, value in file_once.form_rows(commitment, "un_gcm_pledge")}
    assert rows["language"] == "en" and json.loads(rows["translations"])["fr"]["title"].startswith("Des hôtes")


def test_bad_translations_change_nothing():
    lead = city()
    team = person(lead)
    commitment = draft_commitment(user=team, lead=lead)
    with pytest.raises(ValidationError):
        services.commitment_update(user=team, commitment=commitment, title="Changed",
                                   translations={"en": {"title": "Same language"}})
    commitment.refresh_from_db()
    assert (commitment.title, commitment.translations) == ("Welcome hosts in every neighbourhood", {})


def test_an_arabic_commitment_on_an_english_page_is_marked_and_the_list_prefers_english():
    arabic = published_commitment(title="مضيفون في كل حي", language="ar")["commitment"]
    english = published_commitment()["commitment"]
    page = Client().get(arabic.get_absolute_url(), headers={"Accept-Language": "en"}).content.decode()
    assert '<span lang="ar" dir="rtl">مضيفون في كل حي</span> <span class="language-note small">(in Arabic)</span>' in page
    with translation.override("en"):
        order = [c.pk for c in selectors.commitment_list_public(reader_first=True)]
    assert order.index(english.pk) < order.index(arabic.pk)
