"""Ranking and diversity metrics for one list (or many lists, for MRR and exposure).

Conventions: a ranked list is a sequence of item ids, best first; graded gains
are non-negative numbers (0 = not relevant). nDCG uses the exponential gain
``2^g − 1`` and the discount ``1 / log2(rank + 1)`` (rank from 1).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "alpha_ndcg",
    "category_coverage",
    "exposure_gini",
    "intra_list_diversity",
    "mrr",
    "ndcg_at_k",
    "recall_at_k",
    "reciprocal_rank",
]


def _discount(rank0: int) -> float:
    return 1.0 / math.log2(rank0 + 2)


def ndcg_at_k(ranked: Sequence[Hashable], gains: Mapping[Hashable, float], k: int) -> float:
    """nDCG@k with exponential gains; 0 when nothing is relevant."""
    dcg = sum((2.0 ** gains.get(i, 0.0) - 1.0) * _discount(r) for r, i in enumerate(ranked[:k]))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum((2.0**g - 1.0) * _discount(r) for r, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[Hashable], relevant: Iterable[Hashable], k: int) -> float:
    """Share of the relevant items found in the top k; 0 when nothing is relevant."""
    rel = set(relevant)
    return len(rel.intersection(ranked[:k])) / len(rel) if rel else 0.0


def reciprocal_rank(ranked: Sequence[Hashable], relevant: Iterable[Hashable]) -> float:
    """1 / rank of the first relevant item, 0 if none is in the list."""
    rel = set(relevant)
    return next((1.0 / (r + 1) for r, i in enumerate(ranked) if i in rel), 0.0)


def mrr(runs: Iterable[tuple[Sequence[Hashable], Iterable[Hashable]]]) -> float:
    """Mean reciprocal rank over ``(ranked, relevant)`` pairs."""
    values = [reciprocal_rank(ranked, rel) for ranked, rel in runs]
    return float(np.mean(values)) if values else 0.0


def intra_list_diversity(embeddings: np.ndarray) -> float:
    """Mean pairwise cosine distance ``1 − cos`` of a list's items [k, D]; 0 below 2 items."""
    emb = np.asarray(embeddings, dtype=np.float64)
    n = emb.shape[0]
    if n < 2:
        return 0.0
    unit = emb / np.clip(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12, None)
    sim = unit @ unit.T
    upper = sim[np.triu_indices(n, k=1)]
    return float(np.mean(1.0 - upper))


def category_coverage(
    categories: Sequence[Hashable], k: int, universe: Iterable[Hashable] | None = None
) -> float:
    """Distinct categories in the top k, over the universe size (or over the list length)."""
    top = list(categories[:k])
    if not top:
        return 0.0
    distinct = len(set(top))
    if universe is not None:
        size = len(set(universe))
        return distinct / size if size else 0.0
    return distinct / len(top)


def alpha_ndcg(
    ranked: Sequence[Hashable],
    subtopics: Mapping[Hashable, Iterable[Hashable]],
    k: int,
    alpha: float = 0.5,
) -> float:
    """α-nDCG@k (Clarke et al., SIGIR 2008): novelty-discounted subtopic gain.

    An item's gain is ``Σ_t (1 − α)^{c_t}`` over its subtopics ``t``, where ``c_t`` counts
    earlier items with that subtopic. The ideal list is built greedily (the usual
    approximation; the exact ideal is NP-hard).
    """
    topics = {i: set(t) for i, t in subtopics.items()}

    def dcg(order: Sequence[Hashable]) -> float:
        seen: Counter = Counter()
        total = 0.0
        for r, i in enumerate(order[:k]):
            its = topics.get(i, set())
            total += sum((1.0 - alpha) ** seen[t] for t in its) * _discount(r)
            seen.update(its)
        return total

    pool = [i for i, t in topics.items() if t]
    ideal: list[Hashable] = []
    seen: Counter = Counter()
    while pool and len(ideal) < k:
        best = max(pool, key=lambda i: sum((1.0 - alpha) ** seen[t] for t in topics[i]))
        ideal.append(best)
        seen.update(topics[best])
        pool.remove(best)
    idcg = dcg(ideal)
    return dcg(ranked) / idcg if idcg > 0 else 0.0


def exposure_gini(
    lists: Iterable[Sequence[Hashable]], catalogue: Iterable[Hashable] | None = None
) -> float:
    """Gini coefficient of how often each item is shown across lists.

    0 = every item shown equally often, towards 1 = a few items get all exposure.
    Items of ``catalogue`` that never appear count as zero exposure.
    """
    counts: Counter = Counter()
    for ranked in lists:
        counts.update(ranked)
    if catalogue is not None:
        for item in catalogue:
            counts.setdefault(item, 0)
    x = np.sort(np.fromiter(counts.values(), dtype=np.float64))
    n = x.size
    if n == 0 or x.sum() == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * x) / (n * x.sum()))
