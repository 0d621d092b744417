"""Overdue flags, dashboard counts per scope, progress over time, and who sees which commitment."""

from __future__ import annotations

import datetime as dt

from arrival.commitments import selectors, services
from arrival.commitments.models import Commitment
from arrival.commitments.selectors import register_origin_provider, unregister_origin_provider
from tests.commitments.factories import (
    T0,
    at,
    city,
    draft_commitment,
    member_of,
    network,
    person,
    published_commitment,
)
from tests.practices.factories import gcm_objective


def test_a_milestone_past_due_and_not_done_is_overdue():
    parts = published_commitment()  # its milestone is due 2026-06-30
    commitment = parts["commitment"]
    with at(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)):
        assert not selectors.commitment_list_public().get(pk=commitment.pk).has_overdue
        assert list(selectors.milestones_overdue()) == []
    with at(dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)):
        assert selectors.commitment_list_public().get(pk=commitment.pk).has_overdue
        assert [m.pk for m in selectors.milestones_overdue()] == [commitment.milestones.get().pk]
        flags = selectors.milestones_with_flags(commitment=commitment)
        assert [m.is_overdue for m in flags] == [True]
        services.milestone_complete(user=parts["team"], milestone=commitment.milestones.get())
        assert not selectors.commitment_list_public().get(pk=commitment.pk).has_overdue
        assert list(selectors.milestones_overdue()) == []


def test_drafts_are_never_overdue_in_public_lists():
    lead = city()
    draft_commitment(user=person(lead), lead=lead)
    with at(dt.datetime(2026, 9, 1, tzinfo=dt.UTC)):
        assert list(selectors.milestones_overdue()) == []


def _progress(parts, *updates):
    for day, status, percent in updates:
        with at(day):
            services.progress_update_add(user=parts["team"], commitment=parts["commitment"], status=status,
                                         percent=percent, narrative="Update.")


def test_dashboard_counts_by_status_progress_and_scope():
    net = network("Welcoming Cities")
    a, b, c = city("Alpha"), city("Beta"), city("Gamma")
    member_of(a, net)
    member_of(b, net)
    one = published_commitment(a)
    two = published_commitment(b, tags=[gcm_objective(5)])
    three = published_commitment(c)
    _progress(one, (dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "fulfilled", 100))
    _progress(two, (dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "in_progress", 50))
    with at(dt.datetime(2026, 5, 2, tzinfo=dt.UTC)):
        services.commitment_close(user=three["team"], commitment=three["commitment"])
    lead = city()
    draft_commitment(user=person(lead), lead=lead)  # drafts never count
    with at(dt.datetime(2026, 5, 3, tzinfo=dt.UTC)):
        board = selectors.dashboard_network(network=net)
        counts = {row["status"]: row["count"] for row in board.by_status}
        progress = {row["status"]: row["count"] for row in board.by_progress}
        assert board.total == 2 and counts == {"published": 2, "closed": 0}
        assert progress == {"planning": 0, "in_progress": 1, "fulfilled": 1, "lapsed": 0}
        overall = selectors.dashboard_objective(item=gcm_objective(16))
        assert overall.total == 2  # one and three carry objective 16; two carries objective 5
        assert {row["status"]: row["count"] for row in overall.by_status} == {"published": 1, "closed": 1}
        assert selectors.dashboard_government(government=b).total == 1
        assert selectors.dashboard_objective(item=gcm_objective(5)).total == 1
        year = board.over_time[-1]
        assert year == {"year": 2026, "count": 2, "mean_percent": 75.0, "fulfilled_share": 50.0, "fulfilled": 1}
        chart = selectors.dashboard_chart(board)
        assert "<svg" in chart.svg and chart.table.rows[-1][1:] == ("75", "50")


def test_progress_over_time_counts_from_the_start_of_a_pledge_registered_later():
    parts = published_commitment(when=dt.datetime(2026, 2, 1, tzinfo=dt.UTC), starts_on=dt.date(2024, 1, 1))
    with at(dt.datetime(2026, 2, 2, tzinfo=dt.UTC)):
        services.progress_update_add(user=parts["team"], commitment=parts["commitment"], status="in_progress",
                                     percent=30, narrative="Back then.", reported_on=dt.date(2024, 11, 1))
        services.progress_update_add(user=parts["team"], commitment=parts["commitment"], status="in_progress",
                                     percent=60, narrative="Last year.", reported_on=dt.date(2025, 10, 1))
        board = selectors.dashboard_government(government=parts["lead"])
    assert [(row["year"], row["mean_percent"]) for row in board.over_time] == [(2024, 30.0), (2025, 60.0),
                                                                              (2026, 60.0)]


def test_forum_and_consultation_dashboards():
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    contribution, author = flow["contributions"][0], flow["users"][0]
    with at(T0):
        commitment = services.commitment_create_from_contribution(
            user=author, contribution=contribution, forms=["policy"], target_date=dt.date(2027, 1, 1))
    from tests.commitments.factories import publish, staff

    admin = person(contribution.actor, "administrator")
    with at(T0):
        publish(commitment, team=author, admin=admin, publisher=staff())
    assert selectors.dashboard_consultation(consultation=flow["consultation"]).total == 1
    forum = _forum()
    assert selectors.dashboard_forum(forum=forum).total == 0
    with at(T0 + dt.timedelta(days=1)):
        services.commitment_report_to_forum(user=author, commitment=commitment, forum=forum, summary="Told them.")
    assert selectors.dashboard_forum(forum=forum).total == 1


def _forum():
    from arrival.consultations.models import Forum

    return Forum.objects.create(key="hlpf-test", name="HLPF", kind="hlpf", source="test")


def test_visibility_of_drafts():
    lead = city()
    team = person(lead)
    draft = draft_commitment(user=team, lead=lead)
    assert not person(city()).has_perm("commitments.view_commitment", draft)
    assert team.has_perm("commitments.view_commitment", draft)
    assert draft.pk in set(selectors.commitment_list_visible(user=team).values_list("pk", flat=True))
    assert not Commitment.objects.filter(pk__in=selectors.commitment_list_public().values("pk"), pk=draft.pk).exists()


def test_origin_providers_add_links():
    parts = published_commitment()

    def provider(commitment):
        return [("From resident proposal “Night buses”", "/participate/proposals/1/")] if commitment.pk else []

    register_origin_provider(provider)
    try:
        assert selectors.origin_links(commitment=parts["commitment"]) == [
            ("From resident proposal “Night buses”", "/participate/proposals/1/")]
    finally:
        unregister_origin_provider(provider)
