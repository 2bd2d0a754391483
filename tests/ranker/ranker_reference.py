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


def sasrec_scores_numpy(model, histories: list[list[int]], width: int | None = None) -> np.ndarray:
    """Every item's score after each history, one history at a time in float64, straight from
    the weights of a pre-norm :class:`ranker.sequential.SASRec` (eval mode: no dropout).

    Only a history's own items enter its attention. Positions follow ``config.positions``:
    ``from_end`` gives the last item ``max_len - 1``; ``absolute`` gives it ``width - 1``
    (the left-padded batch's width, which must be passed). An empty history is one zero
    input vector. With ``seen_bias`` each distinct item of the kept history gets the learned
    ``seen_logit`` added. Returns ``[len(histories), n_items + 1]`` with column 0 ``-inf``.
    """
    from scipy.special import erf

    cfg = model.config
    w = {k: v.detach().double().numpy() for k, v in model.state_dict().items()}
    items = w["item_emb.weight"]
    if model.content_proj is not None:
        items = items + w["content"] @ w["content_proj.weight"].T
    d, heads = cfg.hidden, cfg.heads
    dh = d // heads

    def norm(x, prefix):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-5) * w[prefix + ".weight"] + w[prefix + ".bias"]

    out = np.full((len(histories), items.shape[0]), -np.inf)
    for row, history in enumerate(histories):
        hist = list(history)[-cfg.max_len :]
        n = len(hist)
        if n == 0:
            x = np.zeros((1, d))
        else:
            last = cfg.max_len - 1 if cfg.positions == "from_end" else width - 1
            pos = w["pos_emb.weight"][last - n + 1 : last + 1]
            x = items[hist] * math.sqrt(d) + pos
        t = x.shape[0]
        for layer in range(cfg.layers):
            p = f"encoder.layers.{layer}."
            h = norm(x, p + "norm1")
            qkv = h @ w[p + "self_attn.in_proj_weight"].T + w[p + "self_attn.in_proj_bias"]
            q, k, v = (qkv[:, i * d : (i + 1) * d].reshape(t, heads, dh) for i in range(3))
            att = np.einsum("qhe,khe->hqk", q, k) / math.sqrt(dh)
            att = att + np.triu(np.full((t, t), -np.inf), k=1)[None]
            att = np.exp(att - att.max(-1, keepdims=True))
            att = att / att.sum(-1, keepdims=True)
            mixed = np.einsum("hqk,khe->qhe", att, v).reshape(t, d)
            x = x + mixed @ w[p + "self_attn.out_proj.weight"].T + w[p + "self_attn.out_proj.bias"]
            h = norm(x, p + "norm2") @ w[p + "linear1.weight"].T + w[p + "linear1.bias"]
            h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
            x = x + h @ w[p + "linear2.weight"].T + w[p + "linear2.bias"]
        state = norm(x[-1], "final_norm")
        out[row, 1:] = items[1:] @ state
        if "seen_logit" in w:  # seen_bias: once per distinct item of the kept history
            for item in set(hist):
                out[row, item] += float(w["seen_logit"])
    return out
