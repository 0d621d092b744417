"""`arrival bench-load`: concurrent clients on pages, API reads and signed-in writes against `arrival serve` (bench/load.py)."""

from __future__ import annotations

from arrival.core.management.benchmark import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Load benchmark: 50 concurrent clients on pages, API reads and writes, against the minimal view (options: --help)."
    module = "bench.load"
