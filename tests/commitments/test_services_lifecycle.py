"""The lifecycle draft → internal approval → submitted → published → closed, its permissions, the public id,
progress updates that never change once published, and commitments made from a consultation contribution."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from arrival.accounts.models import RoleKind
from arrival.commitments import selectors, services
from arrival.commitments.models import Commitment, CommitmentStatus, ProgressStatus, ProgressUpdate
from arrival.core.models import AuditEvent
from arrival.frameworks.selectors import tags_for
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
from tests.practices.factories import gcm_objective


def test_the_whole_lifecycle_with_frozen_time_and_a_public_id():
    lead = city("Ghent")
    team, admin, publisher = person(lead), person(lead, RoleKind.ADMINISTRATOR), staff()
    with at(T0):
        commitment = draft_commitment(user=team, lead=lead)
        assert commitment.status == CommitmentStatus.DRAFT and commitment.public_id is None
        services.commitment_submit_for_approval(user=team, commitment=commitment)
        assert commitment.status == CommitmentStatus.INTERNAL_APPROVAL
        services.commitment_approve(user=admin, commitment=commitment)
        assert commitment.approved_by == admin and commitment.approved_at == T0
        services.commitment_submit(user=team, commitment=commitment)
        services.commitment_publish(user=publisher, commitment=commitment)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.PUBLISHED
    assert commitment.public_id == "ARR-C-2026-00001"
    assert commitment.published_at == T0
    with at(T0 + dt.timedelta(days=40)):
        services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=30,
                                     narrative="Twenty hosts trained.")
        services.commitment_report_to_forum(user=team, commitment=commitment, forum=_forum(), summary="Reported.")
        services.commitment_close(user=team, commitment=commitment, note="Done for now.")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CLOSED
    assert commitment.public_id == "ARR-C-2026-00001"  # stable through updates and closing
    actions = set(AuditEvent.objects.filter(target_type="commitments.commitment", target_id=str(commitment.pk))
                  .values_list("action", flat=True))
    assert {"commitments.create_commitment", "commitments.submit_for_approval", "commitments.approve_commitment",
            "commitments.submit_commitment", "commitments.publish_commitment",
            "commitments.close_commitment"} <= actions


def _forum():
    from arrival.consultations.models import Forum

    return Forum.objects.get_or_create(key="imrf-2026", defaults={"name": "IMRF 2026", "kind": "imrf",
                                                                  "source": "test"})[0]


def test_public_ids_count_up_per_year_and_are_never_reused():
    first = published_commitment(when=T0)["commitment"]
    second = published_commitment(when=T0 + dt.timedelta(days=3))["commitment"]
    next_year = published_commitment(when=dt.datetime(2027, 1, 5, tzinfo=dt.UTC))["commitment"]
    assert [first.public_id, second.public_id, next_year.public_id] == [
        "ARR-C-2026-00001", "ARR-C-2026-00002", "ARR-C-2027-00001"]
    # Sending a published commitment back is impossible, so the id cannot be dropped and given again.
    with pytest.raises(ValidationError):
        services.commitment_send_back(user=staff(), commitment=first, reason="again")
    assert selectors.commitment_get_by_public_id(public_id="arr-c-2026-00002") == second


def test_only_the_leads_team_writes_and_only_while_draft():
    lead, other = city(), city()
    team, outsider = person(lead), person(other)
    with pytest.raises(PermissionDenied):
        draft_commitment(user=outsider, lead=lead)
    commitment = draft_commitment(user=team, lead=lead)
    with pytest.raises(PermissionDenied):
        services.commitment_update(user=outsider, commitment=commitment, title="Taken over")
    with pytest.raises(PermissionDenied):
        services.commitment_update(user=staff(), commitment=commitment, title="Site staff do not edit a city's pledge")
    services.commitment_update(user=team, commitment=commitment, title="Hosts in every district")
    services.commitment_submit_for_approval(user=team, commitment=commitment)
    with pytest.raises(PermissionDenied):
        services.commitment_update(user=team, commitment=commitment, title="Changed during approval")
    assert Commitment.objects.get(pk=commitment.pk).title == "Hosts in every district"


def test_administrators_approve_officers_do_not():
    lead = city()
    team, admin = person(lead), person(lead, RoleKind.ADMINISTRATOR)
    commitment = draft_commitment(user=team, lead=lead)
    services.commitment_submit_for_approval(user=team, commitment=commitment)
    with pytest.raises(PermissionDenied):
        services.commitment_approve(user=team, commitment=commitment)
    with pytest.raises(ValidationError):
        services.commitment_submit(user=team, commitment=commitment)  # not approved yet
    services.commitment_send_back(user=admin, commitment=commitment, reason="Add the budget line.")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DRAFT and commitment.returned_reason == "Add the budget line."


def test_who_may_publish():
    lead, net, other_net = city(), network("Cities for All"), network("Elsewhere")
    member_of(lead, net)
    team, admin = person(lead), person(lead, RoleKind.ADMINISTRATOR)
    net_staff, other_staff = person(net, RoleKind.STAFF), person(other_net, RoleKind.STAFF)
    commitment = draft_commitment(user=team, lead=lead)
    services.commitment_submit_for_approval(user=team, commitment=commitment)
    services.commitment_approve(user=admin, commitment=commitment)
    services.commitment_submit(user=team, commitment=commitment)
    for user in (team, admin, other_staff):
        with pytest.raises(PermissionDenied):
            services.commitment_publish(user=user, commitment=commitment)
    services.commitment_publish(user=net_staff, commitment=commitment)
    assert Commitment.objects.get(pk=commitment.pk).public_id.startswith("ARR-C-")


def test_an_incomplete_draft_cannot_go_to_approval_and_nothing_changes():
    lead = city()
    team = person(lead)
    commitment = draft_commitment(user=team, lead=lead, forms=[], target_date=None, tags=[])
    with pytest.raises(ValidationError) as error:
        services.commitment_submit_for_approval(user=team, commitment=commitment)
    messages = " ".join(error.value.messages)
    assert "form" in messages and "target date" in messages and "GCM objective" in messages
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.DRAFT


def test_matching_and_partnership_need_what_they_cite():
    lead = city()
    team = person(lead)
    with pytest.raises(ValidationError):
        draft_commitment(user=team, lead=lead, commitment_type="matching")
    original = published_commitment()["commitment"]
    matching = draft_commitment(user=team, lead=lead, commitment_type="matching", matches=original)
    assert matching.matches == original
    partnership = draft_commitment(user=team, lead=lead, commitment_type="partnership")
    with pytest.raises(ValidationError):
        services.commitment_submit_for_approval(user=team, commitment=partnership)
    unpublished = draft_commitment(user=team, lead=lead)
    with pytest.raises(ValidationError):
        draft_commitment(user=team, lead=lead, commitment_type="matching", matches=unpublished)


def test_progress_is_reported_only_once_published_and_moves_the_current_progress():
    parts = published_commitment()
    commitment, team = parts["commitment"], parts["team"]
    draft = draft_commitment(user=team, lead=parts["lead"])
    with pytest.raises(PermissionDenied):
        services.progress_update_add(user=team, commitment=draft, status="planning", percent=0, narrative="Early.")
    with pytest.raises(PermissionDenied):
        services.progress_update_add(user=person(city()), commitment=commitment, status="planning", percent=0,
                                     narrative="Not ours.")
    with at(T0 + dt.timedelta(days=30)):
        services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=40,
                                     narrative="Forty percent.", reported_on=dt.date(2026, 3, 30))
        # An update about an earlier date does not move the current progress backwards.
        services.progress_update_add(user=team, commitment=commitment, status="planning", percent=10,
                                     narrative="Looking back.", reported_on=dt.date(2026, 3, 10))
        with pytest.raises(ValidationError):
            services.progress_update_add(user=team, commitment=commitment, status="fulfilled", percent=90,
                                         narrative="Not quite.")
        with pytest.raises(ValidationError):
            services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=50,
                                         narrative="Tomorrow.", reported_on=dt.date(2026, 4, 2))
    commitment.refresh_from_db()
    assert (commitment.progress_status, commitment.progress_percent) == (ProgressStatus.IN_PROGRESS, 40)
    assert ProgressUpdate.objects.filter(commitment=commitment).count() == 2


def test_a_published_update_is_never_changed_a_correction_is_a_new_update():
    parts = published_commitment()
    commitment, team = parts["commitment"], parts["team"]
    with at(T0 + dt.timedelta(days=10)):
        wrong = services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=80,
                                             narrative="Eighty (a typo).")
        with pytest.raises(PermissionDenied):
            services.progress_update_edit(user=team, update=wrong, percent=8)
        fixed = services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=8,
                                             narrative="Eight percent, not eighty.", corrects=wrong)
    wrong.refresh_from_db()
    assert wrong.percent == 80 and fixed.corrects == wrong
    assert [u.pk for u in selectors.updates_for(commitment=commitment)] == [fixed.pk, wrong.pk]
    commitment.refresh_from_db()
    assert commitment.progress_percent == 8


def test_a_draft_update_can_be_changed_then_published():
    parts = published_commitment()
    commitment, team = parts["commitment"], parts["team"]
    with at(T0 + dt.timedelta(days=10)):
        update = services.progress_update_add(user=team, commitment=commitment, status="in_progress", percent=20,
                                              narrative="Draft.", publish=False)
        assert selectors.updates_for(commitment=commitment, viewer=person(city())) == []
        services.progress_update_edit(user=team, update=update, percent=25)
        services.progress_update_publish(user=team, update=update)
    commitment.refresh_from_db()
    assert commitment.progress_percent == 25


def test_milestones_complete_once_and_not_in_the_future():
    parts = published_commitment()
    milestone = parts["commitment"].milestones.get()
    with at(T0 + dt.timedelta(days=5)):
        with pytest.raises(ValidationError):
            services.milestone_complete(user=parts["team"], milestone=milestone,
                                        done_on=(T0 + dt.timedelta(days=6)).date())
        services.milestone_complete(user=parts["team"], milestone=milestone)
        with pytest.raises(ValidationError):
            services.milestone_complete(user=parts["team"], milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.done_at == T0 + dt.timedelta(days=5)
    assert milestone.done_on == (T0 + dt.timedelta(days=5)).date()  # today, when no day is chosen


def test_indicator_values_are_recorded_by_the_team():
    parts = published_commitment()
    indicator = parts["commitment"].indicators.get()
    with at(T0 + dt.timedelta(days=5)):
        services.indicator_value_set(user=parts["team"], indicator=indicator, value="120", measured_on="2026-03-01")
        with pytest.raises(PermissionDenied):
            services.indicator_value_set(user=person(city()), indicator=indicator, value=1, measured_on="2026-03-01")
    indicator.refresh_from_db()
    assert (indicator.latest_value, indicator.latest_on) == (120.0, dt.date(2026, 3, 1))


def test_a_commitment_from_a_contribution_keeps_the_link_and_shows_where_it_ended_up():
    from tests.consultations.factories import adopted_flow

    flow = adopted_flow()
    contribution = flow["contributions"][0]
    author = flow["users"][0]
    commitment = services.commitment_create_from_contribution(user=author, contribution=contribution)
    assert commitment.source_contribution == contribution
    assert commitment.consultation == flow["consultation"]
    assert commitment.lead == contribution.actor
    assert commitment.title == contribution.title
    assert "one desk" in commitment.description
    assert [t.item for t in tags_for(record=commitment)] == [gcm_objective(15)]
    trace = selectors.contribution_trace(commitment=commitment)
    paragraphs = [p for place in trace["destinations"] for p in place["paragraphs"]]
    assert paragraphs and all(contribution in p.sources.all() for p in paragraphs)
    # Another city that neither contributed nor co-signed cannot lead a commitment from it.
    other = city()
    with pytest.raises(ValidationError):
        services.commitment_create_from_contribution(user=person(other), contribution=contribution, lead=other)


def test_personal_data_export_and_erase_keep_the_governments_record():
    parts = published_commitment()
    team = parts["team"]
    with at(T0 + dt.timedelta(days=2)):
        services.progress_update_add(user=team, commitment=parts["commitment"], status="in_progress", percent=10,
                                     narrative="Begun.")
    data = services.personal_data_export(team)
    assert data["commitments_created"][0]["public_id"] == "ARR-C-2026-00001"
    assert data["progress_updates_written"][0]["narrative"] == "Begun."
    services.personal_data_erase(team, keep_content_anonymised=False)
    commitment = Commitment.objects.get(pk=parts["commitment"].pk)
    assert commitment.created_by is None and commitment.status == "published"
    assert ProgressUpdate.objects.get(commitment=commitment).author is None


@pytest.mark.parametrize("due_on", ["1899-12-31", "2201-01-01", dt.date(20, 1, 1)])
def test_a_milestone_due_outside_the_sane_range_is_refused(due_on):
    parts = published_commitment()
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2200-12-31"):
        services.milestone_add(user=parts["team"], commitment=parts["commitment"], title="Far", due_on=due_on)
    assert parts["commitment"].milestones.count() == 1
