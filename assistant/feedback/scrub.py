"""Personal-data scrubbing: every text leaving the database passes through a ``Scrubber``.

Replaces, with typed placeholders:

- ``[EMAIL]``   emails, also spelled out ("noah dot brown at example dot com")
- ``[CARD]``    card numbers of 13-19 digits, with spaces or dashes, that pass the Luhn check
- ``[PHONE]``   phone numbers in common formats (+1 (555) 123-4567, 555.123.4567, 5551234567, ...)
- ``[ADDRESS]`` street addresses (number + street name + suffix), with "Suite 259" / "Apt 4"
  and a following zip code
- ``[ZIP]``     5-digit (or ZIP+4) codes written next to an address word (city/state/zip)
- ``[ORDER]``   order ids such as ``#W1234567`` (optional, on by default)
- ``[NAME]``    first and last names of the store's customers, case-insensitive whole words.
  Names that are also ordinary words ("brown", "mason") are replaced only when they stand
  next to another customer name or after a title / "my name is".

Order matters: cards before phones (a card number contains phone-like runs), emails
before names (``noah.brown@example.com`` is one email, not two names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

PLACEHOLDERS = ("[EMAIL]", "[PHONE]", "[CARD]", "[ADDRESS]", "[ZIP]", "[ORDER]", "[NAME]")

# Words that are both customer names and ordinary words in a shop (colours, materials, trades).
COMMON_WORDS: frozenset[str] = frozenset(
    """brown green white black gray grey rose gold silver mason harper taylor smith moore
    lee may will mark bill rich page case hunter king young long price cook baker carter
    miller turner park hill wood stone rock summer april june august grace hope joy ivy
    lily violet olive amber ruby pearl jade sky river brook star sunny chase drew""".split()
)

_TLD = r"(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz|us|ca|me|ai)"
_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*\s*(?:@|\(at\)|\[at\])\s*"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"
)
_SPACED_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_%+\-]+)*[ \t]*(?:@|\(at\)|\[at\])[ \t]*"
    rf"[A-Za-z0-9\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9\-]+)*?[ \t]*\.[ \t]*{_TLD}\b",
    re.IGNORECASE,
)
_AT = r"\s*(?:\bat\b|\(at\)|\[at\])\s*"
_DOT = r"\s*(?:\bdot\b|\(dot\)|\[dot\]|\.)\s*"
_SPELLED_EMAIL = re.compile(
    rf"\b[A-Za-z0-9_%+\-]+(?:{_DOT}[A-Za-z0-9_%+\-]+)*{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*"
    rf"{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
_CARD_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ \-.]?){12,18}\d(?![\d])")
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:\+?\d{1,3}[\s.\-]?)?"  # country code
    r"(?:\(\s*\d{3}\s*\)|\d{3})[\s.\-]*"  # area code
    r"\d{3}[\s.\-]*\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?"
    r"(?!\w)",
    re.IGNORECASE,
)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}(?!\w)")
_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|court|ct|place|pl|"
    r"way|terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl|alley|"
    r"crescent|close|row|loop|plaza)"
)
_UNIT = r"(?:suite|ste|apt|apartment|unit|floor|fl|room|rm|#)\.?\s*#?\s*[A-Za-z0-9\-]+"
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:[A-Za-z0-9'\-]+\.?\s+){{0,4}}?{_STREET_SUFFIX}\b\.?"
    rf"(?:[\s,]+{_UNIT})?",
    re.IGNORECASE,
)
_LONE_UNIT = re.compile(
    r"\b(?:suite|ste|apt|apartment|unit)\.?\s*#?\s*\d+[A-Za-z]?\b", re.IGNORECASE
)
_ZIP = r"(\d{5}(?:-\d{4})?)\b"
# after an address, city and state go with the zip: "[ADDRESS], Denver, CO 80279"
_CITY_STATE_ZIP = re.compile(
    r"\[ADDRESS\](?:[,\s]+[A-Za-z][A-Za-z .]{0,30}?)?(?:[,\s]+[A-Za-z]{2})?[,\s]+\d{5}(?:-\d{4})?\b"
)
_ZIP_CONTEXTS = (
    # after the word zip / postal code
    re.compile(
        r"\b(?:zip|zip\s*code|zipcode|postal\s*code|postcode)\s*(?:is|:|=|-)?\s*" + _ZIP, re.I
    ),
    # after a US state abbreviation: "CO 80279"
    re.compile(r"\b[A-Z]{2},?\s+" + _ZIP),
)
_ORDER = re.compile(r"#\s*W?\s*\d{7}\b|\bW\d{7}\b", re.IGNORECASE)
_TITLES = r"(?:mr|mrs|ms|miss|dr|prof|sir|madam)\.?"
_INTRO = r"(?:my name is|name is|name's|i am|i'm|this is|call me|signed|regards,?|thanks,?)"


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a digit string (card numbers)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _sub_cards(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return "[CARD]"
        return m.group(0)

    return _CARD_CANDIDATE.sub(repl, text)


def _sub_phones(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return "[PHONE]" if 10 <= len(digits) <= 15 else m.group(0)

    return _INTL_PHONE.sub(repl, _PHONE.sub(repl, text))


@dataclass(frozen=True)
class Scrubber:
    """Replaces personal data in text. Build it with ``Scrubber.from_session`` to know the
    store's customer names; ``Scrubber()`` scrubs everything but names."""

    names: frozenset[str] = field(default_factory=frozenset)
    scrub_order_ids: bool = True

    @classmethod
    def from_session(cls, session: Session, scrub_order_ids: bool = True) -> Scrubber:
        from assistant.store.models import Customer

        rows = session.execute(select(Customer.first_name, Customer.last_name)).all()
        return cls(names=_name_set(n for row in rows for n in row), scrub_order_ids=scrub_order_ids)

    def __call__(self, text: str | None) -> str:
        return self.scrub(text)

    def scrub(self, text: str | None) -> str:
        """Return ``text`` with personal data replaced by typed placeholders."""
        if not text:
            return text or ""
        out = _EMAIL.sub("[EMAIL]", text)
        out = _SPACED_EMAIL.sub("[EMAIL]", out)
        out = _SPELLED_EMAIL.sub("[EMAIL]", out)
        out = _sub_cards(out)
        if self.scrub_order_ids:
            out = _ORDER.sub("[ORDER]", out)
        out = _ADDRESS.sub("[ADDRESS]", out)
        out = _LONE_UNIT.sub("[ADDRESS]", out)
        out = _CITY_STATE_ZIP.sub("[ADDRESS], [ZIP]", out)
        for pattern in _ZIP_CONTEXTS:
            out = pattern.sub(_replace_group("[ZIP]"), out)
        out = _sub_phones(out)
        if self.names:
            out = self._sub_names(out)
        return out

    def _sub_names(self, text: str) -> str:
        # Tokens: words; a name token is always replaced unless it is a common word, which is
        # replaced only next to another name or after a title / introduction.
        tokens = list(re.finditer(r"[A-Za-z][A-Za-z']*", text))
        lowered = [t.group(0).lower() for t in tokens]
        is_name = [w in self.names for w in lowered]
        replace = [False] * len(tokens)
        for i, w in enumerate(lowered):
            if not is_name[i]:
                continue
            if w not in COMMON_WORDS:
                replace[i] = True
                continue
            neighbours = [
                j
                for j in (i - 1, i + 1)
                if 0 <= j < len(tokens)
                and is_name[j]
                and (lowered[j] not in COMMON_WORDS)
                and _only_separator(text, tokens[min(i, j)].end(), tokens[max(i, j)].start())
            ]
            raw_before = text[max(0, tokens[i].start() - 20) : tokens[i].start()]
            before = raw_before.lower()
            word = tokens[i].group(0)
            capital_mid_sentence = (
                word[0].isupper()
                and not word.isupper()
                and raw_before.strip() != ""
                and not re.search(r"[.!?:\n]\s*$", raw_before)
            )
            if (
                neighbours
                or capital_mid_sentence
                or re.search(rf"(?:\b{_TITLES}|\b{_INTRO})\s*$", before)
            ):
                replace[i] = True
        out, last = [], 0
        for tok, rep in zip(tokens, replace, strict=True):
            if rep:
                out.append(text[last : tok.start()])
                out.append("[NAME]")
                last = tok.end()
        out.append(text[last:])
        return "".join(out)


def _replace_group(placeholder: str):
    def repl(m: re.Match[str]) -> str:
        start, end = m.span(1)
        whole = m.group(0)
        return whole[: start - m.start()] + placeholder + whole[end - m.start() :]

    return repl


def _only_separator(text: str, start: int, end: int) -> bool:
    return bool(re.fullmatch(r"[\s.,_\-]{1,3}", text[start:end]))


def _name_set(names: Iterable[str | None]) -> frozenset[str]:
    out = set()
    for name in names:
        for part in re.split(r"[\s\-]+", (name or "").strip()):
            if len(part) >= 2:
                out.add(part.lower())
    return frozenset(out)


def scrub_messages(messages: list[dict[str, str]], scrubber: Scrubber) -> list[dict[str, str]]:
    """Scrub the ``content`` of chat-format messages."""
    return [{**m, "content": scrubber(m.get("content", ""))} for m in messages]
