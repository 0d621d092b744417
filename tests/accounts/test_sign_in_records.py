"""Sign-in records: only what the lockout needs (failed attempts, for the cool-off period), pruned by the
schedule, listed in "download my data" and erased with the account."""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from arrival.accounts.tasks import prune_sign_in_records
from arrival.core.jobs.registry import periodic_tasks
from tests.accounts.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def rows_naming(needles: list[str]) -> list[str]:
    """Every "table.column" of the database — models' tables and the others (cache, full-text indexes) — whose
    value, read as text, contains one of `needles` (case-insensitive)."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                condition = " OR ".join([f"LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s"] * len(needles))
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}",  # noqa: S608 - names from introspection
                    [f"%{needle.lower()}%" for needle in needles],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def test_after_deleting_the_account_no_table_names_the_person():
    needles = ["zeynepwalk7731", "zeynep.walk7731@example.org", "Zeynep Walkthrough"]
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (walk test)")
    signup = client.post(
        reverse("accounts:signup"),
        {
            "username": "zeynepwalk7731",
            "display_name": "Zeynep Walkthrough",
            "email": "zeynep.walk7731@example.org",
            "preferred_language": "en",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert signup.status_code == 302
    client.post(reverse("accounts:logout"))
    # A mistyped password, someone typing the e-mail address as the username, then the real sign-in, all
    # through the sign-in page so django-axes sees them.
    assert (
        client.post(LOGIN, {"username": "zeynepwalk7731", "password": "not my password"}).status_code == 200
    )
    assert (
        client.post(LOGIN, {"username": "zeynep.walk7731@example.org", "password": "nope"}).status_code == 200
    )
    assert client.post(LOGIN, {"username": "zeynepwalk7731", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("accounts:my_data_download")).status_code == 200
    assert rows_naming(needles)  # the walk does see the account while it exists

    response = client.post(
        reverse("accounts:delete_account"), {"content": "remove", "password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    assert rows_naming(needles) == []


def test_a_successful_sign_in_leaves_no_record():
    UserFactory(username="amal")
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (success test)")
    assert client.post(LOGIN, {"username": "amal", "password": "wrong password"}).status_code == 200
    assert AccessAttempt.objects.filter(username="amal").count() == 1  # the lockout counts it
    assert client.post(LOGIN, {"username": "amal", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()
    assert not AccessAttempt.objects.exists()  # a success clears the person's failures


def test_download_my_data_lists_the_sign_in_records_that_name_the_person():
    UserFactory(username="amal")
    client = Client()
    with time_machine.travel(NOW, tick=False):
        # Someone on another connection mistypes Amal's password; her own sign-in keeps that record.
        Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Phone browser").post(
            LOGIN, {"username": "amal", "password": "wrong password"}
        )
        Client().post(LOGIN, {"username": "omar", "password": "wrong password"})  # not about Amal
        assert client.post(LOGIN, {"username": "amal", "password": PASSWORD}).status_code == 302
        data = json.loads(client.get(reverse("accounts:my_data_download")).content)
    assert data["sign_in"] == {
        "failed_attempts": [
            {
                "at": "2026-12-07T12:00:00+00:00",
                "address": "203.0.113.5",
                "browser": "Phone browser",
                "failures": 1,
            }
        ]
    }


def test_the_schedule_prunes_failures_older_than_the_cool_off_and_keeps_recent_ones():
    task = {entry.name: entry for entry in periodic_tasks()}["accounts.prune_sign_in_records"]
    assert task.func is prune_sign_in_records and task.every == dt.timedelta(minutes=15)
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    fields = {"user_agent": "b", "http_accept": "*/*", "path_info": "/accounts/login/"}
    old = AccessAttempt.objects.create(
        username="old", ip_address="192.0.2.1", get_data="", post_data="", failures_since_start=2, **fields
    )
    recent = AccessAttempt.objects.create(
        username="recent", ip_address="192.0.2.1", get_data="", post_data="", failures_since_start=1, **fields
    )
    failure_log = AccessFailureLog.objects.create(username="old", ip_address="192.0.2.1", **fields)
    success_log = AccessLog.objects.create(username="kept-from-before", ip_address="192.0.2.1", **fields)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=NOW - cool_off - dt.timedelta(seconds=1))
    AccessFailureLog.objects.filter(pk=failure_log.pk).update(
        attempt_time=NOW - cool_off - dt.timedelta(seconds=1)
    )
    AccessAttempt.objects.filter(pk=recent.pk).update(attempt_time=NOW - dt.timedelta(minutes=1))
    AccessLog.objects.filter(pk=success_log.pk).update(attempt_time=NOW - dt.timedelta(minutes=1))

    with time_machine.travel(NOW, tick=False):
        result = prune_sign_in_records(None)
    assert result == {"failed_attempts": 1, "failure_log": 1, "access_log": 1}
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent"]
    # Successful sign-ins recorded before Arrival stopped keeping them go on the first run, whatever their age.
    assert not AccessLog.objects.exists() and not AccessFailureLog.objects.exists()


def test_the_your_data_page_says_what_is_kept_about_signing_in():
    client = Client()
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:my_data")).content.decode()
    assert "Successful sign-ins are not recorded" in page and "30 minutes" in page
