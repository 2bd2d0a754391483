"""The catalogue as the dialogue sees it: products with their variants and the grounding
vocabulary (``retrieval.grounding``), built from the products table once per catalogue
version; and ``norm_words``, the plain normaliser of item descriptions."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.settings import default_embedding_model
from assistant.store.models import CatalogState, Product
from retrieval.catalog.view import CatalogView
from retrieval.grounding import Vocabulary as GroundingVocabulary

_SYNONYMS = {"tshirt": "t shirt", "tee": "t shirt", "tees": "t shirt", "colour": "color", "grey": "grey"}


def norm_words(text: str) -> str:
    """Lower-case, punctuation to spaces, naive singular per word: 'T-Shirts' -> 't shirt'."""
    words = re.sub(r"[^0-9a-z%.]+", " ", (text or "").lower()).split()
    out = []
    for w in words:
        w = _SYNONYMS.get(w, w)
        if len(w) > 3 and w.endswith("es") and w[:-2].endswith(("sh", "ch", "x", "ss")):
            w = w[:-2]
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us")):
            w = w[:-1]
        out.append(w)
    return " ".join(out)


@dataclass(frozen=True)
class Catalog:
    """Products with their variants and the grounding vocabulary, for one catalogue version."""

    view: CatalogView
    words: GroundingVocabulary


@functools.cache
def known_words() -> frozenset[str]:
    """Whole English words of the bundled encoder's vocabulary: never read as typos."""
    path = Path(default_embedding_model()) / "vocab.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isalpha() and len(w) >= 5)


_CATALOGS: dict[tuple[str, int], Catalog] = {}


def load_catalog(session: Session) -> Catalog:
    """The product view and grounding vocabulary of the current catalogue (cached per version)."""
    state = session.get(CatalogState, 1)
    key = (str(session.get_bind().url), state.version if state else -1)
    found = _CATALOGS.get(key)
    if found is not None:
        return found
    view = CatalogView.from_rows(session.scalars(select(Product)))
    catalog = Catalog(view, GroundingVocabulary(view, known_words()))
    if len(_CATALOGS) > 8:
        _CATALOGS.clear()
    _CATALOGS[key] = catalog
    return catalog
