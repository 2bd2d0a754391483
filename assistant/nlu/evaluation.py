"""Scoring a dialogue model on an evaluation set, and the outcome of training a version:
what training reports and the registry decides promotion on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from assistant.nlu.calibration import expected_calibration_error
from assistant.nlu.corpus import Example
from assistant.nlu.encoding import decode_spans
from assistant.nlu.labels import INTENT_INDEX
from assistant.nlu.metrics import intent_metrics, slot_f1
from assistant.nlu.model import DialogueModel


@dataclass(frozen=True)
class TrainResult:
    """What ``aisle train dialogue --json`` prints (plus the folder)."""

    version: str
    promoted: bool
    metrics: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "promoted": self.promoted, "metrics": self.metrics}


def evaluate(model: DialogueModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Intent metrics (per intent, macro-F1, OOS precision/recall) and slot F1 on ``examples``."""
    preds = model.predict([e.text for e in examples], [e.context for e in examples])
    out = intent_metrics([e.intent for e in examples], [p.intent for p in preds])
    logits, tag_rows = model.logits([e.text for e in examples], [e.context for e in examples])
    gold_slots, pred_slots = [], []
    for e, (_, tags, offsets, in_text) in zip(examples, tag_rows, strict=True):
        gold_slots.append({(s.slot, e.text[s.start : s.end].lower()) for s in e.spans})
        pred_slots.append(
            {
                (s.slot, e.text[s.start : s.end].lower())
                for s in decode_spans(e.text, tags, offsets, in_text)
            }
        )
    out.update(slot_f1(gold_slots, pred_slots))
    labels = torch.tensor([INTENT_INDEX[e.intent] for e in examples])
    out["ece"] = expected_calibration_error(
        torch.softmax(logits / model.meta.temperature, -1), labels
    )
    return out
