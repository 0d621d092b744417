"""API tokens: an expiry chosen at creation, read or write scope, revoked with the password and the account,
last use recorded at most once an hour, and the list with all of it on the account page and in the API."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arrival.accounts import services
from arrival.accounts.models import ApiToken, ApiTokenScope, RoleRequest
from arrival.actors.models import ActorKind
from arrival.engagement.models import Comment
from tests.accounts.factories import PASSWORD, UserFactory, sign_in_as
from tests.actors.factories import ActorFactory
from tests.engagement.factories import CommentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"
TOKENS = "/api/v1/accounts/tokens"


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def person():
    return UserFactory(display_name="Night Owl", email="owl@example.org")


def _days_left(token: ApiToken) -> float:
    return (token.expires_at - token.created_at) / timedelta(days=1)


# --- Expiry -------------------------------------------------------------------------------------------


def test_a_token_expires_after_90_days_unless_another_term_is_chosen(person):
    default, _ = services.api_token_create(user=person, name="default", scope=ApiTokenScope.READ)
    assert round(_days_left(default)) == 90
    weekly, _ = services.api_token_create(user=person, name="weekly", scope=ApiTokenScope.READ, days_valid=7)
    assert round(_days_left(weekly)) == 7


@pytest.mark.parametrize("days", [0, 366, 100_000])
def test_a_token_lives_at_most_a_year_and_never_forever(person, days):
    with pytest.raises(services.ValidationError):
        services.api_token_create(user=person, name="forever", scope=ApiTokenScope.READ, days_valid=days)
    assert not ApiToken.objects.exists()


def test_the_page_and_the_api_choose_the_term_and_the_scope(person):
    client = Client()
    client.force_login(person)
    response = client.post(reverse("accounts:token_create"), {"name": "yearly", "scope": "write", "days_valid": "365"})
    assert response.status_code == 200
    token = ApiToken.objects.get(name="yearly")
    assert token.scope == "write" and round(_days_left(token)) == 365
    csrf_free = Client()
    csrf_free.force_login(person)
    created = csrf_free.post(TOKENS, {"name": "monthly", "scope": "read", "days_valid": 30},
                             content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["scope"] == "read" and body["expires_at"]
    assert round(_days_left(ApiToken.objects.get(name="monthly"))) == 30
    refused = csrf_free.post(TOKENS, {"name": "forever", "days_valid": 3650}, content_type="application/json")
    assert refused.status_code == 422
    assert not ApiToken.objects.filter(name="forever").exists()


def test_an_expired_token_is_refused_with_a_clear_401(person):
    _, key = services.api_token_create(user=person, name="weekly", scope=ApiTokenScope.READ, days_valid=7)
    assert bearer(key).get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = bearer(key).get(ME)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert "expired" in response.json()["detail"]
        # A public read with an expired token is refused too, rather than served as if anonymous.
        assert bearer(key).get("/api/v1/commitments/").status_code == 401


def test_a_revoked_token_says_so(person):
    token, key = services.api_token_create(user=person, name="old", scope=ApiTokenScope.READ)
    services.api_token_revoke(user=person, token=token)
    response = bearer(key).get(ME)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


# --- Scopes ---------------------------------------------------------------------------------------------


def test_a_read_token_reads_but_is_refused_every_write_with_403(person):
    city = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)
    comment = CommentFactory(author=person)
    _, read_key = services.api_token_create(user=person, name="reader", scope=ApiTokenScope.READ)
    reader = bearer(read_key)
    assert reader.get(ME).status_code == 200
    writes = [
        reader.post("/api/v1/accounts/role-requests", {"actor_id": city.pk, "kind": "officer"},
                    content_type="application/json"),
        reader.put("/api/v1/engagement/notification-settings", json.dumps({"digest_period": "weekly"}),
                   content_type="application/json"),
        reader.delete(f"/api/v1/engagement/comments/{comment.pk}"),
    ]
    for response in writes:
        assert response.status_code == 403, response.content
        assert "read" in response.json()["detail"]
    assert not RoleRequest.objects.exists()
    assert Comment.objects.get(pk=comment.pk).body == comment.body

    _, write_key = services.api_token_create(user=person, name="writer", scope=ApiTokenScope.WRITE)
    writer = bearer(write_key)
    assert writer.post("/api/v1/accounts/role-requests", {"actor_id": city.pk, "kind": "officer"},
                       content_type="application/json").status_code == 201
    assert writer.put("/api/v1/engagement/notification-settings", json.dumps({"digest_period": "weekly"}),
                      content_type="application/json").status_code == 200
    assert writer.delete(f"/api/v1/engagement/comments/{comment.pk}").status_code == 204


def test_a_token_never_creates_a_token(person):
    _, key = services.api_token_create(user=person, name="writer", scope=ApiTokenScope.WRITE)
    response = bearer(key).post(TOKENS, {"name": "child", "scope": "write"}, content_type="application/json")
    assert response.status_code == 403
    assert "signed in" in response.json()["detail"]
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["writer"]


# --- Revocation with the password and the account -------------------------------------------------------


def _active_keys(person) -> list[str]:
    return [services.api_token_create(user=person, name=f"script {n}", scope=ApiTokenScope.WRITE)[1] for n in (1, 2)]


def test_changing_the_password_revokes_every_token(person):
    keys = _active_keys(person)
    client = Client()
    client.force_login(person)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42",
    })
    assert response.status_code == 302
    assert all(t.revoked_at is not None for t in ApiToken.objects.filter(user=person))
    assert all(bearer(key).get(ME).status_code == 401 for key in keys)


def test_resetting_the_password_revokes_every_token(client, person):
    keys = _active_keys(person)
    client.post(reverse("accounts:password_reset"), {"email": person.email})
    link = re.search(r"/accounts/password-reset/[^/]+/[^/]+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42",
    })
    assert response.status_code == 302
    assert all(t.revoked_at is not None for t in ApiToken.objects.filter(user=person))
    assert all(bearer(key).get(ME).status_code == 401 for key in keys)


def test_staff_setting_a_password_in_the_admin_revokes_every_token(person):
    keys = _active_keys(person)
    staff = sign_in_as(Client(), UserFactory(is_staff=True, is_superuser=True))
    response = staff.post(f"/admin/accounts/user/{person.pk}/password/", {
        "password1": "a new long passphrase 42", "password2": "a new long passphrase 42", "usable_password": "true",
    })
    assert response.status_code == 302
    assert all(bearer(key).get(ME).status_code == 401 for key in keys)


def test_a_demo_sign_in_reset_for_the_next_visitor_revokes_the_last_visitors_tokens(settings):
    settings.PRODUCTION = False
    city = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)
    user = services.demo_account_reset(username="demo-officer", display_name="Demo", actor=city, kind="officer").user
    keys = _active_keys(user)
    services.demo_account_reset(username="demo-officer", display_name="Demo", actor=city, kind="officer")
    assert all(bearer(key).get(ME).status_code == 401 for key in keys)


def test_deleting_the_account_ends_every_token(person):
    keys = _active_keys(person)
    client = Client()
    client.force_login(person)
    response = client.post(reverse("accounts:delete_account"), {"content": "remove", "password": PASSWORD,
                                                                   "confirm": "on"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert all(bearer(key).get(ME).status_code == 401 for key in keys)


# --- Last use -------------------------------------------------------------------------------------------


def _token_updates(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("UPDATE") and "apitoken" in q["sql"].lower())


def test_last_use_is_written_at_most_once_an_hour(person):
    token, key = services.api_token_create(user=person, name="busy", scope=ApiTokenScope.READ)
    client = bearer(key)
    start = timezone.now()
    with time_machine.travel(start, tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
        assert client.get(ME).status_code == 200
    assert _token_updates(queries.captured_queries) == 1
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(minutes=59), tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    assert _token_updates(queries.captured_queries) == 0
    with time_machine.travel(start + timedelta(minutes=61), tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    assert _token_updates(queries.captured_queries) == 1
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(minutes=61)


# --- The list -------------------------------------------------------------------------------------------


def test_the_api_lists_scope_term_and_last_use_and_revokes(person):
    used, key = services.api_token_create(user=person, name="nightly", scope=ApiTokenScope.WRITE, days_valid=30)
    old, _ = services.api_token_create(user=person, name="old", scope=ApiTokenScope.READ)
    services.api_token_revoke(user=person, token=old)
    client = bearer(key)
    listed = {t["name"]: t for t in client.get(TOKENS).json()}
    assert set(listed) == {"nightly", "old"}
    assert listed["nightly"]["scope"] == "write" and listed["nightly"]["last_used_at"]
    assert listed["nightly"]["expires_at"].startswith(str(used.expires_at.date()))
    assert listed["old"]["scope"] == "read" and listed["old"]["revoked_at"]
    assert all(set(t) == {"id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"}
               for t in listed.values())
    revoked = client.post(f"{TOKENS}/{used.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_the_account_page_lists_scope_term_and_last_use(person):
    token, key = services.api_token_create(user=person, name="nightly export", scope=ApiTokenScope.READ,
                                           days_valid=7)
    bearer(key).get(ME)
    client = Client()
    client.force_login(person)
    html = client.get(reverse("accounts:me")).content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*nightly export(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert token.prefix in row
    assert "Read only" in row
    assert "Expires" in html and "Last used" in html
    assert 'datetime="' + token.expires_at.date().isoformat() in row
    assert "never" not in row.lower()  # used once: the last use shows, not "never used"


# --- The upgrade ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_existing_tokens_90_days_and_the_write_scope_they_had():
    owner = UserFactory()
    before = [("accounts", "0002_user_time_zone")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        OldToken = executor.loader.project_state(before).apps.get_model("accounts", "ApiToken")
        OldToken.objects.create(user_id=owner.pk, name="made before expiry", prefix="arr_old12345",
                                key_hash="0" * 64)
    finally:
        upgraded_at = timezone.now().replace(microsecond=0) + timedelta(days=1)
        with time_machine.travel(upgraded_at, tick=False):
            executor = MigrationExecutor(connection)
            executor.loader.build_graph()
            executor.migrate(latest)
    token = ApiToken.objects.get(name="made before expiry")
    assert token.expires_at == upgraded_at + timedelta(days=90)
    assert token.scope == ApiTokenScope.WRITE
