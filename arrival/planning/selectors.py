"""Reads for intake planning. Case-level reads check `planning.view_case` themselves (planners only)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet

from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import actor_ids_for
from arrival.planning.models import (
    FUNDING_PERSON,
    SERVICE_KEYS,
    SERVICE_LABELS,
    Allocation,
    CapacityState,
    Case,
    Declaration,
    FundingBasis,
    IntakeRound,
    LocalityResponse,
    Plan,
    PlanStatus,
    RoundLocality,
    RoundStatus,
)

LOCALITY_TEAM = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)


def round_get(*, pk: int) -> IntakeRound:
    return IntakeRound.objects.select_related("government", "government__country").get(pk=pk)


def round_list(*, user: Any) -> QuerySet[IntakeRound]:
    """The rounds `user` may see: their national government's (planners), those they take part in, all (staff)."""
    rounds = IntakeRound.objects.select_related("government").annotate(locality_count=Count("localities"))
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_staff:
        return rounds
    planner_of = actor_ids_for(user, [RoleKind.PLANNER])
    member_of = actor_ids_for(user)
    return rounds.filter(
        Q(government_id__in=planner_of)
        | (Q(localities__actor_id__in=member_of) & ~Q(status=RoundStatus.DRAFT))
    ).distinct()


def user_localities(*, user: Any, intake_round: IntakeRound) -> list[RoundLocality]:
    """The round's localities `user` works for (officers and administrators)."""
    ids = actor_ids_for(user, LOCALITY_TEAM)
    return list(intake_round.localities.filter(actor_id__in=ids).select_related("actor"))


def is_planner(*, user: Any, intake_round: IntakeRound) -> bool:
    return bool(user is not None and user.has_perm("planning.change_intakeround", intake_round))


def locality_list(*, intake_round: IntakeRound) -> list[RoundLocality]:
    return list(intake_round.localities.select_related("actor", "region", "actor__local"))


def declaration_status(*, intake_round: IntakeRound) -> list[dict[str, Any]]:
    """Per locality: its declaration's status and counts of provided / partial / not provided services."""
    declarations = {
        d.actor_id: d for d in Declaration.objects.filter(round=intake_round).annotate(
            provided=Count("capacities", filter=Q(capacities__state=CapacityState.PROVIDED)),
            partial=Count("capacities", filter=Q(capacities__state=CapacityState.PARTIAL)),
            not_provided=Count("capacities", filter=Q(capacities__state=CapacityState.NOT_PROVIDED)),
        )
    }
    rows = []
    for locality in locality_list(intake_round=intake_round):
        declaration = declarations.get(locality.actor_id)
        rows.append({
            "locality": locality, "declaration": declaration,
            "status": declaration.status if declaration else "",
            "provided": declaration.provided if declaration else 0,
            "partial": declaration.partial if declaration else 0,
            "not_provided": declaration.not_provided if declaration else len(SERVICE_KEYS),
        })
    return rows


def declaration_get(*, intake_round: IntakeRound, actor_id: int) -> Declaration | None:
    return (Declaration.objects.filter(round=intake_round, actor_id=actor_id)
            .select_related("actor").prefetch_related("capacities", "labour_demand").first())


def declarations_visible(*, user: Any, intake_round: IntakeRound) -> QuerySet[Declaration]:
    """Planners and staff: every declaration; a locality's people: their own only."""
    declarations = (Declaration.objects.filter(round=intake_round).select_related("actor")
                    .prefetch_related("capacities", "labour_demand"))
    if user.has_perm("planning.change_intakeround", intake_round):
        return declarations
    return declarations.filter(actor_id__in=actor_ids_for(user))


def case_list(*, user: Any, intake_round: IntakeRound) -> QuerySet[Case]:
    """Case records: the round's national planners only (DESIGN.md rules 1 and 3)."""
    if not user.has_perm("planning.view_case", intake_round):
        raise PermissionDenied("Case records are for the round's national planners only.")
    return intake_round.cases.order_by("id")


def case_summary(*, intake_round: IntakeRound) -> dict[str, Any]:
    """Aggregate facts about the cases (counts only) — safe to show to anyone who sees the round."""
    rows = intake_round.cases.values("category").annotate(families=Count("id"))
    persons = defaultdict(int)
    for category, size in intake_round.cases.values_list("category", "size"):
        persons[category] += size
    return {"families": sum(r["families"] for r in rows), "persons": sum(persons.values()),
            "by_category": [{"category": r["category"], "families": r["families"], "persons": persons[r["category"]]}
                            for r in rows]}


def case_groups(*, user: Any, intake_round: IntakeRound) -> list[str]:
    """The group names of the round's cases (for fairness floors): the round's planners only."""
    if not user.has_perm("planning.view_case", intake_round):
        raise PermissionDenied("Case records are for the round's national planners only.")
    return sorted(set(intake_round.cases.exclude(group="").values_list("group", flat=True).distinct()))


def plan_list(*, user: Any, intake_round: IntakeRound) -> QuerySet[Plan]:
    plans = intake_round.plans.order_by("-version")
    if user.has_perm("planning.change_intakeround", intake_round):
        return plans
    return plans.filter(published_at__isnull=False)


def plan_get(*, intake_round: IntakeRound, version: int) -> Plan:
    return intake_round.plans.get(version=version)


def plan_current(*, intake_round: IntakeRound, published_only: bool = False) -> Plan | None:
    plans = intake_round.plans.order_by("-version")
    if published_only:
        plans = plans.filter(published_at__isnull=False)
    return plans.first()


def plan_visible(*, user: Any, plan: Plan) -> bool:
    if user.has_perm("planning.change_intakeround", plan.round):
        return True
    return plan.published_at is not None and user.has_perm("planning.view_intakeround", plan.round)


def allocation_rows(*, plan: Plan, actor_ids: set[int] | None = None) -> list[Allocation]:
    allocations = plan.allocations.select_related("actor")
    if actor_ids is not None:
        allocations = allocations.filter(actor_id__in=actor_ids)
    return list(allocations)


def allocation_summary(*, plan: Plan, actor_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """Per locality: persons and families by category, units per service, capacity, key quota, deviation."""
    categories = dict(plan.round.categories.values_list("code", "label"))
    quotas = plan.metrics.get("key_quota", {})
    capacity = plan.metrics.get("capacity", {})
    by_actor: dict[int, dict[str, Any]] = {}
    localities = plan.round.localities.select_related("actor", "actor__local")
    if actor_ids is not None:
        localities = localities.filter(actor_id__in=actor_ids)
    for locality in localities:
        by_actor[locality.actor_id] = {"actor": locality.actor, "locality": locality, "persons": 0, "families": 0,
                                       "categories": [], "units": defaultdict(float)}
    for allocation in allocation_rows(plan=plan, actor_ids=actor_ids):
        row = by_actor.get(allocation.actor_id)
        if row is None:
            continue
        row["persons"] += allocation.persons
        row["families"] += allocation.families
        row["categories"].append({"code": allocation.category, "label": categories.get(allocation.category,
                                                                                        allocation.category),
                                  "persons": allocation.persons, "families": allocation.families})
        for service, units in allocation.service_units.items():
            row["units"][service] += units
    result = []
    for actor_id, row in by_actor.items():
        key = str(actor_id)
        quota = quotas.get(key)
        row["quota"] = quota
        row["deviation"] = row["persons"] - quota if quota is not None else None
        row["services"] = [{"service": s, "label": SERVICE_LABELS[s], "units": row["units"].get(s, 0.0),
                            "capacity": capacity.get(s, {}).get(key)} for s in SERVICE_KEYS]
        result.append(row)
    return sorted(result, key=lambda r: r["actor"].name)


def response_list(*, plan: Plan, actor_ids: set[int] | None = None) -> QuerySet[LocalityResponse]:
    responses = plan.responses.select_related("actor", "responded_by")
    return responses.filter(actor_id__in=actor_ids) if actor_ids is not None else responses


def responses_for_round(*, intake_round: IntakeRound) -> QuerySet[LocalityResponse]:
    return (LocalityResponse.objects.filter(plan__round=intake_round)
            .select_related("actor", "plan", "responded_by").order_by("-plan__version", "actor__name"))


def transfer_table(*, plan: Plan) -> dict[str, Any]:
    """Money that follows people: per locality, Σ rate × persons placed (per person) or × units used (per unit)."""
    rates = list(plan.round.funding_rates.all())
    summary = allocation_summary(plan=plan)
    columns = []
    for rate in rates:
        label = (SERVICE_LABELS.get(rate.service, "") if rate.service != FUNDING_PERSON else "")
        columns.append({"rate": rate, "label": label})
    rows = []
    totals = [Decimal("0")] * len(rates)
    for row in summary:
        amounts = []
        for index, rate in enumerate(rates):
            if rate.basis == FundingBasis.PERSON:
                quantity = Decimal(row["persons"])
            else:
                quantity = Decimal(str(row["units"].get(rate.service, 0.0)))
            amount = (quantity * rate.amount).quantize(Decimal("0.01"))
            totals[index] += amount
            amounts.append(amount)
        rows.append({"actor": row["actor"], "persons": row["persons"], "amounts": amounts, "total": sum(amounts, Decimal("0"))})
    return {"plan": plan, "columns": columns, "rows": rows, "totals": totals,
            "grand_total": sum(totals, Decimal("0")), "currency": plan.round.currency}


def plan_for_transfers(*, intake_round: IntakeRound) -> Plan | None:
    """The plan money follows: the accepted one, else the latest published, else the latest draft."""
    plans = intake_round.plans.order_by("-version")
    return (plans.filter(status=PlanStatus.ACCEPTED).first() or plans.filter(published_at__isnull=False).first()
            or plans.first())
