"""API at /api/v1/consultations/: reads are public; writes need a token and go through the services."""

from __future__ import annotations

from django.test import Client

from arrival.accounts.models import RoleKind
from arrival.accounts.services import api_token_create
from arrival.consultations.loaders import load_forums
from tests.accounts.factories import UserFactory
from tests.consultations.factories import (
    ADOPTION,
    CALL,
    COMMENTS,
    ENDORSEMENT,
    SYNTHESIS,
    at,
    city,
    consultation,
    gcm_objective,
    person,
)

BASE = "/api/v1/consultations"


def _token(user) -> dict[str, str]:  # noqa: ANN001
    _, key = api_token_create(user=user, name="script", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_forums_and_consultations_read(client: Client) -> None:
    load_forums()
    cons = consultation(title="Readable")
    forums = client.get(f"{BASE}/forums", {"kind": "wuf"}).json()
    assert {f["key"] for f in forums} == {"wuf11-2022", "wuf12-2024"}
    assert all(f["source"] for f in client.get(f"{BASE}/forums").json())
    with at(CALL):
        listing = client.get(f"{BASE}/").json()
        assert listing["count"] == 1 and listing["items"][0]["current_phase"] == "consultations.call_for_input"
        detail = client.get(f"{BASE}/{cons.slug}").json()
    assert [p["current"] for p in detail["phases"]] == [True, False, False, False, False, False]
    assert detail["questions"][0]["text"] == "What works in your city?"
    assert client.get(f"{BASE}/no-such").status_code == 404


def test_whole_flow_through_the_api(client: Client) -> None:
    owner_cons = consultation()
    staff = person(owner_cons.process.owner, RoleKind.STAFF)
    town, other = city("Api Town"), city("Api Village")
    officer, other_officer = person(town), person(other)
    gcm_objective("15")  # loads the frameworks
    with at(CALL):
        created = client.post(f"{BASE}/contributions", {
            "consultation": owner_cons.slug, "actor": town.pk, "title": "Via API", "proposed_actions": "Do X",
            "tags": ["gcm_objective:15"], "links": [{"url": "https://example.org", "label": "Ex"}],
        }, content_type="application/json", **_token(officer))
        assert created.status_code == 201, created.content
        contribution_id = created.json()["id"]
        patched = client.patch(f"{BASE}/contributions/{contribution_id}", {"title": "Via API v2"},
                               content_type="application/json", **_token(officer))
        assert patched.json()["version_count"] == 2
        cosigned = client.post(f"{BASE}/contributions/{contribution_id}/cosign", {"actor": other.pk},
                               content_type="application/json", **_token(other_officer))
        assert [a["name"] for a in cosigned.json()["cosigned_by"]] == ["Api Village"]
        bad = client.post(f"{BASE}/contributions", {"consultation": owner_cons.slug, "actor": town.pk,
                                                    "title": "x", "summary": "y", "tags": ["gcm_objective:99"]},
                          content_type="application/json", **_token(officer))
        assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    with at(SYNTHESIS):
        assert client.post(f"{BASE}/{owner_cons.slug}/compile", **_token(officer)).status_code == 403
        compiled = client.post(f"{BASE}/{owner_cons.slug}/compile", **_token(staff))
        assert compiled.status_code == 201
        paragraph = compiled.json()["paragraphs"][0]
        assert paragraph["sources"] == [contribution_id] and "gcm:15" in paragraph["framework_codes"]
    document_id = client.get(f"{BASE}/{owner_cons.slug}").json()["documents"][0]
    with at(COMMENTS):
        rewritten = client.post(f"{BASE}/documents/{document_id}/versions", {
            "note": "edit", "paragraphs": [{"key": paragraph["key"], "text": "Cities do X."}]},
            content_type="application/json", **_token(staff))
        assert rewritten.status_code == 201 and rewritten.json()["paragraphs"][0]["sources"] == [contribution_id]
    with at(ADOPTION):
        adopted = client.post(f"{BASE}/documents/{document_id}/adopt", {"version": 2},
                              content_type="application/json", **_token(staff))
        assert adopted.json()["adopted_version"] == 2
    assert client.get(f"{BASE}/contributions/{contribution_id}").json()["adopted_paragraphs"] == [
        f"{document_id}:2:1"]
    with at(ENDORSEMENT):
        endorsed = client.post(f"{BASE}/endorsements", {
            "document": document_id, "actor": other.pk, "signatory_name": "N", "signatory_title": "Mayor",
            "authority": "Council"}, content_type="application/json", **_token(other_officer))
        assert endorsed.status_code == 201
        endorsement_id = endorsed.json()["id"]
        assert client.get(f"{BASE}/documents/{document_id}").json()["endorsement_count"] == 1
        withdrawn = client.post(f"{BASE}/endorsements/{endorsement_id}/withdraw", {"reason": "Changed mind"},
                                content_type="application/json", **_token(other_officer))
        assert withdrawn.json()["withdrawn_reason"] == "Changed mind"
    assert client.get(f"{BASE}/documents/{document_id}/endorsements").json() == []
    assert len(client.get(f"{BASE}/documents/{document_id}/endorsements", {"include_withdrawn": True}).json()) == 1


def test_writes_need_authentication_and_a_role(client: Client) -> None:
    cons = consultation()
    town = city()
    payload = {"consultation": cons.slug, "actor": town.pk, "title": "T", "summary": "S"}
    with at(CALL):
        assert client.post(f"{BASE}/contributions", payload, content_type="application/json").status_code == 401
        assert client.post(f"{BASE}/contributions", payload, content_type="application/json",
                           **_token(UserFactory())).status_code == 403
        early = client.post(f"{BASE}/{cons.slug}/compile", **_token(person(cons.process.owner, RoleKind.STAFF)))
    assert early.status_code == 400 and "Call for input" in early.json()["detail"]


def test_contribution_list_reads_in_a_fixed_number_of_queries(client: Client, django_assert_max_num_queries) -> None:  # noqa: ANN001
    from tests.consultations.factories import contribute

    cons = consultation()
    for i in range(6):
        town = city(f"Town {i}")
        contribute(cons, town, person(town))
    with django_assert_max_num_queries(12):
        data = client.get(f"{BASE}/contributions", {"consultation": cons.slug}).json()
    assert data["count"] == 6 and all(item["tags"] == ["gcm_objective:15"] for item in data["items"])


def test_owner_opens_a_consultation_through_the_api(client: Client) -> None:
    from tests.consultations.factories import network, phase_specs

    load_forums()
    gcm_objective("15")
    owner = network("Api Net")
    staff = person(owner, RoleKind.STAFF)
    payload = {
        "owner": owner.pk, "title": "Opened by API", "purpose": "Input for the IMRF.", "forum": "imrf-2026",
        "phases": [{"phase_type": s.phase_type, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()}
                   for s in phase_specs()],
        "questions": [{"text": "Services?", "gcm_objective": "15"}],
    }
    response = client.post(f"{BASE}/", payload, content_type="application/json", **_token(staff))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["forum"] == "imrf-2026" and body["questions"][0]["gcm_objective"] == "15"
    assert len(body["phases"]) == 6
    outsider = client.post(f"{BASE}/", {**payload, "title": "Not mine"}, content_type="application/json",
                           **_token(person(city())))
    assert outsider.status_code == 403
    bad = client.post(f"{BASE}/", {**payload, "phases": list(reversed(payload["phases"]))},
                      content_type="application/json", **_token(staff))
    assert bad.status_code == 400
