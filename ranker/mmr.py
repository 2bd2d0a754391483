"""Maximal marginal relevance (Carbonell & Goldstein, 1998), batched in torch.

Each pick maximises ``λ · rel_i − (1 − λ) · max_{s ∈ S} cos(i, s)``. The maximum
over the selected set ``S`` is kept as a running maximum that is updated with the
similarities to the newest pick only, so a list costs O(N k), not O(N k²).
"""

from __future__ import annotations

import logging
import math

import torch

from ranker.batching import as_batch

logger = logging.getLogger(__name__)

__all__ = ["mmr"]


def mmr(
    relevance: torch.Tensor, embeddings: torch.Tensor, k: int, trade_off: float
) -> torch.Tensor:
    """Batched MMR re-ranking.

    Args:
        relevance: [B, N] (or [N]) relevance scores, higher is better.
        embeddings: [B, N, D] (or [N, D]) item embeddings; cosine similarity is used.
        k: list length.
        trade_off: λ in [0, 1]; 1 = relevance only, 0 = diversity only.

    Returns:
        LongTensor [B, k] of indices in selection order; ``-1`` when ``k > N``.
    """
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if not 0.0 <= trade_off <= 1.0:
        raise ValueError(f"trade_off must be in [0, 1], got {trade_off!r}")
    relevance, feats = as_batch(relevance, embeddings)
    rel = relevance.to(feats.dtype)
    bsz, n = rel.shape
    rows = torch.arange(bsz, device=rel.device)
    out = torch.full((bsz, k), -1, dtype=torch.long, device=rel.device)
    taken = torch.zeros(bsz, n, dtype=torch.bool, device=rel.device)
    max_sim = torch.zeros_like(rel)  # the first pick is the most relevant item
    for t in range(min(k, n)):
        score = rel if t == 0 else trade_off * rel - (1.0 - trade_off) * max_sim
        score = score.masked_fill(taken, -math.inf)
        j = torch.argmax(score, dim=1)
        out[:, t] = j
        taken[rows, j] = True
        sim = torch.bmm(feats, feats[rows, j].unsqueeze(2)).squeeze(2)  # [B, N]
        max_sim = sim if t == 0 else torch.maximum(max_sim, sim)
    return out
