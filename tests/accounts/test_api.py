"""The accounts API: token authentication, problem JSON, and the endpoints' contracts."""

from __future__ import annotations

import pytest
from django.test import Client

from arrival.accounts import services
from arrival.accounts.models import ApiToken, RoleKind, RoleRequest
from arrival.actors.models import ActorKind
from tests.accounts.factories import RoleFactory, UserFactory
from tests.actors.factories import ActorFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


@pytest.fixture
def person():
    return UserFactory(display_name="Night Owl")


@pytest.fixture
def key(person):
    return services.api_token_create(user=person, name="test", scope="write")[1]


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_me_without_token_is_401_problem_json(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401 and response.json()["title"] == "Unauthorized"


def test_me_with_a_wrong_token_is_401(client):
    assert client.get(ME, **bearer("arr_not-a-real-key")).status_code == 401


def test_me_with_token(client, person, key):
    city = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT, name="Mechelen")
    RoleFactory(user=person, actor=city, kind=RoleKind.OFFICER)
    response = client.get(ME, **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["public_name"] == "Night Owl" and body["otp_enabled"] is False
    assert body["roles"] == [
        {"id": body["roles"][0]["id"], "kind": "officer", "actor_id": city.pk, "actor_name": "Mechelen",
         "actor_kind": "local", "actor_slug": city.slug, "since": body["roles"][0]["since"]}
    ]
    assert "password" not in body


def test_revoked_token_is_401(client, person, key):
    token = ApiToken.objects.get(user=person)
    services.api_token_revoke(user=person, token=token)
    assert client.get(ME, **bearer(key)).status_code == 401


def test_me_with_session(client, person):
    client.force_login(person)
    assert client.get(ME).json()["id"] == person.pk


def test_role_request_post(client, person, key):
    city = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)
    response = client.post(
        "/api/v1/accounts/role-requests",
        {"actor_id": city.pk, "kind": "officer", "message": "Office of inclusion"},
        content_type="application/json",
        **bearer(key),
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert RoleRequest.objects.get(user=person).actor == city
    assert client.get(ME, **bearer(key)).json()["pending_role_requests"][0]["actor_id"] == city.pk


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"actor_id": 999999, "kind": "officer"}, 404), ({"kind": "planner"}, 400), ({"kind": 5, "actor_id": "x"}, 422)],
)
def test_role_request_post_errors_are_problems(client, key, payload, status):
    city = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)
    response = client.post(
        "/api/v1/accounts/role-requests", {"actor_id": city.pk, **payload}, content_type="application/json", **bearer(key)
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert not RoleRequest.objects.exists()


def test_tokens_create_list_revoke(client, person, key):
    client.force_login(person)  # tokens are created with the signed-in session, never with a token
    created = client.post("/api/v1/accounts/tokens", {"name": "nightly"}, content_type="application/json")
    client.logout()
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert new_key.startswith(created.json()["prefix"])
    listed = client.get("/api/v1/accounts/tokens", **bearer(new_key)).json()
    assert {t["name"] for t in listed} == {"test", "nightly"}
    assert all("key" not in t and "key_hash" not in t for t in listed)
    revoked = client.post(f"/api/v1/accounts/tokens/{created.json()['id']}/revoke", **bearer(key))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(ME, **bearer(new_key)).status_code == 401


def test_cannot_revoke_someone_elses_token(client, key):
    other = UserFactory()
    token, _ = services.api_token_create(user=other, name="theirs", scope="write")
    response = client.post(f"/api/v1/accounts/tokens/{token.pk}/revoke", **bearer(key))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_writes_need_csrf(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    response = client.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code in {401, 403}
    assert not ApiToken.objects.exists()
