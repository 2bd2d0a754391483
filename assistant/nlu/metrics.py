"""Intent and slot metrics: accuracy, per-intent precision/recall/F1, macro-F1, span-level
slot F1, out-of-scope precision/recall."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from assistant.nlu.labels import OUT_OF_SCOPE


def intent_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold label set, and a per-intent table."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    per_intent = {}
    for label in sorted(set(gold)):
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp[label] + fn[label],
        }  # fmt: skip
    n = len(gold)
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    oos = per_intent.get(OUT_OF_SCOPE, {"precision": 0.0, "recall": 0.0})
    return {
        "n": n,
        "accuracy": round(sum(tp.values()) / n, 4) if n else 0.0,
        "macro_f1": round(macro, 4),
        "oos_precision": oos["precision"],
        "oos_recall": oos["recall"],
        "per_intent": per_intent,
    }


def slot_f1(
    gold: Sequence[set[tuple[str, str]]], pred: Sequence[set[tuple[str, str]]]
) -> dict[str, float]:
    """Micro P/R/F1 over (slot, surface text) pairs per utterance (exact span match)."""
    tp = fp = fn = 0
    for g, p in zip(gold, pred, strict=True):
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "slot_precision": round(precision, 4),
        "slot_recall": round(recall, 4),
        "slot_f1": round(f1, 4),
    }
