"""The public practice pages: search with facets (full page and htmx), the practice page in its own language,
where it travelled, replication, calls, the feed, the profile section — and their query counts."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from arrival.practices import facets, services
from arrival.practices.models import Practice, ReviewStage
from tests.accounts.factories import sign_in_as
from tests.actors.factories import CountryFactory
from tests.practices.factories import (
    curator,
    draft_practice,
    government,
    published_practice,
    team_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(settings, django_capture_on_commit_callbacks):
    """Publish a practice and run what its commit triggers: search indexing, the embedding as an eager job."""
    settings.ARRIVAL_JOBS_EAGER = True

    def publish(practice: Practice | None = None, **fields) -> Practice:
        with django_capture_on_commit_callbacks(execute=True):
            return published_practice(practice=practice or draft_practice(**fields))

    return publish


def test_the_list_shows_published_practices_only_with_facets_and_demo_badges(publish):
    shown = publish(title="Welcome desk for newcomers", themes=["housing"])
    Practice.objects.filter(pk=shown.pk).update(is_demo=True)
    hidden = draft_practice(title="Secret draft plan")
    response = Client().get(reverse("practices:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.title in html and hidden.title not in html
    assert "Demo data" in html
    assert "<legend>GCM objective</legend>" in html and "<legend>Theme</legend>" in html
    assert 'name="objective"' in html and reverse("practices:feed") in html
    assert 'hx-target="#search-layout"' in html


def test_a_facet_filters_and_htmx_gets_only_the_results_with_the_count_out_of_band(publish):
    housing = publish(title="Housing first for newcomers", themes=["housing"])
    language = publish(title="Cafés de langue", summary="Des cafés pour pratiquer le français.", language="fr")
    url = reverse("practices:list") + "?language=en"
    full = Client().get(url).content.decode()
    assert housing.title in full and language.title not in full
    partial = Client().get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and housing.title in body and language.title not in body
    assert 'hx-swap-oob="true"' in body and "1 practice found" in body
    assert 'checked' in body


def test_bad_search_input_is_answered_not_crashed():
    response = Client().get(reverse("practices:list"), {"mode": "nonsense", "page": "x", "year": "abc"})
    assert response.status_code == 200


def test_text_search_finds_a_published_practice(publish):
    practice = publish(title="Interpreters at the town hall")
    publish(title="Urban gardens with neighbours", summary="Shared vegetable plots.", approach="<p>Plots.</p>")
    html = Client().get(reverse("practices:list"), {"q": "interpreters", "mode": "text"}).content.decode()
    assert practice.title in html and "Urban gardens" not in html


def test_list_query_count_does_not_grow_with_the_results(publish, django_assert_max_num_queries):
    for n in range(3):
        publish(title=f"Practice {n}")
    client = Client()
    client.get(reverse("practices:list"))  # warm in-process caches (content types, frameworks)
    cache.clear()  # both measured requests compute the facets afresh: the shared cache and the facet arrays
    facets.facet_index_forget()
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("practices:list"))
    for n in range(3, 12):
        publish(title=f"Practice {n}")
    cache.clear()
    facets.facet_index_forget()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("practices:list"))
    assert response.content.decode().count('class="card"') == 12


def test_the_practice_page_shows_every_part_and_keeps_its_language(publish):
    city = government()
    practice = draft_practice(government=city, title="Welcome desk", themes=["reception"],
                              target_groups=["newly arrived families"], budget="EUR 120,000 a year",
                              contact_role="Migrant inclusion office")
    team = team_of(practice)
    services.result_add(user=team, practice=practice, label="Waiting time", value=12, unit="days",
                        source="City statistics 2024")
    services.link_add(user=team, practice=practice, url="https://example.org/desk", label="The desk's page")
    publish(practice=practice)
    html = Client().get(reverse("practices:detail", args=[practice.slug])).content.decode()
    for text in ("Welcome desk", "Waiting time", "City statistics 2024", "The desk&#x27;s page", "EUR 120,000 a year",
                 "Migrant inclusion office", "newly arrived families", "Published, peer-reviewed", city.name,
                 "Where it travelled", "Peer reviews", "Overall score"):
        assert text in html, text
    assert '<div class="practice-content">' in html and '<div><p>The city runs one desk for newcomers.</p></div>' in html
    assert "GCM objective" in html  # the direct tag group
    assert "Related through the governance domains" in html


def test_an_arabic_practice_is_right_to_left_even_in_the_english_interface(publish):
    practice = publish(title="مكتب استقبال القادمين الجدد", summary="مكتب واحد في البلدية للقادمين الجدد.",
                          language="ar")
    client = Client()
    html = client.get(reverse("practices:detail", args=[practice.slug]), headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert '<div lang="ar" dir="rtl"><p>مكتب واحد في البلدية للقادمين الجدد.</p></div>' in html
    assert '<h1 id="practice-title"><span lang="ar" dir="rtl">' in html
    listing = client.get(reverse("practices:list")).content.decode()
    assert 'lang="ar" dir="rtl"' in listing


def test_where_it_travelled_and_the_replication_view(publish):
    far = CountryFactory(code="JP", name="Japan", region="Asia", subregion="Eastern Asia")
    source = publish(title="Night school for parents")
    adapter_city = government(actor__country=far, latitude=35.7, longitude=139.7)
    adaptation = draft_practice(government=adapter_city, title="Parents' evening school")
    services.practice_set_adapted_from(user=team_of(adaptation), practice=adaptation, source=source,
                                       note="Classes moved to Saturdays.")
    publish(practice=adaptation)
    source_page = Client().get(reverse("practices:detail", args=[source.slug])).content.decode()
    assert "Governments that adapted this practice" in source_page and adaptation.title.replace("'", "&#x27;") in source_page
    adaptation_page = Client().get(reverse("practices:detail", args=[adaptation.slug])).content.decode()
    assert "Adapted from" in adaptation_page and "Classes moved to Saturdays." in adaptation_page
    replication = Client().get(reverse("practices:replication"))
    html = replication.content.decode()
    assert replication.status_code == 200
    assert "replication-map" in html and "Show the map data as a table" in html
    assert "Europe" in html and "Asia" in html and source.title in html


def test_detail_query_count_is_bounded(publish, django_assert_max_num_queries):
    practice = draft_practice(title="Many results")
    team = team_of(practice)
    for n in range(8):
        services.result_add(user=team, practice=practice, label=f"Result {n}", value=n, unit="people", source="Survey")
        services.link_add(user=team, practice=practice, url=f"https://example.org/{n}", label=f"Link {n}")
    publish(practice=practice)
    client = Client()
    client.get(reverse("practices:detail", args=[practice.slug]))
    with django_assert_max_num_queries(40):
        response = client.get(reverse("practices:detail", args=[practice.slug]))
    assert response.content.decode().count("Result ") >= 8


def test_calls_list_and_detail_are_public():
    html = Client().get(reverse("practices:call_list")).content.decode()
    assert "Calls for practices" in html


def test_the_feed_is_atom_with_published_practices(publish):
    practice = publish(title="Feed-worthy practice")
    draft_practice(title="Not in the feed")
    response = Client().get(reverse("practices:feed"))
    assert response.status_code == 200 and "application/atom+xml" in response["Content-Type"]
    body = response.content.decode()
    assert practice.title in body and "Not in the feed" not in body


def test_the_profile_shows_published_practices_and_reviews_given(publish):
    practice = publish(title="Profiled practice")
    government_actor = practice.governments.first()
    draft_practice(government=government_actor, title="Unfinished draft")
    html = Client().get(reverse("actors:actor_detail", args=[government_actor.slug])).content.decode()
    assert "Good practices" in html and "Profiled practice" in html and "Unfinished draft" not in html
    reviewer_actor = practice.review_assignments.first().reviewer_actor
    reviewer_page = Client().get(reverse("actors:actor_detail", args=[reviewer_actor.slug])).content.decode()
    assert "Peer reviews given" in reviewer_page and "Profiled practice" in reviewer_page


def test_open_data_downloads_are_linked_from_the_list(publish):
    practice = publish(title="Open practice")
    draft_practice(title="Closed draft")
    listing = Client().get(reverse("practices:list")).content.decode()
    urls = {fmt: reverse("practices:open_data_export", args=[fmt]) for fmt in ("csv", "json", "xlsx")}
    assert all(url in listing for url in urls.values())
    call_command("worker", "--once", stdout=io.StringIO())  # the publication queued the files' build
    csv = b"".join(Client().get(urls["csv"]).streaming_content).decode("utf-8-sig")
    assert "Open practice" in csv and "Closed draft" not in csv
    # The API's addresses serve the same prepared files.
    for response in (Client().get(urls["json"]), Client().get(reverse("api:practice_open_data_json"))):
        data = json.loads(b"".join(response.streaming_content))
        assert [row["title"] for row in data["data"]] == [practice.title]
        assert data["metadata"]["source"].endswith(urls["json"]) and data["metadata"]["licence"] == "CC BY 4.0"


def test_curators_also_find_practices_in_review():
    by = curator()
    practice = draft_practice(title="Under review practice")
    services.practice_submit(user=team_of(practice), practice=practice)
    services.practice_screen(user=by, practice=practice, accept=True)
    client = Client()
    sign_in_as(client, by)
    assert practice.title in client.get(reverse("practices:list")).content.decode()
    assert practice.title not in Client().get(reverse("practices:list")).content.decode()
    assert Practice.objects.get(pk=practice.pk).stage == ReviewStage.IN_REVIEW


def test_the_gcm_objective_page_lists_the_practices_tagged_with_it(publish):
    practice = publish(title="Objective-tagged practice")
    html = Client().get(reverse("frameworks:item", kwargs={"kind": "gcm_objective", "code": "1"})).content.decode()
    assert practice.title in html and reverse("practices:detail", args=[practice.slug]) in html


def test_framework_item_page_lists_published_practices_but_never_a_draft(client):
    from tests.practices.factories import draft_practice, gcm_objective, published_practice

    objective = gcm_objective(1)
    draft = draft_practice(title="A draft nobody should see yet")
    published = published_practice(practice=draft_practice(title="A peer-reviewed welcome desk"))
    page = client.get(f"/frameworks/gcm_objective/{objective.code}/").content.decode()
    assert published.title in page
    assert draft.title not in page
