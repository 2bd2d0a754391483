"""Every metric against a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ranker.metrics import (
    alpha_ndcg,
    category_coverage,
    exposure_gini,
    intra_list_diversity,
    mrr,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_ndcg_hand_computed():
    gains = {"a": 3, "b": 2, "c": 0, "d": 1}
    # DCG = (2^2-1)/log2(2) + 0 + (2^3-1)/log2(4) = 3 + 3.5 = 6.5
    # IDCG@3 = 7/1 + 3/log2(3) + 1/2
    idcg = 7 + 3 / math.log2(3) + 0.5
    assert ndcg_at_k(["b", "c", "a", "d"], gains, 3) == pytest.approx(6.5 / idcg)
    assert ndcg_at_k(["a", "b", "d"], gains, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["x"], {}, 3) == 0.0


def test_recall_and_mrr_hand_computed():
    assert recall_at_k(["a", "x", "b", "y"], {"a", "b", "c"}, 2) == pytest.approx(1 / 3)
    assert recall_at_k(["a", "x", "b", "y"], {"a", "b", "c"}, 4) == pytest.approx(2 / 3)
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0
    assert mrr([(["a"], {"a"}), (["x", "a"], {"a"}), (["x"], {"a"})]) == pytest.approx(0.5)


def test_intra_list_diversity_hand_computed():
    emb = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    # cos: (0,1)=0, (0,2)=1/√2, (1,2)=1/√2 → mean(1, 1-1/√2, 1-1/√2)
    expected = (1 + 2 * (1 - 1 / math.sqrt(2))) / 3
    assert intra_list_diversity(emb) == pytest.approx(expected)
    assert intra_list_diversity(emb[:1]) == 0.0


def test_category_coverage_hand_computed():
    cats = ["tent", "tent", "bag", "lamp", "tent"]
    assert category_coverage(cats, 4) == pytest.approx(3 / 4)
    assert category_coverage(cats, 2, universe=["tent", "bag", "lamp", "stove"]) == pytest.approx(
        1 / 4
    )


def test_alpha_ndcg_hand_computed():
    topics = {"a": {"t1", "t2"}, "b": {"t1"}, "c": {"t3"}}
    alpha = 0.5
    # ranked b, a, c: gains 1, (0.5 + 1), 1 → 1 + 1.5/log2(3) + 1/2
    dcg = 1 + 1.5 / math.log2(3) + 0.5
    # ideal greedy: a (2), c (1), b (0.5) → 2 + 1/log2(3) + 0.5/2
    idcg = 2 + 1 / math.log2(3) + 0.25
    assert alpha_ndcg(["b", "a", "c"], topics, 3, alpha) == pytest.approx(dcg / idcg)
    assert alpha_ndcg(["a", "c", "b"], topics, 3, alpha) == pytest.approx(1.0)


def test_exposure_gini_hand_computed():
    # counts: a=3, b=1, c=0 (from catalogue) → sorted [0,1,3], n=3, sum=4
    # Σ (2i-n-1) x_i = (-2)*0 + 0*1 + 2*3 = 6 → 6 / (3*4) = 0.5
    assert exposure_gini([["a", "b"], ["a"], ["a"]], catalogue=["a", "b", "c"]) == pytest.approx(
        0.5
    )
    assert exposure_gini([["a", "b"], ["b", "a"]]) == 0.0
