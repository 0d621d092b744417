"""Pages: process list and page, proposal page, the guest flow, posting and supporting, the city's pages,
report-back, map, moderation of proposals, and the privacy notice everywhere."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from arrival.accounts.models import User
from arrival.engagement import services as engagement
from arrival.engagement.models import Report
from arrival.participation import services
from arrival.participation.models import AnswerStatus, GuestAccess, Proposal, StatusKind
from tests.accounts.factories import sign_in_as
from tests.participation.factories import COLLECT_AT, SUPPORT_AT, open_process, posted, resident
from tests.participation.test_services import process_officer


@pytest.fixture
def process():
    return open_process()


def test_process_list_and_page_show_privacy_notice_and_phases(client, process) -> None:
    with time_machine.travel(COLLECT_AT, tick=False):
        listing = client.get(reverse("participation:process_list"))
        page = client.get(process.get_absolute_url())
    assert process.title in listing.content.decode()
    html = page.content.decode()
    assert "Your privacy" in html and "24 months" in html and 'aria-current="step"' in html
    assert reverse("participation:proposal_create", args=[process.slug]) in html


def test_guest_posts_in_arabic_keeps_a_secret_link_and_comes_back(client, process) -> None:
    with time_machine.travel(COLLECT_AT, tick=False):
        form = client.get(reverse("participation:proposal_create", args=[process.slug]))
        assert "secret link" in form.content.decode()
        response = client.post(reverse("participation:proposal_create", args=[process.slug]), {
            "display_name": "Layla", "kind": "need", "title": "مكتبة للأطفال", "body": "كتب بالعربية للأطفال",
            "language": "ar"})
    assert response.status_code == 200
    proposal = Proposal.objects.get()
    guest = proposal.author
    assert guest.email is None and not guest.has_usable_password() and guest.display_name == "Layla"
    link = re.search(r'value="(http[^"]+/participate/guest/[^"]+)"', response.content.decode()).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert GuestAccess.objects.get(user=guest).token_hash != token  # only the hash is kept
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert 'lang="ar" dir="rtl"' in page
    # The city answers; the guest, in a fresh browser, follows the link and reads it.
    officer = process_officer(process)
    status = AnswerStatus.objects.get(owner=process.owner, kind=StatusKind.ACCEPTED)
    services.answer_create(user=officer, proposal=proposal, status=status, text="We will open it in May.")
    client.logout()
    back = client.get(link.replace("http://testserver", ""), follow=True)
    assert "We will open it in May." in back.content.decode()
    assert back.wsgi_request.user == guest


def test_bad_guest_link_is_refused(client) -> None:
    assert client.get(reverse("participation:guest_return", args=["nope"])).status_code == 404


def test_signed_in_post_any_language_and_support(client, process) -> None:
    author = resident()
    sign_in_as(client, author)
    with time_machine.travel(COLLECT_AT, tick=False):
        response = client.post(reverse("participation:proposal_create", args=[process.slug]), {
            "kind": "proposal", "title": "Ti proposal", "body": "ሰላም", "language": "other",
            "other_language": "ti"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and proposal.language == "ti" and proposal.author == author
    supporter = resident()
    sign_in_as(client, supporter)
    with time_machine.travel(SUPPORT_AT, tick=False):
        client.post(reverse("participation:support", args=[proposal.pk]))
        client.post(reverse("participation:support", args=[proposal.pk]))  # a second click changes nothing
    assert Proposal.objects.get(pk=proposal.pk).support_count == 1


def test_filters_and_htmx_partial(client, process) -> None:
    posted(process, resident(), title="Alpha")
    posted(process, resident(), title="Beta", language="ar")
    html = client.get(process.get_absolute_url() + "?language=ar", HTTP_HX_REQUEST="true").content.decode()
    assert "Beta" in html and "Alpha" not in html and "<html" not in html
    assert client.get(process.get_absolute_url() + "?sort=random&seed=5").status_code == 200


def test_city_team_pages(client, process) -> None:
    officer = process_officer(process)
    proposal = posted(process, resident())
    sign_in_as(client, officer)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Publish the answer" in page and "Add a translation" in page
    status = AnswerStatus.objects.get(owner=process.owner, kind=StatusKind.CONSIDERING)
    client.post(reverse("participation:answer", args=[proposal.pk]), {"answer-status": status.pk, "answer-text": "Looking."})
    client.post(reverse("participation:translation", args=[proposal.pk]),
                {"translation-language": "fr", "translation-title": "Cours du soir",
                 "translation-body": "Après le travail."})
    proposal.refresh_from_db()
    assert proposal.status == status and proposal.translations.get().language == "fr"
    assert client.get(reverse("participation:statuses", args=[process.slug])).status_code == 200
    assert client.get(reverse("participation:process_edit", args=[process.slug])).status_code == 200
    assert client.get(reverse("participation:process_create")).status_code == 200
    sign_in_as(client, resident())
    assert client.get(reverse("participation:statuses", args=[process.slug])).status_code == 403
    assert client.post(reverse("participation:answer", args=[proposal.pk]),
                       {"answer-status": status.pk, "answer-text": "x"}).status_code == 403


def test_process_create_page_with_phases_and_actions(client) -> None:
    from tests.participation.factories import city_with_officer

    city, officer = city_with_officer()
    sign_in_as(client, officer)
    data = {"owner": city.pk, "title": "Parks", "purpose": "p", "input_use": "u", "languages": "en, ar",
            "access": "open", "retention_months": 12, "categories": "Green\nPlay", "time_zone": "UTC",
            "participation_collect_starts": "2026-03-01T09:00", "participation_collect_ends": "2026-03-20T09:00",
            "participation_collect_actions": ["create:participation.proposal"],
            "participation_support_starts": "2026-03-20T09:00", "participation_support_ends": "2026-04-20T09:00",
            "participation_support_actions": ["support:participation.proposal", "comment:participation.proposal"]}
    response = client.post(reverse("participation:process_create"), data)
    assert response.status_code == 302
    process = city.participation_processes.get()
    assert [p.actions for p in process.process.phases.all()] == [
        ["create:participation.proposal"], ["support:participation.proposal", "comment:participation.proposal"]]


def test_report_back_and_map(client, process) -> None:
    from arrival.participation.services import neighbourhood_create

    officer = process_officer(process)
    hood = neighbourhood_create(user=officer, owner=process.owner, name="Old Town", latitude=50.123456,
                                longitude=4.98765)
    assert (hood.latitude, hood.longitude) == (50.12, 4.99)  # about a kilometre, never an address
    posted(process, resident(), neighbourhood=hood, title="Benches")
    report = client.get(reverse("participation:report_back", args=[process.slug])).content.decode()
    assert "Benches" in report and "Not answered yet" in report
    page = client.get(reverse("participation:map", args=[process.slug])).content.decode()
    assert "Old Town" in page and "Show the map data as a table" in page


def test_report_and_moderation_hide_shows_notice(client, process) -> None:
    proposal = posted(process, resident(), title="Spam spam")
    reporter = resident()
    engagement.report_create(user=reporter, target=proposal, reason="spam", process=process.process)
    assert Report.objects.filter(target_id=str(proposal.pk)).exists()
    officer = process_officer(process)
    from arrival.engagement import selectors as engagement_selectors

    queue = engagement_selectors.moderation_queue(user=officer, process=process.process)
    assert [item.target for item in queue] == [proposal]
    engagement.moderation_decide(user=officer, target=proposal, action="hide", reason="Advertising")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "A moderator hid this proposal" in page and "Spam spam" not in page
    assert "Spam spam" not in client.get(process.get_absolute_url()).content.decode()
    # Residents cannot moderate.
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the engagement rule
        engagement.moderation_decide(user=reporter, target=proposal, action="restore", reason="x")


def test_report_button_and_comments_on_proposal_page(client, process) -> None:
    proposal = posted(process, resident())
    sign_in_as(client, resident())
    with time_machine.travel(COLLECT_AT, tick=False):
        html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Report" in html and "Comments" in html


def test_user_without_status_fields_on_signup_and_guest_forms(client, process) -> None:
    with time_machine.travel(COLLECT_AT, tick=False):
        html = client.get(reverse("participation:proposal_create", args=[process.slug])).content.decode().lower()
    form = html[html.index("<form method=\"post\" enctype"):]
    asked = " ".join(re.findall(r"<label[^>]*>(.*?)</label>", form, re.S) + re.findall(r'name="([^"]+)"', form))
    assert "display_name" in asked and "language" in asked
    for word in ("nationality", "passport", "visa", "asylum", "citizenship", "residence permit", "status"):
        assert word not in asked
    assert User.objects.count() == 1  # the officer; viewing the form creates no guest
