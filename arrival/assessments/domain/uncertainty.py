"""Seeded Monte Carlo over weights and aggregation rule (docs/methods.md, "Uncertainty").

Each draw multiplies every indicator weight, every sub-category weight and every domain weight by its own
factor drawn uniformly from [1 − spread, 1 + spread] (spread 0.5 by default, i.e. ±50%), and aggregates all
three levels either with weighted arithmetic means or — with probability `geometric_share` — with weighted
geometric means of (score + 1) minus 1, so that a zero score does not collapse the mean to zero. Which
domains are reported, and which indicators count, is that of the published score; draws only move the
numbers. The 90% interval is the 5th–95th percentile of the draws.

The generator is NumPy's PCG64 seeded with the first 8 bytes of a SHA-256 over the framework version, the
settings and the answer codes (`derive_seed`): the same inputs always give the same interval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .scoring import CompiledFramework, round_score, score_batch

SEED_DOMAIN = b"arrival-monte-carlo/1"


@dataclass(frozen=True, slots=True)
class MonteCarloSettings:
    draws: int = 1000
    weight_spread: float = 0.5  # weights vary by ±50%
    geometric_share: float = 0.5  # share of draws aggregated with geometric means
    level: float = 0.90  # interval coverage
    draws_per_batch: int = 250  # memory bound for peer groups; does not change results

    def describe(self) -> bytes:
        return f"{self.draws}|{self.weight_spread!r}|{self.geometric_share!r}|{self.level!r}".encode()


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ScoreIntervals:
    seed: int
    draws: int
    domains: tuple[Interval | None, ...]  # per domain in file order; None = insufficient data
    overall: Interval | None


@dataclass(frozen=True, slots=True)
class RankInterval:
    seed: int
    draws: int
    peers: int  # governments ranked, the city included
    rank: int  # published rank (1 = highest overall score; ties share the better rank)
    rank_interval: Interval
    percentile: float  # share of the other peers with a lower published overall score, in percent
    percentile_interval: Interval


def derive_seed(compiled: CompiledFramework, codes: np.ndarray, settings: MonteCarloSettings, *,
                salt: bytes = b"") -> int:
    """SHA-256 of framework key, settings, matrix shape and answer codes (int8, C order) → 64-bit seed."""
    digest = hashlib.sha256()
    for part in (SEED_DOMAIN, compiled.framework.key.encode(), settings.describe(), salt,
                 repr(codes.shape).encode(), np.ascontiguousarray(codes, dtype=np.int8).tobytes()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return int.from_bytes(digest.digest()[:8], "big")


def _quantiles(values: np.ndarray, level: float,
               method: Literal["linear", "inverted_cdf"] = "linear") -> tuple[float, float]:
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail], method=method)
    return float(low), float(high)


def simulate(compiled: CompiledFramework, codes: np.ndarray, settings: MonteCarloSettings,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draws for every row of `codes`: domain scores (rows, draws, domains) and overall (rows, draws), unrounded.

    Entries are NaN where the published score has insufficient data (domain) or no overall score.
    """
    rows = codes.shape[0]
    nominal = score_batch(compiled, codes)
    reportable = ~np.isnan(nominal.domain_score)  # (rows, domains)
    n = compiled.n_columns
    table = compiled.score_table
    shifted = codes.astype(np.intp) + 4
    scores = table[np.arange(n)[None, :], shifted]  # (rows, n) NaN = no score
    scored = ~np.isnan(scores)
    scores = np.where(scored, scores, 0.0)
    log_scores = np.log1p(scores)
    n_sub = compiled.slot_columns.shape[0]
    n_dom = len(compiled.domain_starts)
    membership = np.zeros((n, n_sub))  # indicator → sub-category
    for j in range(n_sub):
        for column in compiled.slot_columns[j]:
            if column < n:
                membership[column, j] = 1.0
    sub_to_dom = np.zeros((n_sub, n_dom))
    sub_to_dom[np.arange(n_sub), compiled.sub_domain] = 1.0
    low, high = 1.0 - settings.weight_spread, 1.0 + settings.weight_spread
    # Draw everything up front, in a fixed order, so that batching never changes the stream.
    w_ind = compiled.weights[None, :] * rng.uniform(low, high, size=(settings.draws, n))
    w_sub = rng.uniform(low, high, size=(settings.draws, n_sub))
    w_dom = rng.uniform(low, high, size=(settings.draws, n_dom))
    geometric = rng.random(settings.draws) < settings.geometric_share
    domain_draws = np.empty((rows, settings.draws, n_dom))
    overall_draws = np.empty((rows, settings.draws))
    rep = reportable[:, None, :]
    for start in range(0, settings.draws, settings.draws_per_batch):
        stop = min(start + settings.draws_per_batch, settings.draws)
        wi = w_ind[start:stop]  # (b, n)
        geo = geometric[start:stop][None, :, None]
        den = (scored[:, None, :] * wi[None, :, :]) @ membership  # (rows, b, n_sub)
        arith_num = (scores[:, None, :] * wi[None, :, :]) @ membership
        geo_num = (log_scores[:, None, :] * wi[None, :, :]) @ membership
        has = den > 0
        safe_den = np.where(has, den, 1.0)
        sub = np.where(geo, np.expm1(geo_num / safe_den), arith_num / safe_den)
        sub = np.where(has, sub, 0.0)
        ws = w_sub[start:stop][None, :, :] * has  # (rows, b, n_sub)
        dden = ws @ sub_to_dom
        d_arith = (ws * sub) @ sub_to_dom
        d_geo = (ws * np.log1p(sub)) @ sub_to_dom
        dsafe = np.where(dden > 0, dden, 1.0)
        dom = np.where(geo, np.expm1(d_geo / dsafe), d_arith / dsafe)
        dom = np.where(rep, dom, np.nan)
        wd = w_dom[start:stop][None, :, :] * rep  # (rows, b, n_dom)
        oden = wd.sum(axis=2)
        dom0 = np.where(rep, dom, 0.0)
        o_arith = (wd * dom0).sum(axis=2)
        o_geo = (wd * np.log1p(dom0)).sum(axis=2)
        osafe = np.where(oden > 0, oden, 1.0)
        overall = np.where(geometric[start:stop][None, :], np.expm1(o_geo / osafe), o_arith / osafe)
        domain_draws[:, start:stop, :] = dom
        overall_draws[:, start:stop] = np.where(oden > 0, overall, np.nan)
    return domain_draws, overall_draws


def score_intervals(compiled: CompiledFramework, codes: np.ndarray,
                    settings: MonteCarloSettings | None = None) -> ScoreIntervals:
    """90% intervals (by default) of one assessment's domain and overall scores; `codes` is one encoded row."""
    settings = settings or MonteCarloSettings()
    row = np.asarray(codes, dtype=np.int8).reshape(1, -1)
    seed = derive_seed(compiled, row, settings)
    domain_draws, overall_draws = simulate(compiled, row, settings, np.random.default_rng(seed))
    domains: list[Interval | None] = []
    for d in range(domain_draws.shape[2]):
        values = domain_draws[0, :, d]
        if np.isnan(values).any():
            domains.append(None)
        else:
            low, high = _quantiles(values, settings.level)
            domains.append(Interval(round_score(low), round_score(high)))
    overall: Interval | None = None
    if not np.isnan(overall_draws[0]).any():
        low, high = _quantiles(overall_draws[0], settings.level)
        overall = Interval(round_score(low), round_score(high))
    return ScoreIntervals(seed=seed, draws=settings.draws, domains=tuple(domains), overall=overall)


def rank_interval(compiled: CompiledFramework, peer_codes: np.ndarray, city: int,
                  settings: MonteCarloSettings | None = None) -> RankInterval | None:
    """The city's rank and percentile among its peers by overall score, with 90% intervals.

    `peer_codes` holds one encoded row per government of the peer group (callers order them by government
    id so that the seed does not depend on query order); `city` is the city's row. Peers without an overall
    score are left out. Every draw applies the same weights and rule to every peer. Returns None when the
    city has no overall score or no peer does.
    """
    settings = settings or MonteCarloSettings()
    codes = np.asarray(peer_codes, dtype=np.int8)
    seed = derive_seed(compiled, codes, settings, salt=f"rank:{city}".encode())
    _, overall_draws = simulate(compiled, codes, settings, np.random.default_rng(seed))
    present = ~np.isnan(overall_draws[:, 0])
    if not present[city] or present.sum() < 2:
        return None
    nominal = score_batch(compiled, codes).overall_raw
    others = present.copy()
    others[city] = False
    def rank_of(values: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        higher = (values[others] > own).sum(axis=0)
        lower = (values[others] < own).sum(axis=0)
        return 1 + higher, lower * 100.0 / int(others.sum())
    rank, percentile = rank_of(nominal[:, None], np.asarray([nominal[city]]))
    ranks, percentiles = rank_of(overall_draws, overall_draws[city])
    rank_low, rank_high = _quantiles(ranks, settings.level, method="inverted_cdf")
    pct_low, pct_high = _quantiles(percentiles, settings.level, method="inverted_cdf")
    return RankInterval(
        seed=seed, draws=settings.draws, peers=int(present.sum()), rank=int(rank[0]),
        rank_interval=Interval(rank_low, rank_high), percentile=round_score(float(percentile[0])),
        percentile_interval=Interval(round_score(pct_low), round_score(pct_high)),
    )
