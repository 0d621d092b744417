"""Assessments benchmark (issue 3 §6): (b) `arrival recompute-scores` end to end from the database and
(c) the time to score one assessment on save.

    .venv/bin/python -m bench.recompute [--database-url URL] [--governments 50000] [--cycles 3] [--saves 200]

On its own database (a SQLite file under data/bench/ unless --database-url names another, e.g.
postgres://postgres@127.0.0.1:5432/arrival_bench_recompute; its name must contain "bench"), it migrates, loads
the reference frameworks and LMGF 1.0, and bulk-inserts synthetic local governments (labelled demo: they are
invented) with one published assessment per cycle: every LMGF answer as a row (levels 0–4, about 8% special
answers, 4% unanswered) and the stored score of each — computed by the engine's batch path, as publication
would store it. Then it times:

(b) `arrival recompute-scores --check`: read every published assessment's answers from the database, score
    them with `score_batch` and their intervals with the seeded Monte Carlo, compare every stored number (record,
    JSON, intervals, domain rows) bit for bit (all must be identical);
(c) `answer_save` on one draft assessment: the whole service (permission, validation, audit row, rescoring
    without the Monte Carlo), its median over --saves calls; the Monte Carlo of publication is timed apart.

The synthetic data stays between runs (the insert is the slow part); --fresh starts again.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import time
from dataclasses import asdict
from typing import Any

import numpy as np

from bench.foundation import BENCH_DATA, database_name, ensure_database, reset_database
from bench.scoring import synthetic_codes

DEFAULT_DATABASE_URL = f"sqlite:///{BENCH_DATA / 'recompute-bench.sqlite3'}"
SLUG_PREFIX = "synthetic-recompute-"
FIRST_CYCLE = 2023


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.recompute", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="database to fill and measure; its name must contain 'bench' (default: %(default)s)")
    parser.add_argument("--governments", type=int, default=50_000, help="synthetic local governments")
    parser.add_argument("--cycles", type=int, default=3, help="published assessments per government")
    parser.add_argument("--saves", type=int, default=200, help="answer_save calls timed for (c)")
    parser.add_argument("--chunk", type=int, default=2_000, help="assessments per batch in recompute-scores")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args(argv)
    if args.governments < 1 or not 1 <= args.cycles <= 3 or args.saves < 1:
        parser.error("--governments and --saves must be ≥ 1, --cycles from 1 to 3")
    return args


def _log(message: str) -> None:
    print(message, flush=True)


# --- filling the database ----------------------------------------------------------------------------


def _bulk(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def _fragments(compiled: Any, parsed: Any) -> dict[int, dict[int, str]]:
    """For each column and answer code, the text `inputs_sha256` puts in its canonical JSON for that answer."""
    specials = {-2: "unknown", -3: "not_competent", -4: "not_applicable"}
    out: dict[int, dict[int, str]] = {}
    for column, code in enumerate(compiled.indicator_codes):
        key = json.dumps(code)
        out[column] = {level: f"{key}:[{level},\"\"]" for level in range(5)}
        out[column].update({c: f"{key}:[null,{json.dumps(s)}]" for c, s in specials.items()})
    return out


def fill(args: argparse.Namespace) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from arrival.actors.models import Actor, ActorKind
    from arrival.assessments.domain.scoring import score_batch
    from arrival.assessments.domain.uncertainty import score_intervals
    from arrival.assessments.loader import load_indicator_frameworks
    from arrival.assessments.models import Answer, Assessment, AssessmentStatus, DomainScore, ScoreRecord
    from arrival.assessments.scores import batch_results
    from arrival.assessments.selectors.records import framework_compiled, framework_current
    from arrival.frameworks.loader import load_frameworks

    load_frameworks()
    load_indicator_frameworks()
    framework = framework_current()
    compiled = framework_compiled(framework=framework)
    parsed = compiled.framework
    have = Actor.objects.filter(slug__startswith=SLUG_PREFIX).count()
    if have >= args.governments and Assessment.objects.filter(government__slug__startswith=SLUG_PREFIX).count() \
            >= args.governments * args.cycles:
        _log(f"· {have:,} synthetic governments with their assessments already there")
        return {"governments": have}
    if have:
        raise SystemExit("bench: the database holds a different synthetic set; run again with --fresh")
    now = timezone.now()
    indicator_ids = dict(framework.indicators.values_list("code", "pk"))
    column_ids = [indicator_ids[code] for code in compiled.indicator_codes]
    fragments = _fragments(compiled, parsed)
    by_code = sorted(range(compiled.n_columns), key=lambda column: compiled.indicator_codes[column])
    rows = args.governments * args.cycles
    codes_all = synthetic_codes(rows, compiled.n_columns, seed=20260603)
    started = time.perf_counter()
    step = 5_000  # governments per transaction
    answer_cols = ["assessment_id", "indicator_id", "value", "special", "comment", "evidence_url",
                   "evidence_reference", "updated_at"]
    score_cols = ["assessment_id", "framework_label", "inputs_sha256", "computed_at", "overall", "partial",
                  "coverage", "result", "uncertainty"]
    domain_cols = ["assessment_id", "domain_code", "score", "band", "coverage", "low", "high"]
    special_names = {-2: "unknown", -3: "not_competent", -4: "not_applicable"}
    for start in range(0, args.governments, step):
        stop = min(start + step, args.governments)
        with transaction.atomic():
            actors = Actor.objects.bulk_create([
                Actor(kind=ActorKind.LOCAL_GOVERNMENT, name=f"Synthetic recompute town {n}", slug=f"{SLUG_PREFIX}{n}",
                      is_demo=True)
                for n in range(start, stop)
            ])
            if actors[0].pk is None:  # SQLite before 3.35 cannot return keys; read them back
                actors = list(Actor.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk")[start:stop])
            assessments = Assessment.objects.bulk_create([
                Assessment(government=actor, framework=framework, cycle=FIRST_CYCLE + c,
                           status=AssessmentStatus.PUBLISHED, is_demo=True, submitted_at=now, validated_at=now,
                           published_at=now)
                for actor in actors for c in range(args.cycles)
            ])
            ids = [a.pk for a in assessments]
            block = codes_all[start * args.cycles: stop * args.cycles]
            answer_rows: list[tuple[Any, ...]] = []
            hashes = []
            for r, pk in enumerate(ids):
                parts = []
                row = block[r].tolist()
                for column in by_code:  # json.dumps(sort_keys=True) writes the indicator codes sorted
                    code = row[column]
                    if code == -1:
                        continue
                    parts.append(fragments[column][code])
                    if code >= 0:
                        answer_rows.append((pk, column_ids[column], str(code), "", "", "", "", now))
                    else:
                        answer_rows.append((pk, column_ids[column], None, special_names[code], "", "", "", now))
                canonical = "{" + ",".join(parts) + "}"
                hashes.append(hashlib.sha256(f"{framework.content_sha256}\n{canonical}".encode()).hexdigest())
            _bulk(Answer._meta.db_table, answer_cols, answer_rows)
            batch = score_batch(compiled, block, with_subcategories=True)
            results = batch_results(compiled, block, batch)
            # As publication stores it: the intervals of the seeded Monte Carlo and one row per domain, so that
            # `recompute-scores --check`, which compares every served number, finds them identical.
            intervals = [score_intervals(compiled, block[r]) for r in range(len(ids))]
            _bulk(ScoreRecord._meta.db_table, score_cols, [
                (pk, framework.label, hashes[r], now, results[r]["overall"], results[r]["partial"],
                 results[r]["coverage_percent"], json.dumps(result), json.dumps(asdict(intervals[r])))
                for r, (pk, result) in enumerate(zip(ids, results, strict=True))
            ])
            _bulk(DomainScore._meta.db_table, domain_cols, [
                (pk, domain["code"], domain["score"], domain["band"]["code"] if domain["band"] else "",
                 domain["coverage_percent"], span.low if span else None, span.high if span else None)
                for r, (pk, result) in enumerate(zip(ids, results, strict=True))
                for domain, span in zip(result["domains"], intervals[r].domains, strict=True)
            ])
        done = stop * args.cycles
        rate = done / (time.perf_counter() - started)
        _log(f"  {stop:,} governments, {done:,} assessments inserted ({rate:,.0f} assessments/s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _log(f"· filled in {time.perf_counter() - started:.0f} s")
    return {"governments": args.governments}


def sanity_check() -> None:
    """The bulk-written hashes and scores equal what the services would store, for a few assessments."""
    from arrival.assessments.domain.scoring import score_assessment
    from arrival.assessments.models import Assessment, ScoreRecord
    from arrival.assessments.scores import answers_for_scoring, canonical, inputs_sha256, score_result
    from arrival.assessments.selectors.records import framework_parsed

    for assessment in Assessment.objects.filter(government__slug__startswith=SLUG_PREFIX).order_by("pk")[:20]:
        answers = answers_for_scoring(assessment=assessment)
        record = ScoreRecord.objects.get(assessment=assessment)
        fresh = score_result(score_assessment(framework_parsed(framework=assessment.framework), answers))
        if record.inputs_sha256 != inputs_sha256(assessment.framework, answers) or canonical(record.result) != \
                canonical(fresh) or record.uncertainty is None or not assessment.domain_scores.exists():
            raise SystemExit(f"bench: synthetic assessment {assessment.pk} was not stored as the services store it "
                             f"(a database filled by an older bench: run again with --fresh)")


# --- measuring -----------------------------------------------------------------------------------------


def measure_recompute(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("recompute_scores", "--check", "--chunk", str(args.chunk), stdout=out, verbosity=0)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    seconds = time.perf_counter() - started
    summary = out.getvalue().strip().splitlines()[-1]
    return {"seconds": seconds, "exit_code": code, "summary": summary}


def measure_save(args: argparse.Namespace) -> dict[str, Any]:
    """(c): answer_save on one draft assessment with every indicator answered, plus the Monte Carlo apart."""
    from arrival.accounts.models import Role, RoleKind, User
    from arrival.actors.models import Actor, ActorKind
    from arrival.assessments.domain.scoring import answer_code
    from arrival.assessments.domain.uncertainty import score_intervals
    from arrival.assessments.models import Assessment
    from arrival.assessments.scores import answers_for_scoring
    from arrival.assessments.selectors.records import framework_compiled, framework_current, indicator_list
    from arrival.assessments.services import answer_save, answers_save_many

    framework = framework_current()
    city, _ = Actor.objects.get_or_create(slug=f"{SLUG_PREFIX}save-city", defaults={
        "kind": ActorKind.LOCAL_GOVERNMENT, "name": "Synthetic recompute town (save timing)", "is_demo": True})
    user, _ = User.objects.get_or_create(username="bench-recompute-officer", defaults={"is_demo": True})
    Role.objects.get_or_create(user=user, actor=city, kind=RoleKind.OFFICER, ended_at=None)
    Assessment.objects.filter(government=city).delete()
    assessment = Assessment.objects.create(government=city, framework=framework, cycle=FIRST_CYCLE, is_demo=True)
    indicators = list(indicator_list(framework=framework))
    answers_save_many(user=user, assessment=assessment, rows=[
        {"indicator_code": i.code, "value": n % 5, "evidence_reference": "Synthetic"} for n, i in enumerate(indicators)])
    times = []
    for n in range(args.saves):
        indicator = indicators[n % len(indicators)]
        started = time.perf_counter()
        answer_save(user=user, assessment=assessment, indicator=indicator, value=(n + 1) % 5,
                    evidence_reference="Synthetic")
        times.append(time.perf_counter() - started)
    compiled = framework_compiled(framework=framework)
    answers = answers_for_scoring(assessment=assessment)
    codes = np.array([answer_code(compiled.framework.indicator(c), answers.get(c)) for c in compiled.indicator_codes],
                     dtype=np.int8)
    monte_carlo = []
    for _ in range(5):
        started = time.perf_counter()
        score_intervals(compiled, codes)
        monte_carlo.append(time.perf_counter() - started)
    times.sort()
    return {"median_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
            "calls": len(times), "monte_carlo_median_ms": statistics.median(monte_carlo) * 1000}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine, name = database_name(args.database_url)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": args.database_url,
                       "DEBUG": "false", "LOG_LEVEL": "ERROR"})
    if args.fresh:
        _log(f"· fresh database: dropping {name}")
        reset_database(engine, name, args.database_url)
    ensure_database(engine, name, args.database_url)
    BENCH_DATA.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _log(f"· {connection.vendor}: {args.governments:,} governments × {args.cycles} cycles × 60 indicators")
    fill(args)
    sanity_check()
    from arrival.assessments.models import Answer, Assessment

    published = Assessment.objects.filter(status="published").count()
    answers = Answer.objects.count()
    _log(f"· {published:,} published assessments, {answers:,} answer rows in the database")
    _log("· (b) arrival recompute-scores --check …")
    recompute = measure_recompute(args)
    _log(f"· (c) answer_save × {args.saves} …")
    save = measure_save(args)
    print()
    print(f"Assessments benchmark — {connection.vendor}, {published:,} published assessments, {answers:,} answers")
    print(f"(b) recompute-scores --check end to end: {recompute['seconds']:.1f} s "
          f"({published / recompute['seconds']:,.0f} assessments/s, exit {recompute['exit_code']})")
    print(f"    {recompute['summary']}")
    print(f"(c) answer_save (validate, write, audit, rescore): median {save['median_ms']:.1f} ms, "
          f"p95 {save['p95_ms']:.1f} ms over {save['calls']} calls")
    print(f"    Monte Carlo interval (1,000 draws, on publication, timed apart): median "
          f"{save['monte_carlo_median_ms']:.1f} ms")
    return 1 if recompute["exit_code"] else 0


if __name__ == "__main__":
    sys.exit(main())
