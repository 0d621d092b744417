"""The practices API: public reads of published practices, author and reviewer writes, no reviewer identities
for authors, open data with licence and version."""

from __future__ import annotations

import csv
import io
import json

from django.core.management import call_command
from django.test import Client

from arrival.accounts.services import api_token_create
from arrival.practices.models import Practice, ReviewStage
from tests.accounts.factories import UserFactory
from tests.practices.factories import (
    assign_and_accept,
    curator,
    draft_practice,
    gcm_objective,
    government,
    in_review_practice,
    officer_for,
    peer_reviewer,
    published_practice,
    review,
    team_of,
)

BASE = "/api/v1/practices"


def _token(user) -> dict[str, str]:
    _, key = api_token_create(user=user, name="script", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_list_shows_published_practices_only_with_tags_as_codes(client: Client) -> None:
    published = published_practice()
    draft_practice(title="Hidden draft")
    body = client.get(f"{BASE}/").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["slug"] == published.slug and item["stage"] == "published"
    assert "gcm_objective:1" in item["tags"]
    assert item["governments"][0]["name"] == published.governments.get().name
    assert client.get(f"{BASE}/", {"objective": "1"}).json()["count"] == 1
    assert client.get(f"{BASE}/", {"objective": "2"}).json()["count"] == 0
    assert client.get(f"{BASE}/", {"language": "fr"}).json()["count"] == 0


def test_detail_hides_drafts_from_others(client: Client) -> None:
    draft = draft_practice()
    assert client.get(f"{BASE}/{draft.slug}").status_code == 404
    assert client.get(f"{BASE}/{draft.slug}", **_token(UserFactory())).status_code == 404
    assert client.get(f"{BASE}/{draft.slug}", **_token(team_of(draft))).status_code == 200


def test_authors_never_see_reviewer_identities_in_json(client: Client) -> None:
    by = curator()
    practice = in_review_practice(by=by)
    hidden = assign_and_accept(practice, by=by)
    named = assign_and_accept(practice, by=by, named=True)
    review(hidden)
    review(named)
    hidden.reviewer.display_name = "Secret Reviewer Name"
    hidden.reviewer.save()
    author = team_of(practice)
    raw = client.get(f"{BASE}/{practice.slug}", **_token(author)).content.decode()
    for secret in ("Secret Reviewer Name", hidden.reviewer.username, hidden.reviewer_actor.name,
                   named.reviewer.public_name, named.reviewer_actor.name):
        assert secret not in raw
    reviews = json.loads(raw)["reviews"]
    assert len(reviews) == 2 and all(r["reviewer_name"] is None for r in reviews)
    as_curator = client.get(f"{BASE}/{practice.slug}", **_token(by)).json()
    assert {r["reviewer_name"] for r in as_curator["reviews"]} == {"Secret Reviewer Name", named.reviewer.public_name}
    from arrival.practices import services

    services.practice_decide(user=by, practice=practice, decision="publish")
    public = client.get(f"{BASE}/{practice.slug}").content.decode()
    assert "Secret Reviewer Name" not in public
    assert named.reviewer.public_name in public


def test_author_creates_updates_and_submits(client: Client) -> None:
    city = government()
    author = officer_for(city)
    headers = _token(author)
    gcm_objective(1)
    payload = {"government": city.pk, "title": "Bus passes for newcomers", "summary": "Free passes for 3 months.",
               "language": "en", "problem": "<p>Isolation<script>x</script></p>", "tags": ["gcm_objective:16"]}
    response = client.post(f"{BASE}/", payload, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["problem"] == "<p>Isolation</p>" and body["stage"] == "draft"
    slug = body["slug"]
    missing = client.post(f"{BASE}/{slug}/submit", {}, content_type="application/json", **headers)
    assert missing.status_code == 400 and "approach" in missing.json()["detail"]
    patch = {"approach": "<p>Passes at the welcome desk.</p>", "results": "<p>1,200 passes.</p>"}
    assert client.patch(f"{BASE}/{slug}", patch, content_type="application/json", **headers).status_code == 200
    network = curator().roles.get().actor
    submitted = client.post(f"{BASE}/{slug}/submit", {"curating_organisation": network.pk},
                            content_type="application/json", **headers)
    assert submitted.status_code == 200 and submitted.json()["stage"] == "submitted"
    # The network chosen screens it: its staff are told.
    assert Practice.objects.get(slug=slug).curating_organisation == network


def test_writes_need_authentication_and_the_team(client: Client) -> None:
    city = government()
    payload = {"government": city.pk, "title": "T", "summary": "S", "language": "en"}
    assert client.post(f"{BASE}/", payload, content_type="application/json").status_code == 401
    outsider = _token(officer_for(government()))
    assert client.post(f"{BASE}/", payload, content_type="application/json", **outsider).status_code == 403
    draft = draft_practice()
    response = client.patch(f"{BASE}/{draft.slug}", {"title": "Taken"}, content_type="application/json", **outsider)
    assert response.status_code == 403
    assert Practice.objects.get(pk=draft.pk).title != "Taken"


def test_bad_tags_and_fields_get_a_clear_error(client: Client) -> None:
    city = government()
    headers = _token(officer_for(city))
    gcm_objective(1)
    for tags in (["nonsense"], ["gcm_objective:99"]):
        response = client.post(f"{BASE}/", {"government": city.pk, "title": "T", "summary": "S", "language": "en",
                                            "tags": tags}, content_type="application/json", **headers)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
    assert not Practice.objects.exists()


def test_reviewer_responds_and_reviews_through_the_api(client: Client) -> None:
    by = curator()
    practice = in_review_practice(by=by)
    from arrival.practices import services

    user, actor = peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)
    headers = _token(user)
    listed = client.get(f"{BASE}/assignments", **headers).json()
    assert [a["id"] for a in listed] == [assignment.pk]
    scores = {"relevance": 5, "evidence": 4, "replicability": 4, "sustainability": 3, "rights_based": 5,
              "participation": 3, "comments": "Good", "recommendation": "publish"}
    early = client.post(f"{BASE}/assignments/{assignment.pk}/review", scores, content_type="application/json", **headers)
    assert early.status_code == 400
    answer = client.post(f"{BASE}/assignments/{assignment.pk}/respond", {"accept": True, "has_no_conflict": True},
                         content_type="application/json", **headers)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    done = client.post(f"{BASE}/assignments/{assignment.pk}/review", scores, content_type="application/json", **headers)
    assert done.status_code == 201 and done.json()["overall"] == 4.0
    # Someone else's assignment is not found, not revealed.
    other = client.post(f"{BASE}/assignments/{assignment.pk}/respond", {"accept": False},
                        content_type="application/json", **_token(UserFactory()))
    assert other.status_code == 404
    out_of_range = dict(scores, relevance=6)
    assert client.post(f"{BASE}/assignments/{assignment.pk}/review", out_of_range, content_type="application/json",
                       **headers).status_code == 422


def test_open_data_csv_and_json_carry_licence_version_and_tags(client: Client) -> None:
    practice = published_practice()
    draft_practice(title="Not published")
    first = client.get(f"{BASE}/open-data.csv")  # its first build: queued, and asked for again shortly
    assert first.status_code == 503 and first["Retry-After"] == "10"
    call_command("worker", "--once", stdout=io.StringIO())
    response = client.get(f"{BASE}/open-data.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["slug"] == practice.slug and rows[0]["gcm_objectives"] == "1"
    assert rows[0]["licence"] == "CC BY 4.0" and rows[0]["data_version"] == "practices-1"
    assert rows[0]["peer_reviews"] == "2"
    client.get(f"{BASE}/open-data.json")
    call_command("worker", "--once", stdout=io.StringIO())
    data = json.loads(b"".join(client.get(f"{BASE}/open-data.json").streaming_content))
    assert data["metadata"]["licence"] == "CC BY 4.0"
    assert [row["slug"] for row in data["data"]] == [practice.slug]


def test_search_delegates_to_practice_search(client: Client) -> None:
    published_practice()
    body = client.get(f"{BASE}/search", {"q": "", "mode": "text"}).json()
    assert body["total"] == 1 and body["results"][0]["practice"]["stage"] == ReviewStage.PUBLISHED
    assert client.get(f"{BASE}/search", {"mode": "psychic"}).status_code == 400


def test_feed_lists_published_practices(client: Client) -> None:
    practice = published_practice()
    response = client.get("/practices/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert practice.title in response.content.decode()
