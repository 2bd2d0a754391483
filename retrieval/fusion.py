"""Reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60


def rrf(
    ranked: Sequence[np.ndarray], weights: Sequence[float] | None = None, k0: int = RRF_K
) -> dict[int, float]:
    """Fuse ranked lists of rows: ``score(row) = sum_i w_i / (k0 + rank_i(row))``, rank from 1."""
    weights = weights or [1.0] * len(ranked)
    fused: dict[int, float] = {}
    for rows, w in zip(ranked, weights, strict=True):
        for rank, row in enumerate(rows.tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + w / (k0 + rank)
    return fused
