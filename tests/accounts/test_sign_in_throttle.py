"""Sign-in throttling per address: password spraying from one address (many usernames, one address) is slowed
down, never locked out, so people behind a shared address still get in; the lockout per username and address
stays. The address is REMOTE_ADDR, or what the proxy header the deployment names says — nothing else."""

from __future__ import annotations

import datetime as dt

import time_machine
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from arrival.core.api import AnonymousRate
from arrival.core.http import client_address
from tests.accounts.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
START = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
CENTRE = "198.51.100.7"  # a community centre: many people, one address
ELSEWHERE = "203.0.113.9"
GUESS = "a guess"


def attempt(client: Client, username: str, password: str = GUESS, **headers: str):
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


def spray(client: Client, clock: time_machine.Coordinates, count: int, **headers: str) -> list[int]:
    """Try `count` usernames once each, waiting whenever told to; the waits, in seconds."""
    waits = []
    for n in range(count):
        response = attempt(client, f"guess{n}", **headers)
        while response.status_code == 429:
            waits.append(int(response["Retry-After"]))
            clock.shift(waits[-1])
            response = attempt(client, f"guess{n}", **headers)
        assert response.status_code == 200 and "not right" in response.content.decode()
    return waits


def test_spraying_thirty_usernames_from_one_address_is_slowed_down_never_locked_out(settings):
    assert (settings.ARRIVAL_LOGIN_ADDRESS_FAILURE_LIMIT, settings.ARRIVAL_LOGIN_ADDRESS_MAX_DELAY) == (
        20,
        30,
    )
    UserFactory(username="nadia")
    with time_machine.travel(START, tick=False) as clock:
        waits = spray(Client(REMOTE_ADDR=CENTRE), clock, 30)
        # After 20 failures each further attempt waits, longer each time up to 30 s, never more.
        assert waits == [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]
        # A request that had to wait reached no password check and recorded nothing.
        assert AccessAttempt.objects.filter(ip_address=CENTRE).count() == 30
        assert set(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == {1}

        # Nadia, at the same community centre, waits at most the 30 s, then her password works.
        nadia = Client(REMOTE_ADDR=CENTRE)
        response = attempt(nadia, "nadia", PASSWORD)
        assert response.status_code == 429 and int(response["Retry-After"]) <= 30
        assert attempt(nadia, "nadia", "her first try, mistyped").status_code == 429  # not counted either
        clock.shift(int(response["Retry-After"]))
        assert attempt(nadia, "nadia", PASSWORD).status_code == 302
        # Nobody elsewhere is slowed down by it.
        assert attempt(Client(REMOTE_ADDR=ELSEWHERE), "nadia", PASSWORD).status_code == 302

        # Once the failures are older than the cool-off (15 minutes), the address is not slowed at all.
        clock.shift(15 * 60)
        assert attempt(Client(REMOTE_ADDR=CENTRE), "guess0").status_code == 200


def test_the_wait_page_says_how_long_in_the_persons_language():
    with time_machine.travel(START, tick=False) as clock:
        spray(Client(REMOTE_ADDR=CENTRE), clock, 20)
        french = attempt(Client(REMOTE_ADDR=CENTRE, HTTP_ACCEPT_LANGUAGE="fr"), "guess0")
        english = attempt(Client(REMOTE_ADDR=CENTRE), "guess0")
    assert french.status_code == 429 and french["Retry-After"] == "1"
    page = french.content.decode()
    assert 'lang="fr"' in page and "Réessayez dans 1 seconde." in page
    assert f'href="{LOGIN}"' in page
    assert "Many attempts to sign in have failed from your connection" in english.content.decode()


def test_the_admin_sign_in_form_is_slowed_down_too():
    """Anyone signed in reaches the admin's own sign-in form, which checks passwords as well."""
    admin_login = reverse("admin:login")
    client = Client(REMOTE_ADDR=CENTRE)
    client.force_login(UserFactory())
    with time_machine.travel(START, tick=False):
        for n in range(20):
            assert client.post(admin_login, {"username": f"guess{n}", "password": GUESS}).status_code == 200
        response = client.post(admin_login, {"username": "guess20", "password": GUESS})
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert AccessAttempt.objects.filter(ip_address=CENTRE).count() == 20


def test_the_lockout_per_username_and_address_still_holds(settings):
    UserFactory(username="nadia")
    client = Client(REMOTE_ADDR=CENTRE)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "nadia")
    assert attempt(client, "nadia", PASSWORD).status_code == 429
    assert attempt(Client(REMOTE_ADDR=ELSEWHERE), "nadia", PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_without_a_configured_proxy(settings):
    assert settings.ARRIVAL_TRUSTED_PROXY_HEADER == ""
    with time_machine.travel(START, tick=False) as clock:
        client = Client(REMOTE_ADDR=CENTRE)
        for n in range(20):  # a new made-up address each time
            attempt(client, f"guess{n}", **{"X-Forwarded-For": f"192.0.2.{n}"})
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CENTRE}
        assert attempt(client, "guess20", **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429
        clock.shift(60)
        waits = spray(client, clock, 1, **{"X-Forwarded-For": "192.0.2.100"})
        assert waits == []


def test_the_configured_proxy_header_names_the_address(settings):
    settings.ARRIVAL_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    proxy = "10.0.0.2"  # every request reaches Arrival from the proxy
    attacker, neighbour = "192.0.2.50", "192.0.2.51"
    with time_machine.travel(START, tick=False):
        client = Client(REMOTE_ADDR=proxy)
        for n in range(20):
            # The attacker makes up a first entry; the proxy appends the address it really saw.
            attempt(client, f"guess{n}", **{"X-Forwarded-For": f"172.16.0.{n}, {attacker}"})
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {attacker}
        assert (
            attempt(client, "guess20", **{"X-Forwarded-For": f"172.16.0.99, {attacker}"}).status_code == 429
        )
        # Someone else behind the same proxy is not slowed down.
        UserFactory(username="nadia")
        assert (
            attempt(
                Client(REMOTE_ADDR=proxy), "nadia", PASSWORD, **{"X-Forwarded-For": neighbour}
            ).status_code
            == 302
        )


def test_client_address_reads_only_the_configured_header(settings):
    factory = RequestFactory()

    def address(**headers: str) -> str | None:
        return client_address(factory.get("/", REMOTE_ADDR="10.0.0.2", headers=headers))

    assert address(**{"X-Forwarded-For": "192.0.2.1"}) == "10.0.0.2"
    assert address(**{"X-Real-IP": "192.0.2.1"}) == "10.0.0.2"
    settings.ARRIVAL_TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert address(**{"X-Real-IP": "192.0.2.1"}) == "192.0.2.1"
    assert address(**{"X-Real-IP": " 2001:db8::1 "}) == "2001:db8::1"
    assert address(**{"X-Forwarded-For": "192.0.2.1"}) == "10.0.0.2"  # not the configured header
    assert address() == "10.0.0.2"  # a request that did not come through the proxy
    assert address(**{"X-Real-IP": "not an address"}) == "10.0.0.2"
    settings.ARRIVAL_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.ARRIVAL_TRUSTED_PROXY_COUNT = (
        2  # e.g. a load balancer, then nginx: the second entry from the right
    )
    assert address(**{"X-Forwarded-For": "172.16.0.1, 192.0.2.1, 10.0.0.1"}) == "192.0.2.1"
    assert address(**{"X-Forwarded-For": "192.0.2.1"}) == "10.0.0.2"  # fewer entries than proxies


def test_the_api_rate_limit_counts_by_the_same_address(settings):
    request = RequestFactory().get("/api/v1/", REMOTE_ADDR=CENTRE, headers={"X-Forwarded-For": "192.0.2.1"})
    assert AnonymousRate("1/min").get_ident(request) == CENTRE
    settings.ARRIVAL_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert AnonymousRate("1/min").get_ident(request) == "192.0.2.1"
