"""Demo intake round in Germany: real cities and their Länder, invented numbers, all labelled demo.

The places (GeoNames ids) and which Land each city lies in are facts; everything else — the round, the key
inputs (tax revenue, GDP, unemployment, past effort), the declarations and the families — is invented and
illustrative, says so in the round's title and carries the demo badge. Berlin and Hamburg are city-states and
stand as their own region. Idempotent: a demo round already there is left alone. Seeded: every run writes the
same content. The draft plan is computed at set-up (a few hundred synthetic families, a few seconds).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.accounts.services import demo_account_reset
from arrival.actors.models import Actor, ActorKind, LocalGovernment
from arrival.planning import services
from arrival.planning.models import IntakeRound

DEMO_TITLE = "Demo: intake round 2027 (illustrative figures)"
NATIONAL_SLUG = "government-de"
PLANNER_USERNAME = "demo-planner-de"
SEED = 2027
CASES = 300
# GeoNames id → the Land (regional government) it lies in; "" for the city-states (their own region).
CITIES: dict[int, str] = {
    2950159: "",  # Berlin
    2911298: "",  # Hamburg
    2867714: "Bayern",  # Munich
    2861650: "Bayern",  # Nuremberg
    2886242: "Nordrhein-Westfalen",  # Köln
    2934246: "Nordrhein-Westfalen",  # Düsseldorf
    2935517: "Nordrhein-Westfalen",  # Dortmund
    2925533: "Hessen",  # Frankfurt am Main
    2825297: "Baden-Württemberg",  # Stuttgart
    2879139: "Sachsen",  # Leipzig
}
# Declarations: which cities leave some services partial / not provided, and one that stays a draft.
DRAFT_CITY = 2879139
PARTIAL_CITIES = {2861650, 2935517, 2825297}


def _demo_user(username: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(username=username,
                                               defaults={"display_name": display_name, "is_demo": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _role(user: User, actor: Actor, kind: str) -> None:
    Role.objects.get_or_create(user=user, actor=actor, kind=kind, ended_at=None)


def _capacities(rng: random.Random, population: int, partial: bool) -> dict[str, dict[str, Any]]:
    scale = max(population / 1_000_000, 0.3)
    caps: dict[str, dict[str, Any]] = {
        "housing_1br": {"value": round(rng.uniform(6, 14) * scale), "state": "provided"},
        "housing_2br": {"value": round(rng.uniform(6, 14) * scale), "state": "provided"},
        "housing_3br": {"value": round(rng.uniform(4, 10) * scale), "state": "provided"},
        "school_6_11": {"value": round(rng.uniform(20, 40) * scale), "state": "provided"},
        "school_12_17": {"value": round(rng.uniform(15, 35) * scale), "state": "provided"},
        "childcare": {"value": round(rng.uniform(10, 30) * scale), "state": "provided"},
        "language_course": {"value": round(rng.uniform(60, 120) * scale), "state": "provided"},
        "health": {"value": round(rng.uniform(20, 60) * scale), "state": "provided"},
        "interpreter": {"value": round(rng.uniform(10, 30) * scale), "state": "provided"},
    }
    if partial:  # "not provided" is capacity 0: these cities take no family that needs an interpreter
        caps["health"] = {"value": None, "state": "no_limit"}
        caps["childcare"]["state"] = "partial"
        caps["interpreter"] = {"value": None, "state": "not_provided"}
    return caps


def load_demo_planning(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, int]:
    """Create the demo round (if missing): localities with regions, key inputs, declarations, cases, a draft plan."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"  {message}\n")

    government = Actor.objects.filter(slug=NATIONAL_SLUG, kind=ActorKind.NATIONAL_GOVERNMENT).first()
    if government is None:
        say("no national government of Germany loaded; demo round skipped")
        return {"rounds": 0}
    if IntakeRound.objects.filter(government=government, title=DEMO_TITLE).exists():
        say("demo intake round already there")
        return {"rounds": 0}
    locals_by_id = {lg.geonames_id: lg.actor for lg in
                    LocalGovernment.objects.filter(geonames_id__in=list(CITIES)).select_related("actor")}
    cities = [(gid, locals_by_id[gid]) for gid in CITIES if gid in locals_by_id]
    if len(cities) < 3:  # noqa: PLR2004 - a plan needs a few localities to say anything
        say("fewer than three of the demo cities are loaded; demo round skipped")
        return {"rounds": 0}
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    planner = _demo_user(PLANNER_USERNAME, "Demo national planner, Germany")
    _role(planner, government, RoleKind.PLANNER)
    officers = {}
    for gid, actor in cities:
        officer = _demo_user(f"demo-officer-{gid}", f"Demo officer, {actor.name}")
        _role(officer, actor, RoleKind.OFFICER)
        officers[gid] = officer
    now = timezone.now()
    intake_round = services.round_create(
        user=planner, government=government, title=DEMO_TITLE, period_start=dt.date(2027, 1, 1),
        period_end=dt.date(2027, 12, 31), total=900, deadline=now + dt.timedelta(days=30),
        categories=["Resettlement", "Relocation", "Unaccompanied minors"], key_name="koenigstein", band=0.5,
        weight_outcome=1.0, weight_preference=0.2, weight_demand=0.1, unplaced_penalty=0.5, is_demo=True,
    )
    table = "locality,region\n" + "".join(f"{actor.slug},{CITIES[gid]}\n" for gid, actor in cities)
    localities = services.localities_set(user=planner, intake_round=intake_round, table=table)
    # Illustrative key inputs: per-capita figures drawn around plausible levels (not statistics).
    rows: dict[int, dict[str, Any]] = {}
    for locality in localities:
        population = locality.actor.population or 500_000
        rows[locality.actor_id] = {
            "tax_revenue": round(population * rng.uniform(1.8, 3.2) * 1000),
            "gdp": round(population * rng.uniform(40, 90) * 1000),
            "unemployment_rate": round(rng.uniform(4.0, 10.5), 1),
            "past_effort": round(population * rng.uniform(0.004, 0.012)),
        }
    services.key_inputs_set(user=planner, intake_round=intake_round, rows=rows, is_demo=True)
    intake_round = services.round_open(user=planner, intake_round=intake_round)
    for gid, actor in cities:
        services.declaration_save(
            user=officers[gid], intake_round=intake_round, actor=actor,
            capacities=_capacities(rng, actor.population or 500_000, gid in PARTIAL_CITIES),
            labour={"care": rng.randint(20, 120), "construction": rng.randint(10, 80),
                    "hospitality": rng.randint(5, 60), "logistics": rng.randint(5, 50)},
            places_volunteered=rng.randint(20, 150), funding_needs=str(rng.randint(200, 900) * 1000),
            notes="Demo declaration with invented figures.", submit=gid != DRAFT_CITY, is_demo=True,
        )
    services.cases_generate_synthetic(user=planner, intake_round=intake_round, count=CASES, seed=SEED)
    # A synthetic family tied to a city that provides no interpreter, needing one, could not be placed at all.
    no_interpreter = [str(actor.pk) for gid, actor in cities if gid in PARTIAL_CITIES]
    for case in intake_round.cases.filter(tied_to__in=no_interpreter):
        if case.needs.get("interpreter"):
            case.tied_to = ""
            case.save(update_fields=["tied_to"])
    services.funding_rates_set(user=planner, intake_round=intake_round, is_demo=True, rates=[
        {"service": "person", "basis": "person", "amount": "12000"},
        {"service": "language_course", "basis": "unit", "amount": "1500"},
        {"service": "childcare", "basis": "unit", "amount": "9000"},
    ])
    try:
        result = services.plan_compute(user=planner, intake_round=intake_round, background=False, time_limit=10)
    except ValidationError as error:
        # With only some demo cities loaded (e.g. `setup --min-population 1000000`) the demo band may not fit
        # their capacities: the round stays for the planner to adjust, and set-up goes on.
        say(f"demo intake round in Germany: {len(cities)} cities, no draft plan ({'; '.join(error.messages)})")
        return {"rounds": 1, "localities": len(cities), "cases": CASES}
    plan = result.plan
    if plan is None:  # computed in the foreground, so it is there
        raise RuntimeError("the demo plan was not computed")
    say(f"demo intake round in Germany: {len(cities)} cities, {CASES} synthetic families, draft plan v{plan.version} "
        f"(objective {plan.objective:.3f}, bound {plan.bound:.3f}, gap {plan.gap:.2e}, {plan.seconds:.1f} s)")
    return {"rounds": 1, "localities": len(cities), "cases": CASES}


def load_demo_planning_accounts(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, str]:
    """Sign-ins for trying the demo round in the browser, never in production: the national planner and the
    officer of the first demo city. Every run sets new random passwords and prints them. Returns {username: password}."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"  {message}\n")

    if settings.PRODUCTION:
        say("demo sign-ins are never created in production")
        return {}
    intake_round = IntakeRound.objects.filter(title=DEMO_TITLE, is_demo=True).select_related("government").first()
    city = LocalGovernment.objects.filter(geonames_id__in=list(CITIES)).select_related("actor").first()
    if intake_round is None or city is None:
        say("no demo intake round; no planning sign-ins made")
        return {}
    planner = demo_account_reset(
        username=PLANNER_USERNAME, display_name="Demo national planner, Germany", actor=intake_round.government,
        kind=RoleKind.PLANNER)
    officer_username = f"demo-officer-{city.geonames_id}"
    officer = demo_account_reset(
        username=officer_username, display_name=f"Demo officer, {city.actor.name}", actor=city.actor,
        kind=RoleKind.OFFICER)
    say("Demo sign-ins for the intake round (reset with new passwords on every setup run):")
    say(f"  national planner, Germany: {planner.describe()}")
    say(f"  officer of {city.actor.name} (a locality of the round): {officer.describe()}")
    return {PLANNER_USERNAME: planner.password, officer_username: officer.password}
