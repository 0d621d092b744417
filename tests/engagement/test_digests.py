"""E-mail digests (one per person per period) and phase announcements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from arrival.core.jobs.registry import task_get
from arrival.engagement import services
from arrival.engagement.models import Digest, Notification
from tests.accounts.factories import UserFactory
from tests.engagement.factories import PhaseFactory, ProcessFactory

# Wednesday 4 March 2026, 10:00 UTC; ISO week 10 runs Monday 2 → Sunday 8 March.
WED = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
THU_NIGHT = datetime(2026, 3, 5, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ARRIVAL_SITE_URL = "https://arrival.example.org"


def _notify(user, text="Your proposal got an answer", url="/participate/p/1/", at=WED):
    with time_machine.travel(at, tick=False):
        services.notification_send(recipients=[user], kind="tests.thing", text=text, url=url)


def test_daily_digest_after_the_day_ends_with_links_and_html():
    user = UserFactory(email="amina@example.org", display_name="Amina")
    _notify(user)
    _notify(user, text="A second thing", url="")
    assert services.digests_send(now=WED + timedelta(hours=5)) == 0  # the day is not over yet
    assert services.digests_send(now=THU_NIGHT) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert "2 notifications" in message.subject
    assert "Hello Amina" in message.body and "Your proposal got an answer" in message.body
    assert "https://arrival.example.org/participate/p/1/" in message.body
    assert "https://arrival.example.org/engagement/notifications/settings/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://arrival.example.org/participate/p/1/"' in html and "A second thing" in html
    digest = Digest.objects.get()
    assert digest.period == "daily" and digest.period_start == datetime(2026, 3, 4, tzinfo=UTC)
    assert Notification.objects.filter(digest=digest).count() == 2


def test_idempotent_on_a_second_run_and_one_per_period():
    user = UserFactory(email="a@example.org")
    _notify(user)
    assert services.digests_send(now=THU_NIGHT) == 1
    assert services.digests_send(now=THU_NIGHT + timedelta(hours=1)) == 0
    # Something new on Thursday waits for Thursday's digest, sent after midnight.
    _notify(user, text="Thursday news", at=THU_NIGHT + timedelta(hours=2))
    assert services.digests_send(now=THU_NIGHT + timedelta(hours=3)) == 0
    assert services.digests_send(now=THU_NIGHT + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2 and "Thursday news" in mail.outbox[1].body
    assert "Your proposal" not in mail.outbox[1].body
    assert Digest.objects.count() == 2


def test_existing_digest_row_blocks_a_second_worker():
    user = UserFactory(email="a@example.org")
    _notify(user)
    Digest.objects.create(recipient=user, period="daily", period_start=datetime(2026, 3, 4, tzinfo=UTC))
    assert services.digests_send(now=THU_NIGHT) == 0
    assert mail.outbox == []
    # The unique row also stops a worker that looked before the other committed.
    assert services._digest_send_one(user, "daily", datetime(2026, 3, 4, tzinfo=UTC), THU_NIGHT) == 0
    assert mail.outbox == []


def test_nothing_new_no_mail_and_read_ones_are_not_repeated():
    user = UserFactory(email="a@example.org")
    assert services.digests_send(now=THU_NIGHT) == 0
    _notify(user)
    services.notification_mark_read(user=user)
    assert services.digests_send(now=THU_NIGHT) == 0
    assert mail.outbox == [] and not Digest.objects.exists()


def test_no_mail_without_an_address_or_when_never():
    silent, never = UserFactory(email=None), UserFactory(email="n@example.org")
    services.notification_settings_set(user=never, digest_period="never")
    _notify(silent)
    _notify(never)
    assert services.digests_send(now=THU_NIGHT) == 0
    assert mail.outbox == []


def test_weekly_waits_for_the_iso_week_to_end():
    weekly, daily = UserFactory(email="w@example.org"), UserFactory(email="d@example.org")
    services.notification_settings_set(user=weekly, digest_period="weekly")
    _notify(weekly)
    _notify(daily)
    assert services.digests_send(now=THU_NIGHT) == 1
    assert [m.to for m in mail.outbox] == [["d@example.org"]]
    sunday_night = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert services.digests_send(now=sunday_night) == 0
    monday = datetime(2026, 3, 9, 0, 10, tzinfo=UTC)
    assert services.digests_send(now=monday) == 1
    assert mail.outbox[1].to == ["w@example.org"] and "this week" in mail.outbox[1].subject
    digest = Digest.objects.get(recipient=weekly)
    assert digest.period == "weekly" and digest.period_start == datetime(2026, 3, 2, tzinfo=UTC)
    assert services.digests_send(now=monday + timedelta(hours=1)) == 0


def test_digest_in_the_recipients_language():
    user = UserFactory(email="f@example.org", preferred_language="fr", display_name="Lucie")
    _notify(user)
    services.digests_send(now=THU_NIGHT)
    message = mail.outbox[0]
    assert "Lucie" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="fr"' in html


def test_the_schedule_knows_both_tasks():
    assert task_get("engagement.send_digests").every == timedelta(hours=1)
    assert task_get("engagement.announce_phases").every == timedelta(minutes=15)


# --- Phase announcements ---------------------------------------------------------------------------------


def test_phases_announce_calls_listeners_once():
    calls = []
    services.on_phase_started("tests.announce", lambda process, phase: calls.append((process.pk, phase.pk)))
    try:
        process = ProcessFactory(kind="tests.announce")
        first = PhaseFactory(process=process, position=1, starts_at=WED, ends_at=WED + timedelta(days=2))
        second = PhaseFactory(process=process, position=2, starts_at=WED + timedelta(days=2),
                              ends_at=WED + timedelta(days=4))
        other_kind = PhaseFactory(process=ProcessFactory(kind="tests.other"), position=1, starts_at=WED)
        assert services.phases_announce(now=WED - timedelta(minutes=1)) == 0
        assert services.phases_announce(now=WED + timedelta(minutes=5)) == 2  # first + other kind
        assert calls == [(process.pk, first.pk)]
        assert services.phases_announce(now=WED + timedelta(minutes=20)) == 0
        assert services.phases_announce(now=WED + timedelta(days=2, minutes=1)) == 1
        assert calls == [(process.pk, first.pk), (process.pk, second.pk)]
        other_kind.refresh_from_db()
        assert other_kind.announced_at is not None
    finally:
        services._phase_listeners.pop("tests.announce", None)


def test_a_phase_that_already_ended_is_marked_without_listeners():
    calls = []
    services.on_phase_started("tests.late", lambda process, phase: calls.append(phase.pk))
    try:
        phase = PhaseFactory(process=ProcessFactory(kind="tests.late"), position=1, starts_at=WED,
                             ends_at=WED + timedelta(hours=1))
        assert services.phases_announce(now=WED + timedelta(hours=2)) == 0
        phase.refresh_from_db()
        assert phase.announced_at is not None and calls == []
    finally:
        services._phase_listeners.pop("tests.late", None)


def test_a_failing_listener_leaves_the_phase_for_the_next_run():
    attempts = []

    def flaky(process, phase):
        attempts.append(phase.pk)
        if len(attempts) == 1:
            raise RuntimeError("mail server down")

    services.on_phase_started("tests.flaky", flaky)
    try:
        phase = PhaseFactory(process=ProcessFactory(kind="tests.flaky"), position=1, starts_at=WED)
        assert services.phases_announce(now=WED + timedelta(minutes=1)) == 0
        phase.refresh_from_db()
        assert phase.announced_at is None
        assert services.phases_announce(now=WED + timedelta(minutes=16)) == 1
        assert len(attempts) == 2
    finally:
        services._phase_listeners.pop("tests.flaky", None)


def test_digest_html_carries_the_recipients_language_and_quoted_titles_their_own():
    from arrival.core.languages import quoted

    user = UserFactory(email="li@example.org", preferred_language="zh-hans")
    title = quoted("مدينة للجميع", "ar")
    with time_machine.travel(WED, tick=False):
        services.notification_send(recipients=[user], kind="tests.thing", text=lambda: f"“{title}”", url="/x/")
    assert services.digests_send(now=THU_NIGHT) == 1
    message = mail.outbox[0]
    html, _mimetype = message.alternatives[0]
    assert '<html lang="zh-Hans" dir="ltr">' in html
    assert '<bdi lang="ar" dir="rtl">مدينة للجميع</bdi>' in html
    assert "“\u2067مدينة للجميع\u2069”" in message.body and "\U000e0001" not in message.body
