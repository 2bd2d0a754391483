"""Quantities with units, in option values and in what shoppers write.

An option value such as ``"16GB"``, ``"1.5L"``, ``"30-50 lbs"`` or a bare ``"5.5"`` under the
option ``Capacity (qt)`` is a quantity; so is "at least 16 gigs", "6 quarts or bigger" or
"between 4 and 6 litres" in a message. Both sides are read into one base unit per
dimension (millimetres, grams, millilitres, gigabytes, hours, ...), so a bound the shopper
wrote picks the option values that satisfy it, whatever unit either side used.

``value_span(value, option_name)`` reads an option value; ``quantity_bounds(text)`` finds
the bounds a message sets. Neither knows any catalogue: the grounding step matches them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# alias -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {}


def _units(dim: str, factor: float, *aliases: str) -> None:
    for a in aliases:
        UNITS[a] = (dim, factor)


_units("length", 1.0, "mm", "millimetre", "millimetres", "millimeter", "millimeters")
_units("length", 10.0, "cm", "centimetre", "centimetres", "centimeter", "centimeters")
_units("length", 1000.0, "m", "metre", "metres", "meter", "meters")
_units("length", 25.4, "in", "inch", "inches", '"')
_units("length", 304.8, "ft", "feet", "foot")
_units("mass", 1.0, "g", "gram", "grams")
_units("mass", 1000.0, "kg", "kgs", "kilo", "kilos", "kilogram", "kilograms")
_units("mass", 453.6, "lb", "lbs")
_units("mass", 28.35, "oz", "ounce", "ounces")
_units("volume", 1.0, "ml", "millilitre", "millilitres", "milliliter", "milliliters")
_units("volume", 1000.0, "l", "ltr", "litre", "litres", "liter", "liters")
_units("volume", 946.4, "qt", "quart", "quarts")
_units("volume", 3785.4, "gal", "gallon", "gallons")
_units("data", 0.001, "mb")
_units("data", 1.0, "gb", "gig", "gigs", "gigabyte", "gigabytes")
_units("data", 1000.0, "tb", "terabyte", "terabytes")
_units("time", 1.0, "h", "hr", "hrs", "hour", "hours")
_units("time", 1 / 60, "min", "mins", "minute", "minutes")
_units("charge", 1.0, "mah")
_units("power", 1.0, "w", "watt", "watts")
_units("pressure", 1.0, "bar")
_units("pixels", 1.0, "mp", "megapixel", "megapixels")
_units("tog", 1.0, "tog")
_units("pieces", 1.0, "piece", "pieces", "pc", "pcs")
_units("cups", 1.0, "cup", "cups")
_units("angle", 1.0, "degree", "degrees", "°")
_units("zoom", 1.0, "x")
_units("seats", 1.0, "seater", "person", "people", "persons")
_units("age", 1.0, "year old", "years old", "yr old", "yrs old", "yo", "y/o", "year-old", "years-old")

_NUM = r"\d+(?:[.,]\d+)?"
# "in" is a unit only where nothing follows it ("a 13 in"), never "6 in stock"
_UNIT = (
    "|".join(sorted((re.escape(u) for u in UNITS if u != "in"), key=len, reverse=True))
    + r"|in(?=\s*(?:$|[.,;!?)]))"
)
_Q = rf"(?P<num>{_NUM})\s*-?\s*(?P<unit>{_UNIT})(?![a-z0-9])"
_VALUE_Q = re.compile(rf"({_NUM})(?:\s*(?:-|–|to)\s*({_NUM}))?\s*-?\s*({_UNIT})?(?![a-z])", re.I)

_LO_INCL = r"at least|min(?:imum)?(?: of)?|no less than|not less than|>=|upwards of|no smaller than|no shorter than"
_LO_STRICT = (
    r"over|more than|above|bigger than|larger than|greater than|longer than|heavier than|higher than"
    r"|taller than|>"
)
_HI_INCL = (
    r"at most|max(?:imum)?(?: of)?|no more than|not more than|up to|upto|<=|no bigger than|no larger than"
    r"|no heavier than|no longer than|not over|no taller than"
)
_HI_STRICT = r"under|below|less than|smaller than|lighter than|shorter than|lower than|<"
_AFTER_LO = r"\+|or (?:more|bigger|larger|higher|longer|above|over|greater|taller|heavier)|and (?:up|above|over|bigger)\b|plus\b|minimum\b|min\b|at least\b"
_AFTER_HI = (
    r"or (?:less|smaller|under|lower|lighter|shorter|below|fewer)|max(?:imum)?\b|at most\b|tops\b"
)

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(
            rf"(?:between|from)\s+(?P<a>{_NUM})\s*(?P<ua>{_UNIT})?\s*(?:and|to|-|–)\s*{_Q}", re.I
        ),
        "range",
    ),
    (re.compile(rf"(?<![\w.,])(?P<a>{_NUM})\s*(?:-|–|to)\s*{_Q}", re.I), "range"),
    (re.compile(rf"(?:{_LO_INCL})\s+(?:an?\s+)?{_Q}", re.I), "lo"),
    (re.compile(rf"(?:{_LO_STRICT})\s+(?:an?\s+)?{_Q}", re.I), "lo>"),
    (re.compile(rf"(?:{_HI_INCL})\s+(?:an?\s+)?{_Q}", re.I), "hi"),
    (re.compile(rf"(?:{_HI_STRICT})\s+(?:an?\s+)?{_Q}", re.I), "hi<"),
    (re.compile(rf"{_Q}\s*(?:{_AFTER_LO})", re.I), "lo"),
    (re.compile(rf"{_Q}\s*(?:{_AFTER_HI})", re.I), "hi"),
    (re.compile(rf"(?<![\w.,$£€]){_Q}", re.I), "exact"),
]


@dataclass(frozen=True)
class QuantityBound:
    """A bound on one dimension, in its base unit: ``lo <= x <= hi`` (strict where flagged)."""

    dimension: str
    lo: float | None
    hi: float | None
    lo_strict: bool = False
    hi_strict: bool = False
    start: int = 0
    end: int = 0
    text: str = ""

    @property
    def exact(self) -> bool:
        return self.lo is not None and self.lo == self.hi

    def accepts(self, span: tuple[float, float]) -> bool:
        """Whether a value spanning ``[a, b]`` (a single value: a == b) meets the bound."""
        a, b = span
        tol = 0.005 * max([abs(x) for x in (a, b) if x != float("inf")] + [1e-9])  # "40 kg and over" is [40, inf]
        if self.lo is not None and (b <= self.lo - tol or (self.lo_strict and b <= self.lo + tol)):
            return False
        return not (
            self.hi is not None and (a >= self.hi + tol or (self.hi_strict and a >= self.hi - tol))
        )

    @property
    def point(self) -> float:
        """A representative number of the bound, to find which option it is about."""
        values = [v for v in (self.lo, self.hi) if v is not None]
        return sum(values) / len(values)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def unit_of_name(option_name: str) -> str | None:
    """The unit an option's name states: ``Capacity (qt)`` -> qt, ``Litres`` -> litres."""
    low = option_name.lower()
    if re.search(r"\bages?\b", low) and not re.search(r"\b(storage|stage)\b", low):
        return "yo"  # "Age Range" 6-8 is years of age ("Life Stage" is not)
    m = re.search(r"\(([^)]+)\)", low)
    if m and m.group(1).strip() in UNITS:
        return m.group(1).strip()
    for word in re.findall(r"[a-z°\"]+", low):
        if word in UNITS and len(word) > 2:
            return word
    return None


def value_span(value: object, option_name: str = "") -> tuple[str, float, float] | None:
    """(dimension, low, high) of an option value in base units, or None when it is no quantity.

    ``"16GB"`` -> ("data", 16, 16); ``"30-50 lbs"`` -> ("mass", 13608, 22680); ``"5.5"``
    under ``Capacity (qt)`` -> ("volume", 5205.2, 5205.2); ``"150 x 130 cm"`` -> None.
    """
    text = str(value or "").strip().lower()
    if not text or re.search(r"\d\s*x\s*\d", text):
        return None
    m = _VALUE_Q.search(text)
    if not m or text[: m.start()].strip():
        return None  # "i7", "IPX7", "A4": a number inside a name is no quantity
    unit = m.group(3) or unit_of_name(option_name)
    if not unit and m.end() < len(text):
        return None
    if not unit or unit not in UNITS:
        return None
    dim, factor = UNITS[unit]
    a = _number(m.group(1)) * factor
    b = _number(m.group(2)) * factor if m.group(2) else a
    return dim, min(a, b), max(a, b)


def quantity_bounds(text: str) -> list[QuantityBound]:
    """Every bound on a quantity that ``text`` states, left to right, none overlapping."""
    low = (text or "").lower().replace("’", "'")
    taken: list[tuple[int, int]] = []
    out: list[QuantityBound] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(low):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            unit = m.group("unit")
            dim, factor = UNITS[unit]
            n = _number(m.group("num")) * factor
            lo = hi = None
            lo_strict = hi_strict = False
            if kind in ("lo>", "hi<") and re.search(
                r"\b(?:nothing|none|no|not)\s*$", low[max(0, s - 9) : s]
            ):
                kind = "hi" if kind == "lo>" else "lo"  # "nothing over 50 ft", "not under 2 kg"
            if kind == "range":
                ua = m.groupdict().get("ua")
                fa = UNITS[ua][1] if ua and UNITS[ua][0] == dim else factor
                a = _number(m.group("a")) * fa
                lo, hi = min(a, n), max(a, n)
            elif kind.startswith("lo"):
                lo, lo_strict = n, kind == "lo>"
            elif kind.startswith("hi"):
                hi, hi_strict = n, kind == "hi<"
            else:
                lo = hi = n
            taken.append((s, e))
            out.append(
                QuantityBound(dim, lo, hi, lo_strict, hi_strict, s, e, text[s:e] if text else "")
            )
    return sorted(out, key=lambda b: b.start)


# ---------------------------------------------------------------- size guides in descriptions
_GUIDE_WORDS = re.compile(r"\b(?:size guide|sizing|size chart|fits?)\b", re.I)
_GUIDE_RANGE = (
    rf"(?:(?P<upto>up to|under|below|less than)\s+)?(?P<a>{_NUM})(?:\s*(?:-|–|to)\s*(?P<b>{_NUM}))?"
    rf"\s*(?P<unit>{_UNIT})(?![a-z])(?P<over>\s*(?:and (?:over|up|above)|\+|or more|plus))?"
)


def size_guide(description: str, values: dict[str, list[str]]) -> dict[str, dict[str, tuple[str, float, float]]]:
    """What a product's size guide says each option value fits, read from its description.

    ``"Size guide: XS up to 4 kg, S 4-10 kg, M 10-25 kg"`` with ``Pet Size`` values XS, S, M
    gives ``{"Pet Size": {"XS": ("mass", 0, 4000), "S": ("mass", 4000, 10000), ...}}``;
    ``"frame 54 cm fits riders 175-183 cm"`` gives the 54 frame ("length", 1750, 1830). Only an
    option with at least two values in one dimension counts as a guide (one number beside one
    value is a fact about it, not a guide). Nothing here knows a catalogue.
    """
    out: dict[str, dict[str, tuple[str, float, float]]] = {}
    # a sentence ends at ". " before a capital ("(e.g. a labrador)" and "1.5 kg" stay inside)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", description or "") if _GUIDE_WORDS.search(s)]
    if not sentences:
        return out
    for name, vals in values.items():
        found: dict[str, tuple[str, float, float]] = {}
        for v in vals:
            v = str(v).strip()
            if not v or len(v) > 24:
                continue
            flags = 0 if len(v) <= 3 else re.I  # "S", "M", "L" only as written
            own_unit = rf"(?:\s*(?:{_UNIT}))?"
            pat = re.compile(
                rf"(?<![\w.,]){re.escape(v)}{own_unit}(?![\w])\s*(?:fits?(?:\s+[a-z]+)?\s+|[:=]\s*|\(\s*)?{_GUIDE_RANGE}",
                flags,
            )
            for sentence in sentences:
                m = pat.search(sentence)
                if not m:
                    continue
                unit = m.group("unit").lower()
                if unit not in UNITS:
                    continue
                dim, factor = UNITS[unit]
                a = _number(m.group("a")) * factor
                b = _number(m.group("b")) * factor if m.group("b") else None
                if m.group("upto"):
                    lo, hi = 0.0, a
                elif m.group("over"):
                    lo, hi = a, float("inf")
                elif b is None:
                    continue  # "M 10 kg" alone: not a range a shopper can fall into
                else:
                    lo, hi = min(a, b), max(a, b)
                found[v] = (dim, lo, hi)
                break
        dims = {sp[0] for sp in found.values()}
        if len(found) >= 2 and len(dims) == 1:
            out[name] = found
    return out
