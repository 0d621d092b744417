"""Each text of the commitment pages in its own language (issue #15): a record's texts marked with the record's
language where an interface sentence quotes them, names as names, charts' titles in the interface's words only,
submission windows in the language they were written in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from arrival.accounts.models import RoleKind
from arrival.commitments import services
from arrival.commitments.forms import WindowForm
from arrival.consultations.follow_ups import follow_ups_made_from
from arrival.consultations.models import Forum
from arrival.core.page_text import page_text
from tests.commitments.factories import (
    T0,
    at,
    city,
    draft_commitment,
    network,
    person,
    publish,
    published_commitment,
)
from tests.pages import page_in

pytestmark = pytest.mark.django_db


def _page(url: str, language: str = "ar", user: object = None) -> str:
    return page_in(language, url, user)


def test_the_translations_page_quotes_each_milestone_marked_with_its_language() -> None:
    made = published_commitment()
    html = _page(reverse("commitments:translations", args=[made["commitment"].pk]), user=made["team"])
    labels = re.findall(r'<label for="id_translation_(?:ar|fr)_milestone_\d+">(.*?)<span class="visually-hidden">', html)
    assert len(labels) == 2
    assert all('<span lang="en" dir="ltr">First twenty hosts trained</span>' in label for label in labels)


def test_the_commitment_page_marks_the_titles_it_quotes_in_its_sentences() -> None:
    made = published_commitment()
    commitment = made["commitment"]
    html = _page(commitment.get_absolute_url(), user=made["team"])
    assert re.search(r'<summary>[^<]*<span lang="en" dir="ltr">First twenty hosts trained</span>[^<]*</summary>', html)
    assert re.search(r'<summary>[^<]*<span lang="en" dir="ltr">Newcomers met by a host</span>[^<]*</summary>', html)
    pieces = [p for p in page_text(html).pieces if "First twenty hosts trained" in p.text]
    assert pieces and {p.lang for p in pieces} == {"en"}


def test_a_dashboard_names_its_subject_as_a_name_and_its_chart_in_the_interfaces_words() -> None:
    made = published_commitment(city("Ghent"))
    html = _page(reverse("commitments:dashboard_government", args=[made["lead"].slug]))
    assert re.search(r'<h1>[^<]*<bdi translate="no">Ghent</bdi>[^<]*</h1>', html)
    captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html) + re.findall(r"<caption>(.*?)</caption>", html)
    assert captions and all("Ghent" not in caption for caption in captions)
    titles = re.findall(r"<svg[^>]*>\s*<title[^>]*>(.*?)</title>", html, re.S)
    assert titles and all("Ghent" not in title for title in titles)


def test_submission_windows_keep_the_language_they_were_written_in_and_forums_their_place() -> None:
    forum = Forum.objects.create(key="grf-2027", name="Global Refugee Forum 2027", acronym="GRF", kind="grf",
                                 year=2027, place="Geneva", country="CH", source="test")
    keeper = person(network("Keepers"), RoleKind.STAFF)
    with at(T0):
        window = services.submission_window_create(user=keeper, forum=forum, title="Rapports locaux",
                                                   asks="Un court rapport.", language="fr",
                                                   opens_at=T0 - dt.timedelta(days=1), closes_at=T0 + dt.timedelta(days=20))
        html = _page(reverse("commitments:calendar"))
    assert window.language == "fr"
    assert '<span lang="fr" dir="ltr">Rapports locaux</span>' in html
    assert '<strong lang="fr" dir="ltr">Rapports locaux</strong>' in html
    assert '<span class="small" lang="fr" dir="ltr">Un court rapport.</span>' in html
    assert '<bdi translate="no">Geneva</bdi>' in html and "سويسرا" in html and "Switzerland" not in html
    assert '(<abbr lang="en" dir="ltr" translate="no">GRF</abbr>)' in html
    # Written without saying its language: the language of the page it was written on.
    with at(T0), translation.override("ru"):
        other = services.submission_window_create(user=keeper, forum=forum, title="Отчёты",
                                                  opens_at=T0, closes_at=T0 + dt.timedelta(days=5))
    assert other.language == "ru"
    with translation.override("es"):
        assert WindowForm(forums=Forum.objects.all())["language"].value() == "es"


def test_the_commitment_form_marks_the_texts_being_changed_and_shows_the_example_address_as_code() -> None:
    lead = city("Lyon")
    team = person(lead)
    commitment = draft_commitment(user=team, lead=lead, language="fr", title="Des hôtes", description="Des hôtes formés.")
    html = _page(reverse("commitments:edit", args=[commitment.pk]), user=team)
    assert re.search(r'<textarea name="description"[^>]* lang="fr" dir="ltr"[^>]*>\s*Des hôtes formés.</textarea>', html)
    assert "<code>metropolis</code>" in html and "“metropolis”" not in html


def test_the_follow_up_link_on_a_contribution_marks_the_commitments_title_and_names_its_lead() -> None:
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    alpha = flow["contributions"][0]
    officer = flow["users"][0]
    admin = person(flow["cities"][0], RoleKind.ADMINISTRATOR)
    commitment = services.commitment_create_from_contribution(
        user=officer, contribution=alpha, forms=["policy"], target_date=dt.date(2027, 6, 30), title="One desk")
    publish(commitment, team=officer, admin=admin, publisher=flow["staff"])
    with translation.override("ar"):
        (link,) = follow_ups_made_from(kind="contribution", ids=[alpha.pk])[alpha.pk]
    assert '<span lang="en" dir="ltr">One desk</span>' in link.label_html
    assert '<bdi translate="no">Alpha City</bdi>' in link.label_html
    assert "One desk" in link.label and "<" not in link.label
    html = _page(alpha.get_absolute_url())
    assert '<span lang="en" dir="ltr">One desk</span>' in html
