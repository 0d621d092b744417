"""Arrival's benchmarks: one command each, printing their figures (bench/README.md)."""
