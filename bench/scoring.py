"""Scoring benchmark: the engine against a bare NumPy aggregation of the same arrays, then the Monte Carlo.

Run: `.venv/bin/python -m bench.scoring [--governments 500000] [--cycles 3] [--repeats 5]`

Answers are synthetic and in memory: an int8 matrix of (governments × cycles) rows and one column per LMGF
indicator, levels 0–4 with about 8% special answers and 4% unanswered. The bare aggregation knows what the
engine has to discover from the framework file (every indicator a weight-1 maturity scale, two per
sub-category, five sub-categories per domain) and computes the same published figures: domain scores with
the coverage rule, overall score, partial flag, rounded. Both walk the rows in the same chunks.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

import numpy as np

from arrival.assessments.domain.framework_file import FRAMEWORKS_DIR, load_framework
from arrival.assessments.domain.scoring import compile_framework, score_batch
from arrival.assessments.domain.uncertainty import MonteCarloSettings, rank_interval, score_intervals

CHUNK = 8_192  # rows per chunk for both; small enough that temporaries stay in cache


def synthetic_codes(rows: int, columns: int, seed: int = 20260501) -> np.ndarray:
    rng = np.random.default_rng(seed)
    codes = np.empty((rows, columns), dtype=np.int8)
    step = 250_000
    for start in range(0, rows, step):
        stop = min(start + step, rows)
        draw = rng.random((stop - start, columns))
        levels = rng.integers(0, 5, size=(stop - start, columns), dtype=np.int8)
        block = levels
        block[draw < 0.12] = -4 + (rng.integers(0, 3, size=int((draw < 0.12).sum()), dtype=np.int8))  # -4..-2
        block[draw < 0.04] = -1
        codes[start:stop] = block
    return codes


def bare_numpy(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Domain scores, overall score and partial flag with plain NumPy, for the LMGF shape (6 × 5 × 2)."""
    rows = codes.shape[0]
    domain = np.empty((rows, 6))
    overall = np.empty(rows)
    partial = np.empty(rows, dtype=bool)
    for start in range(0, rows, CHUNK):
        c = np.ascontiguousarray(codes[start:start + CHUNK].T)  # indicators × rows: contiguous row operations
        r = c.shape[1]
        scored = c >= 0
        score = np.where(scored, c * 25.0, 0.0)
        num = score[0::2] + score[1::2]  # the two indicators of each sub-category
        den = scored[0::2].astype(np.int8) + scored[1::2]
        has = den > 0
        sub = np.divide(num, den, out=np.zeros_like(num), where=has)
        dsum = sub.reshape(6, 5, r).sum(axis=1)
        dcount = has.reshape(6, 5, r).sum(axis=1)
        answered = (scored | (c <= -3)).reshape(6, 10, r).sum(axis=1)
        reportable = (dcount > 0) & (answered * 100 >= 60 * 10)
        dom = np.divide(dsum, dcount, out=np.full_like(dsum, np.nan), where=reportable)
        n_rep = reportable.sum(axis=0)
        total = np.where(reportable, dom, 0.0).sum(axis=0)
        over = np.divide(total, n_rep, out=np.full_like(total, np.nan), where=n_rep > 0)
        domain[start:start + r] = (np.floor(dom * 10 + 0.5) / 10).T
        overall[start:start + r] = np.floor(over * 10 + 0.5) / 10
        partial[start:start + r] = n_rep < 6
    return domain, overall, partial


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    times: list[float] = []
    result: object = None
    for _ in range(repeats):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--governments", type=int, default=500_000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mc-assessments", type=int, default=1000)
    args = parser.parse_args()

    framework = load_framework(FRAMEWORKS_DIR / "lmgf-1.0.yaml")
    compiled = compile_framework(framework)
    rows = args.governments * args.cycles
    codes = synthetic_codes(rows, compiled.n_columns)
    print(f"scoring {args.governments:,} governments × {compiled.n_columns} indicators × {args.cycles} cycles "
          f"= {rows:,} assessments ({codes.nbytes / 2**20:.0f} MiB of answer codes), {args.repeats} repeats")

    engine_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(args.repeats):  # interleaved so that both see the same machine state
        gc.collect()
        t0 = time.perf_counter()
        engine = score_batch(compiled, codes, chunk_rows=CHUNK)
        engine_times.append(time.perf_counter() - t0)
        del engine
        gc.collect()
        t0 = time.perf_counter()
        bare = bare_numpy(codes)
        bare_times.append(time.perf_counter() - t0)
        del bare
    engine = score_batch(compiled, codes, chunk_rows=CHUNK)
    domain, overall, partial = bare_numpy(codes)
    same_domain = np.array_equal(engine.domain_score, domain, equal_nan=True)
    same_overall = np.array_equal(engine.overall, overall, equal_nan=True)
    same_partial = np.array_equal(engine.partial, partial)
    e_med, b_med = statistics.median(engine_times), statistics.median(bare_times)
    print(f"engine (score_batch):  median {e_med:.3f} s  ({rows / e_med / 1e6:.2f} M assessments/s)  "
          f"runs {', '.join(f'{t:.2f}' for t in engine_times)}")
    print(f"bare NumPy:            median {b_med:.3f} s  ({rows / b_med / 1e6:.2f} M assessments/s)  "
          f"runs {', '.join(f'{t:.2f}' for t in bare_times)}")
    print(f"ratio engine / bare:   {e_med / b_med:.2f}×  (target ≤ 2×)")
    print(f"same published figures: domains {same_domain}, overall {same_overall}, partial {same_partial}")
    del engine, domain, overall, partial
    gc.collect()

    settings = MonteCarloSettings()
    sample = codes[: args.mc_assessments]
    one, _ = timed(lambda: score_intervals(compiled, sample[0], settings), max(args.repeats, 5))
    print(f"Monte Carlo ({settings.draws} draws), one assessment: median {statistics.median(one) * 1000:.1f} ms")
    many, _ = timed(lambda: [score_intervals(compiled, row, settings) for row in sample], 1)
    print(f"Monte Carlo, {len(sample):,} assessments one by one: {many[0]:.2f} s")
    peers, result = timed(lambda: rank_interval(compiled, sample, 0, settings), 1)
    print(f"Monte Carlo rank in a peer group of {len(sample):,}: {peers[0]:.2f} s  ({result})")


if __name__ == "__main__":
    main()
