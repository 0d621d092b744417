"""Comments, reports and moderation through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.accounts.models import RoleKind
from arrival.core.models import AuditEvent
from arrival.engagement import selectors, services
from arrival.engagement.models import Comment, ModerationDecision, Notification, Report, Visibility
from tests.accounts.factories import RoleFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory
from tests.engagement.factories import T0, CommentFactory, PhaseFactory, ProcessFactory, moderator_for

DAY = timedelta(days=1)


@pytest.fixture
def target():
    return ActorFactory()


@pytest.fixture
def process():
    process = ProcessFactory()
    PhaseFactory(process=process, position=1, starts_at=T0, ends_at=T0 + 7 * DAY, actions=["comment:actors.actor"])
    PhaseFactory(process=process, position=2, starts_at=T0 + 7 * DAY, ends_at=T0 + 14 * DAY, actions=[])
    return process


def test_signed_in_user_comments_and_it_is_audited(target):
    user = UserFactory()
    comment = services.comment_create(user=user, target=target, body="  Good idea  ", language="fr")
    assert comment.body == "Good idea" and comment.author == user and comment.language == "fr"
    assert comment.target == target
    event = AuditEvent.objects.get(action="engagement.create_comment")
    assert event.after["body"] == "Good idea"


def test_anonymous_and_inactive_users_may_not_comment(target):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), UserFactory(is_active=False)):
        with pytest.raises(PermissionDenied):
            services.comment_create(user=user, target=target, body="Hello")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_body_length_is_checked(target, body):
    with pytest.raises(ValidationError):
        services.comment_create(user=UserFactory(), target=target, body=body)
    assert not Comment.objects.exists()


def test_exactly_5000_characters_is_fine(target):
    assert len(services.comment_create(user=UserFactory(), target=target, body="x" * 5000).body) == 5000


def test_phase_gates_comments(target, process):
    user = UserFactory()
    with time_machine.travel(T0 + DAY, tick=False):
        services.comment_create(user=user, target=target, process=process, body="During the phase")
    with time_machine.travel(T0 + 8 * DAY, tick=False), pytest.raises(ValidationError, match="not open in the current phase"):
        services.comment_create(user=user, target=target, process=process, body="Too late")
    assert Comment.objects.count() == 1


def test_speaking_for_an_actor_needs_a_role_there(target):
    role = RoleFactory(kind=RoleKind.OFFICER)
    comment = services.comment_create(user=role.user, target=target, body="For my city", author_actor=role.actor)
    assert comment.author_actor == role.actor
    with pytest.raises(PermissionDenied):
        services.comment_create(user=role.user, target=target, body="For another", author_actor=ActorFactory())


def test_rate_limit(settings, target):
    settings.ARRIVAL_POST_RATE = "3/m"
    user, other = UserFactory(), UserFactory()
    for number in range(3):
        services.comment_create(user=user, target=target, body=f"Comment {number}")
    with pytest.raises(ValidationError, match="too quickly"):
        services.comment_create(user=user, target=target, body="One more")
    services.comment_create(user=other, target=target, body="Someone else may post")
    assert Comment.objects.filter(author=user).count() == 3


def test_rate_limit_window_slides(settings, target):
    settings.ARRIVAL_POST_RATE = "2/m"
    user = UserFactory()
    with time_machine.travel(T0, tick=False):
        services.comment_create(user=user, target=target, body="one")
        services.comment_create(user=user, target=target, body="two")
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        services.comment_create(user=user, target=target, body="three")


def test_threading_and_reply_notification(target):
    alice, bob = UserFactory(), UserFactory(display_name="Bob")
    first = services.comment_create(user=alice, target=target, body="First")
    reply = services.comment_create(user=bob, target=target, body="Reply", parent=first)
    nested = services.comment_create(user=alice, target=target, body="Nested", parent=reply)
    second = services.comment_create(user=bob, target=target, body="Second")
    tree = selectors.comment_list(target=target, viewer=alice)
    assert [node.comment for node in tree] == [first, second]
    assert [node.comment for node in tree[0].replies] == [reply]
    assert tree[0].replies[0].replies[0].comment == nested and tree[0].replies[0].replies[0].depth == 2
    assert tree[0].can_remove and not tree[1].can_remove
    assert Notification.objects.get(recipient=alice).text == "Bob answered your comment."
    assert Notification.objects.filter(recipient=bob).count() == 1  # Alice's nested reply
    assert selectors.comment_count(target=target) == 4


def test_reply_must_stay_on_the_same_record(target):
    parent = services.comment_create(user=UserFactory(), target=target, body="Here")
    with pytest.raises(ValidationError, match="same record"):
        services.comment_create(user=UserFactory(), target=ActorFactory(), body="There", parent=parent)


def test_author_removes_comment_words_gone_audit_redacted(target):
    author = UserFactory()
    comment = services.comment_create(user=author, target=target, body="Something I regret")
    reply = services.comment_create(user=UserFactory(), target=target, body="Answer", parent=comment)
    with pytest.raises(PermissionDenied):
        services.comment_remove(user=UserFactory(), comment=comment)
    services.comment_remove(user=author, comment=comment)
    comment.refresh_from_db()
    assert comment.visibility == Visibility.REMOVED and comment.body == ""
    events = AuditEvent.objects.filter(target_type="engagement.comment", target_id=str(comment.pk))
    assert events.count() == 2 and events.get(action="engagement.create_comment").redacted
    assert not any("regret" in str(e.after) + str(e.before) + e.target_repr for e in events)
    tree = selectors.comment_list(target=target)
    assert tree[0].body == "" and "removed by its author" in tree[0].notice
    assert tree[0].replies[0].comment == reply
    with pytest.raises(ValidationError):
        services.comment_remove(user=author, comment=comment)


def test_hidden_comment_keeps_its_place_without_its_words(target):
    comment = CommentFactory(on=target, visibility=Visibility.HIDDEN, hidden_reason="Insult")
    node = selectors.comment_list(target=target)[0]
    assert node.comment == comment and node.body == "" and "hidden by a moderator" in node.notice
    assert selectors.comment_count(target=target) == 0


def test_listener_called_for_its_target_label(target):
    seen = []

    def listener(comment):
        seen.append(comment.pk)

    services.on_comment_created("actors.actor", listener)
    services.on_comment_created("actors.actor", listener)  # registered twice (ready() again): called once
    try:
        comment = services.comment_create(user=UserFactory(), target=target, body="Hello")
        other = CommentFactory(on=target)
        services.comment_create(user=UserFactory(), target=other, body="On a comment")
    finally:
        services._comment_listeners.pop("actors.actor", None)
    assert seen == [comment.pk]


# --- Reports and moderation ------------------------------------------------------------------------------


def test_report_once_per_reporter(target):
    comment = CommentFactory(on=target)
    reporter = UserFactory()
    services.report_create(user=reporter, target=comment, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(user=reporter, target=comment, reason="offensive")
    services.report_create(user=UserFactory(), target=comment, reason="offensive", note="Rude")
    assert Report.objects.count() == 2


def test_report_checks_reason_and_target(target):
    comment = CommentFactory(on=target)
    with pytest.raises(ValidationError):
        services.report_create(user=UserFactory(), target=comment, reason="bad")
    with pytest.raises(ValidationError, match="cannot be reported"):
        services.report_create(user=UserFactory(), target=target, reason="spam")


def test_first_report_tells_the_moderators(process, target):
    moderator = moderator_for(process)
    comment = CommentFactory(on=target, process=process)
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    notes = Notification.objects.filter(recipient=moderator, kind="engagement.reported")
    assert notes.count() == 1 and f"process={process.pk}" in notes.get().url


def test_moderator_hides_reports_closed_author_told_and_audited(process, target):
    moderator = moderator_for(process, RoleKind.STAFF)
    comment = CommentFactory(on=target, process=process)
    services.report_create(user=UserFactory(), target=comment, reason="offensive")
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    assert [item.count for item in selectors.moderation_queue(user=moderator)] == [2]
    decision = services.moderation_decide(user=moderator, target=comment, action="hide", reason="Insulting")
    comment.refresh_from_db()
    assert comment.visibility == Visibility.HIDDEN and comment.hidden_reason == "Insulting"
    assert decision.process == process and decision.moderator == moderator
    assert Report.objects.filter(decision=decision).count() == 2
    assert selectors.moderation_queue(user=moderator) == []
    note = Notification.objects.get(recipient=comment.author, kind="engagement.moderated")
    assert "Insulting" in note.text
    assert AuditEvent.objects.filter(action="engagement.hide_comment", target_id=str(comment.pk)).exists()
    services.moderation_decide(user=moderator, target=comment, action="restore", reason="On reflection, fine")
    comment.refresh_from_db()
    assert comment.visibility == Visibility.VISIBLE and comment.hidden_reason == ""
    history = list(selectors.moderation_history(target=comment))
    assert [d.action for d in history] == ["restore", "hide"] and history[1].report_count == 2


def test_dismiss_keeps_the_record_visible(process, target):
    moderator = moderator_for(process)
    comment = CommentFactory(on=target, process=process)
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    services.moderation_decide(user=moderator, target=comment, action="dismiss", reason="Not spam")
    comment.refresh_from_db()
    assert comment.visibility == Visibility.VISIBLE
    assert not Report.objects.filter(decision__isnull=True).exists()
    assert not Notification.objects.filter(recipient=comment.author).exists()


def test_decision_needs_reason_and_valid_action(process, target):
    moderator = moderator_for(process)
    comment = CommentFactory(on=target, process=process)
    for action, reason in (("hide", ""), ("hide", "   "), ("delete", "why"), ("restore", "already visible")):
        with pytest.raises(ValidationError):
            services.moderation_decide(user=moderator, target=comment, action=action, reason=reason)
    assert not ModerationDecision.objects.exists()


def test_non_moderators_are_refused(process, target):
    comment = CommentFactory(on=target, process=process)
    other_process_officer = moderator_for(ProcessFactory())
    reviewer = RoleFactory(actor=process.owner, kind=RoleKind.REVIEWER).user
    for user in (UserFactory(), comment.author, other_process_officer, reviewer):
        with pytest.raises(PermissionDenied):
            services.moderation_decide(user=user, target=comment, action="hide", reason="No")
    comment.refresh_from_db()
    assert comment.visibility == Visibility.VISIBLE


def test_claiming_another_process_is_refused(process, target):
    comment = CommentFactory(on=target, process=process)
    other = ProcessFactory()
    with pytest.raises(ValidationError, match="does not belong"):
        services.moderation_decide(user=moderator_for(other), target=comment, action="hide", reason="x",
                                   process=other)


def test_without_a_process_only_site_staff_moderate(target):
    comment = CommentFactory(on=target)
    services.report_create(user=UserFactory(), target=comment, reason="spam")
    officer = RoleFactory(kind=RoleKind.OFFICER).user
    assert selectors.moderation_queue(user=officer) == []
    with pytest.raises(PermissionDenied):
        services.moderation_decide(user=officer, target=comment, action="hide", reason="x")
    staff = StaffFactory()
    assert len(selectors.moderation_queue(user=staff)) == 1
    services.moderation_decide(user=staff, target=comment, action="hide", reason="Spam")


def test_queue_filters_by_process(process, target):
    other = ProcessFactory(owner=process.owner)
    moderator = moderator_for(process)
    first = CommentFactory(on=target, process=process)
    second = CommentFactory(on=target, process=other)
    for comment in (first, second):
        services.report_create(user=UserFactory(), target=comment, reason="spam")
    assert {item.target for item in selectors.moderation_queue(user=moderator)} == {first, second}
    items = selectors.moderation_queue(user=moderator, process=other)
    assert [item.target for item in items] == [second] and items[0].reports[0].reason == "spam"


def test_comment_list_reads_in_constant_queries(target, django_assert_max_num_queries):
    first = CommentFactory(on=target)
    for _ in range(10):
        CommentFactory(on=target, parent=first, author_actor=ActorFactory())
    selectors.comment_list(target=target)  # warms the content type cache
    with django_assert_max_num_queries(1):
        nodes = selectors.comment_list(target=target)
        names = [(n.comment.author.public_name, n.comment.author_actor.name) for n in nodes[0].replies]
    assert len(names) == 10
