"""The load benchmark (bench/load.py) in --quick mode: a few clients for a few seconds against `arrival serve` on a
database of its own (of the suite's engine), signed in as a browser is, on the whole mix. Not a timed test: it checks
the report's shape, that every kind of request ran, and that none failed (no 'database is locked' either)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.db import connection

from arrival.cli import REPO_ROOT

KINDS = {"page", "api", "support", "comment", "answer"}


def test_quick_load_bench_reports_every_kind_without_errors(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path / 'quick_bench.sqlite3'}"
    else:
        base = urlsplit(os.environ["DATABASE_URL"])
        url = base._replace(path=f"{base.path}_quick_bench").geturl()
    run = subprocess.run(  # noqa: S603 - our own benchmark
        [sys.executable, "-m", "bench.load", "--quick", "--fresh", "--clients", "5", "--seconds", "4",
         "--database-url", url],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1500, check=False,
        env={key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(Path(json.loads(run.stdout.strip().splitlines()[-1])["report"]).read_text())
    assert report["quick"] and report["clients"] == 5
    assert set(report["mix"]) == KINDS and set(report["minimal"]) == {"minimal"}
    for row in [*report["mix"].values(), *report["minimal"].values()]:
        assert set(row) == {"requests", "errors", "throttled_429", "p50_ms", "p95_ms", "per_second"}
        assert row["requests"] > 0 and row["errors"] == 0 and row["throttled_429"] == 0
    assert report["errors"] == 0 and report["database_locked"] == 0 and report["throttled_429"] == 0
    assert report["ratio_to_minimal"] > 0
    assert report["rates"]["ARRIVAL_POST_RATE"] and report["loadavg_before"]
