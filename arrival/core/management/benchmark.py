"""The one shape of every `arrival bench-*` command: hand all arguments to a module under bench/."""

from __future__ import annotations

import subprocess
import sys
from typing import ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class BenchmarkCommand(BaseCommand):
    module: ClassVar[str]  # e.g. "bench.load"

    def run_benchmark(self, arguments: list[str]) -> int:
        # The benchmark picks its own database before Django starts, so it runs in a process of its own.
        return subprocess.call([sys.executable, "-m", self.module, *arguments], cwd=settings.BASE_DIR)  # noqa: S603 - our own module

    def run_from_argv(self, argv: list[str]) -> None:
        # Every option belongs to the benchmark's own parser (`arrival bench-… --help`).
        sys.exit(self.run_benchmark(argv[2:]))

    def handle(self, *args: str, **options: object) -> None:
        code = self.run_benchmark(list(args))
        if code:
            raise CommandError(f"the benchmark failed (exit status {code})")
