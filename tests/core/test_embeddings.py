"""The multilingual sentence model and the in-memory matrix rebuilt from the database."""

from __future__ import annotations

import numpy as np
import pytest

from arrival.core import embeddings
from arrival.practices.models import Practice, PracticeEmbedding

ENGLISH = "The city offers free language classes for newly arrived migrants."
PARAPHRASES = {
    "fr": "La ville propose des cours de langue gratuits aux migrants nouvellement arrivés.",
    "es": "La ciudad ofrece clases de idioma gratuitas para los migrantes recién llegados.",
    "ar": "تقدم المدينة دروسا مجانية في اللغة للمهاجرين الوافدين حديثا.",
}
UNRELATED = "The council repaired the potholes on the ring road after the winter storms."


def test_vectors_are_normalised_float32() -> None:
    vectors = embeddings.embed([ENGLISH, "", UNRELATED])
    assert vectors.shape == (3, embeddings.DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embeddings.embed([]).shape == (0, embeddings.DIMENSIONS)


@pytest.mark.parametrize("language", sorted(PARAPHRASES))
def test_a_paraphrase_in_another_language_is_closer_than_an_unrelated_sentence(language: str) -> None:
    english, paraphrase, unrelated = embeddings.embed([ENGLISH, PARAPHRASES[language], UNRELATED])
    assert float(english @ paraphrase) > float(english @ unrelated) + 0.2


def test_bytes_round_trip() -> None:
    vector = embeddings.embed([ENGLISH])[0]
    data = embeddings.vector_to_bytes(vector)
    assert len(data) == embeddings.DIMENSIONS * 4
    assert np.array_equal(embeddings.vector_from_bytes(data), vector)
    with pytest.raises(ValueError, match="512"):
        embeddings.vector_from_bytes(b"\0" * 12)


def test_top_k_orders_the_best_first() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3], dtype=np.float32)
    assert embeddings.top_k(scores, 3).tolist() == [1, 3, 2]
    assert embeddings.top_k(scores, 10).tolist() == [1, 3, 2, 4, 0]
    assert embeddings.top_k(scores, 0).tolist() == []


def _store(practice: Practice, text: str) -> None:
    PracticeEmbedding.objects.update_or_create(
        practice=practice,
        defaults={"model_name": embeddings.MODEL_NAME, "text_sha256": embeddings.text_sha256(text),
                  "vector": embeddings.vector_to_bytes(embeddings.embed([text])[0])},
    )


def test_the_matrix_is_rebuilt_when_rows_change(settings) -> None:
    embeddings.vector_matrix_forget()
    first = Practice.objects.create(slug="a", title="a", summary="a")
    second = Practice.objects.create(slug="b", title="b", summary="b")
    _store(first, UNRELATED)
    query = embeddings.embed([PARAPHRASES["es"]])[0]
    assert [key for key, _ in embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5)] == [first.pk]

    _store(second, ENGLISH)  # a new row: the next search sees it without being told
    ranked = embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5)
    assert [key for key, _ in ranked] == [second.pk, first.pk]
    assert ranked[0][1] > 0.5

    assert embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5, exclude=[second.pk])[0][0] == first.pk
    assert [key for key, _ in embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5, only=[first.pk])] == [first.pk]
    assert embeddings.stored_vector(model=PracticeEmbedding, key=second.pk) is not None

    PracticeEmbedding.objects.filter(practice=first).delete()  # not the newest row: seen at the next count
    assert embeddings.stored_vector(model=PracticeEmbedding, key=first.pk) is not None
    settings.ARRIVAL_VECTOR_RECOUNT_SECONDS = 0
    assert [key for key, _ in embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5)] == [second.pk]
    assert embeddings.stored_vector(model=PracticeEmbedding, key=first.pk) is None
    PracticeEmbedding.objects.filter(practice=second).delete()  # the newest row: seen at once
    assert embeddings.nearest(model=PracticeEmbedding, vector=query, limit=5) == []
