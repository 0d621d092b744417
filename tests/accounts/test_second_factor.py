"""A second factor is required of site staff, superusers and powerful roles (national planners, administrators,
holders of a case access grant): until it is set up and passed in the session, only the set-up page (or the code
step) opens, and the API refuses the session. Recovery codes work once each."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.accounts import services
from arrival.accounts.models import RoleKind, User
from arrival.accounts.selectors import second_factor_required
from arrival.actors.models import ActorKind
from arrival.core.models import AuditEvent
from arrival.planning.models import CaseAccessGrant
from tests.accounts.factories import PASSWORD, RoleFactory, StaffFactory, UserFactory, pass_second_factor
from tests.actors.factories import ActorFactory
from tests.planning.factories import round_world

pytestmark = pytest.mark.django_db

PAGES = ["/", "/accounts/me/", "/planning/", "/engagement/moderation/", "/admin/", "/accounts/requests/"]
SETUP = "accounts:otp_enrol"
VERIFY = "accounts:login_otp"


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _planner() -> User:
    return RoleFactory(actor=ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT), kind=RoleKind.PLANNER).user


def _administrator() -> User:
    return RoleFactory(kind=RoleKind.ADMINISTRATOR).user


def _superuser() -> User:
    return UserFactory(is_superuser=True)


def _case_grant_holder() -> User:
    world = round_world()
    user = UserFactory()
    CaseAccessGrant.objects.create(round=world.round, user=user, granted_by=world.planner,
                                   expires_at=timezone.now() + timedelta(hours=4))
    return user


POWERFUL = {"staff": StaffFactory, "superuser": _superuser, "planner": _planner, "administrator": _administrator,
            "case grant": _case_grant_holder}


def _password_sign_in(user: User) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("who", sorted(POWERFUL))
def test_powerful_people_must_use_a_second_factor(who):
    assert second_factor_required(POWERFUL[who]())


@pytest.mark.parametrize("kind", [RoleKind.OFFICER, RoleKind.REVIEWER, RoleKind.STAFF])
def test_working_roles_and_residents_need_none(kind):
    assert not second_factor_required(RoleFactory(kind=kind).user)
    assert not second_factor_required(UserFactory())


def test_ended_roles_expired_grants_and_inactive_accounts_need_none():
    administrator = _administrator()
    administrator.roles.update(ended_at=timezone.now())
    assert not second_factor_required(administrator)
    holder = _case_grant_holder()
    CaseAccessGrant.objects.filter(user=holder).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert not second_factor_required(holder)
    assert not second_factor_required(StaffFactory(is_active=False))


@pytest.mark.parametrize("who", sorted(POWERFUL))
def test_without_a_device_every_page_leads_to_the_set_up_and_the_api_refuses_the_session(who):
    user = POWERFUL[who]()
    client = _password_sign_in(user)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{reverse(SETUP)}?next={path.replace('/', '%2F')}", path
    assert client.post("/accounts/me/profile/", {"display_name": "x"})["Location"] == reverse(SETUP)
    htmx = client.get("/planning/", headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(reverse(SETUP))
    for api in ("/api/v1/accounts/me", "/api/v1/actors/"):
        refused = client.get(api)
        assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
        assert "second factor" in refused.json()["detail"]
    # What stays open: the set-up page itself, the language switch and signing out.
    page = client.get(reverse(SETUP))
    assert page.status_code == 200 and "must use a second factor" in page.content.decode()
    assert client.post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_resident_is_never_asked():
    for user in (UserFactory(), RoleFactory(kind=RoleKind.OFFICER).user):
        client = _password_sign_in(user)
        assert client.get("/accounts/me/").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/accounts/me").status_code == 200


def _enrol_through_the_pages(client: Client) -> tuple[TOTPDevice, list[str]]:
    client.post(reverse(SETUP) + "?next=/engagement/moderation/", {"action": "start"})
    page = client.get(reverse(SETUP)).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', page).group(1)
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.bin_key == b32decode(secret)
    shown = client.post(reverse(SETUP) + "?next=/engagement/moderation/", {"action": "confirm", "token": code(device)})
    assert shown.status_code == 200
    text = shown.content.decode()
    codes = re.findall(r'<li><code class="secret">([a-z2-9]{5}-[a-z2-9]{5})</code></li>', text)
    assert len(codes) == services.RECOVERY_CODES_COUNT and len(set(codes)) == len(codes)
    assert 'href="/engagement/moderation/"' in text  # continue where the person was going
    device.refresh_from_db()
    return device, codes


def test_set_up_shows_recovery_codes_once_then_pages_open():
    staff = StaffFactory()
    client = _password_sign_in(staff)
    device, codes = _enrol_through_the_pages(client)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/accounts/me").status_code == 200
    # Only keyed fingerprints are kept: no code is in the database, and the page never shows them again.
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == len(codes) and not stored & ({c.replace("-", "") for c in codes} | set(codes))
    assert not any(c in client.get(reverse(SETUP)).content.decode() for c in codes)
    actions = set(AuditEvent.objects.filter(user=staff).values_list("action", flat=True))
    assert {"accounts.otp_device_start", "accounts.otp_device_confirm", "accounts.recovery_codes_issue"} <= actions


def test_with_a_device_an_unverified_session_is_sent_to_the_code_step():
    staff = StaffFactory()
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    signing_in = Client()
    response = signing_in.post(reverse("accounts:login"), {"username": staff.username, "password": PASSWORD})
    assert response["Location"] == reverse(VERIFY)  # the password alone does not sign in
    older = Client()
    older.force_login(staff)  # a session opened without the code
    for path in PAGES:
        response = older.get(path)
        assert response["Location"] == f"{reverse(VERIFY)}?next={path.replace('/', '%2F')}", path
    assert older.get(reverse(SETUP))["Location"].startswith(reverse(VERIFY))
    assert older.get("/api/v1/accounts/me").status_code == 403
    wrong = older.post(reverse(VERIFY), {"token": f"{(int(code(device)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="accounts.second_factor_fail", target_id=str(staff.pk)).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        device.refresh_from_db()
        passed = older.post(f"{reverse(VERIFY)}?next=/planning/", {"token": code(device)})
        assert passed["Location"] == "/planning/"
        for path in PAGES:
            assert older.get(path).status_code == 200, path


def test_a_recovery_code_works_once_only():
    planner = _planner()
    client = _password_sign_in(planner)
    _device, codes = _enrol_through_the_pages(client)
    client.post(reverse("accounts:logout"))
    for attempt in range(2):
        client.post(reverse("accounts:login"), {"username": planner.username, "password": PASSWORD})
        response = client.post(reverse(VERIFY), {"token": codes[3].upper().replace("-", " ")})
        if attempt == 0:
            assert response.status_code == 302 and client.get("/planning/").status_code == 200
            client.post(reverse("accounts:logout"))
        else:
            assert response.status_code == 200 and "used already" in response.content.decode()
            assert "_auth_user_id" not in client.session
    use = AuditEvent.objects.get(action="accounts.recovery_code_use")
    assert use.user == planner and use.after == {"left": services.RECOVERY_CODES_COUNT - 1}
    assert AuditEvent.objects.filter(action="accounts.second_factor_fail", after__kind="recovery_code").exists()


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones():
    administrator = _administrator()
    client = _password_sign_in(administrator)
    _device, old = _enrol_through_the_pages(client)
    refused = client.post(reverse(SETUP), {"action": "recovery_codes", "token": "wrong-code"})
    assert refused.status_code == 400 and StaticToken.objects.count() == len(old)
    # Each wrong code makes the next one wait (django_otp's throttling): a little later, a right code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        made = client.post(reverse(SETUP), {"action": "recovery_codes", "token": old[0]})
    assert made.status_code == 200
    new = re.findall(r'<li><code class="secret">([a-z2-9-]{11})</code></li>', made.content.decode())
    assert len(new) == services.RECOVERY_CODES_COUNT and not set(new) & set(old)
    with pytest.raises(ValidationError, match="used already"):
        services.second_factor_verify(user=administrator, code=old[1])
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert services.second_factor_verify(user=administrator, code=new[1]) is not None


def test_api_token_calls_are_left_to_the_token():
    staff = StaffFactory()
    _token, key = services.api_token_create(user=staff, name="script", scope="read")
    client = _password_sign_in(staff)  # an unverified session in the same client
    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json()["username"] == staff.username


def test_staff_reset_the_second_factor_of_someone_who_lost_everything():
    planner, staff = _planner(), StaffFactory()
    services.otp_device_start(user=planner)
    TOTPDevice.objects.filter(user=planner).update(confirmed=True)
    with pytest.raises(ValidationError, match="Another member of staff"):
        services.second_factor_reset(user=staff, subject=staff)
    with pytest.raises(PermissionDenied):  # a planner is not site staff
        services.second_factor_reset(user=_planner(), subject=planner)
    services.second_factor_reset(user=staff, subject=planner)
    assert not TOTPDevice.objects.filter(user=planner).exists()
    assert AuditEvent.objects.filter(action="accounts.second_factor_reset", user=staff,
                                     target_id=str(planner.pk)).exists()
    # The same from the server's command line.
    TOTPDevice.objects.create(user=planner, name="app", confirmed=True)
    out = io.StringIO()
    call_command("reset_second_factor", planner.username, stdout=out)
    assert "reset" in out.getvalue() and not TOTPDevice.objects.filter(user=planner).exists()
    assert AuditEvent.objects.filter(action="accounts.second_factor_reset", user=None).exists()
    client = _password_sign_in(planner)
    assert client.get("/planning/")["Location"].startswith(reverse(SETUP))


def test_the_test_helper_passes_the_factor_through_the_code_step():
    staff = StaffFactory()
    client = Client()
    pass_second_factor(client, staff)
    assert client.get("/engagement/moderation/").status_code == 200
    pass_second_factor(client, staff)  # again, e.g. a second session of the same person
    assert client.get("/admin/").status_code == 200


def test_demo_planner_sign_in_prints_what_completes_the_second_factor(settings):
    settings.PRODUCTION = False
    planner_role_actor = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT)
    sign_in = services.demo_account_reset(username="demo-planner-x", display_name="Demo planner",
                                          actor=planner_role_actor, kind=RoleKind.PLANNER)
    line = sign_in.describe()
    assert sign_in.recovery_code in line and sign_in.totp_secret in line
    client = Client()
    signed = client.post(reverse("accounts:login"), {"username": sign_in.user.username, "password": sign_in.password})
    assert signed["Location"] == reverse(VERIFY)  # the device is set up already: the code step follows
    assert client.post(reverse(VERIFY), {"token": sign_in.recovery_code}).status_code == 302
    assert client.get("/planning/").status_code == 200
    officer = services.demo_account_reset(username="demo-officer-x", display_name="Demo officer",
                                          actor=ActorFactory(), kind=RoleKind.OFFICER)
    assert officer.describe() == f"demo-officer-x / {officer.password}"
