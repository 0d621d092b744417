"""Query parameters, path ids and ids in write bodies are bounded: out of range is a 422 naming the field.

Both databases store ids as 64-bit integers: PostgreSQL raises on a larger one and SQLite overflows past
2**63 - 1, so before these bounds such requests were anonymous 500s.
"""

from __future__ import annotations

import pytest
from django.test import Client

from arrival.accounts.services import api_token_create
from arrival.core.api import MAX_PAGE, MAX_RECORD_ID, YEAR_MAX, YEAR_MIN
from tests.accounts.factories import UserFactory

BEYOND_64_BITS = "99999999999999999999"
JUST_BEYOND = str(MAX_RECORD_ID + 1)

QUERIES = [
    ("/api/v1/commitments/?year=-604", "year"),
    (f"/api/v1/commitments/?year={YEAR_MAX + 1}", "year"),
    (f"/api/v1/practices/?year={YEAR_MIN - 1}", "year"),
    ("/api/v1/assessments/assessments?cycle=99999", "cycle"),
    ("/api/v1/actors/countries?page=9999999999999999999", "page"),
    (f"/api/v1/practices/?page={MAX_PAGE + 1}", "page"),
    ("/api/v1/practices/search?q=x&page=9999999999999999999", "page"),
    ("/api/v1/participation/processes/any/report-back?page=9999999999999999999", "page"),
    (f"/api/v1/practices/?government={BEYOND_64_BITS}", "government"),
    (f"/api/v1/assessments/assessments?government={JUST_BEYOND}", "government"),
    (f"/api/v1/commitments/?lead={BEYOND_64_BITS}", "lead"),
    (f"/api/v1/commitments/?network={JUST_BEYOND}", "network"),
    (f"/api/v1/consultations/?owner={BEYOND_64_BITS}", "owner"),
    (f"/api/v1/consultations/contributions?actor={BEYOND_64_BITS}", "actor"),
    ("/api/v1/practices/?government=0", "government"),
    (f"/api/v1/actors/local-governments/{BEYOND_64_BITS}", "actor_id"),
    (f"/api/v1/assessments/assessments/{JUST_BEYOND}", "assessment_id"),
    (f"/api/v1/commitments/{BEYOND_64_BITS}", "pk"),
    (f"/api/v1/planning/rounds/{BEYOND_64_BITS}", "round_id"),
    (f"/api/v1/participation/proposals/{BEYOND_64_BITS}", "pk"),
]


@pytest.mark.parametrize(("url", "field"), QUERIES)
def test_out_of_range_query_and_path_values_are_422_naming_the_field(
    client: Client, url: str, field: str
) -> None:
    key = api_token_create(user=UserFactory(), name="bounds", scope="write")[1]
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422, (url, response.status_code, response.content[:300])
    problem = response.json()
    assert problem["title"] == "Invalid request"
    assert field in {error["loc"][-1] for error in problem["errors"]}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/commitments/?year=2024",
        f"/api/v1/practices/?government={MAX_RECORD_ID}",
        f"/api/v1/actors/countries?page={MAX_PAGE}",
        f"/api/v1/commitments/{MAX_RECORD_ID}",
    ],
)
def test_values_at_the_bounds_are_answered(client: Client, url: str) -> None:
    assert client.get(url).status_code in {200, 404}


WRITES = [
    ("post", "/api/v1/accounts/role-requests", {"actor_id": BEYOND_64_BITS, "role": "officer"}, "actor_id"),
    ("post", "/api/v1/actors/memberships", {"member_id": JUST_BEYOND, "network_id": 1}, "member_id"),
    (
        "post",
        "/api/v1/assessments/assessments",
        {"government_id": BEYOND_64_BITS, "cycle": 2025},
        "government_id",
    ),
    ("post", "/api/v1/assessments/assessments", {"government_id": 1, "cycle": -604}, "cycle"),
    (
        "post",
        "/api/v1/practices/",
        {"government": BEYOND_64_BITS, "title": "t", "summary": "s"},
        "government",
    ),
    (
        "post",
        "/api/v1/engagement/comments",
        {"target_type": "x", "target_id": "1", "body": "b", "parent": BEYOND_64_BITS},
        "parent",
    ),
    ("post", "/api/v1/consultations/endorsements", {"document": JUST_BEYOND, "actor": 1}, "document"),
    ("post", "/api/v1/participation/proposals/1/answers", {"status": BEYOND_64_BITS, "text": "t"}, "status"),
    (
        "put",
        "/api/v1/planning/rounds/1/declarations/1",
        {"places_volunteered": BEYOND_64_BITS},
        "places_volunteered",
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "field"), WRITES)
def test_out_of_range_ids_in_write_bodies_are_422_and_change_nothing(
    client: Client, method: str, url: str, body: dict[str, object], field: str
) -> None:
    user = UserFactory()
    key = api_token_create(user=user, name="bounds", scope="write")[1]
    # Sent as JSON numbers, as a client would: the quotes are only Python's.
    raw = (
        "{"
        + ", ".join(
            f'"{name}": {value if isinstance(value, int) or str(value).lstrip("-").isdigit() else chr(34) + str(value) + chr(34)}'
            for name, value in body.items()
        )
        + "}"
    )
    response = getattr(client, method)(
        url, raw, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422, (url, response.status_code, response.content[:300])
    assert field in {error["loc"][-1] for error in response.json()["errors"]}
