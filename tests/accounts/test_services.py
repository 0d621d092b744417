"""Services: what they change, the audit rows they write, and the clear errors that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arrival.accounts import services
from arrival.accounts.models import ApiToken, Invitation, Role, RoleKind, RoleRequest, RoleRequestStatus, User
from arrival.actors.models import ActorKind
from arrival.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, RoleFactory, RoleRequestFactory, StaffFactory, UserFactory
from tests.actors.factories import ActorFactory

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (User, Role, RoleRequest, Invitation, ApiToken, AuditEvent))


@pytest.fixture
def city():
    return ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT)


@pytest.fixture
def city_admin(city):
    return RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR).user


# --- user_register / user_update_profile ----------------------------------------------------------------


def test_user_register_creates_a_pseudonymous_account_and_audits_it():
    user = services.user_register(
        username="amina", password=PASSWORD, display_name="Night Owl", preferred_language="ar"
    )
    assert user.check_password(PASSWORD)
    assert (user.display_name, user.email, user.preferred_language) == ("Night Owl", None, "ar")
    event = AuditEvent.objects.get(action="accounts.user_register")
    assert event.target_id == str(user.pk)
    assert event.after["has_email"] is False
    assert "email" not in event.after


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": "", "password": PASSWORD}, "username_required"),
        ({"username": "bad name!", "password": PASSWORD}, "invalid"),
        ({"username": "taken", "password": PASSWORD}, "username_taken"),
        ({"username": "TAKEN", "password": PASSWORD}, "username_taken"),
        ({"username": "new", "password": "short"}, "password_too_short"),
        ({"username": "new", "password": PASSWORD, "email": "not-an-address"}, "invalid"),
        ({"username": "new", "password": PASSWORD, "email": "Used@Example.org"}, "email_taken"),
        ({"username": "new", "password": PASSWORD, "preferred_language": "xx"}, "invalid_language"),
    ],
)
def test_user_register_refuses_bad_input_and_changes_nothing(kwargs, code):
    UserFactory(username="taken", email="used@example.org")
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.user_register(**{"preferred_language": "en", **kwargs})
    assert code in {item.code for item in error.value.error_list}
    assert counts() == before


def test_user_update_profile_changes_only_oneself():
    user, other = UserFactory(), UserFactory(email="taken@example.org")
    services.user_update_profile(user=user, display_name="  Lina ", email="lina@example.org", preferred_language="fr")
    user.refresh_from_db()
    assert (user.display_name, user.email, user.preferred_language) == ("Lina", "lina@example.org", "fr")
    event = AuditEvent.objects.get(action="accounts.user_update_profile")
    assert event.before["preferred_language"] == "en" and event.after["preferred_language"] == "fr"
    with pytest.raises(PermissionDenied):
        services.user_update_profile(user=user, subject=other, display_name="x", email=None, preferred_language="en")
    with pytest.raises(ValidationError):
        services.user_update_profile(user=user, display_name="y", email="taken@example.org", preferred_language="en")
    user.refresh_from_db()
    assert user.display_name == "Lina"


def test_a_person_chooses_a_time_zone_or_follows_their_governments():
    user = UserFactory()
    services.user_update_profile(user=user, display_name="", email=None, preferred_language="en",
                                 time_zone="Africa/Dakar")
    user.refresh_from_db()
    assert user.time_zone == "Africa/Dakar"
    assert AuditEvent.objects.filter(action="accounts.user_update_profile").last().after["time_zone"] == "Africa/Dakar"
    with pytest.raises(ValidationError, match="time zone"):
        services.user_update_profile(user=user, display_name="", email=None, preferred_language="en",
                                     time_zone="Mars/Olympus")
    user.refresh_from_db()
    assert user.time_zone == "Africa/Dakar"
    services.user_update_profile(user=user, display_name="", email=None, preferred_language="en", time_zone="")
    user.refresh_from_db()
    assert user.time_zone == ""


# --- role requests ---------------------------------------------------------------------------------------


def test_role_request_create_and_grant_creates_the_role(city):
    person, staff = UserFactory(), StaffFactory()
    request = services.role_request_create(user=person, actor=city, kind=RoleKind.OFFICER, message="Inclusion office")
    assert request.status == RoleRequestStatus.PENDING
    services.role_request_decide(user=staff, request=request, grant=True, note="Checked by phone")
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == ("granted", staff, "Checked by phone")
    role = Role.objects.get(user=person, actor=city)
    assert (role.kind, role.granted_by) == (RoleKind.OFFICER, staff)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.role_request_create", "accounts.role_request_decide", "accounts.role_grant"} <= actions


def test_role_request_refused_creates_no_role(city):
    request = RoleRequestFactory(actor=city)
    services.role_request_decide(user=StaffFactory(), request=request, grant=False, note="Not verifiable")
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.REFUSED
    assert not Role.objects.exists()


@pytest.mark.parametrize(
    ("actor_kind", "role_kind", "ok"),
    [
        (ActorKind.LOCAL_GOVERNMENT, RoleKind.OFFICER, True),
        (ActorKind.LOCAL_GOVERNMENT, RoleKind.PLANNER, False),
        (ActorKind.LOCAL_GOVERNMENT, RoleKind.STAFF, False),
        (ActorKind.REGIONAL_GOVERNMENT, RoleKind.REVIEWER, True),
        (ActorKind.NATIONAL_GOVERNMENT, RoleKind.PLANNER, True),
        (ActorKind.NETWORK, RoleKind.STAFF, True),
        (ActorKind.NETWORK, RoleKind.OFFICER, False),
        (ActorKind.NETWORK, RoleKind.PLANNER, False),
        (ActorKind.ORGANISATION, RoleKind.ADMINISTRATOR, True),
        (ActorKind.ORGANISATION, "mayor", False),
    ],
)
def test_role_kinds_are_valid_per_actor_kind(actor_kind, role_kind, ok):
    actor, person = ActorFactory(kind=actor_kind), UserFactory()
    before = counts()
    if ok:
        services.role_request_create(user=person, actor=actor, kind=role_kind)
    else:
        with pytest.raises(ValidationError):
            services.role_request_create(user=person, actor=actor, kind=role_kind)
        assert counts() == before


def test_role_request_twice_or_for_a_held_role_is_refused(city):
    person = RoleFactory(actor=city, kind=RoleKind.REVIEWER).user
    with pytest.raises(ValidationError, match="already hold"):
        services.role_request_create(user=person, actor=city, kind=RoleKind.REVIEWER)
    services.role_request_create(user=person, actor=city, kind=RoleKind.OFFICER)
    before = counts()
    with pytest.raises(ValidationError, match="already asked"):
        services.role_request_create(user=person, actor=city, kind=RoleKind.OFFICER)
    assert counts() == before


def test_only_site_staff_decide_and_never_on_their_own_request(city, city_admin):
    request = RoleRequestFactory(actor=city)
    with pytest.raises(PermissionDenied):
        services.role_request_decide(user=city_admin, request=request, grant=True)
    staff = StaffFactory()
    own = RoleRequestFactory(actor=city, user=staff)
    before = counts()
    with pytest.raises(ValidationError, match="Another member of staff"):
        services.role_request_decide(user=staff, request=own, grant=True)
    assert counts() == before


def test_a_decided_request_cannot_be_decided_again(city):
    request = RoleRequestFactory(actor=city)
    staff = StaffFactory()
    services.role_request_decide(user=staff, request=request, grant=False)
    before = counts()
    with pytest.raises(ValidationError, match="already been decided"):
        services.role_request_decide(user=staff, request=request, grant=True)
    assert counts() == before
    assert not Role.objects.exists()


def test_granting_keeps_a_role_the_person_meanwhile_got_by_invitation(city):
    request = RoleRequestFactory(actor=city, kind=RoleKind.OFFICER)
    RoleFactory(user=request.user, actor=city, kind=RoleKind.OFFICER)
    services.role_request_decide(user=StaffFactory(), request=request, grant=True)
    assert Role.objects.filter(user=request.user, actor=city, kind=RoleKind.OFFICER).count() == 1


def test_withdraw_own_request_only(city):
    request = RoleRequestFactory(actor=city)
    with pytest.raises(PermissionDenied):
        services.role_request_withdraw(user=UserFactory(), request=request)
    services.role_request_withdraw(user=request.user, request=request)
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.WITHDRAWN


# --- ending roles ----------------------------------------------------------------------------------------


def test_role_end_by_the_actors_administrator(city, city_admin):
    role = RoleFactory(actor=city, kind=RoleKind.OFFICER)
    services.role_end(user=city_admin, role=role)
    role.refresh_from_db()
    assert role.ended_at is not None
    assert not role.user.has_perm("actors.change_actor", city)
    event = AuditEvent.objects.get(action="accounts.role_end")
    assert event.before["ended_at"] is None and event.after["ended_at"]
    with pytest.raises(ValidationError, match="already ended"):
        services.role_end(user=city_admin, role=role)


def test_role_end_refused_to_an_officer_or_another_actors_admin(city):
    role = RoleFactory(actor=city, kind=RoleKind.OFFICER)
    officer = RoleFactory(actor=city, kind=RoleKind.OFFICER).user
    other_admin = RoleFactory(kind=RoleKind.ADMINISTRATOR).user
    for user in (officer, other_admin):
        with pytest.raises(PermissionDenied):
            services.role_end(user=user, role=role)
    role.refresh_from_db()
    assert role.ended_at is None


def test_anyone_may_step_down_from_their_own_role(city):
    role = RoleFactory(actor=city, kind=RoleKind.REVIEWER)
    services.role_end(user=role.user, role=role)
    role.refresh_from_db()
    assert role.ended_at is not None


# --- invitations -----------------------------------------------------------------------------------------


def test_invitation_create_stores_only_a_hash(city, city_admin):
    invitation, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER, note="Ana")
    assert raw not in invitation.token_hash and len(invitation.token_hash) == 64
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    event = AuditEvent.objects.get(action="accounts.invitation_create")
    assert raw not in str(event.after)


@pytest.mark.parametrize("inviter_kind", [RoleKind.OFFICER, RoleKind.REVIEWER])
def test_only_administrators_invite(city, inviter_kind):
    user = RoleFactory(actor=city, kind=inviter_kind).user
    with pytest.raises(PermissionDenied):
        services.invitation_create(user=user, actor=city, kind=RoleKind.OFFICER)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("kind", "days"), [(RoleKind.PLANNER, 14), (RoleKind.OFFICER, 0), (RoleKind.OFFICER, 91)])
def test_invitation_bad_input(city, city_admin, kind, days):
    before = counts()
    with pytest.raises(ValidationError):
        services.invitation_create(user=city_admin, actor=city, kind=kind, days_valid=days)
    assert counts() == before


def test_invitation_accept_grants_the_role(city, city_admin):
    invitation, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER)
    colleague = UserFactory()
    role = services.invitation_accept(user=colleague, raw_token=raw)
    assert (role.user, role.actor, role.kind, role.granted_by) == (colleague, city, RoleKind.OFFICER, city_admin)
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague
    assert AuditEvent.objects.filter(action="accounts.invitation_accept").exists()


def test_invitation_reused_is_refused(city, city_admin):
    _, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER)
    services.invitation_accept(user=UserFactory(), raw_token=raw)
    late = UserFactory()
    before = counts()
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(user=late, raw_token=raw)
    assert counts() == before


def test_invitation_expired_is_refused(city, city_admin):
    _, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER, days_valid=1)
    late = UserFactory()
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        before = counts()
        with pytest.raises(ValidationError, match="expired"):
            services.invitation_accept(user=late, raw_token=raw)
        assert counts() == before


def test_invitation_revoked_is_refused(city, city_admin):
    invitation, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER)
    services.invitation_revoke(user=city_admin, invitation=invitation)
    late = UserFactory()
    before = counts()
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(user=late, raw_token=raw)
    assert counts() == before
    with pytest.raises(ValidationError):
        services.invitation_revoke(user=city_admin, invitation=invitation)


def test_invitation_unknown_token_is_refused():
    with pytest.raises(ValidationError, match="not valid"):
        services.invitation_accept(user=UserFactory(), raw_token="nonsense")


def test_invitation_for_a_role_already_held_changes_nothing(city, city_admin):
    _, raw = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.ADMINISTRATOR)
    before = counts()
    with pytest.raises(ValidationError, match="already hold"):
        services.invitation_accept(user=city_admin, raw_token=raw)
    assert counts() == before


def test_invitation_revoke_by_another_actors_admin_is_denied(city, city_admin):
    invitation, _ = services.invitation_create(user=city_admin, actor=city, kind=RoleKind.OFFICER)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(user=RoleFactory(kind=RoleKind.ADMINISTRATOR).user, invitation=invitation)


# --- API tokens ------------------------------------------------------------------------------------------


def test_api_token_create_authenticate_revoke():
    user = UserFactory()
    token, raw = services.api_token_create(user=user, name="export script", scope="write")
    assert raw.startswith("arr_") and token.prefix == raw[:12] and raw not in token.key_hash
    assert services.api_token_authenticate(raw).user == user
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert services.api_token_authenticate(raw).user == user
    token.refresh_from_db()
    assert token.last_used_at == first_use  # written at most once an hour
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        services.api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > first_use
    services.api_token_revoke(user=user, token=token)
    assert "revoked" in services.api_token_authenticate(raw).refusal
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "accounts.api_token_create",
        "accounts.api_token_revoke",
    }


def test_api_token_of_an_inactive_user_or_garbage_does_not_authenticate():
    user = UserFactory()
    _, raw = services.api_token_create(user=user, name="x", scope="write")
    assert services.api_token_authenticate("arr_wrong") is None
    assert services.api_token_authenticate("") is None
    user.is_active = False
    user.save()
    assert services.api_token_authenticate(raw) is None


def test_api_token_bad_input_and_other_owner():
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="  ", scope="write")
    token, _ = services.api_token_create(user=user, name="mine", scope="write")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(user=UserFactory(), token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
