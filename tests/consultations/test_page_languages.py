"""Each text of the consultation pages in its own language (issue #15): a record's texts marked with the record's
language, names as names, people's names isolated, the interface's words outside the records' lang containers —
and forums' places as a city (a name) and a country in the reader's language."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.consultations import services
from arrival.consultations.loaders import load_forums, read_forums
from arrival.consultations.models import Endorsement, Forum
from arrival.core.page_text import page_text
from arrival.core.translations import localized
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    CALL,
    ENDORSEMENT,
    SYNTHESIS,
    adopted_flow,
    at,
    city,
    consultation,
    contribute,
    draft,
    gcm_objective,
    person,
)
from tests.pages import page_in

pytestmark = pytest.mark.django_db

ARABIC = re.compile(r"[\u0600-\u06ff]")


def _page(url: str, language: str = "ar", user: object = None) -> str:
    return page_in(language, url, user)


def _langs(html: str, text: str) -> set[str]:
    """The languages the page marks `text` with, wherever it is a whole text node."""
    return {piece.lang for piece in page_text(html).pieces if piece.text == text and piece.source == "text"}


# --- Forums: a city and a country ------------------------------------------------------------------------------


def test_a_forum_shows_its_city_as_a_name_its_country_in_the_readers_language_and_its_acronym_as_a_code() -> None:
    load_forums()
    arabic = _page(reverse("consultations:forum_list"))
    assert '<bdi translate="no">Geneva</bdi>' in arabic and "سويسرا" in arabic
    assert "Switzerland" not in arabic and "Geneva, Switzerland" not in arabic
    assert '(<abbr lang="en" dir="ltr" translate="no">GRF</abbr>)' in arabic
    english = _page(reverse("consultations:forum_list"), "en")
    assert '<bdi translate="no">Geneva</bdi>, Switzerland' in english
    assert '(<abbr translate="no">GRF</abbr>)' in english
    detail = _page(reverse("consultations:forum_detail", args=["gcm-stocktaking-2017"]), "ru")
    assert '<bdi translate="no">Puerto Vallarta</bdi>' in detail and "Мексика" in detail
    # The source is cited as the data file words it, marked as English.
    assert '<cite lang="en" dir="ltr" translate="no">UN General Assembly resolution 71/280' in detail
    # The API keeps the place as one English text.
    forum = Client().get("/api/v1/consultations/forums/grf-2019").json()
    assert forum["place"] == "Geneva, Switzerland"


def test_the_forums_file_gives_each_forum_a_country_by_its_code(tmp_path) -> None:  # noqa: ANN001
    rows = {row["key"]: row for row in read_forums()}
    assert (rows["grf-2023"]["place"], rows["grf-2023"]["country"]) == ("Geneva", "CH")
    assert (rows["imrf-2026"]["place"], rows["imrf-2026"]["country"]) == ("", "")
    header = "key,name,acronym,kind,year,starts_on,ends_on,place,country,url,source\n"
    file = tmp_path / "forums.csv"
    file.write_text(header + "x,X,,hlpf,,,,Lyon,fr,,A source\n")
    assert read_forums(file)[0]["country"] == "FR"
    file.write_text(header + "x,X,,hlpf,,,,Lyon,QQ,,A source\n")
    with pytest.raises(ValidationError, match="unknown country code"):
        read_forums(file)
    file.write_text("key,name,acronym,kind,year,starts_on,ends_on,place,url,source\nx,X,,hlpf,,,,Lyon,,A source\n")
    with pytest.raises(ValidationError, match="expected the columns"):
        read_forums(file)


def test_installations_that_loaded_the_forums_before_get_city_and_country_from_the_migration() -> None:
    load_forums()
    Forum.objects.filter(key="grf-2019").update(place="Geneva, Switzerland", country="")
    migration = importlib.import_module("arrival.consultations.migrations.0006_forum_city_and_country")
    migration.places_from_the_file(apps, None)
    forum = Forum.objects.get(key="grf-2019")
    assert (forum.place, forum.country) == ("Geneva", "CH")
    with translation.override("zh-hans"):
        assert forum.country_name == "瑞士"
    assert forum.place_in_english == "Geneva, Switzerland"


# --- The outcome document: its own language, the contributions' own words ------------------------------------


@pytest.mark.parametrize(("language", "catalogue"), [("fr", "fr"), ("zh", "zh-hans")])
def test_compiling_writes_in_the_documents_language_whatever_the_compiler_reads_and_only_the_contributions_words(
        language: str, catalogue: str) -> None:
    cons = consultation(questions=["What works in your city?"])
    staff = person(cons.process.owner, RoleKind.STAFF)
    with at(CALL):
        services.consultation_update(user=staff, consultation=cons, language=language)
    town = city("Lyon")
    contribute(cons, town, person(town), gcm="15", text="Un guichet unique.")
    with at(SYNTHESIS), translation.override("ar"):  # the organiser reads the site in Arabic
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    paragraph = version.paragraphs.get()
    with translation.override(catalogue):
        label = localized(gcm_objective(15), "label", language=language).text
        assert paragraph.heading == _("GCM objective %(code)s: %(label)s") % {"code": "15", "label": label}
        assert version.note == _("Compiled from the contributions.") != "Compiled from the contributions."
        assert version.document.title == _("Outcome of “%(title)s”") % {"title": cons.title}
    assert version.document.language == language
    assert paragraph.text == "Lyon: Un guichet unique."
    assert not any(ARABIC.search(text) for text in (paragraph.heading, version.note, version.document.title))


def test_the_outcome_document_marks_its_own_texts_names_people_and_says_who_stands_behind_each_paragraph() -> None:
    flow = adopted_flow()
    document, version = flow["document"], flow["version"]
    html = _page(document.get_absolute_url())
    assert re.search(r'<h3 id="p-\w+-title" lang="en" dir="ltr">1\. ', html)
    assert '<div lang="en" dir="ltr"><p>Alpha City: Alpha proposes one desk for all services.</p></div>' in html
    assert f'<td lang="en" dir="ltr">{version.note}</td>' in html
    assert f"<td><bdi>{flow['staff'].public_name}</bdi></td>" in html
    source = flow["contributions"][0]
    assert f'<a href="{source.get_absolute_url()}">#{source.pk} <bdi translate="no">Alpha City</bdi></a>' in html
    # The interface's words are the page's: outside the document's lang containers.
    with translation.override("ar"):
        assert _langs(html, _("Text")) == {"ar"}


def test_the_comparison_marks_the_documents_words_and_says_inserted_in_the_page_language() -> None:
    _cons, staff, v1 = draft(["Alpha text.", "Beta text."])
    first, second = v1.paragraphs.order_by("position")
    with at(SYNTHESIS):
        services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(key=first.key, text=first.text + " More."),
            services.ParagraphEdit(key=second.key, text=second.text)])
    html = _page(reverse("consultations:version_diff", args=[v1.document.pk]))
    assert '<p class="diff-text" lang="en" dir="ltr">' in html
    assert '<ins><span class="visually-hidden" lang="ar" dir="rtl">[' in html
    assert re.search(r'<h2 class="diff-heading" id="diff-\w+"><span lang="en" dir="ltr">1\. ', html)
    pieces = [piece for piece in page_text(html).pieces if piece.path.endswith("ins") or "ins >" in piece.path]
    assert {piece.lang for piece in pieces if "More" in piece.text} == {"en"}


# --- Contributions ---------------------------------------------------------------------------------------------


def test_a_contribution_page_keeps_the_interfaces_headings_out_of_the_contributions_language() -> None:
    cons = consultation(questions=["What works in your city?"])
    question = cons.questions.get()
    town = city("Lyon")
    officer = person(town, display_name="Anne Officer")
    with at(CALL):
        contribution = services.contribution_create(
            user=officer, consultation=cons, actor=town, title="Un guichet", summary="Un seul guichet.",
            answers={str(question.pk): "Les guichets."}, proposed_actions="Ouvrir un guichet.", language="fr")
    html = _page(contribution.get_absolute_url())
    with translation.override("ar"):
        for heading in (_("Summary"), _("Answers"), _("Proposed actions")):
            assert _langs(html, heading) == {"ar"}, heading
    assert _langs(html, "What works in your city?") == {"en"}
    assert _langs(html, "Les guichets.") == {"fr"}
    assert "<td><bdi>Anne Officer</bdi></td>" in html


def test_the_contribution_form_marks_the_questions_and_the_texts_being_changed() -> None:
    cons = consultation(questions=["What works in your city?"])
    town = city("Lyon")
    officer = person(town)
    with at(CALL):
        contribution = services.contribution_create(
            user=officer, consultation=cons, actor=town, title="Un guichet", summary="Un seul guichet.", language="fr")
        edit = _page(reverse("consultations:contribution_edit", args=[contribution.pk]), user=officer)
        create = _page(reverse("consultations:contribution_create", args=[cons.slug]), user=person(city("Lille")))
    assert '<span lang="en" dir="ltr">What works in your city?</span>' in edit
    assert re.search(r'<textarea name="summary"[^>]* lang="fr" dir="ltr"[^>]*>\s*Un seul guichet.</textarea>', edit)
    # The language is chosen by its name, the contribution's own selected; a new one starts in the page's.
    assert re.search(r'<option value="fr" selected>[^<]+</option>', edit)
    assert re.search(r'<option value="ar" selected>العربية</option>', create)
    assert '<span lang="en" dir="ltr">What works in your city?</span>' in create


# --- Endorsements ----------------------------------------------------------------------------------------------


def test_endorsements_isolate_the_signatorys_name_and_mark_title_and_authority_with_their_language() -> None:
    flow = adopted_flow()
    document = flow["document"]
    alpha, beta = flow["cities"]
    with at(ENDORSEMENT):
        services.endorsement_create(user=flow["users"][0], document=document, actor=alpha, signatory_name="Jane Roe",
                                    signatory_title="Maire", authority="Délibération du conseil", language="fr")
        services.endorsement_create(user=flow["users"][1], document=document, actor=beta, signatory_name="Ali Bey",
                                    signatory_title="Mayor", authority="Council decision")
    html = _page(reverse("consultations:endorsements", args=[document.pk]))
    assert '<td><bdi>Jane Roe</bdi>, <bdi lang="fr" dir="ltr">Maire</bdi></td>' in html
    assert '<td lang="fr" dir="ltr">Délibération du conseil</td>' in html
    # Recorded without its language (the API, or before it was asked): isolated as text of unknown language.
    assert '<td><bdi>Ali Bey</bdi>, <bdi dir="auto">Mayor</bdi></td><td dir="auto">Council decision</td>' in html
    assert Endorsement.objects.get(actor=alpha).language == "fr"


def test_the_endorsement_form_records_the_language_of_title_and_authority() -> None:
    flow = adopted_flow()
    document = flow["document"]
    alpha = flow["cities"][0]
    client = Client()
    sign_in_as(client, flow["users"][0])
    with at(ENDORSEMENT):
        page = client.get(reverse("consultations:endorsements", args=[document.pk]),
                          headers={"Accept-Language": "es"}).content.decode()
        assert re.search(r'<option value="es" selected>', page)
        client.post(reverse("consultations:endorsement_create", args=[document.pk]), {
            "actor": alpha.pk, "signatory_name": "Ana Ruiz", "signatory_title": "Alcaldesa",
            "authority": "Acuerdo del pleno", "language": "es"})
    assert Endorsement.objects.get(actor=alpha).language == "es"
