"""Notifications: rendered in each recipient's language, read marks, settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, gettext_lazy

from arrival.engagement import selectors, services
from arrival.engagement.models import DigestPeriod, Notification
from tests.accounts.factories import UserFactory


def test_text_is_rendered_in_each_recipients_language():
    english, french = UserFactory(preferred_language="en"), UserFactory(preferred_language="fr")
    count = services.notification_send(recipients=[english, french, english], kind="tests.hello",
                                       text=gettext_lazy("Save"), url="/somewhere/")
    assert count == 2
    assert Notification.objects.get(recipient=english).text == "Save"
    assert Notification.objects.get(recipient=french).text == "Enregistrer"


def test_callable_text_is_called_in_the_recipients_language():
    french = UserFactory(preferred_language="fr")
    services.notification_send(recipients=[french], kind="tests.hello", text=lambda: gettext("Save") + " !")
    assert Notification.objects.get(recipient=french).text == "Enregistrer !"


def test_inactive_recipients_are_skipped():
    assert services.notification_send(recipients=[UserFactory(is_active=False)], kind="tests.news", text="t") == 0


def test_mark_read_one_and_all_and_only_ones_own():
    user, other = UserFactory(), UserFactory()
    services.notification_send(recipients=[user, other], kind="tests.news", text="one")
    services.notification_send(recipients=[user], kind="tests.news", text="two")
    assert selectors.notification_unread_count(user=user) == 2
    mine = selectors.notification_list(user=user).last()
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(user=other, notification=mine)
    assert services.notification_mark_read(user=user, notification=mine) == 1
    assert [n.text for n in selectors.notification_list(user=user, unread_only=True)] == ["two"]
    assert services.notification_mark_read(user=user) == 1
    assert selectors.notification_unread_count(user=user) == 0
    assert selectors.notification_unread_count(user=other) == 1


def test_settings():
    user = UserFactory()
    assert selectors.notification_settings_get(user=user) == DigestPeriod.DAILY
    services.notification_settings_set(user=user, digest_period="weekly")
    assert selectors.notification_settings_get(user=user) == DigestPeriod.WEEKLY
    with pytest.raises(ValidationError):
        services.notification_settings_set(user=user, digest_period="hourly")
    assert selectors.notification_settings_get(user=user) == DigestPeriod.WEEKLY
