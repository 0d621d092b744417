"""The engagement API: the same permissions as the pages; only registered kinds of records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from arrival.accounts.services import api_token_create
from arrival.engagement import services, targets
from arrival.engagement.models import Comment, ModerationDecision, Notification, Report, Visibility
from tests.accounts.factories import StaffFactory, UserFactory
from tests.actors.factories import ActorFactory
from tests.engagement.factories import T0, CommentFactory, PhaseFactory, ProcessFactory, moderator_for

BASE = "/api/v1/engagement"
_processes: dict[int, object] = {}
_private: set[int] = set()


@pytest.fixture(autouse=True)
def _actors_take_comments():
    """Actors stand in for any record an app opens to comments: a process per actor, some actors private."""
    targets.comment_target_register(
        "actors.actor", process=lambda actor: _processes.get(actor.pk),
        can_view=lambda user, actor: actor.pk not in _private,
    )
    yield
    targets._targets.pop("actors.actor", None)
    _processes.clear()
    _private.clear()


def _client(user):
    token = api_token_create(user=user, name="tests", scope="write")
    key = token[1] if isinstance(token, tuple) else token
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client, path, data):
    return client.post(f"{BASE}{path}", json.dumps(data), content_type="application/json")


def test_comment_create_list_and_remove():
    actor, user = ActorFactory(), UserFactory(display_name="Nadia")
    client = _client(user)
    response = _post(client, "/comments", {"target_type": "actors.actor", "target_id": str(actor.pk),
                                           "body": "Hello", "language": "en"})
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["body"] == "Hello" and first["author"] == "Nadia" and first["depth"] == 0
    reply = _post(_client(UserFactory()), "/comments", {"target_type": "actors.actor", "target_id": str(actor.pk),
                                                        "body": "Reply", "parent": first["id"]}).json()
    listing = Client().get(f"{BASE}/comments", {"target_type": "actors.actor", "target_id": actor.pk}).json()
    assert listing["count"] == 2 and [c["id"] for c in listing["items"]] == [first["id"], reply["id"]]
    assert listing["items"][1]["parent"] == first["id"]
    assert _client(UserFactory()).delete(f"{BASE}/comments/{first['id']}").status_code == 403
    assert client.delete(f"{BASE}/comments/{first['id']}").status_code == 204
    items = Client().get(f"{BASE}/comments", {"target_type": "actors.actor", "target_id": actor.pk}).json()["items"]
    assert items[0]["body"] is None and items[0]["author"] is None and items[0]["visibility"] == "removed"
    assert "removed by its author" in items[0]["notice"]


def test_writes_need_authentication():
    actor = ActorFactory()
    response = _post(Client(), "/comments", {"target_type": "actors.actor", "target_id": str(actor.pk), "body": "x"})
    assert response.status_code == 401
    assert Client().get(f"{BASE}/notifications").status_code == 401


def test_unregistered_or_private_records_are_not_served():
    user = UserFactory()
    hidden = ActorFactory()
    _private.add(hidden.pk)
    for target_type, target_id in (("accounts.user", user.pk), ("actors.actor", hidden.pk), ("nope.nope", 1)):
        assert Client().get(f"{BASE}/comments", {"target_type": target_type, "target_id": target_id}).status_code == 404
        response = _post(_client(user), "/comments", {"target_type": target_type, "target_id": str(target_id),
                                                      "body": "x"})
        assert response.status_code == 404
    assert not Comment.objects.exists()


def test_the_registered_process_gates_comments():
    actor = ActorFactory()
    process = ProcessFactory()
    PhaseFactory(process=process, position=1, starts_at=T0, ends_at=T0 + timedelta(days=3),
                 actions=["comment:actors.actor"])
    _processes[actor.pk] = process
    client = _client(UserFactory())
    data = {"target_type": "actors.actor", "target_id": str(actor.pk), "body": "x"}
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert _post(client, "/comments", data).status_code == 201
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        response = _post(client, "/comments", data)
    assert response.status_code == 400 and "not open" in response.json()["detail"]
    assert Comment.objects.get().process == process


def test_reports_once_and_moderation_by_moderators_only():
    actor, process = ActorFactory(), ProcessFactory()
    comment = CommentFactory(on=actor, process=process)
    reporter = _client(UserFactory())
    data = {"target_type": "engagement.comment", "target_id": str(comment.pk), "reason": "offensive"}
    assert _post(reporter, "/reports", data).status_code == 201
    assert _post(reporter, "/reports", data).status_code == 400
    assert Report.objects.get().process == process

    stranger = _client(UserFactory())
    assert stranger.get(f"{BASE}/moderation/queue").status_code == 403
    decision = {"target_type": "engagement.comment", "target_id": str(comment.pk), "action": "hide",
                "reason": "Abusive"}
    assert _post(stranger, "/moderation/decisions", decision).status_code == 403

    moderator = _client(moderator_for(process))
    queue = moderator.get(f"{BASE}/moderation/queue", {"process": process.pk}).json()
    assert queue["count"] == 1 and queue["items"][0]["reports"][0]["reason"] == "offensive"
    response = _post(moderator, "/moderation/decisions", decision)
    assert response.status_code == 201 and response.json()["action"] == "hide"
    comment.refresh_from_db()
    assert comment.visibility == Visibility.HIDDEN
    assert moderator.get(f"{BASE}/moderation/queue").json()["count"] == 0
    history = moderator.get(f"{BASE}/moderation/decisions",
                            {"target_type": "engagement.comment", "target_id": comment.pk})
    assert [d["reason"] for d in history.json()] == ["Abusive"]
    assert stranger.get(f"{BASE}/moderation/decisions",
                        {"target_type": "engagement.comment", "target_id": comment.pk}).status_code == 403
    assert _post(moderator, "/moderation/decisions", {**decision, "reason": ""}).status_code == 400
    assert ModerationDecision.objects.count() == 1


def test_staff_moderate_records_outside_processes():
    comment = CommentFactory(on=ActorFactory())
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    assert _client(moderator_for(ProcessFactory())).get(f"{BASE}/moderation/queue").json()["count"] == 0
    staff = _client(StaffFactory())
    assert staff.get(f"{BASE}/moderation/queue").json()["count"] == 1
    response = _post(staff, "/moderation/decisions", {"target_type": "engagement.comment",
                                                      "target_id": str(comment.pk), "action": "dismiss",
                                                      "reason": "Fine"})
    assert response.status_code == 201


def test_my_notifications_and_settings():
    user, other = UserFactory(), UserFactory()
    services.notification_send(recipients=[user, other], kind="tests.news", text="one")
    services.notification_send(recipients=[user], kind="tests.news", text="two")
    client = _client(user)
    listing = client.get(f"{BASE}/notifications").json()
    assert listing["count"] == 2 and [n["text"] for n in listing["items"]] == ["two", "one"]
    others = Notification.objects.get(recipient=other)
    assert _post(client, "/notifications/read", {"id": others.pk}).status_code == 404
    first = listing["items"][1]["id"]
    assert _post(client, "/notifications/read", {"id": first}).json() == {"marked": 1}
    assert client.get(f"{BASE}/notifications", {"unread": True}).json()["count"] == 1
    assert _post(client, "/notifications/read", {}).json() == {"marked": 1}
    current = client.get(f"{BASE}/notification-settings").json()
    assert current["digest_period"] == "daily" and current["deliveries"]["tests.news"] == "digest"
    response = client.put(f"{BASE}/notification-settings",
                          json.dumps({"digest_period": "weekly", "deliveries": {"tests.news": "off"}}),
                          content_type="application/json")
    assert response.json()["digest_period"] == "weekly" and response.json()["deliveries"]["tests.news"] == "off"
    assert services.notification_send(recipients=[user], kind="tests.news", text="three") == 0
    unknown = client.put(f"{BASE}/notification-settings",
                         json.dumps({"digest_period": "weekly", "deliveries": {"tests.nothing": "off"}}),
                         content_type="application/json")
    assert unknown.status_code == 400
    bad = client.put(f"{BASE}/notification-settings", json.dumps({"digest_period": "hourly"}),
                     content_type="application/json")
    assert bad.status_code == 400
