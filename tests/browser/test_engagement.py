"""Engagement in a real browser: a person reads and clears their notifications; a moderator hides a reported
comment with a reason and finds the decision in the record's history. Both pages pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from arrival.engagement import services
from arrival.engagement.models import Notification, Visibility
from tests.accounts.factories import UserFactory
from tests.actors.factories import ActorFactory
from tests.browser.conftest import assert_no_serious_axe_violations, page_as
from tests.engagement.factories import CommentFactory, ProcessFactory, moderator_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_mark_one_and_all_read(browser, live_server):
    user = UserFactory()
    services.notification_send(recipients=[user], kind="tests.news", text="Your proposal received an answer")
    services.notification_send(recipients=[user], kind="tests.news", text="The consultation opened")
    page = page_as(browser, live_server, user)
    page.goto("/engagement/notifications/")
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_text("2 unread notifications.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    item = page.locator("li.notification", has_text="The consultation opened")
    item.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("1 unread notification.")).to_be_visible()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".messages")).to_contain_text("All notifications are marked as read")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    page.context.close()


def test_moderator_hides_a_reported_comment_and_sees_the_history(browser, live_server):
    process = ProcessFactory(title="Neighbourhood budget")
    moderator = moderator_for(process)
    comment = CommentFactory(on=ActorFactory(), process=process, body="You people should leave")
    services.report_create(user=UserFactory(), target=comment, reason="offensive", note="Hostile to newcomers")
    page = page_as(browser, live_server, moderator)
    page.goto(f"/engagement/moderation/?process={process.pk}")
    expect(page.get_by_text("You people should leave")).to_be_visible()
    expect(page.get_by_text("Hostile to newcomers")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Hide", exact=True).check()
    page.get_by_label("Reason (kept on record, shown to the author)").fill("Hostile to a group of residents")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Moderation history")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Hostile to a group of residents")
    expect(page.locator("table")).to_contain_text(moderator.public_name)
    assert_no_serious_axe_violations(page)
    comment.refresh_from_db()
    assert comment.visibility == Visibility.HIDDEN
    assert Notification.objects.filter(recipient=comment.author, kind="engagement.moderated").exists()
    page.goto("/engagement/moderation/")
    expect(page.get_by_text("Nothing waits for moderation.")).to_be_visible()
    page.context.close()


def test_comment_thread_markup_passes_axe(page, live_server):
    """The thread other apps embed with {% comments_for %}: labelled fields, a heading, notices, reply forms."""
    from django.template import Context, Template
    from django.test import RequestFactory

    from arrival.engagement.models import Visibility as V

    actor = ActorFactory()
    viewer = UserFactory()
    first = CommentFactory(on=actor, body="Can the library stay open later?", language="en")
    CommentFactory(on=actor, parent=first, body="Oui, le jeudi.", language="fr")
    CommentFactory(on=actor, visibility=V.HIDDEN, body="hidden words")
    request = RequestFactory().get("/somewhere/")
    request.user = viewer
    thread = Template("{% load engagement %}{% comments_for target %}{% report_button reported %}").render(
        Context({"request": request, "target": actor, "reported": first, "csrf_token": "x"}))
    page.goto("/")  # same origin as the live server, so the page's stylesheet applies
    page.set_content(f'<!doctype html><html lang="en"><head><title>Thread</title>'
                     f'<link rel="stylesheet" href="{live_server.url}/static/arrival/site.css"></head>'
                     f'<body><main><h1>A record</h1>{thread}</main></body></html>')
    expect(page.get_by_text("Oui, le jeudi.")).to_be_visible()
    expect(page.get_by_text("This comment was hidden by a moderator.")).to_be_visible()
    assert_no_serious_axe_violations(page)
