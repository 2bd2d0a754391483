"""Personal-data scrubbing: every text leaving the database passes through a ``Scrubber``.

Replaces, with typed placeholders:

- ``[EMAIL]``    emails, also spaced or spelled out ("noah dot brown at example dot com",
  "k.nguyen[at]proton[dot]me", "noah at gmail")
- ``[ID]``       payment-method and customer ids (``credit_card_4421309``, ``noah_brown_6181``)
- ``[IBAN]``     IBANs (grouped or not, mod-97 checked; any after the word IBAN), UK sort code
  and account number, US routing number
- ``[ORDER]``    order ids: ``#W1234567``, and digits after "order" / "purchase" (optional)
- ``[CARD]``     13-19 digit card numbers that pass Luhn, or fail it next to card words or an
  expiry; CVV / CVC / security codes; expiry dates next to card words or a card
- ``[SSN]``      US social security numbers (123-45-6789; spaced, bare or "last 4" after "SSN")
- ``[ADDRESS]``  street addresses ("12 Oak St", "3 Rue de la Paix", "Via Roma 12",
  "Hauptstraße 15"), flats / suites / units, PO boxes; with city and state before a zip
- ``[ZIP]``      US zip codes after an address, a state ("CO 80279"), "zip" or "ship to"
- ``[POSTCODE]`` UK, Canadian and Irish postcodes anywhere; others after a postcode word or
  next to a city in a message about an address ("10115 Berlin", "1012 AB Amsterdam")
- ``[PHONE]``    phone numbers: US, UK, EU and other international formats
- ``[NAME]``     the store's customers' names (case-insensitive whole words; names that are also
  ordinary words, "Brown", "Rose", only where they stand as a name), and anyone's name after
  an introduction, a form label, a sign-off, a title, a relation ("my sister, Lena Vogel"),
  "ask for", or before "here" ("Tom here"); a full name found so goes everywhere in the text

Every pattern runs in linear time on any input: repetitions are bounded, matches start only
at a boundary, and a rejected candidate costs a bounded amount of work before the search
moves on (``benchmarks/scrub.py`` times 100 kB hostile inputs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.feedback.pii_patterns import (
    _ACCOUNT,
    _ADDRESS,
    _ADDRESS_CONTEXT,
    _ADDRESS_MORE,
    _AFTER_DELIVER_NAME,
    _AFTER_NAME,
    _AFTER_SIGNOFF,
    _AU_POSTCODE,
    _BANK_CONTEXT,
    _BANK_NUMBERS,
    _CANADA,
    _CARD,
    _CARD_WORDS,
    _CITY_POSTCODE,
    _CITY_STATE_ZIP,
    _CUE,
    _CVV,
    _EIRCODE,
    _EMAIL,
    _EXPIRY,
    _GAP,
    _HERE,
    _HERE_BEFORE,
    _I,
    _IBAN,
    _IBAN_LABELLED,
    _IBAN_LENGTHS,
    _ID,
    _LONE_UNIT,
    _MAIL_TLDS,
    _NOT_NAME,
    _NUMBER_LABEL,
    _ORDER,
    _ORDER_NUMBER,
    _PARTICLES,
    _PHONE,
    _PHONE_SHORT,
    _PHONE_SLASH,
    _PHONE_WORDS,
    _PO_BOX,
    _POSTCODE_LABEL,
    _PROVIDER_EMAIL,
    _RISKY_SUFFIX,
    _SSN_CONTEXT,
    _SSN_DASHED,
    _SSN_LAST_FOUR,
    _SSN_LOOSE,
    _STATE_ZIP,
    _STORE_TOKEN,
    _STREET_FIRST,
    _STREET_NAME_FIRST,
    _STREET_NUMBER_LAST,
    _TITLES,
    _TOKEN,
    _UK,
    _UNIT_NUMBER,
    _WORD_ENDINGS,
    _ZIP_AFTER_TO,
    _ZIP_LABEL,
    COMMON_WORDS,
    _words,
)

PLACEHOLDERS = (
    "[EMAIL]", "[PHONE]", "[CARD]", "[ADDRESS]", "[ZIP]", "[ORDER]", "[NAME]",
    "[IBAN]", "[SSN]", "[POSTCODE]", "[ID]",
)  # fmt: skip




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


def iban_ok(iban: str) -> bool:
    """The ISO 13616 mod-97 check of a compact IBAN ("GB82WEST12345698765432")."""
    iban = iban.upper()
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    return int("".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])) % 97 == 1


_Repl = Callable[[re.Match[str]], "str | tuple[str, int] | None"]


def _sub(pattern: re.Pattern[str], text: str, repl: _Repl) -> str:
    """``pattern.sub`` where ``repl`` may return None (not personal data: keep it and search
    again one character on) or ``(placeholder, end)`` to replace only ``text[start:end]``;
    returning the match itself keeps it and searches on after it."""
    out, last, pos = [], 0, 0
    while (m := pattern.search(text, pos)) is not None:
        r = repl(m)
        if r is None:
            pos = m.start() + 1
            continue
        placeholder, end = (r, m.end()) if isinstance(r, str) else r
        out += [text[last : m.start()], placeholder]
        last = pos = max(end, m.start() + 1)
    out.append(text[last:])
    return "".join(out)


def _group(placeholder: str, group: int = 1) -> Callable[[re.Match[str]], str]:
    def repl(m: re.Match[str]) -> str:
        start, end = m.start(group) - m.start(), m.end(group) - m.start()
        return m[0][:start] + placeholder + m[0][end:]

    return repl


_NOT_LOCAL = _words(
    """look looked looking arrived bought sold buy available cheaper priced price it me us them
    here there home work shop store sale online"""
)


def _email(m: re.Match[str]) -> str | None:
    if m["at"].strip().lower() != "at":
        return "[EMAIL]"
    # "at" as a word: "samira at gmail dot com" yes, "look at amazon.com" / "me at home.Then" no
    local = m["local"].lower()
    if local in _NOT_NAME or local in _NOT_LOCAL:
        return None
    spelled = m["dot"].strip().lower() != "."
    return "[EMAIL]" if spelled or m["tld"].lower() in _MAIL_TLDS else None


def _iban(m: re.Match[str]) -> tuple[str, int] | None:
    length = _IBAN_LENGTHS.get(m[0][:2].upper())
    chars = [i for i, ch in enumerate(m[0]) if ch != " "]
    if length is None or len(chars) < length:
        return None
    end = m.start() + chars[length - 1] + 1
    if end < len(m.string) and m.string[end].isalnum():
        return None
    return ("[IBAN]", end) if iban_ok(m[0][: end - m.start()].replace(" ", "")) else None


def _labelled(m: re.Match[str]) -> bool:
    return bool(_NUMBER_LABEL.search(m.string, max(0, m.start() - 24), m.start()))


def _card_repl(context: bool) -> Callable[[re.Match[str]], str | None]:
    def repl(m: re.Match[str]) -> str | None:
        card = context or luhn_ok(re.sub(r"\D", "", m[0]))
        return "[CARD]" if card and not _labelled(m) else None

    return repl


def _phone(m: re.Match[str]) -> str | None:
    body = m[0][: m.start("ext") - m.start()] if m["ext"] else m[0]
    if "(" in body:
        body = re.sub(r"\(\s?0\s?\)", " ", body)  # the UK / German trunk "(0)"
    groups = re.findall(r"\d+", body)
    digits = "".join(groups)
    if len(digits) > 15:
        return m[0]  # one long number (a tracking or card-like number), no phone inside it
    if len(groups[-1]) < 2 or sum(len(g) == 1 for g in groups[1:]) > 1:
        return None
    if m["plus"] or digits.startswith("00"):
        ok = 8 <= len(digits) - (2 if not m["plus"] else 0) <= 15
    elif len(groups) == 1:
        cue = _PHONE_WORDS.search(m.string, max(0, m.start() - 30), m.start())
        ok = 10 <= len(digits) <= 11 or (cue is not None and 12 <= len(digits) <= 13)
    else:
        ok = 10 <= len(digits) <= 13
    return "[PHONE]" if ok and not _labelled(m) else None


def _address(context: bool) -> Callable[[re.Match[str]], str | None]:
    def repl(m: re.Match[str]) -> str | None:
        return "[ADDRESS]" if context or m["suffix"].lower() not in _RISKY_SUFFIX else None

    return repl


def _eircode(context: bool) -> Callable[[re.Match[str]], str | None]:
    def repl(m: re.Match[str]) -> str | None:  # "D02 X285": unless about an address, mixed only
        tail = m[0][-4:]
        mixed = any(c.isdigit() for c in tail) and any(c.isalpha() for c in tail)
        return "[POSTCODE]" if context or mixed else None

    return repl


def _uk_postcode(m: re.Match[str]) -> str | None:
    return "[POSTCODE]" if m[0].isupper() or m[0].islower() else None


def _city_postcode(m: re.Match[str]) -> str | None:
    code = m[1]
    year = len(code) == 4 and code[:2] in ("19", "20")
    return None if year else _group("[POSTCODE]")(m)


def _small_word(word: str) -> bool:
    """A word that is not a name: "the", "We're", "Mr", "customer"."""
    low = word.lower().replace("’", "'")
    return low in _NOT_NAME or low.replace("'", "") in _NOT_NAME or low in _TITLES


def _looks_like_word(word: str) -> bool:
    low = word.lower()
    past = word.islower() and len(low) > 6 and low.endswith("ed") and not low.endswith("med")
    return low in _NOT_NAME or past or (len(low) > 5 and low.endswith(_WORD_ENDINGS))


def _take_name(text: str, pos: int, kind: str, same_line: bool) -> list[tuple[int, int]]:
    """The spans of the name tokens that follow a cue of ``kind`` at ``pos`` (or none); a
    lower-case name must be on the cue's line, except under a sign-off."""
    tokens: list[tuple[int, int]] = []
    capital: bool | None = None
    lower_ok = kind == "signoff" or (same_line and kind in ("strong", "intro"))
    while len(tokens) < 5:
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        word, low = m[1], m[1].lower().replace("’", "'")
        short = low in _TITLES or len(word) == 1  # may be followed by "."
        if not tokens and low in _TITLES and kind != "title":
            kind, lower_ok = "title", False  # "this is Dr. Olufemi Adebayo"
        elif not tokens and low in ("called", "named") and kind == "relation":
            pass  # "my son called Mateo"
        elif tokens and low in _PARTICLES:
            tokens.append(m.span(1))  # kept only if a name token follows
        else:
            upper = word[0].isupper()
            if _small_word(word) or (not upper and not lower_ok) or (capital and not upper):
                break
            if (not upper or kind in ("intro", "this", "its", "greet")) and _looks_like_word(word):
                break
            capital = upper if capital is None else capital
            tokens.append(m.span(1))
        gap = _GAP.match(text, m.end())
        if gap is None or (gap[0].startswith(".") and not short):
            break
        pos = gap.end()
    while tokens and text[tokens[-1][0] : tokens[-1][1]].lower() in _PARTICLES:
        tokens.pop()
    return tokens if tokens and _name_ends_well(text, tokens[-1][1], kind, capital) else []


def _name_ends_well(text: str, end: int, kind: str, capital: bool | None) -> bool:
    """Whether what follows a name fits its cue: "I'm Ines Lund and ..." yes, "I'm Rose gold" no."""
    gap = re.match(r"[ \t]{1,3}", text[end : end + 3])
    nxt = _TOKEN.match(text, end + gap.end()) if gap else None
    small_word_next = nxt is not None and nxt[1].lower() in _NOT_NAME
    if kind == "signoff" or (kind == "intro" and not capital):
        return _AFTER_SIGNOFF.match(text, end) is not None
    if kind in ("intro", "this", "ask"):
        return small_word_next or _AFTER_NAME.match(text, end) is not None
    if kind == "its":
        here = nxt is not None and nxt[1].lower() in ("here", "again", "speaking", "from")
        return here or _AFTER_SIGNOFF.match(text, end) is not None
    if kind == "greet":
        return re.match(r"[ \t]{0,3}[,!:\n]", text[end : end + 4]) is not None
    if kind == "deliver":
        return _AFTER_DELIVER_NAME.match(text, end) is not None
    return not re.match(r"[ \t]{1,3}\w{0,10}\d", text[end : end + 14])  # "Mx Master 3S"


def _context_names(text: str) -> list[tuple[int, int]]:
    """Token spans of names found by context, and of later mentions of a full name found so."""
    names: list[list[tuple[int, int]]] = []
    for here in _HERE.finditer(text):
        if _HERE_BEFORE.search(text, max(0, here.start() - 8), here.start()):
            tokens = [t.span(1) for t in _TOKEN.finditer(text, here.start(), here.end() - 4)]
            if not any(_small_word(text[a:b]) for a, b in tokens):
                names.append(tokens)
    for cue in _CUE.finditer(text):
        kind = cue.lastgroup or "strong"  # "this" ("this is"): capitalised names only
        title = cue[0].rstrip(" \t,:")
        if kind == "title" and not (title.istitle() or title.endswith(".")):
            continue  # "don't miss Black Friday", "MX Master 3S"
        names.append(_take_name(text, cue.end(), kind, "\n" not in cue[0]))
    spans = [span for tokens in names for span in tokens]
    full_names = {text[t[0][0] : t[-1][1]].lower() for t in names if len(t) > 1}
    for name in sorted(full_names)[:10]:  # "I'm Priya Anand ... Priya Anand is on the card"
        for m in re.finditer(rf"(?<![\w'’\-]){re.escape(name)}(?![\w'’\-])", text, _I):
            spans += [t.span(1) for t in _TOKEN.finditer(text, m.start(), m.end())]
    return spans


@dataclass(frozen=True)
class Scrubber:
    """Replaces personal data in text. Build it with ``Scrubber.from_session`` to know the
    store's customer names; ``Scrubber()`` knows none and finds names by context only."""

    names: frozenset[str] = field(default_factory=frozenset)
    scrub_order_ids: bool = True

    @classmethod
    def from_session(cls, session: Session, scrub_order_ids: bool = True) -> Scrubber:
        from assistant.store.models import Customer

        rows = session.execute(select(Customer.first_name, Customer.last_name)).all()
        return cls.from_names((n for row in rows for n in row), scrub_order_ids)

    @classmethod
    def from_names(cls, names: Iterable[str | None], scrub_order_ids: bool = True) -> Scrubber:
        """A scrubber for these first / last names ("Mendoza-Reyes" counts as two)."""
        return cls(names=_name_set(names), scrub_order_ids=scrub_order_ids)

    def __call__(self, text: str | None) -> str:
        return self.scrub(text)

    def scrub(self, text: str | None) -> str:
        """Return ``text`` with personal data replaced by typed placeholders."""
        if not text:
            return text or ""
        out = _sub(_EMAIL, text, _email)
        out = _PROVIDER_EMAIL.sub("[EMAIL]", out)
        out = _ID.sub("[ID]", out)
        out = _IBAN_LABELLED.sub(_group("[IBAN]"), out)
        out = _sub(_IBAN, out, _iban)
        out = _sub_bank(out)
        if self.scrub_order_ids:
            out = _ORDER_NUMBER.sub(_group("[ORDER]"), _ORDER.sub("[ORDER]", out))
        out = _sub_cards(out)
        out = _SSN_DASHED.sub("[SSN]", out)
        if _SSN_CONTEXT.search(out):
            out = _SSN_LAST_FOUR.sub(_group("[SSN]"), _SSN_LOOSE.sub("[SSN]", out))
        out = _sub_addresses(out)
        out = _PHONE_SLASH.sub("[PHONE]", _sub(_PHONE, out, _phone))
        out = _PHONE_SHORT.sub(_group("[PHONE]"), out)
        return self._sub_names(out)

    def _sub_names(self, text: str) -> str:
        spans = set(_context_names(text))
        if self.names:
            spans.update(self._store_names(text))
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, last = [], 0
        for start, end in merged:
            out += [text[last:start], "[NAME]"]
            last = end
        out.append(text[last:])
        return "".join(out)

    def _store_names(self, text: str) -> list[tuple[int, int]]:
        # A name token is always replaced unless it is a common word, which is replaced only
        # next to another name, after a title / introduction, or capitalised mid-sentence
        # where it is not describing the next word ("ask Brown about" yes, "Brown leather" no).
        tokens = [t for t in _STORE_TOKEN.finditer(text) if not _in_placeholder(text, t)]
        lowered = [re.sub(r"['’]s$", "", t[0].lower()) for t in tokens]
        is_name = [w in self.names for w in lowered]
        spans = []
        for i, w in enumerate(lowered):
            if not is_name[i]:
                continue
            if w not in COMMON_WORDS:
                spans.append(tokens[i].span())
                continue
            neighbours = [
                j
                for j in (i - 1, i + 1)
                if 0 <= j < len(tokens)
                and is_name[j]
                and lowered[j] not in COMMON_WORDS
                and _only_separator(text, tokens[min(i, j)].end(), tokens[max(i, j)].start())
            ]
            raw_before = text[max(0, tokens[i].start() - 20) : tokens[i].start()]
            word = tokens[i][0]
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            describes_next = (
                following is not None
                and text[tokens[i].end() : following.start()] == " "
                and following[0].islower()
                and following[0] not in _NOT_NAME
            )
            capital_mid_sentence = (
                word[0].isupper()
                and not word.isupper()
                and raw_before.strip() != ""
                and not re.search(r"[.!?:\n]\s*$", raw_before)
                and not describes_next
            )
            title = re.search(r"\b(?:mr|mrs|ms|miss|dr|prof|sir|madam)\.?\s*$", raw_before, _I)
            if neighbours or capital_mid_sentence or title:
                spans.append(tokens[i].span())
        return spans


def _sub_bank(text: str) -> str:
    if not _BANK_CONTEXT.search(text) and not re.search(r"\bsort\b", text, _I):
        return text
    for pattern in _BANK_NUMBERS:
        text = pattern.sub(_group("[IBAN]"), text)
    if "[IBAN]" in text or _BANK_CONTEXT.search(text):
        text = _ACCOUNT.sub(_group("[IBAN]"), text)
    return text


def _sub_cards(text: str) -> str:
    # A number that fails Luhn is a card next to card words or an expiry; an expiry is card
    # data next to card words or a card ("the voucher expires 12/31" stays).
    context = _CARD_WORDS.search(text) is not None
    out = _sub(_CARD, text, _card_repl(context or _EXPIRY.search(text) is not None))
    out = _CVV.sub(_group("[CARD]"), out)
    if context or "[CARD]" in out:
        out = _EXPIRY.sub(_group("[CARD]"), out)
    return out


def _sub_addresses(text: str) -> str:
    context = any(p.search(text) for p in (_ADDRESS_CONTEXT, _UK, _STATE_ZIP))
    out = _PO_BOX.sub("[ADDRESS]", text)
    out = _sub(_ADDRESS, out, _address(context))
    out = _STREET_FIRST.sub("[ADDRESS]", out)
    out = _STREET_NAME_FIRST.sub("[ADDRESS]", out)
    out = _STREET_NUMBER_LAST.sub("[ADDRESS]", out)
    out = _LONE_UNIT.sub("[ADDRESS]", out)
    if context:  # "Unit 12, Riverside Estate", not "unit 2 of the shelf"
        out = _UNIT_NUMBER.sub("[ADDRESS]", out)
    out = _ADDRESS_MORE.sub("[ADDRESS]", out)
    out = _CITY_STATE_ZIP.sub("[ADDRESS], [ZIP]", out)
    out = _ZIP_LABEL.sub(_group("[ZIP]"), out)
    out = _STATE_ZIP.sub(_group("[ZIP]"), out)
    out = _POSTCODE_LABEL.sub(_group("[POSTCODE]"), out)
    out = _sub(_UK, out, _uk_postcode)
    out = _CANADA.sub("[POSTCODE]", out)
    out = _sub(_EIRCODE, out, _eircode(context))
    out = _AU_POSTCODE.sub(_group("[POSTCODE]"), out)
    out = _ZIP_AFTER_TO.sub(_group("[ZIP]"), out)
    if context or _ADDRESS_CONTEXT.search(out):
        out = _sub(_CITY_POSTCODE, out, _city_postcode)
    return out


def _in_placeholder(text: str, tok: re.Match[str]) -> bool:
    return (
        tok.start() > 0 and text[tok.start() - 1] == "[" and text[tok.end() : tok.end() + 1] == "]"
    )


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
