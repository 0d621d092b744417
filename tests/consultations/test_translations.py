"""Translations of consultations, contributions and outcome documents (issue 15 §2, §3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arrival.consultations import selectors, services
from arrival.core.models import AuditEvent
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    CALL,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    network,
    person,
)

pytestmark = pytest.mark.django_db


def test_organisers_translate_their_consultation_and_readers_see_their_language():
    owner = network("Cities Network")
    staff = person(owner, "staff")
    cons = consultation(owner=owner, staff=staff, title="Local input")
    services.consultation_update(user=staff, consultation=cons, translations={"fr": {"title": "Contribution locale"}})
    cons.refresh_from_db()
    assert cons.translations == {"fr": {"title": "Contribution locale"}}
    assert AuditEvent.objects.filter(action="consultations.change_consultation").exists()
    url = reverse("consultations:detail", args=[cons.slug])
    french = Client().get(url, headers={"Accept-Language": "fr"}).content.decode()
    assert "<h1><span>Contribution locale</span>" in french
    english = Client().get(url, headers={"Accept-Language": "en"}).content.decode()
    assert "<h1><span>Local input</span></h1>" in english or "<h1><span>Local input</span> " in english


def test_bad_translations_are_refused_and_change_nothing():
    owner = network("Cities Network")
    staff = person(owner, "staff")
    cons = consultation(owner=owner, staff=staff, title="Local input")
    for bad in ({"en": {"title": "Same"}}, {"xx": {"title": "?"}}, {"fr": {"slug": "x"}}, {"fr": {"title": "x" * 301}}):
        with pytest.raises(ValidationError):
            services.consultation_update(user=staff, consultation=cons, title="Changed", translations=bad)
    cons = selectors.consultation_get(slug=cons.slug)
    assert (cons.title, cons.translations) == ("Local input", {})


def test_an_arabic_contribution_is_marked_and_its_translation_reaches_english_readers():
    owner = network("Cities Network")
    cons = consultation(owner=owner)
    town = city("Amman")
    officer = person(town)
    with at(CALL):
        contribution = services.contribution_create(
            user=officer, consultation=cons, actor=town, title="مكتب واحد", summary="مكتب واحد لكل الخدمات.",
            language="ar", translations={"fr": {"title": "Un seul guichet"}})
    url = reverse("consultations:contribution_detail", args=[contribution.pk])
    english = Client().get(url, headers={"Accept-Language": "en"}).content.decode()
    assert '<span lang="ar" dir="rtl">مكتب واحد</span> <span class="language-note small">(in Arabic)</span>' in english
    assert '<div lang="ar" dir="rtl"><p>مكتب واحد لكل الخدمات.</p></div>' in english
    french = Client().get(url, headers={"Accept-Language": "fr"}).content.decode()
    assert "<span>Un seul guichet</span>" in french


def test_the_consultation_list_puts_the_readers_language_first():
    owner = network("Cities Network")
    staff = person(owner, "staff")
    english = consultation(owner=owner, staff=staff, title="English one")
    arabic = consultation(owner=owner, staff=staff, title="عربي")
    services.consultation_update(user=staff, consultation=arabic, language="ar")
    with translation.override("en"):
        order = [c.pk for c in selectors.consultation_list(reader_first=True)]
    assert order == [english.pk, arabic.pk]  # newest first otherwise: the Arabic one
    with translation.override("ar"):
        assert [c.pk for c in selectors.consultation_list(reader_first=True)] == [arabic.pk, english.pk]


def test_the_outcome_document_title_is_translated_on_its_page_by_the_organisers():
    flow = adopted_flow()
    document = flow["document"]
    assert document.language == flow["consultation"].language
    client = Client()
    sign_in_as(client, flow["staff"])
    response = client.post(reverse("consultations:document_translations", args=[document.pk]),
                           {"translation_es_title": "Resultado"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.translations == {"es": {"title": "Resultado"}}
    page = Client().get(document.get_absolute_url(), headers={"Accept-Language": "es"}).content.decode()
    assert "<span>Resultado</span>" in page
    other = Client()
    sign_in_as(other, flow["users"][0])
    assert other.post(reverse("consultations:document_translations", args=[document.pk]),
                      {"translation_es_title": "x"}).status_code == 403
    assert contribute  # the factory module's helpers stay importable
