"""Product text for the embedder and the lexical index, its content hash, and the tokenizer.

The same text feeds both indexes, so a product found by its brand or model number
lexically is the product the dense side scored too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"[0-9a-z]+(?:[-./][0-9a-z]+)*")
_SPLIT = re.compile(r"[-./]")

STOPWORDS = frozenset(
    """a an and any are as at be but by for from has have i i'm im in is it its me my
    of on or our please show so some that the their them then there these this those to
    too us want was we were what which with would you your looking need find get buy
    something anything under over below above than less more cheaper""".split()
)


def format_value(value: Any) -> str:
    """One attribute value as text: lists joined with commas, everything else ``str``."""
    if isinstance(value, list | tuple | set):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def product_text(
    title: str,
    category: str | None = None,
    brand: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    description: str | None = None,
    subcategory: str | None = None,
) -> str:
    """The text that represents a product: title, category, brand, options, description."""
    parts = [title.strip()]
    cats = [c for c in (category, subcategory) if c]
    if cats:
        parts.append("Category: " + " / ".join(cats))
    if brand:
        parts.append(f"Brand: {brand}")
    if attributes:
        opts = "; ".join(
            f"{k}: {format_value(v)}" for k, v in sorted(attributes.items()) if v not in (None, "")
        )
        if opts:
            parts.append(opts)
    if description and description.strip():
        parts.append(description.strip())
    return ". ".join(parts)


def text_hash(text: str, model: str = "") -> str:
    """sha256 of the model name and the text: the embedding cache key."""
    return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()


def _load_stemmer():
    try:
        import Stemmer  # PyStemmer: Snowball English, C speed, own cache

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # pragma: no cover - PyStemmer is a dependency
        return None


_SNOWBALL = _load_stemmer()
# Saved BM25 indexes record this; a different tokenizer means the index must be rebuilt.
TOKENIZER_VERSION = "words-snowball-1" if _SNOWBALL is not None else "words-plural-1"


def _stem(token: str) -> str:
    """Snowball English stem of an alphabetic token; numbers and codes stay as they are."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if _SNOWBALL is not None:
        return _SNOWBALL(token)
    return _plural_stem(token)


def _plural_stem(token: str) -> str:
    """Fallback when PyStemmer is missing: fold English plurals only."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("ches", "shes", "sses", "xes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Lower-case word tokens; compound tokens (``x-100``, ``4.5``) kept whole and split.

    Model numbers match whether the shopper types ``XPS-13`` or ``xps 13``.
    """
    out: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        tok = match.group(0)
        if drop_stopwords and tok in STOPWORDS:
            continue
        out.append(_stem(tok))
        if _SPLIT.search(tok):
            out.extend(_stem(p) for p in _SPLIT.split(tok) if p and p not in STOPWORDS)
    return out
