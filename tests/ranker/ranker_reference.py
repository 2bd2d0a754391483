"""Slow, obvious numpy references the fast ranker code is checked against."""

from __future__ import annotations

import math

import numpy as np


def paper_algorithm1(kernel: np.ndarray, k: int, eps: float = 1e-10) -> list[int]:
    """Chen, Zhang & Zhou (NeurIPS 2018), Algorithm 1, as published (one list)."""
    n = kernel.shape[0]
    cis = np.zeros((k, n))
    di2s = np.copy(np.diag(kernel)).astype(float)
    selected: list[int] = []
    j = int(np.argmax(di2s))
    if di2s[j] < eps:
        return selected
    selected.append(j)
    while len(selected) < k:
        t = len(selected) - 1
        ci = cis[:t, j]
        dj = math.sqrt(di2s[j])
        eis = (kernel[j, :] - ci @ cis[:t, :]) / dj
        cis[t, :] = eis
        di2s -= eis**2
        di2s[j] = -np.inf
        j = int(np.argmax(di2s))
        if di2s[j] < eps:
            break
        selected.append(j)
    return selected


def brute_greedy_logdet(
    kernel: np.ndarray, k: int, window: int | None = None, eps: float = 1e-10
) -> list[int]:
    """Greedy on log det by definition: at each step try every candidate with slogdet.

    With ``window`` the log-det is that of the last ``window - 1`` picks plus the candidate,
    and the gain is measured against those ``window - 1`` picks alone.
    """
    n = kernel.shape[0]
    selected: list[int] = []
    while len(selected) < min(k, n):
        if window is None:
            context = list(selected)
        else:
            context = selected[max(0, len(selected) - (window - 1)) :] if window > 1 else []
        base = np.linalg.slogdet(kernel[np.ix_(context, context)])[1] if context else 0.0
        best, best_gain = -1, -np.inf
        for i in range(n):
            if i in selected:
                continue
            sub = context + [i]
            sign, logdet = np.linalg.slogdet(kernel[np.ix_(sub, sub)])
            gain = np.exp(logdet - base) if sign > 0 else 0.0
            if gain > best_gain:
                best, best_gain = i, gain
        if best_gain < eps:
            break
        selected.append(best)
    return selected


def mmr_loop(relevance: np.ndarray, emb: np.ndarray, k: int, lam: float) -> list[int]:
    """MMR with a plain double loop over candidates and the selected set."""
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    n = len(relevance)
    selected: list[int] = []
    while len(selected) < min(k, n):
        best, best_score = -1, -np.inf
        for i in range(n):
            if i in selected:
                continue
            if not selected:
                score = relevance[i]
            else:
                score = lam * relevance[i] - (1 - lam) * max(
                    float(emb[i] @ emb[s]) for s in selected
                )
            if score > best_score:
                best, best_score = i, score
        selected.append(best)
    return selected


def random_psd(
    rng: np.random.Generator, n: int, rank: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random PSD kernel ``diag(q) F Fᵀ diag(q)`` with unit-norm rows of F; returns (L, q, F)."""
    d = rank or n
    feats = rng.normal(size=(n, d))
    feats /= np.linalg.norm(feats, axis=1, keepdims=True)
    q = rng.uniform(0.2, 2.0, size=n)
    return (q[:, None] * (feats @ feats.T) * q[None, :]), q, feats
