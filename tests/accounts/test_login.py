"""Sign-in: throttling after repeated failures, and the optional second factor (TOTP)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrival.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def test_sixth_failed_attempt_is_locked_out_with_a_translated_page(client):
    UserFactory(username="lina")
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse(LOGIN), {"username": "lina", "password": "wrong password"})
        assert response.status_code == 200
        assert "not right" in response.content.decode()
    client.post(reverse(LOGIN), {"username": "lina", "password": "wrong password"})
    # The sixth attempt is refused even with the right password.
    locked = client.post(reverse(LOGIN), {"username": "lina", "password": PASSWORD})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts to sign in" in page and "15 minutes" in page
    assert "_auth_user_id" not in client.session
    french = Client(HTTP_ACCEPT_LANGUAGE="fr")
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert 'lang="fr"' in french.post(reverse(LOGIN), {"username": "lina", "password": PASSWORD}).content.decode()


def test_lockout_is_per_username(client):
    UserFactory(username="lina")
    UserFactory(username="omar")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse(LOGIN), {"username": "lina", "password": "wrong password"})
    assert client.post(reverse(LOGIN), {"username": "omar", "password": PASSWORD}).status_code == 302


def _enrol(client: Client) -> TOTPDevice:
    page = client.get(reverse("accounts:otp_enrol"))
    assert "Begin" in page.content.decode()
    client.post(reverse("accounts:otp_enrol"), {"action": "start"})
    page = client.get(reverse("accounts:otp_enrol")).content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    assert "<svg" in page and 'role="img"' in page and "<img" not in page
    secret = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', page).group(1)
    assert secret  # the same key, shown as text for typing by hand
    response = client.post(reverse("accounts:otp_enrol"), {"action": "confirm", "token": code(device)})
    assert response.status_code == 200 and "Your recovery codes" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_enrol_then_sign_in_asks_for_a_code():
    user = RoleFactory().user
    client = Client()
    client.force_login(user)
    device = _enrol(client)
    assert AuditEvent.objects.filter(action="accounts.otp_device_confirm").exists()
    client.post(reverse("accounts:logout"))

    response = client.post(reverse(LOGIN), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_otp")
    assert "_auth_user_id" not in client.session  # not signed in until the code is given
    assert client.get(reverse("accounts:me")).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        wrong = client.post(reverse("accounts:login_otp"), {"token": wrong_code(device)})
        assert wrong.status_code == 200 and "not right" in wrong.content.decode()
        assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        device.refresh_from_db()
        response = client.post(reverse("accounts:login_otp"), {"token": code(device)})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == user.preferred_language
        assert client.get(reverse("accounts:me")).status_code == 200


def test_code_step_without_the_password_step_goes_back_to_sign_in(client):
    response = client.post(reverse("accounts:login_otp"), {"token": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse(LOGIN)


def test_an_older_session_must_pass_the_factor_once_enrolled():
    user = UserFactory()
    enrolling = Client()
    enrolling.force_login(user)
    device = _enrol(enrolling)
    other = Client()
    other.force_login(user)  # a session opened elsewhere, before or without the code
    response = other.get(reverse("accounts:me"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login_otp"))
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        device.refresh_from_db()
        assert other.post(response["Location"], {"token": code(device)}).status_code == 302
        assert other.get(reverse("accounts:me")).status_code == 200


def test_remove_second_factor_needs_a_current_code():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    device = _enrol(client)
    assert client.post(reverse("accounts:otp_remove"), {"token": wrong_code(device)}).status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        device.refresh_from_db()
        assert client.post(reverse("accounts:otp_remove"), {"token": code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
