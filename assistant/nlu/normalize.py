"""Turn tagged slot spans into typed values: prices with direction, ordinals, quantities,
lower-cased emails, canonical order ids. A regex reading of money expressions and of
unambiguous identifiers (emails, ``#W1234567`` order ids) backs the tagger up."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.nlu.corpus.example import Span
from retrieval.lexicon import MATERIALS

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_NUM = "|".join(
    sorted(
        list(_UNITS) + list(_TENS) + ["hundred", "thousand", "a", "couple", "pair"],
        key=len,
        reverse=True,
    )
)
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?[kK]?\b"
_NUMBER = re.compile(_NUM)
_WORDS_NUMBER = re.compile(rf"\b(?:(?:{_WORD_NUM})[\s-]?){{1,8}}\b", re.I)  # bounded: linear on "a a a ..."
_WORD_MONEY = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|ten|fifteen|hundred|thousand|one|two|three|four|five|a)[\s-]?){1,8}\s?(?:dollars?|bucks?|usd)\b"
_MONEY = (
    rf"(?:{_WORD_MONEY}|\$\s?{_NUM}|{_NUM}\s?(?:\$|usd|dollars?|bucks?|quid|eur|euros?)\b|{_NUM})"
)
_NOT_MONEY = r"(?!\s?(?:%|inch|in\b|\"|ft|feet|foot|lbs?|pounds?\b|kg|mah|gb|tb|mp|hours?|hrs?|years?|yrs?|yo\b|ml|l\b|liters?|cups?|pieces?|pcs|mm|cm|degrees|x\b|w\b|watts?|bar\b|people|days?|months?|weeks?))"

_MAX_CUE = r"(?<!\bno )(?<!\bnot )(?:under|below|less than|lower than|no more than|not more than|max(?:imum)?|up to|at most|cheaper than|within|not over|<=?|budget(?: of| is)?|tops|no higher than|not exceeding|beneath)"
_MIN_CUE = r"(?<!\bno )(?<!\bnot )(?:over|above|more than|at least|min(?:imum)?|no less than|starting (?:at|from)|upwards of|>=?|higher than|not less than)"
_AROUND_CUE = (
    r"(?:around|about|roughly|approximately|approx\.?|~|close to|near|in the region of|ish)"
)
_RANGE = re.compile(
    rf"(?:between\s+|from\s+)?(\$?\s?{_NUM})\s*(?:-|–|to|and)\s*(\$?\s?{_NUM})\s*(?:\$|usd|dollars?|bucks?)?(?:\s*range)?{_NOT_MONEY}",
    re.I,
)
_MAX = re.compile(rf"\b{_MAX_CUE}\s*(?:a\s+)?(?:budget of\s+)?({_MONEY}){_NOT_MONEY}", re.I)
_MAX_AFTER = re.compile(
    rf"({_MONEY})\s*(?:or less|or under|or below|tops|max|at most|or cheaper)\b", re.I
)
_MIN = re.compile(rf"\b{_MIN_CUE}\s*({_MONEY}){_NOT_MONEY}", re.I)
_MIN_AFTER = re.compile(rf"({_MONEY})\s*(?:\+|or more|and up|and above|or higher|plus)", re.I)
_AROUND = re.compile(rf"{_AROUND_CUE}\s*({_MONEY}){_NOT_MONEY}", re.I)
_MONEY_MARK = re.compile(
    r"\$|usd|dollar|buck|quid|price|budget|cost|spend|cheap|expensive|pay", re.I
)

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ORDER_ID = re.compile(r"(?<![A-Za-z0-9])#?\s?[Ww](\d{7})\b")
SIZE_CUE = re.compile(r"\bsize\s+(xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,2}(?:\.5)?)\b", re.I)
ZIP_CUE = re.compile(
    r"\b(?:zip|zipcode|zip code|postal code|postcode|post code)\b\D{0,12}(\d{5})\b", re.I
)

ORDINAL_REF = re.compile(
    r"\b(?:the|that|this)\s+(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b(?!\s+(?:time|thing|of))",
    re.I)
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": -1, "top": 1, "final": -1,
}  # fmt: skip
_REF_STOP = {
    "the",
    "that",
    "this",
    "those",
    "these",
    "one",
    "ones",
    "item",
    "product",
    "thing",
    "a",
    "an",
    "on",
    "in",
    "with",
}
_CAPS_SIZES = {"xs", "s", "m", "l", "xl", "xxl", "xxxl"}


def parse_number(text: str) -> float | None:
    """First number in ``text``: digits ("$1,200.50", "1.5k") or words ("fifty", "a couple")."""
    m = _NUMBER.search(text)
    if m:
        raw = m.group(0).replace(",", "").replace(" ", "")
        scale = 1000.0 if raw[-1] in "kK" else 1.0
        return float(raw.rstrip("kK")) * scale
    m = _WORDS_NUMBER.search(text)
    if not m:
        return None
    total, current = 0, 0
    for word in re.split(r"[\s-]+", m.group(0).lower().strip()):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        elif word in {"couple", "pair"}:
            current += 2
        elif word == "a":
            continue
    value = total + current
    return float(value) if value else None


def parse_prices(text: str) -> dict[str, float]:
    """Regex reading of money constraints in ``text`` -> ``{"price_min": .., "price_max": ..}``."""
    out: dict[str, float] = {}
    m = _RANGE.search(text)
    if m and re.search(r"\$|usd|dollar|buck|^between|^from|range", m.group(0), re.I):
        a, b = parse_number(m.group(1)), parse_number(m.group(2))
        if a is not None and b is not None and a != b:
            out["price_min"], out["price_max"] = min(a, b), max(a, b)
            return out
    for pattern, key in (
        (_MAX, "price_max"),
        (_MAX_AFTER, "price_max"),
        (_MIN, "price_min"),
        (_MIN_AFTER, "price_min"),
    ):
        m = pattern.search(text)
        if m and key not in out:
            value = parse_number(m.group(1))
            if value is not None:
                out[key] = value
    if not out:
        m = _AROUND.search(text)
        if m:
            value = parse_number(m.group(1))
            if value is not None and (_MONEY_MARK.search(text) or "$" in m.group(0)):
                out["price_min"], out["price_max"] = round(value * 0.8, 2), round(value * 1.2, 2)
    return out


def price_from_span(span_text: str, slot: str) -> dict[str, float]:
    """A tagged price span: its own cue words decide the direction; otherwise the tag does."""
    parsed = parse_prices(span_text)
    if parsed:
        return parsed
    value = parse_number(span_text)
    if value is None:
        return {}
    if re.search(_AROUND_CUE, span_text, re.I):
        return {"price_min": round(value * 0.8, 2), "price_max": round(value * 1.2, 2)}
    return {slot: value}


def item_ref_value(text: str) -> int | str:
    """ "the second one" -> 2, "the last one" -> -1, "#3" -> 3, "that blue one" -> "blue"."""
    low = text.lower().strip(" ?.!,")
    for word in re.findall(r"[a-z0-9]+", low):
        if word in _ORDINALS:
            return _ORDINALS[word]
    m = re.search(r"(?:#|number|no\.?|option|item|nr\.?)\s*(\d{1,2})\b", low)
    if m:
        return int(m.group(1))
    words = [w for w in re.findall(r"[\w'-]+", low) if w not in _REF_STOP]
    return " ".join(words) if words else low


def canonical_order_id(text: str) -> str:
    m = ORDER_ID.search(text)
    if m:
        return f"#W{m.group(1)}"
    return text.strip(" .,?!:;")


def normalize_slots(
    text: str,
    spans: Sequence[Span],
    option_names: Mapping[str, str] | None = None,
    brands: Sequence[str] = (),
) -> dict[str, Any]:
    """Typed slot values for one utterance from its tagged spans, with regex backstops."""
    option_names = {k.lower(): v for k, v in (option_names or {}).items()}
    brand_map = {b.lower(): b for b in brands}
    slots: dict[str, Any] = {}
    prices: dict[str, float] = {}
    for span in spans:
        raw = text[span.start : span.end].strip(" .,;:!?\"'()")
        if not raw:
            continue
        slot = span.slot
        if slot in {"price_min", "price_max"}:
            for key, value in price_from_span(raw, slot).items():
                prices.setdefault(key, value)
        elif slot == "quantity":
            value = parse_number(raw)
            if value is not None:
                slots["quantity"] = int(value)
        elif slot == "item_ref":
            slots.setdefault("item_ref", item_ref_value(raw))
        elif slot == "email":
            m = EMAIL.search(raw)
            slots["email"] = (m.group(0) if m else raw).lower()
        elif slot == "order_id":
            slots["order_id"] = canonical_order_id(raw)
        elif slot == "zip":
            digits = re.sub(r"\D", "", raw)
            if digits:
                slots["zip"] = digits
        elif slot == "name":
            slots["name"] = (
                " ".join(w.capitalize() for w in raw.split())
                if "name" not in slots
                else f"{slots['name']} {raw.capitalize()}"
            )
        elif slot == "brand":
            slots["brand"] = brand_map.get(raw.lower(), raw)
        elif slot == "size":
            low = raw.lower().removeprefix("size ").strip()
            if low not in {"size", "sizes", "sized"}:
                slots["size"] = low.upper() if low in _CAPS_SIZES else low
        elif slot == "option":
            name = option_names.get(raw.lower(), "feature")
            slots.setdefault("option", {})[name] = raw
        elif slot == "color" and len(raw.split()) > 1 and raw.lower().split()[-1] in MATERIALS:
            # a span run on into the material ("blue cotton"): the colour, then the material
            words = raw.lower().split()
            colour = [w for w in words if w not in MATERIALS]
            if colour:
                slots["color"] = " ".join(colour)
            slots.setdefault("material", " ".join(w for w in words if w in MATERIALS))
        else:  # product, category, color, material
            slots[slot] = raw.lower() if slot != "product" else raw
    backstop = parse_prices(text)
    if len(backstop) == 2 and set(prices.values()) <= set(backstop.values()):
        prices = dict(backstop)  # an explicit range ("between $20 and $30") read by the regex wins
    for key, value in backstop.items():
        prices.setdefault(key, value)
    if (
        "price_min" in prices
        and "price_max" in prices
        and prices["price_min"] > prices["price_max"]
    ):
        prices["price_min"], prices["price_max"] = prices["price_max"], prices["price_min"]
    slots.update(prices)
    if "email" not in slots and (m := EMAIL.search(text)):
        slots["email"] = m.group(0).lower()
    if "order_id" not in slots and (m := ORDER_ID.search(text)):
        slots["order_id"] = f"#W{m.group(1)}"
    if "size" not in slots and (m := SIZE_CUE.search(text)):
        low = m.group(1).lower()
        slots["size"] = low.upper() if low in _CAPS_SIZES else low
    if "zip" not in slots and (m := ZIP_CUE.search(text)):
        slots["zip"] = m.group(1)
    if not isinstance(slots.get("item_ref"), int) and (m := ORDINAL_REF.search(text)):
        slots["item_ref"] = _ORDINALS[m.group(1).lower()]  # "what material is the second one"
    return slots
