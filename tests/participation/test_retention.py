"""Retention: `retention_months` calendar months after a process's last phase ends, what identifies people goes
and what the city reported back stays — once, as a system action."""

from __future__ import annotations

import datetime as dt

import time_machine

from arrival.accounts.models import User
from arrival.core.jobs.registry import periodic_tasks
from arrival.core.models import AuditEvent
from arrival.engagement import services as engagement
from arrival.engagement.models import Comment, Report
from arrival.participation import services
from arrival.participation.models import (
    DemographicAnswer,
    GuestAccess,
    ParticipationProcess,
    Proposal,
    Support,
)
from arrival.participation.tasks import enforce_retention
from tests.participation.factories import (
    COLLECT_AT,
    START,
    SUPPORT_AT,
    city_with_officer,
    open_process,
    phases,
    posted,
    resident,
)

LAST_END = START + dt.timedelta(days=90)  # the report-back phase of the factory ends 2026-05-30 09:00 UTC
DUE = dt.datetime(2026, 8, 30, 9, 0, tzinfo=dt.UTC)  # three calendar months later


def _lived_process(**kwargs):
    """A process kept 3 months, with a resident's proposal, a guest's proposal, supports, a comment, a report
    and the aggregate counts."""
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city, retention_months=3, demographics_enabled=True, **kwargs)
    author, supporter, commenter = resident(), resident(), resident()
    proposal = posted(process, author, title="Evening classes", body="Near the market.")
    guest_proposal, guest, _raw = services.guest_proposal_create(
        process=process, display_name="Amal", title="A bench", body="At the stop.", language="en", at=COLLECT_AT)
    services.support_create(user=supporter, proposal=proposal, at=SUPPORT_AT)
    services.support_create(user=author, proposal=guest_proposal, at=SUPPORT_AT)
    services.support_create(user=commenter, proposal=proposal, at=SUPPORT_AT)
    with time_machine.travel(COLLECT_AT, tick=False):
        comment = engagement.comment_create(user=commenter, target=proposal, body="Yes please", process=process.process)
        engagement.report_create(user=supporter, target=comment, reason="off_topic", note="Not about classes")
    services.demographics_submit(process=process, answers={"age": "30_44", "years_in_city": "under_1"})
    return {"process": process, "proposal": proposal, "guest_proposal": guest_proposal, "guest": guest,
            "author": author, "comment": comment, "commenter": commenter, "supporter": supporter}


def _state(process: ParticipationProcess) -> dict:
    proposals = Proposal.objects.filter(process=process).order_by("pk")
    return {
        "proposals": list(proposals.values_list("pk", "author_id", "title", "body", "support_count")),
        "supports": Support.objects.filter(proposal__process=process).count(),
        "comments": list(Comment.objects.filter(process=process.process).values_list("pk", "author_id", "body")),
        "demographics": list(DemographicAnswer.objects.filter(process=process).values_list("question", "option",
                                                                                           "count")),
        "guests": GuestAccess.objects.filter(proposal__process=process).count(),
    }


def test_nothing_happens_before_the_period_ends():
    parts = _lived_process()
    before = _state(parts["process"])
    for moment in (LAST_END, DUE - dt.timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert services.retention_enforce() == 0
    assert _state(parts["process"]) == before
    parts["process"].refresh_from_db()
    assert parts["process"].retention_applied_at is None
    assert parts["proposal"].author_id == parts["author"].pk and before["supports"] == 3


def test_after_the_period_people_are_detached_and_the_record_stays():
    parts = _lived_process()
    process, proposal = parts["process"], parts["proposal"]
    before = _state(process)
    with time_machine.travel(DUE, tick=False):
        assert services.retention_enforce() == 1
    after = _state(process)
    # Authors of proposals and comments are gone; titles, bodies and support counts are as they were.
    assert [(pk, title, body, count) for pk, author, title, body, count in after["proposals"]] == \
        [(pk, title, body, count) for pk, author, title, body, count in before["proposals"]]
    assert {row[1] for row in after["proposals"]} == {None}
    assert [count for *_rest, count in after["proposals"]] == [2, 1]
    assert after["comments"] == [(parts["comment"].pk, None, "Yes please")]
    # Who supported what is gone; the counts stay.
    assert after["supports"] == 0
    # The guest account made for this process, holding nothing else, is deleted with its secret link.
    assert not User.objects.filter(pk=parts["guest"].pk).exists() and after["guests"] == 0
    # The residents' accounts themselves are not this process's to delete.
    assert User.objects.filter(pk__in=[parts["author"].pk, parts["commenter"].pk]).count() == 2
    # The aggregate counts stay.
    assert after["demographics"] == before["demographics"]
    # Reporters lose their link and note; the moderation record stays.
    report = Report.objects.get()
    assert report.reporter_id is None and report.note == ""
    # The values of the content's audit rows are redacted; the run itself is audited as a system action.
    proposal_rows = AuditEvent.objects.filter(target_type="participation.proposal", target_id=str(proposal.pk))
    assert proposal_rows.exists() and not proposal_rows.filter(redacted=False).exists()
    assert not proposal_rows.exclude(after=None).exists() and not proposal_rows.exclude(user=None).exists()
    comment_rows = AuditEvent.objects.filter(target_type="engagement.comment", target_id=str(parts["comment"].pk))
    assert comment_rows.exists() and not comment_rows.filter(redacted=False).exists()
    assert not comment_rows.exclude(user=None).exists()
    assert not AuditEvent.objects.filter(user__in=[parts["author"], parts["commenter"], parts["supporter"]]).exists()
    run = AuditEvent.objects.get(action="participation.retention_apply")
    assert run.user_id is None and run.target_id == str(process.pk)
    assert run.after["authors_detached"] == 2 and run.after["supports"] == 3 and run.after["guests_deleted"] == 1
    process.refresh_from_db()
    assert process.retention_applied_at == DUE
    assert services.privacy_notice_text(process).count("3 months after the process ends") == 1


def test_the_public_record_still_reads_after_anonymisation(client):
    parts = _lived_process()
    with time_machine.travel(DUE, tick=False):
        services.retention_enforce()
    page = client.get(parts["proposal"].get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Evening classes" in html and "Yes please" in html
    assert parts["commenter"].public_name not in html


def test_a_second_run_changes_nothing():
    parts = _lived_process()
    with time_machine.travel(DUE, tick=False):
        assert services.retention_enforce() == 1
    state = _state(parts["process"])
    audit_rows = AuditEvent.objects.count()
    with time_machine.travel(DUE + dt.timedelta(days=400), tick=False):
        assert services.retention_enforce() == 0
        assert enforce_retention(None) == {"anonymised": 0}
    assert _state(parts["process"]) == state and AuditEvent.objects.count() == audit_rows


def test_a_process_whose_last_phase_ends_later_is_untouched():
    ended = _lived_process()
    later_phases = phases()
    last = later_phases[-1]
    later_phases[-1] = type(last)(last.phase_type, last.starts_at, last.ends_at + dt.timedelta(days=60))
    running = open_process(retention_months=3, phases=later_phases)
    kept_author = resident()
    kept = posted(running, kept_author)
    with time_machine.travel(DUE, tick=False):
        assert services.retention_enforce() == 1
    kept.refresh_from_db()
    running.refresh_from_db()
    assert kept.author_id == kept_author.pk and running.retention_applied_at is None
    assert Proposal.objects.filter(process=ended["process"], author__isnull=False).count() == 0
    # Its own period ends three calendar months after its own last phase.
    with time_machine.travel(dt.datetime(2026, 10, 29, 9, 0, tzinfo=dt.UTC), tick=False):
        assert services.retention_enforce() == 1
    kept.refresh_from_db()
    assert kept.author_id is None


def test_a_guest_who_holds_something_else_keeps_the_account():
    parts = _lived_process()
    elsewhere = open_process(title="Another process", retention_months=120)
    other = posted(elsewhere, resident())
    services.support_create(user=parts["guest"], proposal=other, at=SUPPORT_AT)
    with time_machine.travel(DUE, tick=False):
        assert services.retention_enforce() == 1
    assert User.objects.filter(pk=parts["guest"].pk).exists()
    assert Support.objects.filter(user=parts["guest"], proposal=other).exists()
    parts["guest_proposal"].refresh_from_db()
    assert parts["guest_proposal"].author_id is None


def test_months_are_calendar_months():
    jan_31 = dt.datetime(2027, 1, 31, 12, 0, tzinfo=dt.UTC)
    assert services.months_after(jan_31, 1) == dt.datetime(2027, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert services.months_after(jan_31, 13) == dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC)
    assert services.months_after(dt.datetime(2026, 11, 15, tzinfo=dt.UTC), 24) == dt.datetime(2028, 11, 15,
                                                                                                tzinfo=dt.UTC)


def test_the_default_notice_says_what_is_done():
    text = services.default_privacy_notice(retention_months=3)
    assert "3 months after the process ends, we take your name off what you wrote" in text
    assert "deleted or anonymised" not in text


def test_the_retention_task_is_on_the_schedule():
    task = {task.name: task for task in periodic_tasks()}["participation.enforce_retention"]
    assert task.every == dt.timedelta(days=1) and task.func is enforce_retention
