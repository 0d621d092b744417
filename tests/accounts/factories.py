"""Factories for people and roles; other apps' tests build on them."""

from __future__ import annotations

import re
import secrets

import factory
from django.test import Client
from django.urls import reverse

from arrival.accounts.models import Role, RoleKind, RoleRequest, User
from tests.actors.factories import ActorFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = None
    preferred_language = "en"
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    is_staff = True


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(ActorFactory)
    kind = RoleKind.OFFICER


class RoleRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleRequest

    user = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(ActorFactory)
    kind = RoleKind.OFFICER
    message = "Write to me at the city hall."


def pass_second_factor(client: Client, user: User) -> None:
    """Sign `client` in as `user` and pass the second factor for real, as staff and powerful roles must before
    anything else: a confirmed authenticator device is set up when `user` has none, a recovery code known to the
    test is added, and the code step of sign-in takes it (the session then holds the verified device)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from arrival.accounts.services import recovery_code_digest

    client.force_login(user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery, _created = StaticDevice.objects.get_or_create(user=user, confirmed=True,
                                                            defaults={"name": "Recovery codes"})
    code = f"test-{secrets.token_hex(4)}"  # letters: a recovery code, not an app code
    StaticToken.objects.create(device=recovery, token=recovery_code_digest(code))
    # The form's CSRF token, for clients that enforce CSRF checks.
    page = client.get(reverse("accounts:login_otp")).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = {"token": code, **({"csrfmiddlewaretoken": csrf.group(1)} if csrf else {})}
    response = client.post(reverse("accounts:login_otp"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.session.get(DEVICE_ID_SESSION_KEY) == recovery.persistent_id


def sign_in_as(client: Client, user: User) -> Client:
    """`client.force_login(user)`, and for a person who must use a second factor (or has one), the code step
    passed for real with `pass_second_factor` — what tests acting as staff, planners or administrators use."""
    from arrival.accounts.selectors import second_factor_state

    state = second_factor_state(user)
    if state.required or state.enrolled:
        pass_second_factor(client, user)
    else:
        client.force_login(user)
    return client
