"""Demo consultation, modelled on the 2017 local-government input to the GCM stocktaking (all `is_demo=True`).

A loaded reference network (UCLG, else Metropolis) runs a consultation for the forum "gcm-stocktaking-2017";
real cities from the loaded places contribute. The words are illustrative and say so: nothing here reports
what these cities actually said or did. The records go through the real services; to pass each phase gate the
demo moves the process's phases along (through engagement's `process_phases_set`) and finally leaves it open
for endorsement. Idempotent: a second run finds the consultation and stops.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor, ActorKind
from arrival.consultations import phases as P
from arrival.consultations import services
from arrival.consultations.models import Access, Consultation, Forum
from arrival.engagement.phases import PhaseSpec
from arrival.engagement.services import process_phases_set
from arrival.frameworks.models import FrameworkItem, FrameworkKind

DEMO_TITLE = "Local input to the GCM stocktaking (demo, modelled on the 2017 process)"
NETWORK_NAMES = ("United Cities and Local Governments", "Metropolis")
NOTE = "Illustrative demo text — not a statement by this city."
# GeoNames id → (GCM objective, SDG target, illustrative proposed action).
CONTRIBUTORS: list[tuple[int, str, str, str]] = [
    (3128760, "15", "10.7", "Illustrative: open municipal services (health centres, schools, libraries) to every "
                            "resident whatever their status, with a single local entry point."),
    (6077243, "16", "10.2", "Illustrative: a city-wide newcomer welcome programme run with community "
                            "organisations, reviewed every year with residents."),
    (250441, "15", "11.1", "Illustrative: local plans for housing and services that count every resident, "
                           "including refugees living outside camps."),
    (3530597, "23", "17.17", "Illustrative: a standing dialogue between national and local governments on "
                             "reception and inclusion, with a seat for cities at review meetings."),
    (232422, "1", "17.18", "Illustrative: local data on services used by migrants, disaggregated by status in "
                           "aggregate only, shared with the national statistics office."),
]
ENDORSERS = (3128760, 6077243, 250441, 2553604)


def _user(username: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name,
                                                                            "is_demo": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _role(user: User, actor: Actor, kind: str) -> None:
    Role.objects.get_or_create(user=user, actor=actor, kind=kind, ended_at=None)


def _city_officer(actor: Actor) -> User:
    # The same person as the practices and assessments demos' officer of this city.
    user = _user(f"demo-officer-{actor.local.geonames_id}", f"Demo officer, {actor.name}")
    _role(user, actor, RoleKind.OFFICER)
    return user


def _network() -> Actor | None:
    for name in NETWORK_NAMES:
        actor = Actor.objects.filter(kind=ActorKind.NETWORK, name__startswith=name).order_by("pk").first()
        if actor is not None:
            return actor
    return None


def phases_with_current(index: int, *, now: dt.datetime | None = None) -> list[PhaseSpec]:
    """The six consultation phases, one day each, arranged so that phase `index` (0-based) runs now."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=index, hours=1)
    day = dt.timedelta(days=1)
    specs = [PhaseSpec(key, start + i * day, start + (i + 1) * day) for i, key in enumerate(P.PHASE_ORDER)]
    # Endorsement stays open on a rolling basis for a long time; the closing phase follows.
    specs[4].ends_at = max(specs[4].ends_at, now + dt.timedelta(days=3 * 365))
    specs[5].starts_at = specs[4].ends_at
    specs[5].ends_at = specs[5].starts_at + day
    return specs


def _item(kind: str, code: str) -> FrameworkItem | None:
    return FrameworkItem.objects.filter(framework__kind=kind, framework__is_current=True, code=code).select_related(
        "framework").first()


def load_demo_consultation(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, Any]:
    if Consultation.objects.filter(is_demo=True, title=DEMO_TITLE).exists():
        return {"created": 0}
    network = _network()
    cities = {a.local.geonames_id: a for a in Actor.objects.filter(
        kind=ActorKind.LOCAL_GOVERNMENT, local__geonames_id__in=[c[0] for c in CONTRIBUTORS] + list(ENDORSERS),
    ).select_related("local") if a.local.geonames_id is not None}
    contributors = [row for row in CONTRIBUTORS if row[0] in cities]
    if network is None or len(contributors) < 2:  # noqa: PLR2004 - a synthesis needs at least two voices
        if stdout is not None:
            stdout.write("  demo consultation skipped: needs a loaded network and at least two loaded cities\n")
        return {"created": 0}
    with transaction.atomic():
        return _build(network, cities, contributors, stdout)


def _build(network: Actor, cities: dict[int, Actor], contributors: list[tuple[int, str, str, str]],
           stdout: Any) -> dict[str, Any]:
    staff = _user("demo-consultations-staff", f"Demo staff, {network.name}")
    _role(staff, network, RoleKind.STAFF)
    questions = []
    for code in ("15", "16", "23"):
        objective = _item(FrameworkKind.GCM_OBJECTIVE, code)
        text = {"15": "How does your city give migrants access to basic services?",
                "16": "What helps newcomers and long-standing residents live together in your city?",
                "23": "What would make national and local governments work better together on migration?"}[code]
        questions.append(services.QuestionSpec(text=text, objective=objective))
    consultation = services.consultation_create(
        user=staff, owner=network, title=DEMO_TITLE, forum=Forum.objects.filter(key="gcm-stocktaking-2017").first(),
        purpose=("Demo consultation modelled on the local and regional governments' input to the preparatory "
                 "stocktaking meeting of the Global Compact for Migration (Puerto Vallarta, December 2017). The "
                 "contributions below are illustrative texts written for this demonstration."),
        phases=phases_with_current(0), access=Access.OPEN, questions=questions, is_demo=True,
        translations={"fr": {"title": "Contribution locale au bilan du PMM (démo, inspirée du processus de 2017)"},
                      "es": {"title": "Aporte local al balance del PMM (demo, inspirado en el proceso de 2017)"}},
    )
    question_ids = {q.objective.code if q.objective else "": q.pk for q in consultation.questions.all()}
    made = []
    for geonames_id, gcm, sdg, action in contributors:
        city = cities[geonames_id]
        officer = _city_officer(city)
        tags = [item for item in (_item(FrameworkKind.GCM_OBJECTIVE, gcm), _item(FrameworkKind.SDG_TARGET, sdg))
                if item is not None]
        answers = {str(question_ids[gcm]): f"{NOTE} {action}"} if gcm in question_ids else {}
        made.append(services.contribution_create(
            user=officer, consultation=consultation, actor=city, title=f"Demo input from {city.name} (illustrative)",
            summary=NOTE, answers=answers, proposed_actions=action, tags=tags, is_demo=True))
    # A co-signature: the second city signs on to the first city's input.
    services.contribution_cosign(user=_city_officer(cities[contributors[1][0]]), contribution=made[0],
                                 actor=cities[contributors[1][0]], is_demo=True)
    process_phases_set(user=staff, process=consultation.process, phases=phases_with_current(1))
    draft = services.outcome_draft_compile(user=staff, consultation=consultation,
                                           title="Local governments' input to the GCM stocktaking (demo)",
                                           note="First draft compiled from the contributions.")
    process_phases_set(user=staff, process=consultation.process, phases=phases_with_current(3))
    edits = [services.ParagraphEdit(key=p.key, text=p.text.replace("Illustrative: ", ""))
             for p in draft.paragraphs.order_by("position")]
    edits.insert(0, services.ParagraphEdit(
        text="This demo outcome document shows how an adopted text traces each paragraph to the contributions it "
             "came from. It is not a real declaration.", heading="Preamble (demo)", editorial=True))
    version = services.document_version_create(user=staff, document=draft.document, paragraphs=edits,
                                               note="Editors' rewrite: shorter wording and a preamble.")
    services.document_adopt(user=staff, document=draft.document, version=version)
    process_phases_set(user=staff, process=consultation.process, phases=phases_with_current(4))
    endorsed = 0
    for geonames_id in ENDORSERS:
        endorser = cities.get(geonames_id)
        if endorser is None:
            continue
        services.endorsement_create(
            user=_city_officer(endorser), document=draft.document, actor=endorser, signatory_name="Demo signatory",
            signatory_title="Mayor (demo)", authority="Illustrative: a council mandate invented for the demo",
            language="en", is_demo=True)
        endorsed += 1
    if stdout is not None:
        stdout.write(f"  demo consultation: {len(made)} contributions, adopted document, {endorsed} endorsements\n")
    return {"created": 1, "contributions": len(made), "endorsements": endorsed}
