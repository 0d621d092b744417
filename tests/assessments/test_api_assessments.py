"""The assessments API: public reads of published records, writes by the city's team only."""

from __future__ import annotations

import pytest
from django.test import Client

from arrival.assessments.models import Answer, Assessment
from arrival.assessments.selectors.records import indicator_list
from tests.accounts.factories import UserFactory, sign_in_as
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import (
    AssessmentFactory,
    answer_all,
    load_lmgf,
    officer_for,
    publish,
    validator_for,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessments"


@pytest.fixture
def published() -> Assessment:
    assessment = AssessmentFactory()
    answer_all(assessment, level=3)
    return publish(assessment)


def test_frameworks_and_indicators(client: Client) -> None:
    framework = load_lmgf()
    listing = client.get(f"{BASE}/frameworks").json()
    assert listing == [{"code": "LMGF", "version": "1.0", "title": framework.title, "label": "LMGF-1.0",
                        "sha256": framework.sha256, "is_current": True, "frozen_at": None}]
    detail = client.get(f"{BASE}/frameworks/LMGF/1.0").json()
    assert detail["sha256"] == framework.sha256 and len(detail["domains"]) == 6
    first = detail["domains"][0]["subcategories"][0]["indicators"][0]
    assert first["code"] == "D1.1.1" and len(first["levels"]) == 5 and "sdg_target:3.8" in first["tags"]
    page = client.get(f"{BASE}/frameworks/LMGF/1.0/indicators?page=2&page_size=50").json()
    assert page["count"] == framework.indicators.count() and page["items"][-1]["is_outcome"] is True
    missing = client.get(f"{BASE}/frameworks/LMGF/9.9")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"


def test_published_assessments_are_public(client: Client, published: Assessment) -> None:
    AssessmentFactory()  # a draft elsewhere: never listed
    listing = client.get(f"{BASE}/assessments").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == published.pk
    assert listing["items"][0]["overall"] == 75.0 and listing["items"][0]["framework"] == "LMGF-1.0"
    country = published.government.country.code
    assert client.get(f"{BASE}/assessments", {"country": country, "cycle": 2024}).json()["count"] == 1
    assert client.get(f"{BASE}/assessments", {"cycle": 2020}).json()["count"] == 0
    assert client.get(f"{BASE}/assessments", {"government": published.government_id}).json()["count"] == 1
    detail = client.get(f"{BASE}/assessments/{published.pk}").json()
    scores = detail["scores"]
    assert scores["framework"] == "LMGF-1.0" and scores["coverage"] == 100.0 and scores["partial"] is False
    assert scores["overall_band"]["code"] == "fully_meets" and scores["interval"]["low"] <= 75.0
    domain = scores["domains"][0]
    assert domain["title"] == "Migrants' rights" and domain["band"]["label"] == "Fully meets"
    assert domain["interval"]["low"] <= domain["score"] <= domain["interval"]["high"]
    answers = client.get(f"{BASE}/assessments/{published.pk}/answers").json()
    assert len(answers) == 60 and answers[0]["value"] == 3 and answers[0]["evidence_reference"]


def test_drafts_are_hidden_from_others(client: Client) -> None:
    draft = AssessmentFactory()
    assert client.get(f"{BASE}/assessments/{draft.pk}").status_code == 404
    assert client.get(f"{BASE}/assessments/{draft.pk}/answers").status_code == 404
    sign_in_as(client, officer_for(draft.government))
    response = client.get(f"{BASE}/assessments/{draft.pk}")
    assert response.status_code == 200 and response.json()["status"] == "draft"


def test_open_answer_submit_by_the_team(client: Client) -> None:
    load_lmgf()
    city = LocalGovernmentFactory().actor
    officer = officer_for(city)
    assert client.post(f"{BASE}/assessments", {"government_id": city.pk, "cycle": 2025},
                       content_type="application/json").status_code == 401
    sign_in_as(client, UserFactory())
    assert client.post(f"{BASE}/assessments", {"government_id": city.pk, "cycle": 2025},
                       content_type="application/json").status_code == 403
    sign_in_as(client, officer)
    created = client.post(f"{BASE}/assessments", {"government_id": city.pk, "cycle": 2025},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    saved = client.put(f"{BASE}/assessments/{pk}/answers/D1.1.1", {"value": 2, "evidence_url": "https://example.org/d"},
                       content_type="application/json")
    assert saved.status_code == 200 and saved.json()["value"] == 2
    bad = client.put(f"{BASE}/assessments/{pk}/answers/D1.1.1", {"value": 9}, content_type="application/json")
    assert bad.status_code == 400 and "D1.1.1" in bad.json()["detail"]
    assert bad["Content-Type"] == "application/problem+json"
    assert client.put(f"{BASE}/assessments/{pk}/answers/NOPE", {"value": 1},
                      content_type="application/json").status_code == 404
    refused = client.post(f"{BASE}/assessments/{pk}/submit")
    assert refused.status_code == 400 and "Unanswered indicators" in refused.json()["detail"]
    assessment = Assessment.objects.get(pk=pk)
    answer_all(assessment, user=officer)
    refused = client.post(f"{BASE}/assessments/{pk}/submit")
    assert refused.status_code == 400 and "Name the government or organisation" in refused.json()["detail"]
    # The team finds and names its validator through the API too; never its own government.
    _validator, peer = validator_for(city)
    found = client.get(f"{BASE}/assessments/{pk}/validator-candidates", {"q": peer.name[:5]})
    assert found.status_code == 200 and peer.pk in [row["id"] for row in found.json()]
    assert city.pk not in [row["id"] for row in client.get(f"{BASE}/assessments/{pk}/validator-candidates").json()]
    own = client.put(f"{BASE}/assessments/{pk}/validators", {"actor_ids": [city.pk]}, content_type="application/json")
    assert own.status_code == 400 and "own assessment" in own.json()["detail"]
    named = client.put(f"{BASE}/assessments/{pk}/validators", {"actor_ids": [peer.pk]}, content_type="application/json")
    assert named.status_code == 200 and [row["name"] for row in named.json()] == [peer.name]
    submitted = client.post(f"{BASE}/assessments/{pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert [row["id"] for row in submitted.json()["validators"]] == [peer.pk]
    sign_in_as(client, UserFactory())
    assert client.put(f"{BASE}/assessments/{pk}/validators", {"actor_ids": []},
                      content_type="application/json").status_code == 403


def test_no_one_writes_another_citys_answers(client: Client) -> None:
    assessment = AssessmentFactory()
    sign_in_as(client, officer_for(LocalGovernmentFactory().actor))
    response = client.put(f"{BASE}/assessments/{assessment.pk}/answers/D1.1.1", {"value": 2},
                          content_type="application/json")
    assert response.status_code == 403 and not Answer.objects.exists()


def test_token_clients_write_too(client: Client) -> None:
    from arrival.accounts.services import api_token_create

    assessment = AssessmentFactory()
    officer = officer_for(assessment.government)
    _, key = api_token_create(user=officer, name="script", scope="write")
    code = indicator_list(framework=assessment.framework).first().code
    response = client.put(f"{BASE}/assessments/{assessment.pk}/answers/{code}", {"special": "unknown"},
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["special"] == "unknown"
    assert client.get(f"{BASE}/assessments/{assessment.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
