"""Fast greedy MAP inference for determinantal point processes, batched in torch.

Chen, Zhang & Zhou, "Fast Greedy MAP Inference for Determinantal Point Process to
Improve Recommendation Diversity" (NeurIPS 2018). Each pick adds one row to the
incremental Cholesky factor of the selected set, so a list of ``k`` items out of
``N`` costs O(N k²) (Algorithm 1); with a sliding window of ``w`` items the old
rows are rotated out with Givens rotations (Algorithm 2), O(N k w).

Everything is vectorised over the batch ``B`` and the candidates ``N``; the only
Python loop is over the ``k`` picks (and, for the window, over the ``w`` rows of
the window). A single ``[N, N]`` kernel is a batch of one.

The relevance/diversity trade-off of §5 of the paper is :func:`tradeoff_kernel`:
``L = diag(exp(α r)) S diag(exp(α r))`` with ``α = θ / (2 (1 − θ))``, so that
``log det L_Y ∝ θ Σ r + (1 − θ) log det S_Y``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import torch

logger = logging.getLogger(__name__)

__all__ = [
    "greedy_dpp",
    "greedy_dpp_lowrank",
    "tradeoff_alpha",
    "tradeoff_kernel",
    "tradeoff_quality",
]

RowFn = Callable[[torch.Tensor], torch.Tensor]


def _check_k(k: int, window: int | None) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise ValueError(f"window must be a positive integer or None, got {window!r}")


def _greedy(
    diag: torch.Tensor, row_fn: RowFn, k: int, window: int | None, eps: float
) -> torch.Tensor:
    """Shared core of Algorithms 1 and 2.

    Args:
        diag: [B, N] diagonal of the kernel (the initial log-det gains ``d_i²``).
        row_fn: maps picked indices ``j`` [B] to kernel rows ``L[b, j, :]`` [B, N].
        k: list length.
        window: sliding-window size, or ``None`` for the plain greedy MAP.
        eps: stop a list when the best remaining gain ``d_j²`` is below this.

    Returns:
        LongTensor [B, k] of indices in selection order, ``-1`` after an early stop.
    """
    bsz, n = diag.shape
    device, dtype = diag.device, diag.dtype
    steps = min(k, n)
    rows = torch.arange(bsz, device=device)
    d2 = diag.clone()
    cis = torch.zeros(bsz, steps, n, device=device, dtype=dtype)
    out = torch.full((bsz, k), -1, dtype=torch.long, device=device)
    active = torch.ones(bsz, dtype=torch.bool, device=device)
    sliding = window is not None and window < k
    v = torch.zeros(bsz, steps, steps, device=device, dtype=dtype) if sliding else None
    left = 0  # first row of ``cis`` still inside the window (Algorithm 2)

    for t in range(steps):
        j = torch.argmax(d2, dim=1)
        gain = d2[rows, j]
        active &= gain >= eps
        out[:, t] = torch.where(active, j, out[:, t])
        if t == steps - 1 or not bool(active.any()):
            break
        # One new Cholesky row: e_i = (L_ji - <c_j, c_i>) / d_j.
        dj = torch.sqrt(torch.where(active, gain, torch.ones_like(gain)))
        cj = cis[rows, left:t, j] if t > left else None  # [B, t-left]
        e = row_fn(j)
        if cj is not None:
            e = e - torch.bmm(cj.unsqueeze(1), cis[:, left:t, :]).squeeze(1)
        e = e / dj.unsqueeze(1)
        cis[:, t, :] = e
        d2 = d2 - e * e
        if v is not None:
            if cj is not None:
                v[:, t, left:t] = cj
            v[:, t, t] = dj
            if t + 1 >= window:
                left += 1
                d2 = _slide(v, cis, d2, left, t)
        d2[rows, j] = -math.inf
    return out


def _slide(v: torch.Tensor, cis: torch.Tensor, d2: torch.Tensor, left: int, t: int) -> torch.Tensor:
    """Drop row ``left - 1`` (the oldest pick) from the factor with Givens rotations.

    A direct batched transcription of the inner loop of Algorithm 2.
    """
    old = left - 1
    for ind in range(left, t + 1):
        vii = v[:, ind, ind]
        vio = v[:, ind, old]
        r = torch.sqrt(vii * vii + vio * vio)
        c = (r / vii).unsqueeze(1)
        s = (vio / vii).unsqueeze(1)
        v[:, ind, ind] = r
        below = slice(ind + 1, t + 1)
        v[:, below, ind] = (v[:, below, ind] + s * v[:, below, old]) / c
        v[:, below, old] = v[:, below, old] * c - s * v[:, below, ind]
        cis[:, ind, :] = (cis[:, ind, :] + s * cis[:, old, :]) / c
        cis[:, old, :] = cis[:, old, :] * c - s * cis[:, ind, :]
    return d2 + cis[:, old, :] ** 2


def greedy_dpp(
    kernel: torch.Tensor, k: int, *, window: int | None = None, eps: float = 1e-10
) -> torch.Tensor:
    """Greedy MAP of a DPP: the list maximising ``log det L_Y`` one item at a time.

    Args:
        kernel: [B, N, N] (or [N, N]) positive semi-definite kernels, any device.
        k: number of items per list.
        window: if set, the sliding-window variant: each pick maximises the
            log-det of the last ``window - 1`` picks plus the candidate.
        eps: a list stops when its best log-det gain ``d_j²`` falls below ``eps``;
            the rest of that row is ``-1``.

    Returns:
        LongTensor [B, k]: indices in selection order, ``-1`` padded.
    """
    _check_k(k, window)
    if kernel.dim() == 2:
        kernel = kernel.unsqueeze(0)
    if kernel.dim() != 3 or kernel.shape[1] != kernel.shape[2] or kernel.shape[1] == 0:
        raise ValueError(
            f"kernel must be [B, N, N] or [N, N] with N > 0, got {tuple(kernel.shape)}"
        )
    if not kernel.is_floating_point():
        kernel = kernel.float()
    rows = torch.arange(kernel.shape[0], device=kernel.device)
    diag = torch.diagonal(kernel, dim1=1, dim2=2)
    return _greedy(diag, lambda j: kernel[rows, j], k, window, eps)


def greedy_dpp_lowrank(
    quality: torch.Tensor,
    features: torch.Tensor,
    k: int,
    *,
    window: int | None = None,
    eps: float = 1e-10,
) -> torch.Tensor:
    """:func:`greedy_dpp` on ``L = diag(q) F Fᵀ diag(q)`` without any N×N matrix.

    Each pick computes one kernel row, ``q_j q ⊙ (F f_j)``: O(N D) memory and time.

    Args:
        quality: [B, N] (or [N]) non-negative item qualities.
        features: [B, N, D] (or [N, D]) unit-norm item features.
        k, window, eps: as in :func:`greedy_dpp`.

    Returns:
        LongTensor [B, k]: indices in selection order, ``-1`` padded.
    """
    _check_k(k, window)
    if quality.dim() == 1:
        quality = quality.unsqueeze(0)
    if features.dim() == 2:
        features = features.unsqueeze(0)
    if (
        features.dim() != 3
        or quality.dim() != 2
        or quality.shape != features.shape[:2]
        or quality.shape[1] == 0
    ):
        raise ValueError(
            f"quality [B, N] and features [B, N, D] must agree, got {tuple(quality.shape)} "
            f"and {tuple(features.shape)}"
        )
    if not features.is_floating_point():
        features = features.float()
    quality = quality.to(features.dtype)
    rows = torch.arange(quality.shape[0], device=quality.device)
    diag = quality * quality * (features * features).sum(-1)

    def row(j: torch.Tensor) -> torch.Tensor:
        fj = features[rows, j]  # [B, D]
        sim = torch.bmm(features, fj.unsqueeze(2)).squeeze(2)  # [B, N]
        return quality * quality[rows, j].unsqueeze(1) * sim

    return _greedy(diag, row, k, window, eps)


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
