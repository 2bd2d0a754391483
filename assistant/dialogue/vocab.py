"""What the catalogue knows: product types (categories), brands and option values.

Used to read constraints out of text the model left unlabelled ("in blue", "glass")
and to map a product type onto an exact category filter. Built from the products
table and cached per catalogue version.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import CatalogState, Product
from retrieval.catalog.view import CatalogView
from retrieval.grounding import Vocabulary as GroundingVocabulary

PRIMARY_OPTIONS: tuple[str, ...] = ("color", "material", "size", "style")
_AMBIGUOUS = frozenset(
    "none standard yes no full half high low medium large small light dark basic fixed custom "
    "plain manual automatic digital portable wired analog electric gas men women unisex art "
    "fresh woody camera laptop road type".split()
)
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
class Vocabulary:
    """Normalised lookups: categories and brands (norm -> original), option values."""

    categories: dict[str, str]
    brands: dict[str, str]
    options: dict[str, dict[str, str]]  # option name -> value norm -> original
    value_owner: dict[str, str]  # value norm -> the one option name using it (text matching)

    def find_category(self, text: str) -> str | None:
        """The longest category/product type named in ``text``."""
        hay = f" {norm_words(text)} "
        best = None
        for key, original in self.categories.items():
            if key and f" {key} " in hay and (best is None or len(key) > len(best[0])):
                best = (key, original)
        return best[1] if best else None

    def find_brand(self, text: str) -> str | None:
        hay = f" {(text or '').lower()} "
        for key, original in sorted(self.brands.items(), key=lambda kv: -len(kv[0])):
            if len(key) >= 3 and re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", hay):
                return original
        return None

    def find_options(self, text: str) -> dict[str, str]:
        """Option values named in ``text``: colours, materials, styles, ``size X``."""
        low = (text or "").lower()
        found: dict[str, str] = {}
        used: set[str] = set()
        for name in PRIMARY_OPTIONS:
            for key, original in sorted(self.options.get(name, {}).items(), key=lambda kv: -len(kv[0])):
                if name == "size":
                    pattern = rf"\bsize\s+{re.escape(key)}(?![a-z0-9])"
                elif len(key) < 3 or key in _AMBIGUOUS or key in used:
                    continue
                else:
                    pattern = rf"(?<![a-z0-9-]){re.escape(key)}(?![a-z0-9-])"
                if name not in found and re.search(pattern, low):
                    found[name] = original
                    used.add(key)
        return found

    def option_names(self) -> list[str]:
        return sorted(self.options)


_CACHE: dict[tuple[str, int], Vocabulary] = {}


def load_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary of the current catalogue (cached per catalogue version and database)."""
    state = session.get(CatalogState, 1)
    key = (str(session.get_bind().url), state.version if state else -1)
    if key in _CACHE:
        return _CACHE[key]
    categories: dict[str, str] = {}
    brands: dict[str, str] = {}
    options: dict[str, dict[str, str]] = defaultdict(dict)
    rows = session.execute(
        select(Product.category, Product.subcategory, Product.brand, Product.attributes)
    ).all()
    for category, subcategory, brand, attributes in rows:
        for c in (category, subcategory):
            if c:
                categories.setdefault(norm_words(c), c)
        if brand:
            brands.setdefault(brand.lower(), brand)
        for name, value in (attributes or {}).items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str | int | float) and not isinstance(v, bool):
                    options[str(name).lower()].setdefault(str(v).lower(), str(v))
    owners: dict[str, set[str]] = defaultdict(set)
    for name, values in options.items():
        for v in values:
            owners[v].add(name)
    value_owner = {v: next(iter(names)) for v, names in owners.items() if len(names) == 1}
    vocab = Vocabulary(categories, brands, dict(options), value_owner)
    _CACHE.clear()
    _CACHE[key] = vocab
    return vocab


@dataclass(frozen=True)
class Catalog:
    """Products with their variants and the grounding vocabulary, for one catalogue version."""

    view: CatalogView
    words: GroundingVocabulary


_CATALOGS: dict[tuple[str, int], Catalog] = {}


def load_catalog(session: Session) -> Catalog:
    """The product view and grounding vocabulary of the current catalogue (cached per version)."""
    state = session.get(CatalogState, 1)
    key = (str(session.get_bind().url), state.version if state else -1)
    found = _CATALOGS.get(key)
    if found is not None:
        return found
    view = CatalogView.from_rows(session.scalars(select(Product)))
    catalog = Catalog(view, GroundingVocabulary(view))
    if len(_CATALOGS) > 8:
        _CATALOGS.clear()
    _CATALOGS[key] = catalog
    return catalog
