"""Processes and phases: validation, the current phase on its boundaries, gates and their messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrival.accounts.models import RoleKind
from arrival.core.models import AuditEvent
from arrival.engagement import selectors, services
from arrival.engagement.models import Phase, Process
from arrival.engagement.phases import (
    PhaseSpec,
    action_allowed,
    phase_type_get,
    phase_type_register,
    phase_types,
)
from tests.accounts.factories import RoleFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory
from tests.engagement.factories import T0

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _types():
    phase_type_register("tests.collect", label="Collect", kind="tests.process",
                        actions=["create:engagement.comment", "comment:actors.actor"])
    phase_type_register("tests.vote", label="Vote", kind="tests.process", actions=["support:actors.actor"])


def _specs():
    return [
        PhaseSpec("tests.collect", T0, T0 + 7 * DAY),
        PhaseSpec("tests.vote", T0 + 7 * DAY, T0 + 14 * DAY, name="Final vote"),
    ]


@pytest.fixture
def officer():
    return RoleFactory(kind=RoleKind.OFFICER).user


def _create(officer, specs=None):
    owner = officer.roles.get().actor
    return services.process_create(user=officer, owner=owner, kind="tests.process", title="Budget 2027",
                                   phases=_specs() if specs is None else specs, time_zone="Europe/Paris")


def test_create_stores_phases_in_order_with_type_defaults_and_audits(officer):
    process = _create(officer)
    phases = selectors.phase_list(process=selectors.process_get(pk=process.pk))
    assert [p.position for p in phases] == [1, 2]
    assert phases[0].actions == ["create:engagement.comment", "comment:actors.actor"]
    assert phases[1].name == "Final vote"
    event = AuditEvent.objects.get(action="engagement.create_process")
    assert event.after["title"] == "Budget 2027" and len(event.after["phases"]) == 2


def test_update_changes_title_and_zone_with_an_audit_row_and_refuses_others(officer):
    process = _create(officer)
    services.process_update(user=officer, process=process, title="  Budget 2028 ", time_zone="Africa/Dakar")
    process.refresh_from_db()
    assert (process.title, process.time_zone) == ("Budget 2028", "Africa/Dakar")
    event = AuditEvent.objects.filter(action="engagement.change_process").last()
    assert event.before["title"] == "Budget 2027" and event.after["time_zone"] == "Africa/Dakar"
    with pytest.raises(ValidationError):
        services.process_update(user=officer, process=process, time_zone="Nowhere/Atlantis")
    with pytest.raises(ValidationError):
        services.process_update(user=officer, process=process, title="   ")
    with pytest.raises(PermissionDenied):
        services.process_update(user=UserFactory(), process=process, title="Mine")
    process.refresh_from_db()
    assert (process.title, process.time_zone) == ("Budget 2028", "Africa/Dakar")


@pytest.mark.parametrize("kind", [RoleKind.ADMINISTRATOR, RoleKind.STAFF, RoleKind.OFFICER])
def test_owner_people_and_site_staff_may_create(kind):
    actor = ActorFactory()
    user = RoleFactory(actor=actor, kind=kind).user
    services.process_create(user=user, owner=actor, kind="tests.process", title="t", phases=_specs())
    services.process_create(user=StaffFactory(), owner=actor, kind="tests.process", title="t", phases=_specs())
    assert Process.objects.count() == 2


def test_others_may_not_create():
    actor = ActorFactory()
    reviewer = RoleFactory(actor=actor, kind=RoleKind.REVIEWER).user
    for user in (UserFactory(), reviewer, RoleFactory(kind=RoleKind.OFFICER).user):
        with pytest.raises(PermissionDenied):
            services.process_create(user=user, owner=actor, kind="tests.process", title="t", phases=_specs())
    assert not Process.objects.exists()


@pytest.mark.parametrize("specs, message", [
    ([], "at least one phase"),
    ([PhaseSpec("tests.collect", T0, T0)], "must end after it starts"),
    ([PhaseSpec("tests.collect", T0 + DAY, T0)], "must end after it starts"),
    ([PhaseSpec("tests.collect", T0, T0 + 3 * DAY), PhaseSpec("tests.vote", T0 + 2 * DAY, T0 + 5 * DAY)],
     "without overlapping"),
    ([PhaseSpec("tests.vote", T0 + 5 * DAY, T0 + 6 * DAY), PhaseSpec("tests.collect", T0, T0 + DAY)],
     "without overlapping"),
    ([PhaseSpec("tests.nope", T0, T0 + DAY)], "unknown type"),
    ([PhaseSpec("tests.collect", T0.replace(tzinfo=None), T0.replace(tzinfo=None) + DAY)], "time zone"),
    ([PhaseSpec("tests.collect", T0, T0 + DAY, actions=["comment"])], "is not an action"),
    ([PhaseSpec("tests.collect", T0.replace(year=1899), T0 + DAY)], "between 1900-01-01 and 2200-12-31"),
    ([PhaseSpec("tests.collect", T0, T0.replace(year=2201))], "Phase 1: the end must be between"),
])
def test_invalid_phases_are_refused_and_nothing_changes(officer, specs, message):
    with pytest.raises(ValidationError, match=message):
        _create(officer, specs)
    assert not Process.objects.exists() and not Phase.objects.exists() and not AuditEvent.objects.exists()


def test_phases_set_replaces_validates_and_keeps_announcements(officer):
    process = _create(officer)
    Phase.objects.filter(process=process, position=1).update(announced_at=T0)
    with pytest.raises(ValidationError):
        services.process_phases_set(user=officer, process=process,
                                    phases=[PhaseSpec("tests.collect", T0, T0 + 9 * DAY), *_specs()[1:]])
    assert [p.ends_at for p in Phase.objects.filter(process=process)] == [T0 + 7 * DAY, T0 + 14 * DAY]
    phases = services.process_phases_set(user=officer, process=process, phases=[
        PhaseSpec("tests.collect", T0, T0 + 5 * DAY), PhaseSpec("tests.vote", T0 + 6 * DAY, T0 + 9 * DAY)])
    assert [p.ends_at for p in phases] == [T0 + 5 * DAY, T0 + 9 * DAY]
    stored = list(Phase.objects.filter(process=process).order_by("position"))
    assert stored[0].announced_at == T0 and stored[1].announced_at is None
    event = AuditEvent.objects.get(action="engagement.change_process")
    assert len(event.before["phases"]) == 2 and event.after["phases"][1]["starts_at"].startswith("2026-03-08")
    with pytest.raises(PermissionDenied):
        services.process_phases_set(user=UserFactory(), process=process, phases=_specs())


def test_current_phase_on_boundaries(officer):
    process = selectors.process_get(pk=_create(officer).pk)
    assert selectors.phase_current(process=process, at=T0 - timedelta(microseconds=1)) is None
    assert selectors.phase_current(process=process, at=T0).position == 1
    assert selectors.phase_current(process=process, at=T0 + 7 * DAY - timedelta(microseconds=1)).position == 1
    assert selectors.phase_current(process=process, at=T0 + 7 * DAY).position == 2
    assert selectors.phase_current(process=process, at=T0 + 14 * DAY) is None


def test_frozen_time_gates_and_timeline(officer):
    process = selectors.process_get(pk=_create(officer).pk)
    with time_machine.travel(T0 + 3 * DAY, tick=False):
        assert selectors.phase_allows(process=process, action="comment:actors.actor")
        assert not selectors.phase_allows(process=process, action="support:actors.actor")
        assert services.phase_require(process=process, action="comment:actors.actor").position == 1
        assert [v.state for v in selectors.phase_timeline(process=process)] == ["current", "upcoming"]
    with time_machine.travel(T0 + 8 * DAY, tick=False):
        assert selectors.phase_allows(process=process, action="support:actors.actor")
        timeline = selectors.phase_timeline(process=process)
        assert [v.state for v in timeline] == ["past", "current"]
        assert [v.label for v in timeline] == ["Collect", "Final vote"]


def test_phase_require_messages_name_the_phase(officer):
    process = selectors.process_get(pk=_create(officer).pk)
    with pytest.raises(ValidationError) as error:
        services.phase_require(process=process, action="support:actors.actor", at=T0 + DAY)
    message = error.value.messages[0]
    assert "Supporting actors" in message and "“Collect”" in message and "Budget 2027" in message
    with pytest.raises(ValidationError, match="next phase, “Collect”, has not started"):
        services.phase_require(process=process, action="comment:actors.actor", at=T0 - DAY)
    with pytest.raises(ValidationError, match="has no phase running now"):
        services.phase_require(process=process, action="comment:actors.actor", at=T0 + 20 * DAY)


def test_phase_types_registry():
    assert phase_type_get("tests.collect").actions == ("create:engagement.comment", "comment:actors.actor")
    keys = [t.key for t in phase_types(kind="tests.process")]
    assert "tests.collect" in keys and "engagement.discussion" in keys
    assert "tests.collect" not in [t.key for t in phase_types(kind="other.kind")]
    assert action_allowed(["comment:*"], "comment:actors.actor")
    assert not action_allowed(["comment:*"], "create:actors.actor")
    with pytest.raises(ValueError):
        phase_type_register("tests.bad", label="Bad", actions=["comment"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(-2, 10)), min_size=1, max_size=5))
def test_any_phase_list_is_stored_in_order_without_overlap_or_refused_whole(officer, windows):
    """Invariant: whatever phases are asked for, what is stored is ordered and disjoint, or nothing is."""
    specs = [PhaseSpec("tests.collect", T0 + start * DAY, T0 + (start + length) * DAY) for start, length in windows]
    before = Process.objects.count()
    try:
        process = _create(officer, specs)
    except ValidationError:
        assert Process.objects.count() == before
        return
    phases = list(Phase.objects.filter(process=process).order_by("position"))
    assert len(phases) == len(specs)
    for phase, following in zip(phases, phases[1:], strict=False):
        assert phase.starts_at < phase.ends_at <= following.starts_at
