"""Bitext customer-support requests (27 service intents) with their entity spans as slots."""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from pathlib import Path

from assistant.nlu.corpus.example import Example, Span
from assistant.nlu.labels import SERVICE_INTENTS

ENTITY_SLOTS = {"order_id": "order_id", "person_name": "name"}


def _group_key(text: str, span: tuple[int, int] | None) -> str:
    if span:
        text = text[: span[0]] + " E " + text[span[1] :]
    text = re.sub(r"\d+", " ", text.lower())
    return "bitext:" + " ".join(re.findall(r"[a-z']+", text))


def load_bitext(path: Path, rng: random.Random, per_intent: int = 130) -> list[Example]:
    """Up to ``per_intent`` rows per intent. Numeric order ids are rewritten to the store's
    ``#W1234567`` form half of the time so the tagger sees both shapes."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["intent"] in SERVICE_INTENTS:
                rows[row["intent"]].append(row)
    out: list[Example] = []
    for intent in SERVICE_INTENTS:
        chosen = rows[intent]
        chosen = rng.sample(chosen, min(per_intent, len(chosen)))
        for row in chosen:
            text = row["instruction"].strip()
            slot = ENTITY_SLOTS.get(row["entity_type"])
            span = None
            if slot and row["start_offset"].isdigit() and row["end_offset"].isdigit():
                a, b = int(row["start_offset"]), int(row["end_offset"])
                if 0 <= a < b <= len(text) and text[a:b].strip():
                    span = (a, b)
            group = _group_key(text, span)
            spans: tuple[Span, ...] = ()
            if span:
                a, b = span
                if slot == "order_id" and rng.random() < 0.5:
                    new = rng.choice(["#W", "W", "#W"]) + f"{rng.randint(1000000, 9999999)}"
                    text = text[:a] + new + text[b:]
                    b = a + len(new)
                spans = (Span(a, b, slot),)
            out.append(Example(text=text, intent=intent, spans=spans, group=group, source="bitext"))
    return out
