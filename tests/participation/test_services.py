"""Processes, phases, permissions, proposals, supports and answers, with frozen time."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from arrival.accounts.models import RoleKind
from arrival.core.models import AuditEvent
from arrival.engagement.models import Notification, Phase
from arrival.participation import selectors, services
from arrival.participation.models import (
    Access,
    Answer,
    AnswerStatus,
    ParticipationProcess,
    Proposal,
    StatusKind,
    Support,
)
from tests.accounts.factories import RoleFactory, StaffFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory
from tests.participation.factories import (
    ANSWER_AT,
    COLLECT_AT,
    REPORT_AT,
    SUPPORT_AT,
    city_with_officer,
    open_process,
    posted,
    resident,
)


def _status(process: ParticipationProcess, kind: str) -> AnswerStatus:
    return AnswerStatus.objects.get(owner=process.owner, kind=kind)


class TestProcess:
    def test_officer_opens_a_process_with_phases_statuses_and_categories(self) -> None:
        process = open_process()
        assert process.process.kind == services.PROCESS_KIND
        assert [p.phase_type for p in process.process.phases.all()] == [
            services.PHASE_COLLECT, services.PHASE_SUPPORT, services.PHASE_ANSWER, services.PHASE_REPORT_BACK]
        collect = process.process.phases.get(phase_type=services.PHASE_COLLECT)
        assert collect.actions == [services.ACTION_CREATE, services.ACTION_COMMENT]
        assert [s.kind for s in AnswerStatus.objects.filter(owner=process.owner)] == [
            "considering", "accepted", "in_progress", "done", "not_possible"]
        assert list(process.categories.values_list("name", flat=True)) == ["Housing", "Work"]
        assert AuditEvent.objects.filter(action="participation.process_create", target_id=str(process.pk)).exists()

    def test_default_privacy_notice_names_retention_and_what_is_never_kept(self) -> None:
        process = open_process(retention_months=18)
        text = services.privacy_notice_text(process)
        assert "18 months" in text and "IP address" in text and "nationality" in text

    @pytest.mark.parametrize("kind", [RoleKind.REVIEWER])
    def test_other_roles_and_strangers_cannot_open(self, kind: str) -> None:
        city, reviewer = city_with_officer(kind=kind)
        with pytest.raises(PermissionDenied):
            open_process(officer=reviewer, city=city)
        other_city, _officer = city_with_officer()
        with pytest.raises(PermissionDenied):
            open_process(officer=_officer, city=city)
        assert not ParticipationProcess.objects.exists()

    def test_only_local_governments_run_processes(self) -> None:
        network = ActorFactory(kind="network", country=None)
        with pytest.raises(ValidationError):
            open_process(officer=StaffFactory(), city=network)

    def test_overlapping_phases_change_nothing(self) -> None:
        from tests.participation.factories import phases

        bad = phases()
        bad[1].starts_at = bad[0].starts_at
        city, officer = city_with_officer()
        with pytest.raises(ValidationError):
            open_process(officer=officer, city=city, phases=bad)
        assert not ParticipationProcess.objects.exists() and not Phase.objects.exists()

    def test_city_chooses_actions_per_phase(self) -> None:
        process = open_process()
        from tests.participation.factories import phases

        specs = phases()
        specs[1].actions = [services.ACTION_SUPPORT]  # no comments while supporting
        services.process_update(user=process_officer(process), process=process, phases=specs)
        assert selectors.phase_allows(process=process, action=services.ACTION_SUPPORT, at=SUPPORT_AT)
        assert not selectors.phase_allows(process=process, action=services.ACTION_COMMENT, at=SUPPORT_AT)


def process_officer(process: ParticipationProcess):
    from arrival.accounts.models import Role

    return Role.objects.filter(actor=process.owner).first().user


class TestPhases:
    def test_proposals_only_while_collecting(self) -> None:
        process = open_process()
        author = resident()
        posted(process, author)
        for moment in (SUPPORT_AT, ANSWER_AT, REPORT_AT):
            with pytest.raises(ValidationError, match="not open"):
                services.proposal_create(user=author, process=process, title="Late", body="Too late",
                                         language="en", at=moment)
        assert Proposal.objects.count() == 1

    def test_frozen_time_gates_the_pages_default_moment(self) -> None:
        process = open_process()
        with time_machine.travel(COLLECT_AT, tick=False):
            proposal = services.proposal_create(user=resident(), process=process, title="Now", body="b",
                                                language="ar")
        with time_machine.travel(COLLECT_AT, tick=False), pytest.raises(ValidationError):
            services.support_create(user=resident(), proposal=proposal)
        with time_machine.travel(SUPPORT_AT, tick=False):
            services.support_create(user=resident(), proposal=proposal)
        with time_machine.travel(ANSWER_AT, tick=False), pytest.raises(ValidationError):
            services.support_create(user=resident(), proposal=proposal)
        assert Proposal.objects.get(pk=proposal.pk).support_count == 1


class TestAccess:
    def test_invited_groups_only(self) -> None:
        city, officer = city_with_officer()
        process = open_process(officer=officer, city=city, access=Access.INVITED)
        outsider = resident()
        with pytest.raises(PermissionDenied):
            posted(process, outsider)
        group, raw = services.invited_group_create(user=officer, process=process, name="Migrant council")
        member = resident()
        services.invited_group_join(user=member, raw_token=raw)
        assert posted(process, member).author == member
        with pytest.raises(ValidationError):
            services.invited_group_join(user=outsider, raw_token="wrong")
        assert group.token_hash != raw

    def test_guests_cannot_enter_invited_processes(self) -> None:
        process = open_process(access=Access.INVITED)
        with pytest.raises(ValidationError):
            services.guest_proposal_create(process=process, title="t", body="b", language="en", at=COLLECT_AT)


class TestSupports:
    def test_one_support_per_person(self) -> None:
        process = open_process()
        proposal = posted(process, resident())
        supporter = resident()
        services.support_create(user=supporter, proposal=proposal, at=SUPPORT_AT)
        with pytest.raises(ValidationError, match="already"):
            services.support_create(user=supporter, proposal=proposal, at=SUPPORT_AT)
        with pytest.raises(IntegrityError), transaction.atomic():
            Support.objects.create(proposal=proposal, user=supporter)
        assert Proposal.objects.get(pk=proposal.pk).support_count == 1
        services.support_withdraw(user=supporter, proposal=proposal, at=SUPPORT_AT)
        assert Proposal.objects.get(pk=proposal.pk).support_count == 0

    def test_no_support_for_own_or_hidden(self) -> None:
        process = open_process()
        author = resident()
        proposal = posted(process, author)
        with pytest.raises(ValidationError):
            services.support_create(user=author, proposal=proposal, at=SUPPORT_AT)
        Proposal.objects.filter(pk=proposal.pk).update(visibility="hidden")
        proposal.refresh_from_db()
        with pytest.raises(ValidationError):
            services.support_create(user=resident(), proposal=proposal, at=SUPPORT_AT)

    def test_rate_limit_on_posting(self, settings) -> None:
        settings.ARRIVAL_POST_RATE = "2/m"
        process = open_process()
        author = resident()
        posted(process, author)
        posted(process, author)
        with pytest.raises(ValidationError, match="too quickly"):
            posted(process, author)
        assert Proposal.objects.count() == 2


class TestAnswers:
    def test_team_answers_author_is_notified_history_kept(self) -> None:
        process = open_process()
        officer = process_officer(process)
        author = resident()
        proposal = posted(process, author)
        services.answer_create(user=officer, proposal=proposal, status=_status(process, StatusKind.CONSIDERING),
                               text="We are looking.")
        services.answer_create(user=officer, proposal=proposal, status=_status(process, StatusKind.ACCEPTED),
                               text="Yes.")
        proposal.refresh_from_db()
        assert proposal.status.kind == StatusKind.ACCEPTED
        assert Answer.objects.filter(proposal=proposal).count() == 2
        assert Notification.objects.filter(recipient=author, kind="participation.answered").count() == 2

    def test_not_possible_needs_reasons_and_statuses_of_the_city(self) -> None:
        process = open_process()
        officer = process_officer(process)
        proposal = posted(process, resident())
        with pytest.raises(ValidationError):
            services.answer_create(user=officer, proposal=proposal,
                                   status=_status(process, StatusKind.NOT_POSSIBLE), text="No.")
        other = open_process()
        with pytest.raises(ValidationError):
            services.answer_create(user=officer, proposal=proposal, status=_status(other, StatusKind.DONE), text="x")
        assert not Answer.objects.exists()

    def test_residents_and_other_cities_cannot_answer(self) -> None:
        process = open_process()
        proposal = posted(process, resident())
        _city, other_officer = city_with_officer()
        for user in (resident(), other_officer):
            with pytest.raises(PermissionDenied):
                services.answer_create(user=user, proposal=proposal, status=_status(process, StatusKind.DONE),
                                       text="x")

    def test_city_defines_its_own_statuses(self) -> None:
        process = open_process()
        officer = process_officer(process)
        status = services.answer_status_save(user=officer, owner=process.owner, label="Budget 2027",
                                             kind=StatusKind.ACCEPTED, position=9)
        with pytest.raises(ValidationError):
            services.answer_status_save(user=officer, owner=process.owner, label="Budget 2027",
                                        kind=StatusKind.ACCEPTED)
        assert status in selectors.answer_status_list(owner=process.owner)

    def test_link_only_when_accepted_and_shown_on_commitment_side(self) -> None:
        from arrival.participation.links import commitment_origins

        process = open_process()
        officer = process_officer(process)
        proposal = posted(process, resident())
        with pytest.raises(ValidationError):
            services.proposal_link_create(user=officer, proposal=proposal, kind="commitment",
                                          target_type="commitments.commitment", target_id=7, label="C", url="/c/7/")
        services.answer_create(user=officer, proposal=proposal, status=_status(process, StatusKind.ACCEPTED),
                               text="Yes")
        proposal.refresh_from_db()
        services.proposal_link_create(user=officer, proposal=proposal, kind="commitment",
                                      target_type="commitments.commitment", target_id=7, label="C", url="/c/7/")

        class Commitment:
            pk = 7

        assert commitment_origins(Commitment()) == [(f"From resident proposal “{proposal.title}”",
                                                     proposal.get_absolute_url())]


class TestListsAndReportBack:
    def test_filters_sorts_and_seeded_random(self) -> None:
        process = open_process()
        housing = process.categories.get(name="Housing")
        a = posted(process, resident(), title="A", category=housing)
        b = posted(process, resident(), title="B", language="ar")
        c = posted(process, resident(), title="C")
        for supporter in (resident(), resident()):
            services.support_create(user=supporter, proposal=b, at=SUPPORT_AT)
        services.support_create(user=resident(), proposal=c, at=SUPPORT_AT)
        f = selectors.ProposalFilters
        assert list(selectors.proposal_list(process=process, filters=f(sort="supported"))) == [b, c, a]
        assert list(selectors.proposal_list(process=process, filters=f(category=housing.pk))) == [a]
        assert list(selectors.proposal_list(process=process, filters=f(language="ar"))) == [b]
        first = list(selectors.proposal_list(process=process, filters=f(sort="random", seed=42)))
        assert first == list(selectors.proposal_list(process=process, filters=f(sort="random", seed=42)))
        assert sorted(p.pk for p in first) == sorted([a.pk, b.pk, c.pk])

    def test_report_back_counts_every_input(self) -> None:
        process = open_process()
        officer = process_officer(process)
        done = posted(process, resident())
        posted(process, resident())
        services.answer_create(user=officer, proposal=done, status=_status(process, StatusKind.DONE), text="Done")
        report = selectors.report_back(process=process)
        assert report["total"] == 2 and report["unanswered"] == 1
        assert {row["status"].kind: row["count"] for row in report["by_status"]}[StatusKind.DONE] == 1
        assert [row["answer"].text if row["answer"] else None for row in report["rows"]].count("Done") == 1


class TestDemographics:
    def test_counts_only_and_switchable(self) -> None:
        process = open_process(demographics_enabled=True)
        services.demographics_submit(process=process, answers={"age": "18_29"})
        services.demographics_submit(process=process, answers={"age": "18_29", "gender": "woman"})
        assert selectors.demographic_totals(process=process) == {"age": {"18_29": 2}, "gender": {"woman": 1}}
        off = open_process()
        with pytest.raises(ValidationError):
            services.demographics_submit(process=off, answers={"age": "18_29"})
        with pytest.raises(ValidationError):
            services.demographics_submit(process=process, answers={"age": "unknown"})


def test_site_staff_may_open_for_any_city() -> None:
    city = LocalGovernmentFactory().actor
    RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR)
    assert open_process(officer=StaffFactory(), city=city).owner == city


class TestGuests:
    def test_guest_account_has_no_email_no_password_and_one_proposal(self) -> None:
        process = open_process()
        proposal, guest, raw = services.guest_proposal_create(process=process, display_name="", title="t",
                                                              body="b", language="ar", at=COLLECT_AT)
        assert guest.email is None and not guest.has_usable_password() and guest.public_name == "Guest"
        assert services.guest_resume(raw_token=raw).proposal == proposal
        assert services.guest_resume(raw_token="wrong" + raw) is None
        with pytest.raises(ValidationError, match="one proposal"):
            posted(process, guest)
        assert services.is_guest(guest) and not services.is_guest(resident())
