"""The hand-off mechanism every app uses: notifications in each recipient's language and time zone, chosen kind by
kind, pointing to their record; "My work" gathering what waits on a person, on a page, in the header and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from arrival.accounts.selectors import user_time_zone
from arrival.actors.models import ActorKind
from arrival.core.time_zones import datetime_with_zone
from arrival.engagement import selectors, services
from arrival.engagement.handoffs import WorkItem, _providers, work_provider_register
from arrival.engagement.models import Notification
from tests.accounts.factories import RoleFactory, UserFactory, sign_in_as
from tests.accounts.factories import StaffFactory as StaffUserFactory
from tests.actors.factories import ActorFactory, LocalGovernmentFactory
from tests.engagement.factories import ProcessFactory
from tests.engagement.handoffs import assert_in_work, assert_not_in_work

DEADLINE = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)


def _signed_in(user) -> Client:
    client = Client()
    sign_in_as(client, user)
    return client


def test_a_notification_is_written_in_each_recipients_language_and_time_zone():
    brussels = LocalGovernmentFactory(timezone="Europe/Brussels").actor
    french = RoleFactory(actor=brussels, user=UserFactory(preferred_language="fr")).user
    arabic = UserFactory(preferred_language="ar", time_zone="Asia/Amman")

    def text() -> str:
        return _("Deadline: %(when)s") % {"when": datetime_with_zone(DEADLINE)}

    services.notification_send(recipients=[french, arabic], kind="tests.news", text=text)
    by_person = {n.recipient_id: n.text for n in Notification.objects.all()}
    # The French officer follows her city's zone (09:00 in Brussels in winter), the other chose Amman (11:00).
    assert "(Europe/Brussels)" in by_person[french.pk] and "09:00" in by_person[french.pk]
    assert "(Asia/Amman)" in by_person[arabic.pk] and "11:00" in by_person[arabic.pk]
    # The month is written in the recipient's language.
    assert "décembre" in by_person[french.pk] and "ديسمبر" in by_person[arabic.pk]


def test_a_person_follows_their_governments_time_zone_until_they_choose_one():
    city = LocalGovernmentFactory(timezone="America/Bogota").actor
    national = ActorFactory(kind=ActorKind.NATIONAL_GOVERNMENT, country=city.country)
    officer = RoleFactory(actor=city).user
    planner = RoleFactory(actor=national, kind="planner").user
    assert user_time_zone(officer) == "America/Bogota"
    assert user_time_zone(planner) == "America/Bogota"  # the zone of the country's largest place
    assert user_time_zone(UserFactory()) == "UTC"
    officer.time_zone = "Europe/Madrid"
    assert user_time_zone(officer) == "Europe/Madrid"


def test_pages_show_times_in_the_viewers_zone():
    user = UserFactory(time_zone="Asia/Tokyo")
    with time_machine.travel(DEADLINE, tick=False):
        services.notification_send(recipients=[user], kind="tests.news", text="Hello")
    page = _signed_in(user).get(reverse("engagement:inbox")).content.decode()
    assert "17:00 (Asia/Tokyo)" in page


def test_each_person_chooses_per_kind_in_app_only_digest_or_off(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    quiet = UserFactory(email="quiet@example.org")
    app_only = UserFactory(email="app@example.org")
    everything = UserFactory(email="all@example.org")
    services.notification_settings_set(user=quiet, digest_period="daily", deliveries={"tests.news": "off"})
    services.notification_settings_set(user=app_only, digest_period="daily", deliveries={"tests.news": "in_app"})
    with time_machine.travel(DEADLINE, tick=False):
        stored = services.notification_send(recipients=[quiet, app_only, everything], kind="tests.news",
                                            text="News", url="/places/")
    assert stored == 2
    assert not Notification.objects.filter(recipient=quiet).exists()
    assert services.digests_send(now=datetime(2026, 12, 11, 1, tzinfo=UTC)) == 1
    assert [message.to for message in mail.outbox] == [["all@example.org"]]
    # The digest's link is absolute, from the one configured site address, with the time and its zone named.
    assert f"{settings.ARRIVAL_SITE_URL}/places/" in mail.outbox[0].body
    assert "(UTC)" in mail.outbox[0].body


def test_the_settings_page_offers_every_registered_kind():
    user = UserFactory()
    client = _signed_in(user)
    page = client.get(reverse("engagement:notification_settings")).content.decode()
    assert "Someone replied to your comment" in page and 'name="kind:tests.news"' in page
    response = client.post(reverse("engagement:notification_settings"),
                           {"digest_period": "weekly", "kind:tests.news": "in_app"})
    assert response.status_code == 302
    assert selectors.notification_preferences_get(user=user)["tests.news"] == "in_app"


def test_an_unregistered_kind_is_refused():
    with pytest.raises(KeyError, match="not registered"):
        services.notification_send(recipients=[UserFactory()], kind="tests.unknown", text="x")


def test_notifications_go_with_the_record_they_point_to():
    user = UserFactory()
    process, other = ProcessFactory(), ProcessFactory()
    services.notification_send(recipients=[user], kind="tests.news", text="a", target=process)
    services.notification_send(recipients=[user], kind="tests.news", text="b", target=other)
    assert services.notifications_delete_for(target_label="engagement.process", target_ids=[process.pk]) == 1
    assert list(Notification.objects.values_list("text", flat=True)) == ["b"]


@pytest.fixture
def waiting_provider():
    """A provider like an app's: each person named in `waiting` has one item."""
    waiting: dict[int, list[WorkItem]] = {}
    work_provider_register("tests.review", label="Things to review",
                           items=lambda user: waiting.get(user.pk, []),
                           count=lambda user: len(waiting.get(user.pk, [])))
    yield waiting
    del _providers["tests.review"]


def test_my_work_lists_what_waits_oldest_first_on_the_page_the_header_and_the_api(waiting_provider):
    user, other = UserFactory(), UserFactory()
    waiting_provider[user.pk] = [
        WorkItem(kind="tests.review", action="Review", title="Newer", url="/b/",
                 waiting_since=datetime(2026, 12, 5, tzinfo=UTC), deadline=DEADLINE),
        WorkItem(kind="tests.review", action="Review", title="Older", url="/a/",
                 waiting_since=datetime(2026, 12, 1, tzinfo=UTC)),
    ]
    assert_in_work(user, "tests.review", url="/a/")
    assert_not_in_work(other, "tests.review")
    client = _signed_in(user)
    home = client.get("/").content.decode()
    assert "My work (2)" in home
    page = client.get(reverse("engagement:my_work")).content.decode()
    assert page.index("Older") < page.index("Newer")
    assert "Things to review" in page and "(UTC)" in page
    api = client.get("/api/v1/engagement/work").json()
    assert api["count"] == 2 and [item["title"] for item in api["items"]] == ["Older", "Newer"]
    assert "My work (" not in _signed_in(other).get("/").content.decode()


def test_my_work_needs_a_sign_in():
    response = Client().get(reverse("engagement:my_work"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert Client().get("/api/v1/engagement/work").status_code == 401


@pytest.mark.parametrize("language", ["ar", "ru", "fr"])
def test_the_header_counts_render_in_languages_with_complex_plural_rules(waiting_provider, language):
    """Arabic's plural rule computes n % 100 (Russian's n % 10): the counts reach the template as numbers."""
    user = UserFactory(preferred_language=language)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    waiting_provider[user.pk] = [WorkItem(kind="tests.review", action="Review", title=f"Item {i}", url="/a/",
                                          waiting_since=now) for i in range(13)]
    for _i in range(3):
        services.notification_send(recipients=[user], kind="tests.news", text="News")
    client = _signed_in(user)
    client.cookies["django_language"] = language
    response = client.get("/")
    assert response.status_code == 200
    assert "13" in response.content.decode()


def test_the_header_count_of_every_app_costs_two_queries(django_assert_max_num_queries):
    """However many apps hand work on, the count in the header costs one query for the providers' querysets (added
    up in one statement) and one for the provider that counts pairs (commitments' reports due), and it matches the
    items of "My work"."""
    from tests.engagement.handoffs import assert_counts_match

    people = [UserFactory(), StaffUserFactory(), RoleFactory(kind="administrator").user, RoleFactory().user]
    selectors.work_count(user=people[0])  # content types are cached after their first use in a process
    for person in people:
        with django_assert_max_num_queries(2):
            selectors.work_count(user=person)
        assert_counts_match(person)


def test_the_header_reads_its_count_from_the_cache_and_counts_afresh_after_a_hand_off_or_an_own_change(
    waiting_provider,
):
    user = UserFactory()
    item = WorkItem(kind="tests.review", action="Review", title="One", url="/a/",
                    waiting_since=datetime(2026, 12, 1, tzinfo=UTC))
    waiting_provider[user.pk] = [item]
    client = _signed_in(user)
    assert "My work (1)" in client.get("/frameworks/").content.decode()
    waiting_provider[user.pk] = [item, item]
    assert "My work (1)" in client.get("/frameworks/").content.decode()  # read from the cache…
    services.notification_send(recipients=[user], kind="tests.news", text="Handed to you")
    assert "My work (2)" in client.get("/frameworks/").content.decode()  # …until something is handed over,
    waiting_provider[user.pk] = []
    client.post(reverse("engagement:inbox"), {"all": "1"})
    assert "My work (" not in client.get("/frameworks/").content.decode()  # or the person changes something,
    waiting_provider[user.pk] = [item]
    client.get(reverse("engagement:my_work"))
    assert "My work (1)" in client.get("/frameworks/").content.decode()  # or opens My work.


def test_a_long_queue_shows_its_oldest_fifty_then_all_on_request(waiting_provider):
    from arrival.engagement.views import MY_WORK_SHOWN

    user = UserFactory()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    waiting_provider[user.pk] = [WorkItem(kind="tests.review", action="Review", title=f"Item {n:03d}", url=f"/i/{n}/",
                                          waiting_since=start.replace(day=1 + n % 28, hour=n % 24))
                                 for n in range(MY_WORK_SHOWN + 10)]
    client = _signed_in(user)
    page = client.get(reverse("engagement:my_work")).content.decode()
    assert page.count('href="/i/') == MY_WORK_SHOWN
    assert f"Show all {MY_WORK_SHOWN + 10}: Things to review" in page
    everything = client.get(reverse("engagement:my_work"), {"kind": "tests.review"}).content.decode()
    assert everything.count('href="/i/') == MY_WORK_SHOWN + 10 and "Back to all your work" in everything
