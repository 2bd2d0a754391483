"""Tokenizer, product text, BM25: brand names, model numbers and rare words are found."""

from __future__ import annotations

import math

import numpy as np

from retrieval.lexical import LexicalIndex
from retrieval.table import ProductRecord, ProductTable
from retrieval.text import product_text, tokenize
from retrieval.types import Filters


def test_tokenize_keeps_model_numbers_whole_and_split():
    toks = tokenize("The XPS-13 laptop, 4.5 stars, shoes for boxes")
    assert "xps-13" in toks and "xps" in toks and "13" in toks
    assert "4.5" in toks
    assert "shoe" in toks and "box" in toks  # plural folding
    assert "the" not in toks and "for" not in toks


def test_product_text_has_every_field():
    text = product_text(
        "Trail shoe", "Shoes", "Salomon", {"color": "blue", "sizes": [42, 43]}, "Grippy."
    )
    for part in (
        "Trail shoe",
        "Category: Shoes",
        "Brand: Salomon",
        "color: blue",
        "sizes: 42, 43",
        "Grippy.",
    ):
        assert part in text


DOCS = [
    "Espresso machine ZX-900 by Gaggia, 15 bar",
    "Drip coffee maker by Melitta",
    "Coffee grinder burr by Baratza",
    "Trail running shoe by Salomon",
    "Road running shoe by Asics, the quixotic edition",
]


def reference_bm25(docs: list[list[str]], query: list[str], k1=1.5, b=0.75) -> np.ndarray:
    """Lucene BM25 written out by hand (ranking-equivalent to bm25s' lucene method)."""
    n = len(docs)
    avgdl = sum(map(len, docs)) / n
    out = np.zeros(n)
    for term in set(query):
        df = sum(term in d for d in docs)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(term)
            out[i] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
    return out


def test_bm25_scores_match_hand_reference():
    index = LexicalIndex.build(DOCS)
    toks = [tokenize(d) for d in DOCS]
    for q in ["coffee maker", "running shoe salomon", "zx-900", "burr grinder coffee"]:
        np.testing.assert_allclose(
            index.scores(q), reference_bm25(toks, tokenize(q)), rtol=1e-4, atol=1e-6
        )


def test_brand_model_number_and_rare_word_are_found():
    index = LexicalIndex.build(DOCS)
    assert int(np.argmax(index.scores("gaggia"))) == 0
    assert int(np.argmax(index.scores("ZX900 zx-900"))) == 0
    assert int(np.argmax(index.scores("zx 900"))) == 0
    assert int(np.argmax(index.scores("quixotic"))) == 4
    assert index.scores("unknownword").max() == 0.0


def test_hybrid_finds_brand_and_model_number_dense_misses():
    """Even when the dense side ranks it last, the lexical side puts the exact product in the top 2.

    (RRF gives lexical #1 the same 1/61 as dense #1; nothing else can score more.)
    """
    from retrieval.hybrid import HybridIndex
    from retrieval.vector_index import VectorIndex

    rng = np.random.default_rng(0)
    recs = [
        ProductRecord(
            id=f"p{i}",
            title=f"generic item {i}",
            category="Misc",
            brand="Acme",
            price=10.0 + i,
            available=True,
        )
        for i in range(200)
    ]
    recs[137] = ProductRecord(
        id="p137",
        title="Vortex blender VX-7000",
        category="Kitchen",
        brand="Blendtec",
        price=99.0,
        available=True,
    )
    vecs = rng.standard_normal((200, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    dense = VectorIndex(8, "flat")
    dense.add(vecs)
    texts = [product_text(r.title, r.category, r.brand, r.attributes) for r in recs]
    index = HybridIndex(ProductTable.from_records(recs), vecs, dense, LexicalIndex.build(texts))
    q = -vecs[137]
    for text in ("blendtec", "VX-7000", "vx7000 vx-7000", "vortex"):
        hits = index.search(q, text, Filters(), 5)
        assert 137 in [h.row for h in hits[:2]], text
