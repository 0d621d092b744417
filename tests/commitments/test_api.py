"""The commitments API: public reads, drafts hidden, the team's writes through the lifecycle, progress,
milestones, forum reports, dashboards, the calendar and file-once downloads."""

from __future__ import annotations

import datetime as dt
import io

import docx
from django.core.management import call_command
from django.test import Client

from arrival.accounts.models import RoleKind
from arrival.accounts.services import api_token_create
from tests.commitments.factories import T0, at, city, draft_commitment, person, published_commitment, staff
from tests.practices.factories import ensure_frameworks

BASE = "/api/v1/commitments"


def _token(user) -> dict[str, str]:
    _, key = api_token_create(user=user, name="script", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_list_shows_public_commitments_with_filters(client: Client):
    published = published_commitment(city("Ghent"))["commitment"]
    lead = city()
    draft_commitment(user=person(lead), lead=lead)
    body = client.get(f"{BASE}/").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["public_id"] == published.public_id and item["lead"]["name"] == "Ghent"
    assert "gcm_objective:16" in item["tags"] and item["status"] == "published"
    assert client.get(f"{BASE}/?objective=16").json()["count"] == 1
    assert client.get(f"{BASE}/?objective=3").json()["count"] == 0
    assert client.get(f"{BASE}/?progress=fulfilled").json()["count"] == 0


def test_drafts_are_hidden_from_others(client: Client):
    lead = city()
    team = person(lead)
    draft = draft_commitment(user=team, lead=lead)
    assert client.get(f"{BASE}/{draft.pk}").status_code == 404
    assert client.get(f"{BASE}/{draft.pk}", **_token(person(city()))).status_code == 404
    detail = client.get(f"{BASE}/{draft.pk}", **_token(team)).json()
    assert detail["status"] == "draft" and detail["milestones"][0]["title"] == "First twenty hosts trained"
    assert client.get(f"{BASE}/", **_token(team)).json()["count"] == 1


def test_the_team_writes_the_whole_lifecycle_through_the_api(client: Client):
    ensure_frameworks()
    lead = city()
    team, admin = person(lead), person(lead, RoleKind.ADMINISTRATOR)
    publisher = staff()
    payload = {"lead": lead.pk, "title": "Interpreters in every clinic", "description": "Phone interpreting.",
               "forms": ["financial"], "target_date": "2027-06-30", "tags": ["gcm_objective:15", "sdg_target:3.8"]}
    with at(T0):
        assert client.post(f"{BASE}/", payload, content_type="application/json").status_code == 401
        created = client.post(f"{BASE}/", payload, content_type="application/json", **_token(team))
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        bad = client.patch(f"{BASE}/{pk}", {"tags": ["gcm_objective:99"]}, content_type="application/json",
                           **_token(team))
        assert bad.status_code == 400
        assert client.patch(f"{BASE}/{pk}", {"title": "Interpreters in every health centre"},
                            content_type="application/json", **_token(team)).json()["title"].endswith("health centre")
        assert client.post(f"{BASE}/{pk}/lifecycle/submit-for-approval", **_token(team)).status_code == 200
        assert client.post(f"{BASE}/{pk}/lifecycle/approve", **_token(team)).status_code == 403
        assert client.post(f"{BASE}/{pk}/lifecycle/approve", **_token(admin)).status_code == 200
        assert client.post(f"{BASE}/{pk}/lifecycle/submit", **_token(team)).status_code == 200
        published = client.post(f"{BASE}/{pk}/lifecycle/publish", **_token(publisher)).json()
    assert published["public_id"] == "ARR-C-2026-00001"
    with at(T0 + dt.timedelta(days=20)):
        update = client.post(f"{BASE}/{pk}/updates", {"status": "in_progress", "percent": 35,
                                                      "narrative": "Three clinics covered.",
                                                      "links": [{"url": "https://example.org/r", "label": "Report"}]},
                             content_type="application/json", **_token(team))
        assert update.status_code == 201, update.content
        milestone = client.post(f"{BASE}/{pk}/milestones", {"title": "All clinics", "due_on": "2026-12-31"},
                                content_type="application/json", **_token(team)).json()
        done = client.post(f"{BASE}/{pk}/milestones/{milestone['id']}/complete", {"note": ""},
                           content_type="application/json", **_token(team))
        assert done.json()["done_at"] is not None
        from arrival.consultations.models import Forum

        Forum.objects.create(key="hlpf", name="HLPF", kind="hlpf", source="test")
        report = client.post(f"{BASE}/{pk}/forum-reports", {"forum": "hlpf", "summary": "Presented."},
                             content_type="application/json", **_token(team))
        assert report.status_code == 201
    detail = client.get(f"{BASE}/{pk}").json()
    assert detail["progress_status"] == "in_progress" and detail["progress_percent"] == 35
    assert detail["updates"][0]["links"] == [{"url": "https://example.org/r", "label": "Report"}]
    assert detail["forum_reports"][0]["forum"] == "hlpf"
    assert client.get(f"{BASE}/{pk}/updates").json()[0]["percent"] == 35
    calendar = client.get(f"{BASE}/calendar").json()
    assert [row["reports"][0]["public_id"] for row in calendar if row["key"] == "hlpf"] == ["ARR-C-2026-00001"]


def test_dashboards_and_file_once_downloads(client: Client):
    parts = published_commitment(city("Ghent"))
    commitment = parts["commitment"]
    board = client.get(f"{BASE}/dashboards/government/{parts['lead'].slug}").json()
    assert board["total"] == 1 and {"status": "published", "label": "Published", "count": 1} in board["by_status"]
    assert client.get(f"{BASE}/dashboards/objective/16").json()["total"] == 1
    assert client.get(f"{BASE}/dashboards/planet/x").status_code == 404
    call_command("worker", "--once", stdout=io.StringIO())  # builds the files publication queued
    response = client.get(f"{BASE}/{commitment.pk}/file-once/un_gcm_pledge/docx")
    assert response.status_code == 200
    table = docx.Document(io.BytesIO(b"".join(response.streaming_content))).tables[0]
    assert table.rows[1].cells[1].text == "Ghent"
    assert client.get(f"{BASE}/{commitment.pk}/file-once/call_to_local_action/csv").status_code == 200
    assert client.get(f"{BASE}/{commitment.pk}/file-once/other/csv").status_code == 404


def test_reads_do_not_grow_with_the_number_of_commitments(client: Client, django_assert_max_num_queries):
    for _ in range(2):
        published_commitment()
    with django_assert_max_num_queries(6) as few:
        assert client.get(f"{BASE}/").json()["count"] == 2
    for _ in range(4):
        published_commitment()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{BASE}/").json()["count"] == 6
