"""Resident participation benchmark: 1,000,000 proposals, the proposals list (page and API) and the support action.

Run: `.venv/bin/arrival bench-participation [--database-url URL] [--proposals 1000000] [--requests 200] [--fresh]`
(or `.venv/bin/python -m bench.participation …`).

On its own database (default: the SQLite file data/bench/bench_participation.sqlite3; a URL's database name must
contain "bench"; PostgreSQL databases are created if missing), it migrates and adds 10 synthetic local
governments, each with one participation process (four phases; the support phase is running), 8 categories and
20 neighbourhoods, then `--proposals` synthetic proposals with bulk inserts: half in the first process (the
one measured), the rest spread over the others; languages en 55%, ar 15%, fr 10%, es 10%, ti 5%, fa 5%; support
counts heavy-tailed; one in five answered. Every row is `is_demo=True` and seeded (`--seed`), batch by batch,
so a run resumes after an interruption and gives the same rows.

Then, in this process and through the full middleware stack (Django's test client, anonymous reads), it
measures `--requests` requests per target after 20 unmeasured ones, targets interleaved round by round:
- the process page (HTML, 20 proposals a page): first page newest; filtered by category; sorted by supports;
  a neighbourhood filter sorted by supports; a page deep in the list (page 50);
- the API `GET /api/v1/participation/processes/<slug>/proposals`: the same variants (page_size 20);
- the support action: `services.support_create` by 2,000 synthetic participants on random proposals of the
  measured process (phase gate, permission, uniqueness, counter update and audit row included), and the same
  through the page (`POST /participate/proposals/<id>/support/`, signed in);
- "My work" of the city team's officer (every unanswered proposal waits on them; the list shows the 200 oldest):
  the header count counted afresh in one statement and read from the cache, the My work page (the 50 oldest of
  each kind shown, 200 of each read), and the process
  page signed in with the count forgotten before each request (every page counting afresh: the worst case).
Each as p50/p95/max in milliseconds. Figures are printed and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.foundation import database_name, ensure_database, reset_database

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = REPO_ROOT / "data" / "bench"
DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DATA / 'bench_participation.sqlite3'}"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
PROCESSES = 10
CATEGORIES = 8
NEIGHBOURHOODS = 20
PARTICIPANTS = 2_000
BATCH = 10_000
SLUG_PREFIX = "bench-participation-"
LANGUAGES = ("en", "ar", "fr", "es", "ti", "fa")
LANGUAGE_WEIGHTS = (55, 15, 10, 10, 5, 5)
WORDS = ("evening", "classes", "library", "benches", "shade", "clinic", "hours", "bus", "late", "school", "help",
         "desk", "garden", "football", "interpreters", "housing", "advice", "jobs", "childcare", "market")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="arrival bench-participation", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--fresh", action="store_true", help="Drop the benchmark database first.")
    return parser.parse_args(argv)


# --- loading --------------------------------------------------------------------------------------------


def _setup_processes() -> list[Any]:
    from django.db import transaction
    from django.utils import timezone

    from arrival.accounts.models import Role, RoleKind, User
    from arrival.actors.models import Actor, ActorKind, LocalGovernment
    from arrival.engagement.phases import PhaseSpec
    from arrival.participation import services
    from arrival.participation.models import ParticipationProcess

    existing = list(ParticipationProcess.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk"))
    if len(existing) == PROCESSES:
        return existing
    now = timezone.now()
    day = timedelta(days=1)
    with transaction.atomic():
        officer, _created = User.objects.get_or_create(username=f"{SLUG_PREFIX}officer", defaults={"is_demo": True})
        for index in range(len(existing), PROCESSES):
            city = Actor.objects.create(kind=ActorKind.LOCAL_GOVERNMENT, name=f"Bench town {index} (synthetic)",
                                        slug=f"{SLUG_PREFIX}town-{index}", is_demo=True,
                                        description="Synthetic government made by bench/participation.py.")
            LocalGovernment.objects.create(actor=city, latitude=40 + index, longitude=index)
            Role.objects.create(user=officer, actor=city, kind=RoleKind.OFFICER)
            phases = [PhaseSpec(services.PHASE_COLLECT, now - 400 * day, now - day),
                      PhaseSpec(services.PHASE_SUPPORT, now - day, now + 400 * day),
                      PhaseSpec(services.PHASE_ANSWER, now + 400 * day, now + 500 * day),
                      PhaseSpec(services.PHASE_REPORT_BACK, now + 500 * day, now + 600 * day)]
            services.process_create(
                user=officer, owner=city, title=f"{SLUG_PREFIX}{index}", purpose="Synthetic.", input_use="None.",
                phases=phases, categories=[f"Category {n}" for n in range(CATEGORIES)], is_demo=True)
            for n in range(NEIGHBOURHOODS):
                services.neighbourhood_create(user=officer, owner=city, name=f"District {n}",
                                              latitude=40 + index + n / 100, longitude=index + n / 100, is_demo=True)
        User.objects.bulk_create([User(username=f"{SLUG_PREFIX}p{n}", display_name=f"P{n}", is_demo=True,
                                       password="!")  # noqa: S106 - an unusable password, never a secret
                                  for n in range(PARTICIPANTS)], ignore_conflicts=True)
    return list(ParticipationProcess.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk"))


def load(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    from arrival.participation.models import AnswerStatus, Category, Neighbourhood, Proposal

    print("· migrate", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    processes = _setup_processes()
    measured = processes[0]
    existing = Proposal.objects.filter(process__slug__startswith=SLUG_PREFIX).count()
    timings: dict[str, Any] = {"proposals_before": existing}
    if existing >= args.proposals:
        print(f"· {existing:,} synthetic proposals already there", flush=True)
        return timings
    categories = {p.pk: list(Category.objects.filter(process=p).values_list("pk", flat=True)) for p in processes}
    hoods = {p.pk: list(Neighbourhood.objects.filter(owner=p.owner_id).values_list("pk", flat=True))
             for p in processes}
    statuses = {p.pk: list(AnswerStatus.objects.filter(owner=p.owner_id).values_list("pk", flat=True))
                for p in processes}
    start_at = datetime(2025, 1, 1, tzinfo=UTC)
    # Spread creation times (20 s apart) so "newest" sorts real dates: the timestamps are given, not stamped.
    for field_name in ("created_at", "updated_at"):
        field = Proposal._meta.get_field(field_name)
        field.auto_now_add = field.auto_now = False
    print(f"· {args.proposals - existing:,} synthetic proposals (bulk insert, {BATCH:,} a batch)", flush=True)
    started = time.perf_counter()
    for start in range(existing, args.proposals, BATCH):
        stop = min(start + BATCH, args.proposals)
        rng = random.Random(args.seed * 1_000_003 + start)  # noqa: S311 - synthetic data, seeded
        rows = []
        for index in range(start, stop):
            process = measured if index % 2 == 0 else processes[1 + rng.randrange(PROCESSES - 1)]
            answered = rng.random() < 0.2
            rows.append(Proposal(
                process_id=process.pk, kind="need" if rng.random() < 0.3 else "proposal",
                title=" ".join(rng.choices(WORDS, k=5)).capitalize(), body=" ".join(rng.choices(WORDS, k=40)),
                language=rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0],
                category_id=rng.choice(categories[process.pk]) if rng.random() < 0.9 else None,
                neighbourhood_id=rng.choice(hoods[process.pk]) if rng.random() < 0.6 else None,
                support_count=int(rng.paretovariate(1.3)) - 1, is_demo=True,
                status_id=rng.choice(statuses[process.pk]) if answered else None,
                created_at=start_at + timedelta(seconds=index * 20), updated_at=start_at,
            ))
        with transaction.atomic():
            Proposal.objects.bulk_create(rows, batch_size=2_000)
        print(f"  {stop:,}", end="\r", flush=True)
    timings["bulk_insert_s"] = round(time.perf_counter() - started, 1)
    timings["bulk_insert_rows_per_s"] = round((args.proposals - existing) / timings["bulk_insert_s"])
    print(flush=True)
    return timings


# --- measuring ------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50_ms": round(at(0.5), 2), "p95_ms": round(at(0.95), 2),
            "max_ms": round(ordered[-1], 2)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from arrival.accounts.models import User
    from arrival.participation import services
    from arrival.participation.models import Category, Neighbourhood, ParticipationProcess, Proposal

    settings.ARRIVAL_POST_RATE = "1000000/m"  # the benchmark counts posts like anyone, but is never refused
    process = ParticipationProcess.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk").first()
    rng = random.Random(args.seed)  # noqa: S311 - benchmark draws, seeded
    category_ids = list(Category.objects.filter(process=process).values_list("pk", flat=True))
    hood_ids = list(Neighbourhood.objects.filter(owner=process.owner_id).values_list("pk", flat=True))
    page = f"/participate/{process.slug}/"
    api = f"/api/v1/participation/processes/{process.slug}/proposals?page_size=20"
    targets = {
        "page: first page, newest": lambda: page,
        "page: category filter": lambda: f"{page}?category={rng.choice(category_ids)}",
        "page: most supported": lambda: f"{page}?sort=supported",
        "page: neighbourhood, most supported": lambda: f"{page}?neighbourhood={rng.choice(hood_ids)}&sort=supported",
        "page: page 50, newest": lambda: f"{page}?page=50",
        "api: first page, newest": lambda: api,
        "api: category filter": lambda: f"{api}&category={rng.choice(category_ids)}",
        "api: most supported": lambda: f"{api}&sort=supported",
        "api: language ar, most supported": lambda: f"{api}&language=ar&sort=supported",
    }
    client = Client()
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for round_number in range(20 + args.requests):
        for name, target in targets.items():
            url = target()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"bench: {url} answered {response.status_code}")
            if round_number >= 20:
                samples[name].append(elapsed)
    results = {name: percentiles(values) for name, values in samples.items()}

    people = list(User.objects.filter(username__startswith=f"{SLUG_PREFIX}p").order_by("pk"))
    max_id = Proposal.objects.filter(process=process).order_by("-pk").values_list("pk", flat=True).first()
    min_id = Proposal.objects.filter(process=process).order_by("pk").values_list("pk", flat=True).first()

    def random_proposal() -> Proposal:
        while True:
            candidate = Proposal.objects.filter(process=process, pk__gte=rng.randint(min_id, max_id)).order_by("pk")
            proposal = candidate.select_related("process", "process__process").first()
            if proposal is not None:
                return proposal

    service_times, page_times = [], []
    for _n in range(args.requests):
        person, proposal = rng.choice(people), random_proposal()
        started = time.perf_counter()
        try:
            services.support_create(user=person, proposal=proposal)
        except Exception as error:  # noqa: BLE001 - a repeated pair is refused; it is still a measured call
            if "already" not in str(error):
                raise
        service_times.append((time.perf_counter() - started) * 1000)
    signed_in = Client()
    for _n in range(args.requests):
        person, proposal = rng.choice(people), random_proposal()
        signed_in.force_login(person)
        started = time.perf_counter()
        response = signed_in.post(f"/participate/proposals/{proposal.pk}/support/")
        page_times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            raise SystemExit(f"bench: support page answered {response.status_code}")
    results["support: service"] = percentiles(service_times)
    results["support: page POST (signed in)"] = percentiles(page_times)
    results.update(_measure_my_work(args, page))
    return results


def _measure_my_work(args: argparse.Namespace, page: str) -> dict[str, Any]:
    """"My work" of the synthetic officer, whose team must answer every unanswered proposal of the 10 processes:
    the header count counted afresh (one statement over every app's provider), read from the cache as pages do,
    the My work page, and the process page signed in with the count forgotten before each request (the worst case:
    every page counts afresh)."""
    from django.test import Client

    from arrival.accounts.models import User
    from arrival.engagement.selectors import work_count, work_count_for_header, work_count_forget

    officer = User.objects.get(username=f"{SLUG_PREFIX}officer")
    client = Client()
    client.force_login(officer)
    fresh, cached, work_page, signed_page = [], [], [], []
    for round_number in range(20 + args.requests):
        started = time.perf_counter()
        work_count(user=officer)
        counted = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        work_count_for_header(user=officer)
        read = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        response = client.get("/engagement/work/")
        listed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"bench: My work answered {response.status_code}")
        work_count_forget(user_ids=[officer.pk])
        started = time.perf_counter()
        response = client.get(page)
        signed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"bench: {page} answered {response.status_code} signed in")
        if round_number >= 20:
            fresh.append(counted)
            cached.append(read)
            work_page.append(listed)
            signed_page.append(signed)
    return {
        "my work: header count counted afresh (one statement)": percentiles(fresh),
        "my work: header count read from the cache": percentiles(cached),
        "my work: the page (50 oldest of each kind shown)": percentiles(work_page),
        "page: first page, signed in, count afresh each time": percentiles(signed_page),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine, name = database_name(args.database_url)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": args.database_url,
                       "ARRIVAL_ENV": "development", "DEBUG": "false", "LOG_LEVEL": "ERROR",
                       "ARRIVAL_API_RATE_ANON": "100000000/min", "ARRIVAL_API_RATE_USER": "100000000/min",
                       # Pages render against the app folders (no collectstatic run for an in-process client).
                       "ARRIVAL_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"})
    if args.fresh:
        print(f"· fresh database: dropping {name}", flush=True)
        reset_database(engine, name, args.database_url)
    ensure_database(engine, name, args.database_url)
    BENCH_DATA.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from arrival.participation.models import Proposal

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    figures = load(args)
    print("· ANALYZE", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    total = Proposal.objects.count()
    print(f"· measuring: {args.requests} requests per target", flush=True)
    results = measure(args)
    load_average = os.getloadavg()[0]
    report = {
        "benchmark": "participation", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"engine": connection.vendor, "version": version}, "proposals": total,
        "measured_process_proposals": Proposal.objects.filter(
            process__slug=f"{SLUG_PREFIX}0").count(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average_1min": load_average},
        "loading": figures, "latency": results,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"participation-{connection.vendor}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print()
    print(f"Participation — {connection.vendor} {version}, {total:,} proposals "
          f"({report['measured_process_proposals']:,} in the measured process), {os.cpu_count()} CPUs, "
          f"load average {load_average:.1f}")
    for key, value in figures.items():
        print(f"  {key:<40} {value}")
    print(f"  {'latency (ms)':<40} {'p50':>8} {'p95':>8} {'max':>8}")
    for key, value in results.items():
        print(f"  {key:<40} {value['p50_ms']:>8.1f} {value['p95_ms']:>8.1f} {value['max_ms']:>8.1f}")
    print(f"(written to {out.relative_to(REPO_ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
