"""What each field of the frame may hold, for the constrained decoder (``assistant.llm.frame``).

The frame is the one the encoder fills (``assistant.nlu.types.Understanding``, validated by
``assistant.nlu.generative.UnderstandingSchema``): ``intent`` is one of ``labels.INTENTS``;
every slot of ``labels.SLOT_NAMES`` is either absent or takes a value read from the shopper's
message (a span of its words, a number written in it, an email or order number in it) or
from the catalogue's own values (``grounding``: e.g. the store's brands) when they occur in
the message. A value is never invented, so a small model cannot name a product the message
did not.

Each candidate is given as the JSON text it contributes to the frame (``' "blue"'``, ``' 40'``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from assistant.nlu.labels import SLOT_NAMES
from assistant.nlu.normalize import parse_number

MAX_WORDS = 48  # spans are read from the first words of a message only (bounds the work)
MAX_SPAN_WORDS = 4
ITEM_REFS = (1, 2, 3, 4, 5, -1)  # ordinals of the products shown (-1 = the last one)

SPAN_SLOTS = ("product", "category", "brand", "color", "size", "material", "option", "name")
PRICE_SLOTS = ("price_min", "price_max")

_WORD = re.compile(r"[^\s]+")
_STRIP = " \t\"'.,;:!?()[]{}<>"
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?[kK]?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORDER = re.compile(r"#?[A-Za-z]{0,3}\d{4,}")
_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")


def _string(value: str) -> str:
    return " " + json.dumps(value, ensure_ascii=False)


def message_words(text: str) -> list[str]:
    words = [w.strip(_STRIP) for w in _WORD.findall(text)[:MAX_WORDS]]
    return [w for w in words if w]


def spans(text: str, max_words: int = MAX_SPAN_WORDS) -> list[str]:
    """Contiguous word spans of the message (1 to ``max_words`` words), first seen first."""
    words = message_words(text)
    out = dict.fromkeys(
        " ".join(words[i : i + n])
        for n in range(1, max_words + 1)
        for i in range(len(words) - n + 1)
    )
    return list(out)


def numbers(text: str) -> list[float]:
    out = []
    for m in _DIGITS.finditer(text):
        value = parse_number(m.group(0))
        if value is not None and value not in out:
            out.append(value)
    return out


def _number(value: float) -> str:
    return " " + (str(int(value)) if float(value).is_integer() else repr(float(value)))


def slot_candidates(
    text: str, grounding: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[str]]:
    """For each slot that can be filled from ``text``: the JSON value texts it may take, in
    ``SLOT_NAMES`` order. A slot with no possible value is left out (the decoder cannot pick it).

    ``grounding`` maps a slot to the catalogue's values for it; such a slot takes only the
    grounded values found in the message (case-insensitive), written as the catalogue writes them.
    """
    grounding = grounding or {}
    low = text.lower()
    span_values = spans(text)
    nums = numbers(text)
    out: dict[str, list[str]] = {}
    for slot in SLOT_NAMES:
        if slot in grounding:
            values = [v for v in grounding[slot] if v and v.lower() in low]
            out[slot] = [_string(v) for v in dict.fromkeys(values)]
        elif slot in SPAN_SLOTS:
            out[slot] = [_string(v) for v in span_values]
        elif slot in PRICE_SLOTS:
            out[slot] = [_number(v) for v in nums if v >= 0]
        elif slot == "quantity":
            out[slot] = [_number(v) for v in nums if v >= 1 and float(v).is_integer() and v < 1000]
        elif slot == "order_id":
            out[slot] = [_string(m.group(0)) for m in _ORDER.finditer(text)]
        elif slot == "email":
            out[slot] = [_string(m.group(0)) for m in _EMAIL.finditer(text)]
        elif slot == "zip":
            out[slot] = [_string(m.group(0)) for m in _ZIP.finditer(text)]
        elif slot == "item_ref":
            out[slot] = [_number(v) for v in ITEM_REFS]
    return {slot: list(dict.fromkeys(values)) for slot, values in out.items() if values}
