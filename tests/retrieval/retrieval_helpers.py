"""Helpers shared by the retrieval tests: a bag-of-words fake embedder and a tiny shop."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from retrieval.text import tokenize

DIM = 32


class FakeEmbedder:
    """Unit-norm sum of per-token random vectors: similar texts get similar vectors.

    Counts ``encode`` calls and encoded texts so tests can check the cache.
    """

    model_path = "fake-bow"
    model_key = "fake-bow"
    dim = DIM
    device = "cpu"

    def __init__(self) -> None:
        self.encode_calls = 0
        self.texts_encoded = 0

    def warm_up(self) -> None:
        pass

    @staticmethod
    def token_vector(tok: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(tok.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(DIM)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.encode_calls += 1
        self.texts_encoded += len(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            v = sum((self.token_vector(tok) for tok in tokenize(t)), np.zeros(DIM)) + 1e-3
            out[i] = v / np.linalg.norm(v)
        return out


def add_products(engine, rows: list[dict], version: int | None = None) -> None:
    """Insert products (dicts of Product fields) and set the catalogue version."""
    from assistant.store.db import session_scope
    from assistant.store.models import CatalogState, Product

    with session_scope(engine) as s:
        for row in rows:
            s.merge(Product(**row))
        if version is not None:
            state = s.get(CatalogState, 1)
            if state is None:
                s.add(CatalogState(id=1, version=version))
            else:
                state.version = version


SHOP = [
    dict(
        id="p1",
        title="Trail running shoes",
        category="Shoes",
        brand="Salomon",
        price=120.0,
        available=True,
        attributes={"color": "blue", "size": "42"},
        description="Grippy trail runner.",
    ),
    dict(
        id="p2",
        title="Road running shoes",
        category="Shoes",
        brand="Asics",
        price=95.0,
        available=True,
        attributes={"color": "black", "size": "43"},
        description="Cushioned road shoe.",
    ),
    dict(
        id="p3",
        title="Leather hiking boots",
        category="Boots",
        brand="Meindl",
        price=210.0,
        available=False,
        attributes={"color": "brown", "size": "42"},
        description="Waterproof leather boot.",
    ),
    dict(
        id="p4",
        title="Espresso machine ZX-900",
        category="Kitchen",
        brand="Gaggia",
        price=450.0,
        available=True,
        attributes={"color": "silver"},
        description="15 bar pump espresso.",
    ),
    dict(
        id="p5",
        title="Drip coffee maker",
        category="Kitchen",
        brand="Melitta",
        price=60.0,
        available=True,
        attributes={"color": "black", "capacity": ["8 cups", "10 cups"]},
        description="Brews a full pot.",
    ),
    dict(
        id="p6",
        title="Cotton t-shirt",
        category="Clothing",
        brand="Uniqlo",
        price=15.0,
        available=True,
        attributes={"color": "Blue", "size": "M"},
        description="Soft crew neck tee.",
    ),
]
