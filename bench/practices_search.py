"""Practice search benchmark: indexing time and search latency (text, semantic, hybrid) with 100,000 practices.

Run: `.venv/bin/python -m bench.practices_search [--database-url URL] [--practices 100000] [--queries 200] [--fresh]`

On its own database (default: the SQLite file data/bench/bench_practices.sqlite3; a URL's database name must
contain "bench"; PostgreSQL databases are created if missing), it migrates, loads the reference set-up steps
(countries, frameworks), adds 2,000 synthetic local governments and `--practices` synthetic published
practices (English 70%, French, Spanish and Arabic 10% each; 1–3 GCM objective tags, 1–2 themes), all
marked demo and built from a seeded vocabulary. Then it measures, in this process:

1. indexing: full text for every practice (`practices_reindex(embed=False)`, the path `arrival
   reindex-practices` takes), then the meaning vectors (`practices_embed`, batches of 256). The vectors of
   a given (seed, count) are computed once and kept in data/bench/ (a .npy file), so the second engine
   stores the same vectors without recomputing them; the embedding throughput is always measured afresh
   on a sample of 2,000 texts.
2. the in-memory arrays: the time to rebuild the vector matrix and the facet index
   (`arrival.practices.facets`) from the database, and the facet index's size.
3. `--queries` searches per mode, cycling through 48 queries in the four languages: the ranking alone
   (`fulltext_search` top 20, and `fulltext_ranks`: every match ranked, as `practice_search` reads them;
   query embedding;
   `nearest` over all vectors), the nine facet counts in memory over all of a query's text matches, and
   the whole `practice_search` (page of 20, total and all nine facet counts), each as p50/p95 in
   milliseconds. The load average is printed before and after the searches.

Figures are printed and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.foundation import database_name, ensure_database, reset_database

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = REPO_ROOT / "data" / "bench"
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DATA / 'bench_practices.sqlite3'}"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
GOVERNMENTS = 2_000
SLUG_PREFIX = "bench-practice-"
BATCH = 5_000
LANGUAGES = ("en", "fr", "es", "ar")
LANGUAGE_WEIGHTS = (70, 10, 10, 10)

# One row per concept, in English, French, Spanish and Arabic.
TOPICS = [
    ("language classes", "cours de langue", "clases de idioma", "دروس اللغة"),
    ("affordable housing", "logement abordable", "vivienda asequible", "السكن الميسر"),
    ("vocational training", "formation professionnelle", "formación profesional", "التدريب المهني"),
    ("primary health care", "soins de santé primaires", "atención primaria de salud", "الرعاية الصحية الأولية"),
    ("school enrolment", "scolarisation", "escolarización", "التسجيل المدرسي"),
    ("psychological support", "soutien psychologique", "apoyo psicológico", "الدعم النفسي"),
    ("business start-up support", "aide à la création d'entreprise", "apoyo al emprendimiento", "دعم ريادة الأعمال"),
    ("football and sport", "football et sport", "fútbol y deporte", "كرة القدم والرياضة"),
    ("civic participation", "participation citoyenne", "participación ciudadana", "المشاركة المدنية"),
    ("anti-discrimination campaigns", "campagnes contre les discriminations", "campañas contra la discriminación",
     "حملات مكافحة التمييز"),
    ("telephone interpreting", "interprétariat par téléphone", "interpretación telefónica", "الترجمة الهاتفية"),
    ("childcare", "garde d'enfants", "cuidado infantil", "رعاية الأطفال"),
    ("digital skills", "compétences numériques", "competencias digitales", "المهارات الرقمية"),
    ("migration data", "données sur les migrations", "datos migratorios", "بيانات الهجرة"),
    ("climate adaptation", "adaptation au climat", "adaptación climática", "التكيف مع المناخ"),
    ("community gardens", "jardins partagés", "huertos comunitarios", "الحدائق المجتمعية"),
    ("job mentoring", "parrainage vers l'emploi", "mentoría laboral", "الإرشاد المهني"),
    ("recognition of diplomas", "reconnaissance des diplômes", "reconocimiento de títulos", "الاعتراف بالشهادات"),
    ("welcome desks", "guichets d'accueil", "oficinas de acogida", "مكاتب الاستقبال"),
    ("financial literacy", "éducation financière", "educación financiera", "التثقيف المالي"),
]
GROUPS = [
    ("newly arrived families", "familles nouvellement arrivées", "familias recién llegadas", "الأسر الوافدة حديثا"),
    ("young refugees", "jeunes réfugiés", "jóvenes refugiados", "الشباب اللاجئين"),
    ("migrant women", "femmes migrantes", "mujeres migrantes", "النساء المهاجرات"),
    ("older migrants", "migrants âgés", "personas migrantes mayores", "المهاجرين المسنين"),
    ("seasonal workers", "travailleurs saisonniers", "trabajadores temporeros", "العمال الموسميين"),
    ("international students", "étudiants internationaux", "estudiantes internacionales", "الطلاب الدوليين"),
    ("displaced people", "personnes déplacées", "personas desplazadas", "النازحين"),
]
PLACES = [
    ("in neighbourhood centres", "dans les centres de quartier", "en los centros de barrio", "في المراكز المجتمعية"),
    ("at the town hall", "à la mairie", "en el ayuntamiento", "في البلدية"),
    ("in public libraries", "dans les bibliothèques", "en las bibliotecas", "في المكتبات العامة"),
    ("online", "en ligne", "en línea", "عبر الإنترنت"),
    ("in schools", "dans les écoles", "en las escuelas", "في المدارس"),
    ("with local employers", "avec les employeurs locaux", "con empresas locales", "مع أصحاب العمل المحليين"),
]
SUMMARY = {
    "en": "The city runs {topic} for {group} {place}, with {partner}. Programme {name}.",
    "fr": "La ville organise {topic} pour {group} {place}, avec {partner}. Programme {name}.",
    "es": "La ciudad ofrece {topic} para {group} {place}, con {partner}. Programa {name}.",
    "ar": "تقدم المدينة {topic} لفائدة {group} {place} بالتعاون مع {partner}. برنامج {name}.",
}
TITLE = {"en": "{topic} for {group}", "fr": "{topic} pour {group}", "es": "{topic} para {group}", "ar": "{topic} لفائدة {group}"}
PARTNERS = {
    "en": ["a local NGO", "the university", "volunteers", "trade unions", "faith groups"],
    "fr": ["une association locale", "l'université", "des bénévoles", "les syndicats", "des associations cultuelles"],
    "es": ["una ONG local", "la universidad", "personas voluntarias", "los sindicatos", "grupos religiosos"],
    "ar": ["جمعية محلية", "الجامعة", "متطوعين", "النقابات", "مجموعات دينية"],
}
APPROACH = {
    "en": "Staff were trained, sessions run weekly and results are reviewed each year with participants.",
    "fr": "Le personnel a été formé, les séances sont hebdomadaires et les résultats revus chaque année.",
    "es": "El personal se formó, las sesiones son semanales y los resultados se revisan cada año.",
    "ar": "تم تدريب الموظفين وتعقد الجلسات أسبوعيا وتراجع النتائج كل عام مع المشاركين.",
}
SYLLABLES = ("ka", "lo", "mi", "ra", "te", "vo", "sa", "ne", "du", "pi", "zo", "be", "fa", "gu", "ho", "ji")
THEMES = ["housing", "employment", "education", "health", "participation", "social cohesion", "language", "data"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.practices_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="database to fill and measure; its name must contain 'bench' (default: %(default)s)")
    parser.add_argument("--practices", type=int, default=100_000, help="synthetic published practices")
    parser.add_argument("--queries", type=int, default=200, help="measured searches per mode")
    parser.add_argument("--seed", type=int, default=20261123, help="seed of every random draw")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    if args.practices < 1 or args.queries < 1:
        parser.error("--practices and --queries must be at least 1")
    return args


# --- data -----------------------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def synthetic_practice(index: int, rng: random.Random) -> dict[str, Any]:
    language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
    column = LANGUAGES.index(language)
    topic, group, place = rng.choice(TOPICS)[column], rng.choice(GROUPS)[column], rng.choice(PLACES)[column]
    title = TITLE[language].format(topic=topic, group=group)
    summary = SUMMARY[language].format(topic=topic, group=group, place=place, partner=rng.choice(PARTNERS[language]),
                                       name=f"{_name(rng)} {_name(rng)}")
    return {
        "slug": f"{SLUG_PREFIX}{index}", "language": language, "title": title[:1].upper() + title[1:],
        "summary": summary, "approach": f"<p>{APPROACH[language]}</p>",
        "themes": rng.sample(THEMES, rng.randint(1, 2)), "status": rng.choice(["planned", "ongoing", "completed"]),
        "started_year": rng.randint(2012, 2026),
    }


def queries(seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pool: list[tuple[str, str]] = []
    for column, language in enumerate(LANGUAGES):
        for _ in range(12):
            topic, group = rng.choice(TOPICS)[column], rng.choice(GROUPS)[column]
            pool.append((language, rng.choice([topic, f"{topic} {group}", group])))
    rng.shuffle(pool)
    return pool


def load(args: argparse.Namespace) -> dict[str, float]:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from arrival.actors.models import Actor, ActorKind, Country, LocalGovernment
    from arrival.core.setup_steps import PLACES as PLACES_ORDER
    from arrival.core.setup_steps import steps
    from arrival.frameworks.models import FrameworkItem, FrameworkKind, Tag
    from arrival.practices.models import Practice

    timings: dict[str, float] = {}
    print("· migrate and reference data", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    for step in steps():
        if step.order < PLACES_ORDER:
            step.run(stdout=sys.stdout)
    existing = Practice.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if existing >= args.practices:
        print(f"· {existing:,} synthetic practices already there", flush=True)
        return timings

    rng = random.Random(args.seed)
    countries = list(Country.objects.exclude(region="").order_by("code"))
    towns = list(Actor.objects.filter(slug__startswith=f"{SLUG_PREFIX}town-").order_by("pk"))
    if len(towns) < GOVERNMENTS:
        with transaction.atomic():
            new = Actor.objects.bulk_create([
                Actor(kind=ActorKind.LOCAL_GOVERNMENT, name=f"{_name(rng)}{_name(rng).lower()} (synthetic)",
                      slug=f"{SLUG_PREFIX}town-{index}", country=rng.choice(countries), is_demo=True,
                      population=int(min(2e7, rng.lognormvariate(11, 1.6))),
                      description="Synthetic government generated by bench/practices_search.py; not a real place.")
                for index in range(len(towns), GOVERNMENTS)
            ])
            LocalGovernment.objects.bulk_create([LocalGovernment(actor=actor) for actor in new])
        towns = list(Actor.objects.filter(slug__startswith=f"{SLUG_PREFIX}town-").order_by("pk"))
    objectives = list(FrameworkItem.objects.filter(framework__kind=FrameworkKind.GCM_OBJECTIVE,
                                                   framework__is_current=True).order_by("position"))
    practice_type = ContentType.objects.get_for_model(Practice)
    through = Practice.governments.through
    now = timezone.now()
    print(f"· {args.practices - existing:,} synthetic practices", flush=True)
    started = time.perf_counter()
    for start in range(existing, args.practices, BATCH):
        stop = min(start + BATCH, args.practices)
        batch_rng = random.Random(args.seed * 1_000_003 + start)  # each batch reproducible on its own
        rows = [synthetic_practice(index, batch_rng) for index in range(start, stop)]
        with transaction.atomic():
            practices = Practice.objects.bulk_create([
                Practice(slug=row["slug"], language=row["language"], title=row["title"], summary=row["summary"],
                         approach=row["approach"], themes=row["themes"], status=row["status"],
                         started=datetime(row["started_year"], 1 + batch_rng.randrange(12), 1, tzinfo=UTC).date(),
                         stage="published", published_at=now - timedelta(minutes=index), is_demo=True)
                for index, row in zip(range(start, stop), rows, strict=True)
            ])
            practices = list(Practice.objects.filter(slug__in=[row["slug"] for row in rows]).only("pk"))
            links, tags = [], []
            for practice in practices:
                for town in batch_rng.sample(towns, 2 if batch_rng.random() < 0.1 else 1):
                    links.append(through(practice_id=practice.pk, actor_id=town.pk))
                for item in batch_rng.sample(objectives, batch_rng.randint(1, 3)):
                    tags.append(Tag(item=item, content_type=practice_type, object_id=str(practice.pk)))
            through.objects.bulk_create(links)
            Tag.objects.bulk_create(tags)
        print(f"  {stop:,}", end="\r", flush=True)
    timings["load_practices_s"] = time.perf_counter() - started
    print(flush=True)
    return timings


# --- measuring ------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2),
            "n": len(ordered)}


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def index(args: argparse.Namespace, engine: str) -> dict[str, Any]:
    import numpy as np

    from arrival.core import embeddings
    from arrival.core.fulltext import fulltext_count
    from arrival.practices import facets, search
    from arrival.practices.models import Practice, PracticeEmbedding

    figures: dict[str, Any] = {}
    published = Practice.objects.filter(stage="published").count()
    if fulltext_count(model=Practice) < published:
        print(f"· full-text index of {published:,} practices", flush=True)
        seconds = timed(lambda: search.practices_reindex(embed=False))
        figures["fulltext_index_s"] = round(seconds, 1)
        figures["fulltext_index_per_s"] = round(published / seconds)
    texts = [search.practice_texts(p)["meaning"] for p in
             Practice.objects.filter(stage="published").order_by("pk")[:2000].prefetch_related("governments")]
    embeddings.embed(texts[:10])  # load the model
    seconds = timed(lambda: embeddings.embed(texts))
    figures["embedding_sample"] = {"texts": len(texts), "seconds": round(seconds, 2), "per_s": round(len(texts) / seconds)}
    figures["embedding_100k_estimate_s"] = round(100_000 / (len(texts) / seconds))

    if PracticeEmbedding.objects.count() < published:
        cache = BENCH_DATA / f"practice-vectors-{args.seed}-{args.practices}.npy"
        keys = list(Practice.objects.filter(stage="published").order_by("pk").values_list("pk", "slug"))
        if cache.exists():
            print(f"· storing {published:,} vectors computed earlier ({cache.relative_to(REPO_ROOT)})", flush=True)
            vectors = np.load(cache)
            started = time.perf_counter()
            ids = [pk for pk, _slug in keys]
            for first in range(0, len(ids), 2_000):  # a fresh query per batch: no cursor open across writes
                rows = Practice.objects.filter(pk__in=ids[first:first + 2_000]).prefetch_related("governments__country")
                stored = [
                    PracticeEmbedding(practice_id=practice.pk, model_name=embeddings.MODEL_NAME,
                                      text_sha256=embeddings.text_sha256(search.practice_texts(practice)["meaning"]),
                                      vector=embeddings.vector_to_bytes(vectors[int(practice.slug.rsplit("-", 1)[1])]))
                    for practice in rows
                ]
                PracticeEmbedding.objects.bulk_create(stored, ignore_conflicts=True)
            figures["vectors_stored_from_cache_s"] = round(time.perf_counter() - started, 1)
        else:
            print(f"· meaning vectors of {published:,} practices (this takes a while)", flush=True)
            done = [0]

            def tick(count: int) -> None:
                done[0] += count
                if done[0] % 5_120 < count:
                    print(f"  {done[0]:,}", end="\r", flush=True)

            seconds = timed(lambda: search.practices_embed(on_batch=tick))
            print(flush=True)
            figures["embedding_index_s"] = round(seconds, 1)
            figures["embedding_index_per_s"] = round(published / seconds)
            matrix = embeddings.vector_matrix(PracticeEmbedding)
            slug_of = dict(keys)
            order = sorted(range(len(matrix.keys)), key=lambda row: int(slug_of[matrix.keys[row]].rsplit("-", 1)[1]))
            np.save(cache, matrix.vectors[order])
    embeddings.vector_matrix_forget()
    figures["matrix_rebuild_s"] = round(timed(lambda: embeddings.vector_matrix(PracticeEmbedding)), 2)
    facets.facet_index_forget()
    figures["facet_index_build_s"] = round(timed(facets.facet_index), 2)
    index = facets.facet_index()
    figures["facet_index_mb"] = round((index.ids.nbytes + index.stages.nbytes + index.newest_first.nbytes
                                       + sum(facet.matrix.nbytes for facet in index.facets.values())) / 1e6, 1)
    return figures


def search_steps(query: str, language: str, vector: Any, number: int, sizes: list[int],
                 counting: list[float]) -> dict[str, Any]:
    from arrival.core import embeddings
    from arrival.core.fulltext import fulltext_ranks, fulltext_search
    from arrival.practices import facets, search
    from arrival.practices.models import Practice, PracticeEmbedding

    def facet_counts_of(words: str) -> None:
        index = facets.facet_index()
        matches = index.rows_of(fulltext_ranks(model=Practice, query=words)[0])
        started = time.perf_counter()
        index.counts(index.mask_of(matches[matches >= 0]))
        counting.append(time.perf_counter() - started)

    return {
        "text ranking (fulltext_search, top 20)": lambda: fulltext_search(model=Practice, query=query, limit=20),
        "text matches, all ranked (fulltext_ranks, what practice_search reads)":
            lambda: fulltext_ranks(model=Practice, query=query),
        "facet counts in memory (all text matches)": lambda: facet_counts_of(query),
        "query embedding (1 sentence)": lambda: embeddings.embed([query]),
        "semantic ranking (nearest over all vectors)":
            lambda: embeddings.nearest(model=PracticeEmbedding, vector=vector, limit=200),
        "practice_search text": lambda: sizes.append(search.practice_search(q=query, mode="text")["total"]),
        "practice_search semantic": lambda: search.practice_search(q=query, mode="semantic"),
        "practice_search hybrid": lambda: search.practice_search(q=query, mode="hybrid"),
        "practice_search text + 1 facet":
            lambda: search.practice_search(q=query, mode="text", facets={"language": [language]}),
        "browse: no query, all facets": lambda: search.practice_search(page=1 + number % 5),
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from arrival.core import embeddings

    pool = queries(args.seed)
    vectors = {query: embeddings.embed([query])[0] for _language, query in pool}
    runs: dict[str, list[float]] = {name: [] for name in (
        "text ranking (fulltext_search, top 20)", "text matches, all ranked (fulltext_ranks, what practice_search reads)",
        "query embedding (1 sentence)",
        "semantic ranking (nearest over all vectors)", "practice_search text", "practice_search semantic",
        "practice_search hybrid", "practice_search text + 1 facet", "browse: no query, all facets")}
    sizes: list[int] = []
    counting: list[float] = []
    for warm in range(2):  # one unmeasured pass over the pool, then the measured searches
        count = len(pool) if warm == 0 else args.queries
        for number in range(count):
            language, query = pool[number % len(pool)]
            steps = search_steps(query, language, vectors[query], number, sizes, counting)
            for name, step in steps.items():
                seconds = timed(step)
                if warm and name != "facet counts in memory (all text matches)":
                    runs[name].append(seconds)
        if not warm:
            counting.clear()
    runs["facet counts in memory (all text matches)"] = counting
    results = {name: percentiles(samples) for name, samples in runs.items()}
    results["text matches per query (median)"] = {"value": int(statistics.median(sizes))} if sizes else {}
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine, name = database_name(args.database_url)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": args.database_url,
                       "ARRIVAL_ENV": "development", "DEBUG": "false", "LOG_LEVEL": "ERROR"})
    if args.fresh:
        print(f"· fresh database: dropping {name}", flush=True)
        reset_database(engine, name, args.database_url)
    ensure_database(engine, name, args.database_url)
    BENCH_DATA.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.db import connection

    from arrival.practices.models import Practice

    figures = load(args)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    figures.update(index(args, engine))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"· {args.queries} searches per measure (load average {os.getloadavg()[0]:.1f})", flush=True)
    load_before = os.getloadavg()[0]
    results = measure(args)
    load_average = os.getloadavg()[0]
    report = {
        "benchmark": "practices_search", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"engine": connection.vendor, "version": version},
        "practices": Practice.objects.filter(stage="published").count(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1min": {"before": load_before, "after": load_average}},
        "indexing": figures, "search": results,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"practices-search-{connection.vendor}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print()
    print(f"Practice search — {connection.vendor} {version}, {report['practices']:,} published practices, "
          f"{os.cpu_count()} CPUs, load average {load_before:.1f} before and {load_average:.1f} after the searches")
    for key, value in figures.items():
        print(f"  {key:<34} {value}")
    print(f"  {'search (ms)':<70} {'p50':>8} {'p95':>8}")
    for key, value in results.items():
        if "p50_ms" in value:
            print(f"  {key:<70} {value['p50_ms']:>8.1f} {value['p95_ms']:>8.1f}")
        elif value:
            print(f"  {key:<70} {value['value']:>8}")
    print(f"(written to {out.relative_to(REPO_ROOT)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
