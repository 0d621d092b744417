"""The participation API: processes, proposals (filters, pagination, create), supports, answers, report-back."""

from __future__ import annotations

import time_machine

from arrival.participation.models import AnswerStatus, Proposal, StatusKind
from tests.accounts.factories import sign_in_as
from tests.participation.factories import COLLECT_AT, SUPPORT_AT, open_process, posted, resident
from tests.participation.test_services import process_officer

BASE = "/api/v1/participation"


def test_processes_and_proposals_list_with_filters(client) -> None:
    process = open_process()
    with time_machine.travel(COLLECT_AT, tick=False):
        listing = client.get(f"{BASE}/processes").json()
    assert listing["count"] == 1 and listing["items"][0]["slug"] == process.slug
    assert "IP address" in listing["items"][0]["privacy_notice"]
    posted(process, resident(), title="One")
    posted(process, resident(), title="Two", language="ar")
    body = client.get(f"{BASE}/processes/{process.slug}/proposals?language=ar").json()
    assert body["count"] == 1 and body["items"][0]["title"] == "Two" and body["items"][0]["process"] == process.slug
    paged = client.get(f"{BASE}/processes/{process.slug}/proposals?page_size=1&page=2&sort=newest").json()
    assert paged["count"] == 2 and [p["title"] for p in paged["items"]] == ["One"]
    assert client.get(f"{BASE}/processes/{process.slug}/proposals?sort=nope").status_code == 400


def test_create_support_answer_and_report_back(client) -> None:
    process = open_process()
    author = resident()
    sign_in_as(client, author)
    with time_machine.travel(COLLECT_AT, tick=False):
        created = client.post(f"{BASE}/proposals", {"process": process.slug, "title": "Benches", "body": "Shade",
                                                    "language": "es"}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.post(f"{BASE}/proposals", {"process": process.slug, "title": "Late", "body": "x",
                                             "language": "es"}, content_type="application/json").status_code == 400
    sign_in_as(client, resident())
    with time_machine.travel(SUPPORT_AT, tick=False):
        supported = client.post(f"{BASE}/proposals/{pk}/support")
        again = client.post(f"{BASE}/proposals/{pk}/support")
    assert supported.json() == {"proposal": pk, "support_count": 1, "supported": True}
    assert again.status_code == 400
    status = AnswerStatus.objects.get(owner=process.owner, kind=StatusKind.ACCEPTED)
    assert client.post(f"{BASE}/proposals/{pk}/answers", {"status": status.pk, "text": "Yes"},
                       content_type="application/json").status_code == 403
    sign_in_as(client, process_officer(process))
    answered = client.post(f"{BASE}/proposals/{pk}/answers", {"status": status.pk, "text": "Yes"},
                           content_type="application/json")
    assert answered.status_code == 201 and answered.json()["status_kind"] == "accepted"
    detail = client.get(f"{BASE}/proposals/{pk}").json()
    assert detail["answer"]["text"] == "Yes" and detail["support_count"] == 1
    report = client.get(f"{BASE}/processes/{process.slug}/report-back").json()
    assert report["total"] == 1 and report["unanswered"] == 0
    assert {row["status_kind"]: row["count"] for row in report["by_status"]}["accepted"] == 1


def test_hidden_proposals_are_not_served(client) -> None:
    process = open_process()
    proposal = posted(process, resident())
    Proposal.objects.filter(pk=proposal.pk).update(visibility="hidden")
    assert client.get(f"{BASE}/proposals/{proposal.pk}").status_code == 404
    assert client.get(f"{BASE}/processes/{process.slug}/proposals").json()["count"] == 0


def test_anonymous_cannot_write(client) -> None:
    process = open_process()
    response = client.post(f"{BASE}/proposals", {"process": process.slug, "title": "x", "body": "y",
                                                 "language": "en"}, content_type="application/json")
    assert response.status_code == 401
