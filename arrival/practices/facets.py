"""Facet values of every practice past the draft stage, held in process memory as NumPy arrays.

Search filters by facets and counts them here instead of in SQL (docs/search.md, "Facets"): a search
hands over the practices it matched as an array of rows and gets the nine facet counts back from one
`np.bincount` per facet, in about a millisecond, however broad the query.

    index = facet_index()                      # fresh: rebuilt from the database when practices changed
    allowed = index.allowed(facets={"region": ["Africa"]}, stages=["published"])    # a boolean row mask
    rows = index.rows_of(practice_ids)         # the row of each id, -1 for ids not in the index
    index.counts(mask, stages)                 # {facet: [(value, label, count)]}, as `facet_counts` gives

Each facet is a small matrix of value codes, one row per practice and one column per distinct value it
carries (a practice with two governments in Belgium counts once for Belgium), so a count over any set of
rows is `np.bincount(matrix[rows].ravel())`: its cost follows the number of matches, not of practices.
Values and their meaning are those of the SQL reference `arrival.practices.search.facet_counts` /
`_apply_facets`; tests/practices/test_facets.py holds them equal.

Freshness works as the vector matrix's (`arrival.core.embeddings.vector_matrix`): every search reads
the latest `updated_at` of the practices past draft (one index lookup); every practices service saves
the practice it changes, tags included, so a submitted, published, unpublished or edited practice is
seen by the next search in every process. The rest of the fingerprint — how many practices are past
draft, how many government links they have, the latest change to one of their governments (population,
country) — is read at most every ARRIVAL_FACETS_RECOUNT_SECONDS (30): it catches what changes outside the
practices services (a deletion in the admin, a government's population). `facet_index_forget()` drops
the arrays of this process at once (the `practice_changed` hook calls it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Max
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language

from arrival.actors.models import Actor
from arrival.assessments.selectors import POPULATION_BANDS
from arrival.core.languages import UN_LANGUAGES, base_language, country_name, language_name, region_name
from arrival.core.translations import localized
from arrival.frameworks.models import FrameworkKind, Tag
from arrival.practices.models import Practice, PracticeStatus, ReviewStage

RECOUNT_SECONDS = 30.0
# The facets in the order search shows them; how each lists its values: "fixed" keeps the vocabulary's
# order (objectives by position, bands, stages), "count" is most frequent first, "year" newest first.
ORDER = {"objective": "fixed", "theme": "count", "region": "count", "country": "count", "population": "fixed",
         "status": "fixed", "stage": "fixed", "language": "count", "year": "year"}
BANDS = {str(position): band for position, band in enumerate(POPULATION_BANDS, start=1)}
MISSING = -1


@dataclass
class Facet:
    """One facet: its vocabulary and, row by row, the codes of the values each practice carries.

    `matrix` has one row per practice and as many columns as the most values any practice carries; the
    unused cells hold the code `len(values)`, which counting drops. A practice counts once per value.
    """

    name: str
    values: list[str]  # code → value as the URL carries it
    labels: list[Any]  # code → label (lazy translations stay lazy until listed)
    matrix: np.ndarray  # (practices, widest) int16 or int32
    code_of: dict[str, int] = field(default_factory=dict)
    _labels: dict[str | None, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.code_of = {value: code for code, value in enumerate(self.values)}

    def count(self, rows: np.ndarray) -> np.ndarray:
        """How many of `rows` carry each value (an array indexed by code)."""
        if not self.matrix.shape[1]:
            return np.zeros(len(self.values), dtype=np.int64)
        return np.bincount(self.matrix[rows].ravel(), minlength=len(self.values) + 1)[: len(self.values)]

    def matching(self, values: list[str]) -> np.ndarray:
        """A row mask of the practices carrying any of `values` (unknown values match nothing)."""
        wanted = [self.code_of[value] for value in values if value in self.code_of]
        if not wanted or not self.matrix.shape[1]:
            return np.zeros(self.matrix.shape[0], dtype=bool)
        return np.asarray(np.isin(self.matrix, wanted).any(axis=1))  # (numpy types a reduction as scalar or array)

    def listing(self, counts: np.ndarray) -> list[tuple[str, str, int]]:
        labels = self._labels.get(get_language())
        if labels is None:  # labels as text in the current language, once per index and language
            labels = self._labels[get_language()] = [_label(self.name, value, label)
                                                    for value, label in zip(self.values, self.labels, strict=True)]
        present = [(self.values[code], labels[code], int(counts[code])) for code in np.flatnonzero(counts).tolist()]
        order = ORDER[self.name]
        if order == "count":
            present.sort(key=lambda row: (-row[2], str(row[1])))
        elif order == "year":
            present.sort(key=lambda row: -int(row[0]))
        return present


def _label(name: str, value: str, label: Any) -> str:
    if name == "language":
        return language_name(value)
    if name == "region":
        return region_name(value)
    return str(label)  # ItemLabel and _CountryLabel give their text in the active language


@dataclass(frozen=True)
class ItemLabel:
    """A framework item's facet label, "3. Its title", in the language active when it is turned into text."""

    code: str
    label: str
    translations: Any
    language: str = "en"  # the frameworks' data files are written in English

    def __str__(self) -> str:
        return f"{self.code}. {localized(self, 'label').text}"


@dataclass(frozen=True)
class _CountryLabel:
    code: str
    name: str

    def __str__(self) -> str:
        return country_name(self.code, self.name)


@dataclass
class FacetIndex:
    fingerprint: tuple[Any, ...]
    checked_at: float  # when the slow part of the fingerprint was last confirmed
    ids: np.ndarray  # int64, ascending: the practice of each row
    stages: np.ndarray  # int8 code into STAGES
    newest_first: np.ndarray  # rows by publication time, newest first, then by id descending
    facets: dict[str, Facet]
    # Per UN language: the rows written in it or translated into it (browsing puts them first for its readers).
    readable: dict[str, np.ndarray] = field(default_factory=dict)
    # Themes are the teams' own words, in their practices' languages: each theme's language when every practice
    # carrying it is written in the same one, "" when they differ (pages mark the option with it, or dir="auto").
    theme_languages: dict[str, str] = field(default_factory=dict)
    _totals: dict[tuple[str, ...], dict[str, np.ndarray]] = field(default_factory=dict)  # counts of whole stages
    _stage_masks: dict[tuple[str, ...], tuple[np.ndarray, int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def reader_first(self, rows: np.ndarray, language: str) -> np.ndarray:
        """`rows` (in browse order) with those readable in `language` first, each part keeping its order: an
        English reader's first page of practices is not all Arabic."""
        readable = self.readable.get(language)
        if readable is None or not rows.size:
            return rows
        mine = readable[rows]
        return np.concatenate((rows[mine], rows[~mine]))

    def stage_mask(self, stages: list[str]) -> np.ndarray:
        """Rows in one of `stages` (computed once per index and set of stages; do not modify it)."""
        key = tuple(sorted(stages))
        if key not in self._stage_masks:
            codes = [STAGES.index(stage) for stage in stages if stage in STAGES]
            mask = np.isin(self.stages, codes)
            mask.flags.writeable = False
            self._stage_masks[key] = (mask, int(np.count_nonzero(mask)))
        return self._stage_masks[key][0]

    def _stage_count(self, stages: list[str]) -> int:
        self.stage_mask(stages)
        return self._stage_masks[tuple(sorted(stages))][1]

    def allowed(self, *, facets: dict[str, list[str]], stages: list[str]) -> np.ndarray:
        """Rows in one of `stages` carrying, for every facet given, any of its values."""
        mask = self.stage_mask(stages).copy()
        for name, values in facets.items():
            if name in self.facets and values:
                mask &= self.facets[name].matching(_normalised(name, values))
        return mask

    def rows_of(self, ids: Any) -> np.ndarray:
        """The row of each of `ids`, in the order given; -1 for an id not in the index."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.size == 0 or self.size == 0:
            return np.full(ids.size, -1, dtype=np.int64)
        rows = np.searchsorted(self.ids, ids)
        rows[rows == self.size] = 0
        rows[self.ids[rows] != ids] = -1
        return rows

    @staticmethod
    def kept(rows: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """For rows from `rows_of` (-1 for unknown ids): which are known and allowed by the row mask `allowed`."""
        keep = rows >= 0
        keep[keep] = allowed[rows[keep]]
        return keep

    def mask_of(self, rows: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[rows] = True
        return mask

    def counts(self, mask: np.ndarray, stages: list[str] | None = None) -> dict[str, list[tuple[str, str, int]]]:
        """How many of the rows in `mask` carry each value of each facet.

        When `mask` lies within `stages` and holds more than half of their rows, the rows of those stages
        that are *not* in it are counted and taken from the stages' totals (computed once per index):
        browsing everything published costs as little as a narrow search.
        """
        if stages is not None and 2 * np.count_nonzero(mask) > self._stage_count(stages):
            within = self.stage_mask(stages)
            rest = within & ~mask
            if not (mask & ~within).any():
                key = tuple(sorted(stages))
                if key not in self._totals:
                    self._totals[key] = {name: facet.count(np.flatnonzero(within)) for name, facet in self.facets.items()}
                rows = np.flatnonzero(rest)
                return {name: facet.listing(self._totals[key][name] - facet.count(rows))
                        for name, facet in self.facets.items()}
        rows = np.flatnonzero(mask)
        return {name: facet.listing(facet.count(rows)) for name, facet in self.facets.items()}


STAGES = [stage for stage, _label in ReviewStage.choices]


def _normalised(name: str, values: list[str]) -> list[str]:
    if name == "country":
        return [value.upper() for value in values]
    if name == "year":
        return [str(int(value)) for value in values if value.isdigit()]
    return values


# --- building ------------------------------------------------------------------------------------------


def _past_draft() -> Any:
    return Practice.objects.exclude(stage=ReviewStage.DRAFT)


def _facet(name: str, size: int, rows: list[int], values_given: list[Any], vocabulary: list[tuple[str, Any]],
           extend: bool = True) -> Facet:
    """A facet from parallel lists of rows and values; values outside `vocabulary` are added (after it)
    when `extend`, left out otherwise. Empty values are left out."""
    values = [value for value, _label in vocabulary]
    labels = [label for _value, label in vocabulary]
    code_of = {value: code for code, value in enumerate(values)}
    if extend:
        for value in dict.fromkeys(values_given):
            if value is not None and value != "" and value not in code_of:
                code_of[value] = len(values)
                values.append(value)
                labels.append(value)
    blank = len(values)
    codes = np.fromiter((code_of.get(value, blank) for value in values_given), dtype=np.int64, count=len(values_given))
    row_array = np.asarray(rows, dtype=np.int64)
    kept = codes != blank
    row_array, codes = row_array[kept], codes[kept]
    dtype = np.int16 if blank < np.iinfo(np.int16).max else np.int32
    if not row_array.size:
        return Facet(name=name, values=values, labels=labels, matrix=np.zeros((size, 0), dtype=dtype))
    # One pair per (practice, value), sorted by row; each value goes to the next free column of its row.
    keys = np.sort(row_array * (blank + 1) + codes)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    row_array, codes = keys // (blank + 1), keys % (blank + 1)
    per_row = np.bincount(row_array, minlength=size)
    first = np.concatenate(([0], np.cumsum(per_row)[:-1]))
    column = np.arange(row_array.size) - first[row_array]
    matrix = np.full((size, int(per_row.max())), blank, dtype=dtype)
    matrix[row_array, column] = codes
    return Facet(name=name, values=values, labels=labels, matrix=matrix)


def theme_rows_sql() -> str:
    """FROM clause pairing each practice (p) with each of its themes (t.value, from a JSON list), per engine."""
    if connection.vendor == "postgresql":
        return "practices_practice p CROSS JOIN LATERAL jsonb_array_elements_text(p.themes) AS t(value)"
    return "practices_practice p, json_each(p.themes) t"


def _bands(populations: list[int | None]) -> list[str | None]:
    """The population band (its position, "1" to "5") of each population; None when unknown or outside all."""
    known = np.asarray([-1 if population is None else population for population in populations], dtype=np.int64)
    codes = np.zeros(known.size, dtype=np.int64)  # 0: no band
    for position, (lower, upper, _label) in enumerate(BANDS.values(), start=1):
        inside = (known >= lower) & (known >= 0) & ((known < upper) if upper is not None else True)
        codes[inside & (codes == 0)] = position
    return [str(code) if code else None for code in codes.tolist()]


def _build(fingerprint: tuple[Any, ...]) -> FacetIndex:
    practices = _past_draft().order_by("pk").annotate(year=ExtractYear("started"))
    ids_list, stage_list, status_list, language_list, year_list = (
        list(column) for column in zip(*practices.values_list("pk", "stage", "status", "language", "year"), strict=True)
    ) if practices.exists() else ([], [], [], [], [])
    size = len(ids_list)
    ids = np.asarray(ids_list, dtype=np.int64)
    everyone = list(range(size))
    row_of = dict(zip(ids_list, everyone, strict=True))
    code_of_stage = {stage: code for code, stage in enumerate(STAGES)}
    stages = np.fromiter((code_of_stage.get(stage, MISSING) for stage in stage_list), dtype=np.int8, count=size)
    # The browse order: newest publication first, never published last, then the highest id first.
    newest = _past_draft().order_by(F("published_at").desc(nulls_last=True), "-pk").values_list("pk", flat=True)
    newest_first = np.fromiter((row_of[key] for key in list(newest) if key in row_of),
                               dtype=np.int64)

    facets: dict[str, Facet] = {}
    objectives = (Tag.objects.filter(content_type=ContentType.objects.get_for_model(Practice),
                                      item__framework__kind=FrameworkKind.GCM_OBJECTIVE, item__framework__is_current=True)
                  .values_list("object_id", "item__code", "item__label", "item__position", "item__translations"))
    vocabulary: dict[str, tuple[int, ItemLabel]] = {}
    rows, values = [], []
    for object_id, code, label, position, translations in list(objectives):
        row = row_of.get(int(object_id)) if object_id.isdigit() else None
        if row is not None:
            rows.append(row)
            values.append(code)
            if code not in vocabulary:
                vocabulary[code] = (position, ItemLabel(code, label, translations))
    ordered = sorted(vocabulary.items(), key=lambda item: item[1][0])
    facets["objective"] = _facet("objective", size, rows, values, [(code, label) for code, (_p, label) in ordered])

    rows, values = [], []
    theme_languages: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, t.value, p.language FROM {theme_rows_sql()} WHERE p.stage <> %s",  # noqa: S608 - a constant
                       [ReviewStage.DRAFT])
        for key, theme, language in cursor.fetchall():
            if key in row_of and str(theme).strip():
                rows.append(row_of[key])
                values.append(str(theme))
                theme_languages.setdefault(str(theme), set()).add(base_language(language))
    facets["theme"] = _facet("theme", size, rows, values, [])

    links = (Practice.governments.through.objects.filter(practice__in=_past_draft())
             .values_list("practice_id", "actor__country__code", "actor__country__name", "actor__country__region",
                          "actor__population"))
    rows, regions, countries, populations, country_names = [], [], [], [], {}
    for practice_id, code, name, region, population in list(links):
        if practice_id in row_of:
            rows.append(row_of[practice_id])
            regions.append(region)
            countries.append(code)
            populations.append(population)
            if code:
                country_names[code] = name
    facets["region"] = _facet("region", size, rows, regions, [])
    country = _facet("country", size, rows, countries, [])
    country.labels = [_CountryLabel(code, country_names[code]) for code in country.values]
    facets["country"] = country
    facets["population"] = _facet("population", size, rows, _bands(populations),
                                  [(code, band[2]) for code, band in BANDS.items()], extend=False)
    facets["status"] = _facet("status", size, everyone, status_list, list(PracticeStatus.choices))
    facets["stage"] = _facet("stage", size, everyone, stage_list, list(ReviewStage.choices))
    facets["language"] = _facet("language", size, everyone, language_list, [])
    facets["year"] = _facet("year", size, everyone, [None if year is None else str(year) for year in year_list], [])
    written_in = np.asarray([base_language(code) for code in language_list], dtype=object)
    readable: dict[str, np.ndarray] = {}
    for code in UN_LANGUAGES:
        mask = written_in == code if size else np.zeros(0, dtype=bool)
        translated = index_rows(row_of, _past_draft().filter(translations__has_key=code).values_list("pk", flat=True))
        mask[translated] = True
        readable[code] = mask
    return FacetIndex(fingerprint=fingerprint, checked_at=time.monotonic(), ids=ids, stages=stages,
                      newest_first=newest_first, facets=facets, readable=readable,
                      theme_languages={theme: next(iter(languages)) if len(languages) == 1 else ""
                                       for theme, languages in theme_languages.items()})


def index_rows(row_of: dict[int, int], keys: Any) -> np.ndarray:
    return np.fromiter((row_of[key] for key in keys if key in row_of), dtype=np.int64)


# --- keeping it fresh ----------------------------------------------------------------------------------

_index: FacetIndex | None = None
_lock = threading.Lock()


def _recount_seconds() -> float:
    return float(getattr(settings, "ARRIVAL_FACETS_RECOUNT_SECONDS", RECOUNT_SECONDS))


def _latest_change() -> Any:
    """The latest `updated_at` of a practice past draft (an index scan from the newest row)."""
    return _past_draft().order_by("-updated_at").values_list("updated_at", flat=True).first()


def _slow_fingerprint() -> tuple[Any, ...]:
    through = Practice.governments.through.objects.filter(practice__in=_past_draft())
    governments = Actor.objects.filter(pk__in=through.values("actor_id")).aggregate(latest=Max("updated_at"))["latest"]
    return _past_draft().count(), through.count(), governments


def facet_index() -> FacetIndex:
    """The current facet arrays, rebuilt from the database when practices (or their governments) changed."""
    global _index
    latest = _latest_change()
    index = _index
    if index is not None and index.fingerprint[0] == latest and time.monotonic() - index.checked_at < _recount_seconds():
        return index
    with _lock:
        fingerprint = (latest, *_slow_fingerprint())
        index = _index
        if index is None or index.fingerprint != fingerprint:
            index = _index = _build(fingerprint)
        else:
            index.checked_at = time.monotonic()  # confirmed unchanged
    return index


def facet_index_forget() -> None:
    """Drop this process's arrays; the next search rebuilds them."""
    global _index
    with _lock:
        _index = None
