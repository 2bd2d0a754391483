"""FAISS indexes against exact numpy search; save/load round trip."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.vector_index import VectorIndex, choose_index_type, top_k


def clustered(rng, n, dim=32, centers=50):
    """Points around 50 fixed centres (queries come from the same distribution as the data)."""
    c = np.random.default_rng(123).standard_normal((centers, dim))
    x = c[rng.integers(centers, size=n)] + 0.3 * rng.standard_normal((n, dim))
    x = x.astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact(x, q, k):
    s = q @ x.T
    return np.argsort(-s, axis=1, kind="stable")[:, :k]


def test_flat_is_exact():
    rng = np.random.default_rng(0)
    x, q = clustered(rng, 2000), clustered(rng, 20)
    index = VectorIndex(32, "flat")
    index.add(x)
    scores, rows = index.search(q, 10)
    np.testing.assert_allclose(scores, np.take_along_axis(q @ x.T, exact(x, q, 10), 1), atol=1e-5)


@pytest.mark.parametrize("kind,min_recall", [("hnsw", 0.95), ("ivfpq", 0.6)])
def test_approximate_recall(kind, min_recall):
    rng = np.random.default_rng(1)
    x, q = clustered(rng, 5_000), clustered(rng, 50)
    index = VectorIndex(32, kind)
    index.add(x)
    _, rows = index.search(q, 10)
    truth = exact(x, q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(rows, truth, strict=True)])
    assert recall >= min_recall


def test_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(2)
    x = clustered(rng, 500)
    index = VectorIndex(32, "hnsw")
    index.add(x)
    index.save(tmp_path / "i.faiss")
    loaded = VectorIndex.load(tmp_path / "i.faiss", "hnsw")
    assert loaded.ntotal == 500 and not loaded.exact
    np.testing.assert_array_equal(loaded.search(x[:5], 3)[1], index.search(x[:5], 3)[1])


def test_choose_index_type():
    assert choose_index_type(1000) == "flat"
    assert choose_index_type(1_000_000) == "hnsw"
    assert choose_index_type(10, "ivfpq") == "ivfpq"


def test_top_k_breaks_ties_by_row():
    scores = np.array([0.5, 0.9, 0.5, 0.5, 0.1])
    rows = np.array([40, 10, 20, 30, 50])
    s, r = top_k(scores, rows, 3)
    assert r.tolist() == [10, 20, 30] and s.tolist() == [0.9, 0.5, 0.5]
