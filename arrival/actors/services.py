"""Writes of actors: memberships, one at a time (permission-checked) or imported from a CSV file.

Every write runs in one transaction and leaves an audit row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

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
from arrival.core.services import audit_record, snapshot

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


def _parse_date(value: str, column: str, line: int, errors: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"line {line}: {column} {value!r} is not a date (use YYYY-MM-DD)")
        return None


def _find_member(value: str) -> Actor | None:
    if value.isdigit():
        local = LocalGovernment.objects.select_related("actor").filter(geonames_id=int(value)).first()
        if local is not None:
            return local.actor
    return Actor.objects.filter(slug=value).first()


def memberships_import_csv(*, path: Path | str) -> MembershipImportResult:
    """Import memberships from a CSV file: all rows or none.

    Columns: member (GeoNames id or actor slug), network (slug), role, since, until (YYYY-MM-DD), source.
    A system action for the deployment's operator at the command line: it runs with user=None and without
    the per-network permission check that `membership_create` applies to people; every row written still
    gets its audit row.
    """
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in IMPORT_COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise MembershipImportError([f"line 1: missing column(s): {', '.join(missing)}"])
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MembershipImportError([f"cannot read {path}: {error}"]) from error
    if not rows:
        raise MembershipImportError(["the file has no rows"])

    errors: list[str] = []
    planned: list[dict[str, Any]] = []
    seen: dict[tuple[int, int, str], int] = {}
    networks: dict[str, Actor | None] = {}
    for line, row in rows:
        values = {column: (row.get(column) or "").strip() for column in IMPORT_COLUMNS}
        count = len(errors)
        member = _find_member(values["member"]) if values["member"] else None
        if not values["member"]:
            errors.append(f"line {line}: member is empty")
        elif member is None:
            errors.append(f"line {line}: unknown member {values['member']!r}")
        slug = values["network"]
        if slug not in networks:
            networks[slug] = Actor.objects.filter(slug=slug).first() if slug else None
        network = networks[slug]
        if network is None:
            errors.append(f"line {line}: unknown network {slug!r}")
        elif network.kind != ActorKind.NETWORK:
            errors.append(f"line {line}: {slug!r} is not a network")
        role = values["role"] or MembershipRole.MEMBER
        if role not in MembershipRole.values:
            errors.append(f"line {line}: unknown role {role!r} (use one of: {', '.join(MembershipRole.values)})")
        since = _parse_date(values["since"], "since", line, errors)
        until = _parse_date(values["until"], "until", line, errors)
        if since and until and until < since:
            errors.append(f"line {line}: until {until.isoformat()} is before since {since.isoformat()}")
        if not values["source"]:
            errors.append(f"line {line}: source is empty (say where this membership is documented)")
        elif len(values["source"]) > MEMBERSHIP_SOURCE_MAX_LENGTH:
            errors.append(f"line {line}: source is longer than {MEMBERSHIP_SOURCE_MAX_LENGTH} characters")
        if len(errors) > count or member is None or network is None:
            continue
        if member.pk == network.pk:
            errors.append(f"line {line}: a network cannot be a member of itself")
            continue
        key = (member.pk, network.pk, role)
        if key in seen:
            errors.append(f"line {line}: repeats line {seen[key]} ({values['member']} in {slug} as {role})")
            continue
        seen[key] = line
        planned.append({"member": member, "network": network, "role": role, "since": since, "until": until,
                        "source": values["source"]})
    if errors:
        raise MembershipImportError(errors)

    created = updated = 0
    with transaction.atomic():
        for row in planned:
            exists = Membership.objects.filter(member=row["member"], network=row["network"], role=row["role"]).exists()
            _membership_write(user=None, **row)
            updated += exists
            created += not exists
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
