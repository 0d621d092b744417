"""Accounts pages: they render for the right people, refuse the others, and do what their buttons say."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from arrival.accounts import services
from arrival.accounts.models import ApiToken, Invitation, Role, RoleKind, RoleRequest, RoleRequestStatus, User
from arrival.actors.models import ActorKind
from tests.accounts.factories import (
    PASSWORD,
    RoleFactory,
    RoleRequestFactory,
    StaffFactory,
    UserFactory,
    pass_second_factor,
)
from tests.actors.factories import ActorFactory, index_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    actor = ActorFactory(kind=ActorKind.LOCAL_GOVERNMENT, name="Mechelen")
    index_names(actor, "Malines")
    return actor


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


@pytest.mark.parametrize(
    "name", ["accounts:signup", "accounts:login", "accounts:password_reset", "accounts:password_reset_done"]
)
def test_public_pages_render_for_anonymous(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b"<h1>" in response.content


@pytest.mark.parametrize(
    "name",
    ["accounts:me", "accounts:profile_edit", "accounts:role_request", "accounts:otp_enrol", "accounts:password_change"],
)
def test_private_pages_send_anonymous_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name",
    ["accounts:me", "accounts:profile_edit", "accounts:role_request", "accounts:otp_enrol", "accounts:password_change"],
)
def test_private_pages_render_signed_in(signed_in, name):
    assert signed_in.get(reverse(name)).status_code == 200


def test_signup_says_status_is_never_asked_and_creates_the_account(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert "never asks for your legal or migration status" in page
    response = client.post(
        reverse("accounts:signup"),
        {"username": "owl", "display_name": "Night Owl", "email": "", "preferred_language": "fr",
         "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username="owl")
    assert user.email is None and user.display_name == "Night Owl"
    assert response.cookies["django_language"].value == "fr"
    assert client.get(reverse("accounts:me")).status_code == 200


def test_signup_errors_show_in_place_and_create_nothing(client):
    UserFactory(username="taken")
    response = client.post(
        reverse("accounts:signup"),
        {"username": "taken", "preferred_language": "en", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert "This username is taken" in response.content.decode()
    assert User.objects.count() == 1


def test_sign_in_applies_the_preferred_language(client):
    UserFactory(username="lina", preferred_language="ar")
    response = client.post(reverse("accounts:login"), {"username": "lina", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:me")
    assert response.cookies["django_language"].value == "ar"


def test_sign_out_is_post_only(signed_in):
    assert signed_in.get(reverse("accounts:logout")).status_code == 405
    assert signed_in.post(reverse("accounts:logout")).status_code == 302
    assert signed_in.get(reverse("accounts:me")).status_code == 302


def test_me_lists_roles_requests_and_tokens(signed_in, person, city):
    RoleFactory(user=person, actor=city, kind=RoleKind.ADMINISTRATOR)
    pass_second_factor(signed_in, person)
    RoleRequestFactory(user=person, actor=ActorFactory(name="Ghent"))
    services.api_token_create(user=person, name="nightly export", scope="write")
    page = signed_in.get(reverse("accounts:me")).content.decode()
    for text in ("Mechelen", "Administrator", "Ghent", "Pending", "nightly export", "On: signing in asks for a code"):
        assert text in page
    assert reverse("accounts:team", args=[city.slug]) in page


def test_role_request_search_and_send(signed_in, person, city):
    page = signed_in.get(reverse("accounts:role_request"), {"q": "malines"}).content.decode()
    assert "Mechelen" in page
    url = f"{reverse('accounts:role_request')}?actor={city.slug}"
    form_page = signed_in.get(url).content.decode()
    assert 'value="officer"' in form_page and 'value="planner"' not in form_page
    response = signed_in.post(url, {"kind": "officer", "message": "Inclusion office"})
    assert response.status_code == 302
    assert RoleRequest.objects.get(user=person).actor == city


def test_role_request_page_refuses_a_kind_the_actor_cannot_have(signed_in, city):
    url = f"{reverse('accounts:role_request')}?actor={city.slug}"
    assert signed_in.post(url, {"kind": "planner"}).status_code == 200
    assert not RoleRequest.objects.exists()


def test_request_queue_is_for_site_staff(client, signed_in, city):
    request = RoleRequestFactory(actor=city)
    assert signed_in.get(reverse("accounts:request_queue")).status_code == 403
    staff_client = Client()
    pass_second_factor(staff_client, StaffFactory())
    page = staff_client.get(reverse("accounts:request_queue")).content.decode()
    assert "Mechelen" in page
    response = staff_client.post(
        reverse("accounts:request_decide", args=[request.pk]), {"decision": "grant", "note": "Called the city hall"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.GRANTED
    assert Role.objects.filter(user=request.user, actor=city).exists()


def test_non_staff_cannot_decide(signed_in, city):
    request = RoleRequestFactory(actor=city)
    signed_in.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "grant"})
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.PENDING


def test_team_page_invite_accept_and_end_role(client, city, settings):
    settings.ARRIVAL_SITE_URL = "https://arrival.example.org"
    admin = RoleFactory(actor=city, kind=RoleKind.ADMINISTRATOR).user
    pass_second_factor(client, admin)
    assert client.get(reverse("accounts:team", args=[city.slug])).status_code == 200
    response = client.post(reverse("accounts:team", args=[city.slug]), {"kind": "officer", "note": "Ana", "days_valid": 7})
    assert response.status_code == 200
    # The link to pass on starts with the site's public address, whatever host the administrator used.
    link = re.search(r'value="(https://arrival\.example\.org/accounts/invitations/[^"]+/)"',
                     response.content.decode()).group(1)
    assert Invitation.objects.get().token_hash not in link
    link = link.removeprefix("https://arrival.example.org")

    colleague_client = Client()
    anonymous_view = colleague_client.get(link)
    assert anonymous_view.status_code == 200 and "Sign in" in anonymous_view.content.decode()
    colleague = UserFactory()
    colleague_client.force_login(colleague)
    assert colleague_client.post(link).status_code == 302
    role = Role.objects.get(user=colleague, actor=city)

    reused = Client()
    reused.force_login(UserFactory())
    again = reused.post(link)
    assert again.status_code == 400 and "already been used" in again.content.decode()

    assert "Ana" not in client.get(reverse("accounts:team", args=[city.slug])).content.decode()
    client.post(reverse("accounts:role_end", args=[role.pk]))
    role.refresh_from_db()
    assert role.ended_at is not None


def test_team_page_refused_to_officers_and_other_admins(signed_in, person, city):
    RoleFactory(user=person, actor=city, kind=RoleKind.OFFICER)
    RoleFactory(user=person, kind=RoleKind.ADMINISTRATOR)
    pass_second_factor(signed_in, person)
    assert signed_in.get(reverse("accounts:team", args=[city.slug])).status_code == 403
    assert signed_in.post(reverse("accounts:team", args=[city.slug]), {"kind": "officer", "days_valid": 7}).status_code == 403
    assert not Invitation.objects.exists()


def test_invitation_page_with_an_unknown_token(client):
    response = client.get(reverse("accounts:invitation_accept", args=["nonsense"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_token_created_shows_the_key_once(signed_in, person):
    response = signed_in.post(reverse("accounts:token_create"), {"name": "script", "scope": "read", "days_valid": "90"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=person)
    raw = re.search(r'value="(arr_[^"]+)"', response.content.decode()).group(1)
    assert raw.startswith(token.prefix)
    assert raw not in signed_in.get(reverse("accounts:me")).content.decode()
    signed_in.post(reverse("accounts:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile_edit(signed_in, person):
    response = signed_in.post(
        reverse("accounts:profile_edit"), {"display_name": "Lina", "email": "lina@example.org", "preferred_language": "es",
                                           "time_zone": "America/Lima"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.email, person.preferred_language) == ("Lina", "lina@example.org", "es")
    assert person.time_zone == "America/Lima"
    assert "America/Lima" in signed_in.get(reverse("accounts:me")).content.decode()
    assert response.cookies["django_language"].value == "es"


def test_password_reset_sends_a_link_by_email(client):
    UserFactory(email="lina@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "lina@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_password_reset_page_explains_accounts_without_email(client):
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert "If your account has none, we cannot send you a link" in page
    client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("accounts:signup", [], {"username": "x", "password1": PASSWORD, "password2": PASSWORD, "preferred_language": "en"}),
        ("accounts:login", [], {"username": "x", "password": PASSWORD}),
        ("accounts:token_create", [], {"name": "x"}),
        ("accounts:profile_edit", [], {"display_name": "x", "preferred_language": "en"}),
        ("accounts:logout", [], {}),
    ],
)
def test_csrf_is_enforced_on_post_pages(person, name, args, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    response = client.post(reverse(name, args=args), data)
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    person.refresh_from_db()
    assert person.display_name != "x"


def test_csrf_is_enforced_on_staff_and_team_actions(city):
    request = RoleRequestFactory(actor=city)
    staff = Client(enforce_csrf_checks=True)
    pass_second_factor(staff, StaffFactory())
    assert staff.post(reverse("accounts:request_decide", args=[request.pk]), {"decision": "grant"}).status_code == 403
    request.refresh_from_db()
    assert request.status == RoleRequestStatus.PENDING
