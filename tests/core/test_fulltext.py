"""The full-text interface on whichever engine the suite runs on (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from arrival.core.fulltext import (
    fold,
    fulltext_count,
    fulltext_index,
    fulltext_matches,
    fulltext_remove,
    fulltext_search,
    query_terms,
)


def _record(name: str, language: str, title: str, summary: str = "", body: str = "") -> Group:
    group = Group.objects.create(name=name)
    fulltext_index(record=group, language=language, title=title, summary=summary, body=body)
    return group


def _found(query: str, language: str | None = None, **kwargs) -> list[int]:
    return [key for key, _rank in fulltext_search(model=Group, query=query, limit=20, language=language, **kwargs)]


@pytest.fixture
def records() -> dict[str, Group]:
    return {
        "en": _record("en", "en", "Integrating newcomers through sport", "Weekly football for young people"),
        "fr": _record("fr", "fr", "L'intégration des nouveaux arrivants", "Des cours de langue à la médiathèque"),
        "es": _record("es", "es", "Integración laboral de personas migrantes", "Ferias de empleo y mentorías"),
        "ar": _record("ar", "ar", "مبادرة الاندماج في سوق العمل", "دروس اللغة للقادمين الجدد"),
        "other": _record("other", "en", "Street lighting renewal", "New lamps in the old town"),
    }


def test_english_stemming_both_ways(records) -> None:
    assert records["en"].pk in _found("integration", "en")
    assert _found("integrating sport", "en") == [records["en"].pk]
    assert records["other"].pk not in _found("integration")


def test_french_stemming_and_accents(records) -> None:
    assert records["fr"].pk in _found("intégrer", "fr")
    assert records["fr"].pk in _found("intégration", "fr")
    assert records["fr"].pk in _found("integration arrivants")  # no accent, language unknown
    assert records["fr"].pk in _found("mediatheque")


def test_spanish_with_and_without_accent(records) -> None:
    assert records["es"].pk in _found("integración", "es")
    assert records["es"].pk in _found("integracion")
    assert records["es"].pk in _found("mentorías empleo", "es")


def test_arabic_words(records) -> None:
    assert _found("الاندماج") == [records["ar"].pk]
    assert records["ar"].pk in _found("اللغة", "ar")


def test_every_word_must_match_and_the_last_is_a_prefix(records) -> None:
    assert _found("football young") == [records["en"].pk]
    assert _found("football lamps") == []
    assert _found("newcom") == [records["en"].pk]
    assert _found("the football of the") == [records["en"].pk]  # stopwords are not required


def test_title_outranks_body() -> None:
    in_body = _record("body", "en", "Neighbourhood fund", "Small grants", "Grants for housing cooperatives")
    in_title = _record("title", "en", "Housing cooperatives", "Shared homes", "Members build together")
    assert _found("housing cooperatives", "en") == [in_title.pk, in_body.pk]


@pytest.mark.parametrize(
    ("query", "finds_football"),
    [('"foo" OR bar*) NEAR(', False), ("football) OR (", True), ("football)", True), ('"football', True),
     ("'; DROP TABLE core_fulltext; --", False), ("NOT AND OR", False), ("title:football", False),
     ("^football", True), ("football:*", True), ("&|!<->", False), ("*", False), ('"', False), ("()", False),
     ("NEAR(football young, 2)", False), ("\x00football", True), ("football young'", True)],
)
def test_query_syntax_is_never_passed_through(records, query: str, finds_football: bool) -> None:
    found = _found(query)  # never an engine syntax error
    assert (records["en"].pk in found) is finds_football
    assert records["other"].pk not in found


def test_queries_without_words_find_nothing(records) -> None:
    assert _found("") == []
    assert _found("?!… —") == []
    assert fulltext_matches(model=Group, query="!!") is None


def test_reindex_replaces_and_remove_forgets(records) -> None:
    record = records["other"]
    fulltext_index(record=record, language="en", title="Library cards for all residents")
    assert _found("lamps") == []
    assert _found("library cards") == [record.pk]
    before = fulltext_count(model=Group)
    fulltext_remove(record=record)
    fulltext_remove(record=record)  # removing twice is harmless
    assert _found("library") == []
    assert fulltext_count(model=Group) == before - 1


def test_within_and_matches_compose_with_querysets(records) -> None:
    both = _record("both", "en", "Sport clubs for everyone", "Open trainings")
    only = Group.objects.filter(name="both")
    assert set(_found("sport", "en")) == {records["en"].pk, both.pk}
    assert _found("sport", "en", within=only) == [both.pk]
    matching = Group.objects.filter(pk__in=fulltext_matches(model=Group, query="sport", language="en"))
    assert set(matching.values_list("name", flat=True)) == {"en", "both"}


def test_query_terms_and_folding() -> None:
    assert query_terms("The housing of refugees", "en") == ["housing", "refugees"]
    assert query_terms("the of", "en") == ["the", "of"]  # nothing but stopwords: keep them
    assert query_terms('"foo" OR bar*) NEAR(') == ["foo", "bar", "near"]  # "or" is a stopword
    assert fold("Intégration Açaí مُهاجِر") == "integration acai مهاجر"
