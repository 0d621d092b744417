"""`arrival bench-planning [--small]`: the planning benchmark (bench/planning.py, described in bench/README.md)."""

from __future__ import annotations

from arrival.core.management.benchmark import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Benchmark the certified planner on 100,000 cases × 1,000 localities (options: --help, --small)."
    module = "bench.planning"
