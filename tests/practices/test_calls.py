"""Calls for practices are engagement processes: submissions → review → results. Submitting a practice to a call
is open only while the submissions phase runs; the deadline is that phase's end; the data migration gives calls
made before processes their process."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from arrival.core.models import AuditEvent
from arrival.engagement.selectors import phase_current
from arrival.practices import phases, selectors, services
from arrival.practices.models import CallForPractices, ReviewStage
from tests.practices.factories import CallFactory, draft_practice, officer_for, team_of

UTC = dt.UTC
OPENS = dt.datetime(2031, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = dt.datetime(2031, 4, 30, 22, 0, tzinfo=UTC)


def _submit(practice, call):
    return services.practice_submit(user=team_of(practice), practice=practice, call=call)


def test_submissions_are_open_only_during_the_submissions_phase() -> None:
    call = CallFactory(opens=OPENS, deadline=DEADLINE)
    early, on_time, last_minute, late = (draft_practice(title=f"Practice {n}") for n in range(4))

    with time_machine.travel(OPENS - dt.timedelta(seconds=1), tick=False):
        assert not selectors.calls_open().filter(pk=call.pk).exists()
        with pytest.raises(ValidationError, match=re.escape("takes practices from 2 March 2031, 09:00 (UTC)")):
            _submit(early, call)
    early.refresh_from_db()
    assert early.stage == ReviewStage.DRAFT and early.call is None

    with time_machine.travel(OPENS, tick=False):  # a phase runs from its start, inclusive
        _submit(on_time, call)
        assert selectors.calls_open().get(pk=call.pk).received == 1
    with time_machine.travel(DEADLINE - dt.timedelta(seconds=1), tick=False):
        _submit(last_minute, call)

    with time_machine.travel(DEADLINE, tick=False):  # … to its end, exclusive: review has begun
        assert phase_current(process=call.process).phase_type == phases.REVIEW
        with pytest.raises(ValidationError, match=re.escape("closed on 30 April 2031, 22:00 (UTC)")):
            _submit(late, call)
        assert not selectors.calls_open().filter(pk=call.pk).exists()
        assert list(selectors.calls_closed().filter(pk=call.pk)) == [call]
        # Submitting without a call is not gated by any call.
        _submit(early, None)
    late.refresh_from_db()
    assert late.stage == ReviewStage.DRAFT and late.call is None
    assert set(call.practices.values_list("pk", flat=True)) == {on_time.pk, last_minute.pk}


def test_the_deadline_is_the_end_of_the_submissions_phase_with_or_without_the_annotation() -> None:
    call = CallFactory(opens=OPENS, deadline=DEADLINE)
    fresh = CallForPractices.objects.get(pk=call.pk)
    assert fresh.deadline == DEADLINE  # read from the phases
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        listed = selectors.calls_open().get(pk=call.pk)
    assert listed.__dict__["submissions_ends_at"] == DEADLINE and listed.deadline == DEADLINE


def test_call_open_creates_the_process_and_its_phases_from_now_to_the_deadline() -> None:
    from tests.actors.factories import NetworkFactory

    network = NetworkFactory().actor
    staff = officer_for(network, kind="staff")
    now = dt.datetime(2031, 1, 10, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        # A naive deadline is the wall time in the call's zone: 18:00 in Bogotá is 23:00 UTC.
        call = services.call_open(user=staff, owner=network, title="Housing newcomers",
                                  description="<p>Practices on housing.</p><script>x</script>",
                                  deadline=dt.datetime(2031, 2, 28, 18, 0),  # noqa: DTZ001
                                  time_zone="America/Bogota")
    assert call.description == "<p>Practices on housing.</p>"
    process = call.process
    assert (process.kind, process.owner, process.title, process.time_zone) == (
        phases.PROCESS_KIND, network, "Housing newcomers", "America/Bogota")
    got = [(p.phase_type, p.starts_at, p.ends_at, p.actions) for p in process.phases.order_by("position")]
    deadline = dt.datetime(2031, 2, 28, 23, 0, tzinfo=UTC)
    review_ends = deadline + phases.REVIEW_PERIOD
    assert got == [
        (phases.SUBMISSIONS, now, deadline, [phases.SUBMIT_PRACTICE]),
        (phases.REVIEW, deadline, review_ends, []),
        (phases.RESULTS, review_ends, review_ends + phases.RESULTS_PERIOD, []),
    ]
    assert selectors.call_get(slug=call.slug).deadline == deadline
    assert AuditEvent.objects.filter(action="practices.call_open", target_id=str(call.pk)).exists()
    assert AuditEvent.objects.filter(action="engagement.create_process", target_id=str(process.pk)).exists()


def test_call_open_refuses_bad_input_and_stores_nothing() -> None:
    from tests.actors.factories import NetworkFactory

    network = NetworkFactory().actor
    staff = officer_for(network, kind="staff")
    base = {"user": staff, "owner": network, "title": "Late", "description": "<p>x</p>"}
    with pytest.raises(ValidationError, match="future"):
        services.call_open(**base, deadline=dt.datetime.now(UTC) - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="Unknown time zone"):
        services.call_open(**base, deadline=dt.datetime.now(UTC) + dt.timedelta(days=1), time_zone="Mars/Olympus")
    outsider = officer_for(NetworkFactory().actor, kind="staff")
    with pytest.raises(Exception, match="(?i)permission|not allowed"):
        services.call_open(**{**base, "user": outsider}, deadline=dt.datetime.now(UTC) + dt.timedelta(days=1))
    assert not CallForPractices.objects.exists()
    assert not network.engagement_processes.exists()


def test_the_call_page_shows_the_timeline_and_the_deadline_in_both_zones() -> None:
    call = CallFactory(opens=OPENS, deadline=DEADLINE, time_zone="Asia/Tokyo")
    with time_machine.travel(OPENS + dt.timedelta(days=3), tick=False):
        html = Client().get(reverse("practices:call_detail", args=[call.slug])).content.decode()
        listing = Client().get(reverse("practices:call_list")).content.decode()
    assert 'class="phase-timeline"' in html and 'aria-current="step"' in html
    for label in ("Submissions", "Review", "Results"):
        assert label in html
    assert "30 April 2031, 22:00" in html  # the viewer's zone (UTC here)
    assert "1 May 2031, 07:00" in html  # the organiser's, Asia/Tokyo
    assert call.title in listing and "1 May 2031, 07:00" in listing


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_gives_a_call_without_process_its_phases() -> None:
    from tests.actors.factories import NetworkFactory

    owner = NetworkFactory().actor
    before = [("practices", "0004_callforpractices_process")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldCall = old_apps.get_model("practices", "CallForPractices")
        old = OldCall.objects.create(title="Made before processes", description="<p>x</p>", owner_id=owner.pk,
                                     deadline=DEADLINE, slug="made-before-processes", is_demo=True)
        OldCall.objects.filter(pk=old.pk).update(created_at=OPENS)
        migration = importlib.import_module("arrival.practices.migrations.0005_call_processes_from_deadlines")
        with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
            migration.create_call_processes(old_apps, None)
            migration.create_call_processes(old_apps, None)  # a second run changes nothing
        # This one is left to `migrate` itself: step 2 in its transaction, then step 3's ALTER TABLE.
        OldCall.objects.create(title="Left to migrate", description="<p>y</p>", owner_id=owner.pk,
                               deadline=DEADLINE + dt.timedelta(days=1), slug="left-to-migrate")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    call = CallForPractices.objects.select_related("process").get(slug="made-before-processes")
    assert call.deadline == DEADLINE
    assert (call.process.kind, call.process.owner_id, call.process.is_demo) == (phases.PROCESS_KIND, owner.pk, True)
    rows = list(call.process.phases.order_by("position"))
    assert [(p.phase_type, p.starts_at, p.ends_at) for p in rows] == [
        (phases.SUBMISSIONS, OPENS, DEADLINE),
        (phases.REVIEW, DEADLINE, DEADLINE + phases.REVIEW_PERIOD),
        (phases.RESULTS, DEADLINE + phases.REVIEW_PERIOD, DEADLINE + phases.REVIEW_PERIOD + phases.RESULTS_PERIOD),
    ]
    assert rows[0].actions == [phases.SUBMIT_PRACTICE]
    assert rows[0].announced_at is not None and rows[1].announced_at is None  # past phases are not news
    assert call.process.owner.engagement_processes.count() == 2
    migrated = CallForPractices.objects.get(slug="left-to-migrate")
    assert migrated.deadline == DEADLINE + dt.timedelta(days=1) and migrated.process.phases.count() == 3
    with time_machine.travel(OPENS + dt.timedelta(days=2), tick=False):
        practice = draft_practice()
        _submit(practice, call)
    assert practice.call == call


def test_owner_zone_is_used_for_the_error_message() -> None:
    call = CallFactory(opens=OPENS, deadline=DEADLINE, time_zone="Asia/Tokyo")
    practice = draft_practice()
    with time_machine.travel(DEADLINE + dt.timedelta(hours=1), tick=False):
        with pytest.raises(ValidationError, match=re.escape("1 May 2031, 07:00 (Asia/Tokyo)")):
            _submit(practice, call)
