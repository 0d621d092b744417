"""Demo resident participation: one process in each of four real cities (from the loaded GeoNames places), with
needs and proposals in English, French, Spanish and Arabic, supports, a city translation and answers.

Everything is `is_demo=True` and shown with the demo badge; the texts are invented and say nothing true about
the cities; the neighbourhoods are named "Demo district …" and placed near the city's loaded coordinates.
Written through the real services (with the phase dates passed as `at`); idempotent: a city whose demo
process exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from arrival.accounts.models import Role, RoleKind, User
from arrival.actors.models import Actor
from arrival.engagement.phases import PhaseSpec
from arrival.participation import services
from arrival.participation.models import (
    PHASE_ANSWER,
    PHASE_COLLECT,
    PHASE_REPORT_BACK,
    PHASE_SUPPORT,
    AnswerStatus,
    ParticipationProcess,
    StatusKind,
)

SEED = 6
# GeoNames id → (language of the residents' texts, the process title, purpose, categories)
CITIES: dict[int, tuple[str, str, str, list[str]]] = {
    6167865: ("en", "Demo: what should our neighbourhoods offer newcomers?",
              "Demo process: residents, whatever their status, tell the city what they need and propose.",
              ["Housing", "Work", "Language learning", "Health"]),
    2988507: ("fr", "Démo : des quartiers accueillants pour toutes et tous",
              "Processus de démonstration : les habitantes et habitants proposent, la ville répond.",
              ["Logement", "Emploi", "Langue", "Santé"]),
    3128760: ("es", "Demo: barrios que acogen",
              "Proceso de demostración: vecinas y vecinos proponen y la ciudad responde.",
              ["Vivienda", "Empleo", "Idioma", "Salud"]),
    250441: ("ar", "تجريبي: أحياء ترحب بالجميع",
             "عملية تجريبية: يقترح السكان وتجيب المدينة.",
             ["السكن", "العمل", "اللغة", "الصحة"]),
}
PROPOSALS: dict[str, list[tuple[str, str, str]]] = {
    "en": [("proposal", "Evening language classes near the market", "Many of us work during the day. Classes after 7 pm near the market would let parents and workers come."),
           ("need", "Someone to explain school enrolment", "When we arrived nobody could tell us how to enrol our children. A person at the library once a week would help."),
           ("proposal", "A shared workshop for repairs", "A space with tools where neighbours fix bikes and furniture together and meet each other."),
           ("need", "Clinic hours that fit shift work", "The clinic closes at 4 pm. Please open one evening a week.")],
    "fr": [("proposal", "Un guichet unique dans la mairie de quartier", "Aujourd'hui il faut aller dans cinq bureaux différents. Un seul accueil avec des interprètes aiderait tout le monde."),
           ("need", "Des cours de français avec garde d'enfants", "Les mères ne peuvent pas venir aux cours sans solution pour les enfants."),
           ("proposal", "Des bancs et de l'ombre sur la place", "La place est vide l'été car il n'y a pas d'ombre. Des arbres et des bancs la rendraient vivante.")],
    "es": [("proposal", "Huerto comunitario en el solar vacío", "El solar de la esquina lleva años vacío. Un huerto compartido uniría a vecinos de todas partes."),
           ("need", "Información sobre vivienda en varios idiomas", "Los anuncios y contratos solo están en español; necesitamos ayuda para entenderlos."),
           ("proposal", "Liga de fútbol de barrio", "Una liga abierta los domingos para jóvenes recién llegados y de siempre.")],
    "ar": [("proposal", "مكتبة للأطفال بلغات متعددة", "نقترح ركناً في المكتبة العامة فيه كتب للأطفال بالعربية ولغات أخرى، مع قراءة قصص كل أسبوع."),
           ("need", "مواصلات مسائية إلى المنطقة الصناعية", "كثير من العمال يعودون ليلاً ولا توجد حافلات بعد التاسعة."),
           ("proposal", "دورات تدريب مهني للنساء", "دورات قصيرة في الخياطة والحاسوب مع شهادة معترف بها من البلدية.")],
}
ENGLISH = {"ar": [("A children's library corner in several languages",
                   "We propose a corner in the public library with children's books in Arabic and other languages, "
                   "with story time every week.")]}
ANSWERS = {
    StatusKind.ACCEPTED: "Demo answer: the city will include this in next year's plan.",
    StatusKind.CONSIDERING: "Demo answer: the team is looking at costs and will answer during the answer phase.",
    StatusKind.NOT_POSSIBLE: "Demo answer: the city does not run this service.",
}


# The team's own translations of each demo process's title (shown to readers of those languages).
TITLE_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "en": {"fr": {"title": "Démo : que devraient offrir nos quartiers aux nouveaux arrivants ?"},
           "es": {"title": "Demo: ¿qué deberían ofrecer nuestros barrios a los recién llegados?"}},
    "fr": {"en": {"title": "Demo: welcoming neighbourhoods for everyone"}},
    "es": {"en": {"title": "Demo: welcoming neighbourhoods"}},
    "ar": {"en": {"title": "Demo: neighbourhoods that welcome everyone"},
           "fr": {"title": "Démo : des quartiers qui accueillent tout le monde"}},
}


def _demo_user(username: str, display_name: str, language: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "is_demo": True, "preferred_language": language})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _status(owner: Actor, kind: str) -> AnswerStatus:
    status = AnswerStatus.objects.filter(owner=owner, kind=kind).order_by("position").first()
    if status is None:  # a city gets the default statuses with its first process (services.process_create)
        raise LookupError(f"{owner} has no answer status of kind {kind!r}")
    return status


def _load_city(city: Actor, language: str, title: str, purpose: str, categories: list[str], rng: random.Random,
               residents: list[User]) -> bool:
    if ParticipationProcess.objects.filter(owner=city, is_demo=True).exists():
        return False
    officer = _demo_user(f"demo-officer-{city.local.geonames_id}", f"Demo officer, {city.name}", language)
    Role.objects.get_or_create(user=officer, actor=city, kind=RoleKind.OFFICER, ended_at=None)
    now = timezone.now()
    collect_start, support_start = now - dt.timedelta(days=40), now - dt.timedelta(days=20)
    phases = [
        PhaseSpec(PHASE_COLLECT, collect_start, support_start),
        PhaseSpec(PHASE_SUPPORT, support_start, now + dt.timedelta(days=20)),
        PhaseSpec(PHASE_ANSWER, now + dt.timedelta(days=20), now + dt.timedelta(days=40)),
        PhaseSpec(PHASE_REPORT_BACK, now + dt.timedelta(days=40), now + dt.timedelta(days=120)),
    ]
    process = services.process_create(
        user=officer, owner=city, title=title, purpose=purpose,
        input_use="Demo: the team reads every input, answers each one publicly and reports back.",
        phases=phases, languages=["en", "fr", "es", "ar"], time_zone=city.local.timezone or "UTC",
        categories=categories, demographics_enabled=True, language=language,
        translations=TITLE_TRANSLATIONS.get(language), is_demo=True)
    lat, lon = city.local.latitude, city.local.longitude
    hoods = []
    for index, name in enumerate(("North", "Centre", "South")):
        hoods.append(services.neighbourhood_create(
            user=officer, owner=city, name=f"Demo district {name}",
            latitude=None if lat is None else max(-90.0, min(90.0, lat + 0.03 * (1 - index))),
            longitude=lon, is_demo=True))
    categories_list = list(process.categories.all())
    proposals = []
    writing_at = collect_start + dt.timedelta(days=2)
    # The city's own language, plus one Arabic and one English text in the cities that speak another.
    texts = [(*item, language) for item in PROPOSALS[language]]
    texts += [(*PROPOSALS[other][0], other) for other in ("ar", "en") if other != language]
    for number, (kind, text_title, body, code) in enumerate(texts):
        author = residents[number % len(residents)]
        proposal = services.proposal_create(
            user=author, process=process, kind=kind, title=text_title, body=body, language=code,
            category=categories_list[number % len(categories_list)], neighbourhood=hoods[number % len(hoods)],
            is_demo=True, at=writing_at + dt.timedelta(hours=number))
        proposals.append(proposal)
    for proposal in proposals:
        for supporter in rng.sample(residents, rng.randint(0, len(residents) - 1)):
            if supporter.pk != proposal.author_id:
                services.support_create(user=supporter, proposal=proposal, is_demo=True,
                                        at=support_start + dt.timedelta(days=1))
        if proposal.language == "ar" and language != "ar":
            title_en, body_en = ENGLISH["ar"][0]
            services.proposal_translation_save(user=officer, proposal=proposal, language="en", title=title_en,
                                               body=body_en)
    for proposal, kind in zip(proposals, (StatusKind.ACCEPTED, StatusKind.CONSIDERING, StatusKind.NOT_POSSIBLE),
                              strict=False):
        services.answer_create(user=officer, proposal=proposal, status=_status(city, kind), text=ANSWERS[kind],
                               reasons="Demo reason: outside the city's powers." if kind == StatusKind.NOT_POSSIBLE
                               else "", is_demo=True)
    services.demographics_submit(process=process, answers={"age": "30_44", "years_in_city": "1_5"})
    return True


def load_demo_participation(stdout: IO[str] | None = None, **_options: Any) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo content, seeded so every run writes the same
    residents = [_demo_user(f"demo-resident-{n}", name, lang) for n, (name, lang) in enumerate(
        [("Amina (demo)", "ar"), ("Jules (demo)", "fr"), ("Lucía (demo)", "es"), ("Sam (demo)", "en"),
         ("Karim (demo)", "ar"), ("Mei (demo)", "en")])]
    created = 0
    for geonames_id, (language, title, purpose, categories) in CITIES.items():
        city = Actor.objects.select_related("local").filter(local__geonames_id=geonames_id).first()
        if city is None:
            continue
        with transaction.atomic():
            created += _load_city(city, language, title, purpose, categories, rng, residents)
    if stdout is not None:
        stdout.write(f"Demo participation: {created} processes added.\n")
