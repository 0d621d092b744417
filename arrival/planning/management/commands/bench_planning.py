"""`arrival bench-planning [--small]`: the planning benchmark (bench/planning.py, described in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def run_benchmark(arguments: list[str]) -> int:
    # A process of its own: the benchmark needs no Django, and its memory (a 400 MB score matrix) is freed on exit.
    return subprocess.call([sys.executable, "-m", "bench.planning", *arguments], cwd=settings.BASE_DIR)  # noqa: S603


class Command(BaseCommand):
    help = "Benchmark the certified planner on 100,000 cases × 1,000 localities (options: --help, --small)."

    def run_from_argv(self, argv: list[str]) -> None:
        # Every option belongs to the benchmark's own parser (`arrival bench-planning --help`).
        sys.exit(run_benchmark(argv[2:]))

    def handle(self, *args: str, **options: object) -> None:
        code = run_benchmark(list(args))
        if code:
            raise CommandError(f"the benchmark failed (exit status {code})")
