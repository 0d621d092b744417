"""Writes of actors: memberships, one at a time (permission-checked) or imported from a CSV file.

Every write runs in one transaction and leaves an audit row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrival.actors.models import (
    ACTOR_NAME_MAX_LENGTH,
    MEMBERSHIP_SOURCE_MAX_LENGTH,
    Actor,
    ActorKind,
    LocalGovernment,
    Membership,
    MembershipRole,
)
from arrival.core.permissions import require
from arrival.core.services import audit_record, audit_record_many, rows_insert, snapshot

MEMBERSHIP_FIELDS = ("member", "network", "role", "since", "until", "source", "is_demo")
IMPORT_COLUMNS = ("member", "network", "role", "since", "until", "source")


def _check_membership(*, member: Actor, network: Actor, role: str, since: date | None, until: date | None) -> None:
    if network.kind != ActorKind.NETWORK:
        raise ValidationError(f"{network.name!r} is not a network.")
    if member.pk == network.pk:
        raise ValidationError("A network cannot be a member of itself.")
    if role not in MembershipRole.values:
        raise ValidationError(f"Unknown role {role!r}; use one of: {', '.join(MembershipRole.values)}.")
    if since and until and until < since:
        raise ValidationError("The end date is before the start date.")


def _membership_write(
    *,
    user: Any,
    member: Actor,
    network: Actor,
    role: str,
    since: date | None,
    until: date | None,
    source: str,
) -> Membership:
    """Create the membership, or update the dates and source of the same (member, network, role)."""
    _check_membership(member=member, network=network, role=role, since=since, until=until)
    membership = Membership.objects.select_for_update().filter(member=member, network=network, role=role).first()
    before = snapshot(membership, MEMBERSHIP_FIELDS) if membership else None
    if membership is None:
        membership = Membership(member=member, network=network, role=role)
    membership.since, membership.until, membership.source = since, until, source
    membership.full_clean(validate_unique=False, validate_constraints=False)
    membership.save()
    action = "actors.membership_update" if before else "actors.membership_create"
    audit_record(user=user, action=action, target=membership, before=before,
                 after=snapshot(membership, MEMBERSHIP_FIELDS))
    return membership


@transaction.atomic
def membership_create(
    *,
    user: Any,
    member: Actor,
    network: Actor,
    role: str = MembershipRole.MEMBER,
    since: date | None = None,
    until: date | None = None,
    source: str = "",
) -> Membership:
    """Record that `member` belongs to `network`; needs `actors.change_membership` on the network."""
    require(user, "actors.change_membership", network)
    if Membership.objects.filter(member=member, network=network, role=role).exists():
        raise ValidationError(f"{member.name} already holds the role {role!r} in {network.name}.")
    return _membership_write(
        user=user, member=member, network=network, role=role, since=since, until=until, source=source.strip()
    )


@transaction.atomic
def membership_end(*, user: Any, membership: Membership, until: date) -> Membership:
    """Close a membership on `until`; needs `actors.change_membership` on its network."""
    require(user, "actors.change_membership", membership.network)
    membership = Membership.objects.select_for_update().select_related("member", "network").get(pk=membership.pk)
    if membership.until is not None:
        raise ValidationError(f"This membership already ended on {membership.until.isoformat()}.")
    if membership.since and until < membership.since:
        raise ValidationError("The end date is before the start date.")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    membership.until = until
    membership.save(update_fields=["until", "updated_at"])
    audit_record(user=user, action="actors.membership_end", target=membership, before=before,
                 after=snapshot(membership, MEMBERSHIP_FIELDS))
    return membership


# --- Import from CSV ------------------------------------------------------------------------------


class MembershipImportError(ValidationError):
    """The file was refused; `messages` name each line and its problem. Nothing was written."""


@dataclass(frozen=True)
class MembershipImportResult:
    created: int
    updated: int


IMPORT_BATCH = 5000  # rows looked up and written together: bounded memory, few queries


def _parse_date(value: str, column: str, line: int, errors: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"line {line}: {column} {value!r} is not a date (use YYYY-MM-DD)")
        return None


def _is_geonames_id(value: str) -> bool:
    return value.isascii() and value.isdigit()  # str.isdigit alone accepts '１２３' and '²'


def _read_batches(handle: Any, errors: list[str]) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """The file's rows as (line, {column: value}) in batches; a row with more fields than the header is an error
    (the csv module would drop the extra fields)."""
    reader = csv.reader(handle)
    header = next(reader, None) or []
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        raise MembershipImportError([f"line 1: missing column(s): {', '.join(missing)}"])
    batch: list[tuple[int, dict[str, str]]] = []
    for fields in reader:
        if len(fields) > len(header):
            errors.append(f"line {reader.line_num}: {len(fields)} fields, but the header names {len(header)}")
            continue
        batch.append((reader.line_num, dict(zip(header, fields, strict=False))))
        if len(batch) == IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class _Planned:
    line: int
    member: Actor
    network: Actor
    role: str
    since: date | None
    until: date | None
    source: str


def _batch_check(
    batch: list[tuple[int, dict[str, str]]], *, seen: dict[tuple[int, int, str], int], errors: list[str]
) -> list[_Planned]:
    """The batch's rows, checked, with members and networks looked up in a few queries."""
    values = [(line, {column: (row.get(column) or "").strip() for column in IMPORT_COLUMNS}) for line, row in batch]
    ids = {int(v["member"]) for _line, v in values if _is_geonames_id(v["member"])}
    by_geonames = {local.geonames_id: local.actor
                   for local in LocalGovernment.objects.select_related("actor").filter(geonames_id__in=ids)}
    slugs = {v["member"] for _line, v in values} | {v["network"] for _line, v in values}
    by_slug = {actor.slug: actor for actor in Actor.objects.filter(slug__in=slugs - {""})}
    planned: list[_Planned] = []
    for line, v in values:
        count = len(errors)
        member = (by_geonames.get(int(v["member"])) if _is_geonames_id(v["member"]) else None) or by_slug.get(
            v["member"])
        if not v["member"]:
            errors.append(f"line {line}: member is empty")
        elif member is None:
            errors.append(f"line {line}: unknown member {v['member']!r}")
        slug = v["network"]
        network = by_slug.get(slug)
        if network is None:
            errors.append(f"line {line}: unknown network {slug!r}")
        elif network.kind != ActorKind.NETWORK:
            errors.append(f"line {line}: {slug!r} is not a network")
        role = v["role"] or MembershipRole.MEMBER
        if role not in MembershipRole.values:
            errors.append(f"line {line}: unknown role {role!r} (use one of: {', '.join(MembershipRole.values)})")
        since = _parse_date(v["since"], "since", line, errors)
        until = _parse_date(v["until"], "until", line, errors)
        if since and until and until < since:
            errors.append(f"line {line}: until {until.isoformat()} is before since {since.isoformat()}")
        if not v["source"]:
            errors.append(f"line {line}: source is empty (say where this membership is documented)")
        elif len(v["source"]) > MEMBERSHIP_SOURCE_MAX_LENGTH:
            errors.append(f"line {line}: source is longer than {MEMBERSHIP_SOURCE_MAX_LENGTH} characters")
        if len(errors) > count or member is None or network is None:
            continue
        if member.pk == network.pk:
            errors.append(f"line {line}: a network cannot be a member of itself")
            continue
        key = (member.pk, network.pk, role)
        if key in seen:
            errors.append(f"line {line}: repeats line {seen[key]} ({v['member']} in {slug} as {role})")
            continue
        seen[key] = line
        planned.append(_Planned(line, member, network, role, since, until, v["source"]))
    return planned


def _batch_write(planned: list[_Planned]) -> tuple[int, int]:
    """Create or update the batch's memberships and their audit rows in bulk; (created, updated)."""
    members, networks = {p.member.pk for p in planned}, {p.network.pk for p in planned}

    def stored() -> dict[tuple[int, int, str], Membership]:
        return {(m.member_id, m.network_id, m.role): m
                for m in Membership.objects.filter(member__in=members, network__in=networks)}

    existing = stored()
    now = timezone.now()
    new = [p for p in planned if (p.member.pk, p.network.pk, p.role) not in existing]
    changed: list[tuple[_Planned, Membership, dict[str, Any]]] = []
    for row in planned:
        membership = existing.get((row.member.pk, row.network.pk, row.role))
        if membership is not None:
            changed.append((row, membership, snapshot(membership, MEMBERSHIP_FIELDS)))
            membership.since, membership.until, membership.source = row.since, row.until, row.source
            membership.updated_at = now  # bulk_update skips auto_now
    rows_insert(Membership, fields=("member", "network", "role", "since", "until", "source", "is_demo", "created_at",
                                    "updated_at"),
                rows=((p.member.pk, p.network.pk, p.role, p.since, p.until, p.source, False, now, now) for p in new))
    Membership.objects.bulk_update([m for _row, m, _before in changed], ["since", "until", "source", "updated_at"],
                                   batch_size=1000)
    ids = {key: m.pk for key, m in stored().items()} if new else {}

    def after(row: _Planned) -> dict[str, Any]:
        return {"member": row.member.pk, "network": row.network.pk, "role": row.role,
                "since": row.since.isoformat() if row.since else None,
                "until": row.until.isoformat() if row.until else None, "source": row.source, "is_demo": False}

    audit_record_many(user=None, records=[
        *(("actors.membership_create", "actors.membership", str(ids[(p.member.pk, p.network.pk, p.role)]),
           f"{p.member} → {p.network}", None, after(p)) for p in new),
        *(("actors.membership_update", "actors.membership", str(m.pk), f"{row.member} → {row.network}", before,
           snapshot(m, MEMBERSHIP_FIELDS)) for row, m, before in changed),
    ])
    return len(new), len(changed)


def memberships_import_csv(*, path: Path | str) -> MembershipImportResult:
    """Import memberships from a CSV file: all rows or none.

    Columns: member (GeoNames id or actor slug), network (slug), role, since, until (YYYY-MM-DD), source.
    A system action for the deployment's operator at the command line: it runs with user=None and without
    the per-network permission check that `membership_create` applies to people; every row written still
    gets its audit row. The file is read in batches of IMPORT_BATCH rows, each looked up and written in bulk
    inside one transaction; after the first error nothing more is written, the rest is still checked so every
    bad line is named, and the transaction is rolled back.
    """
    errors: list[str] = []
    seen: dict[tuple[int, int, str], int] = {}  # (member, network, role) → line: repeats are errors
    created = updated = rows = 0
    try:
        with transaction.atomic(), Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for batch in _read_batches(handle, errors):
                rows += len(batch)
                planned = _batch_check(batch, seen=seen, errors=errors)
                if not errors:
                    batch_created, batch_updated = _batch_write(planned)
                    created, updated = created + batch_created, updated + batch_updated
            if not rows and not errors:
                errors.append("the file has no rows")
            if errors:
                raise MembershipImportError(errors)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MembershipImportError([f"cannot read {path}: {error}"]) from error
    return MembershipImportResult(created=created, updated=updated)


# --- Regional governments named by other apps --------------------------------------------------------


def regional_government_get_or_create(*, user: Any, country: Any, name: str, is_demo: bool = False) -> Actor:
    """The regional government `name` in `country`: found by name (case-insensitive) or created.

    For apps whose users name regions in a table (planning's region assignment): the bundled places carry
    GeoNames admin1 codes, which do not map to ISO 3166-2 subdivisions, so regions are named, not looked up.
    The caller checks its own permission (this is a helper of a permission-checked write); a new actor gets
    its search names and an audit row.
    """
    from django.utils.text import slugify

    from arrival.actors.loaders import _replace_names

    clean = " ".join(str(name).split())
    if not clean:
        raise ValidationError("A region needs a name.")
    if len(clean) > ACTOR_NAME_MAX_LENGTH:
        raise ValidationError("The region's name is too long.")
    existing = Actor.objects.filter(kind=ActorKind.REGIONAL_GOVERNMENT, country=country, name__iexact=clean).first()
    if existing is not None:
        return existing
    base = f"region-{country.code.lower()}-{slugify(clean)[:150] or 'x'}"
    slug, number = base, 1
    while Actor.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    actor = Actor.objects.create(kind=ActorKind.REGIONAL_GOVERNMENT, name=clean, slug=slug, country=country,
                                 is_demo=is_demo)
    _replace_names(actor, [clean])
    audit_record(user=user, action="actors.create_regional_government", target=actor,
                 after=snapshot(actor, ("kind", "name", "slug", "country", "is_demo")))
    return actor
