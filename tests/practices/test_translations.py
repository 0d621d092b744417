"""Translations of practices and calls (issue 15 §2, §3): the team adds them, readers see their language's text
or the original marked with its language, bad input changes nothing, browsing puts readable practices first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from arrival.core.models import AuditEvent
from arrival.practices import search, services
from arrival.practices.models import Practice
from tests.accounts.factories import UserFactory, sign_in_as
from tests.actors.factories import NetworkFactory
from tests.practices.factories import draft_practice, officer_for, published_practice, team_of

pytestmark = pytest.mark.django_db


def _page(practice: Practice, language: str) -> str:
    return Client().get(reverse("practices:detail", args=[practice.slug]),
                        headers={"Accept-Language": language}).content.decode()


def test_a_french_translation_reaches_french_readers_and_english_readers_keep_the_original():
    practice = published_practice(practice=draft_practice(title="Welcome desk", summary="One desk for newcomers."))
    team = team_of(practice)
    client = Client()
    sign_in_as(client, team)
    response = client.post(reverse("practices:translations", args=[practice.slug]), {
        "translation_fr_title": "Guichet d'accueil", "translation_fr_summary": "Un guichet pour les nouveaux venus.",
        "translation_fr_problem": "<p>Attente <script>x</script>longue</p>",
    })
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.translations == {"fr": {"title": "Guichet d'accueil", "summary": "Un guichet pour les nouveaux venus.",
                                            "problem": "<p>Attente longue</p>"}}
    assert AuditEvent.objects.filter(action="practices.practice_translations_set").exists()
    french = _page(practice, "fr")
    assert "<span>Guichet d&#x27;accueil</span>" in french
    assert "(traduction ; original en anglais)" in french  # "(translated from English)", in French
    english = _page(practice, "en")
    assert '<h1 id="practice-title"><span>Welcome desk</span></h1>' in english
    assert "Guichet" not in english


def test_an_arabic_practice_on_an_english_page_is_marked_and_named():
    practice = published_practice(practice=draft_practice(title="مكتب استقبال", summary="مكتب واحد.", language="ar"))
    html = _page(practice, "en")
    assert '<span lang="ar" dir="rtl">مكتب استقبال</span> <span class="language-note small">(in Arabic)</span>' in html
    assert '<div lang="ar" dir="rtl"><p>مكتب واحد.</p></div>' in html


def test_the_edit_form_saves_translations_and_refuses_bad_ones_changing_nothing():
    practice = draft_practice(title="Welcome desk")
    team = team_of(practice)
    with pytest.raises(ValidationError):
        services.practice_update(user=team, practice=practice, title="Changed",
                                 translations={"en": {"title": "Same language"}})
    with pytest.raises(ValidationError):
        services.practice_translations_set(user=team, practice=practice, translations={"de": {"title": "Willkommen"}})
    with pytest.raises(ValidationError):
        services.practice_translations_set(user=team, practice=practice, translations={"fr": {"slug": "x"}})
    with pytest.raises(ValidationError):
        services.practice_translations_set(user=team, practice=practice, translations={"fr": {"title": "x" * 251}})
    practice.refresh_from_db()
    assert (practice.title, practice.translations) == ("Welcome desk", {})
    with pytest.raises(PermissionDenied):
        services.practice_translations_set(user=UserFactory(), practice=practice, translations={"fr": {"title": "x"}})

    client = Client()
    sign_in_as(client, team)
    form = client.get(reverse("practices:edit", args=[practice.slug])).content.decode()
    assert 'name="translation_ar_title"' in form and 'lang="ar" dir="rtl"' in form
    assert 'name="translation_en_title"' not in form  # the record's own language
    data = {"title": "Welcome desk", "summary": "One desk.", "language": "en", "status": "ongoing",
            "problem": "<p>p</p>", "gcm_objectives": [], "translation_es_title": "Ventanilla de acogida"}
    assert client.post(reverse("practices:edit", args=[practice.slug]), data).status_code == 302
    practice.refresh_from_db()
    assert practice.translations == {"es": {"title": "Ventanilla de acogida"}}
    # Switching the record's language to one it has a translation in is refused, nothing changed.
    response = client.post(reverse("practices:edit", args=[practice.slug]), {**data, "language": "es"})
    assert response.status_code == 400
    practice.refresh_from_db()
    assert practice.language == "en"


def test_browsing_puts_practices_the_reader_can_read_first():
    arabic = published_practice(practice=draft_practice(title="مكتب", language="ar"))
    translated = published_practice(practice=draft_practice(title="مدرسة", language="ar"))
    services.practice_translations_set(user=team_of(translated), practice=translated,
                                       translations={"en": {"title": "Night school"}})
    english = published_practice(practice=draft_practice(title="Desk", language="en"))
    newest_arabic = published_practice(practice=draft_practice(title="حديقة", language="ar"))
    with translation.override("en"):
        order = [p.slug for p, _score, _why in search.practice_search()["results"]]
    assert order[:2] == sorted([translated.slug, english.slug], key=order.index)
    assert set(order[2:]) == {arabic.slug, newest_arabic.slug}
    with translation.override("ar"):
        order = [p.slug for p, _score, _why in search.practice_search()["results"]]
    assert order[-1] == english.slug


def test_calls_are_opened_with_a_language_and_translated_by_their_organisers():
    network = NetworkFactory().actor
    organiser = officer_for(network, kind="staff")
    call = services.call_open(user=organiser, owner=network, title="Housing first", description="<p>Homes</p>",
                              deadline=timezone.now() + dt.timedelta(days=10), language="en",
                              translations={"fr": {"title": "Le logement d'abord"}})
    assert call.translations == {"fr": {"title": "Le logement d'abord"}}
    with pytest.raises(ValidationError):
        services.call_translations_set(user=organiser, call=call, translations={"en": {"title": "x"}})
    services.call_translations_set(user=organiser, call=call, translations={"es": {"description": "<p>Casas</p>"}})
    call.refresh_from_db()
    assert call.translations == {"es": {"description": "<p>Casas</p>"}}
    html = Client().get(reverse("practices:call_detail", args=[call.slug]), headers={"Accept-Language": "es"}).content.decode()
    assert "<div><p>Casas</p></div>" in html
