"""Full-text search over any app's records with each engine's own index, behind one interface.

    from arrival.core.fulltext import fulltext_index, fulltext_matches, fulltext_remove, fulltext_search

    fulltext_index(record=practice, language="fr", title=..., summary=..., body=...)
    fulltext_search(model=Practice, query="intégration logement", limit=20, language="fr")
        -> [(practice_id, rank), ...]  best first
    Practice.objects.filter(pk__in=fulltext_matches(model=Practice, query="housing"))   # for counts and facets
    keys, ranks = fulltext_ranks(model=Practice, query="housing")   # every match, best first, as NumPy arrays

One row per record, keyed by (content type, object id), with three weighted fields: title (A), summary (B)
and body (C). SQLite: an FTS5 table tokenised with `porter unicode61 remove_diacritics 2` (accents folded
in every language, English stemming), ranked by bm25. PostgreSQL: a `tsvector` built with the record's
language configuration (english, french, spanish; `simple` for Arabic and the rest) plus an accent-folded
`simple` copy, a GIN index, ranked by ts_rank. docs/search.md explains the choices.

Queries are never passed to the engine's query language: words are extracted in Python and re-quoted,
so `"foo" OR bar*) NEAR(` searches for the words foo, or, bar and near. Every word must match (stopwords
of the query's language left out); the last word also matches as a prefix when it has 3 letters or more.
Records must have integer or text primary keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

# PostgreSQL text search configurations by record language; anything else (Arabic included) is `simple`.
REGCONFIGS = {"en": "english", "fr": "french", "es": "spanish"}
SIMPLE = "simple"
# Relative weights of title, summary and body. PostgreSQL's A/B/C weights are ts_rank's defaults
# (1.0, 0.4, 0.2); bm25 on SQLite is given the same proportions.
BM25_WEIGHTS = (5.0, 2.0, 1.0)
MIN_PREFIX = 3
MAX_TERMS = 12

# The few words too common to require: the engines do not drop them on SQLite, nor in PostgreSQL's
# `simple` configuration.
STOPWORDS = {
    "en": {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "is", "it", "of", "on",
           "or", "that", "the", "their", "this", "to", "what", "with", "who", "we", "our"},
    "fr": {"au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "l", "la", "le", "les",
           "leur", "leurs", "par", "pour", "qui", "sur", "un", "une", "à", "a", "ou", "nos", "notre"},
    "es": {"a", "al", "con", "de", "del", "el", "en", "la", "las", "los", "para", "por", "que", "su", "sus",
           "un", "una", "y", "o", "e", "como", "nuestra", "nuestro"},
    "ar": {"في", "من", "على", "إلى", "الى", "عن", "مع", "و", "أو", "او", "ال", "هذا", "هذه", "التي", "الذي"},
}
ALL_STOPWORDS = set().union(*STOPWORDS.values())
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents or Arabic vowel marks, as SQLite's `remove_diacritics 2` does."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


def query_terms(query: str, language: str | None = None) -> list[str]:
    """The words of `query` to require, in order: stopwords out unless nothing else is left."""
    words = _WORD.findall(query.lower())[:MAX_TERMS]
    stopwords = STOPWORDS.get(language or "", ALL_STOPWORDS)
    kept = [word for word in words if fold(word) not in stopwords and word not in stopwords]
    return kept or words


def _content_type_id(model: type[models.Model] | models.Model) -> int:
    return ContentType.objects.get_for_model(model).pk


def _vendor() -> str:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise ImproperlyConfigured(f"Full-text search supports SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _key_select(model: type[models.Model], column: str) -> str:
    """SQL turning the stored text `object_id` back into the type of the model's primary key."""
    key: Any = model._meta.pk
    while key.is_relation:
        key = key.target_field
    kind = key.get_internal_type()
    if kind in {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveBigIntegerField", "SmallIntegerField", "PositiveSmallIntegerField"}:
        return f"CAST({column} AS BIGINT)"
    if kind in {"CharField", "SlugField", "TextField"}:
        return column
    raise ImproperlyConfigured(f"Full-text search needs an integer or text primary key, not {kind} on {model.__name__}.")


# --- writing -------------------------------------------------------------------------------------------


def fulltext_index(*, record: models.Model, language: str, title: str, summary: str = "", body: str = "") -> None:
    """Put `record` in the index (replacing what was there) with its three fields, plain text."""
    content_type_id, object_id = _content_type_id(record), str(record.pk)
    language = (language or "").split("-")[0].lower()[:10]
    with transaction.atomic(), connection.cursor() as cursor:
        if _vendor() == "sqlite":
            cursor.execute(
                "SELECT id FROM core_fulltext_key WHERE content_type_id = %s AND object_id = %s",
                [content_type_id, object_id],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    "INSERT INTO core_fulltext_key (content_type_id, object_id, language) VALUES (%s, %s, %s)",
                    [content_type_id, object_id, language],
                )
                rowid = cursor.lastrowid
            else:
                rowid = row[0]
                cursor.execute("UPDATE core_fulltext_key SET language = %s WHERE id = %s", [language, rowid])
                cursor.execute("DELETE FROM core_fulltext WHERE rowid = %s", [rowid])
            cursor.execute(
                "INSERT INTO core_fulltext (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [rowid, title, summary, body],
            )
        else:
            config = REGCONFIGS.get(language, SIMPLE)
            # The language's stems, plus the accent-folded words, so "integracion" finds "integración".
            cursor.execute(
                """INSERT INTO core_fulltext (content_type_id, object_id, language, document)
                   VALUES (%s, %s, %s,
                       setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector('simple', %s), 'A')
                       || setweight(to_tsvector(%s::regconfig, %s), 'B') || setweight(to_tsvector('simple', %s), 'B')
                       || setweight(to_tsvector(%s::regconfig, %s), 'C') || setweight(to_tsvector('simple', %s), 'C'))
                   ON CONFLICT (content_type_id, object_id)
                   DO UPDATE SET language = EXCLUDED.language, document = EXCLUDED.document""",
                [content_type_id, object_id, language,
                 config, title, fold(title), config, summary, fold(summary), config, body, fold(body)],
            )


def fulltext_remove(*, record: models.Model) -> None:
    """Take `record` out of the index (nothing happens if it was not in it)."""
    content_type_id, object_id = _content_type_id(record), str(record.pk)
    with transaction.atomic(), connection.cursor() as cursor:
        if _vendor() == "sqlite":
            cursor.execute(
                "SELECT id FROM core_fulltext_key WHERE content_type_id = %s AND object_id = %s",
                [content_type_id, object_id],
            )
            row = cursor.fetchone()
            if row is not None:
                cursor.execute("DELETE FROM core_fulltext WHERE rowid = %s", [row[0]])
                cursor.execute("DELETE FROM core_fulltext_key WHERE id = %s", [row[0]])
        else:
            cursor.execute(
                "DELETE FROM core_fulltext WHERE content_type_id = %s AND object_id = %s", [content_type_id, object_id]
            )


# --- reading -------------------------------------------------------------------------------------------


def _fts5_query(terms: Sequence[str]) -> str:
    quoted = [f'"{term}"' for term in terms]  # terms are letters and digits only: nothing to escape
    if len(terms[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"  # a prefix query also matches the whole word
    return " AND ".join(quoted)


def _tsquery_text(terms: Sequence[str]) -> str:
    parts = [f"'{term}'" for term in terms]
    if len(terms[-1]) >= MIN_PREFIX:
        parts[-1] += ":*"
    return " & ".join(parts)


def _match_sql(model: type[models.Model], query: str, language: str | None) -> tuple[str, str, list[Any]] | None:
    """(FROM … WHERE clause, rank expression, params) matching `query` in `model`'s rows, or None if no words."""
    terms = query_terms(query, language)
    if not terms:
        return None
    content_type_id = _content_type_id(model)
    if _vendor() == "sqlite":
        weights = ", ".join(str(weight) for weight in BM25_WEIGHTS)
        return (
            "core_fulltext JOIN core_fulltext_key k ON k.id = core_fulltext.rowid "
            "WHERE core_fulltext MATCH %s AND k.content_type_id = %s",
            f"-bm25(core_fulltext, {weights})",
            [_fts5_query(terms), content_type_id],
        )
    # The query in its language's configuration (or in each configuration, language unknown), OR-ed with
    # the accent-folded words in `simple`.
    configs = [REGCONFIGS.get(language, SIMPLE)] if language else sorted(set(REGCONFIGS.values()))
    branches = " || ".join(["to_tsquery(%s::regconfig, %s)"] * len(configs) + ["to_tsquery('simple', %s)"])
    params: list[Any] = []
    for config in configs:
        params += [config, _tsquery_text(terms)]
    params.append(_tsquery_text([fold(term) for term in terms]))
    return (
        f"core_fulltext k, ({'SELECT ' + branches} AS query) q "
        "WHERE k.document @@ q.query AND k.content_type_id = %s",
        # ts_rank, not ts_rank_cd: with the OR-ed branches, cover density cost 120 ms against 27 ms for a
        # query matching 10,000 of 100,000 rows (docs/search.md); both weigh A/B/C the same way.
        "ts_rank(k.document, q.query, 1)",
        [*params, content_type_id],
    )


def _within_sql(model: type[models.Model], within: models.QuerySet[Any] | None) -> tuple[str, list[Any]]:
    if within is None:
        return "", []
    if within.model is not model:
        raise ValueError("`within` must be a queryset of the model searched.")
    sql, params = within.values("pk").query.sql_with_params()
    return f" AND {_key_select(model, 'k.object_id')} IN ({sql})", list(params)


def fulltext_search(
    *,
    model: type[models.Model],
    query: str,
    limit: int,
    language: str | None = None,
    within: models.QuerySet[Any] | None = None,
) -> list[tuple[Any, float]]:
    """The `limit` best records of `model` for `query`, as (primary key, rank), best first (higher rank is better).

    `language` is the query's language (stemming and stopwords); None tries every supported language.
    `within` restricts the search to a queryset of `model` (e.g. the published records matching facets).
    """
    match = _match_sql(model, query, language)
    if match is None or limit <= 0:
        return []
    from_where, rank, params = match
    try:
        within_sql, within_params = _within_sql(model, within)
    except EmptyResultSet:  # `within` can match nothing (e.g. `pk__in=[]`)
        return []
    # Only constants and compiled querysets are formatted in; the user's words are bound parameters.
    sql = f"SELECT k.object_id, {rank} AS rank FROM {from_where}{within_sql} ORDER BY rank DESC, k.object_id LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *within_params, int(limit)])
        rows = cursor.fetchall()
    to_python = model._meta.pk.to_python
    return [(to_python(object_id), float(rank)) for object_id, rank in rows]


def fulltext_ranks(*, model: type[models.Model], query: str, language: str | None = None) -> tuple[Any, Any]:
    """Every record of `model` matching `query`, best first, as two NumPy arrays: keys (int64) and ranks.

    For integer primary keys. One query, no LIMIT: what a caller reads when it needs the total and the
    whole result set as well as the first page (facets counted in memory). The ranks are those of
    `fulltext_search`; ties are broken by key. Keys and ranks come straight into arrays, without a
    Python object per row beyond the driver's.
    """
    import numpy as np

    match = _match_sql(model, query, language)
    if match is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    from_where, rank, params = match
    sql = f"SELECT {_key_select(model, 'k.object_id')}, {rank} FROM {from_where}"  # noqa: S608 - words are bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    ranks = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
    order = np.lexsort((keys, -ranks))
    return keys[order], ranks[order]


def fulltext_matches(*, model: type[models.Model], query: str, language: str | None = None) -> RawSQL | None:
    """A subquery of the primary keys of `model` matching `query`, for `pk__in=` (None when the query has no words)."""
    match = _match_sql(model, query, language)
    if match is None:
        return None
    from_where, _rank, params = match
    return RawSQL(f"SELECT {_key_select(model, 'k.object_id')} FROM {from_where}", params)  # noqa: S608, S611 - words are bound


def fulltext_count(*, model: type[models.Model]) -> int:
    """How many records of `model` are in the index."""
    table = "core_fulltext_key" if _vendor() == "sqlite" else "core_fulltext"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE content_type_id = %s", [_content_type_id(model)])  # noqa: S608 - table name is one of two constants
        return int(cursor.fetchone()[0])
