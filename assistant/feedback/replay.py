"""Replay labelled shopper messages through the assistant and record an agent's correction for
every one it misunderstands: how a feedback set of real mistakes is built and measured.

``data/feedback/realistic.tsv`` holds hand-labelled messages (``intent<TAB>text``). Each text
is split, by a hash of the text, into ``feedback`` (replayed and corrected, so that
``aisle train dialogue --from-feedback`` learns from it) or ``heldout`` (only measured).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.errors import UserError
from assistant.nlu.labels import INTENTS

logger = logging.getLogger(__name__)

SPLITS = ("feedback", "heldout", "all")


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str

    @property
    def split(self) -> str:
        """``feedback`` or ``heldout``, about half each, fixed by the text."""
        digest = hashlib.sha256(" ".join(self.text.lower().split()).encode()).digest()
        return "feedback" if digest[0] % 2 == 0 else "heldout"


def read_labelled(path: Path | str, split: str = "all") -> list[Labelled]:
    """Labelled messages from a TSV (``intent<TAB>text``, ``#`` comments) or JSON lines
    (``{"text", "intent"}``) file, keeping one ``split``."""
    if split not in SPLITS:
        raise UserError(f"split {split!r} is not known; use one of {', '.join(SPLITS)}")
    path = Path(path)
    if not path.is_file():
        raise UserError(f"labelled file {path} does not exist")
    items = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if path.suffix == ".jsonl":
            rec = json.loads(line)
            intent, text = rec.get("intent"), rec.get("text")
        else:
            intent, _, text = line.partition("\t")
        if intent not in INTENTS or not text:
            raise UserError(f"{path}:{lineno}: needs an intent label and a text, got {line[:60]!r}")
        items.append(Labelled(text.strip(), intent))
    return [it for it in items if split == "all" or it.split == split]


def label_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 (over the labels in gold or predicted, as scikit-learn does)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    n = len(gold)
    labels = sorted(set(gold) | set(predicted))
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "n": n,
        "accuracy": correct / n if n else 0.0,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
    }


def evaluate_labelled(items: Sequence[Labelled], model) -> dict[str, Any]:
    """Metrics of ``model.predict`` (no context: each message opens a conversation)."""
    predictions = model.predict([it.text for it in items], [None] * len(items))
    predicted = [u.intent for u in predictions]
    out = label_metrics([it.intent for it in items], predicted)
    out["mistakes"] = [
        {"text": it.text, "intent": it.intent, "predicted": p}
        for it, p in zip(items, predicted, strict=True)
        if p != it.intent
    ]
    return out


@dataclass(frozen=True)
class ReplayReport:
    turns: int
    corrected: int
    accuracy: float
    corrections: tuple[dict[str, Any], ...]

    def to_dict(self, with_corrections: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "turns": self.turns,
            "corrected": self.corrected,
            "accuracy": round(self.accuracy, 4),
        }
        if with_corrections:
            out["corrections"] = list(self.corrections)
        return out


def replay_corrections(
    items: Iterable[Labelled], assistant=None, progress: bool = True, author: str = "agent"
) -> ReplayReport:
    """Chat each message in a new session; where the understood intent is wrong, store an
    agent's correction (thumbs down + the right label) on the reply."""
    from assistant.feedback.records import add_feedback
    from assistant.store.db import session_scope

    if assistant is None:
        from assistant.service import Assistant

        assistant = Assistant().warm_up()
    items = list(items)
    corrections = []
    for it in tqdm(items, desc="replaying", disable=not progress):
        result = assistant.turn(it.text)  # a new conversation for each message
        if result.intent != it.intent:
            with session_scope() as s:
                add_feedback(
                    s, result.message_id, rating="down", corrected_intent=it.intent,
                    reason="replayed correction", author=author,
                )  # fmt: skip
            corrections.append(
                {
                    "text": it.text,
                    "intent": it.intent,
                    "predicted": result.intent,
                    "confidence": result.confidence,
                    "message_id": result.message_id,
                }
            )
    accuracy = 1 - len(corrections) / len(items) if items else 0.0
    logger.info("replayed %d messages, corrected %d", len(items), len(corrections))
    return ReplayReport(len(items), len(corrections), accuracy, tuple(corrections))
