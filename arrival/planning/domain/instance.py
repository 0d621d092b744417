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
    capacities: Mapping[str, float | None] = field(default_factory=dict)  # service -> units; None = no limit, 0 = not provided
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
class Derived:
    """Arrays derived from a problem, each computed once (the problem is treated as read-only once solved)."""

    locality_index: dict[str, int] | None = None
    services: list[str] | None = None
    capacity_matrix: np.ndarray | None = None
    need_matrix: np.ndarray | None = None
    sizes: np.ndarray | None = None
    ties: np.ndarray | None = None
    groups: tuple[list[str], np.ndarray] | None = None
    quotas: np.ndarray | None = None
    # the objective matrix, with the weights it was made with
    objective: tuple[tuple[float, float, float], np.ndarray] | None = None


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

    def __post_init__(self) -> None:
        self.derived = Derived()

    @property
    def n(self) -> int:
        return len(self.cases)

    @property
    def m(self) -> int:
        return len(self.localities)

    def locality_index(self) -> dict[str, int]:
        if self.derived.locality_index is None:
            self.derived.locality_index = {loc.id: j for j, loc in enumerate(self.localities)}
        return self.derived.locality_index

    def services(self) -> list[str]:
        """Services with a declared (not None) capacity in at least one locality: the constrained ones."""
        if self.derived.services is None:
            names: dict[str, None] = {}
            for loc in self.localities:
                for s, c in loc.capacities.items():
                    if c is not None:
                        names[s] = None
            self.derived.services = list(names)
        return self.derived.services

    def capacity_matrix(self) -> np.ndarray:
        """m × S capacities, +inf where there is no limit."""
        if self.derived.capacity_matrix is None:
            services = self.services()
            cap = np.full((self.m, len(services)), np.inf)
            for j, loc in enumerate(self.localities):
                for k, s in enumerate(services):
                    c = loc.capacities.get(s)
                    if c is not None:
                        cap[j, k] = float(c)
            self.derived.capacity_matrix = cap
        return self.derived.capacity_matrix

    def need_matrix(self) -> np.ndarray:
        """n × S needs for the constrained services (float64)."""
        if self.derived.need_matrix is None:
            services = self.services()
            need = np.zeros((self.n, len(services)))
            for k, s in enumerate(services):
                need[:, k] = [float(c.needs.get(s, 0.0)) for c in self.cases]
            self.derived.need_matrix = need
        return self.derived.need_matrix

    def sizes(self) -> np.ndarray:
        if self.derived.sizes is None:
            self.derived.sizes = np.fromiter((c.size for c in self.cases), dtype=np.float64, count=self.n)
        return self.derived.sizes

    def ties(self) -> np.ndarray:
        """Per case the index of the locality it is tied to, or -1."""
        if self.derived.ties is None:
            index = self.locality_index()
            ties = np.full(self.n, -1, dtype=np.int32)
            for i, c in enumerate(self.cases):
                if c.tied_to is not None:
                    if c.tied_to not in index:
                        raise ValueError(f"case {c.id} is tied to unknown locality {c.tied_to}")
                    ties[i] = index[c.tied_to]
            self.derived.ties = ties
        return self.derived.ties

    def groups(self) -> tuple[list[str], np.ndarray]:
        """Group names with a fairness floor and per case the index into them (-1 = none)."""
        if self.derived.groups is None:
            names = sorted(self.fairness_floors)
            pos = {g: k for k, g in enumerate(names)}
            gidx = np.fromiter((pos.get(c.group, -1) for c in self.cases), dtype=np.int32, count=self.n)
            self.derived.groups = (names, gidx)
        return self.derived.groups

    def quotas(self) -> np.ndarray | None:
        """Integer person quotas from the key shares (largest remainder over all persons), or None."""
        if self.key_shares is None:
            return None
        if self.derived.quotas is None:
            from .keys import largest_remainder

            total = int(self.sizes().sum())
            self.derived.quotas = np.asarray(largest_remainder(total, list(self.key_shares)), dtype=np.float64)
        return self.derived.quotas

    def band_limits(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Per locality (lower, upper) persons allowed by the band around the key quota, or None."""
        q = self.quotas()
        if q is None or self.band is None:
            return None
        lower = np.floor(q * (1.0 - self.band) + 1e-9)  # rounded outwards, so the quota itself is always inside
        upper = np.ceil(q * (1.0 + self.band) - 1e-9)
        return np.maximum(lower, 0.0), upper
