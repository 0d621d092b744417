"""Distribution keys: shares per locality from published inputs and weights, integer quotas by largest remainder.

Every key returns a `KeyResult` carrying its inputs per locality, its weights, its formula as readable text, the
shares, the integer quotas and, for eu2015, how many inverse corrections the cap held (`capped`, per input; the app
words it in the reader's language). Formulas (docs/planning.md, "Distribution keys"):

- population:  share_j = pop_j / Σ pop
- koenigstein: share_j = 2/3 · tax_j / Σ tax + 1/3 · pop_j / Σ pop
- eu2015:      base_j = 0.4 · pop_j/Σpop + 0.4 · gdp_j/Σgdp;
               u_j = min(0.1 · inv(unemployment_rate)_j, 0.3 · base_j); e_j = min(0.1 · inv(past_effort)_j, 0.3 · base_j)
               share_j = (base_j + u_j + e_j) / Σ_k (base_k + u_k + e_k)
               where inv(x)_j = (1/x_j) / Σ_k (1/x_k) (x floored at 1e-6 so a zero stays finite; the cap bounds it)
- custom:      share_j = Σ_k w_k · s_kj / Σ_k w_k with s_kj = x_kj/Σx_k, or inv(x_k)_j for inverse inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .instance import Locality

KEY_NAMES = ("population", "koenigstein", "eu2015", "custom")
EU2015_CAP = 0.3  # each inverse correction is capped at 30 % of the locality's population + GDP effect
_FLOOR = 1e-6


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Hare–Niemeyer: floor of each exact quota, then one more unit to the largest remainders (ties by index).

    The result always sums to `total`. Weights need not be normalised; all-zero weights give an even split.
    """
    if total < 0:
        raise ValueError("total must be non-negative")
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        if total:
            raise ValueError("cannot share a positive total among no localities")
        return []
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    s = w.sum()
    exact = total * (w / s) if s > 0 else np.full(w.size, total / w.size)
    base = np.floor(exact + 1e-12).astype(np.int64)
    base = np.minimum(base, total)
    left = total - int(base.sum())
    if left > 0:
        remainder = exact - base
        order = np.lexsort((np.arange(w.size), -remainder))  # largest remainder first, then lowest index
        base[order[:left]] += 1
    elif left < 0:  # only from float noise: take back from the smallest remainders
        remainder = exact - base
        order = np.lexsort((-np.arange(w.size), remainder))
        base[order[: -left]] -= 1
    return [int(x) for x in base]


@dataclass
class KeyResult:
    name: str
    formula: str
    weights: dict[str, float]
    inputs: list[dict[str, float | str]]
    shares: np.ndarray
    quotas: list[int]
    # Per inverse input ("unemployment_rate", "past_effort"), how many localities' corrections the eu2015 cap
    # (EU2015_CAP of the population + GDP base) held; inputs never capped are left out.
    capped: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[dict[str, float | str | int]]:
        """One row per locality: its inputs, share and quota (for tables and exports)."""
        return [{**inp, "share": float(s), "quota": q} for inp, s, q in zip(self.inputs, self.shares, self.quotas, strict=True)]


def _values(localities: Sequence[Locality], name: str) -> np.ndarray:
    out = np.empty(len(localities))
    for j, loc in enumerate(localities):
        if name == "population":
            out[j] = float(loc.population)
        elif name in loc.key_inputs:
            out[j] = float(loc.key_inputs[name])
        else:
            raise ValueError(f"locality {loc.id} ({loc.name}) has no value for key input '{name}'")
        if not np.isfinite(out[j]) or out[j] < 0:
            raise ValueError(f"locality {loc.id} ({loc.name}): key input '{name}' must be a non-negative number")
    return out


def _share(x: np.ndarray) -> np.ndarray:
    s = x.sum()
    return x / s if s > 0 else np.full(x.size, 1.0 / x.size)


def _inverse_share(x: np.ndarray) -> np.ndarray:
    inv = 1.0 / np.maximum(x, _FLOOR)
    share: np.ndarray = inv / inv.sum()
    return share


def _inputs(localities: Sequence[Locality], names: Sequence[str]) -> list[dict[str, float | str]]:
    rows: list[dict[str, float | str]] = []
    for loc in localities:
        row: dict[str, float | str] = {"id": loc.id, "name": loc.name}
        for k in names:
            row[k] = float(loc.population) if k == "population" else float(loc.key_inputs.get(k, float("nan")))
        rows.append(row)
    return rows


def key_compute(name: str, localities: Sequence[Locality], *, total: int,
                custom_weights: Mapping[str, float] | None = None, inverse: Iterable[str] = ()) -> KeyResult:
    """Shares and integer quotas of `total` among `localities` by the named key (see module docstring)."""
    if not localities:
        raise ValueError("a key needs at least one locality")
    capped: dict[str, int] = {}
    if name == "population":
        weights = {"population": 1.0}
        shares = _share(_values(localities, "population"))
        formula = "share = population / Σ population"
    elif name == "koenigstein":
        weights = {"tax_revenue": 2 / 3, "population": 1 / 3}
        shares = 2 / 3 * _share(_values(localities, "tax_revenue")) + 1 / 3 * _share(_values(localities, "population"))
        formula = "share = 2/3 · tax_revenue / Σ tax_revenue + 1/3 · population / Σ population"
    elif name == "eu2015":
        weights = {"population": 0.4, "gdp": 0.4, "unemployment_rate": 0.1, "past_effort": 0.1}
        base = 0.4 * _share(_values(localities, "population")) + 0.4 * _share(_values(localities, "gdp"))
        u_raw = 0.1 * _inverse_share(_values(localities, "unemployment_rate"))
        e_raw = 0.1 * _inverse_share(_values(localities, "past_effort"))
        u = np.minimum(u_raw, EU2015_CAP * base)
        e = np.minimum(e_raw, EU2015_CAP * base)
        for input_name, held in (("unemployment_rate", int(np.sum(u < u_raw))), ("past_effort", int(np.sum(e < e_raw)))):
            if held:
                capped[input_name] = held
        shares = _share(base + u + e)
        formula = ("base = 0.4 · population/Σ + 0.4 · gdp/Σ; u = min(0.1 · (1/unemployment_rate)/Σ(1/·), 0.3 · base); "
                   "e = min(0.1 · (1/past_effort)/Σ(1/·), 0.3 · base); share = (base + u + e) / Σ (base + u + e)")
    elif name == "custom":
        if not custom_weights:
            raise ValueError("a custom key needs weights")
        inv = set(inverse)
        unknown = inv - set(custom_weights)
        if unknown:
            raise ValueError(f"inverse inputs without a weight: {', '.join(sorted(unknown))}")
        weights = {k: float(w) for k, w in custom_weights.items()}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("custom weights must be non-negative and not all zero")
        wsum = sum(weights.values())
        shares = np.zeros(len(localities))
        parts = []
        for k, w in weights.items():
            x = _values(localities, k)
            shares += (w / wsum) * (_inverse_share(x) if k in inv else _share(x))
            parts.append(f"{w / wsum:.4g} · " + (f"(1/{k}) / Σ(1/{k})" if k in inv else f"{k} / Σ {k}"))
        formula = "share = " + " + ".join(parts)
    else:
        raise ValueError(f"unknown key '{name}' (known: {', '.join(KEY_NAMES)})")
    names = list(weights)
    return KeyResult(name=name, formula=formula, weights=weights, inputs=_inputs(localities, names),
                     shares=shares, quotas=largest_remainder(total, list(shares)), capped=capped)


def quotas_multilevel(*, total: int, regions: Sequence[Locality], localities_by_region: Mapping[str, Sequence[Locality]],
                      key: str, custom_weights: Mapping[str, float] | None = None,
                      inverse: Iterable[str] = ()) -> tuple[KeyResult, dict[str, KeyResult]]:
    """National → regional → local in one run: the key shares `total` among regions, then each region's quota
    among its localities with the same key. Every level sums exactly (largest remainder at each level)."""
    inverse = tuple(inverse)
    national = key_compute(key, regions, total=total, custom_weights=custom_weights, inverse=inverse)
    regional: dict[str, KeyResult] = {}
    for region, quota in zip(regions, national.quotas, strict=True):
        locs = localities_by_region.get(region.id, ())
        if not locs:
            raise ValueError(f"region {region.id} ({region.name}) has no localities")
        regional[region.id] = key_compute(key, locs, total=quota, custom_weights=custom_weights, inverse=inverse)
    return national, regional
