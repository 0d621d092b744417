"""Every hand-off of a commitment reaches the next person, in their language, and waits in their "My work" until
they act: sent for internal approval → the lead's administrators; submitted → the publishing organisation's
people; approved, sent back, published → the filers (never the decider); milestones due and reports due to a
forum → the government's team."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.commitments import services
from arrival.engagement.models import Notification
from tests.accounts.factories import RoleFactory, UserFactory
from tests.commitments.factories import (
    T0,
    at,
    city,
    draft_commitment,
    member_of,
    network,
    person,
    published_commitment,
    staff,
)
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, work_of


def _in_french(message: str, **values: str) -> str:
    with translation.override("fr"):
        return _(message) % values


def _team(lead=None):  # noqa: ANN001, ANN202
    """A city in a network: two officers, a French administrator, the network's staff; and people who must not hear."""
    lead = lead or city("Ghent")
    net = network("Cities for All")
    member_of(lead, net)
    return {
        "lead": lead, "net": net,
        "officer": person(lead), "colleague": person(lead),
        "admin": person(lead, RoleKind.ADMINISTRATOR, preferred_language="fr"),
        "net_staff": person(net, RoleKind.STAFF, preferred_language="fr"),
        "net_admin": person(net, RoleKind.ADMINISTRATOR),
        "other_admin": person(city("Elsewhere"), RoleKind.ADMINISTRATOR),
        "other_net_staff": person(network("Another network"), RoleKind.STAFF),
        "site_staff": staff(),
    }


def test_sent_for_internal_approval_reaches_the_leads_administrators():
    people = _team()
    with at(T0):
        commitment = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["officer"], commitment=commitment)
    url = commitment.get_absolute_url()
    sent = assert_notified("commitments.approval_requested", to=[people["admin"]], url=url,
                           not_to=[people["officer"], people["colleague"], people["other_admin"], people["net_staff"],
                                   people["site_staff"]])
    assert sent[people["admin"].pk].words == _in_french(
        "The commitment “%(title)s” of %(lead)s was sent for your approval.", title=commitment.title, lead="Ghent")
    item = assert_in_work(people["admin"], "commitments.approve", url=url)
    assert item.waiting_since == T0 and item.for_actor == "Ghent"
    for other in (people["officer"], people["other_admin"]):
        assert_not_in_work(other, "commitments.approve")
    with at(T0 + dt.timedelta(hours=2)):
        services.commitment_approve(user=people["admin"], commitment=commitment)
    assert_not_in_work(people["admin"], "commitments.approve")


def test_sent_back_during_approval_leaves_the_administrators_work_and_reaches_the_filers():
    people = _team()
    with at(T0):
        commitment = draft_commitment(user=people["officer"], lead=people["lead"])
        # The colleague sends the officer's draft: both filed it.
        services.commitment_submit_for_approval(user=people["colleague"], commitment=commitment)
    late = person(people["lead"])  # joined the team later, filed nothing
    with at(T0 + dt.timedelta(days=1)):
        services.commitment_send_back(user=people["admin"], commitment=commitment, reason="Add the budget line.")
    assert_not_in_work(people["admin"], "commitments.approve")
    url = commitment.get_absolute_url()
    assert_notified("commitments.returned", to=[people["officer"], people["colleague"]], url=url,
                    not_to=[people["admin"], late, people["net_staff"]])
    item = assert_in_work(people["officer"], "commitments.filed", url=url)
    assert item.action == "Fix it and send it again" and item.waiting_since == T0 + dt.timedelta(days=1)
    assert_not_in_work(late, "commitments.filed")
    # Fixing the draft keeps the reason in view; sending it again takes it out of the filers' work.
    services.commitment_update(user=people["officer"], commitment=commitment, title="Welcome hosts, with a budget")
    commitment.refresh_from_db()
    assert commitment.returned_reason == "Add the budget line."
    assert_in_work(people["colleague"], "commitments.filed", url=url)
    services.commitment_submit_for_approval(user=people["officer"], commitment=commitment)
    assert_not_in_work(people["officer"], "commitments.filed")
    assert_not_in_work(people["colleague"], "commitments.filed")
    assert_in_work(people["admin"], "commitments.approve", url=url)


def test_a_french_filer_reads_the_decision_in_french():
    people = _team()
    french = person(people["lead"], preferred_language="fr")
    commitment = draft_commitment(user=french, lead=people["lead"])
    services.commitment_submit_for_approval(user=french, commitment=commitment)
    services.commitment_send_back(user=people["admin"], commitment=commitment, reason="Budget?")
    returned = assert_notified("commitments.returned", to=[french])
    assert returned[french.pk].words == _in_french("Your commitment “%(title)s” was sent back to draft; its page says "
                                                  "why.", title=commitment.title)
    services.commitment_submit_for_approval(user=french, commitment=commitment)
    services.commitment_approve(user=people["admin"], commitment=commitment)
    approved = assert_notified("commitments.approved", to=[french], not_to=[people["admin"]])
    assert approved[french.pk].words == _in_french("Your commitment “%(title)s” was approved: you can submit it for "
                                                  "publication.", title=commitment.title)


def test_approved_reaches_the_filers_and_waits_on_them_to_submit():
    people = _team()
    with at(T0):
        commitment = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["officer"], commitment=commitment)
    with at(T0 + dt.timedelta(days=2)):
        services.commitment_approve(user=people["admin"], commitment=commitment)
    url = commitment.get_absolute_url()
    assert_notified("commitments.approved", to=[people["officer"]], url=url,
                    not_to=[people["admin"], people["colleague"], people["net_staff"]])
    item = assert_in_work(people["officer"], "commitments.filed", url=url)
    assert item.action == "Submit for publication" and item.waiting_since == T0 + dt.timedelta(days=2)
    assert_not_in_work(people["colleague"], "commitments.filed")
    services.commitment_submit(user=people["colleague"], commitment=commitment)
    assert_not_in_work(people["officer"], "commitments.filed")


def test_submitted_reaches_the_publishing_organisation_and_waits_until_published():
    people = _team()
    both = person(people["net"], RoleKind.STAFF)  # network staff who also works for the city: never publishes it
    RoleFactory(user=both, actor=people["lead"], kind=RoleKind.OFFICER)
    with at(T0):
        commitment = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["officer"], commitment=commitment)
        services.commitment_approve(user=people["admin"], commitment=commitment)
    with at(T0 + dt.timedelta(days=1)):
        services.commitment_submit(user=people["colleague"], commitment=commitment)
    url = commitment.get_absolute_url()
    sent = assert_notified("commitments.publication_requested", to=[people["net_staff"], people["net_admin"]], url=url,
                           not_to=[people["site_staff"], people["other_net_staff"], people["officer"],
                                   people["colleague"], people["admin"], both])
    assert sent[people["net_staff"].pk].words == _in_french(
        "%(lead)s submitted the commitment “%(title)s” for publication: publish it or send it back.",
        lead="Ghent", title=commitment.title)
    item = assert_in_work(people["net_staff"], "commitments.publish", url=url)
    assert item.waiting_since == T0 + dt.timedelta(days=1)
    for other in (people["site_staff"], people["other_net_staff"], both, people["admin"]):
        assert_not_in_work(other, "commitments.publish")
    with at(T0 + dt.timedelta(days=3)):
        services.commitment_publish(user=people["net_admin"], commitment=commitment)
    assert_not_in_work(people["net_staff"], "commitments.publish")
    published = assert_notified("commitments.published", to=[people["officer"], people["colleague"]], url=url,
                                not_to=[people["net_admin"], people["admin"], people["net_staff"]])
    commitment.refresh_from_db()
    assert published[people["officer"].pk].words == (
        f"Your commitment “{commitment.title}” was published as {commitment.public_id}.")


def test_published_text_in_french():
    lead = city("Lyon")
    officer, admin, publisher = person(lead, preferred_language="fr"), person(lead, RoleKind.ADMINISTRATOR), staff()
    commitment = draft_commitment(user=officer, lead=lead)
    services.commitment_submit_for_approval(user=officer, commitment=commitment)
    services.commitment_approve(user=admin, commitment=commitment)
    services.commitment_submit(user=officer, commitment=commitment)
    services.commitment_publish(user=publisher, commitment=commitment)
    commitment.refresh_from_db()
    sent = assert_notified("commitments.published", to=[officer], not_to=[publisher, admin])
    assert sent[officer.pk].words == _in_french("Your commitment “%(title)s” was published as %(id)s.",
                                               title=commitment.title, id=commitment.public_id)


def test_a_commitment_from_a_consultation_goes_to_the_organisers_and_one_without_publisher_to_site_staff():
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    lead, officer = flow["cities"][0], flow["users"][0]
    admin = person(lead, RoleKind.ADMINISTRATOR)
    commitment = services.commitment_create_from_contribution(
        user=officer, contribution=flow["contributions"][0], forms=["policy"], target_date=dt.date(2027, 1, 1))
    services.commitment_submit_for_approval(user=officer, commitment=commitment)
    services.commitment_approve(user=admin, commitment=commitment)
    site_staff = staff()
    services.commitment_submit(user=officer, commitment=commitment)
    assert_notified("commitments.publication_requested", to=[flow["staff"]], not_to=[site_staff, officer])
    assert_in_work(flow["staff"], "commitments.publish", url=commitment.get_absolute_url())
    assert_not_in_work(site_staff, "commitments.publish")

    # A city in no network, with a commitment of its own: only site staff can publish it, so it waits on them.
    Notification.objects.all().delete()
    alone = city("Alone")
    officer2, admin2 = person(alone), person(alone, RoleKind.ADMINISTRATOR)
    orphan = draft_commitment(user=officer2, lead=alone)
    services.commitment_submit_for_approval(user=officer2, commitment=orphan)
    services.commitment_approve(user=admin2, commitment=orphan)
    services.commitment_submit(user=officer2, commitment=orphan)
    assert_notified("commitments.publication_requested", to=[site_staff], not_to=[flow["staff"]])
    assert_in_work(site_staff, "commitments.publish", url=orphan.get_absolute_url())
    assert_not_in_work(flow["staff"], "commitments.publish", url=orphan.get_absolute_url())
    services.commitment_send_back(user=site_staff, commitment=orphan, reason="Say who pays.")
    assert_not_in_work(site_staff, "commitments.publish")
    assert_notified("commitments.returned", to=[officer2], not_to=[site_staff, admin2])
    assert_in_work(officer2, "commitments.filed", url=orphan.get_absolute_url())


def test_milestones_due_or_overdue_wait_on_the_governments_team_with_their_deadline():
    parts = published_commitment(city("Ghent"), milestones=[
        {"title": "Hosts trained", "due_on": dt.date(2026, 3, 10)},  # due in 8 days
        {"title": "Council report", "due_on": dt.date(2026, 2, 20)},  # overdue
        {"title": "Evaluation", "due_on": dt.date(2026, 9, 30)},  # far off
    ])
    commitment, team, admin = parts["commitment"], parts["team"], parts["admin"]
    outsider = person(city("Elsewhere"))
    with at(T0):
        items = {item.title.split(" — ")[0]: item for item in work_of(team, "commitments.milestones")}
        assert sorted(items) == ["Council report", "Hosts trained"]
        assert_in_work(admin, "commitments.milestones", url=commitment.get_absolute_url() + "#milestones")
        assert_not_in_work(outsider, "commitments.milestones")
        # Due at the end of its day in Brussels (the city's zone): 23:00 UTC in winter.
        assert items["Hosts trained"].deadline == dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
        assert items["Hosts trained"].waiting_since == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # publication
        hosts = commitment.milestones.get(title="Hosts trained")
        services.milestone_complete(user=team, milestone=hosts)
        assert [item.title.split(" — ")[0] for item in work_of(team, "commitments.milestones")] == ["Council report"]
        assert_not_in_work(outsider, "commitments.milestones")


def test_an_open_submission_window_waits_for_each_published_commitment_to_be_reported():
    from arrival.consultations.models import Forum

    parts = published_commitment(city("Ghent"))
    second = published_commitment(parts["lead"], when=T0)["commitment"]
    commitment, team = parts["commitment"], parts["team"]
    forum = Forum.objects.create(key="imrf-2026", name="IMRF 2026", kind="imrf", source="test")
    keeper = person(network("Keepers"), RoleKind.STAFF)
    with at(T0):
        window = services.submission_window_create(user=keeper, forum=forum, title="Local reports",
                                                   opens_at=T0 - dt.timedelta(days=1),
                                                   closes_at=T0 + dt.timedelta(days=20))
        services.submission_window_create(user=keeper, forum=forum, title="Next year", opens_at=T0 + dt.timedelta(days=300),
                                          closes_at=T0 + dt.timedelta(days=330))
        items = work_of(team, "commitments.reports")
        assert sorted(item.url for item in items) == sorted(
            f"/commitments/{c.pk}/forum-report/?window={window.pk}" for c in (commitment, second))
        assert {item.deadline for item in items} == {window.closes_at}
        assert_in_work(team, "commitments.reports")
        assert_not_in_work(person(city("Elsewhere")), "commitments.reports")
        # The report dated while the window is open answers it: that commitment leaves the team's work.
        services.commitment_report_to_forum(user=team, commitment=commitment, forum=forum, summary="Reported.")
        assert [item.url for item in work_of(team, "commitments.reports")] == [
            f"/commitments/{second.pk}/forum-report/?window={window.pk}"]
        assert_in_work(team, "commitments.reports")
    with at(T0 + dt.timedelta(days=21)):  # closed: nothing waits any more
        assert_not_in_work(team, "commitments.reports")


def test_a_network_with_nothing_waiting_has_an_empty_count():
    user = UserFactory()
    for key in ("commitments.approve", "commitments.publish", "commitments.filed", "commitments.milestones",
                "commitments.reports"):
        assert_not_in_work(user, key)


def test_the_data_migration_finds_who_handed_each_commitment_on_in_the_audit_log():
    import importlib

    from django.apps import apps

    from arrival.commitments.models import Commitment

    people = _team()
    with at(T0):
        waiting = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["colleague"], commitment=waiting)
        returned = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["officer"], commitment=returned)
    with at(T0 + dt.timedelta(days=1)):
        services.commitment_send_back(user=people["admin"], commitment=returned, reason="Budget?")
        submitted = draft_commitment(user=people["officer"], lead=people["lead"])
        services.commitment_submit_for_approval(user=people["officer"], commitment=submitted)
        services.commitment_approve(user=people["admin"], commitment=submitted)
        services.commitment_submit(user=people["colleague"], commitment=submitted)
    Commitment.objects.update(approval_requested_by=None, approval_requested_at=None, submitted_by=None,
                              returned_at=None)
    migration = importlib.import_module("arrival.commitments.migrations.0004_handoff_people_and_times")
    migration.handoffs_from_audit_log(apps, None)
    rows = {c.pk: c for c in Commitment.objects.all()}
    assert (rows[waiting.pk].approval_requested_by, rows[waiting.pk].approval_requested_at) == (people["colleague"], T0)
    assert rows[returned.pk].returned_at == T0 + dt.timedelta(days=1)
    assert (rows[submitted.pk].submitted_by, rows[submitted.pk].returned_at) == (people["colleague"], None)
    assert_in_work(people["admin"], "commitments.approve", url=waiting.get_absolute_url())
    assert_in_work(people["officer"], "commitments.filed", url=returned.get_absolute_url())


def test_each_header_count_is_one_query(django_assert_num_queries):  # noqa: ANN001
    from arrival.engagement.handoffs import work_provider_list
    from arrival.engagement.selectors import work_provider_count

    parts = published_commitment()
    people = [parts["team"], parts["admin"], parts["publisher"]]
    for provider in work_provider_list():
        if provider.key.startswith("commitments."):
            for user in people:
                with django_assert_num_queries(1):
                    work_provider_count(provider, user)
