"""`arrival bench-load`: concurrent clients on pages, API reads and signed-in writes against `arrival serve` (bench/load.py)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def run_benchmark(arguments: list[str]) -> int:
    # The benchmark picks its own database before Django starts, so it runs in a process of its own.
    return subprocess.call([sys.executable, "-m", "bench.load", *arguments], cwd=settings.BASE_DIR)  # noqa: S603


class Command(BaseCommand):
    help = "Load benchmark: 50 concurrent clients on pages, API reads and writes, against the minimal view (options: --help)."

    def run_from_argv(self, argv: list[str]) -> None:
        # Every option belongs to the benchmark's own parser (`arrival bench-load --help`).
        sys.exit(run_benchmark(argv[2:]))

    def handle(self, *args: str, **options: object) -> None:
        code = run_benchmark(list(args))
        if code:
            raise CommandError(f"the benchmark failed (exit status {code})")
