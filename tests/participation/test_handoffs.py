"""Participation's hand-offs: who is told (and who is not), in their language, in words that are never a
resident's; what waits in the city team's "My work" and when it leaves; following a proposal; the guest's
e-mail, sent after the commit with a link and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from arrival.accounts import services as accounts
from arrival.accounts.models import RoleKind
from arrival.core.translations import localized
from arrival.engagement import services as engagement
from arrival.engagement.models import Notification
from arrival.participation import services
from arrival.participation.models import AnswerStatus, GuestAccess, StatusKind, Support
from tests.accounts.factories import PASSWORD, RoleFactory, sign_in_as
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, work_of
from tests.participation.factories import (
    COLLECT_AT,
    START,
    SUPPORT_AT,
    city_with_officer,
    open_process,
    posted,
    resident,
)

pytestmark = pytest.mark.django_db

TITLE = "Evening language classes"
BODY = "After work, near the market."
PROCESS = "Welcoming neighbourhoods"
ANSWER_ENDS = START + dt.timedelta(days=60)  # the factory's answer phase
REPORT_ENDS = START + dt.timedelta(days=90)  # the factory's report-back phase


@pytest.fixture
def city():
    """A city with an officer, a French-speaking administrator and an open process; an officer of another city."""
    city, officer = city_with_officer()
    admin = RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR, user__preferred_language="fr").user
    process = open_process(officer=officer, city=city, title=PROCESS)
    stranger = city_with_officer()[1]
    return {"city": city, "officer": officer, "admin": admin, "process": process, "stranger": stranger}


def _status(city, kind: str) -> AnswerStatus:
    return AnswerStatus.objects.get(owner=city, kind=kind)


def _in_french(message: str, **values: str) -> str:
    with translation.override("fr"):
        return _(message) % values


def _supporters(proposal):
    """A supporter who follows (French), one who chose not to, and one who follows."""
    follower, quiet, other = resident(preferred_language="fr"), resident(), resident()
    services.support_create(user=follower, proposal=proposal, at=SUPPORT_AT)
    services.support_create(user=quiet, proposal=proposal, follow=False, at=SUPPORT_AT)
    services.support_create(user=other, proposal=proposal, at=SUPPORT_AT)
    return follower, quiet, other


def _no_resident_words(kind: str) -> None:
    for text in Notification.objects.filter(kind=kind).values_list("text", flat=True):
        assert TITLE not in text and BODY not in text, text


# --- A new need or proposal → the city's team -------------------------------------------------------------


def test_a_new_proposal_reaches_the_citys_team_and_waits_in_their_work(city):
    author = resident()
    proposal = posted(city["process"], author, title=TITLE, body=BODY, kind="need")
    sent = assert_notified("participation.submitted", to=[city["officer"], city["admin"]],
                           not_to=[author, city["stranger"]], url=proposal.get_absolute_url())
    assert sent[city["admin"].pk].text == _in_french("A resident posted a need in “%(process)s”.", process=PROCESS)
    _no_resident_words("participation.submitted")

    for member in (city["officer"], city["admin"]):
        item = assert_in_work(member, "participation.answer", url=proposal.get_absolute_url())
        assert item.deadline == ANSWER_ENDS and item.waiting_since == proposal.created_at
        assert TITLE not in item.title and PROCESS in item.title
    assert_not_in_work(city["stranger"], "participation.answer")
    assert_not_in_work(author, "participation.answer")

    # Once the city answers, it leaves their work.
    services.answer_create(user=city["officer"], proposal=proposal, status=_status(city["city"], "considering"),
                           text="We are looking into it.")
    assert_not_in_work(city["admin"], "participation.answer")
    assert_not_in_work(city["officer"], "participation.answer")


def test_a_guests_proposal_reaches_the_team_too(city):
    proposal, _guest, _raw = services.guest_proposal_create(process=city["process"], title=TITLE, body=BODY,
                                                            language="en", at=COLLECT_AT)
    assert_notified("participation.submitted", to=[city["officer"], city["admin"]])
    assert_in_work(city["officer"], "participation.answer", url=proposal.get_absolute_url())


def test_hidden_and_removed_proposals_wait_on_nobody(city):
    author = resident()
    removed = posted(city["process"], author)
    hidden = posted(city["process"], resident())
    services.proposal_remove(user=author, proposal=removed)
    engagement.moderation_decide(user=city["officer"], target=hidden, action="hide", reason="Advertising")
    assert_not_in_work(city["officer"], "participation.answer")


def test_a_team_member_posting_does_not_notify_themself(city):
    posted(city["process"], city["officer"])
    assert_notified("participation.submitted", to=[city["admin"]], not_to=[city["officer"]])


# --- A comment → the author and the supporters who follow ---------------------------------------------------


def test_a_comment_reaches_the_author_and_the_supporters_who_follow(city):
    author = resident(preferred_language="fr")
    proposal = posted(city["process"], author, title=TITLE, body=BODY)
    follower, quiet, other = _supporters(proposal)
    with time_machine.travel(COLLECT_AT, tick=False):
        engagement.comment_create(user=other, target=proposal, body="Me too, " + TITLE, process=city["process"].process)
    sent = assert_notified("participation.commented", to=[author, follower],
                           not_to=[quiet, other, city["officer"]], url=proposal.get_absolute_url())
    assert sent[author.pk].text == _in_french("There is a new comment on your proposal in “%(process)s”.",
                                              process=PROCESS)
    assert sent[follower.pk].text == _in_french("There is a new comment on a proposal you follow in “%(process)s”.",
                                                process=PROCESS)
    _no_resident_words("participation.commented")


def test_the_author_of_an_answered_comment_hears_once(city):
    author = resident()
    proposal = posted(city["process"], author)
    follower = _supporters(proposal)[0]
    with time_machine.travel(COLLECT_AT, tick=False):
        first = engagement.comment_create(user=follower, target=proposal, body="Where?", process=city["process"].process)
        Notification.objects.all().delete()
        engagement.comment_create(user=author, target=proposal, body="Near the market.", parent=first,
                                  process=city["process"].process)
    # The follower hears of the reply through engagement's own "reply" notification, not twice.
    assert_notified("engagement.reply", to=[follower])
    assert_notified("participation.commented", to=[], not_to=[follower, author])


# --- The city's answer and report-back → the author and the supporters who follow --------------------------


def test_the_answer_reaches_the_author_and_the_supporters_who_follow(city):
    author = resident(preferred_language="fr")
    proposal = posted(city["process"], author, title=TITLE, body=BODY)
    follower, quiet, other = _supporters(proposal)
    accepted = _status(city["city"], StatusKind.ACCEPTED)
    services.answer_create(user=city["officer"], proposal=proposal, status=accepted, text="Yes, from September.")
    sent = assert_notified("participation.answered", to=[author, follower, other],
                           not_to=[quiet, city["officer"], city["admin"]], url=proposal.get_absolute_url())
    # The default status reaches a French reader in French: its label carries the interface's translations.
    values = {"process": PROCESS, "status": localized(accepted, "label", language="fr").text}
    assert sent[author.pk].text == _in_french("The city answered your proposal in “%(process)s”: %(status)s.", **values)
    assert sent[follower.pk].text == _in_french(
        "The city answered a proposal you support in “%(process)s”: %(status)s.", **values)
    _no_resident_words("participation.answered")
    assert not Notification.objects.filter(kind="participation.reported_back").exists()

    # Accepted: its report-back now waits on the team, until the report-back phase ends.
    item = assert_in_work(city["admin"], "participation.report_back", url=proposal.get_absolute_url())
    assert item.deadline == REPORT_ENDS
    assert_not_in_work(city["stranger"], "participation.report_back")


def test_the_report_back_reaches_the_same_people_and_leaves_the_work(city):
    author = resident()
    proposal = posted(city["process"], author, title=TITLE, body=BODY)
    follower, quiet, _other = _supporters(proposal)
    services.answer_create(user=city["officer"], proposal=proposal, status=_status(city["city"], StatusKind.ACCEPTED),
                           text="Yes.")
    progress = _status(city["city"], StatusKind.IN_PROGRESS)
    services.answer_create(user=city["admin"], proposal=proposal, status=progress, text="The first class met.")
    sent = assert_notified("participation.reported_back", to=[author, follower],
                           not_to=[quiet, city["officer"], city["admin"]])
    assert sent[follower.pk].text == _in_french(
        "The city reported back on a proposal you support in “%(process)s”: %(status)s.", process=PROCESS,
        status=localized(progress, "label", language="fr").text)
    _no_resident_words("participation.reported_back")
    assert_not_in_work(city["officer"], "participation.report_back")
    assert_not_in_work(city["admin"], "participation.report_back")


def test_a_proposal_not_accepted_waits_for_no_report_back(city):
    proposal = posted(city["process"], resident())
    services.answer_create(user=city["officer"], proposal=proposal, status=_status(city["city"], "not_possible"),
                           text="No.", reasons="Out of our hands.")
    assert_not_in_work(city["officer"], "participation.report_back")
    assert_not_in_work(city["officer"], "participation.answer")


def test_my_work_is_oldest_first_and_counts_what_it_lists(city):
    first = posted(city["process"], resident(), title="First")
    second = posted(city["process"], resident(), title="Second")
    items = work_of(city["officer"], "participation.answer")
    assert [item.url for item in items] == [first.get_absolute_url(), second.get_absolute_url()]
    page = _signed_in(city["officer"]).get(reverse("engagement:my_work")).content.decode()
    assert "Needs and proposals to answer" in page and first.get_absolute_url() in page
    assert "My work (2)" in _signed_in(city["officer"]).get("/").content.decode()


def _signed_in(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


# --- Following -------------------------------------------------------------------------------------------


def test_a_supporter_follows_by_default_and_may_stop_and_start_again(city):
    proposal = posted(city["process"], resident())
    supporter = resident()
    client = _signed_in(supporter)
    with time_machine.travel(SUPPORT_AT, tick=False):
        client.post(reverse("participation:support", args=[proposal.pk]), {"follow": "1"})
    assert Support.objects.get(user=supporter).follows
    client.post(reverse("participation:follow", args=[proposal.pk]), {})
    assert not Support.objects.get(user=supporter).follows
    services.answer_create(user=city["officer"], proposal=proposal, status=_status(city["city"], "considering"),
                           text="Looking.")
    assert_notified("participation.answered", to=[], not_to=[supporter])
    page = client.post(reverse("participation:follow", args=[proposal.pk]), {"follows": "1"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert Support.objects.get(user=supporter).follows and "Stop following" in page


def test_unticking_follow_when_supporting_does_not_follow(city):
    proposal = posted(city["process"], resident())
    supporter = resident()
    with time_machine.travel(SUPPORT_AT, tick=False):
        _signed_in(supporter).post(reverse("participation:support", args=[proposal.pk]), {})
    assert not Support.objects.get(user=supporter).follows


def test_only_a_supporter_follows(city):
    proposal = posted(city["process"], resident())
    with pytest.raises(Exception, match="Support this proposal to follow it"):
        services.follow_set(user=resident(), proposal=proposal, follows=True)


def test_a_follow_goes_with_the_support_and_the_person(city):
    proposal = posted(city["process"], resident())
    supporter, leaving = resident(), resident()
    services.support_create(user=supporter, proposal=proposal, at=SUPPORT_AT)
    services.support_create(user=leaving, proposal=proposal, at=SUPPORT_AT)
    data = accounts.personal_data_export(user=leaving)
    assert [s["follows"] for s in data["participation"]["supports"]] == [True]
    services.support_withdraw(user=supporter, proposal=proposal, at=SUPPORT_AT)
    accounts.account_delete(user=leaving, keep_content_anonymised=True, password=PASSWORD)
    assert not Support.objects.exists()
    services.answer_create(user=city["officer"], proposal=proposal, status=_status(city["city"], "considering"),
                           text="Looking.")
    assert_notified("participation.answered", to=[], not_to=[supporter])


# --- Guests: behind their secret link, and by e-mail if they left an address ---------------------------------


def _guest_proposal(process, **kwargs):
    proposal, guest, _raw = services.guest_proposal_create(process=process, title=TITLE, body=BODY, language="ar",
                                                           at=COLLECT_AT, **kwargs)
    return proposal, guest


def test_a_guest_who_left_an_address_is_told_by_email_after_the_commit(city, django_capture_on_commit_callbacks):
    proposal, guest = _guest_proposal(city["process"], email="amal@example.org", preferred_language="fr")
    assert guest.email is None and GuestAccess.objects.get(user=guest).email == "amal@example.org"
    with django_capture_on_commit_callbacks() as callbacks:
        services.answer_create(user=city["officer"], proposal=proposal,
                               status=_status(city["city"], StatusKind.ACCEPTED), text="Oui.")
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amal@example.org"]
    with translation.override("fr"):
        assert message.subject == _("The city answered your proposal")
    assert f"/participate/proposals/{proposal.pk}/" in message.body and message.body.count("http") == 1
    for words in (TITLE, BODY, "Oui.", PROCESS):
        assert words not in message.body and words not in message.subject
    # In the app, behind the secret link, the guest has the notification too.
    assert_notified("participation.answered", to=[guest])


def test_a_guest_without_an_address_or_who_chose_the_app_only_gets_no_email(city, django_capture_on_commit_callbacks):
    silent, _guest = _guest_proposal(city["process"])
    app_only, app_guest = _guest_proposal(city["process"], email="app@example.org")
    engagement.notification_settings_set(user=app_guest, digest_period="daily",
                                         deliveries={"participation.answered": "in_app"})
    with django_capture_on_commit_callbacks(execute=True):
        for proposal in (silent, app_only):
            services.answer_create(user=city["officer"], proposal=proposal,
                                   status=_status(city["city"], "considering"), text="Looking.")
    assert mail.outbox == []


def test_the_guests_report_back_email_names_it(city, django_capture_on_commit_callbacks):
    proposal, _guest = _guest_proposal(city["process"], email="amal@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_create(user=city["officer"], proposal=proposal,
                               status=_status(city["city"], StatusKind.ACCEPTED), text="Yes.")
        services.answer_create(user=city["officer"], proposal=proposal,
                               status=_status(city["city"], StatusKind.DONE), text="Done.")
    assert [m.subject for m in mail.outbox] == ["The city answered your proposal",
                                                "The city reported back on your proposal"]


def test_a_guest_leaves_a_valid_address_or_none(city):
    with pytest.raises(Exception, match="Enter an e-mail address"):
        _guest_proposal(city["process"], email="not an address")
    assert not GuestAccess.objects.exists()


def test_the_guest_form_offers_the_address(client, city):
    with time_machine.travel(COLLECT_AT, tick=False):
        client.post(reverse("participation:proposal_create", args=[city["process"].slug]), {
            "display_name": "Amal", "kind": "need", "title": TITLE, "body": BODY, "language": "en",
            "email": "amal@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    access = GuestAccess.objects.get()
    assert access.email == "amal@example.org" and access.user.email is None


def test_retention_takes_the_follows_and_the_address_a_guest_left(city):
    process = open_process(title="Kept one month", retention_months=1)
    proposal, guest = _guest_proposal(process, email="amal@example.org")
    follower = resident()
    services.support_create(user=follower, proposal=proposal, at=SUPPORT_AT)
    # The guest also supports elsewhere, so the guest account stays after the retention period.
    services.support_create(user=guest, proposal=posted(city["process"], resident()), at=SUPPORT_AT)
    with time_machine.travel(REPORT_ENDS + dt.timedelta(days=40), tick=False):
        assert services.retention_enforce() == 1
    assert not Support.objects.filter(user=follower).exists()
    assert GuestAccess.objects.get(user=guest).email == ""
