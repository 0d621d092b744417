"""`arrival bench-foundation`: the foundation benchmark (bench/foundation.py, described in bench/README.md)."""

from __future__ import annotations

from arrival.core.management.benchmark import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Benchmark pages and API reads with 500,000 synthetic governments (options: --help)."
    module = "bench.foundation"
