"""Finding practices: full text, meaning across languages, both fused, with facet counts (docs/search.md).

Indexing — for services: call `practice_changed(practice_id)` after a committed change (services registers
it with `on_practice_changed`): a published practice is (re)indexed with `practice_index(practice=…)`, any
other is taken out of search. `practice_index` writes the full-text row at once and queues the background
job "practices.embed" for the vector, which is skipped when the text it comes from is unchanged
(`text_sha256`). `arrival reindex-practices` rebuilds everything with a progress bar.

Reading — `practice_search(q=, facets=, mode="hybrid"|"text"|"semantic", page=)` over published practices
returns {"results": [(Practice, score, why)], "total", "facets": {name: [(value, label, count)]}, "mode",
"page", "page_size", "theme_languages": {theme: language or ""}}; `similar_practices(practice=, limit=)` the
closest published practices in meaning.

Facets are filtered and counted in process memory (`arrival.practices.facets`, NumPy arrays rebuilt
from the database when practices change); the SQL `facet_counts` / `_apply_facets` are their reference.

Hybrid ranking is reciprocal rank fusion (k = 60) of the text list and the meaning list: a practice's score
is the sum over the lists of 1 / (60 + its rank there), so being near the top of either list counts and
being in both counts most, without comparing bm25 or ts_rank_cd numbers with cosines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractYear
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrival.actors.models import Actor
from arrival.core import embeddings
from arrival.core.fulltext import fulltext_index, fulltext_ranks, fulltext_remove, query_terms
from arrival.core.jobs import Progress, job_enqueue, task
from arrival.core.languages import country_name, language_name, page_language, region_name
from arrival.frameworks.models import FrameworkKind, Tag
from arrival.practices.facets import (
    BANDS,
    STAGES,
    FacetIndex,
    ItemLabel,
    facet_index,
    facet_index_forget,
    theme_rows_sql,
)
from arrival.practices.models import Practice, PracticeEmbedding, PracticeStatus, ReviewStage
from arrival.practices.selectors import is_curator

MODES = ("hybrid", "text", "semantic")
RRF_K = 60
# How deep each list goes before fusion, and the most a semantic search returns.
CANDIDATES = 200
# Below this cosine a practice does not count as close in meaning. On the relevance set, cross-language
# paraphrases score 0.3–0.7, a weak idiomatic match ("trata de personas" → trafficking) 0.17, and unrelated
# practices mostly 0.0–0.2: the cut keeps recall and lets the rank order do the rest.
MIN_SIMILARITY = 0.15
EMBED_BATCH = 256
PAGE_SIZE = 20

FACETS: dict[str, Any] = {
    "objective": gettext_lazy("GCM objective"),
    "theme": gettext_lazy("Theme"),
    "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"),
    "population": gettext_lazy("Population"),
    "status": gettext_lazy("Status"),
    "stage": gettext_lazy("Review stage"),
    "language": gettext_lazy("Language"),
    "year": gettext_lazy("Year started"),
}
_BODY_FIELDS = ("problem", "approach", "results", "lessons", "replication_conditions", "adaptation_note")


# --- what gets indexed ---------------------------------------------------------------------------------


def _plain(html: str) -> str:
    return " ".join(strip_tags(html or "").split())


def practice_texts(practice: Practice) -> dict[str, str]:
    """The title, summary and body indexed for full text, and the text its meaning vector is made from."""
    governments = [f"{actor.name} {actor.country.name if actor.country else ''}" for actor in practice.governments.all()]
    themes = ", ".join(str(theme) for theme in practice.themes or [])
    groups = ", ".join(str(group) for group in practice.target_groups or [])
    body = " ".join([*(_plain(getattr(practice, name)) for name in _BODY_FIELDS), themes, groups, *governments])
    # USE is a sentence encoder: the title, summary and themes say what a practice is about; long bodies blur it.
    meaning = ". ".join(part for part in (practice.title.strip(), _plain(practice.summary), themes) if part)
    return {"title": practice.title, "summary": _plain(practice.summary), "body": body, "meaning": meaning}


def _needs_embedding(practice: Practice, texts: dict[str, str]) -> bool:
    stored = PracticeEmbedding.objects.filter(practice=practice).values_list("text_sha256", "model_name").first()
    return stored != (embeddings.text_sha256(texts["meaning"]), embeddings.MODEL_NAME)


def practice_index(*, practice: Practice) -> None:
    """Index one practice: its full-text row now, its meaning vector by the "practices.embed" job if its text changed."""
    texts = practice_texts(practice)
    fulltext_index(record=practice, language=practice.language, title=texts["title"], summary=texts["summary"],
                   body=texts["body"])
    if _needs_embedding(practice, texts):
        job_enqueue(name="practices.embed", kwargs={"practice_ids": [practice.pk]},
                    label=_("Index the meaning of “%(title)s”") % {"title": practice.title[:120]})


def practice_unindex(*, practice: Practice) -> None:
    """Take a practice out of search (its full-text row and its vector)."""
    with transaction.atomic():
        fulltext_remove(record=practice)
        PracticeEmbedding.objects.filter(practice=practice).delete()


def practice_changed(practice_id: int) -> None:
    """The hook services call after a committed change: published practices are indexed, others leave search.

    This process's facet arrays are dropped at once; other processes see the change by its `updated_at`."""
    facet_index_forget()
    practice = Practice.objects.filter(pk=practice_id).prefetch_related("governments__country").first()
    if practice is None:
        return
    if practice.stage == ReviewStage.PUBLISHED:
        practice_index(practice=practice)
    else:
        practice_unindex(practice=practice)


def practices_embed(*, practice_ids: Sequence[int] | None = None, progress: Progress | None = None,
                    on_batch: Any = None) -> dict[str, int]:
    """Store the meaning vectors of practices (all published ones when `practice_ids` is None), skipping unchanged text."""
    practices = Practice.objects.all() if practice_ids is not None else Practice.objects.filter(stage=ReviewStage.PUBLISHED)
    if practice_ids is not None:
        practices = practices.filter(pk__in=list(practice_ids))
    ids = list(practices.order_by("pk").values_list("pk", flat=True))
    embedded = unchanged = 0
    for start in range(0, len(ids), EMBED_BATCH):
        batch = list(Practice.objects.filter(pk__in=ids[start:start + EMBED_BATCH]).order_by("pk")
                     .prefetch_related("governments__country"))
        stored = dict(PracticeEmbedding.objects.filter(practice__in=batch, model_name=embeddings.MODEL_NAME)
                      .values_list("practice_id", "text_sha256"))
        todo: list[tuple[Practice, str, str]] = []
        for practice in batch:
            text = practice_texts(practice)["meaning"]
            digest = embeddings.text_sha256(text)
            if stored.get(practice.pk) == digest:
                unchanged += 1
            else:
                todo.append((practice, text, digest))
        if todo:
            vectors = embeddings.embed([text for _practice, text, _digest in todo])
            PracticeEmbedding.objects.bulk_create(
                [PracticeEmbedding(practice=practice, model_name=embeddings.MODEL_NAME, text_sha256=digest,
                                   vector=embeddings.vector_to_bytes(vector))
                 for (practice, _text, digest), vector in zip(todo, vectors, strict=True)],
                update_conflicts=True, unique_fields=["practice"],
                update_fields=["model_name", "text_sha256", "vector", "updated_at"],
            )
            embedded += len(todo)
        done = min(start + EMBED_BATCH, len(ids))
        if progress is not None:
            progress.update(done=done, total=len(ids), message=_("Meaning of %(done)s of %(total)s practices")
                            % {"done": done, "total": len(ids)})
        if on_batch is not None:
            on_batch(len(batch))
    return {"embedded": embedded, "unchanged": unchanged}


@task("practices.embed")
def embed_task(progress: Progress, *, practice_ids: list[int] | None = None) -> dict[str, int]:
    """Background job: meaning vectors for the given practices, or for every published one (a bulk re-index)."""
    return practices_embed(practice_ids=practice_ids, progress=progress)


def practices_reindex(*, on_progress: Any = None, embed: bool = True) -> dict[str, int]:
    """Rebuild search for every practice: published ones indexed (text, then vectors unless `embed` is
    False), the others taken out.

    `on_progress(step, count)` is told after each batch: step "text" or "meaning", `count` practices more done.
    """
    for practice in list(Practice.objects.exclude(stage=ReviewStage.PUBLISHED).only("pk")):
        practice_unindex(practice=practice)
    ids = list(Practice.objects.filter(stage=ReviewStage.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    # Batches read with their own query and written in one transaction each: no read cursor stays open
    # across writes (on SQLite that would keep the WAL from being checkpointed) and commits stay few.
    for start in range(0, len(ids), EMBED_BATCH):
        batch = Practice.objects.filter(pk__in=ids[start:start + EMBED_BATCH]).prefetch_related("governments__country")
        with transaction.atomic():
            for practice in batch:
                texts = practice_texts(practice)
                fulltext_index(record=practice, language=practice.language, title=texts["title"],
                               summary=texts["summary"], body=texts["body"])
        if on_progress is not None:
            on_progress("text", len(ids[start:start + EMBED_BATCH]))
    count = len(ids)
    if not embed:
        return {"indexed": count}
    meaning = practices_embed(on_batch=None if on_progress is None else lambda n: on_progress("meaning", n))
    return {"indexed": count, **meaning}


# --- facets --------------------------------------------------------------------------------------------


def _as_list(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [str(value) for value in values if str(value).strip()]


def _practice_type() -> ContentType:
    return ContentType.objects.get_for_model(Practice)


def _objective_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(content_type=_practice_type(), item__framework__kind=FrameworkKind.GCM_OBJECTIVE,
                              item__framework__is_current=True)


def _apply_facets(practices: QuerySet[Practice], facets: dict[str, Any]) -> QuerySet[Practice]:
    """Filter by the chosen facet values: any of the values within a facet, every facet at once (in SQL:
    the reference for `FacetIndex.allowed`, which search uses)."""
    for name, raw in (facets or {}).items():
        values = _as_list(raw)
        if name not in FACETS or not values:
            continue
        if name == "objective":
            tagged = _objective_tags().filter(item__code__in=values).annotate(key=Cast("object_id", IntegerField()))
            practices = practices.filter(pk__in=tagged.values("key"))
        elif name == "theme":
            placeholders = ", ".join(["%s"] * len(values))
            sql = f"SELECT p.id FROM {theme_rows_sql()} WHERE t.value IN ({placeholders})"  # noqa: S608 - placeholders only
            practices = practices.filter(pk__in=RawSQL(sql, values))  # noqa: S611 - values are bound parameters
        elif name == "region":
            practices = practices.filter(pk__in=Practice.objects.filter(governments__country__region__in=values).values("pk"))
        elif name == "country":
            codes = [value.upper() for value in values]
            practices = practices.filter(pk__in=Practice.objects.filter(governments__country__code__in=codes).values("pk"))
        elif name == "population":
            bands = Q()
            for value in values:
                if value in BANDS:
                    lower, upper, _label = BANDS[value]
                    band = Q(governments__population__gte=lower)
                    bands |= band & Q(governments__population__lt=upper) if upper is not None else band
            practices = practices.filter(pk__in=Practice.objects.filter(bands).values("pk")) if bands else practices.none()
        elif name in {"status", "stage", "language"}:
            practices = practices.filter(**{f"{name}__in": values})
        elif name == "year":
            years = [int(value) for value in values if value.isdigit()]
            practices = practices.filter(started__year__in=years)
    return practices


def _population_band_case() -> Case:
    whens = []
    for code, (lower, upper, _label) in BANDS.items():
        condition = Q(governments__population__gte=lower)
        if upper is not None:
            condition &= Q(governments__population__lt=upper)
        whens.append(When(condition, then=Value(code)))
    return Case(*whens, default=Value(""), output_field=CharField())


def _by_count(rows: Iterable[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return sorted((row for row in rows if row[0] not in ("", None) and row[2]), key=lambda row: (-row[2], str(row[1])))


def facet_counts(practices: QuerySet[Practice]) -> dict[str, list[tuple[str, str, int]]]:
    """How many of `practices` carry each value of each facet: one grouped query per facet.

    The database's reference for the in-memory counts search uses (`arrival.practices.facets`);
    tests/practices/test_facets.py holds the two equal."""
    keys = practices.values("pk")
    matched = Practice.objects.filter(pk__in=keys)
    counts: dict[str, list[tuple[str, str, int]]] = {}

    objective_rows = (
        _objective_tags().filter(object_id__in=practices.annotate(key=Cast("pk", CharField())).values("key"))
        .values("item__code", "item__label", "item__translations", "item__position")
        .annotate(n=Count("object_id", distinct=True)).order_by("item__position")
    )
    counts["objective"] = [(row["item__code"], str(ItemLabel(row["item__code"], row["item__label"], row["item__translations"])),
                            row["n"]) for row in objective_rows]

    try:
        keys_sql, keys_params = keys.query.sql_with_params()
    except EmptyResultSet:  # e.g. `pk__in=[]`: Django knows there is nothing to count
        counts["theme"] = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.value, COUNT(DISTINCT p.id) FROM {theme_rows_sql()} "  # noqa: S608 - a constant and a compiled queryset
                f"WHERE p.id IN ({keys_sql}) GROUP BY t.value", keys_params,
            )
            counts["theme"] = _by_count((str(value), str(value), n) for value, n in cursor.fetchall())

    regions = matched.values("governments__country__region").annotate(n=Count("pk", distinct=True)).order_by()
    counts["region"] = _by_count((row["governments__country__region"], region_name(row["governments__country__region"]),
                                  row["n"]) for row in regions)
    countries = (matched.values("governments__country__code", "governments__country__name")
                 .annotate(n=Count("pk", distinct=True)).order_by())
    counts["country"] = _by_count((row["governments__country__code"],
                                   country_name(row["governments__country__code"], row["governments__country__name"]),
                                   row["n"]) for row in countries)
    bands = matched.annotate(band=_population_band_case()).values("band").annotate(n=Count("pk", distinct=True)).order_by()
    band_counts = {row["band"]: row["n"] for row in bands}
    counts["population"] = [(code, str(BANDS[code][2]), band_counts[code]) for code in BANDS if band_counts.get(code)]

    # The single-valued facets in one grouped query: each combination once, summed per facet here.
    single: dict[str, dict[Any, int]] = {"status": {}, "stage": {}, "language": {}, "year": {}}
    rows = (practices.annotate(year=ExtractYear("started")).values("status", "stage", "language", "year")
            .annotate(n=Count("pk")).order_by())
    for row in rows:
        combination: dict[str, Any] = dict(row)
        for name, values in single.items():
            values[combination[name]] = values.get(combination[name], 0) + combination["n"]
    counts["status"] = [(value, str(label), single["status"][value]) for value, label in PracticeStatus.choices
                        if single["status"].get(value)]
    counts["stage"] = [(value, str(label), single["stage"][value]) for value, label in ReviewStage.choices
                       if single["stage"].get(value)]
    counts["language"] = _by_count((code, language_name(code), n) for code, n in single["language"].items())
    counts["year"] = [(str(year), str(year), single["year"][year])
                      for year in sorted((year for year in single["year"] if year is not None), reverse=True)]
    return counts


# --- searching -----------------------------------------------------------------------------------------


def _stages(include_unpublished_for: Any) -> list[str]:
    """The review stages a searcher sees: published, or every stage past draft for a curator."""
    if include_unpublished_for is not None and is_curator(user=include_unpublished_for):
        return [stage for stage in STAGES if stage != ReviewStage.DRAFT]
    return [ReviewStage.PUBLISHED]


def _semantic(query: str, index: FacetIndex, allowed: np.ndarray, limit: int, restricted: bool) -> list[tuple[int, float]]:
    """The allowed practices closest in meaning to `query`, at most `limit`, above MIN_SIMILARITY.

    The nearest vectors are ranked first and then checked against the allowed rows of the facet index;
    with facets the ranking looks ten times deeper, and only if that still leaves too few does it rank
    within the allowed practices alone.
    """
    vector = embeddings.embed([query])[0]
    depth = max(limit * 10, 2_000) if restricted else limit

    def kept(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        ranked = [(key, score) for key, score in ranked if score >= MIN_SIMILARITY]
        ok = index.kept(index.rows_of([key for key, _score in ranked]), allowed)
        return [pair for pair, keep in zip(ranked, ok, strict=True) if keep][:limit]

    ranked = embeddings.nearest(model=PracticeEmbedding, vector=vector, limit=depth)
    result = kept(ranked)
    if restricted and len(result) < limit and len(ranked) == depth and ranked[-1][1] >= MIN_SIMILARITY:
        only = index.ids[allowed].tolist()
        result = kept(embeddings.nearest(model=PracticeEmbedding, vector=vector, limit=limit, only=only))
    return result


def reciprocal_rank_fusion(*lists: Sequence[tuple[Any, float]], k: int = RRF_K) -> list[tuple[Any, float]]:
    """Fuse ranked lists: score = Σ 1 / (k + rank), rank counted from 1 in each list; best first."""
    scores: dict[Any, float] = {}
    for ranked in lists:
        for rank, (key, _score) in enumerate(ranked, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], str(item[0])))


def _text(query: str, language: str | None, index: FacetIndex, allowed: np.ndarray,
          depth: int) -> tuple[list[tuple[int, float]], np.ndarray]:
    """Every allowed practice matching the words: (the best `depth` as (id, rank), a row mask of all of them)."""
    keys, ranks = fulltext_ranks(model=Practice, query=query, language=language)
    rows = index.rows_of(keys)
    keep = index.kept(rows, allowed)
    best = np.flatnonzero(keep)[:depth]
    return list(zip(keys[best].tolist(), ranks[best].tolist(), strict=True)), index.mask_of(rows[keep])


def practice_search(
    *,
    q: str = "",
    facets: dict[str, Any] | None = None,
    mode: str = "hybrid",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    language: str | None = None,
    include_unpublished_for: Any = None,
) -> dict[str, Any]:
    """Search published practices (curators may include those in review) by words, meaning or both, with facets.

    `language` is the query's language if known (full-text stemming); None tries them all. Facet counts
    describe the whole result set, not just the page. Facets are filtered and counted in the in-memory
    facet index (`arrival.practices.facets`); the database ranks words, NumPy ranks meaning.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown search mode {mode!r}; use one of {', '.join(MODES)}.")
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 100))
    facets = {name: _as_list(values) for name, values in (facets or {}).items() if name in FACETS}
    stages = _stages(include_unpublished_for)
    index = facet_index()
    allowed = index.allowed(facets={name: values for name, values in facets.items() if values}, stages=stages)
    restricted = bool(facets) or len(stages) > 1
    query = " ".join((q or "").split())[:500]
    start = (page - 1) * page_size

    if not query:  # browsing: newest first, those the reader can read in their language before the rest
        ordered = index.reader_first(index.newest_first[allowed[index.newest_first]], page_language())
        window = [(int(key), 0.0) for key in index.ids[ordered[start:start + page_size]]]
        rows = _page(window, stages, set(), set(), blank=True)
        return _outcome(rows, int(ordered.size), index.counts(allowed, stages), mode, page, page_size,
                        index.theme_languages)

    depth = max(CANDIDATES, page * page_size)
    text: list[tuple[int, float]] = []
    meaning: list[tuple[int, float]] = []
    text_mask = np.zeros(index.size, dtype=bool)
    if mode in ("text", "hybrid") and query_terms(query, language):
        text, text_mask = _text(query, language, index, allowed, depth)
    if mode in ("semantic", "hybrid"):
        meaning = _semantic(query, index, allowed, CANDIDATES if mode == "hybrid" else depth, restricted)
    meaning_rows = index.rows_of([key for key, _score in meaning])
    meaning_mask = index.mask_of(meaning_rows[meaning_rows >= 0])

    if mode == "text":
        ranked, matched = text, text_mask
    elif mode == "semantic":
        ranked, matched = meaning, meaning_mask
    else:
        ranked, matched = reciprocal_rank_fusion(text, meaning), text_mask | meaning_mask
    window = ranked[start:start + page_size]
    window_rows = index.rows_of([key for key, _score in window])
    in_text = {key for (key, _score), row in zip(window, window_rows.tolist(), strict=True) if row >= 0 and text_mask[row]}
    in_meaning = {key for key, _score in meaning}
    rows = _page(window, stages, in_text, in_meaning)
    return _outcome(rows, int(np.count_nonzero(matched)), index.counts(matched, stages), mode, page, page_size,
                    index.theme_languages)


def _page(window: list[tuple[int, float]], stages: list[str], in_text: set[int], in_meaning: set[int],
          blank: bool = False) -> list[tuple[Practice, float, str]]:
    """The practices of one page in rank order, read with their governments (still visible ones only)."""
    practices = Practice.objects.filter(pk__in=[key for key, _score in window], stage__in=stages)
    by_key = {practice.pk: practice for practice in _with_relations(practices)}
    return [(by_key[key], score, "" if blank else _why(key in in_text, key in in_meaning))
            for key, score in window if key in by_key]


def _why(words: bool, meaning: bool) -> str:
    if words and meaning:
        return _("Matches your words and their meaning")
    return _("Matches your words") if words else _("Close in meaning")


# What a result card (practices/_results.html) and the API's search hits (api._practice_out) show: the
# page reads only these columns (the long rich-text fields stay in the database).
_SHOWN = ("slug", "title", "summary", "language", "translations", "status", "stage", "themes", "started", "ended", "published_at",
          "adapted_from", "is_demo")
_GOVERNMENT_SHOWN = ("slug", "name", "country__code", "country__name", "country__region")


def _with_relations(practices: QuerySet[Practice]) -> list[Practice]:
    """The practices with their governments and those governments' countries (two queries in all)."""
    governments = Prefetch("governments",
                           queryset=Actor.objects.select_related("country").only(*_GOVERNMENT_SHOWN))
    return list(practices.only(*_SHOWN).prefetch_related(governments))


def _outcome(results: list[tuple[Practice, float, str]], total: int, facets: dict[str, Any], mode: str, page: int,
             page_size: int, theme_languages: dict[str, str]) -> dict[str, Any]:
    return {"results": results, "total": total, "facets": facets, "mode": mode, "page": page, "page_size": page_size,
            "pages": max(1, -(-total // page_size)), "theme_languages": theme_languages}


def similar_practices(*, practice: Practice, limit: int = 5) -> list[Practice]:
    """The published practices closest in meaning to `practice` (each with `.similarity`, the cosine), closest first."""
    vector = embeddings.stored_vector(model=PracticeEmbedding, key=practice.pk)
    if vector is None:  # not embedded yet (the job may still be queued): embed its text now, without storing it
        vector = embeddings.embed([practice_texts(practice)["meaning"]])[0]
    ranked = embeddings.nearest(model=PracticeEmbedding, vector=vector, limit=limit * 2 + 5, exclude=[practice.pk])
    published = {p.pk: p for p in Practice.objects.filter(pk__in=[key for key, _ in ranked], stage=ReviewStage.PUBLISHED)}
    similar: list[Practice] = []
    for key, score in ranked:
        if key in published and len(similar) < limit:
            published[key].similarity = score  # type: ignore[attr-defined]  # read by templates
            similar.append(published[key])
    return similar


__all__ = ["FACETS", "MODES", "RRF_K", "embed_task", "facet_counts", "practice_changed", "practice_index",
           "practice_search", "practice_unindex", "practices_embed", "practices_reindex", "reciprocal_rank_fusion",
           "similar_practices"]
