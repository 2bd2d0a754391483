"""Retrieval fixtures: a deterministic bag-of-words embedder, tiny catalogues, the real MiniLM."""

from __future__ import annotations

import pytest
from retrieval_helpers import SHOP, FakeEmbedder, add_products


@pytest.fixture()
def fake_embedder(monkeypatch):
    """Patch the embedder factory: every index build and service in the test uses one fake."""
    emb = FakeEmbedder()
    monkeypatch.setattr("retrieval.backends.make_embedder", lambda settings: emb)
    return emb


@pytest.fixture(scope="session")
def minilm():
    """The bundled all-MiniLM-L6-v2 (offline), loaded once per test session."""
    from assistant.settings import default_embedding_model
    from retrieval.embedder import Embedder

    try:
        path = default_embedding_model()
    except Exception as err:  # pragma: no cover - depends on the install
        pytest.skip(f"bundled all-MiniLM-L6-v2 not installed: {err}")
    emb = Embedder(path, device="cpu")
    emb.warm_up()
    return emb


@pytest.fixture()
def shop(engine):
    add_products(engine, SHOP, version=1)
    return engine


@pytest.fixture(autouse=True, scope="session")
def _faiss_one_thread():
    """The CI machine has 2 shared cores: OpenMP spinning in FAISS only slows tests down."""
    import faiss

    faiss.omp_set_num_threads(1)
