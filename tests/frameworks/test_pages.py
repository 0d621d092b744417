import pytest
from django.urls import reverse

from arrival.actors.models import Actor
from arrival.frameworks.selectors import item_get
from arrival.frameworks.services import tag_add
from tests.actors.factories import ActorFactory

PROPOSAL = 'class="badge badge-proposal"'


def test_index_lists_each_framework_with_version_source_and_count(client, frameworks):
    response = client.get(reverse("frameworks:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Global Compact for Safe, Orderly and Regular Migration: objectives", "MiGOF 2015", "resolution 71/256", ">23<", ">13<"]:
        assert text in html
    assert PROPOSAL in html and reverse("frameworks:crosswalk") in html


def test_framework_page_lists_items(client, frameworks):
    html = client.get(reverse("frameworks:framework", args=["sdg_target"])).content.decode()
    assert "orderly, safe, regular and responsible migration" in html
    assert reverse("frameworks:item", args=["sdg_goal", "10"]) in html  # the goal of each target
    nua = client.get(reverse("frameworks:framework", args=["nua_paragraph"])).content.decode()
    assert nua.count("Still to be verified against the full text") == 2


def test_unknown_kind_item_or_version_is_404(client, frameworks):
    assert client.get("/frameworks/planets/").status_code == 404
    assert client.get("/frameworks/gcm_objective/24/").status_code == 404
    assert client.get("/frameworks/gcm_objective/?version=1999").status_code == 404


def test_crosswalk_page_is_labelled_as_arrivals_proposal(client, frameworks):
    html = client.get(reverse("frameworks:crosswalk")).content.decode()
    assert PROPOSAL in html and "not an official table" in html
    assert "<caption>" in html and 'scope="col"' in html
    for code in ["D1", "D6", "Migrants&#x27; rights", "17.18", "159"]:
        assert code in html


def test_item_page_shows_links_and_empty_states(client, frameworks):
    html = client.get("/frameworks/gcm_objective/15/").content.decode()
    assert "Access to basic services for migrants" in html
    assert PROPOSAL in html and "not an official table" in html
    assert reverse("frameworks:item", args=["domain", "D1"]) in html
    assert "through D1" in html
    assert "Tagged directly" in html and "Related through the crosswalk" in html
    assert "No record is tagged with this item yet." in html
    assert "No record is related to this item through the crosswalk yet." in html


def test_item_page_lists_direct_and_related_records_apart(client, frameworks, superuser, monkeypatch):
    monkeypatch.setattr(Actor, "get_absolute_url", lambda self: f"/places/{self.slug}/", raising=False)
    direct = ActorFactory(name="Directly tagged town", is_demo=True)
    related = ActorFactory(name="Related town")
    tag_add(user=superuser, record=direct, item=item_get(kind="gcm_objective", code="15"))
    tag_add(user=superuser, record=related, item=item_get(kind="sdg_target", code="11.1"))

    html = client.get("/frameworks/gcm_objective/15/").content.decode()
    direct_part, related_part = html.split('id="related-title"')
    assert "Directly tagged town" in direct_part and "Related town" not in direct_part
    assert "Related town" in related_part and "Directly tagged town" not in related_part
    assert f'href="/places/{direct.slug}/"' in direct_part
    assert "badge-demo" in direct_part and "badge-demo" not in related_part
    assert reverse("frameworks:item", args=["sdg_target", "11.1"]) in related_part  # the item that brings it in


def test_tagged_records_are_paged(client, frameworks, superuser):
    d1 = item_get(kind="domain", code="D1")
    for n in range(30):
        tag_add(user=superuser, record=ActorFactory(name=f"Paged town {n:02d}"), item=d1)
    first = client.get("/frameworks/domain/D1/").content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get("/frameworks/domain/D1/?page=2").content.decode()
    assert second.count("Paged town") == 5


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_pages_render_in_other_languages(client, frameworks, language):
    client.cookies["django_language"] = language
    assert client.get("/frameworks/gcm_objective/15/", HTTP_ACCEPT_LANGUAGE=language).status_code == 200


def test_item_page_queries_do_not_grow_with_tagged_records(client, frameworks, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gcm15, d1 = item_get(kind="gcm_objective", code="15"), item_get(kind="domain", code="D1")

    def queries_with(records: int) -> int:
        for n in range(records):
            tag_add(user=superuser, record=ActorFactory(), item=gcm15 if n % 2 else d1)
        client.get("/frameworks/gcm_objective/15/")  # warm the content-type cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/frameworks/gcm_objective/15/").status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(20)
