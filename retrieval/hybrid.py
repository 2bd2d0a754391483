"""Hybrid search over one catalogue: exact filters, dense (FAISS) + BM25, fused by RRF.

A filtered query returns the best k rows that satisfy the filter:

* the filter is a numpy mask over the columnar table (exact);
* dense top-P: the FAISS index when nothing is filtered; with a filter that keeps
  many rows, the approximate index searched with the mask as a FAISS ID selector;
  otherwise (few matching rows, the flat index, or the selector search finding
  fewer than P) an exact inner product over exactly the matching rows;
* lexical top-P: BM25 scores of every row, masked, top-P among those > 0;
* reciprocal rank fusion of both lists; ties by dense score, then row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from retrieval.fusion import rrf
from retrieval.lexical import LexicalIndex
from retrieval.table import ProductTable
from retrieval.types import Filters
from retrieval.vector_index import VectorIndex, dot, exact_topk, top_k

logger = logging.getLogger(__name__)

MIN_POOL = 50
EXACT_SUBSET_MAX = 3_000  # filters keeping at most this many rows are scored exactly


def pool_size(k: int) -> int:
    """How deep each ranked list goes before fusion."""
    return max(MIN_POOL, 2 * k)


@dataclass(frozen=True)
class Hit:
    row: int
    score: float
    dense: float
    lexical: float


class HybridIndex:
    """The searchable catalogue: table (metadata), row vectors, FAISS index, BM25 index."""

    def __init__(
        self,
        table: ProductTable,
        vectors: np.ndarray,
        dense: VectorIndex,
        lexical: LexicalIndex,
        *,
        lexical_weight: float = 1.0,
        exact_subset_max: int = EXACT_SUBSET_MAX,
    ) -> None:
        self.table = table
        self.vectors = vectors
        self.dense = dense
        self.lexical = lexical
        self.lexical_weight = lexical_weight
        self.exact_subset_max = exact_subset_max

    def filter_mask(self, filters: Filters) -> np.ndarray | None:
        """``None`` when every stored row is eligible (nothing filtered, nothing removed)."""
        if filters.is_empty() and self.table.n_alive == len(self.table):
            return None
        return self.table.mask(filters)

    def dense_topk(
        self, qvec: np.ndarray, mask: np.ndarray | None, p: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``p`` ``(scores, rows)`` by inner product among rows in ``mask``."""
        n = len(self.table)
        if mask is None and self.dense.exact:
            return top_k(dot(self.vectors, qvec), np.arange(n), p)
        if mask is None:
            scores, rows = self.dense.search(qvec[None, :], p)
            keep = rows[0] >= 0
            return scores[0][keep], rows[0][keep].astype(np.int64)
        n_match = int(mask.sum())
        if n_match == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if not self.dense.exact and n_match > self.exact_subset_max:
            scores, rows = self.dense.search(qvec[None, :], p, mask=mask)
            ok = rows[0] >= 0
            if ok.sum() >= min(p, n_match):
                return scores[0][ok], rows[0][ok].astype(np.int64)
        rows = np.flatnonzero(mask)
        if n_match > n // 2:
            return top_k(dot(self.vectors, qvec)[rows], rows, p)
        return exact_topk(self.vectors, qvec, rows, p)

    def lexical_topk(
        self, text: str, mask: np.ndarray | None, p: int
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = self.lexical.scores(text)
        if mask is not None:
            scores = np.where(mask, scores, 0.0).astype(np.float32)
        rows = np.flatnonzero(scores > 0)
        return top_k(scores[rows], rows, p)

    def search(self, qvec: np.ndarray | None, text: str, filters: Filters, k: int) -> list[Hit]:
        """Best ``k`` rows satisfying ``filters`` for the query (vector ``qvec`` of ``text``)."""
        if k <= 0 or len(self.table) == 0:
            return []
        mask = self.filter_mask(filters)
        if not text.strip() or qvec is None:
            return self._browse(mask, k)
        p = pool_size(k)
        d_scores, d_rows = self.dense_topk(qvec, mask, p)
        l_scores, l_rows = self.lexical_topk(text, mask, p)
        fused = rrf([d_rows, l_rows], [1.0, self.lexical_weight])
        if not fused:
            return []
        rows = np.fromiter(fused.keys(), dtype=np.int64, count=len(fused))
        f = np.fromiter(fused.values(), dtype=np.float64, count=len(fused))
        dense = dot(self.vectors[rows], qvec)
        lex = dict(zip(l_rows.tolist(), l_scores.tolist(), strict=True))
        order = np.lexsort((rows, -dense, -f))[:k]
        return [
            Hit(int(rows[i]), float(f[i]), float(dense[i]), float(lex.get(int(rows[i]), 0.0)))
            for i in order
        ]

    def _browse(self, mask: np.ndarray | None, k: int) -> list[Hit]:
        """No query text: the filtered rows, available ones first, in catalogue order."""
        rows = np.arange(len(self.table)) if mask is None else np.flatnonzero(mask)
        avail = self.table.available[rows]
        rows = np.concatenate([rows[avail], rows[~avail]])[:k]
        return [Hit(int(r), 0.0, 0.0, 0.0) for r in rows]
