"""FAISS inner-product index over the rows of a ``ProductTable``.

FAISS ids are table rows (a side array maps rows to product ids); rows are
append-only, so an update adds a new row and the old one is tombstoned by the
table's ``alive`` mask. ``flat`` is exact; ``hnsw`` and ``ivfpq`` are approximate
and chosen by size (``auto``: exact below ``AUTO_EXACT_MAX`` rows) or by setting.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import faiss
import numpy as np

logger = logging.getLogger(__name__)

AUTO_EXACT_MAX = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def choose_index_type(n: int, setting: str = "auto") -> str:
    if setting != "auto":
        return setting
    return "flat" if n < AUTO_EXACT_MAX else "hnsw"


class VectorIndex:
    """Dense index. ``search`` returns ``(scores [B, k], rows [B, k])``; missing = -1."""

    def __init__(self, dim: int, kind: str = "flat", *, ef_search: int = HNSW_EF_SEARCH) -> None:
        self.dim = dim
        self.kind = kind
        self.ef_search = ef_search
        self.index = self._new(kind, dim)

    @staticmethod
    def _new(kind: str, dim: int) -> faiss.Index:
        if kind == "flat":
            return faiss.IndexFlatIP(dim)
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            return index
        if kind == "ivfpq":
            return None  # built on first add, once the training size is known
        raise ValueError(f"unknown index type {kind!r}: use flat, hnsw or ivfpq")

    @property
    def exact(self) -> bool:
        return self.kind == "flat"

    @property
    def ntotal(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        """Append ``vectors [n, D]``; they get the next row numbers."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) == 0:
            return
        if self.kind == "ivfpq" and self.index is None:
            self.index = self._train_ivfpq(vectors)
        self.index.add(vectors)

    def _train_ivfpq(self, vectors: np.ndarray) -> faiss.Index:
        """IVF (about 4 sqrt(n) lists, each trained on >= 39 points) with 8-bit PQ codes."""
        n = len(vectors)
        nlist = max(1, min(int(4 * math.sqrt(n)), n // 39))
        m = next(m for m in (48, 32, 16, 8, 4, 2, 1) if self.dim % m == 0)
        nbits = 8 if n >= 256 * 39 else 4
        quant = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFPQ(quant, self.dim, nlist, m, nbits, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).permutation(n)[: max(nlist * 64, 50_000)]]
        index.train(sample)
        index.nprobe = min(nlist, 32)
        return index

    def search(
        self, queries: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows per query; with ``mask [ntotal]`` only rows where it is True.

        The mask is a FAISS ``IDSelectorBitmap``: HNSW walks the whole graph but keeps
        only selected rows, so a filter needs no over-fetching.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = min(k, self.ntotal)
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        if mask is None:
            if self.kind == "hnsw":
                self.index.hnsw.efSearch = max(self.ef_search, k)
            return self.index.search(queries, k)
        bits = np.packbits(np.asarray(mask, dtype=bool)[: self.ntotal], bitorder="little")
        sel = faiss.IDSelectorBitmap(self.ntotal, faiss.swig_ptr(bits))
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(self.ef_search, k))
        elif self.kind == "ivfpq":
            params = faiss.SearchParametersIVF(sel=sel, nprobe=self.index.nprobe)
        else:
            params = faiss.SearchParameters(sel=sel)
        scores, rows = self.index.search(queries, k, params=params)
        del bits  # the selector points into it until here
        return scores, rows

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> VectorIndex:
        index = faiss.read_index(str(path))
        out = cls.__new__(cls)
        out.dim, out.kind, out.ef_search, out.index = index.d, kind, HNSW_EF_SEARCH, index
        return out


def dot(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``vectors [n, D] @ query [D]`` without BLAS threads (einsum): on a busy 2-core
    machine a threaded gemv for one query is ~10x slower than this."""
    return np.einsum("ij,j->i", vectors, query)


def exact_topk(
    vectors: np.ndarray, query: np.ndarray, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-``k`` of ``query [D]`` over ``vectors[rows]``.

    Returns ``(scores [k'], rows [k'])`` sorted by score descending, ties by row.
    """
    if len(rows) == 0 or k <= 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    scores = dot(vectors[rows], query)
    return top_k(scores, rows, k)


def top_k(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` of ``scores`` (descending; ties by ascending row), with their rows."""
    k = min(k, len(scores))
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
        # keep every row tied with the k-th score, so tie-breaking by row is exact
        kth = scores[part].min()
        part = np.flatnonzero(scores >= kth)
    else:
        part = np.arange(len(scores))
    order = np.lexsort((rows[part], -scores[part]))[:k]
    sel = part[order]
    return scores[sel], rows[sel]
