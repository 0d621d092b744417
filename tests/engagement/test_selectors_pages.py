"""Reads behind the inbox and the moderation queue."""

from __future__ import annotations

from arrival.engagement import selectors
from arrival.engagement.models import ModerationAction, ModerationDecision, Notification, Report
from tests.accounts.factories import UserFactory
from tests.engagement.factories import CommentFactory, ProcessFactory


def test_notification_get_finds_only_the_users_own() -> None:
    owner, other = UserFactory(), UserFactory()
    notification = Notification.objects.create(recipient=owner, kind="tests.hello", text="Hello")
    assert selectors.notification_get(user=owner, pk=notification.pk) == notification
    assert selectors.notification_get(user=other, pk=notification.pk) is None
    assert selectors.notification_get(user=owner, pk=notification.pk + 1000) is None


def test_moderation_process_list_is_the_allowed_ones_or_for_staff_those_with_undecided_reports() -> None:
    beta, alpha, quiet, decided = (ProcessFactory(title=t) for t in ("Beta", "Alpha", "Quiet", "Decided"))
    for process in (alpha, beta, beta, decided):
        Report.objects.create(target=CommentFactory(), process=process, reason="spam")
    ModerationDecision.objects.create(process=decided, target=CommentFactory(), action=ModerationAction.DISMISS,
                                      reason="Within the rules.")
    Report.objects.filter(process=decided).update(decision=ModerationDecision.objects.get())

    assert selectors.moderation_process_list(process_ids={beta.pk, quiet.pk}) == [beta, quiet]
    assert selectors.moderation_process_list(process_ids=set()) == []
    # Site staff: only processes with something left to decide (not "Quiet", which has no report).
    assert selectors.moderation_process_list(process_ids=None) == [alpha, beta]
