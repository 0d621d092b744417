"""Reads for intake planning. Case-level reads check `planning.view_case` themselves (planners only)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rules.permissions import has_perm as _rule_has_perm

from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import actor_ids_for, role_list
from arrival.engagement.handoffs import WorkItem
from arrival.planning.models import (
    FUNDING_PERSON,
    SERVICE_KEYS,
    SERVICE_LABELS,
    Allocation,
    CapacityState,
    Case,
    CaseAccessGrant,
    Declaration,
    DeclarationStatus,
    DialogueMessage,
    DialogueSide,
    FundingBasis,
    IntakeRound,
    LocalityResponse,
    Plan,
    PlanStatus,
    ResponseDecision,
    RoundLocality,
    RoundStatus,
)

LOCALITY_TEAM = (RoleKind.OFFICER, RoleKind.ADMINISTRATOR)


def rule_test(perm: str, user: Any, obj: Any) -> bool:
    """The named rule itself (django-rules), without Django's shortcut that grants a superuser everything."""
    return bool(_rule_has_perm(perm, user, obj))  # type: ignore[no-untyped-call]  # django-rules ships no types


def round_get(*, pk: int) -> IntakeRound:
    return IntakeRound.objects.select_related("government", "government__country").get(pk=pk)


def round_list(*, user: Any) -> QuerySet[IntakeRound]:
    """The rounds `user` may see: their national government's (planners), those they take part in, all (staff).

    `locality_count` is counted in a subquery of its own, so the join that finds the rounds a user takes part in
    cannot multiply it.
    """
    count = (RoundLocality.objects.filter(round=OuterRef("pk")).order_by().values("round")
             .annotate(n=Count("id")).values("n"))
    rounds = IntakeRound.objects.select_related("government").annotate(
        locality_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_staff:
        return rounds
    planner_of = actor_ids_for(user, [RoleKind.PLANNER])
    member_of = actor_ids_for(user)
    taking_part = RoundLocality.objects.filter(round=OuterRef("pk"), actor_id__in=member_of)
    return rounds.filter(
        Q(government_id__in=planner_of) | (Exists(taking_part) & ~Q(status=RoundStatus.DRAFT))
    )


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
            no_limit=Count("capacities", filter=Q(capacities__state=CapacityState.NO_LIMIT)),
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
            "no_limit": declaration.no_limit if declaration else 0,
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


def case_access(*, user: Any, intake_round: IntakeRound) -> str | None:
    """How `user` may read the round's case records: "planner" (one of its national planners), "grant" (a grant
    a planner gave, still running) or None. Superusers and site staff get nothing by their flags: Django's
    superuser shortcut in `has_perm` is bypassed by testing the rule itself."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if rule_test("planning.view_case", user, intake_round):
        return "planner"
    if case_grant_active(user=user, intake_round=intake_round) is not None:
        return "grant"
    return None


def case_grant_active(*, user: Any, intake_round: IntakeRound) -> CaseAccessGrant | None:
    return (CaseAccessGrant.objects.filter(round=intake_round, user_id=user.pk, revoked_at__isnull=True,
                                           expires_at__gt=timezone.now()).order_by("-expires_at").first())


def case_grant_list_running_for(user_id: int) -> QuerySet[CaseAccessGrant]:
    """The grants, in any round, that let the person `user_id` read case records now: holding one makes a second
    factor required of them (registered with accounts' `second_factor_required`)."""
    return CaseAccessGrant.objects.filter(user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now())


def case_grant_list(*, intake_round: IntakeRound) -> QuerySet[CaseAccessGrant]:
    """Grants still running, for the round's planners to see and revoke."""
    return (CaseAccessGrant.objects.filter(round=intake_round, revoked_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("user", "granted_by"))


def case_list(*, user: Any, intake_round: IntakeRound) -> QuerySet[Case]:
    """Case records: the round's national planners, or whom they granted access (DESIGN.md rules 1 and 3)."""
    if case_access(user=user, intake_round=intake_round) is None:
        raise PermissionDenied("Case records are for the round's national planners only.")
    return intake_round.cases.order_by("id")


def case_summary(*, intake_round: IntakeRound) -> dict[str, Any]:
    """Aggregate facts about the cases (counts only) — safe to show to anyone who sees the round."""
    rows = intake_round.cases.values("category").annotate(families=Count("id"))
    persons: defaultdict[str, int] = defaultdict(int)
    for category, size in intake_round.cases.values_list("category", "size"):
        persons[category] += size
    return {"families": sum(r["families"] for r in rows), "persons": sum(persons.values()),
            "by_category": [{"category": r["category"], "families": r["families"], "persons": persons[r["category"]]}
                            for r in rows]}


def case_groups(*, user: Any, intake_round: IntakeRound) -> list[str]:
    """The group names of the round's cases (for fairness floors): the round's planners only."""
    if case_access(user=user, intake_round=intake_round) != "planner":
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


def undeclared_treatment(*, plan: Plan) -> dict[int, dict[str, Any]]:
    """How this version treated each locality without a submitted declaration, by the round's rule:
    {actor id: {"treatment": "excluded" | "key_quota" | "last_round", "round": earlier round id, "quota": persons,
    "draft": bool}} (empty for versions computed before the rule existed)."""
    rows = ((plan.inputs or {}).get("undeclared") or {}).get("localities") or {}
    return {int(actor_id): dict(row) for actor_id, row in rows.items()}


def declarations_not_counted(*, plan: Plan) -> dict[int, str]:
    """The localities whose capacity did not limit this version, because no declaration of theirs was submitted
    when it was computed: {actor id: "draft" (left in draft), "missing" (none), or "" (not recorded)}."""
    declared = (plan.inputs or {}).get("declarations") or {}
    out: dict[int, str] = {}
    for actor_id, item in declared.items():
        if not item.get("submitted"):
            draft = item.get("draft")
            out[int(actor_id)] = "draft" if draft else ("missing" if draft is False else "")
    return out


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


def transfer_table(*, plan: Plan, actor_ids: set[int] | None = None) -> dict[str, Any]:
    """Money that follows people: per locality, Σ rate × persons placed (per person) or × units used (per unit).
    With `actor_ids`, only those localities' rows (and totals)."""
    rates = list(plan.round.funding_rates.all())
    summary = allocation_summary(plan=plan, actor_ids=actor_ids)
    columns = []
    for rate in rates:
        label = (SERVICE_LABELS.get(rate.service, "") if rate.service != FUNDING_PERSON else "")
        columns.append({"rate": rate, "label": label})
    rows = []
    totals = [Decimal("0")] * len(rates)
    for row in summary:
        amounts, lines = [], []
        for index, rate in enumerate(rates):
            if rate.basis == FundingBasis.PERSON:
                quantity = Decimal(row["persons"])
            else:
                quantity = Decimal(str(row["units"].get(rate.service, 0.0)))
            amount = (quantity * rate.amount).quantize(Decimal("0.01"))
            totals[index] += amount
            amounts.append(amount)
            lines.append({"rate": rate, "label": columns[index]["label"], "quantity": quantity, "amount": amount})
        rows.append({"actor": row["actor"], "persons": row["persons"], "amounts": amounts, "lines": lines,
                     "total": sum(amounts, Decimal("0"))})
    return {"plan": plan, "columns": columns, "rows": rows, "totals": totals,
            "grand_total": sum(totals, Decimal("0")), "currency": plan.round.currency}


def funding_lines(*, plan: Plan, actor_id: int) -> dict[str, Any] | None:
    """One locality's own transfer lines in `plan` (rate × its persons or units), for its own page; None without
    rates. Nothing of the other localities is read."""
    if not plan.round.funding_rates.exists():
        return None
    table = transfer_table(plan=plan, actor_ids={actor_id})
    return {"row": table["rows"][0] if table["rows"] else None, "currency": table["currency"]}


def plan_for_transfers(*, intake_round: IntakeRound) -> Plan | None:
    """The plan money follows: the accepted one, else the latest published, else the latest draft."""
    plans = intake_round.plans.order_by("-version")
    return (plans.filter(status=PlanStatus.ACCEPTED).first() or plans.filter(published_at__isnull=False).first()
            or plans.first())


# --- the dialogue: objection threads ---------------------------------------------------------------------


def _threads(objections: QuerySet[LocalityResponse]) -> QuerySet[LocalityResponse]:
    return (objections.filter(decision=ResponseDecision.OBJECT)
            .select_related("actor", "plan", "responded_by")
            .prefetch_related(Prefetch("messages", queryset=DialogueMessage.objects.select_related("author", "plan"))))


def thread_list(*, intake_round: IntakeRound, actor_ids: set[int] | None = None,
                plan: Plan | None = None) -> list[LocalityResponse]:
    """The objection threads of a round (of one plan version, of some localities), each with its messages: the
    planners see all; a locality's page passes its own id and sees only its own threads."""
    objections = LocalityResponse.objects.filter(plan__round=intake_round)
    if plan is not None:
        objections = objections.filter(plan=plan)
    if actor_ids is not None:
        objections = objections.filter(actor_id__in=actor_ids)
    return list(_threads(objections).order_by("-plan__version", "actor__name", "id"))


def thread_get(*, intake_round: IntakeRound, pk: int) -> LocalityResponse:
    """One objection's thread (LocalityResponse.DoesNotExist when it is not an objection of this round)."""
    return _threads(LocalityResponse.objects.filter(plan__round=intake_round)).get(pk=pk)


def replies_linked(*, plan: Plan) -> list[DialogueMessage]:
    """The planners' replies that led to this plan version, with the objection each answered."""
    return list(plan.linked_replies.select_related("objection", "objection__actor", "objection__plan", "author")
                .order_by("created_at", "id"))


def reply_plan_choices(*, objection: LocalityResponse) -> QuerySet[Plan]:
    """The versions a reply to this objection may link to: the round's later versions."""
    return objection.plan.round.plans.filter(version__gt=objection.plan.version).order_by("-version")


# --- "My work" (arrival.engagement.handoffs) --------------------------------------------------------------


def _acting_for(user: Any, kinds: tuple[str, ...]) -> QuerySet[Any]:
    """The ids of the actors `user` holds one of `kinds` in, as a subquery (no query of its own)."""
    return role_list().filter(user_id=user.pk, ended_at__isnull=True, kind__in=list(kinds)).values("actor_id")


def _signed_in(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _declarations_due(user: Any) -> QuerySet[RoundLocality]:
    submitted = Declaration.objects.filter(round=OuterRef("round"), actor=OuterRef("actor"),
                                           status=DeclarationStatus.SUBMITTED)
    return RoundLocality.objects.filter(actor_id__in=_acting_for(user, LOCALITY_TEAM), round__status=RoundStatus.OPEN,
                                        round__deadline__gt=timezone.now()).filter(~Exists(submitted))


def declaration_work_count(user: Any) -> QuerySet[Any] | int:
    """Declarations due from the localities `user` declares for (round open, before its deadline, none submitted)."""
    return _declarations_due(user) if _signed_in(user) else 0


def declaration_work_items(user: Any) -> list[WorkItem]:
    if not _signed_in(user):
        return []
    drafts = Declaration.objects.filter(round=OuterRef("round"), actor=OuterRef("actor"))
    rows = _declarations_due(user).annotate(has_draft=Exists(drafts)).select_related("round", "actor")
    return [WorkItem(kind="planning.declare",
                     action=_("Submit your draft declaration") if row.has_draft else _("Declare your capacity"),
                     title=row.round.title, url=reverse("planning:declaration", args=[row.round_id, row.actor_id]),
                     waiting_since=row.round.opened_at or row.round.created_at, deadline=row.round.deadline,
                     for_actor=row.actor.name)
            for row in rows]


def _plans_to_answer(user: Any) -> QuerySet[RoundLocality]:
    published = Plan.objects.filter(round=OuterRef("round"), status=PlanStatus.PUBLISHED)
    answered = LocalityResponse.objects.filter(plan__round=OuterRef("round"), plan__status=PlanStatus.PUBLISHED,
                                               actor=OuterRef("actor"))
    return (RoundLocality.objects.filter(actor_id__in=_acting_for(user, LOCALITY_TEAM),
                                         round__status=RoundStatus.PUBLISHED)
            .filter(Exists(published)).filter(~Exists(answered)))


def response_work_count(user: Any) -> QuerySet[Any] | int:
    """Published plan versions the localities `user` answers for have not accepted or objected to yet."""
    return _plans_to_answer(user) if _signed_in(user) else 0


def response_work_items(user: Any) -> list[WorkItem]:
    if not _signed_in(user):
        return []
    rows = list(_plans_to_answer(user).select_related("round", "actor"))
    plans = {p.round_id: p for p in Plan.objects.filter(round_id__in={r.round_id for r in rows},
                                                        status=PlanStatus.PUBLISHED)}
    items = []
    for row in rows:
        plan = plans.get(row.round_id)
        if plan is None or plan.published_at is None:
            continue
        items.append(WorkItem(kind="planning.respond",
                              action=_("Accept or object to version %(version)s") % {"version": plan.version},
                              title=row.round.title, url=reverse("planning:allocation", args=[row.round_id, row.actor_id]),
                              waiting_since=plan.published_at, deadline=plan.respond_by, for_actor=row.actor.name))
    return items


def _objections_awaiting(user: Any) -> QuerySet[LocalityResponse]:
    return LocalityResponse.objects.filter(
        awaiting_reply_since__isnull=False, decision=ResponseDecision.OBJECT,
        plan__round__government_id__in=_acting_for(user, (RoleKind.PLANNER,)))


def objection_work_count(user: Any) -> QuerySet[Any] | int:
    """Objections (and the localities' answers back, with or without a revised declaration) awaiting a reply from
    the round's planners."""
    return _objections_awaiting(user) if _signed_in(user) else 0


def objection_work_items(user: Any) -> list[WorkItem]:
    if not _signed_in(user):
        return []
    rows = _objections_awaiting(user).select_related("actor", "plan", "plan__round").prefetch_related("messages")
    items = []
    for row in rows:
        messages = list(row.messages.all())
        since = row.awaiting_reply_since or row.responded_at
        if not any(m.side == DialogueSide.PLANNERS for m in messages):
            action = _("Reply to the objection and revised declaration of %(locality)s") % {"locality": row.actor.name}
        elif any(m.side == DialogueSide.LOCALITY and m.revised_declaration and m.created_at >= since
                 for m in messages):
            action = _("Reply to the revised declaration of %(locality)s") % {"locality": row.actor.name}
        else:
            action = _("Reply to the answer of %(locality)s") % {"locality": row.actor.name}
        round_ = row.plan.round
        items.append(WorkItem(kind="planning.reply", action=action,
                              title=_("%(round)s · version %(version)s") % {"round": round_.title,
                                                                           "version": row.plan.version},
                              url=reverse("planning:objection", args=[round_.pk, row.pk]),
                              waiting_since=since, for_actor=row.actor.name))
    return items
