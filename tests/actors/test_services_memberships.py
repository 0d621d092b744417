"""Membership writes: permission, audit rows, and the all-or-nothing CSV import with line-numbered errors."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from arrival.actors import services
from arrival.actors.models import Actor, ActorKind, LocalGovernment, Membership
from arrival.core.models import AuditEvent
from tests.actors.factories import ActorFactory, LocalGovernmentFactory, MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return get_user_model().objects.create_user(username="staff", is_staff=True)


@pytest.fixture
def person():
    return get_user_model().objects.create_user(username="person")


@pytest.fixture
def network():
    return NetworkFactory(actor__slug="eurocities").actor


@pytest.fixture
def city():
    return LocalGovernmentFactory(geonames_id=2791537, actor__name="Mechelen", actor__slug="mechelen-2791537").actor


def test_create_needs_permission(person, city, network):
    with pytest.raises(PermissionDenied):
        services.membership_create(user=person, member=city, network=network, source="charter page")
    assert not Membership.objects.exists() and not AuditEvent.objects.exists()


def test_create_and_end_are_audited(staff, city, network):
    membership = services.membership_create(
        user=staff, member=city, network=network, role="signatory", since=dt.date(2015, 3, 1), source="charter page"
    )
    event = AuditEvent.objects.get(action="actors.membership_create")
    assert event.user == staff and event.target_id == str(membership.pk)
    assert event.after["role"] == "signatory" and event.after["since"] == "2015-03-01"
    services.membership_end(user=staff, membership=membership, until=dt.date(2020, 1, 1))
    membership.refresh_from_db()
    assert membership.until == dt.date(2020, 1, 1)
    end = AuditEvent.objects.get(action="actors.membership_end")
    assert end.before["until"] is None and end.after["until"] == "2020-01-01"


def test_create_refuses_bad_input(staff, city, network):
    other_city = ActorFactory()
    with pytest.raises(ValidationError, match="not a network"):
        services.membership_create(user=staff, member=city, network=other_city, source="x")
    with pytest.raises(ValidationError, match="before the start"):
        services.membership_create(user=staff, member=city, network=network, source="x",
                                   since=dt.date(2020, 1, 1), until=dt.date(2019, 1, 1))
    with pytest.raises(ValidationError, match="Unknown role"):
        services.membership_create(user=staff, member=city, network=network, role="king", source="x")
    services.membership_create(user=staff, member=city, network=network, source="x")
    with pytest.raises(ValidationError, match="already holds"):
        services.membership_create(user=staff, member=city, network=network, source="x")
    assert Membership.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_end_refuses_twice_and_checks_permission(staff, person, city, network):
    membership = MembershipFactory(member=city, network=network, since=dt.date(2010, 1, 1))
    with pytest.raises(PermissionDenied):
        services.membership_end(user=person, membership=membership, until=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="before the start"):
        services.membership_end(user=staff, membership=membership, until=dt.date(2009, 1, 1))
    services.membership_end(user=staff, membership=membership, until=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="already ended"):
        services.membership_end(user=staff, membership=membership, until=dt.date(2021, 1, 1))


HEADER = "member,network,role,since,until,source\n"


def write_csv(tmp_path, body, header=HEADER):
    path = tmp_path / "memberships.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_import_writes_all_rows_with_audit(tmp_path, city, network):
    other = LocalGovernmentFactory(actor__slug="gent").actor
    MembershipFactory(member=other, network=network, role="member", source="old")
    path = write_csv(tmp_path, "2791537,eurocities,signatory,2015-01-01,,Charter signatories page\n"
                               "gent,eurocities,,2012-05-01,2020-12-31,Annual report 2020\n")
    call_command("import_memberships", str(path))
    signatory = Membership.objects.get(member=city, network=network)
    assert (signatory.role, signatory.since, signatory.until) == ("signatory", dt.date(2015, 1, 1), None)
    assert not signatory.is_demo
    updated = Membership.objects.get(member=other)
    assert (updated.until, updated.source) == (dt.date(2020, 12, 31), "Annual report 2020")
    actions = sorted(AuditEvent.objects.values_list("action", "user"))
    assert actions == [("actors.membership_create", None), ("actors.membership_update", None)]
    assert AuditEvent.objects.get(action="actors.membership_update").before["source"] == "old"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2791537,nowhere,member,,,src\n", "line 3: unknown network 'nowhere'"),
        ("999,eurocities,member,,,src\n", "line 3: unknown member '999'"),
        (",eurocities,member,,,src\n", "line 3: member is empty"),
        ("2791537,mechelen-2791537,member,,,src\n", "line 3: 'mechelen-2791537' is not a network"),
        ("2791537,eurocities,king,,,src\n", "line 3: unknown role 'king'"),
        ("2791537,eurocities,member,2015-13-01,,src\n", "line 3: since '2015-13-01' is not a date"),
        ("2791537,eurocities,member,2015-01-01,2014-01-01,src\n", "line 3: until 2014-01-01 is before since"),
        ("2791537,eurocities,member,,,\n", "line 3: source is empty"),
        ("2791537,eurocities,member,,,src\n", "line 3: repeats line 2"),
        ("2791537,eurocities,member,,," + "s" * 301 + "\n", "line 3: source is longer than 300"),
    ],
)
def test_import_error_names_the_line_and_changes_nothing(tmp_path, city, network, body, message):
    path = write_csv(tmp_path, "2791537,eurocities,member,2010-01-01,,Members page\n" + body)
    with pytest.raises(CommandError) as error:
        call_command("import_memberships", str(path))
    assert message in str(error.value) and "Nothing was imported" in str(error.value)
    assert not Membership.objects.exists() and not AuditEvent.objects.exists()


def test_import_refuses_missing_columns_empty_and_unreadable_files(tmp_path, city, network):
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_memberships", str(write_csv(tmp_path, "2791537,eurocities\n", header="member,network\n")))
    with pytest.raises(CommandError, match="no rows"):
        call_command("import_memberships", str(write_csv(tmp_path, "")))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_memberships", str(tmp_path / "absent.csv"))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "2791537,eurocities,member,,,Li\xe8ge\n").encode("latin-1"))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_memberships", str(latin1))
    assert not Membership.objects.exists()


def test_import_reports_every_bad_line(tmp_path, city, network):
    path = write_csv(tmp_path, "x,eurocities,member,,,s\n2791537,y,member,,,s\n")
    with pytest.raises(services.MembershipImportError) as error:
        services.memberships_import_csv(path=path)
    assert error.value.messages == ["line 2: unknown member 'x'", "line 3: unknown network 'y'"]


def test_network_member_of_network_by_slug(tmp_path, network):
    coordinator = ActorFactory(kind=ActorKind.NETWORK, slug="global-taskforce", country=None)
    call_command("import_memberships", str(write_csv(tmp_path, "global-taskforce,eurocities,observer,,,ref\n")))
    assert Membership.objects.get().member == coordinator


def test_a_row_with_more_fields_than_the_header_is_an_error(tmp_path, city, network):
    path = write_csv(tmp_path, "2791537,eurocities,member,2010-01-01,,Members page,an extra field\n")
    with pytest.raises(services.MembershipImportError) as error:
        services.memberships_import_csv(path=path)
    assert error.value.messages == ["line 2: 7 fields, but the header names 6"]
    assert not Membership.objects.exists()


def test_full_width_digits_are_not_a_geonames_id(tmp_path, city, network):
    path = write_csv(tmp_path, "２７９１５３７,eurocities,member,,,src\n")
    with pytest.raises(services.MembershipImportError) as error:
        services.memberships_import_csv(path=path)
    assert error.value.messages == ["line 2: unknown member '２７９１５３７'"]


def test_an_import_of_100000_rows_runs_in_bulk_and_stays_all_or_nothing(tmp_path):
    """1,000 cities × 100 networks: 100,000 memberships from a real file, timed; then the same file with one bad
    line at the end writes nothing."""
    country = ActorFactory().country
    networks = Actor.objects.bulk_create(
        Actor(kind=ActorKind.NETWORK, name=f"Network {n}", slug=f"network-{n}", country=None) for n in range(100))
    cities = Actor.objects.bulk_create(
        Actor(kind=ActorKind.LOCAL_GOVERNMENT, name=f"City {n}", slug=f"city-{n}", country=country)
        for n in range(1000))
    LocalGovernment.objects.bulk_create(LocalGovernment(actor=city, geonames_id=5_000_000 + n)
                                        for n, city in enumerate(cities))
    path = tmp_path / "memberships.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for n in range(1000):
            member = 5_000_000 + n if n % 2 else f"city-{n}"  # by GeoNames id and by slug
            for network in networks:
                handle.write(f"{member},{network.slug},member,2015-01-01,,Members page {n}\n")
    started, started_cpu = time.perf_counter(), time.process_time()
    result = services.memberships_import_csv(path=path)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"imported 100,000 memberships in {seconds:.1f} s ({cpu_seconds:.1f} s of this process's CPU)")
    assert (result.created, result.updated) == (100_000, 0)
    assert Membership.objects.count() == 100_000 == AuditEvent.objects.filter(action="actors.membership_create").count()
    # CPU time, not the wall clock: a test machine shared by parallel runs stretches the latter several times.
    assert cpu_seconds < 30

    with path.open("a", encoding="utf-8") as handle:
        handle.write("city-1,nowhere,member,,,src\n")
    Membership.objects.update(source="before")
    with pytest.raises(services.MembershipImportError, match="line 100002: unknown network 'nowhere'"):
        services.memberships_import_csv(path=path)
    assert set(Membership.objects.values_list("source", flat=True)) == {"before"}
