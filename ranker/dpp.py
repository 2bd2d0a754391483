"""Fast greedy MAP inference for determinantal point processes, batched in torch.

Chen, Zhang & Zhou, "Fast Greedy MAP Inference for Determinantal Point Process to
Improve Recommendation Diversity" (NeurIPS 2018). Each pick adds one row to the
incremental Cholesky factor of the selected set, so a list of ``k`` items out of
``N`` costs O(N k²) (Algorithm 1); with a sliding window of ``w`` items the old
rows are rotated out with Givens rotations (Algorithm 2), O(N k w).

Everything is vectorised over the batch ``B`` and the candidates ``N``; the only
Python loop is over the ``k`` picks (and, for the window, over the ``w`` rows of
the window). A single ``[N, N]`` kernel is a batch of one.

The relevance/diversity trade-off of §5 of the paper lives in ``ranker.tradeoff``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import torch

logger = logging.getLogger(__name__)

__all__ = ["greedy_dpp", "greedy_dpp_lowrank"]

Array = Any  # torch.Tensor or np.ndarray
RowFn = Callable[[Array], Array]
Backend = Literal["auto", "torch", "numpy"]
_CPU_CHUNK_BYTES = 2 << 20


def _check_k(k: int, window: int | None) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise ValueError(f"window must be a positive integer or None, got {window!r}")


def _greedy(
    diag: Array,
    row_fn: RowFn,
    k: int,
    window: int | None,
    eps: float,
    logq: Array | None = None,
) -> torch.Tensor:
    """Shared core of Algorithms 1 and 2, written once for torch tensors and numpy arrays.

    The loop never reads a value back from the device: every list runs all ``min(k, N)``
    steps, the gains ``d_j²`` of the picks are recorded, and a list is cut at its first
    gain below ``eps`` at the end (the steps after a stop only touch that list's own row).

    Args:
        diag: [B, N] diagonal of the kernel (the initial log-det gains ``d_i²``).
        row_fn: maps picked indices ``j`` [B] to kernel rows ``L[b, j, :]`` [B, N].
        k: list length.
        window: sliding-window size, or ``None`` for the plain greedy MAP.
        eps: stop a list when the best remaining gain ``d_j²`` is below this.
        logq: optional [B, N] log-qualities ``log q_i²``: then ``diag``/``row_fn`` describe
            the similarity ``S`` and each pick maximises ``log q_j² + log d_j²(S)``, which
            is the greedy MAP of ``diag(q) S diag(q)`` computed in log space; ``eps``
            then applies to ``d_j²(S)``.

    Returns:
        LongTensor [B, k] of indices in selection order, ``-1`` after an early stop.
    """
    xp = np if isinstance(diag, np.ndarray) else torch
    bsz, n = diag.shape
    steps = min(k, n)
    new = _zeros_like(diag)
    rows = _arange(diag, bsz)
    d2 = diag + 0
    cis = new(bsz, steps, n)
    picks, gains = [], []
    v = new(bsz, steps, steps) if window is not None and window < k else None
    left = 0  # first row of ``cis`` still inside the window (Algorithm 2)
    # Lists that already stopped may divide by zero; their rows are discarded below.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for t in range(steps):
            j = d2.argmax(1) if logq is None else _log_score(xp, d2, logq, eps).argmax(1)
            gain = d2[rows, j]
            picks.append(j)
            gains.append(gain)
            if t == steps - 1:
                break
            # One new Cholesky row: e_i = (L_ji - <c_j, c_i>) / d_j.
            dj = xp.sqrt(gain)
            e = row_fn(j)
            cj = cis[rows, left:t, j] if t > left else None  # [B, t - left]
            if cj is not None:
                e = e - xp.matmul(cj[:, None, :], cis[:, left:t, :])[:, 0, :]
            e = e / dj[:, None]
            cis[:, t, :] = e
            d2 = d2 - e * e
            if v is not None:
                if cj is not None:
                    v[:, t, left:t] = cj
                v[:, t, t] = dj
                if t + 1 >= window:
                    left += 1
                    d2 = _slide(xp, v, cis, d2, left, t)
            d2[rows, j] = -math.inf
    if xp is np:
        out = np.full((bsz, k), -1, dtype=np.int64)
        out[:, :steps] = np.stack(picks, 1)
        ok = np.ones((bsz, k), dtype=bool)
        ok[:, :steps] = np.logical_and.accumulate(np.stack(gains, 1) >= eps, axis=1)
        out[~ok] = -1
        return torch.from_numpy(out)
    out = torch.stack(picks, 1)
    stopped = torch.cumsum((~(torch.stack(gains, 1) >= eps)).to(torch.int32), dim=1) > 0
    out = out.masked_fill(stopped, -1)
    if k > steps:
        out = torch.cat([out, out.new_full((bsz, k - steps), -1)], dim=1)
    return out


def _greedy_one(
    diag: np.ndarray, row_fn: RowFn, k: int, eps: float, logq: np.ndarray | None = None
) -> torch.Tensor:
    """:func:`_greedy` for one list in numpy without a window (the service's case).

    The same steps as the batched loop, with plain integer indexing instead of
    batched gathers, which is what a single short list spends its time on.
    """
    n = diag.shape[0]
    steps = min(k, n)
    d2 = np.array(diag, copy=True)
    cis = np.zeros((steps, n), dtype=diag.dtype)
    out = np.full((1, k), -1, dtype=np.int64)
    for t in range(steps):
        j = int(d2.argmax() if logq is None else _log_score(np, d2, logq, eps).argmax())
        gain = float(d2[j])
        if not gain >= eps:
            break
        out[0, t] = j
        if t == steps - 1:
            break
        e = (row_fn(j) - cis[:t, j] @ cis[:t]) / math.sqrt(gain)
        cis[t] = e
        d2 -= e * e
        d2[j] = -math.inf
    return torch.from_numpy(out)


def _log_score(xp: Any, d2: Array, logq: Array, eps: float) -> Array:
    """``log q² + log d²`` where ``d² >= eps``, else ``-inf``."""
    ok = d2 >= eps
    return xp.where(ok, xp.log(xp.where(ok, d2, 1.0)) + logq, -math.inf)


def _zeros_like(x: Array) -> Callable[..., Array]:
    if isinstance(x, np.ndarray):
        return lambda *shape: np.zeros(shape, dtype=x.dtype)
    return lambda *shape: torch.zeros(shape, dtype=x.dtype, device=x.device)


def _arange(x: Array, n: int) -> Array:
    return np.arange(n) if isinstance(x, np.ndarray) else torch.arange(n, device=x.device)


def _slide(xp: Any, v: Array, cis: Array, d2: Array, left: int, t: int) -> Array:
    """Drop row ``left - 1`` (the oldest pick) from the factor with Givens rotations.

    A direct batched transcription of the inner loop of Algorithm 2.
    """
    old = left - 1
    for ind in range(left, t + 1):
        vii = v[:, ind, ind]
        vio = v[:, ind, old]
        r = xp.sqrt(vii * vii + vio * vio)
        c = (r / vii)[:, None]
        s = (vio / vii)[:, None]
        v[:, ind, ind] = r
        below = slice(ind + 1, t + 1)
        v[:, below, ind] = (v[:, below, ind] + s * v[:, below, old]) / c
        v[:, below, old] = v[:, below, old] * c - s * v[:, below, ind]
        cis[:, ind, :] = (cis[:, ind, :] + s * cis[:, old, :]) / c
        cis[:, old, :] = cis[:, old, :] * c - s * cis[:, ind, :]
    return d2 + cis[:, old, :] ** 2


def _use_numpy(x: torch.Tensor, backend: Backend) -> bool:
    if backend not in ("auto", "torch", "numpy"):
        raise ValueError(f"backend must be auto, torch or numpy, got {backend!r}")
    if backend == "numpy" and x.device.type != "cpu":
        raise ValueError("backend='numpy' needs CPU tensors")
    return backend == "numpy" or (backend == "auto" and x.device.type == "cpu")


def greedy_dpp(
    kernel: torch.Tensor,
    k: int,
    *,
    window: int | None = None,
    eps: float = 1e-10,
    backend: Backend = "auto",
) -> torch.Tensor:
    """Greedy MAP of a DPP: the list maximising ``log det L_Y`` one item at a time.

    Args:
        kernel: [B, N, N] (or [N, N]) positive semi-definite kernels, any device.
        k: number of items per list.
        window: if set, the sliding-window variant: each pick maximises the
            log-det of the last ``window - 1`` picks plus the candidate.
        eps: a list stops when its best log-det gain ``d_j²`` falls below ``eps``;
            the rest of that row is ``-1``.
        backend: ``auto`` runs CPU tensors through zero-copy numpy views (torch's
            per-op dispatch costs more than the work of one step at these sizes)
            and other devices through torch; ``torch`` / ``numpy`` force one.

    Returns:
        LongTensor [B, k] on the kernel's device: indices in selection order, ``-1`` padded.
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
    device = kernel.device
    if not _use_numpy(kernel, backend):
        return _dense(kernel, k, window, eps)
    kernel = kernel.detach().numpy()
    n = kernel.shape[1]
    parts = [
        _dense(kernel[s], k, window, eps)
        for s in _chunks(kernel.shape[0], (min(k, n) + 3) * n * kernel.itemsize)
    ]
    return _join(parts, device)


def _dense(kernel: Array, k: int, window: int | None, eps: float) -> torch.Tensor:
    if isinstance(kernel, np.ndarray) and kernel.shape[0] == 1 and (window or k) >= k:
        one = kernel[0]
        return _greedy_one(one.diagonal(), lambda j: one[j], k, eps)
    diag = kernel.diagonal(0, 1, 2)
    rows = _arange(diag, diag.shape[0])
    return _greedy(diag, lambda j: kernel[rows, j], k, window, eps)


def _join(parts: list[torch.Tensor], device: torch.device) -> torch.Tensor:
    out = parts[0] if len(parts) == 1 else torch.cat(parts)
    return out if device.type == "cpu" else out.to(device)


def _chunks(bsz: int, bytes_per_list: int) -> list[slice]:
    """Batch slices whose per-step working set stays in cache (CPU only).

    A step reads every list's factor ``c`` [k, N] (and ``F`` [N, D] for the low-rank
    form); a one-list loop keeps that in cache, a 1024-list step would stream it from
    memory k times over. Slices of about ``_CPU_CHUNK_BYTES`` keep the batched loop
    at least as cache-friendly as the loop per list.
    """
    size = max(1, _CPU_CHUNK_BYTES // max(1, bytes_per_list))
    return [slice(s, min(s + size, bsz)) for s in range(0, bsz, size)]


def greedy_dpp_lowrank(
    quality: torch.Tensor,
    features: torch.Tensor,
    k: int,
    *,
    window: int | None = None,
    eps: float = 1e-10,
    backend: Backend = "auto",
) -> torch.Tensor:
    """:func:`greedy_dpp` on ``L = diag(q) F Fᵀ diag(q)`` without any N×N matrix.

    Each pick computes one kernel row, ``q_j q ⊙ (F f_j)``: O(N D) memory and time.

    Args:
        quality: [B, N] (or [N]) non-negative item qualities.
        features: [B, N, D] (or [N, D]) unit-norm item features.
        k, window, eps, backend: as in :func:`greedy_dpp`.

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
    quality = quality.to(device=features.device, dtype=features.dtype)
    device = features.device
    if not _use_numpy(features, backend):
        return _lowrank(quality, features, k, window, eps)
    quality, features = quality.detach().numpy(), features.detach().numpy()
    _, n, d = features.shape
    per_list = (min(k, n) + 3 + d) * n * features.itemsize
    parts = [
        _lowrank(quality[s], features[s], k, window, eps)
        for s in _chunks(quality.shape[0], per_list)
    ]
    return _join(parts, device)


def _lowrank(
    quality: Array, features: Array, k: int, window: int | None, eps: float
) -> torch.Tensor:
    if isinstance(quality, np.ndarray) and quality.shape[0] == 1 and (window or k) >= k:
        q, f = quality[0], features[0]
        return _greedy_one(q * q * (f * f).sum(-1), lambda j: q[j] * q * (f @ f[j]), k, eps)
    rows = _arange(quality, quality.shape[0])
    diag = quality * quality * (features * features).sum(-1)

    def row(j: Array) -> Array:
        fj = features[rows, j]  # [B, D]
        sim = (features @ fj[:, :, None])[:, :, 0]  # [B, N]
        return quality * quality[rows, j][:, None] * sim

    return _greedy(diag, row, k, window, eps)
