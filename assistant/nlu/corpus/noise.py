"""Seeded surface noise for generated utterances: typos, slang, casing, punctuation."""

from __future__ import annotations

import random
import re

_KEYBOARD = {
    "a": "qsz", "b": "vgn", "c": "xdv", "d": "sfe", "e": "wrd", "f": "dgr", "g": "fht",
    "h": "gjy", "i": "uok", "j": "hku", "k": "jli", "l": "kop", "m": "nj", "n": "bmh",
    "o": "ipl", "p": "ol", "q": "wa", "r": "etf", "s": "adw", "t": "ryg", "u": "yij",
    "v": "cbf", "w": "qes", "x": "zcs", "y": "tuh", "z": "xas",
}  # fmt: skip

_SLANG = [
    (r"\byou\b", "u"), (r"\byour\b", "ur"), (r"\bplease\b", "pls"), (r"\bwant to\b", "wanna"),
    (r"\bgoing to\b", "gonna"), (r"\blooking\b", "lookin"), (r"\bsomething\b", "smth"),
    (r"\bare\b", "r"), (r"\bbecause\b", "cuz"), (r"\bi am\b", "im"), (r"\bi'm\b", "im"),
    (r"\bwhat's\b", "whats"), (r"\bdon't\b", "dont"), (r"\bcan you\b", "can u"),
    (r"\bthanks\b", "thx"), (r"\bgot to\b", "gotta"), (r"\bkind of\b", "kinda"),
    (r"\blet me\b", "lemme"), (r"\bokay\b", "ok"), (r"\bto\b", "2"),
]  # fmt: skip


def typo(word: str, rng: random.Random) -> str:
    """One random keyboard slip in ``word`` (drop, swap, double or neighbour key)."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD.get(word[i].lower())
    return word[:i] + (rng.choice(near) if near else word[i]) + word[i + 1 :]


def noisy_words(text: str, rng: random.Random, p_typo: float) -> str:
    """Apply ``typo`` to each word with probability ``p_typo``."""
    return re.sub(
        r"[A-Za-z]+", lambda m: typo(m.group(0), rng) if rng.random() < p_typo else m.group(0), text
    )


def slangify(text: str, rng: random.Random, p: float = 0.5) -> str:
    for pattern, repl in _SLANG:
        if rng.random() < p:
            text = re.sub(pattern, repl, text)
    return text


def finish(text: str, rng: random.Random) -> str:
    """Random casing and end punctuation, applied once the spans are known (length-preserving
    casing; punctuation is only appended)."""
    roll = rng.random()
    if roll < 0.25 and text:
        text = text[0].upper() + text[1:]
    elif roll < 0.29:
        text = text.upper()
    if text and text[-1].isalnum() and rng.random() < 0.3:
        text += rng.choice(["?", "!", ".", "??", " pls", " please"])
    return text
