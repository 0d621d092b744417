"""The practice pages in the reader's language (issue #15): regions by their CLDR names, people's names and
records' own texts marked as such, reviews with the language they are written in, the teams' themes with
their practices' language, forms whose inputs hold a record's texts in its language."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arrival.actors.models import Actor
from arrival.core.languages import region_name
from arrival.practices import facets, selectors, services
from arrival.practices.forms import SubmitForm
from arrival.practices.models import CallForPractices, Practice
from tests.accounts.factories import sign_in_as
from tests.actors.factories import CountryFactory
from tests.pages import page_in
from tests.practices.factories import (
    CallFactory,
    assign_and_accept,
    curator,
    draft_practice,
    government,
    in_review_practice,
    officer_for,
    peer_reviewer,
    published_practice,
    review,
    team_of,
)

pytestmark = pytest.mark.django_db


def _page(url: str, language: str, user: object = None) -> str:
    return page_in(language, url, user)


def _adaptation_between(source_region: str, target_region: str) -> tuple[Practice, Practice]:
    source_city = government(actor__country=CountryFactory(region=source_region), latitude=50.85, longitude=4.35)
    source = published_practice(practice=draft_practice(government=source_city))
    target_city = government(actor__country=CountryFactory(region=target_region), latitude=45.5, longitude=-73.57)
    team = officer_for(target_city)
    adaptation = draft_practice(user=team, government=target_city)
    services.practice_set_adapted_from(user=team, practice=adaptation, source=source, note="Smaller scale.")
    return source, published_practice(practice=adaptation)


def test_regions_are_named_in_the_readers_language_and_kept_in_english_as_keys() -> None:
    source, adaptation = _adaptation_between("Europe", "Americas")
    with translation.override("ru"):
        (path,) = selectors.replication_paths()
        europe, americas = region_name("Europe"), region_name("Americas")
    assert (path["source_region"], path["target_region"]) == ("Europe", "Americas")
    assert (path["source_region_name"], path["target_region_name"]) == (europe, americas)
    assert "Europe" not in europe and "Americas" not in americas  # CLDR's Russian names

    html = _page(reverse("practices:replication"), "ru")
    assert f"<th scope=\"row\">{europe}</th><td>{americas}</td>" in html  # the corridors
    assert f" · {europe}</td>" in html and f" · {americas}</td>" in html  # the journeys
    assert "· Europe" not in html and "· Americas" not in html
    # The practice's page: the region of each government that adapted it.
    assert f"<td>{americas}</td>" in _page(reverse("practices:detail", args=[source.slug]), "ru")
    assert adaptation.adapted_from_id == source.pk


def test_reviewer_suggestions_give_the_shared_region_in_the_readers_language() -> None:
    country = CountryFactory(region="Africa", subregion="Northern Africa")
    practice = in_review_practice(practice=draft_practice(government=government(actor__country=country)))
    near, _actor = peer_reviewer(actor__country=CountryFactory(region="Africa", subregion="Northern Africa"))
    same_region, _other = peer_reviewer(actor__country=CountryFactory(region="Africa", subregion="Sub-Saharan Africa"))
    with translation.override("ar"):
        rows = {row["user"]: row for row in selectors.reviewer_suggestions(practice=practice, limit=50)}
        subregion_ar, region_ar = region_name("Northern Africa"), region_name("Africa")
    assert any(f"({subregion_ar})" in reason for reason in rows[near]["reasons"])
    assert any(f"({region_ar})" in reason for reason in rows[same_region]["reasons"])
    assert not any("Africa" in reason for row in rows.values() for reason in row["reasons"])


def test_people_are_named_in_bdi_on_the_reviewers_page_and_the_queue_marks_titles() -> None:
    by = curator()
    practice = in_review_practice(practice=draft_practice(title="Guichet unique d'accueil", language="fr"), by=by)
    assigned = assign_and_accept(practice, by=by)
    candidate, _actor = peer_reviewer()
    html = _page(reverse("practices:reviewers", args=[practice.slug]), "ar", by)
    assert f'<th scope="row"><bdi>{assigned.reviewer.public_name}</bdi></th>' in html
    assert f'<th scope="row"><bdi>{candidate.public_name}</bdi></th>' in html  # a suggestion
    assert re.search(rf'<span class="visually-hidden"> <bdi>{re.escape(candidate.public_name)}</bdi></span>', html)
    queue = _page(reverse("practices:queue"), "en", by)
    assert ('<span class="visually-hidden"> for <span lang="fr" dir="ltr">Guichet unique d&#x27;accueil</span>'
            '</span>') in queue


def test_reviews_are_marked_with_their_language_or_left_to_the_browser() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    review(assign_and_accept(practice, by=by), comments="Des résultats clairs.", language="fr")
    review(assign_and_accept(practice, by=by), comments="Clear evidence.")
    with pytest.raises(ValidationError):
        review(assign_and_accept(practice, by=by), comments="?", language="not a language")
    services.practice_decide(user=by, practice=practice, decision="publish")
    rows = selectors.reviews_for_practice(practice=practice, viewer=None)
    assert [row["language"] for row in rows] == ["fr", ""]

    html = _page(reverse("practices:detail", args=[practice.slug]), "en")
    assert '<div lang="fr" dir="ltr"><p>Des résultats clairs.</p></div>' in html
    assert '<div dir="auto"><p>Clear evidence.</p></div>' in html
    detail = Client().get(f"/api/v1/practices/{practice.slug}").json()
    assert sorted(r["language"] for r in detail["reviews"]) == ["", "fr"]


def test_the_review_form_asks_the_language_of_the_comments_in_the_readers_language_first() -> None:
    by = curator()
    assignment = assign_and_accept(in_review_practice(by=by), by=by)
    html = _page(reverse("practices:review", args=[assignment.pk]), "es", assignment.reviewer)
    assert '<option value="es" selected>' in html
    assert re.search(r'<textarea name="comments"[^>]* dir="auto"', html)


def test_theme_options_carry_the_language_of_the_practices_that_use_them() -> None:
    facets.facet_index_forget()
    published_practice(practice=draft_practice(title="Housing desk", themes=["housing", "data"]))
    published_practice(practice=draft_practice(title="Logement d'abord", language="fr", themes=["logement", "data"]))
    published_practice(practice=draft_practice(title="سكن", language="ar", themes=["سكن", "صحة"]))
    facets.facet_index_forget()
    html = _page(reverse("practices:list"), "ar")
    assert '<span lang="en" dir="ltr">housing</span>' in html
    assert '<span lang="fr" dir="ltr">logement</span>' in html
    assert '<span dir="auto">data</span>' in html  # used by practices in two languages
    assert "<span>سكن</span>" in html  # the page's own language: nothing to mark
    # Each box has its own id, in any script, and its label points to it.
    assert 'id="facet-theme-سكن"' in html and 'id="facet-theme-صحة"' in html
    assert 'for="facet-theme-سكن"' in html


def test_the_edit_form_marks_the_records_texts_with_its_language() -> None:
    practice = draft_practice(title="Guichet unique", language="fr")
    html = _page(reverse("practices:edit", args=[practice.slug]), "ar", team_of(practice))
    for name in ("summary", "problem", "approach", "results", "lessons", "replication_conditions"):
        assert re.search(rf'<textarea name="{name}"[^>]* lang="fr" dir="ltr"', html), name
    assert re.search(r'<input type="text" name="title"[^>]* lang="fr" dir="ltr"', html)
    # A new record's language is chosen in the same form: its texts' direction is the browser's to find.
    city = government()
    new = _page(reverse("practices:create"), "ar", officer_for(city))
    assert re.search(r'<textarea name="summary"[^>]* dir="auto"', new)
    assert '<option value="ar" selected>' in new  # the reader's language, as a content tag


def test_calls_are_offered_by_their_title_in_the_readers_language_or_marked() -> None:
    translated = CallFactory(title="Housing first", language="en", translations={"fr": {"title": "Le logement"}})
    untranslated = CallFactory(title="Décent travail", language="fr")
    form = SubmitForm(calls=CallForPractices.objects.filter(pk__in=[translated.pk, untranslated.pk]).order_by("pk"),
                      organisations=Actor.objects.none())
    with translation.override("fr"):
        html = str(form["call"])
    assert f'<option value="{translated.pk}">Le logement</option>' in html
    assert f'<option value="{untranslated.pk}">Décent travail</option>' in html
    with translation.override("ar"):
        html = str(form["call"])
    assert f'<option value="{untranslated.pk}" lang="fr" dir="ltr">Décent travail</option>' in html


def test_records_languages_are_content_tags() -> None:
    assert draft_practice(language="zh-hans").language == "zh"  # as translations name it
    assert draft_practice(language="zh").language == "zh"
    with pytest.raises(ValidationError):
        draft_practice(language="xx")


def test_the_practice_model_has_a_translatable_name() -> None:
    with translation.override("en"):
        assert str(Practice._meta.verbose_name) == "practice"
        assert str(Practice._meta.verbose_name_plural) == "practices"


def test_a_calls_time_zone_is_chosen_from_the_zone_names() -> None:
    by = curator()
    html = _page(reverse("practices:call_create"), "zh-hans", by)
    assert '<option value="Europe/Brussels">Europe/Brussels</option>' in html
    client = Client()
    sign_in_as(client, by)
    data = {"owner": by.roles.first().actor.pk, "title": "Housing", "description": "Homes.",
            "deadline": "2099-01-31T12:00"}
    assert client.post(reverse("practices:call_create"), {**data, "time_zone": "Mars/Olympus"}).status_code == 400
    assert client.post(reverse("practices:call_create"), {**data, "time_zone": "America/Bogota"}).status_code == 302
    assert CallForPractices.objects.get(title="Housing").process.time_zone == "America/Bogota"
