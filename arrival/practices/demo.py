"""Demo practices: 240 in English, French, Spanish and Arabic across all 23 GCM objectives, all `is_demo=True`.

Real cities (GeoNames ids) stand behind invented practices — the text says nothing true about them and every
record shows the demo badge. The practices go through the real services: created and tagged by a demo officer,
submitted, screened by a demo curator (staff of a loaded network), reviewed by demo officers of cities in other
languages, and published; some stay drafts, submitted or in review. Some published practices name one from
another region as the practice they adapted. Two calls for practices are opened. Seeded, so every run writes
the same content; idempotent, so practices already there (same title and city) are left alone. Search is
rebuilt once at the end (text index and meaning vectors) instead of one background job per change.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor, ActorKind
from arrival.frameworks.models import FrameworkItem, FrameworkKind
from arrival.practices import services
from arrival.practices.demo_texts import (
    APPROACH_EXTRA,
    CONDITIONS,
    LESSONS,
    PARTNERS,
    RECORD_TEXTS,
    REVIEW_COMMENTS,
    TARGET_GROUPS,
    TEMPLATES,
    THEMES_IN,
    TOPICS,
)
from arrival.practices.models import CallForPractices, Practice, PracticeStatus, ReviewStage

PER_LANGUAGE = 60
SEED = 4
# GeoNames id → the city's name as the language writes it (None: the loaded name is right).
CITIES: dict[str, dict[int, str | None]] = {
    "en": {2643743: None, 2643123: None, 2655603: None, 2964574: None, 6167865: None, 5128581: None, 5368361: None,
           4887398: None, 2158177: None, 2147714: None, 184745: None, 2306104: None, 232422: None, 993800: None,
           1701668: None, 1185241: None},
    "fr": {2988507: None, 2996944: None, 2995469: None, 3014728: None, 2973783: None, 2990969: None, 6077243: None,
           2800866: "Bruxelles", 2792413: None, 2660646: "Genève", 2659994: None, 2253354: None, 2293538: None,
           2440485: None, 2460596: None},
    "es": {3117735: None, 3128760: None, 2509954: None, 2510911: None, 3128026: None, 3530597: "Ciudad de México",
           4005539: None, 3995465: None, 3688689: None, 3674962: None, 3936456: None, 3652462: None, 3871336: None,
           3435910: None, 3441575: None, 3685533: None},
    "ar": {250441: "عمّان", 276781: "بيروت", 2553604: "الدار البيضاء", 2538475: "الرباط", 2464470: "تونس",
           360630: "القاهرة", 361058: "الإسكندرية", 248946: "إربد", 250090: "الزرقاء", 266826: "طرابلس",
           379252: "الخرطوم", 95446: "أربيل", 292223: "دبي", 2507480: "الجزائر", 2467454: "صفاقس"},
}
# Related SDG targets per objective (tags beside the GCM objective); missing items are skipped.
SDG_TARGETS = {1: "17.18", 5: "10.7", 6: "8.8", 7: "5.2", 10: "16.2", 15: "3.8", 16: "10.2", 17: "16.b",
               18: "4.4", 20: "10.c", 22: "1.3", 23: "17.17"}
# The English practices' themes (each practice's themes are in its own language: demo_texts.THEMES_IN).
THEMES = THEMES_IN["en"]
UNITS = {"en": "per year", "fr": "par an", "es": "al año", "ar": "سنويًا"}


def _demo_user(username: str, display_name: str, language: str = "en") -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "is_demo": True, "preferred_language": language}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _demo_officer(actor: Actor, language: str) -> User:
    # The same person as the assessments demo's officer of this city, when both demos run.
    user = _demo_user(f"demo-officer-{actor.local.geonames_id}", f"Demo officer, {actor.name}", language)
    Role.objects.get_or_create(user=user, actor=actor, kind=RoleKind.OFFICER, ended_at=None)
    return user


def _curator(network: Actor) -> User:
    user = _demo_user("demo-practice-curator", f"Demo curator, {network.name}")
    Role.objects.get_or_create(user=user, actor=network, kind=RoleKind.STAFF, ended_at=None)
    return user


def _items() -> tuple[dict[int, FrameworkItem], dict[str, FrameworkItem]]:
    current = FrameworkItem.objects.filter(framework__is_current=True).select_related("framework")
    objectives = {int(i.code): i for i in current.filter(framework__kind=FrameworkKind.GCM_OBJECTIVE) if i.code.isdigit()}
    targets = {i.code: i for i in current.filter(framework__kind=FrameworkKind.SDG_TARGET,
                                                  code__in=set(SDG_TARGETS.values()))}
    return objectives, targets


def _city_name(language: str, city: Actor) -> str:
    """The city's name as the demo texts of `language` write it (CITIES; None there keeps its own name)."""
    geonames_id = city.local.geonames_id
    return (CITIES[language][geonames_id] if geonames_id is not None else None) or city.name


def _plan(language: str, cities: list[Actor]) -> list[tuple[int, Actor]]:
    """(objective, city) pairs: every objective at least twice per language, no city with one topic twice."""
    pairs: list[tuple[int, Actor]] = []
    seen: set[tuple[int, int]] = set()
    shift = {"en": 0, "fr": 5, "es": 11, "ar": 17}[language]
    n = 0
    while len(pairs) < PER_LANGUAGE:
        objective = (n + shift) % 23 + 1
        city = cities[(n * 7 + n // len(cities)) % len(cities)]
        if (objective, city.pk) not in seen:
            seen.add((objective, city.pk))
            pairs.append((objective, city))
        n += 1
    return pairs


def _fields(rng: random.Random, language: str, objective: int, city_name: str) -> dict[str, Any]:
    initiative, problem, action, metric = TOPICS[objective][language]
    template = TEMPLATES[language]
    partner = rng.choice(PARTNERS[language])
    start = rng.randint(2016, 2021)
    end = min(start + rng.randint(2, 4), 2025)
    before = rng.randint(20, 400)
    after = before + rng.randint(30, 900)
    extras = rng.sample(APPROACH_EXTRA[language], 2)
    texts = RECORD_TEXTS[language]
    return {
        "title": template["title"].format(initiative=initiative, city=city_name),
        "summary": template["summary"].format(city=city_name, partner=partner, action=action),
        "language": language,
        "problem": f"<p>{problem}</p>",
        "approach": f"<p>{action}</p><ul><li>{extras[0].format(partner=partner)}</li>"
                    f"<li>{extras[1].format(partner=partner)}</li></ul>",
        "results": "<p>" + template["results"].format(metric=metric, before=before, after=after, start=start,
                                                      end=end) + "</p>",
        "lessons": f"<p>{rng.choice(LESSONS[language])}</p>",
        "replication_conditions": f"<p>{rng.choice(CONDITIONS[language])}</p>",
        "budget": texts["budget"].format(amount=f"{rng.randint(4, 90) * 10_000:,}".replace(",", " ")),
        "funding_sources": texts["funding_sources"],
        "contact_role": texts["contact_role"],
        "themes": [THEMES_IN[language][objective]],
        "target_groups": rng.sample(TARGET_GROUPS[language], 2),
        "status": PracticeStatus.COMPLETED if end < 2025 else PracticeStatus.ONGOING,
        "started": dt.date(start, rng.randint(1, 12), 1),
        "ended": dt.date(end, 12, 31) if end < 2025 else None,
        "_metric": (metric, before, after, end),
        "_partner": PARTNERS[language].index(partner),
    }


def _translations(language: str, objective: int, city: Actor, partner: int) -> dict[str, dict[str, str]]:
    """The title and summary in the other demo languages, from the same hand-written templates (the team's
    translations, as a city would add them; nothing machine-translated)."""
    texts: dict[str, dict[str, str]] = {}
    for other, template in TEMPLATES.items():
        if other != language:
            initiative, _problem, action, _metric = TOPICS[objective][other]
            texts[other] = {
                "title": template["title"].format(initiative=initiative, city=city.name),
                "summary": template["summary"].format(city=city.name, partner=PARTNERS[other][partner], action=action),
            }
    return texts


def _stage_for(index: int) -> str:
    """Most are published; the rest show every step of the workflow."""
    slot = index % 10
    return {0: ReviewStage.DRAFT, 1: ReviewStage.IN_REVIEW, 2: ReviewStage.SUBMITTED}.get(
        slot, ReviewStage.IN_REVIEW if slot == 5 and index % 20 == 5 else ReviewStage.PUBLISHED)


def _review(rng: random.Random, practice: Practice, curator: User, reviewer: tuple[User, Actor], *,
            submit: bool) -> None:
    user, actor = reviewer
    assignment = services.review_assign(user=curator, practice=practice, reviewer=user, reviewer_actor=actor)
    services.review_respond(user=user, assignment=assignment, accept=True, has_no_conflict=True,
                            wants_to_be_named=rng.random() < 0.3)
    if submit:
        base = rng.choice((3, 4, 4, 5))
        scores = {name: max(1, min(5, base + rng.choice((-1, 0, 0, 1)))) for name in services.CRITERIA}
        services.review_submit(user=user, assignment=assignment, comments=rng.choice(REVIEW_COMMENTS), language="en",
                               recommendation="publish" if base >= 4 else "revise", **scores)


def _make(rng: random.Random, *, language: str, objective: int, city: Actor, city_name: str, officer: User,
          stage: str, curator: User, reviewers: list[tuple[User, Actor]], tags: list[FrameworkItem],
          source: tuple[Practice, str] | None, call: CallForPractices | None, network: Actor,
          translated: bool = False) -> Practice:
    fields = _fields(rng, language, objective, city_name)
    metric, before, after, end = fields.pop("_metric")
    partner = fields.pop("_partner")
    if translated:
        fields["translations"] = _translations(language, objective, city, partner)
    practice = services.practice_create(user=officer, government=city, is_demo=True, tags=tags, **fields)
    services.result_add(user=officer, practice=practice, label=metric, value=after, unit=UNITS[language],
                        source=RECORD_TEXTS[language]["source"].format(year=end, city=city_name))
    if source is not None:
        services.practice_set_adapted_from(user=officer, practice=practice, source=source[0],
                                           note=TEMPLATES[language]["adapted"].format(city=source[1]))
    if stage == ReviewStage.DRAFT:
        return practice
    # Without a call, the demo curator's network screens it (the call's organiser does otherwise).
    services.practice_submit(user=officer, practice=practice, call=call,
                             curating_organisation=None if call is not None else network)
    if stage == ReviewStage.SUBMITTED:
        return practice
    services.practice_screen(user=curator, practice=practice, accept=True)
    chosen = rng.sample(reviewers, 2)
    published = stage == ReviewStage.PUBLISHED
    for n, reviewer in enumerate(chosen):
        _review(rng, practice, curator, reviewer, submit=published or n == 0)
    if published:
        from arrival.practices.selectors import needs_extra_reviewer

        if needs_extra_reviewer(practice=practice):
            spare = next(r for r in reviewers if r not in chosen)
            _review(rng, practice, curator, spare, submit=True)
        services.practice_decide(user=curator, practice=practice, decision="publish")
    return practice


def _open_calls(curator: User, networks: list[Actor]) -> list[CallForPractices]:
    wanted = [
        ("Call for practices: welcoming newcomers in the first 100 days",
         "<p>Local and regional governments are invited to share practices that help newcomers in their first "
         "months: information, documents, housing and health.</p>", 60,
         {"fr": {"title": "Appel à pratiques : accueillir les nouveaux arrivants pendant les 100 premiers jours"},
          "es": {"title": "Convocatoria de prácticas: acoger a los recién llegados en sus primeros 100 días"},
          "ar": {"title": "دعوة لتقديم الممارسات: استقبال القادمين الجدد في أيامهم المئة الأولى"}}),
        ("Call for practices: decent work and skills",
         "<p>Practices on fair recruitment, recognition of qualifications and access to decent work.</p>", 90,
         {"fr": {"title": "Appel à pratiques : travail décent et compétences",
                 "description": "<p>Des pratiques de recrutement équitable, de reconnaissance des qualifications et "
                                "d'accès à un travail décent.</p>"}}),
    ]
    calls = []
    for (title, description, days, translations), owner in zip(wanted, networks, strict=False):
        call = CallForPractices.objects.filter(title=title, is_demo=True).first()
        if call is None:
            Role.objects.get_or_create(user=curator, actor=owner, kind=RoleKind.STAFF, ended_at=None)
            call = services.call_open(user=curator, owner=owner, title=title, description=description,
                                      deadline=timezone.now() + dt.timedelta(days=days), translations=translations,
                                      is_demo=True)
        calls.append(call)
    return calls


def load_demo_practices(*, stdout: IO[str] | Any | None = None, **_: Any) -> dict[str, int]:
    """Add the demo practices that are not there yet; returns how many were created and skipped."""
    from arrival.actors.models import LocalGovernment
    from arrival.practices import search

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"  {message}\n")

    networks = list(Actor.objects.filter(kind=ActorKind.NETWORK).order_by("name")[:2])
    objectives, targets = _items()
    ids = [gid for cities in CITIES.values() for gid in cities]
    by_id = {lg.geonames_id: lg.actor for lg in LocalGovernment.objects.filter(geonames_id__in=ids)
             .select_related("actor__country", "actor__local")}
    cities = {language: [by_id[g] for g in table if g in by_id] for language, table in CITIES.items()}
    if not networks or len(objectives) < 23 or any(len(found) < 4 for found in cities.values()):
        say("demo practices need the frameworks, a network and the demo cities loaded; none added")
        return {"created": 0, "skipped": 0}
    curator = _curator(networks[0])
    officers = {city.pk: _demo_officer(city, language) for language, found in cities.items() for city in found}
    calls = _open_calls(curator, networks)
    existing = set(Practice.objects.filter(is_demo=True).values_list("title", flat=True))
    sources: dict[int, list[tuple[Practice, str]]] = defaultdict(list)
    created = skipped = 0
    with services.practice_changes_deferred():
        for lang_index, (language, found) in enumerate(cities.items()):
            reviewers = [(officers[c.pk], c) for other, more in cities.items() if other != language for c in more]
            for index, (objective, city) in enumerate(_plan(language, found)):
                rng = random.Random(SEED * 1_000_000 + lang_index * 1_000 + index)  # noqa: S311 - seeded demo text
                city_name = _city_name(language, city)
                title = TEMPLATES[language]["title"].format(initiative=TOPICS[objective][language][0], city=city_name)
                stage = _stage_for(index)
                if title in existing:
                    skipped += 1
                    practice = Practice.objects.filter(is_demo=True, title=title).first()
                    if practice is not None and practice.stage == ReviewStage.PUBLISHED:
                        sources[objective].append((practice, city_name))
                    continue
                source = None
                if stage == ReviewStage.PUBLISHED and index % 3 == 1 and sources[objective]:
                    source = rng.choice(sources[objective])
                tags = [objectives[objective]] + ([targets[SDG_TARGETS[objective]]]
                                                  if SDG_TARGETS.get(objective) in targets else [])
                call = calls[index % len(calls)] if calls and stage != ReviewStage.DRAFT and index % 4 == 0 else None
                with transaction.atomic():
                    practice = _make(rng, language=language, objective=objective, city=city, city_name=city_name,
                                     officer=officers[city.pk], stage=stage, curator=curator, reviewers=reviewers,
                                     tags=tags, source=source, call=call, network=networks[0],
                                     translated=index % 3 == 0)
                if practice.stage == ReviewStage.PUBLISHED:
                    sources[objective].append((practice, city_name))
                created += 1
    indexed = search.practices_reindex()
    say(f"{created} demo practices added, {skipped} already there; search: {indexed}")
    return {"created": created, "skipped": skipped}
