"""Money, read once for the whole project: catalogue cells and shoppers' price phrases.

``parse_amount`` reads one amount ("12,99", "80 €", "1.234,56 €", "$1,000", "1.5k") with
the maintained ``price-parser`` library for separators and currencies; ``price_bounds``
finds the price limits a shopper wrote ("under $1,000", "80 bucks tops", "between 20 and
30", "around 50", "£40-60") and reads each amount with ``parse_amount``. A number followed
by a unit ("1000ml", "size 10", "500 pieces") is not money.
"""

from __future__ import annotations

import math
import re

from price_parser import Price

_CUR = r"(?:[$€£¥]|usd|eur|gbp|us\$)"
_CUR_AFTER = r"(?:[$€£]|usd|eur|gbp|dollars?|bucks|euros?|pounds?|quid)"
_DIGITS = r"\d{1,3}(?:[,.\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_WORDS = {"a hundred": 100, "one hundred": 100, "a grand": 1000, "one grand": 1000, "a thousand": 1000,
          "fifty": 50, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60, "seventy": 70,
          "eighty": 80, "ninety": 90, "ten": 10, "hundred": 100, "tenner": 10, "fiver": 5,
          "a tenner": 10, "a fiver": 5,
          **{f"{w} hundred": n * 100 for w, n in (("two", 2), ("three", 3), ("four", 4), ("five", 5), ("six", 6),
                                                   ("seven", 7), ("eight", 8), ("nine", 9))},
          **{f"{w} grand": n * 1000 for w, n in (("two", 2), ("three", 3), ("four", 4), ("five", 5))}}  # fmt: skip
_WORD_NUM = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_UNIT = (
    r"(?:ml|l|ltr|liters?|litres?|mah|gb|tb|mb|inch(?:es)?|in(?=\s*[.,;!?)]|\s*$)|\"|ft|feet|foot|mm|cm|m\b|pieces?|pcs|"
    r"piece|hours?|hrs?|h\b|lbs?|pounds? of|kg|g\b|w\b|watts?|mp|x\b|qt|quarts?|oz|°|degrees?|bar|%|"
    r"cups?|people|persons?|seater|ply|tog|volts?|v\b|years?|yrs?|months?|weeks?|days?|minutes?|mins?|"
    r"seconds?|secs?|times?|"
    r"rpm|lumens?|db|hz|m2|m²|sq\.? ?(?:m|ft|metres?|meters?|feet)\b|square (?:metres?|meters?|feet|foot)|"
    r"acres?|km|miles?|kgs?|stone|(?:a|an|per) (?:day|week|month|year|night)\b|"
    r"k\b(?=\s*(?:resolution|video|screen)))"
)
AMOUNT = (
    rf"(?P<cur>{_CUR})?\s*(?P<num>{_DIGITS}|{_WORD_NUM})\s*(?P<k>k\b|grand\b|thousand\b|hundred\b)?"
    rf"(?!\s*{_UNIT})(?:\s*(?P<cur2>{_CUR_AFTER}))?(?![\w%])"
)
_AMT = re.compile(AMOUNT, re.I)


# a quantity: "200 m2", "the 500 and 1000 piece ones" (numbers joined before one unit), a
# height "6'2" / "5' 11"
_QUANTITY = re.compile(
    r"\b\d'\s*\d{1,2}\b\"?|\b\d\s*(?:ft|foot|feet)\s*\d{1,2}\b|"
    rf"\d+(?:[.,]\d+)?(?:\s*(?:and|or|,|/|to|vs\.?|versus)\s*(?:the\s+)?\d+(?:[.,]\d+)?)*\s*{_UNIT}", re.I)


def has_bare_number(text: str) -> bool:
    """Whether ``text`` holds a number that is not a quantity with a unit ("200 m2", "5 kg", "12 years")."""
    return bool(re.search(r"\d", _QUANTITY.sub(" ", text or "")))


def parse_amount(text: str | float | int | None) -> float | None:
    """One money amount as a float, or ``None`` when ``text`` holds no number.

    >>> parse_amount("1.234,56 €"), parse_amount("12,99"), parse_amount("$1,000"), parse_amount("1.5k")
    (1234.56, 12.99, 1000.0, 1500.0)
    """
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
        return value if math.isfinite(value) else None
    raw = str(text).strip().lower()
    if not raw:
        return None
    if raw in _WORDS:
        return float(_WORDS[raw])
    scale = 1.0
    m = re.search(r"(\d)\s*(k|grand|thousand|hundred)\b", raw)
    if m:
        scale = 100.0 if m.group(2) == "hundred" else 1000.0  # "4 hundred"
        raw = raw[: m.end(1)] + raw[m.end() :]
    raw = raw.replace("\u00a0", " ")
    if re.fullmatch(r"[^\d]*\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?[^\d]*", raw):
        raw = raw.replace(" ", "")  # "1 234,56 €"
    amount = Price.fromstring(raw).amount
    if amount is None:
        return None
    value = float(amount) * scale
    return value if math.isfinite(value) else None


def _amount(match: re.Match, prefix: str = "") -> float | None:
    if not prefix and "p_num" in match.re.groupindex and match.group("p_num"):
        prefix = "p_"
    num = match.group(prefix + "num")
    k = match.group(prefix + "k")
    value = parse_amount(num)
    if value is None:
        return None
    if not k:
        return value
    if k.lower() == "hundred":  # "under 4 hundred"; "five hundred" is one word-number already
        return value * 100 if value < 100 else value
    return value * 1000


_A = AMOUNT
_B = AMOUNT.replace("(?P<", "(?P<b_")
_P = AMOUNT.replace("(?P<", "(?P<p_")
_RANGE = re.compile(rf"(?:between|from|in the range(?: of)?|range)\s+{_A}\s*(?:and|to|-|–)\s*{_B}", re.I)
_DASH = re.compile(
    rf"(?<![\w.,])(?P<x_cur>{_CUR})?\s*(?P<x_num>\d+(?:[.,]\d{{1,2}})?)\s*(?:-|–|to)\s*{_B}", re.I
)
_MAX = re.compile(
    rf"(?:nothing (?:over|above|more than|pricier than)|under|below|beneath|less than|lower than|cheaper than|no more than|not more than|not over|"
    rf"no higher than|at most|max(?:imum)?(?: is| of)?|up to|upto|within|budget(?: is| of|'s)?(?: about| around)?|"
    rf"(?:price )?(?:cap|limit|ceiling)(?: is| of|'s| at)?|"
    rf"spend(?:ing)?(?: up to| about| around)?|<=?|sub|tops?|no pricier than|not above|not exceeding|"
    rf"under about|under around|only (?:have|had|got)|(?:can|could) go (?:up )?to|stretch(?: it)? to|(?:can|could) do(?=\s+[$£€]?\s?\d[\d,.]*\s*(?:[$£€]|dollars?|bucks|quid|pounds?|euros?|then\b|max\b|tops\b|[,.!?]|$))|"
    rf"can (?:only )?(?:spend|afford)|afford)\s*(?:a\s+|an\s+)?{_A}"
    rf"|{_P}\s*(?:or (?:less|under|below|cheaper)|max(?:imum)?\b|tops\b|at most\b|limit\b|and under\b|or lower\b)",
    re.I,
)
_MIN = re.compile(
    rf"(?:over|above|more than|at least|min(?:imum)?(?: of)?|starting at|from|upwards of|no less than|>=?)\s*{_A}"
    rf"|{_P}\s*(?:\+|or more\b|and up\b|and above\b|plus\b|or higher\b)",
    re.I,
)
_NOT_BEFORE = re.compile(
    r"\b(?:don'?t|do not|dont|won'?t|will not|can'?t|cannot|can not|shouldn'?t|not|never|rather not|"
    r"mustn'?t|no need to)\b(?:\s+\w+){0,4}\s*$", re.I)
_TOO_MUCH = re.compile(
    r"\s*(?:\w+\s+){0,2}(?:is|'s|would be|feels?)\s+(?:way\s+|a bit\s+|far\s+)?(?:too (?:much|expensive|pricey|dear|steep)|"
    r"out of (?:my|our) (?:budget|price range)|a no)", re.I)
_ABOUT = re.compile(rf"(?:around|about|roughly|approximately|approx\.?|circa|~)\s*{_A}", re.I)


# "3 bills", "a couple of bills": hundreds of dollars in US slang
_BILL_COUNT = {"a couple of": "2", "a couple": "2", "couple of": "2", "a few": "3", "few": "3",
               "two": "2", "three": "3", "four": "4", "five": "5"}
_BILLS = re.compile(r"\b(\d|a couple(?: of)?|couple of|a few|few|two|three|four|five)\s+bills\b", re.I)


_BUDGET = re.compile(r"\b(budgets?|spend|spending|afford|to play with|got about|have about|got around|have around)\b", re.I)


def price_bounds(text: str) -> tuple[float | None, float | None]:
    """The (min, max) price a shopper wrote in ``text``; ``None`` where no bound was given.
    A limit for several together ("2 bags and only 20 quid for both") is the limit of each."""
    lo, hi = _price_bounds(text)
    m = _FOR_ALL.search(text or "")
    count = _COUNT.search(text or "")
    if m and count and hi is not None:
        n = _COUNTS.get(count.group(1).lower(), None) or int(count.group(1))
        if n >= 2:
            hi = round(hi / n, 2)
            lo = round(lo / n, 2) if lo is not None else None
    return lo, hi


_COUNTS = {"two": 2, "three": 3, "four": 4, "a pair of": 2, "a couple of": 2, "both": 2}
_COUNT = re.compile(r"\b([2-9]|two|three|four|a pair of|a couple of)\s+(?!(?:quid|bucks|dollars?|pounds?|euros?|bills?|grand|k)\b)"
                    r"(?:\w+\s+){0,2}?\w+s\b", re.I)
_FOR_ALL = re.compile(r"\b(for (both|the two|the pair|the lot|all (of them|three|four)|them all)|in total|all together|"
                      r"altogether|between them|combined|total(?! of)\b)", re.I)


def _price_bounds(text: str) -> tuple[float | None, float | None]:
    text = _BILLS.sub(lambda m: f"{_BILL_COUNT.get(m.group(1).lower(), m.group(1))}00 dollars", text or "")
    m = _RANGE.search(text)
    if m:
        a, b = _amount(m), _amount(m, "b_")
        if a is not None and b is not None:
            if m.group("b_k") and not m.group("k") and a < b / 100:  # "between 1 and 2k"
                a *= 100 if m.group("b_k").lower() == "hundred" else 1000  # "between 2 and 3 hundred"
            return min(a, b), max(a, b)
    m = _DASH.search(text)
    if m and (m.group("x_cur") or m.group("b_cur") or m.group("b_cur2") or m.group("b_k")):
        a, b = parse_amount(m.group("x_num")), _amount(m, "b_")  # "£40-60", "1-2k"; not "2-3 people"
        if a is not None and b is not None:
            if m.group("b_k") and a < b / 100:
                a *= 100 if m.group("b_k").lower() == "hundred" else 1000
            return min(a, b), max(a, b)
    lo = hi = None
    m = _MAX.search(text)
    taken = (-1, -1)
    if m:
        hi = _amount(m)
        taken = m.span()
    for m2 in _MIN.finditer(text):
        if taken[0] <= m2.start() < taken[1]:
            continue
        if _NOT_BEFORE.search(text[max(0, m2.start() - 40) : m2.start()]) and not m2.group(0)[:1].isdigit():
            if hi is None:  # "don't wanna spend more than 250": a ceiling, not a floor
                hi = _amount(m2)
            continue
        if _TOO_MUCH.match(text, m2.end()):
            if hi is None:  # "anything over 100 is too much"
                hi = _amount(m2)
            continue
        if m2.group(0).lower().startswith("from") and not (m2.group("cur") or m2.group("cur2")):
            continue  # "from 2019", "from 10 am": not a price without a currency
        lo = _amount(m2)
        break
    if lo is None and hi is None:
        m = _ABOUT.search(text)
        if m and (m.group("cur") or m.group("cur2") or re.search(r"\b(budget|spend|price|cost|\$)", text, re.I)):
            value = _amount(m)
            if value is not None and _BUDGET.search(text):  # "budget's about 200": what they can spend, at most
                return None, value
            if value is not None:
                return round(value * 0.8, 2), round(value * 1.2, 2)
    if lo is not None and hi is not None and lo > hi:
        lo = None
    return lo, hi
