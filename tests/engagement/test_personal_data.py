"""Engagement's part of "download my data" and "delete my account"."""

from __future__ import annotations

import json

from arrival.accounts.personal_data import personal_data_providers
from arrival.core.models import AuditEvent
from arrival.engagement import services
from arrival.engagement.models import (
    Comment,
    Digest,
    Notification,
    NotificationPreference,
    NotificationSettings,
    Report,
    Visibility,
)
from tests.accounts.factories import UserFactory
from tests.actors.factories import ActorFactory
from tests.engagement.factories import CommentFactory


def _provider():
    return next(p for p in personal_data_providers() if p.key == "engagement")


def _person_with_records():
    user = UserFactory()
    target = ActorFactory()
    comment = services.comment_create(user=user, target=target, body="My own words", language="es")
    other = CommentFactory(on=target, body="Someone else")
    services.report_create(user=user, target=other, reason="off_topic", note="Not about this")
    services.notification_send(recipients=[user], kind="tests.news", text="News for you")
    services.notification_settings_set(user=user, digest_period="weekly", deliveries={"engagement.reply": "in_app"})
    return user, comment, other


def test_export_is_registered_and_json_safe():
    user, comment, other = _person_with_records()
    data = _provider().export(user)
    json.dumps(data)
    assert [c["body"] for c in data["comments"]] == ["My own words"]
    assert data["comments"][0]["on"] == "actors.actor" and data["comments"][0]["language"] == "es"
    assert data["reports"][0]["note"] == "Not about this"
    assert data["notifications"][0]["text"] == "News for you"
    assert data["notification_settings"] == {"digest_period": "weekly", "deliveries": {"engagement.reply": "in_app"}}
    assert "Someone else" not in json.dumps(data)


def test_erase_keeping_words_anonymised():
    user, comment, other = _person_with_records()
    _provider().erase(user, keep_content_anonymised=True)
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "My own words" and comment.visibility == Visibility.VISIBLE
    report = Report.objects.get()
    assert report.reporter is None and report.note == ""
    assert not Notification.objects.filter(recipient=user).exists()
    assert not NotificationSettings.objects.filter(user=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert not Digest.objects.filter(recipient=user).exists()
    assert not services.personal_data_for(user=user)["comments"]


def test_erase_removing_words_redacts_audit():
    user, comment, other = _person_with_records()
    _provider().erase(user, keep_content_anonymised=False)
    comment.refresh_from_db()
    assert comment.visibility == Visibility.REMOVED and comment.body == "" and comment.author is None
    other.refresh_from_db()
    assert other.body == "Someone else"
    events = AuditEvent.objects.filter(target_type="engagement.comment", target_id=str(comment.pk))
    assert events.exists() and all(e.redacted and e.after is None for e in events)
    assert all("My own words" not in json.dumps(e.after or {}) for e in AuditEvent.objects.all())
    assert Comment.objects.count() == 2  # the place in the thread stays
