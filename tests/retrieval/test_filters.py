"""Filtered search against brute force on random catalogues (dense and hybrid paths)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.hybrid import HybridIndex, pool_size
from retrieval.lexical import LexicalIndex
from retrieval.table import ProductRecord, ProductTable
from retrieval.text import product_text
from retrieval.types import Filters
from retrieval.vector_index import VectorIndex

CATS = ["Shoes", "Boots", "Kitchen", "Clothing", "Garden"]
BRANDS = ["Acme", "Zenith", "Orbit", "Nova", "Pico", None]
COLORS = ["red", "Blue", "green", "BLACK"]
WORDS = "trail road leather cotton steel compact deluxe travel outdoor classic pro mini max".split()


def random_catalogue(rng: np.random.Generator, n: int, dim: int = 16):
    recs = []
    for i in range(n):
        attrs = {}
        if rng.random() < 0.8:
            attrs["Color"] = str(rng.choice(COLORS))
        if rng.random() < 0.5:
            attrs["size"] = [
                str(s) for s in rng.choice(["S", "M", "L", "XL"], size=2, replace=False)
            ]
        words = " ".join(rng.choice(WORDS, size=3))
        brand = BRANDS[rng.integers(len(BRANDS))]
        recs.append(
            ProductRecord(
                id=f"id{i}",
                title=f"{words} item",
                category=CATS[rng.integers(len(CATS))],
                brand=brand,
                price=float(np.round(rng.uniform(1, 500), 2)),
                available=bool(rng.random() < 0.7),
                attributes=attrs,
            )
        )
    vecs = rng.standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return recs, vecs


def build(recs, vecs, kind: str) -> HybridIndex:
    """``hnsw-selector``: HNSW searched with the filter as a FAISS ID selector even for
    tiny filtered sets (normally those are scored exactly)."""
    dense = VectorIndex(vecs.shape[1], kind.split("-")[0])
    dense.add(vecs)
    texts = [product_text(r.title, r.category, r.brand, r.attributes) for r in recs]
    table = ProductTable.from_records(recs)
    exact_max = 0 if kind == "hnsw-selector" else 10_000
    return HybridIndex(table, vecs, dense, LexicalIndex.build(texts), exact_subset_max=exact_max)


def satisfies(rec: ProductRecord, f: Filters) -> bool:
    """The obvious reading of every filter, one product at a time."""
    low = lambda xs: {str(x).lower() for x in xs}  # noqa: E731
    if f.min_price is not None and rec.price < f.min_price:
        return False
    if f.max_price is not None and rec.price > f.max_price:
        return False
    if f.available_only and not rec.available:
        return False
    if f.categories and (rec.category or "").lower() not in low(f.categories):
        return False
    if f.brands and (rec.brand or "").lower() not in low(f.brands):
        return False
    if f.exclude_brands and rec.brand and rec.brand.lower() in low(f.exclude_brands):
        return False
    if rec.id in f.exclude_ids:
        return False
    attrs = {k.lower(): v for k, v in rec.attributes.items()}
    for name, accepted in f.options:
        value = attrs.get(name.lower())
        values = value if isinstance(value, list) else [] if value is None else [value]
        if not low(values) & low(accepted):
            return False
    return True


@st.composite
def filters_st(draw):
    lo = draw(st.one_of(st.none(), st.floats(0, 400)))
    hi = draw(st.one_of(st.none(), st.floats(0, 500)))
    return Filters(
        min_price=lo,
        max_price=hi,
        categories=tuple(draw(st.lists(st.sampled_from(CATS + ["shoes", "none"]), max_size=2))),
        brands=tuple(
            draw(st.lists(st.sampled_from(["Acme", "ZENITH", "orbit", "Missing"]), max_size=2))
        ),
        exclude_brands=tuple(draw(st.lists(st.sampled_from(["acme", "Nova"]), max_size=1))),
        exclude_ids=tuple(
            draw(st.lists(st.sampled_from([f"id{i}" for i in range(30)]), max_size=5))
        ),
        options=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["color", "SIZE", "weight"]),
                        st.lists(
                            st.sampled_from(["red", "blue", "m", "xl", "Black"]),
                            min_size=1,
                            max_size=2,
                        ).map(tuple),
                    ),
                    max_size=2,
                )
            )
        ),
        available_only=draw(st.booleans()),
    )


HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HYP
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), f=filters_st())
def test_mask_equals_brute_force(seed, n, f):
    recs, _ = random_catalogue(np.random.default_rng(seed), n)
    mask = ProductTable.from_records(recs).mask(f)
    assert mask.tolist() == [satisfies(r, f) for r in recs]


@pytest.mark.parametrize("kind", ["flat", "hnsw", "hnsw-selector"])
@HYP
@given(seed=st.integers(0, 10_000), n=st.integers(1, 400), k=st.integers(1, 20), f=filters_st())
def test_dense_filtered_topk_is_exact(kind, seed, n, k, f):
    rng = np.random.default_rng(seed)
    recs, vecs = random_catalogue(rng, n)
    index = build(recs, vecs, kind)
    q = vecs[rng.integers(n)] + 0.1 * rng.standard_normal(vecs.shape[1]).astype(np.float32)
    q /= np.linalg.norm(q)
    _, rows = index.dense_topk(q, index.filter_mask(f), k)
    ok = [i for i, r in enumerate(recs) if satisfies(r, f)]
    ref = sorted(ok, key=lambda i: (-float(vecs[i] @ q), i))[:k]
    assert all(satisfies(recs[r], f) for r in rows)
    assert len(rows) == len(ref)
    # same ids and order, modulo ties: the score sequences agree
    np.testing.assert_allclose(vecs[rows] @ q, vecs[ref] @ q, atol=1e-5)
    gaps = np.diff(np.sort(vecs[ok] @ q)) if len(ok) > 1 else np.array([1.0])
    if gaps.min(initial=1.0) > 1e-4:
        assert rows.tolist() == ref


def brute_force_hybrid(index: HybridIndex, recs, vecs, q, text, f, k) -> list[tuple[int, float]]:
    ok = [i for i, r in enumerate(recs) if satisfies(r, f)]
    p = pool_size(k)
    dense = sorted(ok, key=lambda i: (-float(vecs[i] @ q), i))[:p]
    lex_all = index.lexical.scores(text)
    lex = sorted((i for i in ok if lex_all[i] > 0), key=lambda i: (-float(lex_all[i]), i))[:p]
    fused: dict[int, float] = {}
    for ranked in (dense, lex):
        for rank, i in enumerate(ranked, start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (60 + rank)
    order = sorted(fused, key=lambda i: (-fused[i], -float(vecs[i] @ q), i))[:k]
    return [(i, fused[i]) for i in order]


@HYP
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), k=st.integers(1, 15), f=filters_st())
def test_hybrid_matches_brute_force_fusion(seed, n, k, f):
    rng = np.random.default_rng(seed)
    recs, vecs = random_catalogue(rng, n)
    index = build(recs, vecs, "flat")
    text = " ".join(rng.choice(WORDS, size=2))
    q = rng.standard_normal(vecs.shape[1]).astype(np.float32)
    q /= np.linalg.norm(q)
    hits = index.search(q, text, f, k)
    assert all(satisfies(recs[h.row], f) for h in hits)
    ref = brute_force_hybrid(index, recs, vecs, q, text, f, k)
    assert len(hits) == len(ref)
    np.testing.assert_allclose([h.score for h in hits], [s for _, s in ref], rtol=1e-9)
    boundary_tie = len(ref) == k and any(abs(s - ref[-1][1]) < 1e-12 for i, s in ref[:-1])
    if not boundary_tie:
        assert {h.row for h in hits} == {i for i, _ in ref}


def test_very_selective_filter_on_approximate_index_is_exact():
    """One product in 5,000 matches: the HNSW over-fetch cannot find it, the exact fallback must."""
    rng = np.random.default_rng(7)
    recs, vecs = random_catalogue(rng, 5000)
    recs[1234] = ProductRecord(**{**recs[1234].__dict__, "brand": "Unique", "category": "Rare"})
    index = build(recs, vecs, "hnsw")
    q = -vecs[1234]  # the one match is the worst possible dense match
    hits = index.search(q, "deluxe", Filters(brands=("unique",)), 5)
    assert [h.row for h in hits] == [1234]
    f = Filters(categories=("Garden",), max_price=60.0, available_only=True)
    _, rows = index.dense_topk(q, index.filter_mask(f), 10)
    ok = [i for i, r in enumerate(recs) if satisfies(r, f)]
    assert rows.tolist() == sorted(ok, key=lambda i: (-float(vecs[i] @ q), i))[:10]


def test_zero_matches_is_an_empty_answer():
    recs, vecs = random_catalogue(np.random.default_rng(1), 50)
    index = build(recs, vecs, "flat")
    assert index.search(vecs[0], "trail", Filters(brands=("nobody",)), 5) == []
    assert index.search(vecs[0], "trail", Filters(min_price=10, max_price=5), 5) == []
