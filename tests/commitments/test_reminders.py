"""Reminders before deadlines go out through engagement's notifications, each exactly once."""

from __future__ import annotations

import datetime as dt

from arrival.commitments import services
from arrival.commitments.models import ReminderSent
from arrival.commitments.tasks import send_reminders
from arrival.core.jobs.registry import periodic_tasks
from arrival.engagement.models import Notification
from tests.commitments.factories import at, city, draft_commitment, person, published_commitment, staff


def test_the_reminder_task_is_on_the_schedule():
    assert "commitments.send_reminders" in {task.name for task in periodic_tasks()}


def test_a_milestone_coming_due_reminds_the_team_once():
    parts = published_commitment()  # milestone due 2026-06-30
    colleague = person(parts["lead"])
    with at(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)):
        assert services.reminders_send() == 0  # 29 days ahead: not yet
    with at(dt.datetime(2026, 6, 17, 8, tzinfo=dt.UTC)):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
        assert send_reminders(None) == {"sent": 0}
    recipients = set(Notification.objects.filter(kind="commitments.milestone_due").values_list("recipient", flat=True))
    assert recipients == {parts["team"].pk, parts["admin"].pk, colleague.pk}
    text = Notification.objects.filter(recipient=colleague).get().text
    assert "First twenty hosts trained" in text and "ARR-C-2026-00001" in text
    assert ReminderSent.objects.filter(kind="commitments.milestone_due").count() == 1


def test_no_reminder_for_drafts_or_done_milestones():
    lead = city()
    draft_commitment(user=person(lead), lead=lead)
    parts = published_commitment()
    with at(dt.datetime(2026, 6, 17, 8, tzinfo=dt.UTC)):
        services.milestone_complete(user=parts["team"], milestone=parts["commitment"].milestones.get())
        assert services.reminders_send() == 0
    assert not Notification.objects.filter(kind="commitments.milestone_due").exists()


def test_a_closing_submission_window_reminds_governments_with_published_commitments_once():
    from arrival.consultations.models import Forum

    forum = Forum.objects.create(key="imrf-2026", name="IMRF 2026", kind="imrf", source="test")
    with_pledge = published_commitment()
    lead = city()
    without = person(lead)
    draft_commitment(user=without, lead=lead)
    closes = dt.datetime(2026, 4, 30, 17, tzinfo=dt.UTC)
    with at(dt.datetime(2026, 3, 10, tzinfo=dt.UTC)):
        services.submission_window_create(user=staff(), forum=forum, title="Local reports",
                                          opens_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), closes_at=closes)
    with at(closes - dt.timedelta(days=15)):
        assert services.reminders_send() == 0
    with at(closes - dt.timedelta(days=13)):
        assert services.reminders_send() == 1
    with at(closes - dt.timedelta(days=2)):
        assert services.reminders_send() == 0
    notified = set(Notification.objects.filter(kind="commitments.window_closing").values_list("recipient", flat=True))
    assert notified == {with_pledge["team"].pk, with_pledge["admin"].pk}
    assert without.pk not in notified
