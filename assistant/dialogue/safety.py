"""Cleaning of the raw shopper message: length, control characters, markup, injections.

Nothing in a message can grant a privilege: authorisation lives in the tools. The
injection check only lets the reply say so plainly instead of pretending to comply.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TAG = re.compile(r"<[^>]{0,200}>")
# A lone surrogate (JSON's "\ud800" escape reaches /chat as one) cannot be encoded as UTF-8:
# the tokenizer and the database refused it and the turn failed.
_SURROGATE = re.compile("[\ud800-\udfff]")
_INJECTION = re.compile(
    r"ignore (all |any |the )?(previous|prior|above|earlier) (instructions|rules|prompts?)"
    r"|disregard (all |the |your )?(previous|prior|above)?\s*(instructions|rules)"
    r"|you are (now )?(an? )?(admin|administrator|root|developer|superuser|system)"
    r"|(admin|developer|god|jailbreak|dan) mode"
    r"|system prompt|new instructions:|act as (an? )?(admin|administrator|root)"
    r"|(all|every) (the )?orders? (of|for|from) (user|customer|everyone|all)"
    r"|(show|list|give|tell) me (all|every|other) (users?|customers?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanMessage:
    """The message as the pipeline reads it.

    Attributes:
        text: printable text, at most ``max_chars`` characters, markup kept as text.
        truncated: the original was longer than ``max_chars``.
        original_chars: length of the original message.
        injection: the message tries to change the assistant's rules or privileges.
        markup: the message contained HTML-like tags.

    ``read`` is what understanding, grounding and planning read: the text with every word
    longer than ``MAX_WORD`` characters cut to that length (no word in a catalogue or a
    shopper's request is longer; a 4,000-digit "word" would cost the pattern readers
    seconds), so a hostile message costs what an ordinary one does. The stored message
    keeps ``text``.
    """

    text: str
    truncated: bool
    original_chars: int
    injection: bool
    markup: bool

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def read(self) -> str:
        return _LONG_WORD.sub(_cut_word, self.text)


MAX_WORD = 32
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
# An email address is read whole up to 254 characters: cut at 32, the shopper's own address
# ('isabella.johansson9391@example.com') was looked up as '...@example.c' and never found.
_EMAIL_WORD = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def _cut_word(m: re.Match[str]) -> str:
    word = m.group(0)
    if len(word) <= 254 and "@" in word:
        core = word.strip(".,;:!?()[]<>\"'")
        if _EMAIL_WORD.fullmatch(core):
            return word
    return word[:MAX_WORD]


def clean_message(message: str | None, max_chars: int) -> CleanMessage:
    """Normalise unicode, drop control characters, truncate to ``max_chars``."""
    raw = message if isinstance(message, str) else ("" if message is None else str(message))
    original = len(raw)
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", raw))
    text = _CONTROL.sub(" ", text)
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars]
    text = text.strip()
    return CleanMessage(
        text=text,
        truncated=truncated,
        original_chars=original,
        injection=bool(_INJECTION.search(text)),
        markup=bool(_TAG.search(text)),
    )


def for_understanding(text: str) -> str:
    """The text the model reads: markup tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", _TAG.sub(" ", text)).strip()


def escape(text: str) -> str:
    """Escape shopper-supplied text before it is echoed inside a reply."""
    return html.escape(text, quote=True)
