"""Engagement pages and template tags: threads, forms with and without htmx, safe redirects, inbox, settings,
moderation queue and history."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from arrival.engagement import services
from arrival.engagement.models import Comment, Notification, NotificationSettings, Report, Visibility
from arrival.engagement.targets import target_sign
from tests.accounts.factories import UserFactory, sign_in_as
from tests.actors.factories import ActorFactory
from tests.engagement.factories import T0, CommentFactory, PhaseFactory, ProcessFactory, moderator_for

DAY = timedelta(days=1)


def _signed_in(user):
    client = Client()
    sign_in_as(client, user)
    return client


def _render(source, user=None, **context):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/places/somewhere/?tab=talk")
    request.user = user or AnonymousUser()
    return Template("{% load engagement %}" + source).render(Context({"request": request, **context}))


@pytest.fixture
def process():
    process = ProcessFactory(time_zone="America/Montreal")
    PhaseFactory(process=process, position=1, phase_type="engagement.information", starts_at=T0,
                 ends_at=T0 + 3 * DAY, actions=[])
    PhaseFactory(process=process, position=2, phase_type="engagement.discussion", starts_at=T0 + 3 * DAY,
                 ends_at=T0 + 10 * DAY, actions=["comment:actors.actor"], name="Open discussion")
    return process


# --- Template tags ---------------------------------------------------------------------------------------


def test_phase_timeline_marks_the_current_step_and_shows_both_zones(process):
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        html = _render("{% phase_timeline process %}", process=process)
    assert html.count("<li") == 2 and html.count('aria-current="step"') == 1
    current = html.split('aria-current="step"')[1]
    assert "Open discussion" in current.split("</li>")[0]
    assert "Information" in html and "America/Montreal" in html and "UTC" in html


def test_comments_for_renders_thread_notices_and_form(process):
    actor = ActorFactory()
    author = UserFactory(display_name="Karim")
    first = CommentFactory(on=actor, author=author, body="<b>bold</b> words", language="ar")
    CommentFactory(on=actor, parent=first, body="A reply")
    CommentFactory(on=actor, body="Secret insult", visibility=Visibility.HIDDEN)
    CommentFactory(on=actor, body="", visibility=Visibility.REMOVED)
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        html = _render("{% comments_for target process=process %}", user=UserFactory(), target=actor,
                       process=process)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and 'lang="ar"' in html and "Karim" in html
    assert "A reply" in html and html.index("A reply") > html.index("bold")
    assert "Secret insult" not in html and "hidden by a moderator" in html and "removed by its author" in html
    assert 'name="token"' in html and 'hx-post="/engagement/comments/new/"' in html
    assert 'name="next" value="/places/somewhere/?tab=talk"' in html
    assert html.count("Report</summary>") == 2  # visible comments only
    assert "<label" in html and "Reply</summary>" in html


def test_comments_for_outside_the_phase_shows_why(process):
    with time_machine.travel(T0 + DAY, tick=False):
        html = _render("{% comments_for target process=process %}", user=UserFactory(), target=ActorFactory(),
                       process=process)
    assert "comment_create" not in html and 'name="body"' not in html
    assert "not open in the current phase “Information”" in html


def test_comments_for_anonymous_invites_to_sign_in():
    html = _render("{% comments_for target %}", target=ActorFactory())
    assert "Sign in to comment" in html and 'name="body"' not in html


def test_report_button_once_reported_says_so():
    comment = CommentFactory(on=ActorFactory())
    user = UserFactory()
    assert "Send report" in _render("{% report_button target %}", user=user, target=comment)
    services.report_create(user=user, target=comment, reason="spam")
    assert "You reported this" in _render("{% report_button target %}", user=user, target=comment)


# --- Comment, report and remove views --------------------------------------------------------------------


def test_comment_post_without_js_redirects_to_a_safe_next(process):
    actor = ActorFactory()
    client = _signed_in(UserFactory())
    token = target_sign(actor, process)
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        response = client.post(reverse("engagement:comment_create"),
                               {"token": token, "body": "Plain post", "next": "/places/x/"})
        comment = Comment.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/places/x/#comment-{comment.pk}"
        assert comment.process == process and comment.target == actor
        evil = client.post(reverse("engagement:comment_create"),
                           {"token": token, "body": "Again", "next": "https://evil.example/"})
    assert evil["Location"].startswith("/#comment-")


def test_comment_for_an_actor_id_that_is_no_number_is_posted_as_oneself(process):
    """The "speak for" choice is an actor's number; anything else counts as "Myself", as an unknown id does."""
    actor = ActorFactory()
    client = _signed_in(UserFactory())
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        response = client.post(reverse("engagement:comment_create"), {
            "token": target_sign(actor, process), "body": "Mine", "next": "/p/", "author_actor": "x1",
        })
    assert response.status_code == 302
    assert Comment.objects.get().author_actor is None


def test_comment_post_with_htmx_returns_the_thread(process):
    actor = ActorFactory()
    client = _signed_in(UserFactory())
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        response = client.post(reverse("engagement:comment_create"),
                               {"token": target_sign(actor, process), "body": "Via htmx", "next": "/p/"},
                               headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Via htmx" in body and "<section" in body and "<html" not in body


def test_comment_errors_keep_the_draft_with_htmx(process):
    client = _signed_in(UserFactory())
    with time_machine.travel(T0 + DAY, tick=False):  # information phase: closed
        response = client.post(reverse("engagement:comment_create"),
                               {"token": target_sign(ActorFactory(), process), "body": "Too early"},
                               headers={"HX-Request": "true"})
    assert "not open" in response.content.decode() and not Comment.objects.exists()


def test_a_forged_token_is_refused():
    client = _signed_in(UserFactory())
    response = client.post(reverse("engagement:comment_create"), {"token": "forged:abc", "body": "x"})
    assert response.status_code == 404 and not Comment.objects.exists()


def test_anonymous_post_goes_to_sign_in():
    response = Client().post(reverse("engagement:comment_create"), {"token": "x", "body": "x"})
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_remove_and_report_views():
    comment = CommentFactory(on=ActorFactory())
    reporter = _signed_in(UserFactory())
    response = reporter.post(reverse("engagement:report_create"),
                             {"token": target_sign(comment), "reason": "spam", "next": "/back/"})
    assert response.status_code == 302 and response["Location"] == "/back/" and Report.objects.count() == 1
    assert reporter.post(reverse("engagement:comment_remove", args=[comment.pk]), {"next": "/"}).status_code == 302
    comment.refresh_from_db()
    assert comment.visibility == Visibility.VISIBLE  # not the author
    _signed_in(comment.author).post(reverse("engagement:comment_remove", args=[comment.pk]), {"next": "/"})
    comment.refresh_from_db()
    assert comment.visibility == Visibility.REMOVED


# --- Inbox and settings ----------------------------------------------------------------------------------


def test_inbox_lists_and_marks_read():
    user = UserFactory()
    services.notification_send(recipients=[user], kind="tests.news", text="First news", url="/places/x/")
    services.notification_send(recipients=[user], kind="tests.news", text="Second news")
    client = _signed_in(user)
    page = client.get(reverse("engagement:inbox")).content.decode()
    assert "First news" in page and "Second news" in page and "2 unread notifications" in page
    first = Notification.objects.get(text="First news")
    opened = client.post(reverse("engagement:notification_open", args=[first.pk]))
    assert opened["Location"] == "/places/x/"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("engagement:inbox"), {"all": "1"})
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Client().get(reverse("engagement:inbox")).status_code == 302


def test_unread_count_in_the_context():
    user = UserFactory()
    services.notification_send(recipients=[user], kind="tests.news", text="x")
    response = _signed_in(user).get(reverse("engagement:notification_settings"))
    assert response.context["notification_unread_count"]() == 1


def test_notification_settings_page():
    user = UserFactory(email=None)
    client = _signed_in(user)
    page = client.get(reverse("engagement:notification_settings")).content.decode()
    assert "no e-mail address" in page and 'type="radio"' in page
    response = client.post(reverse("engagement:notification_settings"), {"digest_period": "weekly"})
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=user).digest_period == "weekly"


# --- Moderation ------------------------------------------------------------------------------------------


def test_moderation_queue_decide_and_history(process):
    moderator = moderator_for(process)
    comment = CommentFactory(on=ActorFactory(), process=process, body="Nasty words")
    services.report_create(user=UserFactory(), target=comment, reason="offensive", note="Please look")
    client = _signed_in(moderator)
    page = client.get(reverse("engagement:moderation_queue"), {"process": process.pk}).content.decode()
    assert "Nasty words" in page and "Please look" in page and "Offensive or abusive" in page
    response = client.post(reverse("engagement:moderation_decide"), {
        "target_type": "engagement.comment", "target_id": comment.pk, "action": "hide", "reason": "Abuse"})
    assert response.status_code == 302 and "moderation/history" in response["Location"]
    comment.refresh_from_db()
    assert comment.visibility == Visibility.HIDDEN
    history = client.get(response["Location"]).content.decode()
    assert "Abuse" in history and "Hide" in history
    assert "Nothing waits" in client.get(reverse("engagement:moderation_queue")).content.decode()


def test_moderation_needs_a_reason_on_the_page(process):
    comment = CommentFactory(on=ActorFactory(), process=process)
    client = _signed_in(moderator_for(process))
    client.post(reverse("engagement:moderation_decide"), {
        "target_type": "engagement.comment", "target_id": comment.pk, "action": "hide", "reason": ""})
    comment.refresh_from_db()
    assert comment.visibility == Visibility.VISIBLE


def test_non_moderators_are_refused_the_queue_and_decisions(process):
    comment = CommentFactory(on=ActorFactory(), process=process)
    client = _signed_in(UserFactory())
    assert client.get(reverse("engagement:moderation_queue")).status_code == 403
    response = client.post(reverse("engagement:moderation_decide"), {
        "target_type": "engagement.comment", "target_id": comment.pk, "action": "hide", "reason": "x"})
    assert response.status_code == 403
    other = _signed_in(moderator_for(ProcessFactory()))
    assert other.get(reverse("engagement:moderation_queue"), {"process": process.pk}).status_code == 403
    history = reverse("engagement:moderation_history") + f"?target_type=engagement.comment&target_id={comment.pk}"
    assert other.get(history).status_code == 403


def test_many_threads_on_one_page_share_the_per_request_reads(process, django_assert_max_num_queries):
    """A document page shows one thread per paragraph: each more thread costs only its own comments."""

    targets = [ActorFactory() for _ in range(6)]
    for target in targets:
        CommentFactory(on=target)
    request = RequestFactory().get("/doc/")
    request.user = UserFactory()
    template = Template("{% load engagement %}{% for t in targets %}{% comments_for t process=process %}{% endfor %}")
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        template.render(Context({"request": request, "targets": targets[:1], "process": process}))
        request2 = RequestFactory().get("/doc/")
        request2.user = request.user
        with django_assert_max_num_queries(3 + 2 * 6):
            html = template.render(Context({"request": request2, "targets": targets, "process": process}))
    assert html.count("<section") == 6
