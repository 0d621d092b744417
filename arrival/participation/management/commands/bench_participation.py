"""`arrival bench-participation`: 1,000,000 proposals, list and support latency (bench/participation.py)."""

from __future__ import annotations

from arrival.core.management.benchmark import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Benchmark the proposals list and the support action with 1,000,000 proposals (options: --help)."
    module = "bench.participation"
