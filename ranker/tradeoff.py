"""The relevance/diversity trade-off of Chen, Zhang & Zhou (NeurIPS 2018), §5.

``L = diag(exp(α r)) S diag(exp(α r))`` with ``α = θ / (2 (1 − θ))`` and ``S`` the cosine
similarity, so that ``log det L_Y = 2α Σ_{i∈Y} r_i + log det S_Y``, i.e. proportional to
``θ Σ r + (1 − θ) log det S_Y``. θ → 1 is relevance only, θ = 0 diversity only.
"""

from __future__ import annotations

import numpy as np
import torch

from assistant.core.errors import UserError
from ranker.batching import as_batch
from ranker.dpp import (
    Array,
    Backend,
    _arange,
    _check_k,
    _chunks,
    _greedy,
    _greedy_one,
    _join,
    _use_numpy,
)

__all__ = [
    "THETA_AT_MAX_DIVERSITY",
    "greedy_dpp_tradeoff",
    "theta_for_diversity",
    "tradeoff_alpha",
    "tradeoff_kernel",
    "tradeoff_quality",
]

THETA_AT_MAX_DIVERSITY = 0.7
"""θ used at diversity 1 (θ = 0 would ignore relevance entirely)."""


def theta_for_diversity(diversity: float) -> float:
    """Shopper diversity in [0, 1] → Chen et al.'s θ (1 = relevance only)."""
    if not 0.0 <= diversity <= 1.0:
        raise UserError(f"diversity must be between 0 and 1, got {diversity!r}")
    return 1.0 - diversity * (1.0 - THETA_AT_MAX_DIVERSITY)


def tradeoff_alpha(theta: float) -> float:
    """``α = θ / (2 (1 − θ))`` (Chen et al. §5); θ in [0, 1)."""
    if not 0.0 <= theta < 1.0:
        raise ValueError(f"theta must be in [0, 1), got {theta!r} (use a relevance sort for 1)")
    return theta / (2.0 * (1.0 - theta))


def tradeoff_quality(relevance: torch.Tensor, theta: float) -> torch.Tensor:
    """Per-item quality ``exp(α r)``, shifted by the row maximum for stability.

    The shift multiplies every list's kernel by a constant, which leaves the
    greedy selection unchanged.
    """
    alpha = tradeoff_alpha(theta)
    scaled = alpha * relevance
    return torch.exp(scaled - scaled.amax(dim=-1, keepdim=True))


def tradeoff_kernel(
    relevance: torch.Tensor, embeddings: torch.Tensor, theta: float
) -> torch.Tensor:
    """``L = diag(exp(α r)) S diag(exp(α r))`` with ``S`` the cosine similarity.

    Args:
        relevance: [B, N] relevance scores (higher is better).
        embeddings: [B, N, D] item embeddings (normalised here).
        theta: trade-off in [0, 1): 0 = diversity only, towards 1 = relevance only.

    Returns:
        [B, N, N] PSD kernel.
    """
    feats = torch.nn.functional.normalize(embeddings, dim=-1)
    q = tradeoff_quality(relevance, theta)
    sim = torch.matmul(feats, feats.transpose(1, 2))
    return q.unsqueeze(2) * sim * q.unsqueeze(1)


def greedy_dpp_tradeoff(
    relevance: torch.Tensor,
    embeddings: torch.Tensor,
    k: int,
    theta: float,
    *,
    window: int | None = None,
    eps: float = 1e-6,
    backend: Backend = "auto",
) -> torch.Tensor:
    """The greedy MAP of :func:`tradeoff_kernel`, computed in log space.

    ``L = diag(q) S diag(q)`` with ``q = exp(α r)`` has Cholesky gains
    ``d_j²(L) = q_j² d_j²(S)``, so each pick maximises ``2 α r_j + log d_j²(S)`` with the
    factor of ``S`` alone: the same list as ``greedy_dpp(tradeoff_kernel(...))`` in exact
    arithmetic, but ``exp(2 α r)`` never under/overflows when θ is close to 1 (θ = 0.98
    gives α = 24.5). ``eps`` applies to ``d_j²(S)``: a list stops when every remaining
    item is (numerically) a combination of the picked ones. No N×N matrix is built.

    Args:
        relevance: [B, N] (or [N]) relevance, higher is better.
        embeddings: [B, N, D] (or [N, D]) item embeddings; normalised here (S = cosine).
        k, window, backend: as in :func:`greedy_dpp`.
        theta: trade-off in [0, 1): 0 = diversity only, towards 1 = relevance only.

    Returns:
        LongTensor [B, k]: indices in selection order, ``-1`` padded.
    """
    _check_k(k, window)
    relevance, feats = as_batch(relevance, embeddings)
    device = feats.device
    logq = (2.0 * tradeoff_alpha(theta)) * relevance.to(device=device, dtype=feats.dtype)
    if _use_numpy(feats, backend):
        feats, logq = feats.detach().numpy(), logq.detach().numpy()
    _, n, d = feats.shape
    per_list = (min(k, n) + 4 + d) * n * feats.itemsize
    parts = []
    for sl in _chunks(feats.shape[0], per_list) if isinstance(feats, np.ndarray) else [slice(None)]:
        f, lq = feats[sl], logq[sl]
        diag = (f * f).sum(-1)
        if isinstance(f, np.ndarray) and f.shape[0] == 1 and (window or k) >= k:
            one = f[0]
            parts.append(_greedy_one(diag[0], lambda j, one=one: one @ one[j], k, eps, lq[0]))
            continue
        rows = _arange(diag, diag.shape[0])

        def row(j: Array, f: Array = f, rows: Array = rows) -> Array:
            return (f @ f[rows, j][:, :, None])[:, :, 0]

        parts.append(_greedy(diag, row, k, window, eps, lq))
    return _join(parts, device)
