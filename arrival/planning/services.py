"""Writes for intake planning: rounds, localities and regions, declarations, key inputs, cases, plans, dialogue, money.

Every function is keyword-only, runs in one transaction, checks its permission with `require` (rules in the
planning section of `arrival/accounts/rules.py`) and writes an audit row. Bad input raises `ValidationError`
naming what to fix, and changes nothing (tables and case files: every bad line is named, nothing is written).

The round's life: draft → open for declarations → planning (a plan was computed) → draft plan published →
agreed (every locality accepted the published version) → closed. A published plan is answered by each
locality: accept, or object with reasons and a revised declaration, which becomes its current declaration;
the planner then computes a new version from the current declarations (`plan_revise`) and publishes it.

The optimisation itself is the pure core `arrival.planning.domain`; `plan_compute` builds its
`PlanningProblem` from the database and stores what comes back: the certificate (objective, bound, gap),
the baselines, the metrics and the aggregate allocations. Case-level results stay with the round's planners.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

from arrival.actors.models import Actor, ActorKind, LocalGovernment
from arrival.actors.services import regional_government_get_or_create
from arrival.core.dates import date_in_range_check
from arrival.core.permissions import require
from arrival.core.services import audit_record, snapshot
from arrival.core.time_zones import datetime_with_zone
from arrival.engagement.services import notification_send
from arrival.planning import exports
from arrival.planning.cases import CASE_COLUMNS, case_rules, column_errors, groups_clean, languages_clean
from arrival.planning.models import (
    FUNDING_PERSON,
    SECTOR_KEYS,
    SERVICE_KEYS,
    Allocation,
    CapacityState,
    Case,
    CaseAccessGrant,
    Declaration,
    DeclarationStatus,
    DeclaredCapacity,
    DialogueMessage,
    DialogueSide,
    FundingBasis,
    FundingRate,
    IntakeRound,
    KeyInput,
    KeyInputSource,
    KeyName,
    LabourDemand,
    LocalityResponse,
    Plan,
    PlanningCategory,
    PlanStatus,
    ResponseDecision,
    RoundLocality,
    RoundStatus,
    UndeclaredRule,
    default_case_groups,
    default_case_languages,
)

ROUND_FIELDS = (
    "title", "period_start", "period_end", "total", "deadline", "status", "weight_outcome", "weight_preference",
    "weight_demand", "key_name", "band", "unplaced_penalty", "currency", "undeclared_rule", "case_languages",
    "case_groups",
)
DECLARATION_FIELDS = ("status", "places_volunteered", "funding_needs", "notes", "submitted_at")
PLAN_FIELDS = ("version", "status", "objective", "bound", "gap", "seconds", "method", "published_at", "respond_by")
KEY_INPUT_FIELDS = ("population", "tax_revenue", "gdp", "unemployment_rate", "past_effort")
LOCALITY_KINDS = (ActorKind.LOCAL_GOVERNMENT, ActorKind.REGIONAL_GOVERNMENT)
DEFAULT_CATEGORIES = (("resettlement", gettext_noop("Resettlement")), ("relocation", gettext_noop("Relocation")),
                      ("unaccompanied_minors", gettext_noop("Unaccompanied minors")))
ANSWERABLE_PLAN = (PlanStatus.PUBLISHED,)


def sync_case_limit() -> int:
    """Rounds with more cases than this compute their plan as a background job."""
    return int(getattr(settings, "ARRIVAL_PLANNING_SYNC_CASES", 3000))


# --- helpers ---------------------------------------------------------------------------------------------


def _round_locked(intake_round: IntakeRound) -> IntakeRound:
    return IntakeRound.objects.select_for_update().get(pk=intake_round.pk)


def _number(value: Any, label: str, *, minimum: float | None = 0.0, maximum: float | None = None,
            integer: bool = False) -> float | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValidationError(_("%(label)s must be a number, not “%(value)s”.") % {"label": label, "value": value}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("%(label)s must be a finite number.") % {"label": label})
    if minimum is not None and number < minimum:
        raise ValidationError(_("%(label)s must be at least %(min)s.") % {"label": label, "min": minimum})
    if maximum is not None and number > maximum:
        raise ValidationError(_("%(label)s must be at most %(max)s.") % {"label": label, "max": maximum})
    if integer:
        if number != int(number):
            raise ValidationError(_("%(label)s must be a whole number.") % {"label": label})
        return int(number)
    return number


def _money(value: Any, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("%(label)s must be an amount, not “%(value)s”.") % {"label": label, "value": value}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("%(label)s must be zero or more.") % {"label": label})
    return amount.quantize(Decimal("0.01"))


def _round_values(values: Mapping[str, Any], current: IntakeRound | None) -> dict[str, Any]:
    def pick(name: str, default: Any = None) -> Any:
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else default

    title = str(pick("title", "") or "").strip()
    if not title:
        raise ValidationError(_("Give the round a title."))
    start, end = pick("period_start"), pick("period_end")
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValidationError(_("Give the period's start and end dates."))
    date_in_range_check(start, label=_("Period start"))
    date_in_range_check(end, label=_("Period end"))
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    total = _number(pick("total"), _("Persons to place"), minimum=1, integer=True)
    if total is None:
        raise ValidationError(_("Say how many persons the round places."))
    deadline = pick("deadline")
    if not isinstance(deadline, datetime):
        raise ValidationError(_("Give a deadline for declarations."))
    date_in_range_check(deadline, label=_("Deadline for declarations"))
    key_name = pick("key_name", KeyName.POPULATION)
    if key_name not in KeyName.values:
        raise ValidationError(_("Unknown key “%(key)s”.") % {"key": key_name})
    key_weights = pick("key_weights", {}) or {}
    if not isinstance(key_weights, Mapping):
        raise ValidationError(_("Custom key weights must be a table of input → weight."))
    clean_weights = {}
    for name, weight in key_weights.items():
        if name not in KEY_INPUT_FIELDS:
            raise ValidationError(_("A custom key can weigh only: %(names)s.") % {"names": ", ".join(KEY_INPUT_FIELDS)})
        clean_weights[name] = _number(weight, _("Weight of %(name)s") % {"name": name}, minimum=None)
    if key_name == KeyName.CUSTOM and not any(clean_weights.values()):
        raise ValidationError(_("A custom key needs at least one weight."))
    band = _number(pick("band"), _("Band"), minimum=0.0, maximum=10.0)
    undeclared_rule = pick("undeclared_rule", UndeclaredRule.KEY_QUOTA) or UndeclaredRule.KEY_QUOTA
    if undeclared_rule not in UndeclaredRule.values:
        raise ValidationError(_("Unknown rule “%(rule)s” for localities without a declaration (one of: %(rules)s).")
                              % {"rule": undeclared_rule, "rules": ", ".join(UndeclaredRule.values)})
    result: dict[str, Any] = {
        "title": title[:200], "period_start": start, "period_end": end, "total": total, "deadline": deadline,
        "key_name": key_name, "key_weights": clean_weights, "band": band,
        "unplaced_penalty": _number(pick("unplaced_penalty", 1.0), _("Unplaced penalty"), minimum=0.0) or 0.0,
        "currency": (str(pick("currency", "EUR") or "EUR").strip().upper())[:3],
        "undeclared_rule": undeclared_rule,
        "case_languages": languages_clean(_code_list(pick("case_languages", default_case_languages()))),
        "case_groups": groups_clean(_code_list(pick("case_groups", default_case_groups()))),
    }
    for name, label in (("weight_outcome", _("Weight of the predicted outcome")),
                        ("weight_preference", _("Weight of preferences")),
                        ("weight_demand", _("Weight of labour demand"))):
        result[name] = _number(pick(name, 1.0 if name == "weight_outcome" else 0.0), label) or 0.0
    if len(result["currency"]) != 3 or not result["currency"].isalpha():
        raise ValidationError(_("The currency is a three-letter code such as EUR."))
    return result


def _code_list(value: Any) -> list[Any]:
    """Codes given as a list, or as text separated by commas, semicolons, spaces or lines."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    return list(value)


def _categories_clean(categories: Iterable[Any]) -> list[tuple[str, str]]:
    clean: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in categories:
        code, label = (item if isinstance(item, tuple | list) else (slugify(str(item)).replace("-", "_"), item))
        label = str(label).strip()
        code = slugify(str(code)).replace("-", "_")[:40]
        if not label or not code:
            continue
        if code in seen:
            raise ValidationError(_("The category “%(label)s” is listed twice.") % {"label": label})
        seen.add(code)
        clean.append((code, label[:120]))
    if not clean:
        raise ValidationError(_("Name at least one planning category."))
    return clean


# --- rounds ----------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, user: Any, government: Actor, categories: Iterable[Any] = (), is_demo: bool = False,
                 **values: Any) -> IntakeRound:
    """Open a new round (draft) for a national government; its planners (or site staff) only."""
    if government.kind != ActorKind.NATIONAL_GOVERNMENT:
        raise ValidationError(_("Intake rounds belong to a national government."))
    require(user, "planning.add_intakeround", government)
    clean = _round_values(values, None)
    intake_round = IntakeRound.objects.create(government=government, created_by=user, is_demo=is_demo, **clean)
    for code, label in _categories_clean(categories or [label for _code, label in DEFAULT_CATEGORIES]):
        PlanningCategory.objects.create(round=intake_round, code=code, label=label)
    audit_record(user=user, action="planning.create_round", target=intake_round,
                 after=snapshot(intake_round, ROUND_FIELDS))
    return intake_round


@transaction.atomic
def round_update(*, user: Any, intake_round: IntakeRound, categories: Iterable[Any] | None = None,
                 **values: Any) -> IntakeRound:
    require(user, "planning.change_intakeround", intake_round)
    intake_round = _round_locked(intake_round)
    if intake_round.status in (RoundStatus.AGREED, RoundStatus.CLOSED):
        raise ValidationError(_("An agreed or closed round can no longer be changed."))
    before = snapshot(intake_round, ROUND_FIELDS)
    for name, value in _round_values(values, intake_round).items():
        setattr(intake_round, name, value)
    intake_round.save()
    if categories is not None:
        wanted = _categories_clean(categories)
        codes = [code for code, _label in wanted]
        intake_round.categories.exclude(code__in=codes).delete()
        for code, label in wanted:
            PlanningCategory.objects.update_or_create(round=intake_round, code=code, defaults={"label": label})
    audit_record(user=user, action="planning.update_round", target=intake_round, before=before,
                 after=snapshot(intake_round, ROUND_FIELDS))
    return intake_round


def _status_set(*, user: Any, intake_round: IntakeRound, status: str, action: str) -> IntakeRound:
    before = snapshot(intake_round, ("status",))
    intake_round.status = status
    intake_round.save(update_fields=["status", "updated_at"])
    audit_record(user=user, action=action, target=intake_round, before=before, after={"status": status})
    return intake_round


@transaction.atomic
def round_open(*, user: Any, intake_round: IntakeRound) -> IntakeRound:
    """Open the round for declarations: it needs its localities and a deadline still ahead."""
    require(user, "planning.change_intakeround", intake_round)
    intake_round = _round_locked(intake_round)
    if intake_round.status != RoundStatus.DRAFT:
        raise ValidationError(_("Only a draft round can be opened."))
    if not intake_round.localities.exists():
        raise ValidationError(_("Add the participating localities before opening the round."))
    if intake_round.deadline <= timezone.now():
        raise ValidationError(_("The deadline for declarations has passed; set a later one first."))
    intake_round.opened_at = timezone.now()
    intake_round.save(update_fields=["opened_at"])
    _status_set(user=user, intake_round=intake_round, status=RoundStatus.OPEN, action="planning.open_round")
    _round_opened_notify(intake_round, _locality_team(_round_actor_ids(intake_round)))
    return intake_round


def _round_opened_notify(intake_round: IntakeRound, recipients: list[Any]) -> None:
    _notify(recipients=recipients, kind="planning.round_opened",
            text=lambda: _("%(round)s is open: declare your capacity by %(deadline)s.")
            % {"round": intake_round.title, "deadline": datetime_with_zone(intake_round.deadline)},
            url=reverse("planning:round_detail", args=[intake_round.pk]), target=intake_round)


@transaction.atomic
def round_close(*, user: Any, intake_round: IntakeRound) -> IntakeRound:
    """Close the round: nothing more is declared or answered, and its open objection threads close with it.

    Declarations left in draft stay on record as drafts (they were never counted in a plan)."""
    require(user, "planning.change_intakeround", intake_round)
    intake_round = _round_locked(intake_round)
    if intake_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is already closed."))
    _threads_close(LocalityResponse.objects.filter(plan__round=intake_round))
    return _status_set(user=user, intake_round=intake_round, status=RoundStatus.CLOSED, action="planning.close_round")


# --- localities and the region table ---------------------------------------------------------------------


@dataclass(frozen=True)
class LocalityRow:
    actor: Actor
    region_name: str


def _find_locality(value: str, country_id: int | None) -> Actor | None:
    value = value.strip()
    if value.isdigit():
        local = LocalGovernment.objects.select_related("actor").filter(geonames_id=int(value)).first()
        if local is not None:
            return local.actor
    actor = Actor.objects.filter(slug=value, kind__in=LOCALITY_KINDS).first()
    if actor is not None:
        return actor
    in_country = Q(country_id=country_id) if country_id is not None else Q(country__isnull=True)
    matches = list(Actor.objects.filter(in_country, name__iexact=value, kind__in=LOCALITY_KINDS)
                   .order_by("-population", "id")[:2])
    return matches[0] if matches else None


def locality_table_parse(*, intake_round: IntakeRound, table: str) -> list[LocalityRow]:
    """Read the planner's table (columns `locality`, `region`); every bad line is named in one error."""
    text = (table or "").lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "locality" not in fields:
        raise ValidationError([_("line 1: the header must name the columns “locality” and, optionally, “region”.")])
    reader.fieldnames = fields
    errors: list[str] = []
    rows: list[LocalityRow] = []
    seen: dict[int, int] = {}
    for row in reader:
        line = reader.line_num
        name = (row.get("locality") or "").strip()
        region = " ".join((row.get("region") or "").split())
        if not name:
            if region:
                errors.append(_("line %(line)s: the locality is empty.") % {"line": line})
            continue
        actor = _find_locality(name, intake_round.government.country_id)
        if actor is None:
            errors.append(_("line %(line)s: no local or regional government “%(name)s” is known (use its GeoNames "
                            "id, its address name or its exact name).") % {"line": line, "name": name})
            continue
        if actor.country_id != intake_round.government.country_id:
            errors.append(_("line %(line)s: %(name)s is not in %(country)s.")
                          % {"line": line, "name": actor.name, "country": intake_round.government.country})
            continue
        if actor.pk in seen:
            errors.append(_("line %(line)s: %(name)s is already on line %(first)s.")
                          % {"line": line, "name": actor.name, "first": seen[actor.pk]})
            continue
        if region and actor.kind == ActorKind.REGIONAL_GOVERNMENT:
            errors.append(_("line %(line)s: %(name)s is a regional government; leave its region empty.")
                          % {"line": line, "name": actor.name})
            continue
        if len(region) > 200:
            errors.append(_("line %(line)s: the region's name is too long.") % {"line": line})
            continue
        seen[actor.pk] = line
        rows.append(LocalityRow(actor=actor, region_name=region))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError([_("The table lists no locality.")])
    return rows


@transaction.atomic
def localities_set(*, user: Any, intake_round: IntakeRound, table: str) -> list[RoundLocality]:
    """Replace the round's localities and their regions with the planner's table — all lines or none.

    Regions are regional governments of the round's country, created when the table names a new one.
    A locality that has already submitted a declaration cannot be taken out.
    """
    require(user, "planning.change_intakeround", intake_round)
    intake_round = _round_locked(intake_round)
    if intake_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise ValidationError(_("Localities can change only while the round is a draft or open for declarations."))
    rows = locality_table_parse(intake_round=intake_round, table=table)
    keep = {row.actor.pk for row in rows}
    declared = (Declaration.objects.filter(round=intake_round, status=DeclarationStatus.SUBMITTED)
                .exclude(actor_id__in=keep).select_related("actor"))
    if declared:
        raise ValidationError([_("%(name)s has submitted a declaration and cannot be taken out of the round.")
                               % {"name": d.actor.name} for d in declared])
    before = {"localities": sorted(intake_round.localities.values_list("actor_id", "region_id"))}
    country = intake_round.government.country
    regions: dict[str, Actor] = {}
    for row in rows:
        if row.region_name and row.region_name.lower() not in regions:
            regions[row.region_name.lower()] = regional_government_get_or_create(
                user=user, country=country, name=row.region_name, is_demo=intake_round.is_demo)
    intake_round.localities.exclude(actor_id__in=keep).delete()
    result = []
    for row in rows:
        region = regions.get(row.region_name.lower()) if row.region_name else None
        locality, _created = RoundLocality.objects.update_or_create(
            round=intake_round, actor=row.actor, defaults={"region": region})
        result.append(locality)
    audit_record(user=user, action="planning.set_localities", target=intake_round, before=before,
                 after={"localities": sorted((r.actor_id, r.region_id) for r in result)})
    if intake_round.status == RoundStatus.OPEN:  # a locality added to an open round is told, like the others were
        added = keep - {actor_id for actor_id, _region in before["localities"]}
        _round_opened_notify(intake_round, _locality_team(added))
    return result


# --- declarations ----------------------------------------------------------------------------------------


def _round_locality(intake_round: IntakeRound, actor: Actor) -> RoundLocality:
    locality = RoundLocality.objects.filter(round=intake_round, actor=actor).select_related("actor").first()
    if locality is None:
        raise ValidationError(_("%(name)s does not take part in this round.") % {"name": actor.name})
    return locality


def _declaration_values(capacities: Mapping[str, Any],
                        labour: Mapping[str, Any]) -> tuple[dict[str, tuple[float | None, str]], dict[str, float]]:
    """{service: (value, state)} and {sector: value}, validated; unknown keys are refused."""
    clean_caps: dict[str, tuple[float | None, str]] = {}
    for service, item in capacities.items():
        if service not in SERVICE_KEYS:
            raise ValidationError(_("Unknown service “%(service)s”.") % {"service": service})
        if isinstance(item, Mapping):
            value, state = item.get("value"), item.get("state") or CapacityState.PROVIDED
        else:
            value, state = item
        if state not in CapacityState.values:
            raise ValidationError(_("Unknown state “%(state)s” for %(service)s.") % {"state": state, "service": service})
        number = _number(value, service)
        if state == CapacityState.NOT_PROVIDED:
            number = 0.0  # not provided: this locality takes no one who needs the service
        elif state == CapacityState.NO_LIMIT:
            number = None  # no limit: the service does not constrain the plan here
        elif number is None:
            raise ValidationError(_("Give a number for %(service)s, or mark it “not provided” or “no limit”.")
                                  % {"service": service})
        clean_caps[service] = (number, state)
    clean_labour: dict[str, float] = {}
    for sector, value in labour.items():
        if sector not in SECTOR_KEYS:
            raise ValidationError(_("Unknown sector “%(sector)s”.") % {"sector": sector})
        number = _number(value, sector)
        if number is not None:
            clean_labour[sector] = number
    return clean_caps, clean_labour


def _declaration_write(*, declaration: Declaration, capacities: Mapping[str, Any], labour: Mapping[str, Any],
                       places_volunteered: Any, funding_needs: Any, notes: str) -> None:
    caps, demand = _declaration_values(capacities, labour)
    declaration.places_volunteered = _number(places_volunteered, _("Places volunteered"), integer=True)
    declaration.funding_needs = _money(funding_needs, _("Funding needs"))
    declaration.notes = str(notes or "").strip()[:5000]
    declaration.save()
    declaration.capacities.all().delete()
    DeclaredCapacity.objects.bulk_create([
        DeclaredCapacity(declaration=declaration, service=service, value=caps.get(service, (0.0, ""))[0],
                         state=caps.get(service, (0.0, CapacityState.NOT_PROVIDED))[1])
        for service in SERVICE_KEYS
    ])
    declaration.labour_demand.all().delete()
    LabourDemand.objects.bulk_create([LabourDemand(declaration=declaration, sector=s, value=v) for s, v in demand.items()])


def declaration_snapshot(declaration: Declaration) -> dict[str, Any]:
    """The declaration's values as JSON (audit rows, the revised declaration kept with an objection)."""
    return {
        "status": declaration.status,
        "places_volunteered": declaration.places_volunteered,
        "funding_needs": str(declaration.funding_needs) if declaration.funding_needs is not None else None,
        "notes": declaration.notes,
        "capacities": {c.service: {"value": c.value, "state": c.state} for c in declaration.capacities.all()},
        "labour_demand": {d.sector: d.value for d in declaration.labour_demand.all()},
    }


@transaction.atomic
def declaration_save(*, user: Any, intake_round: IntakeRound, actor: Actor, capacities: Mapping[str, Any],
                     labour: Mapping[str, Any] | None = None, places_volunteered: Any = None,
                     funding_needs: Any = None, notes: str = "", submit: bool = False,
                     is_demo: bool = False) -> Declaration:
    """Save (and with `submit`, submit) a locality's declaration while the round is open, before its deadline.

    "Partial", "not provided" (capacity 0) and "no limit" are valid states; a service left out counts as not
    provided. Saving without
    `submit` keeps the declaration a draft (a submitted one goes back to draft until submitted again).
    """
    locality = _round_locality(intake_round, actor)
    declaration = Declaration.objects.filter(round=intake_round, actor=actor).first() or Declaration(
        round=intake_round, actor=actor, is_demo=is_demo)
    require(user, "planning.declare_declaration", declaration if declaration.pk else locality)
    intake_round = _round_locked(intake_round)
    if intake_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Declarations are taken only while the round is open for declarations."))
    if timezone.now() > intake_round.deadline:
        raise ValidationError(_("The deadline for declarations has passed."))
    before = declaration_snapshot(declaration) if declaration.pk else None
    declaration.status = DeclarationStatus.SUBMITTED if submit else DeclarationStatus.DRAFT
    if submit:
        declaration.submitted_at, declaration.submitted_by = timezone.now(), user
    _declaration_write(declaration=declaration, capacities=capacities, labour=labour or {},
                       places_volunteered=places_volunteered, funding_needs=funding_needs, notes=notes)
    audit_record(user=user, action="planning.submit_declaration" if submit else "planning.save_declaration",
                 target=declaration, before=before, after=declaration_snapshot(declaration))
    return declaration


@transaction.atomic
def declaration_submit(*, user: Any, declaration: Declaration) -> Declaration:
    require(user, "planning.declare_declaration", declaration)
    intake_round = _round_locked(declaration.round)
    if intake_round.status != RoundStatus.OPEN or timezone.now() > intake_round.deadline:
        raise ValidationError(_("Declarations are taken only while the round is open, before its deadline."))
    before = snapshot(declaration, DECLARATION_FIELDS)
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_at, declaration.submitted_by = timezone.now(), user
    declaration.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit_record(user=user, action="planning.submit_declaration", target=declaration, before=before,
                 after=snapshot(declaration, DECLARATION_FIELDS))
    return declaration


# --- key inputs ------------------------------------------------------------------------------------------


@transaction.atomic
def key_inputs_set(*, user: Any, intake_round: IntakeRound, rows: Mapping[int, Mapping[str, Any]],
                   source: str = KeyInputSource.PLANNER, is_demo: bool = False) -> list[KeyInput]:
    """Set the key inputs per actor (a participating locality or one of the round's regions)."""
    require(user, "planning.change_intakeround", intake_round)
    allowed = set(intake_round.localities.values_list("actor_id", flat=True))
    allowed |= set(intake_round.localities.exclude(region=None).values_list("region_id", flat=True))
    saved = []
    for actor_id, values in rows.items():
        if int(actor_id) not in allowed:
            raise ValidationError(_("Actor %(id)s is not a locality or region of this round.") % {"id": actor_id})
        clean = {
            "population": _number(values.get("population"), _("Population"), integer=True),
            "tax_revenue": _number(values.get("tax_revenue"), _("Tax revenue")),
            "gdp": _number(values.get("gdp"), _("GDP")),
            "unemployment_rate": _number(values.get("unemployment_rate"), _("Unemployment rate"), maximum=100),
            "past_effort": _number(values.get("past_effort"), _("Past effort")),
        }
        key_input = KeyInput.objects.filter(round=intake_round, actor_id=actor_id).first()
        before = snapshot(key_input, KEY_INPUT_FIELDS) if key_input else None
        if key_input is None:
            key_input = KeyInput(round=intake_round, actor_id=actor_id, is_demo=is_demo)
        for name, value in clean.items():
            setattr(key_input, name, value)
        key_input.source = source
        key_input.save()
        audit_record(user=user, action="planning.set_key_input", target=key_input, before=before,
                     after=snapshot(key_input, KEY_INPUT_FIELDS))
        saved.append(key_input)
    return saved


# --- cases (planners only) -------------------------------------------------------------------------------


def case_write_require(*, user: Any, intake_round: IntakeRound) -> None:
    """Writing case records (import, synthetic cases, the outcome model, floors): the round's planners only —
    never a superuser or site staff by their flag (Django's superuser shortcut is not used)."""
    from arrival.planning.selectors import case_access

    if case_access(user=user, intake_round=intake_round) != "planner":
        raise PermissionDenied(_("Case records are for the round's national planners only."))


def case_read_require(*, user: Any, intake_round: IntakeRound, what: str) -> None:
    """Reading case-level data: the round's planners, or someone they gave a grant that is still running; each
    read under a grant is on record in the audit log (`what` says which page or route)."""
    from arrival.planning.selectors import case_access

    access = case_access(user=user, intake_round=intake_round)
    if access is None:
        raise PermissionDenied(_("Case records are for the round's national planners only."))
    if access == "grant":
        audit_record(user=user, action="planning.view_cases_under_grant", target=intake_round, after={"what": what})


MAX_GRANT_HOURS = 24 * 30


@transaction.atomic
def case_access_grant(*, user: Any, intake_round: IntakeRound, grantee: Any, hours: Any) -> CaseAccessGrant:
    """One of the round's planners lets `grantee` (e.g. a superuser or site staff member helping with the round)
    read its case records for `hours` (at most 30 days). On record in the audit log."""
    case_write_require(user=user, intake_round=intake_round)
    length = _number(hours, _("Hours"), minimum=1, maximum=MAX_GRANT_HOURS, integer=True)
    if length is None:
        raise ValidationError(_("Say for how many hours the access is given."))
    if grantee is None or not getattr(grantee, "is_active", False):
        raise ValidationError(_("Give access to an active user."))
    grant = CaseAccessGrant.objects.create(round=intake_round, user=grantee, granted_by=user,
                                           expires_at=timezone.now() + timedelta(hours=int(length)))
    audit_record(user=user, action="planning.grant_case_access", target=intake_round,
                 after={"grant": grant.pk, "user": grantee.pk, "expires_at": grant.expires_at.isoformat()})
    return grant


@transaction.atomic
def case_access_revoke(*, user: Any, grant: CaseAccessGrant) -> CaseAccessGrant:
    """End a grant now (one of the round's planners). On record in the audit log."""
    case_write_require(user=user, intake_round=grant.round)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit_record(user=user, action="planning.revoke_case_access", target=grant.round,
                     after={"grant": grant.pk, "user": grant.user_id, "revoked_at": grant.revoked_at.isoformat()})
    return grant


def _locality_ids(intake_round: IntakeRound) -> dict[str, str]:
    """Every way a case file may name a locality (actor id, address name, GeoNames id) → actor id as text."""
    names: dict[str, str] = {}
    for locality in intake_round.localities.select_related("actor", "actor__local"):
        actor = locality.actor
        names[str(actor.pk)] = str(actor.pk)
        names[actor.slug] = str(actor.pk)
        local = getattr(actor, "local", None)
        if local is not None and local.geonames_id:
            names[str(local.geonames_id)] = str(actor.pk)
    return names


def _cases_replace(*, user: Any, intake_round: IntakeRound, cases: list[Case], action: str,
                   detail: dict[str, Any]) -> int:
    before = {"cases": intake_round.cases.count()}
    intake_round.cases.all().delete()
    Case.objects.bulk_create(cases, batch_size=2000)
    audit_record(user=user, action=action, target=intake_round, before=before, after={"cases": len(cases), **detail})
    return len(cases)


@transaction.atomic
def cases_import(*, user: Any, intake_round: IntakeRound, file: Any, is_demo: bool = False) -> int:
    """Replace the round's cases with a CSV file (the format of `arrival plan`, docs/planning.md).

    Read by `arrival.planning.domain.files.read_cases`; preferences and ties name localities by actor id,
    address name or GeoNames id. Every value is checked against the closed lists of `arrival.planning.cases`
    (opaque ids, ISO 3166 / M49 origins, the round's categories, languages and groups; no other column). All
    lines or none: every bad line is named and nothing is stored.
    """
    from arrival.planning.domain.files import PlanFileError, read_cases

    case_write_require(user=user, intake_round=intake_round)
    intake_round = _round_locked(intake_round)
    data = file if isinstance(file, bytes) else file.read()
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig", errors="replace")
    header = [h.strip() for h in next(csv.reader(io.StringIO(data)), [])]
    bad_columns = column_errors(header)
    if bad_columns:
        raise ValidationError([_("line 1: column(s) %(columns)s are not part of a case record; the columns are %(allowed)s, "
                                 "need_<service> and skill_<sector>.")
                               % {"columns": ", ".join(bad_columns), "allowed": ", ".join(CASE_COLUMNS)}])
    try:
        parsed = read_cases(io.StringIO(data))
    except PlanFileError as error:
        raise ValidationError([_file_error_message(error)]) from None
    names = _locality_ids(intake_round)
    rules = case_rules(intake_round)
    errors: list[str] = []
    rows: list[Case] = []
    for number, case in enumerate(parsed, start=2):
        problems = rules.errors(pseudonym=case.id, size=case.size, needs=case.needs, skills=case.skills,
                                languages=case.languages, origin=case.origin, group=case.group, category=case.category)
        preferences = []
        for name in case.preferences:
            if name not in names:
                problems.append(_("preference “%(name)s” is not a locality of this round") % {"name": name})
            else:
                preferences.append(names[name])
        tie = ""
        if case.tied_to:
            if case.tied_to not in names:
                problems.append(_("tie “%(name)s” is not a locality of this round") % {"name": case.tied_to})
            else:
                tie = names[case.tied_to]
        errors.extend(_("line %(line)s: %(message)s.") % {"line": number, "message": problem} for problem in problems)
        rows.append(Case(round=intake_round, pseudonym=case.id, size=case.size, needs=dict(case.needs),
                         skills=dict(case.skills), languages=list(case.languages), origin=case.origin,
                         preferences=preferences, tied_to=tie, group=case.group, category=case.category,
                         is_demo=is_demo))
        if len(errors) > 50:
            break
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError([_("The file has no cases.")])
    return _cases_replace(user=user, intake_round=intake_round, cases=rows, action="planning.import_cases",
                          detail={"source": "file"})


def synthetic_case_rows(*, intake_round: IntakeRound, count: int, seed: int) -> list[Case]:
    """Invented families for demos and tests (seeded): sizes, needs per service, skills, preferences, groups."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    locality_ids = [str(pk) for pk in intake_round.localities.values_list("actor_id", flat=True)]
    categories = list(intake_round.categories.values_list("code", flat=True)) or [""]
    languages = list(intake_round.case_languages or [])
    groups = list(intake_round.case_groups or []) or [""]
    origins = ["145", "014", "034", "151"]  # UN M49 regions (Western Asia, Eastern Africa, Southern Asia, Eastern Europe)
    rows = []
    for index in range(count):
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[25, 15, 20, 20, 12, 8])[0]
        children = max(0, size - rng.choice([1, 2])) if size > 1 else 0
        needs: dict[str, float] = {}
        needs["housing_1br" if size == 1 else "housing_2br" if size <= 3 else "housing_3br"] = 1.0
        young, school_young, school_old = 0, 0, 0
        for _child in range(children):
            bucket = rng.choice(["young", "school_young", "school_old"])
            young += bucket == "young"
            school_young += bucket == "school_young"
            school_old += bucket == "school_old"
        if young:
            needs["childcare"] = float(young)
        if school_young:
            needs["school_6_11"] = float(school_young)
        if school_old:
            needs["school_12_17"] = float(school_old)
        needs["language_course"] = float(size - children)
        if rng.random() < 0.15:
            needs["health"] = 1.0
        if rng.random() < 0.3:
            needs["interpreter"] = 1.0
        skills = {sector: round(rng.random(), 2) for sector in rng.sample(SECTOR_KEYS, 2)}
        preferences = rng.sample(locality_ids, min(3, len(locality_ids))) if locality_ids and rng.random() < 0.6 else []
        rows.append(Case(
            round=intake_round, pseudonym=f"C{index + 1:05d}", size=size, needs=needs, skills=skills,
            languages=rng.sample(languages, min(len(languages), rng.choice([1, 2]))), origin=rng.choice(origins),
            preferences=preferences, tied_to=rng.choice(locality_ids) if locality_ids and rng.random() < 0.03 else "",
            group=rng.choice(groups), category=rng.choices(categories, k=1)[0], is_demo=True,
        ))
    return rows


@transaction.atomic
def cases_generate_synthetic(*, user: Any, intake_round: IntakeRound, count: int, seed: int = 1) -> int:
    """Replace the round's cases with `count` invented families (demo and tests), labelled demo."""
    case_write_require(user=user, intake_round=intake_round)
    count = int(_number(count, _("Number of cases"), minimum=1, maximum=200_000, integer=True) or 0)
    intake_round = _round_locked(intake_round)
    if not intake_round.localities.exists():
        raise ValidationError(_("Add the participating localities first."))
    rows = synthetic_case_rows(intake_round=intake_round, count=count, seed=seed)
    return _cases_replace(user=user, intake_round=intake_round, cases=rows, action="planning.generate_cases",
                          detail={"source": "synthetic", "seed": seed})


# --- the trained outcome model (planners only) ----------------------------------------------------------


def _file_error_message(error: Any) -> str:
    line = getattr(error, "line", None)
    message = str(error)
    if line is not None and not message.startswith("line"):
        message = _("line %(line)s: %(message)s") % {"line": line, "message": message}
    return message


def outcome_model_summary(stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What is published about a trained model: coefficients, l2, iterations, records, when and by whom."""
    if not stored:
        return None
    return {name: stored.get(name) for name in ("coefficients", "l2", "iterations", "records", "trained_at",
                                                 "trained_by")}


def _outcome_model_load(stored: Mapping[str, Any]) -> Any:
    import numpy as np

    from arrival.planning.domain import OutcomeModel
    from arrival.planning.domain.outcomes import FEATURES

    if list(stored.get("features") or []) != list(FEATURES):
        raise ValidationError(_("The round's trained outcome model uses other features than this version of "
                                "Arrival: train it again from the historical records."))
    return OutcomeModel(beta=np.asarray(stored["beta"], dtype=np.float64),
                        mean=np.asarray(stored["mean"], dtype=np.float64),
                        scale=np.asarray(stored["scale"], dtype=np.float64), l2=float(stored["l2"]),
                        iterations=int(stored["iterations"]),
                        demand_top={str(k): float(v) for k, v in (stored.get("demand_top") or {}).items()})


def _round_trainable(intake_round: IntakeRound) -> None:
    if intake_round.status in (RoundStatus.AGREED, RoundStatus.CLOSED):
        raise ValidationError(_("An agreed or closed round can no longer be changed."))


@transaction.atomic
def outcome_model_train(*, user: Any, intake_round: IntakeRound, file: Any, l2: Any = 1.0) -> dict[str, Any]:
    """Fit the round's outcome model on historical records (CSV, docs/planning.md) — the round's planners only.

    The regularised logistic model of `domain.outcomes.OutcomeModel`; the round keeps its coefficients and what
    prediction needs (standardisation, demand normalisation), never the records. A bad line refuses the whole
    file and changes nothing. Plans computed without a scores file then take their scores from this model.
    """
    import math

    from arrival.planning.domain import OutcomeModel
    from arrival.planning.domain.files import PlanFileError, read_outcome_records
    from arrival.planning.domain.outcomes import FEATURES

    case_write_require(user=user, intake_round=intake_round)
    penalty = _number(l2, _("L2 penalty"), minimum=0.0, maximum=1e6)
    penalty = 1.0 if penalty is None else float(penalty)
    intake_round = _round_locked(intake_round)
    _round_trainable(intake_round)
    if isinstance(file, bytes):
        file = io.BytesIO(file)
    try:
        records = read_outcome_records(file)
    except PlanFileError as error:
        raise ValidationError([_file_error_message(error)]) from None
    outcomes = [r.outcome for r in records]
    if max(outcomes) == min(outcomes):
        raise ValidationError([_("Every record has the same outcome: a model needs records that succeeded and "
                                 "records that did not.")])
    try:
        model = OutcomeModel.fit(records, l2=penalty)
    except (ValueError, ArithmeticError) as error:
        raise ValidationError([_("The model cannot be fitted: %(error)s") % {"error": error}]) from None
    coefficients = model.coefficients
    if not all(math.isfinite(v) for v in coefficients.values()):
        raise ValidationError([_("The model cannot be fitted on these records (its coefficients do not converge); "
                                 "try a larger L2 penalty.")])
    before = outcome_model_summary(intake_round.outcome_model)
    intake_round.outcome_model = {
        "features": list(FEATURES), "beta": [float(v) for v in model.beta], "mean": [float(v) for v in model.mean],
        "scale": [float(v) for v in model.scale], "demand_top": {k: float(v) for k, v in model.demand_top.items()},
        "coefficients": coefficients, "l2": penalty, "iterations": int(model.iterations), "records": len(records),
        "trained_at": timezone.now().isoformat(), "trained_by": getattr(user, "pk", None),
    }
    intake_round.save(update_fields=["outcome_model", "updated_at"])
    after = outcome_model_summary(intake_round.outcome_model)
    audit_record(user=user, action="planning.train_outcome_model", target=intake_round, before=before, after=after)
    return after or {}


@transaction.atomic
def outcome_model_clear(*, user: Any, intake_round: IntakeRound) -> None:
    """Remove the round's trained model: plans go back to seeded synthetic scores (or an uploaded file)."""
    case_write_require(user=user, intake_round=intake_round)
    intake_round = _round_locked(intake_round)
    _round_trainable(intake_round)
    if not intake_round.outcome_model:
        raise ValidationError(_("The round has no trained outcome model."))
    before = outcome_model_summary(intake_round.outcome_model)
    intake_round.outcome_model = {}
    intake_round.save(update_fields=["outcome_model", "updated_at"])
    audit_record(user=user, action="planning.clear_outcome_model", target=intake_round, before=before, after=None)


# --- fairness floors -------------------------------------------------------------------------------------


def floors_clean(*, user: Any, intake_round: IntakeRound, floors: Mapping[str, Any] | None) -> dict[str, float]:
    """{group: minimum mean predicted outcome in [0, 1]} for groups present in the round's cases; empty values
    are dropped. Reading the groups is reading case data: the round's planners only."""
    if not floors or not any(str(v).strip() for v in floors.values() if v is not None):
        return {}
    case_write_require(user=user, intake_round=intake_round)
    groups = set(intake_round.cases.exclude(group="").values_list("group", flat=True).distinct())
    clean: dict[str, float] = {}
    for group, value in floors.items():
        number = _number(value, _("The floor for group “%(group)s”") % {"group": group}, minimum=0.0, maximum=1.0)
        if number is None:
            continue
        if str(group) not in groups:
            raise ValidationError(_("No case of this round is in the group “%(group)s”.") % {"group": group})
        clean[str(group)] = float(number)
    return dict(sorted(clean.items()))


# --- building the problem --------------------------------------------------------------------------------


@dataclass
class ProblemBuild:
    problem: Any  # domain.PlanningProblem
    localities: list[RoundLocality]
    cases: list[Case]
    key: dict[str, Any]
    inputs: dict[str, Any]


def _key_inputs(intake_round: IntakeRound) -> dict[int, KeyInput]:
    return {k.actor_id: k for k in intake_round.key_inputs.all()}


def _domain_locality(actor: Actor, key_input: KeyInput | None, *, region: str = "",
                     capacities: Mapping[str, float | None] | None = None,
                     sector_demand: Mapping[str, float] | None = None) -> Any:
    from arrival.planning.domain import Locality

    population = (key_input.population if key_input and key_input.population is not None else actor.population) or 0
    inputs = {}
    if key_input is not None:
        for name in ("tax_revenue", "gdp", "unemployment_rate", "past_effort"):
            value = getattr(key_input, name)
            if value is not None:
                inputs[name] = float(value)
    return Locality(id=str(actor.pk), name=actor.name, population=int(population), capacities=dict(capacities or {}),
                    sector_demand=dict(sector_demand or {}), region=region, key_inputs=inputs)


def _region_locality(region: Actor, members: list[Any], key_input: KeyInput | None) -> Any:
    """A region for the upper level of a multi-level key: its own inputs when entered, else its members' sums."""
    from arrival.planning.domain import Locality

    if key_input is not None and (key_input.population or key_input.tax_revenue or key_input.gdp):
        return _domain_locality(region, key_input)
    population = sum(m.population for m in members)
    inputs: dict[str, float] = {}
    for name in ("tax_revenue", "gdp", "past_effort"):
        values = [m.key_inputs[name] for m in members if name in m.key_inputs]
        if values:
            inputs[name] = float(sum(values))
    rates = [(m.key_inputs["unemployment_rate"], m.population) for m in members if "unemployment_rate" in m.key_inputs]
    if rates and sum(p for _r, p in rates) > 0:
        inputs["unemployment_rate"] = sum(r * p for r, p in rates) / sum(p for _r, p in rates)
    return Locality(id=str(region.pk), name=region.name, population=int(population), key_inputs=inputs)


def _finite(value: Any) -> Any:
    if isinstance(value, int | float):
        number = float(value)
        return number if number == number and abs(number) != float("inf") else None
    return str(value)


def _key_result_json(result: Any) -> dict[str, Any]:
    return {
        "name": result.name, "formula": result.formula, "weights": {k: float(v) for k, v in result.weights.items()},
        "inputs": [{k: _finite(v) for k, v in row.items()} for row in result.inputs],
        "shares": [float(s) for s in result.shares], "quotas": [int(q) for q in result.quotas],
        "capped": {k: int(v) for k, v in result.capped.items()},
    }


def key_notes(result: Mapping[str, Any]) -> list[str]:
    """What a computed key (`key_results`) tells its reader besides its figures, in the reader's language: how many
    of the eu2015 key's inverse corrections its cap held."""
    from arrival.planning.domain.keys import EU2015_CAP

    percent = round(EU2015_CAP * 100)
    capped = result.get("capped") or {}
    # One message per kind of correction, so that each reads naturally in every language.
    messages = {
        "unemployment_rate": ngettext_lazy(
            "%(count)d unemployment-rate correction was capped at %(percent)d%% of the population and GDP base.",
            "%(count)d unemployment-rate corrections were capped at %(percent)d%% of the population and GDP base.",
            "count"),
        "past_effort": ngettext_lazy(
            "%(count)d past-effort correction was capped at %(percent)d%% of the population and GDP base.",
            "%(count)d past-effort corrections were capped at %(percent)d%% of the population and GDP base.",
            "count"),
    }
    return [str(message % {"count": count, "percent": percent})
            for kind, message in messages.items() if (count := int(capped.get(kind) or 0))]


def key_results(*, intake_round: IntakeRound, key_name: str | None = None,
                localities: list[Any] | None = None) -> dict[str, Any]:
    """One key over the round's localities (multi-level when the table gives regions), as plain JSON.

    Returns {"name", "formula", "weights", "multilevel", "by_locality": {actor id: {share, quota, inputs}},
    "regions": {region id: {...}}}; shares and integer quotas (largest remainder) of `round.total`.
    """
    from arrival.planning.domain import key_compute, quotas_multilevel

    name = key_name or intake_round.key_name
    custom = intake_round.key_weights if name == KeyName.CUSTOM else None
    key_inputs = _key_inputs(intake_round)
    round_localities = list(intake_round.localities.select_related("actor", "region"))
    given = {loc.id: loc for loc in localities or []}
    domain_locs = [
        given.get(str(rl.actor_id)) or _domain_locality(rl.actor, key_inputs.get(rl.actor_id),
                                                        region=str(rl.region_id or ""))
        for rl in round_localities
    ]
    total = int(intake_round.total)
    out: dict[str, Any] = {"name": name, "multilevel": False, "by_locality": {}, "regions": {}}
    if any(rl.region_id for rl in round_localities):
        by_region: dict[str, list[Any]] = defaultdict(list)
        region_actors: dict[str, Actor] = {}
        for rl, loc in zip(round_localities, domain_locs, strict=True):
            region_id = str(rl.region_id) if rl.region_id else str(rl.actor_id)
            by_region[region_id].append(loc)
            region_actors[region_id] = rl.region if rl.region is not None else rl.actor
        regions = [
            _region_locality(region_actors[rid], members, key_inputs.get(int(rid))) if region_actors[rid].kind
            == ActorKind.REGIONAL_GOVERNMENT and not (len(members) == 1 and members[0].id == rid) else members[0]
            for rid, members in by_region.items()
        ]
        try:
            upper, lower = quotas_multilevel(total=total, regions=regions, localities_by_region=dict(by_region),
                                             key=name, custom_weights=custom)
        except ValueError as error:
            raise ValidationError(_("The key cannot be computed: %(error)s") % {"error": error}) from None
        out.update(_key_result_json(upper))
        out["multilevel"] = True
        for index, region in enumerate(regions):
            out["regions"][region.id] = {"name": region.name, "share": float(upper.shares[index]),
                                         "quota": int(upper.quotas[index]), "inputs": out["inputs"][index]}
            sub = lower.get(region.id)
            if sub is None:
                continue
            sub_json = _key_result_json(sub)
            for j, loc in enumerate(by_region[region.id]):
                quota = int(sub_json["quotas"][j])
                out["by_locality"][loc.id] = {"quota": quota, "share": quota / total if total else 0.0,
                                              "inputs": sub_json["inputs"][j], "region": region.id}
    else:
        try:
            result = key_compute(name, domain_locs, total=total, custom_weights=custom)
        except ValueError as error:
            raise ValidationError(_("The key cannot be computed: %(error)s") % {"error": error}) from None
        out.update(_key_result_json(result))
        for index, loc in enumerate(domain_locs):
            out["by_locality"][loc.id] = {"quota": int(result.quotas[index]), "share": float(result.shares[index]),
                                          "inputs": out["inputs"][index], "region": ""}
    return out


def _capacities_of(declaration: Declaration) -> tuple[dict[str, float | None], dict[str, str], dict[str, float]]:
    """What a submitted declaration means for the planner: per service a capacity (not provided = 0, no limit =
    None), the states as declared, and the labour demand."""
    capacities: dict[str, float | None] = {}
    states: dict[str, str] = {}
    for cap in declaration.capacities.all():
        if cap.state == CapacityState.NO_LIMIT:
            capacities[cap.service] = None
        elif cap.state == CapacityState.NOT_PROVIDED:
            capacities[cap.service] = 0.0
        else:
            capacities[cap.service] = float(cap.value or 0.0)
        states[cap.service] = cap.state
    return capacities, states, {d.sector: d.value for d in declaration.labour_demand.all()}


def _earlier_declarations(intake_round: IntakeRound, actor_ids: Iterable[int]) -> dict[int, Declaration]:
    """Per actor, its submitted declaration in the latest earlier round of the same government."""
    earlier = (Declaration.objects.filter(round__government_id=intake_round.government_id, actor_id__in=list(actor_ids),
                                          status=DeclarationStatus.SUBMITTED)
               .exclude(round=intake_round)
               .filter(Q(round__period_start__lt=intake_round.period_start)
                       | Q(round__period_start=intake_round.period_start, round_id__lt=intake_round.pk))
               .order_by("actor_id", "-round__period_start", "-round_id")
               .prefetch_related("capacities", "labour_demand"))
    out: dict[int, Declaration] = {}
    for declaration in earlier:
        out.setdefault(declaration.actor_id, declaration)
    return out


# The pseudo-service that caps a locality without a declaration at its key quota (rule "key quota only"): every
# case needs its size in it, and only those localities declare a capacity for it.
QUOTA_SERVICE = "persons_within_key_quota"


def problem_build(*, intake_round: IntakeRound, scores_file: Any = None,
                  fairness_floors: Mapping[str, float] | None = None) -> ProblemBuild:
    """The `PlanningProblem` of the round as its current, submitted declarations and key inputs stand.

    A submitted declaration's services are capacities ("not provided" = 0, "no limit" = no constraint). A locality
    without a submitted declaration follows the round's `undeclared_rule`: excluded (not in the plan), key quota
    only (at most its key quota of the cases' persons, no service limits), or its submitted declaration of the
    government's previous round (excluded when it has none). `inputs["undeclared"]` records what each got.
    Scores: the uploaded file if given, else the round's trained outcome model if any, else seeded synthetic
    scores. `fairness_floors` are already validated (`floors_clean`).
    """
    import dataclasses

    import numpy as np

    from arrival.planning.domain import Case as DomainCase
    from arrival.planning.domain import PlanningProblem, Weights, scores_synthetic
    from arrival.planning.domain.files import PlanFileError, read_scores
    from arrival.planning.domain.keys import largest_remainder

    all_localities = list(intake_round.localities.select_related("actor", "region").order_by("actor_id"))
    if not all_localities:
        raise ValidationError(_("The round has no localities."))
    declarations = {d.actor_id: d for d in Declaration.objects.filter(round=intake_round)
                    .prefetch_related("capacities", "labour_demand")}
    rule = intake_round.undeclared_rule
    missing = [rl.actor_id for rl in all_localities if getattr(declarations.get(rl.actor_id), "status", None)
               != DeclarationStatus.SUBMITTED]
    earlier = _earlier_declarations(intake_round, missing) if rule == UndeclaredRule.LAST_ROUND and missing else {}
    key_inputs = _key_inputs(intake_round)
    all_locs = []
    keep: list[int] = []
    quota_capped: list[int] = []
    declared: dict[str, Any] = {}
    undeclared: dict[str, Any] = {}
    for index, rl in enumerate(all_localities):
        declaration = declarations.get(rl.actor_id)
        capacities: dict[str, float | None] = {}
        demand: dict[str, float] = {}
        states: dict[str, str] = {}
        submitted = declaration is not None and declaration.status == DeclarationStatus.SUBMITTED
        if declaration is not None and submitted:
            capacities, states, demand = _capacities_of(declaration)
            keep.append(index)
        else:
            aid = str(rl.actor_id)
            row: dict[str, Any] = {"treatment": "excluded", "round": None,
                                   "draft": declaration is not None and declaration.status == DeclarationStatus.DRAFT}
            if rule == UndeclaredRule.KEY_QUOTA:
                row["treatment"] = "key_quota"
                quota_capped.append(len(keep))
                keep.append(index)
            elif rule == UndeclaredRule.LAST_ROUND and rl.actor_id in earlier:
                capacities, states, demand = _capacities_of(earlier[rl.actor_id])
                row["treatment"], row["round"] = "last_round", earlier[rl.actor_id].round_id
                keep.append(index)
            undeclared[aid] = row
        declared[str(rl.actor_id)] = {"submitted": submitted, "states": states,
                                      "draft": declaration is not None and declaration.status == DeclarationStatus.DRAFT}
        all_locs.append(_domain_locality(rl.actor, key_inputs.get(rl.actor_id), region=str(rl.region_id or ""),
                                         capacities=capacities, sector_demand=demand))
    if not keep:
        raise ValidationError(_("No locality can receive cases: none submitted a declaration and the round's rule "
                                "excludes localities without one."))
    cases = list(intake_round.cases.order_by("id"))
    if not cases:
        raise ValidationError(_("The round has no cases: import them or generate synthetic ones."))
    kept_ids = {all_locs[i].id for i in keep}
    domain_cases = [DomainCase(id=c.pseudonym, size=c.size, needs=dict(c.needs), skills=dict(c.skills),
                               languages=tuple(c.languages), origin=c.origin,
                               preferences=tuple(p for p in c.preferences if p in kept_ids),
                               tied_to=c.tied_to if c.tied_to in kept_ids else None, group=c.group,
                               category=c.category) for c in cases]
    ties_dropped = sum(1 for c in cases if c.tied_to and c.tied_to not in kept_ids)
    if scores_file is not None:
        try:
            all_scores = read_scores(scores_file, domain_cases, all_locs)
        except PlanFileError as error:
            raise ValidationError([str(error)]) from None
        scores_source, scores_kind = "uploaded", "uploaded"
    elif intake_round.outcome_model:
        all_scores = _outcome_model_load(intake_round.outcome_model).predict(domain_cases, all_locs)
        scores_source, scores_kind = "trained model", "model"
    else:
        all_scores = scores_synthetic(domain_cases, all_locs, seed=intake_round.pk)
        scores_source, scores_kind = f"synthetic (seed {intake_round.pk})", "synthetic"
    excluded = len(keep) < len(all_locs)
    scores = np.ascontiguousarray(all_scores[:, keep]) if excluded else all_scores
    domain_locs = [all_locs[i] for i in keep]
    round_localities = [all_localities[i] for i in keep]
    key = key_results(intake_round=intake_round, localities=domain_locs)
    quota_array = np.array([key["by_locality"][loc.id]["quota"] for loc in domain_locs], dtype=np.float64)
    shares = quota_array / quota_array.sum() if quota_array.sum() > 0 else None
    if quota_capped:
        # At most the key quota of the cases' persons (the quota the band is drawn around), no service limits.
        persons = sum(c.size for c in cases)
        weights = list(shares) if shares is not None else [1.0 / len(domain_locs)] * len(domain_locs)
        quotas = largest_remainder(persons, weights)
        for j in quota_capped:
            domain_locs[j] = dataclasses.replace(domain_locs[j], capacities={QUOTA_SERVICE: float(quotas[j])})
            undeclared[domain_locs[j].id]["quota"] = int(quotas[j])
        domain_cases = [dataclasses.replace(c, needs={**c.needs, QUOTA_SERVICE: float(c.size)}) for c in domain_cases]
    floors = dict(fairness_floors or {})
    problem = PlanningProblem(
        cases=domain_cases, localities=domain_locs, scores=scores,
        weights=Weights(outcome=intake_round.weight_outcome, preference=intake_round.weight_preference,
                        demand=intake_round.weight_demand),
        key_shares=shares, band=intake_round.band, unplaced_penalty=intake_round.unplaced_penalty,
        fairness_floors=floors,
    )
    inputs = {"declarations": declared, "scores": scores_source, "scores_source": scores_kind,
              "scores_model": outcome_model_summary(intake_round.outcome_model) if scores_kind == "model" else None,
              "fairness_floors": floors, "cases": len(cases),
              "undeclared": {"rule": rule, "localities": undeclared, "ties_dropped": ties_dropped},
              "weights": {"outcome": intake_round.weight_outcome, "preference": intake_round.weight_preference,
                          "demand": intake_round.weight_demand},
              "band": intake_round.band, "unplaced_penalty": intake_round.unplaced_penalty}
    return ProblemBuild(problem=problem, localities=round_localities, cases=cases, key=key, inputs=inputs)


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as JSON values."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _share(objective: float, bound: float) -> float | None:
    return float(objective) / float(bound) if bound and abs(bound) > 1e-12 else None


# --- plans -----------------------------------------------------------------------------------------------


def _group_families(cases: list[Case], assignment: list[int]) -> dict[str, dict[str, int]]:
    """Per group (aggregate counts): families in the cases and families placed."""
    out: dict[str, dict[str, int]] = {}
    for case, j in zip(cases, assignment, strict=True):
        if case.group:
            row = out.setdefault(case.group, {"total": 0, "placed": 0})
            row["total"] += 1
            row["placed"] += int(j >= 0)
    return dict(sorted(out.items()))


def _floors_reachable(problem: Any, floors: Mapping[str, float]) -> None:
    """A floor above every predicted outcome its group could get can be met only by placing none of it."""
    import numpy as np

    groups = np.array([c.group for c in problem.cases])
    for group, floor in floors.items():
        rows = np.nonzero(groups == group)[0]
        best = float(problem.scores[rows].max()) if rows.size and problem.m else 0.0
        if best < floor - 1e-9:
            raise ValidationError(_("The fairness floor %(floor)s for group “%(group)s” cannot be met: no locality "
                                    "gives any of its families a predicted outcome that high (the highest is "
                                    "%(best)s). Lower the floor.")
                                  % {"floor": f"{floor:g}", "group": group, "best": f"{best:.3f}"})


def _floors_met(metrics: Any, floors: Mapping[str, float]) -> None:
    for group, floor in floors.items():
        achieved = metrics.group_outcome.get(group)
        if achieved is None:
            raise ValidationError(_("The fairness floor %(floor)s for group “%(group)s” can be met only by leaving "
                                    "all of its families unplaced. Lower the floor.")
                                  % {"floor": f"{floor:g}", "group": group})
        if achieved < floor - 1e-6:
            raise ValidationError(_("No plan was found that meets the fairness floor %(floor)s for group "
                                    "“%(group)s” (the best reached %(achieved)s). Lower the floor, or widen the "
                                    "band.") % {"floor": f"{floor:g}", "group": group, "achieved": f"{achieved:.3f}"})


@dataclass
class PlanComputeResult:
    plan: Plan | None = None
    job: Any = None


def _plan_store(*, user: Any, intake_round: IntakeRound, build: ProblemBuild, solved: Any, baselines: dict[str, Any],
                metrics: Any, time_limit: float) -> Plan:
    ids = [loc.id for loc in build.problem.localities]
    assignment = [int(j) for j in solved.assignment]
    version = (intake_round.plans.aggregate(v=Max("version"))["v"] or 0) + 1
    # The key applied to the persons in the cases (what the band constrains), and to the round's total.
    problem_quotas = build.problem.quotas()
    quotas = ({aid: int(q) for aid, q in zip(ids, problem_quotas, strict=True)} if problem_quotas is not None
              else {aid: build.key["by_locality"][aid]["quota"] for aid in ids})
    persons = {aid: int(v) for aid, v in zip(ids, metrics.persons_by_locality, strict=True)}
    capacity = {s: {loc.id: loc.capacities.get(s) for loc in build.problem.localities} for s in SERVICE_KEYS}
    metric_json = {
        "placed": int(metrics.placed), "unplaced": int(metrics.unplaced),
        "persons_by_locality": persons, "key_quota": quotas, "persons_total": int(build.problem.sizes().sum()),
        "round_quota": {aid: build.key["by_locality"][aid]["quota"] for aid in ids},
        "key_deviation": ({aid: float(v) for aid, v in zip(ids, metrics.key_deviation, strict=True)}
                          if metrics.key_deviation is not None else {aid: persons[aid] - quotas[aid] for aid in ids}),
        "service_use": {s: {aid: float(v) for aid, v in zip(ids, arr, strict=True)}
                        for s, arr in metrics.service_use.items() if s in SERVICE_KEYS},
        "capacity": capacity,
        "group_outcome": {g: float(v) for g, v in metrics.group_outcome.items()},
        "group_outcome_ratio": _plain(metrics.group_outcome_ratio),
        "group_families": _group_families(build.cases, assignment),
        "top3_share": _plain(metrics.top3_share),
        "time_limit": time_limit,
    }
    baseline_json = {"optimised": {"objective": float(solved.objective), "share": _share(solved.objective, solved.bound),
                                   "method": solved.method}}
    for name, base in baselines.items():
        baseline_json[name] = {"objective": float(base.objective), "share": _share(base.objective, solved.bound),
                               "method": base.method}
    intake_round.plans.filter(status=PlanStatus.DRAFT).update(status=PlanStatus.SUPERSEDED)
    plan = Plan.objects.create(
        round=intake_round, version=version, status=PlanStatus.DRAFT, objective=float(solved.objective),
        bound=float(solved.bound), gap=float(solved.gap), seconds=float(solved.seconds), method=solved.method[:200],
        baselines=baseline_json, metrics=metric_json, key=_plain(build.key), inputs=_plain(build.inputs),
        assignment=[[case.pseudonym, ids[j] if j >= 0 else None] for case, j in zip(build.cases, assignment, strict=True)],
        created_by=user if getattr(user, "is_authenticated", False) else None, is_demo=intake_round.is_demo,
    )
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for case, j in zip(build.cases, assignment, strict=True):
        if j < 0:
            continue
        cell = cells.setdefault((ids[j], case.category), {"persons": 0, "families": 0, "units": defaultdict(float)})
        cell["persons"] += case.size
        cell["families"] += 1
        for service, units in case.needs.items():
            cell["units"][service] += float(units)
    Allocation.objects.bulk_create([
        Allocation(plan=plan, actor_id=int(aid), category=category, persons=cell["persons"],
                   families=cell["families"], service_units=dict(cell["units"]))
        for (aid, category), cell in sorted(cells.items())
    ])
    if intake_round.status == RoundStatus.OPEN:
        intake_round.status = RoundStatus.PLANNING
        intake_round.save(update_fields=["status", "updated_at"])
    audit_record(user=user, action="planning.compute_plan", target=plan, after=snapshot(plan, PLAN_FIELDS))
    exports.transfer_files_refresh(intake_round=intake_round)
    return plan


def plan_compute_run(*, user: Any, intake_round: IntakeRound, scores_file: Any = None, progress: Any = None,
                     time_limit: float = 60.0, fairness_floors: Mapping[str, Any] | None = None) -> Plan:
    """Build the problem, solve it, compute the baselines and metrics, and store the plan (one transaction).

    A fairness floor that no plan meets (or meets only by leaving its whole group unplaced) is an error, and
    nothing is stored.
    """
    from arrival.planning.domain import (
        PlanInfeasible,
        baselines_compute,
        plan_metrics,
        plan_solve,
        plan_validate,
    )

    def say(done: int, message: str) -> None:
        if progress is not None:
            progress.update(done=done, total=4, message=message)

    require(user, "planning.change_intakeround", intake_round)
    intake_round = IntakeRound.objects.select_related("government").get(pk=intake_round.pk)  # as stored now
    floors = floors_clean(user=user, intake_round=intake_round, floors=fairness_floors)
    say(0, _("Reading declarations, keys and cases"))
    build = problem_build(intake_round=intake_round, scores_file=scores_file, fairness_floors=floors)
    _floors_reachable(build.problem, floors)
    say(1, _("Solving"))
    try:
        solved = plan_solve(build.problem, time_limit=time_limit)
    except PlanInfeasible as error:
        if floors:
            raise ValidationError(_("No plan satisfies the round's constraints: %(error)s. Lower the fairness "
                                    "floors, widen the band, check the ties or the declared capacities.")
                                  % {"error": error}) from None
        raise ValidationError(_("No plan satisfies the round's constraints: %(error)s. Widen the band, check the "
                                "ties or the declared capacities.") % {"error": error}) from None
    # The large-round method may stop with a plan that still breaks a constraint (e.g. a band no placement
    # reaches): such a plan is no plan of this round, and its "bound" certifies nothing.
    violations = plan_validate(build.problem, solved.assignment)
    if violations:
        raise ValidationError(_("The planner found no plan that meets every constraint (%(count)s not met, first: "
                                "%(first)s). Widen the band, check the declared capacities or allow more time; "
                                "nothing was stored.") % {"count": len(violations), "first": violations[0]})
    metrics = plan_metrics(build.problem, solved)
    _floors_met(metrics, floors)
    say(2, _("Computing the baselines"))
    baselines = baselines_compute(build.problem, bound=solved.bound)
    say(3, _("Storing the plan"))
    with transaction.atomic():
        intake_round = _round_locked(intake_round)
        plan = _plan_store(user=user, intake_round=intake_round, build=build, solved=solved, baselines=baselines,
                           metrics=metrics, time_limit=time_limit)
    say(4, _("Done"))
    return plan


def _plan_compute_check(user: Any, intake_round: IntakeRound) -> None:
    require(user, "planning.change_intakeround", intake_round)
    intake_round.refresh_from_db(fields=["status"])
    if intake_round.status in (RoundStatus.DRAFT, RoundStatus.AGREED, RoundStatus.CLOSED):
        raise ValidationError(_("Plans are computed once the round is open and until it is agreed."))


def plan_compute(*, user: Any, intake_round: IntakeRound, scores_file: Any = None, background: bool | None = None,
                 time_limit: float = 60.0, fairness_floors: Mapping[str, Any] | None = None) -> PlanComputeResult:
    """Compute a new draft plan: synchronously for small rounds, as a background job (with progress) for large.

    An uploaded scores file is read now (it cannot travel to a worker), so a round with uploaded scores is
    always computed here. Without one, the round's trained outcome model gives the scores, else seeded
    synthetic scores. `fairness_floors`: {group: minimum mean predicted outcome of its placed families, 0..1}.
    """
    _plan_compute_check(user, intake_round)
    floors = floors_clean(user=user, intake_round=intake_round, floors=fairness_floors)
    large = intake_round.cases.count() > sync_case_limit()
    if (background if background is not None else large) and scores_file is None:
        from arrival.core.jobs import job_enqueue
        from arrival.planning import tasks  # noqa: F401 - registers the task

        with transaction.atomic():
            job = job_enqueue(name="planning.plan_compute", kwargs={"round_id": intake_round.pk, "user_id": user.pk,
                                                                     "time_limit": time_limit,
                                                                     "fairness_floors": floors},
                              user=user, label=_("Plan for %(round)s") % {"round": intake_round.title})
            audit_record(user=user, action="planning.enqueue_plan", target=intake_round, after={"job": str(job.pk)})
        return PlanComputeResult(job=job)
    return PlanComputeResult(plan=plan_compute_run(user=user, intake_round=intake_round, scores_file=scores_file,
                                                   time_limit=time_limit, fairness_floors=floors))


def plan_revise(*, user: Any, intake_round: IntakeRound, time_limit: float = 60.0,
                fairness_floors: Mapping[str, Any] | None = None, background: bool | None = None) -> PlanComputeResult:
    """A new version from the localities' current declarations (revised ones included), to publish next.

    Without `fairness_floors`, the floors of the last published version hold again.
    """
    _plan_compute_check(user, intake_round)
    published = intake_round.plans.filter(published_at__isnull=False).order_by("-version").first()
    if published is None:
        raise ValidationError(_("Publish a plan before revising it."))
    if fairness_floors is None:
        fairness_floors = (published.inputs or {}).get("fairness_floors") or {}
    return plan_compute(user=user, intake_round=intake_round, time_limit=time_limit, fairness_floors=fairness_floors,
                        background=background)


def _round_actor_ids(intake_round: IntakeRound) -> list[int]:
    return list(intake_round.localities.values_list("actor_id", flat=True))


def _locality_teams(actor_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The officers and administrators of each of these localities: the people who declare and answer for it."""
    from arrival.accounts.models import RoleKind
    from arrival.accounts.selectors import role_list

    teams: dict[int, list[Any]] = defaultdict(list)
    for role in role_list().filter(actor_id__in=list(actor_ids), ended_at__isnull=True,
                                   kind__in=[RoleKind.OFFICER, RoleKind.ADMINISTRATOR]):
        teams[role.actor_id].append(role.user)
    return teams


def _locality_team(actor_ids: Iterable[int]) -> list[Any]:
    return [user for team in _locality_teams(actor_ids).values() for user in team]


def _round_planners(intake_round: IntakeRound) -> list[Any]:
    """The national planners of the round's government (site staff are not told: they do not run rounds)."""
    from arrival.accounts.models import RoleKind
    from arrival.accounts.selectors import role_list

    roles = role_list().filter(actor_id=intake_round.government_id, ended_at__isnull=True, kind=RoleKind.PLANNER)
    return [role.user for role in roles]


def _notify(*, recipients: list[Any], kind: str, text: Any, url: str, target: Any) -> None:
    """In-app notifications (and digests), written in the same transaction as the change they announce."""
    notification_send(recipients=recipients, kind=kind, text=text, url=url, target=target)


def _threads_close(objections: Any) -> None:
    """Close the open threads among `objections` (a queryset): they no longer wait on anyone."""
    objections.filter(decision=ResponseDecision.OBJECT, closed_at__isnull=True).update(
        closed_at=timezone.now(), awaiting_reply_since=None)


def _earlier_threads_close(plan: Plan, actor: Actor) -> None:
    """A locality's answer to a version settles its threads on earlier versions (a new objection is the thread
    now)."""
    _threads_close(LocalityResponse.objects.filter(plan__round_id=plan.round_id, actor=actor,
                                                   plan__version__lt=plan.version))


def _allocation_url(intake_round: IntakeRound, actor_id: int) -> str:
    return reverse("planning:allocation", args=[intake_round.pk, actor_id])


def _thread_url(objection: LocalityResponse, intake_round: IntakeRound) -> str:
    return reverse("planning:objection", args=[intake_round.pk, objection.pk])


@transaction.atomic
def plan_publish(*, user: Any, plan: Plan, respond_by: datetime | None = None) -> Plan:
    """Publish a draft plan to the localities; the version published before is superseded.

    `respond_by` (optional, in the future): the date the localities are asked to answer by; it is shown to them
    and in their "My work", and answers after it are still taken.
    """
    require(user, "planning.change_intakeround", plan.round)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    intake_round = _round_locked(plan.round)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be published."))
    if intake_round.status in (RoundStatus.AGREED, RoundStatus.CLOSED):
        raise ValidationError(_("The round is agreed or closed."))
    if respond_by is not None and (timezone.is_naive(respond_by) or respond_by <= timezone.now()):
        raise ValidationError(_("The date to answer by must be in the future."))
    before = snapshot(plan, PLAN_FIELDS)
    intake_round.plans.filter(status=PlanStatus.PUBLISHED).update(status=PlanStatus.SUPERSEDED)
    plan.status, plan.published_at, plan.respond_by = PlanStatus.PUBLISHED, timezone.now(), respond_by
    plan.save(update_fields=["status", "published_at", "respond_by", "updated_at"])
    audit_record(user=user, action="planning.publish_plan", target=plan, before=before, after=snapshot(plan, PLAN_FIELDS))
    exports.transfer_files_refresh(intake_round=intake_round)
    _status_set(user=user, intake_round=intake_round, status=RoundStatus.PUBLISHED, action="planning.round_published")

    def text() -> str:
        if plan.respond_by is None:
            return _("Version %(version)s of the plan for %(round)s is published: see your allocation and answer.") % {
                "version": plan.version, "round": intake_round.title}
        return _("Version %(version)s of the plan for %(round)s is published: see your allocation and answer by "
                 "%(deadline)s.") % {"version": plan.version, "round": intake_round.title,
                                     "deadline": datetime_with_zone(plan.respond_by)}

    for actor_id, team in _locality_teams(_round_actor_ids(intake_round)).items():
        _notify(recipients=team, kind="planning.plan_published", text=text,
                url=_allocation_url(intake_round, actor_id), target=plan)
    return plan


def _response_check(user: Any, plan: Plan, actor: Actor) -> tuple[Plan, RoundLocality]:
    locality = _round_locality(plan.round, actor)
    require(user, "planning.respond_plan", locality)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in ANSWERABLE_PLAN:
        raise ValidationError(_("Only the published version of a plan can be answered."))
    if LocalityResponse.objects.filter(plan=plan, actor=actor).exists():
        raise ValidationError(_("%(name)s has already answered this version.") % {"name": actor.name})
    return plan, locality


@transaction.atomic
def response_accept(*, user: Any, plan: Plan, actor: Actor, reasons: str = "") -> LocalityResponse:
    """The locality accepts its allocation in this version; when all have, the plan is accepted and the round agreed.

    Accepting closes the locality's open objection threads on earlier versions. When the round is agreed, the
    localities' teams and the round's planners are told.
    """
    plan, _locality = _response_check(user, plan, actor)
    response = LocalityResponse.objects.create(plan=plan, actor=actor, decision=ResponseDecision.ACCEPT,
                                               reasons=str(reasons or "").strip()[:5000], responded_by=user,
                                               is_demo=plan.is_demo)
    audit_record(user=user, action="planning.accept_plan", target=response,
                 after={"plan": plan.pk, "actor": actor.pk, "decision": response.decision})
    _earlier_threads_close(plan, actor)
    intake_round = plan.round
    participants = set(intake_round.localities.values_list("actor_id", flat=True))
    accepted = set(plan.responses.filter(decision=ResponseDecision.ACCEPT).values_list("actor_id", flat=True))
    if participants <= accepted:
        before = snapshot(plan, PLAN_FIELDS)
        plan.status = PlanStatus.ACCEPTED
        plan.save(update_fields=["status", "updated_at"])
        audit_record(user=user, action="planning.plan_accepted", target=plan, before=before,
                     after=snapshot(plan, PLAN_FIELDS))
        exports.transfer_files_refresh(intake_round=intake_round)
        _status_set(user=user, intake_round=_round_locked(intake_round), status=RoundStatus.AGREED,
                    action="planning.round_agreed")
        _threads_close(LocalityResponse.objects.filter(plan__round_id=plan.round_id))

        def agreed() -> str:
            return _("The plan for %(round)s is agreed: every locality accepted version %(version)s.") % {
                "round": intake_round.title, "version": plan.version}

        for actor_id, team in _locality_teams(participants).items():
            _notify(recipients=team, kind="planning.plan_agreed", text=agreed,
                    url=_allocation_url(intake_round, actor_id), target=plan)
        _notify(recipients=_round_planners(intake_round), kind="planning.plan_agreed", text=agreed,
                url=reverse("planning:plan_detail", args=[intake_round.pk, plan.version]), target=plan)
    return response


def _declaration_revise(*, user: Any, intake_round: IntakeRound, actor: Actor, capacities: Mapping[str, Any],
                        labour: Mapping[str, Any] | None, places_volunteered: Any, funding_needs: Any,
                        notes: str, is_demo: bool) -> dict[str, Any]:
    """A revised declaration sent in the dialogue becomes the locality's current, submitted one; returns it."""
    declaration = Declaration.objects.filter(round=intake_round, actor=actor).first() or Declaration(
        round=intake_round, actor=actor, is_demo=is_demo)
    before = declaration_snapshot(declaration) if declaration.pk else None
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_at, declaration.submitted_by = timezone.now(), user
    _declaration_write(declaration=declaration, capacities=capacities, labour=labour or {},
                       places_volunteered=places_volunteered, funding_needs=funding_needs, notes=notes)
    revised = declaration_snapshot(declaration)
    audit_record(user=user, action="planning.revise_declaration", target=declaration, before=before, after=revised)
    return revised


@transaction.atomic
def response_object(*, user: Any, plan: Plan, actor: Actor, reasons: str, capacities: Mapping[str, Any],
                    labour: Mapping[str, Any] | None = None, places_volunteered: Any = None, funding_needs: Any = None,
                    notes: str = "") -> LocalityResponse:
    """Object with reasons and a revised declaration, which becomes the locality's current (submitted) one.

    The objection opens a thread that waits on the round's planners, who are notified; the locality's threads on
    earlier versions close (this one carries the dialogue on).
    """
    reasons = str(reasons or "").strip()
    if not reasons:
        raise ValidationError(_("Say why you object."))
    plan, locality = _response_check(user, plan, actor)
    intake_round = plan.round
    revised = _declaration_revise(user=user, intake_round=intake_round, actor=actor, capacities=capacities,
                                  labour=labour, places_volunteered=places_volunteered, funding_needs=funding_needs,
                                  notes=notes, is_demo=plan.is_demo)
    now = timezone.now()
    response = LocalityResponse.objects.create(plan=plan, actor=actor, decision=ResponseDecision.OBJECT,
                                               reasons=reasons[:5000], revised_declaration=revised, responded_by=user,
                                               is_demo=plan.is_demo, awaiting_reply_since=now)
    audit_record(user=user, action="planning.object_plan", target=response,
                 after={"plan": plan.pk, "actor": actor.pk, "decision": response.decision, "reasons": reasons[:500]})
    _earlier_threads_close(plan, actor)
    _notify(recipients=_round_planners(intake_round), kind="planning.objection_received",
            text=lambda: _("%(locality)s objected to version %(version)s of the plan for %(round)s and sent a "
                           "revised declaration.") % {"locality": actor.name, "version": plan.version,
                                                      "round": intake_round.title},
            url=_thread_url(response, intake_round), target=response)
    return response


def _thread_locked(objection: LocalityResponse) -> LocalityResponse:
    objection = (LocalityResponse.objects.select_for_update().select_related("plan", "plan__round", "actor")
                 .get(pk=objection.pk))
    if objection.decision != ResponseDecision.OBJECT:
        raise ValidationError(_("Only an objection opens a thread."))
    return objection


def _thread_open_check(objection: LocalityResponse) -> None:
    if objection.closed_at is not None or objection.plan.round.status in (RoundStatus.AGREED, RoundStatus.CLOSED):
        raise ValidationError(_("This thread is closed: the locality has answered a later version, or the round is "
                                "agreed or closed."))


def _message_body(body: Any, empty: str) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationError(empty)
    return text[:5000]


@transaction.atomic
def objection_reply(*, user: Any, objection: LocalityResponse, body: str, plan: Plan | None = None,
                    revise: bool = False) -> DialogueMessage:
    """The planners reply in an objection's thread; the locality's team is told, and the thread no longer waits.

    The reply may link to the plan version it led to: `plan` (a later version of the round), or `revise=True` to
    compute that version now from the current declarations (`plan_revise`, synchronously) and link it.
    """
    require(user, "planning.change_intakeround", objection)
    objection = _thread_locked(objection)
    intake_round = objection.plan.round
    text = _message_body(body, _("Write the reply."))
    _thread_open_check(objection)
    if plan is not None and revise:
        raise ValidationError(_("Link an existing version or revise the plan now, not both."))
    if plan is not None and (plan.round_id != intake_round.pk or plan.version <= objection.plan.version):
        raise ValidationError(_("A reply links to a later version of this round's plan."))
    if revise:
        plan = plan_revise(user=user, intake_round=intake_round, background=False).plan
    message = DialogueMessage.objects.create(objection=objection, side=DialogueSide.PLANNERS, body=text, plan=plan,
                                             author=user, is_demo=objection.is_demo)
    objection.awaiting_reply_since = None
    objection.save(update_fields=["awaiting_reply_since"])
    audit_record(user=user, action="planning.reply_objection", target=message,
                 after={"objection": objection.pk, "plan": plan.pk if plan else None, "body": text[:500]})
    locality = objection.actor
    linked = plan.version if plan is not None else None

    def reply_text() -> str:
        if linked is None:
            return _("The planners replied to the objection of %(locality)s to version %(version)s of the plan for "
                     "%(round)s.") % {"locality": locality.name, "version": objection.plan.version,
                                      "round": intake_round.title}
        return _("The planners replied to the objection of %(locality)s to version %(version)s of the plan for "
                 "%(round)s, with version %(new)s of the plan.") % {
                     "locality": locality.name, "version": objection.plan.version, "round": intake_round.title,
                     "new": linked}

    _notify(recipients=_locality_team([locality.pk]), kind="planning.reply_received", text=reply_text,
            url=_allocation_url(intake_round, locality.pk) + f"#objection-{objection.pk}", target=message)
    return message


@transaction.atomic
def objection_answer(*, user: Any, objection: LocalityResponse, body: str,
                     capacities: Mapping[str, Any] | None = None, labour: Mapping[str, Any] | None = None,
                     places_volunteered: Any = None, funding_needs: Any = None, notes: str = "") -> DialogueMessage:
    """The locality answers back in its objection's thread, optionally with a revised declaration (`capacities`
    given), which becomes its current one. The thread waits on the planners again, and they are told."""
    locality = _round_locality(objection.plan.round, objection.actor)
    require(user, "planning.respond_plan", locality)
    objection = _thread_locked(objection)
    intake_round = objection.plan.round
    text = _message_body(body, _("Write your answer."))
    _thread_open_check(objection)
    revised: dict[str, Any] = {}
    if capacities is not None:
        revised = _declaration_revise(user=user, intake_round=intake_round, actor=objection.actor,
                                      capacities=capacities, labour=labour, places_volunteered=places_volunteered,
                                      funding_needs=funding_needs, notes=notes, is_demo=objection.is_demo)
    message = DialogueMessage.objects.create(objection=objection, side=DialogueSide.LOCALITY, body=text,
                                             revised_declaration=revised, author=user, is_demo=objection.is_demo)
    if objection.awaiting_reply_since is None:
        objection.awaiting_reply_since = message.created_at
        objection.save(update_fields=["awaiting_reply_since"])
    audit_record(user=user, action="planning.answer_objection", target=message,
                 after={"objection": objection.pk, "revised_declaration": bool(revised), "body": text[:500]})
    actor = objection.actor

    def answer_text() -> str:
        if revised:
            return _("%(locality)s answered your reply on its objection to version %(version)s of the plan for "
                     "%(round)s, with a revised declaration.") % {
                         "locality": actor.name, "version": objection.plan.version, "round": intake_round.title}
        return _("%(locality)s answered your reply on its objection to version %(version)s of the plan for "
                 "%(round)s.") % {"locality": actor.name, "version": objection.plan.version,
                                  "round": intake_round.title}

    _notify(recipients=_round_planners(intake_round), kind="planning.answer_received", text=answer_text,
            url=_thread_url(objection, intake_round), target=message)
    return message


# --- funding ---------------------------------------------------------------------------------------------


@transaction.atomic
def funding_rates_set(*, user: Any, intake_round: IntakeRound, rates: Iterable[Mapping[str, Any]],
                      is_demo: bool = False) -> list[FundingRate]:
    """Replace the round's funding rates: each {service ("person" or a service key), basis, amount}."""
    require(user, "planning.change_intakeround", intake_round)
    clean: dict[tuple[str, str], Decimal] = {}
    for rate in rates:
        service, basis = str(rate.get("service", "")), str(rate.get("basis", ""))
        if basis not in FundingBasis.values:
            raise ValidationError(_("Unknown basis “%(basis)s”.") % {"basis": basis})
        if basis == FundingBasis.PERSON and service != FUNDING_PERSON and service not in SERVICE_KEYS:
            raise ValidationError(_("Unknown service “%(service)s”.") % {"service": service})
        if basis == FundingBasis.UNIT and service not in SERVICE_KEYS:
            raise ValidationError(_("An amount per unit needs a service."))
        amount = _money(rate.get("amount"), _("Amount"))
        if amount is None:
            continue
        if (service, basis) in clean:
            raise ValidationError(_("The rate for %(service)s is given twice.") % {"service": service})
        clean[(service, basis)] = amount
    before = {"rates": [[r.service, r.basis, str(r.amount)] for r in intake_round.funding_rates.all()]}
    intake_round.funding_rates.all().delete()
    saved = FundingRate.objects.bulk_create([
        FundingRate(round=intake_round, service=service, basis=basis, amount=amount, is_demo=is_demo)
        for (service, basis), amount in clean.items()
    ])
    audit_record(user=user, action="planning.set_funding_rates", target=intake_round, before=before,
                 after={"rates": [[r.service, r.basis, str(r.amount)] for r in saved]})
    if intake_round.plans.exists():
        exports.transfer_files_refresh(intake_round=intake_round)
    return saved
