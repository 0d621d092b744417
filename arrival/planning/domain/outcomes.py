"""Predicted outcomes per case × locality (e.g. "employed two years after arrival"), as probabilities in [0, 1].

- `scores_synthetic`: a seeded generator with a realistic structure, for demo content, tests and the bench:
  logit = −1.2 + 2.2 · demand match + 0.8 · language match + locality effect + case effect + pair noise, where the
  demand match is the case's skills weighted by the locality's relative sector demand, the language match is
  whether the locality has a community speaking one of the case's languages, the locality effect is a labour
  market drawn once per locality (sd 0.5) and the case effect is drawn once per case (sd 0.6).
- `OutcomeModel`: a regularised (L2) logistic regression fitted by Newton's method (IRLS) in plain NumPy on
  historical outcome records, with a handful of named, published features and their coefficients.
- `instance_synthetic`: whole synthetic instances (cases and localities) for the bench, tests and demo.

Language communities of a locality are read from its `key_inputs` entries named `language:<code>` (share of
residents, 0..1); the synthetic generator draws them when absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .instance import Case, Locality, OutcomeRecord

SECTORS = ("care", "construction", "hospitality", "logistics", "manufacturing", "retail", "it", "agriculture")
LANGUAGES = ("ar", "fa", "ps", "ti", "so", "uk", "ru", "fr", "en", "es", "ku", "tr")
SERVICES = ("housing", "school", "language_course", "childcare", "health")
CHUNK = 4096


def _sectors(cases: Sequence[Case], localities: Sequence[Locality]) -> list[str]:
    names: dict[str, None] = {}
    for c in cases:
        names.update(dict.fromkeys(c.skills))
    for loc in localities:
        names.update(dict.fromkeys(loc.sector_demand))
    return list(names)


def skill_matrix(cases: Sequence[Case], sectors: Sequence[str]) -> np.ndarray:
    out = np.zeros((len(cases), len(sectors)), dtype=np.float32)
    pos = {s: k for k, s in enumerate(sectors)}
    for i, c in enumerate(cases):
        for s, v in c.skills.items():
            out[i, pos[s]] = v
    return out


def relative_demand(localities: Sequence[Locality], sectors: Sequence[str],
                    top: Mapping[str, float] | None = None) -> np.ndarray:
    """m × K: each sector's demand divided by its largest demand among the localities (or by `top`), 0..1."""
    d = np.zeros((len(localities), len(sectors)), dtype=np.float32)
    pos = {s: k for k, s in enumerate(sectors)}
    for j, loc in enumerate(localities):
        for s, v in loc.sector_demand.items():
            if s in pos:
                d[j, pos[s]] = max(float(v), 0.0)
    mx = d.max(axis=0) if top is None else np.array([top.get(s, 0.0) for s in sectors], dtype=np.float32)
    return np.minimum(d / np.where(mx > 0, mx, 1.0), 1.0)


def demand_top(localities: Sequence[Locality]) -> dict[str, float]:
    out: dict[str, float] = {}
    for loc in localities:
        for s, v in loc.sector_demand.items():
            out[s] = max(out.get(s, 0.0), float(v))
    return out


def demand_match(cases: Sequence[Case], localities: Sequence[Locality],
                 top: Mapping[str, float] | None = None) -> np.ndarray:
    """n × m float32: Σ_s skill_is · reldemand_js / max(1, Σ_s skill_is) — in [0, 1]."""
    sectors = _sectors(cases, localities)
    if not sectors:
        return np.zeros((len(cases), len(localities)), dtype=np.float32)
    skills = skill_matrix(cases, sectors)
    skills /= np.maximum(skills.sum(axis=1, keepdims=True), 1.0)
    match: np.ndarray = skills @ relative_demand(localities, sectors, top).T
    return match


def _languages(cases: Sequence[Case], localities: Sequence[Locality]) -> list[str]:
    names: dict[str, None] = {}
    for c in cases:
        names.update(dict.fromkeys(c.languages))
    return list(names)


def language_match(cases: Sequence[Case], localities: Sequence[Locality],
                   communities: np.ndarray | None = None) -> np.ndarray:
    """n × m float32: the largest community share (0..1) in the locality among the case's languages."""
    langs = _languages(cases, localities)
    n, m = len(cases), len(localities)
    if not langs:
        return np.zeros((n, m), dtype=np.float32)
    if communities is None:
        communities = np.array([[float(loc.key_inputs.get(f"language:{lang}", 0.0)) for lang in langs]
                                for loc in localities], dtype=np.float32).reshape(m, len(langs))
    pos = {lang: k for k, lang in enumerate(langs)}
    out = np.zeros((n, m), dtype=np.float32)
    for i, c in enumerate(cases):
        if c.languages:
            out[i] = communities[:, [pos[lang] for lang in c.languages]].max(axis=1)
    return out


def scores_synthetic(cases: Sequence[Case], localities: Sequence[Locality], *, seed: int) -> np.ndarray:
    """n × m float32 predicted outcome in (0, 1) with the structure in the module docstring; same seed, same scores."""
    rng = np.random.default_rng(seed)
    n, m = len(cases), len(localities)
    loc_effect = rng.normal(0.0, 0.5, m).astype(np.float32)
    case_effect = rng.normal(0.0, 0.6, n).astype(np.float32)
    langs = _languages(cases, localities)
    has_lang = any(k.startswith("language:") for loc in localities for k in loc.key_inputs)
    communities = None
    if langs and not has_lang:
        communities = (rng.random((m, len(langs))) < 0.25).astype(np.float32) * rng.uniform(0.2, 1.0, (m, len(langs))).astype(np.float32)
    sectors = _sectors(cases, localities)
    skills = skill_matrix(cases, sectors) if sectors else None
    if skills is not None:
        skills /= np.maximum(skills.sum(axis=1, keepdims=True), 1.0)
        reldem = relative_demand(localities, sectors)
    out = np.empty((n, m), dtype=np.float32)
    lang_all = language_match(cases, localities, communities) if langs and n * m <= 4_000_000 else None
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        block = out[start:stop]
        block[:] = rng.normal(0.0, 0.35, (stop - start, m)).astype(np.float32)
        block += loc_effect[None, :]
        block += case_effect[start:stop, None] - 1.2
        if skills is not None:
            block += 2.2 * (skills[start:stop] @ reldem.T)
        if langs:
            lm = lang_all[start:stop] if lang_all is not None else language_match(cases[start:stop], localities, communities)
            block += 0.8 * lm
        np.negative(block, out=block)
        np.exp(block, out=block)
        block += 1.0
        np.reciprocal(block, out=block)
    return out


# ----------------------------------------------------------------------------------------------------------------
# A transparent default model: L2-regularised logistic regression, Newton / IRLS in NumPy.

FEATURES = ("intercept", "demand_match", "language_match", "family_size", "log_population", "first_preference")


def _features(cases: Sequence[Case], localities: Sequence[Locality], top: Mapping[str, float]) -> np.ndarray:
    """n × m × F float32 design tensor (only for training-sized inputs; prediction is chunked)."""
    n, m = len(cases), len(localities)
    x = np.empty((n, m, len(FEATURES)), dtype=np.float32)
    x[..., 0] = 1.0
    x[..., 1] = demand_match(cases, localities, top)
    x[..., 2] = language_match(cases, localities)
    x[..., 3] = np.array([c.size for c in cases], dtype=np.float32)[:, None]
    x[..., 4] = np.log1p(np.array([max(loc.population, 0) for loc in localities], dtype=np.float32))[None, :]
    ids = [loc.id for loc in localities]
    first = np.zeros((n, m), dtype=np.float32)
    pos = {lid: j for j, lid in enumerate(ids)}
    for i, c in enumerate(cases):
        if c.preferences and c.preferences[0] in pos:
            first[i, pos[c.preferences[0]]] = 1.0
    x[..., 5] = first
    return x


@dataclass
class OutcomeModel:
    """P(outcome) = σ(Σ_k β_k · feature_k) with the features named in FEATURES; β published as `coefficients`."""

    beta: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    l2: float
    iterations: int
    demand_top: dict[str, float]  # per sector, the largest demand in the training data (normalises demand)

    @property
    def coefficients(self) -> dict[str, float]:
        """Coefficients on the original (unstandardised) feature scale, intercept included."""
        b = self.beta[1:] / self.scale[1:]
        intercept = self.beta[0] - float(np.sum(b * self.mean[1:]))
        return {"intercept": float(intercept), **{f: float(v) for f, v in zip(FEATURES[1:], b, strict=True)}}

    @classmethod
    def fit(cls, records: Sequence[OutcomeRecord], *, l2: float = 1.0, max_iter: int = 50) -> OutcomeModel:
        if not records:
            raise ValueError("no outcome records to train on")
        top = demand_top(list({r.locality.id: r.locality for r in records}.values()))
        rows = np.stack([_features([r.case], [r.locality], top)[0, 0] for r in records]).astype(np.float64)
        y = np.array([float(r.outcome) for r in records])
        if np.any((y < 0) | (y > 1)):
            raise ValueError("outcomes must lie in [0, 1]")
        mean = rows.mean(axis=0)
        scale = rows.std(axis=0)
        mean[0], scale[0] = 0.0, 1.0
        scale[scale == 0] = 1.0
        x = (rows - mean) / scale
        f = x.shape[1]
        penalty = np.full(f, l2)
        penalty[0] = 0.0  # the intercept is not shrunk
        beta = np.zeros(f)
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
            p = 1.0 / (1.0 + np.exp(-(x @ beta)))
            grad = x.T @ (p - y) + penalty * beta
            w = p * (1 - p)
            hess = (x * w[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(f)
            step = np.linalg.solve(hess, grad)
            beta -= step
            if np.max(np.abs(step)) < 1e-8:
                break
        return cls(beta=beta, mean=mean, scale=scale, l2=l2, iterations=it, demand_top=top)

    def predict(self, cases: Sequence[Case], localities: Sequence[Locality]) -> np.ndarray:
        out = np.empty((len(cases), len(localities)), dtype=np.float32)
        b = (self.beta / self.scale).astype(np.float32)
        b0 = np.float32(self.beta[0] - float(np.sum((self.beta / self.scale)[1:] * self.mean[1:])))
        for start in range(0, len(cases), 512):
            x = _features(cases[start:start + 512], localities, self.demand_top)
            z = x[..., 1:] @ b[1:] + b0
            out[start:start + 512] = 1.0 / (1.0 + np.exp(-z))
        return out


# ----------------------------------------------------------------------------------------------------------------
# Whole synthetic instances.


def instance_synthetic(n_cases: int, n_localities: int, *, seed: int, services: Sequence[str] = ("housing",),
                       family_sizes: bool = False, capacity_ratio: float = 1.05, preferences: bool = True,
                       groups: Sequence[str] = ("a", "b")) -> tuple[list[Case], list[Locality]]:
    """Synthetic localities (log-normal populations, sector demand, key inputs) and cases (families with needs).

    Capacities are set so the total of each service is `capacity_ratio` times the total need, shared in
    proportion to population with upward noise (factor ≥ 0.9) — so some localities bind, others do not, and a
    population key with a band of ±20 % or more stays feasible.
    """
    rng = np.random.default_rng(seed)
    pop = np.maximum(rng.lognormal(10.5, 1.1, n_localities).astype(np.int64), 500)
    localities_raw = []
    for j in range(n_localities):
        demand = {s: float(round(rng.gamma(1.5, 20) * pop[j] / 50_000, 1)) for s in SECTORS if rng.random() < 0.7}
        key_inputs = {"tax_revenue": float(pop[j] * rng.lognormal(0, 0.3)), "gdp": float(pop[j] * rng.lognormal(0, 0.25)),
                      "unemployment_rate": float(rng.uniform(0.03, 0.15)), "past_effort": float(rng.uniform(0.5, 8.0))}
        localities_raw.append((f"L{j:04d}", demand, key_inputs))
    sizes = rng.choice([1, 2, 3, 4, 5, 6], size=n_cases, p=[0.35, 0.2, 0.17, 0.15, 0.08, 0.05]) if family_sizes \
        else np.ones(n_cases, dtype=np.int64)
    ids = [r[0] for r in localities_raw]
    cases: list[Case] = []
    need_total = dict.fromkeys(services, 0.0)
    for i in range(n_cases):
        size = int(sizes[i])
        children = max(0, size - 2) if size > 2 else int(rng.random() < 0.2 and size == 2)
        needs: dict[str, float] = {}
        for s in services:
            if s == "housing":
                needs[s] = 1.0
            elif s == "school":
                needs[s] = float(children)
            elif s == "childcare":
                needs[s] = float(rng.random() < 0.4) if children else 0.0
            elif s == "language_course":
                needs[s] = float(min(size, 2))
            else:
                needs[s] = float(rng.random() < 0.15)
            need_total[s] += needs[s]
        skills = {s: float(round(rng.uniform(0.3, 1.0), 2)) for s in rng.choice(SECTORS, size=rng.integers(1, 3), replace=False)}
        langs = tuple(str(x) for x in rng.choice(LANGUAGES, size=rng.integers(1, 3), replace=False))
        prefs = tuple(ids[k] for k in rng.choice(n_localities, size=min(3, n_localities), replace=False)) \
            if preferences and rng.random() < 0.5 else ()
        cases.append(Case(id=f"C{i:06d}", size=size, needs=needs, skills=skills, languages=langs, preferences=prefs,
                          group=str(groups[i % len(groups)]) if groups else ""))
    share = pop / pop.sum()
    capacities: list[dict[str, float | None]] = []
    for j in range(len(localities_raw)):
        caps: dict[str, float | None] = {}
        for s in services:
            noisy = share[j] * max(rng.lognormal(0, 0.3), 0.9)
            caps[s] = float(np.ceil(need_total[s] * capacity_ratio * noisy))
        capacities.append(caps)
    # renormalise the noisy capacities so each service's total is capacity_ratio × total need
    for s in services:
        tot = sum(caps[s] or 0.0 for caps in capacities)
        target = need_total[s] * capacity_ratio
        if tot > 0:
            factor = target / tot
            for caps in capacities:
                caps[s] = float(np.ceil((caps[s] or 0.0) * factor))
    localities = [Locality(id=lid, name=f"Locality {j}", population=int(pop[j]), capacities=caps,
                           sector_demand=demand, key_inputs=key_inputs)
                  for j, ((lid, demand, key_inputs), caps) in enumerate(zip(localities_raw, capacities, strict=True))]
    return cases, localities


def capacities_around_quotas(cases: Sequence[Case], localities: Sequence[Locality], quotas: np.ndarray, *,
                             seed: int, slack: tuple[float, float] = (0.95, 1.35)) -> list[Locality]:
    """Localities whose declared capacities sit around their key quota, the way a real round is prepared.

    For each service s the average need per person ν_s = Σ_i need_is / Σ_i size_i; locality j declares
    cap_js = ⌈ν_s · q_j · u_js⌉ with u_js drawn uniformly from `slack` (seeded). With the default (0.95, 1.35) every
    locality can take 95 % of its quota with an average family mix — more than a band's lower limit ⌊0.8 q_j⌋ at
    ±20 % needs — and the totals are about 1.15 × the total need, so the band and the capacities are compatible.
    Services a locality does not declare (None) stay undeclared.
    """
    from dataclasses import replace

    rng = np.random.default_rng(seed)
    persons = float(sum(c.size for c in cases)) or 1.0
    q = np.asarray(quotas, dtype=np.float64)
    out: list[Locality] = []
    names = list(dict.fromkeys(s for loc in localities for s, c in loc.capacities.items() if c is not None))
    per_person = {s: sum(float(c.needs.get(s, 0.0)) for c in cases) / persons for s in names}
    for j, loc in enumerate(localities):
        caps: dict[str, float | None] = dict(loc.capacities)
        for s in names:
            if caps.get(s) is not None:
                caps[s] = float(np.ceil(per_person[s] * q[j] * rng.uniform(*slack)))
        out.append(replace(loc, capacities=caps))
    return out

