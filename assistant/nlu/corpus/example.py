"""One labelled utterance: text, intent, character spans of slots, optional context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.nlu.labels import INTENTS, SLOT_NAMES

_MARKUP = re.compile(r"\[([^\[\]]+)\]\((\w+)\)")


@dataclass(frozen=True)
class Span:
    """Characters ``text[start:end]`` fill ``slot``."""

    start: int
    end: int
    slot: str


@dataclass(frozen=True)
class Example:
    """A training/evaluation utterance.

    ``group`` names the template or source line the example came from; splits are
    made by group so held-out examples are never template-mates of training ones.
    """

    text: str
    intent: str
    spans: tuple[Span, ...] = ()
    context: str | None = None
    group: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.intent not in INTENTS:
            raise ValueError(f"unknown intent {self.intent!r}")
        for span in self.spans:
            if span.slot not in SLOT_NAMES:
                raise ValueError(f"unknown slot {span.slot!r}")
            if not 0 <= span.start < span.end <= len(self.text):
                raise ValueError(f"span {span} outside text {self.text!r}")

    def slot_values(self) -> dict[str, str]:
        return {s.slot: self.text[s.start : s.end] for s in self.spans}

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "spans": [[s.start, s.end, s.slot] for s in self.spans],
            "context": self.context,
            "group": self.group,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Example:
        return cls(
            text=data["text"],
            intent=data["intent"],
            spans=tuple(Span(int(a), int(b), str(c)) for a, b, c in data.get("spans", ())),
            context=data.get("context"),
            group=data.get("group", ""),
            source=data.get("source", ""),
        )


def parse_markup(line: str, intent: str, group: str = "", source: str = "") -> Example:
    """``"i'm [Noah Brown](name)"`` -> Example with a ``name`` span over "Noah Brown"."""
    text, spans, pos = "", [], 0
    for match in _MARKUP.finditer(line):
        text += line[pos : match.start()]
        start = len(text)
        text += match.group(1)
        spans.append(Span(start, len(text), match.group(2)))
        pos = match.end()
    text += line[pos:]
    return Example(text=text, intent=intent, spans=tuple(spans), group=group, source=source)


def coerce_example(item: Any, source: str = "extra") -> Example:
    """Accept an Example, a dict (``text``, ``intent``, optional ``spans``/``slots``/``context``)
    or a ``(text, intent)`` pair, e.g. the rows of ``assistant.feedback.training_examples``."""
    if isinstance(item, Example):
        return item
    if isinstance(item, dict):
        text = str(item["text"])
        spans: list[Span] = []
        for start, end, slot in item.get("spans") or ():
            spans.append(Span(int(start), int(end), str(slot)))
        for slot, value in (item.get("slots") or {}).items():
            value = str(value)
            at = text.lower().find(value.lower()) if value else -1
            if (
                slot in SLOT_NAMES
                and at >= 0
                and not any(s.start < at + len(value) and at < s.end for s in spans)
            ):
                spans.append(Span(at, at + len(value), slot))
        return Example(
            text=text,
            intent=str(item["intent"]),
            spans=tuple(sorted(spans, key=lambda s: s.start)),
            context=item.get("context"),
            group=str(item.get("group") or f"{source}:{text.lower()}"),
            source=source,
        )
    text, intent = item
    return Example(
        text=str(text), intent=str(intent), group=f"{source}:{str(text).lower()}", source=source
    )
