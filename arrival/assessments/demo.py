"""Demo assessments for real cities over three cycles, all labelled demo (DESIGN.md rule 7).

The answers are invented — seeded from each city's GeoNames id so every run gives the same ones — and say
nothing true about the city: every assessment, user and attachment is `is_demo=True` and shows the demo badge.
They go through the real services (open → answer → submit → validate → publish), so the demo exercises the
workflow and its audit trail. Idempotent: a city's cycle that already has an assessment is left alone.
"""

from __future__ import annotations

import random
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.accounts.services import demo_account_reset
from arrival.actors.selectors import local_government_list
from arrival.assessments.models import Assessment, AssessmentStatus, SpecialAnswer
from arrival.assessments.selectors.records import assessment_get, framework_current, indicator_list
from arrival.assessments.selectors.validation import named_validator_list
from arrival.assessments.services import (
    MAX_VALIDATORS,
    answers_save_many,
    assessment_open,
    assessment_publish,
    assessment_submit,
    assessment_validators_set,
    outcome_value_save,
    validation_comment,
    validation_decide,
    validation_start,
)

CYCLES = (2023, 2024, 2025)
DEMO_OFFICER_USERNAME = "demo-city-officer"
DEMO_VALIDATOR_USERNAME = "demo-validator"
DEMO_SOURCE = "Demo figure, invented for the demo: not a statistic about this city"

# Large and well-known cities across regions, by GeoNames id; those not loaded (population filter) are skipped.
DEMO_CITIES = (
    2791537,  # Mechelen
    6077243,  # Montréal
    3448439,  # São Paulo
    2306104,  # Accra
    3128760,  # Barcelona
    2950159,  # Berlin
    264371,  # Athens
    250441,  # Amman
    232422,  # Kampala
    3652462,  # Quito
    3688689,  # Bogotá
    2267057,  # Lisbon
    2759794,  # Amsterdam
    3173435,  # Milan
    2988507,  # Paris
    2761369,  # Vienna
    2964574,  # Dublin
    658225,  # Helsinki
    314830,  # Gaziantep
    276781,  # Beirut
    184745,  # Nairobi
    993800,  # Johannesburg
    2253354,  # Dakar
    2409306,  # Freetown
    3530597,  # Mexico City
    5368361,  # Los Angeles
    5128581,  # New York City
    6167865,  # Toronto
    3435910,  # Buenos Aires
    3936456,  # Lima
    3871336,  # Santiago
    1185241,  # Dhaka
    1701668,  # Manila
    2158177,  # Melbourne
    2553604,  # Casablanca
    344979,  # Addis Ababa
)
# Cities whose latest cycle waits for validation, so the demo shows the workflow in progress too.
AWAITING_VALIDATION = {2791537, 232422, 3936456}


def _demo_user(username: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "is_demo": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _demo_officer(actor: Any) -> User:
    user = _demo_user(f"demo-officer-{actor.local.geonames_id}", f"Demo officer, {actor.name}")
    Role.objects.get_or_create(user=user, actor=actor, kind=RoleKind.OFFICER, ended_at=None)
    return user


def _levels(rng: random.Random, codes: list[str]) -> list[dict[str, Any]]:
    """Answers for three cycles: a city profile, then gains (and a few set-backs) from cycle to cycle."""
    mean = rng.uniform(0.8, 2.8)
    levels = {code: min(4, max(0, round(rng.gauss(mean, 0.9)))) for code in codes}
    specials: dict[str, str] = {}
    for code in codes:
        draw = rng.random()
        if draw < 0.05:
            specials[code] = SpecialAnswer.NOT_COMPETENT
        elif draw < 0.07:
            specials[code] = SpecialAnswer.NOT_APPLICABLE
        elif draw < 0.10:
            specials[code] = SpecialAnswer.UNKNOWN
    cycles = []
    pace = rng.uniform(0.1, 0.45)
    for _cycle in CYCLES:
        cycles.append({code: specials.get(code, levels[code]) for code in codes})
        for code in codes:
            step = rng.random()
            if step < pace:
                levels[code] = min(4, levels[code] + 1)
            elif step > 0.97:
                levels[code] = max(0, levels[code] - 1)
        for code in [c for c in specials if specials[c] == SpecialAnswer.UNKNOWN]:
            if rng.random() < 0.5:  # an unknown is often found out by the next cycle
                del specials[code]
    return cycles


def _rows(answers: dict[str, Any], cycle: int) -> list[dict[str, Any]]:
    rows = []
    for n, (code, answer) in enumerate(answers.items(), start=1):
        if isinstance(answer, str):
            rows.append({"indicator_code": code, "special": answer})
        else:
            reference = f"Demo evidence: council decision {cycle}/{n:03d}" if answer >= 1 else ""
            rows.append({"indicator_code": code, "value": answer, "evidence_reference": reference})
    return rows


def _run_cycle(*, actor: Any, officer: User, validator: User, validator_actor: Any, cycle: int,
               answers: dict[str, Any], rng: random.Random, outcome: list[Any], publish: bool) -> Assessment:
    assessment = assessment_open(user=officer, government=actor, cycle=cycle, is_demo=True)
    answers_save_many(user=officer, assessment=assessment, rows=_rows(answers, cycle))
    for indicator in outcome[:3]:
        for group, offset in (("born_abroad", 0.0), ("born_in_country", -rng.uniform(2, 12))):
            outcome_value_save(user=officer, assessment=assessment, indicator=indicator, population_group=group,
                               value=round(rng.uniform(8, 30) + offset, 1), year=cycle - 1, source=DEMO_SOURCE)
    assessment_submit(user=officer, assessment=assessment, validators=[validator_actor])
    if not publish:
        return assessment
    validation = validation_start(user=validator, assessment=assessment, validator_actor=validator_actor)
    if rng.random() < 0.3:  # some validators ask for changes first
        answered = [a for a in assessment.answers.select_related("indicator") if not a.special]
        asked = rng.choice(answered)
        validation_comment(user=validator, validation=validation, indicator=asked.indicator,
                           text="Demo comment: please add the reference of the decision that adopted this.")
        validation_decide(user=validator, validation=validation, decision="changes_requested",
                          summary="Demo review: one reference to complete.")
        answers_save_many(user=officer, assessment=assessment_get(pk=assessment.pk), rows=[{
            "indicator_code": asked.indicator.code, "value": asked.value,
            "evidence_reference": f"Demo evidence: council decision {cycle}/rev", "comment": "Reference added.",
        }])
        assessment_submit(user=officer, assessment=assessment_get(pk=assessment.pk))
        validation = validation_start(user=validator, assessment=assessment_get(pk=assessment.pk),
                                      validator_actor=validator_actor)
    validation_decide(user=validator, validation=validation, decision="accepted",
                      summary="Demo review: evidence checked.")
    assessment_publish(user=officer, assessment=assessment_get(pk=assessment.pk))
    return assessment


def load_demo_assessments(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, int]:
    """Demo assessments for the demo cities that are loaded; cycles already present are skipped."""
    framework = framework_current()
    codes = list(indicator_list(framework=framework).values_list("code", flat=True))
    outcome = list(indicator_list(framework=framework, outcome=True))
    by_id = {a.local.geonames_id: a for a in local_government_list().filter(local__geonames_id__in=DEMO_CITIES)
             .select_related("local", "country")}
    cities = [by_id[g] for g in DEMO_CITIES if g in by_id]
    created = skipped = 0
    if len(cities) < 2:
        if stdout is not None:
            stdout.write("  demo assessments need at least two of the demo cities loaded; none added\n")
        return {"created": 0, "skipped": 0}
    officers = {actor.pk: _demo_officer(actor) for actor in cities}
    for n, actor in enumerate(cities):
        # The validator is the officer of a city a third of the list away: another government, often another region.
        validator_actor = cities[(n + len(cities) // 3) % len(cities)]
        rng = random.Random(actor.local.geonames_id)  # noqa: S311 - seeded demo answers, not secrets
        plan = _levels(rng, codes)
        existing = set(Assessment.objects.filter(government=actor).values_list("cycle", flat=True))
        for cycle, answers in zip(CYCLES, plan, strict=True):
            if cycle in existing:
                skipped += 1
                continue
            publish = not (cycle == CYCLES[-1] and actor.local.geonames_id in AWAITING_VALIDATION)
            with transaction.atomic():
                _run_cycle(actor=actor, officer=officers[actor.pk], validator=officers[validator_actor.pk],
                           validator_actor=validator_actor, cycle=cycle, answers=answers, rng=rng,
                           outcome=outcome, publish=publish)
            created += 1
    if stdout is not None:
        published = Assessment.objects.filter(is_demo=True, status=AssessmentStatus.PUBLISHED).count()
        stdout.write(f"  {len(cities)} demo cities: {created} assessments added, {skipped} already there, "
                     f"{published} demo assessments published\n")
    return {"created": created, "skipped": skipped}


# --- demo sign-ins ---------------------------------------------------------------------------------------




def _name_demo_validator(validator_actor: Any) -> None:
    """Name the demo validator's city for the demo assessments waiting for validation, so that the demo
    validator finds them in "My work"."""
    waiting = Assessment.objects.filter(is_demo=True, status=AssessmentStatus.SUBMITTED).exclude(
        government=validator_actor).select_related("government__local")
    for assessment in waiting:
        named = [row.actor for row in named_validator_list(assessment=assessment)]
        if validator_actor not in named and len(named) < MAX_VALIDATORS and hasattr(assessment.government, "local"):
            assessment_validators_set(user=_demo_officer(assessment.government), assessment=assessment,
                                      validators=[*named, validator_actor])


def load_demo_accounts(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, str]:
    """Two demo sign-ins for trying the whole cycle in the browser; never in production.

    The officer belongs to a demo city without an assessment for the current year, so they can open a
    cycle; the validator holds a reviewer role in another demo city. Every run sets new random passwords
    and prints them to `stdout`. Returns {username: password}.
    """
    if settings.PRODUCTION:
        if stdout is not None:
            stdout.write("  demo sign-ins are never created in production\n")
        return {}
    year = timezone.now().year
    by_id = {a.local.geonames_id: a for a in local_government_list().filter(local__geonames_id__in=DEMO_CITIES)
             .select_related("local")}
    cities = [by_id[g] for g in DEMO_CITIES if g in by_id]
    busy = set(Assessment.objects.filter(government__in=cities, cycle=year).values_list("government_id", flat=True))
    free = [actor for actor in cities if actor.pk not in busy]
    if not free or len(cities) < 2:  # noqa: PLR2004 - an officer's city and another one
        if stdout is not None:
            stdout.write("  demo sign-ins need two demo cities, one without an assessment this year; none made\n")
        return {}
    city = free[0]
    others = [actor for actor in cities if actor.pk != city.pk]
    # Preferably a city with no assessment waiting for validation, so the validator may review all of those.
    other = next((actor for actor in others if actor.local.geonames_id not in AWAITING_VALIDATION), others[0])
    officer = demo_account_reset(
        username=DEMO_OFFICER_USERNAME, display_name=f"Demo officer, {city.name}", actor=city, kind=RoleKind.OFFICER)
    validator = demo_account_reset(
        username=DEMO_VALIDATOR_USERNAME, display_name=f"Demo validator, {other.name}", actor=other,
        kind=RoleKind.REVIEWER)
    _name_demo_validator(other)
    if stdout is not None:
        stdout.write(
            "  Demo sign-ins (demo accounts for trying Arrival, reset with new passwords on every setup run):\n"
            f"    officer of {city.name} (can open the {year} cycle): {officer.describe()}\n"
            f"    validator (reviewer in {other.name}): {validator.describe()}\n"
        )
    return {DEMO_OFFICER_USERNAME: officer.password, DEMO_VALIDATOR_USERNAME: validator.password}
