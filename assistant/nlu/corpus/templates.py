"""Render template frames (``assistant/resources/dialogue/templates/*.txt``) into labelled examples.

A frame is literal text with placeholders; each placeholder draws a filler from the
vocabulary and records the character span of the slot it fills. Literal text gets
slang and typos; slot values get rarer typos. Everything is driven by one seeded
``random.Random`` so the corpus is reproducible.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from assistant.nlu.corpus.example import Example, Span
from assistant.nlu.corpus.noise import finish, noisy_words, slangify
from assistant.nlu.corpus.vocab import Vocab

Piece = tuple[str, str | None]  # (text, slot or None)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

PRICE_MAX = [
    "under {n}", "under ${n}", "under {n} bucks", "below {n} dollars", "less than ${n}",
    "no more than {n}", "not more than {n} dollars", "max {n}", "max ${n}", "{n} max",
    "up to {n}", "at most ${n}", "${n} or less", "{n} bucks or less", "cheaper than {n}",
    "within ${n}", "for less than {n} usd", "{n} tops", "not over ${n}", "below ${n}",
    "under {n} dollars", "less than {n} bucks", "<${n}", "no more than ${n}", "a max of {n}",
]  # fmt: skip
PRICE_MIN = [
    "over {n}", "above ${n}", "more than {n} dollars", "at least {n}", "{n} or more",
    "from ${n} up", "starting at {n}", "minimum {n}", "no less than {n}", "${n}+",
    "at least ${n}", "over {n} bucks", "more than ${n}", "upwards of {n}",
]  # fmt: skip
PRICE_AROUND = [
    "around {n}", "about ${n}", "roughly {n} dollars", "~${n}", "approximately {n}",
    "around {n} bucks", "somewhere around ${n}", "close to {n}",
]  # fmt: skip
PRICE_RANGE = [
    ("between ${a} and ${b}", "$"), ("between {a} and {b} dollars", ""), ("from {a} to {b}", ""),
    ("{a}-{b}", ""), ("${a} - ${b}", "$"), ("{a} to {b} bucks", ""), ("in the {a}-{b} range", ""),
    ("${a} to ${b}", "$"), ("somewhere between {a} and {b}", ""),
]  # fmt: skip
REFS = [
    ("the first one", 0), ("the second one", 0), ("the third one", 0), ("the 2nd one", 0),
    ("the last one", 0), ("the 1st", 0), ("number 2", 0), ("option 3", 0), ("item 1", 0),
    ("the fourth", 0), ("the first", 0), ("the second", 0), ("#2", 0), ("the top one", 0),
    ("that {color} one", 1), ("the {color} one", 1), ("the cheaper one", 0),
    ("the cheapest one", 0), ("the more expensive one", 0), ("this one", 0), ("that one", 0),
    ("the {brand} one", 2), ("the {product}", 3), ("the other one", 0), ("the one on the left", 0),
    ("the bigger one", 0), ("the {material} one", 4),
]  # fmt: skip
QUANTITIES = ["2", "3", "two", "three", "a couple of", "4", "five", "10", "a pair of", "six"]


def _money(rng: random.Random) -> str:
    n = rng.choice(
        [
            5,
            10,
            15,
            20,
            25,
            30,
            40,
            50,
            60,
            75,
            80,
            100,
            120,
            150,
            200,
            250,
            300,
            400,
            500,
            750,
            1000,
            1500,
        ]
    )
    n = n if rng.random() < 0.7 else rng.randint(5, 2000)
    roll = rng.random()
    if roll < 0.08:
        return f"{n}.99"
    if roll < 0.12 and n >= 1000:
        return f"{n / 1000:g}k"
    if roll < 0.16 and n >= 1000:
        return f"{n:,}"
    return str(n)


class Renderer:
    """Turns a frame into an Example using ``vocab`` and ``rng``."""

    def __init__(self, vocab: Vocab, rng: random.Random) -> None:
        self.vocab = vocab
        self.rng = rng
        self.fillers: dict[str, Callable[[], list[Piece]]] = {
            "np": self.noun_phrase, "product": self.product, "color": self._one("color"),
            "material": self._one("material"), "brand": self._one("brand"), "size": self._one("size"),
            "category": self._one("category"), "option": self._one("option"), "need": self.need,
            "price": self.price, "price_max": self.price_max, "price_min": self.price_min,
            "price_range": self.price_range, "cons": self.constraints, "qty": self.quantity,
            "ref": self.ref, "email": self.email, "name": self.name, "zip": self.zip,
            "order_id": self.order_id, "first": self.first, "last": self.last,
        }  # fmt: skip

    # -- fillers -------------------------------------------------------------------------
    def value(self, slot: str) -> str:
        v, r = self.vocab, self.rng
        pools = {
            "color": v.colors, "material": v.materials, "brand": v.brands, "size": v.sizes,
            "category": v.categories, "option": tuple(v.options),
        }  # fmt: skip
        return r.choice(pools[slot])

    def _one(self, slot: str) -> Callable[[], list[Piece]]:
        return lambda: [(self.value(slot), slot)]

    def product_name(self) -> str:
        if self.rng.random() < 0.12:
            return self.rng.choice(self.vocab.extra_products)
        return self.rng.choice(self.rng.choice(list(self.vocab.products.values())))

    def product(self) -> list[Piece]:
        return [(self.product_name(), "product")]

    def noun_phrase(self) -> list[Piece]:
        r = self.rng
        pre: list[Piece] = []
        for slot, p in (("brand", 0.2), ("color", 0.35), ("material", 0.2)):
            if r.random() < p:
                pre += [(self.value(slot), slot), (" ", None)]
        if r.random() < 0.1:
            pre += [(self.value("option"), "option"), (" ", None)]
        pieces = pre + self.product()
        post = r.random()
        if post < 0.12:
            pieces += [(" in ", None), (self.value("color"), "color")]
        elif post < 0.2:
            pieces += [
                (r.choice([" made of ", " in ", " made from "]), None),
                (self.value("material"), "material"),
            ]
        elif post < 0.28:
            pieces += [(r.choice([" from ", " by "]), None), (self.value("brand"), "brand")]
        article = r.choice(["", "", "a ", "some ", "the "])
        return ([(article, None)] if article else []) + pieces

    def need(self) -> list[Piece]:
        return [(self.rng.choice(self.vocab.needs), "product")]

    def price_max(self) -> list[Piece]:
        return [(self.rng.choice(PRICE_MAX).format(n=_money(self.rng)), "price_max")]

    def price_min(self) -> list[Piece]:
        return [(self.rng.choice(PRICE_MIN).format(n=_money(self.rng)), "price_min")]

    def price_range(self) -> list[Piece]:
        frame, _ = self.rng.choice(PRICE_RANGE)
        a = self.rng.choice([10, 20, 25, 30, 40, 50, 100, 200, 300])
        b = a + self.rng.choice([10, 20, 30, 50, 100, 200])
        out: list[Piece] = []
        pos = 0
        for m in re.finditer(r"\$?\{(a|b)\}", frame):
            out.append((frame[pos : m.start()], None))
            out.append(
                (m.group(0).format(a=a, b=b), "price_min" if m.group(1) == "a" else "price_max")
            )
            pos = m.end()
        out.append((frame[pos:], None))
        return [p for p in out if p[0]]

    def price(self) -> list[Piece]:
        roll = self.rng.random()
        if roll < 0.25:
            return []
        if roll < 0.6:
            return self.price_max()
        if roll < 0.72:
            return self.price_min()
        if roll < 0.86:
            return self.price_range()
        return [(self.rng.choice(PRICE_AROUND).format(n=_money(self.rng)), "price_max")]

    def constraints(self) -> list[Piece]:
        r = self.rng
        out: list[Piece] = []
        for _ in range(r.choice([0, 1, 1, 2])):
            kind = r.random()
            if kind < 0.45:
                part = self.price() or self.price_max()
            elif kind < 0.7:
                part = [
                    (r.choice(["size ", "in size ", "in a ", "in "]), None),
                    (self.value("size"), "size"),
                ]
            elif kind < 0.85:
                part = [
                    (r.choice(["with ", "that is ", "that's ", ""]), None),
                    (self.value("option"), "option"),
                ]
            else:
                part = [(r.choice(["for men", "for women", "for kids", "for my daughter"]), None)]
            out += ([(r.choice([" ", ", ", " and "]), None)] if out else []) + part
        return out

    def quantity(self) -> list[Piece]:
        return [(self.rng.choice(QUANTITIES), "quantity")]

    def ref(self) -> list[Piece]:
        frame, kind = self.rng.choice(REFS)
        if kind == 0:
            return [(frame, "item_ref")]
        slot = {1: "color", 2: "brand", 3: "product", 4: "material"}[kind]
        filler = self.product_name() if slot == "product" else self.value(slot)
        return [(frame.replace("{" + slot + "}", filler), "item_ref")]

    def _user(self) -> tuple[str, str, str, str]:
        r = self.rng
        if r.random() < 0.6:
            return r.choice(self.vocab.users)
        first, last = r.choice(self.vocab.first_names), r.choice(self.vocab.last_names)
        zip_code = f"{r.randint(1000, 99999):05d}"
        email = f"{first.lower()}{r.choice(['.', '_', ''])}{last.lower()}{r.randint(1, 9999)}@{r.choice(self.vocab.email_domains)}"
        return first, last, zip_code, email

    def email(self) -> list[Piece]:
        email = self._user()[3]
        return [(email.upper() if self.rng.random() < 0.05 else email, "email")]

    def name(self) -> list[Piece]:
        first, last, _, _ = self._user()
        text = f"{first} {last}"
        return [(text.lower() if self.rng.random() < 0.3 else text, "name")]

    def first(self) -> list[Piece]:
        return [(self._user()[0], "name")]

    def last(self) -> list[Piece]:
        return [(self._user()[1], "name")]

    def zip(self) -> list[Piece]:
        return [(self._user()[2], "zip")]

    def order_id(self) -> list[Piece]:
        oid = self.rng.choice(self.vocab.order_ids)
        return [(oid if self.rng.random() < 0.6 else oid.lstrip("#"), "order_id")]

    # -- rendering -----------------------------------------------------------------------
    def render(self, frame: str, intent: str, group: str) -> Example:
        r = self.rng
        use_slang = r.random() < 0.3
        pieces: list[Piece] = []
        pos = 0
        for m in _PLACEHOLDER.finditer(frame):
            pieces.append((frame[pos : m.start()], None))
            pieces += self.fillers[m.group(1)]()
            pos = m.end()
        pieces.append((frame[pos:], None))
        text, spans = "", []
        for chunk, slot in pieces:
            if slot is None:
                chunk = noisy_words(slangify(chunk, r) if use_slang else chunk, r, 0.04)
                text += chunk
            else:
                chunk = (
                    noisy_words(chunk, r, 0.015)
                    if slot not in {"email", "order_id", "zip"}
                    else chunk
                )
                spans.append(Span(len(text), len(text) + len(chunk), slot))
                text += chunk
        # Collapse doubled blanks and trim, moving spans accordingly.
        return _tidy(finish(text, r) if spans or text else text, spans, intent, group)


def _tidy(text: str, spans: list[Span], intent: str, group: str) -> Example:
    keep = [True] * len(text)
    for i, ch in enumerate(text):
        if ch == " " and (
            i == 0 or i == len(text) - 1 or text[i - 1] == " " or text[i + 1] in " ,?"
        ):
            keep[i] = False
    shift = [0] * (len(text) + 1)
    for i in range(len(text)):
        shift[i + 1] = shift[i] + (0 if keep[i] else 1)
    new_text = "".join(ch for ch, k in zip(text, keep, strict=True) if k)
    new_spans = tuple(
        Span(s.start - shift[s.start], s.end - shift[s.end], s.slot)
        for s in spans
        if s.end - shift[s.end] > s.start - shift[s.start]
    )
    # strip blanks that ended up inside span edges
    cleaned = []
    for s in new_spans:
        a, b = s.start, s.end
        while a < b and new_text[a] == " ":
            a += 1
        while b > a and new_text[b - 1] == " ":
            b -= 1
        if b > a:
            cleaned.append(Span(a, b, s.slot))
    return Example(
        text=new_text, intent=intent, spans=tuple(cleaned), group=group, source="template"
    )
