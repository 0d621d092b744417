"""Case-level data is for the round's national planners; superusers and site staff see it only through a
time-limited grant one of the planners gives them, on record in the audit log (issue 13 §1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arrival.accounts.services import api_token_create
from arrival.core.models import AuditEvent
from arrival.planning import selectors, services
from tests.accounts.factories import StaffFactory, UserFactory, sign_in_as
from tests.planning.factories import compute, ready_round


def _superuser():
    return UserFactory(is_superuser=True, is_staff=True)


def _auth(user) -> dict[str, str]:
    _token, key = api_token_create(user=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("make", [_superuser, StaffFactory])
def test_superusers_and_staff_see_no_case_data_without_a_grant(client, make):
    world = ready_round(cases=20)
    plan = compute(world)
    boss = make()
    with pytest.raises(PermissionDenied):
        selectors.case_list(user=boss, intake_round=world.round)
    sign_in_as(client, boss)
    assert client.get(reverse("planning:cases", args=[world.round.pk])).status_code == 403
    assert (
        client.get(reverse("planning:plan_assignment", args=[world.round.pk, plan.version])).status_code
        == 403
    )
    client.logout()
    url = f"/api/v1/planning/rounds/{world.round.pk}/plans/{plan.version}/assignment"
    assert client.get(url, **_auth(boss)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.cases_generate_synthetic(user=boss, intake_round=world.round, count=5)


def test_a_planners_grant_opens_case_data_for_a_limited_time_on_record(client):
    world = ready_round(cases=20)
    plan = compute(world)
    boss = _superuser()
    grant = services.case_access_grant(user=world.planner, intake_round=world.round, grantee=boss, hours=2)
    assert AuditEvent.objects.filter(
        action="planning.grant_case_access", target_id=str(world.round.pk)
    ).exists()
    assert selectors.case_list(user=boss, intake_round=world.round).count() == 20
    sign_in_as(client, boss)
    assert client.get(reverse("planning:cases", args=[world.round.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="planning.view_cases_under_grant", user=boss).exists()
    client.logout()
    url = f"/api/v1/planning/rounds/{world.round.pk}/plans/{plan.version}/assignment"
    assert client.get(url, **_auth(boss)).status_code == 200
    # Once it ends, it is closed again.
    type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        selectors.case_list(user=boss, intake_round=world.round)
    assert client.get(url, **_auth(boss)).status_code == 403


def test_a_grant_can_be_revoked_and_only_planners_give_one():
    world = ready_round(cases=10)
    boss = StaffFactory()
    with pytest.raises(PermissionDenied):
        services.case_access_grant(user=boss, intake_round=world.round, grantee=boss, hours=1)
    with pytest.raises(ValidationError):
        services.case_access_grant(user=world.planner, intake_round=world.round, grantee=boss, hours=0)
    with pytest.raises(ValidationError):
        services.case_access_grant(user=world.planner, intake_round=world.round, grantee=boss, hours=24 * 31)
    grant = services.case_access_grant(user=world.planner, intake_round=world.round, grantee=boss, hours=1)
    assert selectors.case_list(user=boss, intake_round=world.round).count() == 10
    services.case_access_revoke(user=world.planner, grant=grant)
    assert AuditEvent.objects.filter(action="planning.revoke_case_access").exists()
    with pytest.raises(PermissionDenied):
        selectors.case_list(user=boss, intake_round=world.round)


def test_planners_give_and_revoke_grants_through_the_api(client):
    world = ready_round(cases=10)
    plan = compute(world)
    boss = _superuser()
    base = f"/api/v1/planning/rounds/{world.round.pk}/case-grants"
    boss_session = sign_in_as(Client(), boss)
    refused = boss_session.post(base, {"user": boss.pk, "hours": 2}, content_type="application/json")
    assert refused.status_code == 403 and "signed in" not in refused.json()["detail"]  # a superuser cannot grant itself
    # Granting access is an account-level power: a token is refused (it would bypass the second factor),
    # the planner's signed-in session grants.
    by_token = client.post(
        base, {"user": boss.pk, "hours": 2}, content_type="application/json", **_auth(world.planner)
    )
    assert by_token.status_code == 403 and "signed in" in by_token.json()["detail"]
    planner_session = sign_in_as(Client(), world.planner)
    made = planner_session.post(base, {"user": boss.pk, "hours": 2}, content_type="application/json")
    assert made.status_code == 201 and made.json()["user"] == boss.pk
    assert [g["id"] for g in client.get(base, **_auth(world.planner)).json()] == [made.json()["id"]]
    url = f"/api/v1/planning/rounds/{world.round.pk}/plans/{plan.version}/assignment"
    assert client.get(url, **_auth(boss)).status_code == 200
    assert client.delete(f"{base}/{made.json()['id']}", **_auth(world.planner)).status_code == 200
    assert client.get(url, **_auth(boss)).status_code == 403
    bad = planner_session.post(base, {"user": boss.pk, "hours": 0}, content_type="application/json")
    assert bad.status_code == 422
