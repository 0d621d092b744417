"""The planning instance: localities, cases (families), the published objective weights and the problem.

Plain frozen dataclasses and NumPy arrays; nothing here knows about Django. A case is a family that is never
split; it carries a pseudonymous id only (DESIGN.md rule 1: no names, no legal status, no nationality).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Locality:
    id: str
    name: str
    population: int
    capacities: Mapping[str, float | None] = field(default_factory=dict)  # service -> units; None = "not provided" (no constraint)
    sector_demand: Mapping[str, float] = field(default_factory=dict)  # sector -> declared vacancies/demand
    region: str = ""
    key_inputs: Mapping[str, float] = field(default_factory=dict)  # tax_revenue, gdp, unemployment_rate, past_effort, …


@dataclass(frozen=True)
class Case:
    id: str
    size: int = 1
    needs: Mapping[str, float] = field(default_factory=dict)  # service -> units needed
    skills: Mapping[str, float] = field(default_factory=dict)  # sector -> 0..1
    languages: tuple[str, ...] = ()
    origin: str = ""
    preferences: tuple[str, ...] = ()  # ranked locality ids, best first
    tied_to: str | None = None  # a locality id the case must be placed in (family tie)
    group: str = ""
    category: str = ""


@dataclass(frozen=True)
class Weights:
    """The published objective mix: value = outcome·score + preference·rank reward + demand·(skill × demand)."""

    outcome: float = 1.0
    preference: float = 0.0
    demand: float = 0.0


@dataclass(frozen=True)
class OutcomeRecord:
    """A historical outcome: this case was placed in this locality and the outcome (e.g. employed at 2 years)."""

    case: Case
    locality: Locality
    outcome: float  # 1.0 = success, 0.0 = not (fractions allowed as soft labels)


@dataclass
class PlanningProblem:
    cases: Sequence[Case]
    localities: Sequence[Locality]
    scores: np.ndarray | None = None  # float32 n × m predicted outcome in [0, 1]
    weights: Weights = field(default_factory=Weights)
    key_shares: np.ndarray | None = None  # per locality, sums to 1
    band: float | None = None  # placed persons within ±band × key quota
    unplaced_penalty: float = 1.0
    fairness_floors: Mapping[str, float] = field(default_factory=dict)  # group -> minimum mean predicted outcome

    # -- derived arrays, computed once and cached (the problem is treated as read-only once solved) --
    def __post_init__(self) -> None:
        self._cache: dict[str, object] = {}

    @property
    def n(self) -> int:
        return len(self.cases)

    @property
    def m(self) -> int:
        return len(self.localities)

    def locality_index(self) -> dict[str, int]:
        if "loc_index" not in self._cache:
            self._cache["loc_index"] = {loc.id: j for j, loc in enumerate(self.localities)}
        return self._cache["loc_index"]  # type: ignore[return-value]

    def services(self) -> list[str]:
        """Services with a declared (not None) capacity in at least one locality: the constrained ones."""
        if "services" not in self._cache:
            names: dict[str, None] = {}
            for loc in self.localities:
                for s, c in loc.capacities.items():
                    if c is not None:
                        names[s] = None
            self._cache["services"] = list(names)
        return self._cache["services"]  # type: ignore[return-value]

    def capacity_matrix(self) -> np.ndarray:
        """m × S capacities, +inf where not provided."""
        if "cap" not in self._cache:
            services = self.services()
            cap = np.full((self.m, len(services)), np.inf)
            for j, loc in enumerate(self.localities):
                for k, s in enumerate(services):
                    c = loc.capacities.get(s)
                    if c is not None:
                        cap[j, k] = float(c)
            self._cache["cap"] = cap
        return self._cache["cap"]  # type: ignore[return-value]

    def need_matrix(self) -> np.ndarray:
        """n × S needs for the constrained services (float64)."""
        if "need" not in self._cache:
            services = self.services()
            need = np.zeros((self.n, len(services)))
            for k, s in enumerate(services):
                need[:, k] = [float(c.needs.get(s, 0.0)) for c in self.cases]
            self._cache["need"] = need
        return self._cache["need"]  # type: ignore[return-value]

    def sizes(self) -> np.ndarray:
        if "sizes" not in self._cache:
            self._cache["sizes"] = np.fromiter((c.size for c in self.cases), dtype=np.float64, count=self.n)
        return self._cache["sizes"]  # type: ignore[return-value]

    def ties(self) -> np.ndarray:
        """Per case the index of the locality it is tied to, or -1."""
        if "ties" not in self._cache:
            index = self.locality_index()
            ties = np.full(self.n, -1, dtype=np.int32)
            for i, c in enumerate(self.cases):
                if c.tied_to is not None:
                    if c.tied_to not in index:
                        raise ValueError(f"case {c.id} is tied to unknown locality {c.tied_to}")
                    ties[i] = index[c.tied_to]
            self._cache["ties"] = ties
        return self._cache["ties"]  # type: ignore[return-value]

    def groups(self) -> tuple[list[str], np.ndarray]:
        """Group names with a fairness floor and per case the index into them (-1 = none)."""
        if "groups" not in self._cache:
            names = sorted(self.fairness_floors)
            pos = {g: k for k, g in enumerate(names)}
            gidx = np.fromiter((pos.get(c.group, -1) for c in self.cases), dtype=np.int32, count=self.n)
            self._cache["groups"] = (names, gidx)
        return self._cache["groups"]  # type: ignore[return-value]

    def quotas(self) -> np.ndarray | None:
        """Integer person quotas from the key shares (largest remainder over all persons), or None."""
        if self.key_shares is None:
            return None
        if "quotas" not in self._cache:
            from .keys import largest_remainder

            total = int(self.sizes().sum())
            self._cache["quotas"] = np.asarray(largest_remainder(total, list(self.key_shares)), dtype=np.float64)
        return self._cache["quotas"]  # type: ignore[return-value]

    def band_limits(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per locality (lower, upper) persons allowed by the band around the key quota, or None."""
        q = self.quotas()
        if q is None or self.band is None:
            return None
        lower = np.floor(q * (1.0 - self.band) + 1e-9)  # rounded outwards, so the quota itself is always inside
        upper = np.ceil(q * (1.0 + self.band) - 1e-9)
        return np.maximum(lower, 0.0), upper
