"""Products and their variants, as the shopper sees them.

The ``products`` table holds sellable variants (SKU, options, price, availability); the
variants that share a ``group_id`` are one product (title, description, category,
brand). ``CatalogView`` groups them, and ``product_result`` shows a product through
the variant that best fits the shopper's constraints: the public result keeps ``id``
(that variant's SKU) and adds ``product_id``, ``options``, ``price_range`` and
``option_values``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.types import Candidate, Filters

_OPTION_TITLE = re.compile(r"\s+[—–-]\s+.*$")


@dataclass(frozen=True)
class Variant:
    id: str
    price: float
    available: bool
    options: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    currency: str = "USD"

    def as_record(self, product: Product) -> dict[str, Any]:
        """What ``Filters.violation`` reads, for this variant of ``product``."""
        return {
            "id": self.id, "price": self.price, "available": self.available, "attributes": self.options,
            "category": product.category, "subcategory": product.subcategory, "brand": product.brand,
        }  # fmt: skip


@dataclass(frozen=True)
class Product:
    """One product and its variants (at least one)."""

    product_id: str
    title: str
    category: str | None
    subcategory: str | None
    brand: str | None
    description: str
    variants: tuple[Variant, ...]

    @property
    def price_range(self) -> tuple[float, float]:
        prices = [v.price for v in self.variants]
        return min(prices), max(prices)

    def option_values(self) -> dict[str, list[str]]:
        """Every option name and the values the product comes in (catalogue order kept)."""
        out: dict[str, list[str]] = {}
        for v in self.variants:
            for name, value in v.options.items():
                values = value if isinstance(value, list) else [value]
                bucket = out.setdefault(str(name), [])
                for item in values:
                    if item not in (None, "") and str(item) not in bucket:
                        bucket.append(str(item))
        return out

    def fitting(self, filters: Filters) -> list[Variant]:
        return [v for v in self.variants if filters.accepts(v.as_record(self))]


class CatalogView:
    """Variants grouped into products; ``product_of`` maps a variant SKU to its product."""

    def __init__(self, products: Iterable[Product]) -> None:
        self.products: dict[str, Product] = {p.product_id: p for p in products}
        self.product_of: dict[str, Product] = {
            v.id: p for p in self.products.values() for v in p.variants
        }

    def __len__(self) -> int:
        return len(self.products)

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> CatalogView:
        """From ``store.models.Product`` rows (or objects with the same fields)."""
        groups: dict[str, list[Any]] = {}
        for r in rows:
            groups.setdefault(str(r.group_id or r.id), []).append(r)
        products = []
        for pid, members in groups.items():
            first = members[0]
            titles = {_OPTION_TITLE.sub("", m.title or "").strip() for m in members}
            title = titles.pop() if len(titles) == 1 else (first.title or "")
            variants = tuple(
                Variant(str(m.id), float(m.price or 0.0), bool(m.available), dict(m.attributes or {}), m.title or "",
                        getattr(m, "currency", None) or "USD")
                for m in members
            )
            products.append(
                Product(pid, title, first.category, first.subcategory, first.brand, first.description or "", variants)
            )
        return cls(products)

    def types(self) -> dict[str, list[Product]]:
        out: dict[str, list[Product]] = {}
        for p in self.products.values():
            if p.category:
                out.setdefault(p.category, []).append(p)
        return out

    def variant_ids(self, product_ids: Sequence[str]) -> list[str]:
        return [v.id for pid in product_ids if pid in self.products for v in self.products[pid].variants]


def best_variant(
    product: Product, filters: Filters, *, scores: dict[str, float] | None = None, sort: str | None = None,
    prefer: dict[str, list[str]] | None = None,
) -> Variant | None:
    """The variant of ``product`` that fits ``filters`` best, or ``None`` when none fits.

    Order: fits every filter; in stock; most preferred (soft) option values; then by ``sort``:
    ``price_desc`` the dearest, ``max:PATTERN`` / ``min:PATTERN`` the largest / smallest value of
    the option whose name matches PATTERN ("max:storage|capacity"), otherwise the best
    retrieval score; the price breaks ties.
    """
    fits = product.fitting(filters)
    if not fits:
        return None
    scores = scores or {}
    prefer = {k.lower(): {str(x).lower() for x in v} for k, v in (prefer or {}).items()}

    def liked(v: Variant) -> int:
        opts = {str(k).lower(): str(val).lower() for k, val in v.options.items()}
        return sum(1 for k, vals in prefer.items() if opts.get(k) in vals)

    option_sort = None
    if sort and sort.split(":", 1)[0] in ("max", "min"):  # "max:storage|capacity"
        direction, pattern = sort.split(":", 1)
        name = option_matching(pattern, [k for v in fits for k in v.options])
        option_sort = (direction, name) if name else None

    def key(v: Variant):
        if option_sort is not None:
            number = option_number(v.options.get(option_sort[1]))
            number = float("-inf") if number is None else number
            primary = -number if option_sort[0] == "max" else number
        elif sort in ("price_asc", "price_desc"):
            primary = v.price if sort == "price_asc" else -v.price
        else:  # the variant the query's words fit best (its own options named), then the cheapest
            primary = -scores.get(v.id, 0.0)
        return (not v.available, -liked(v), primary, v.price)

    return min(fits, key=key)


_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")
_SIZE_ORDER = {"xxs": 0, "xs": 1, "s": 2, "small": 2, "m": 3, "medium": 3, "l": 4, "large": 4, "xl": 5, "xxl": 6,
               "xxxl": 7, "single": 1, "double": 2, "queen": 3, "king": 4, "super king": 5,
               # levels written as words order the same way ("the brightest one" of low/medium/high)
               "low": 1, "high": 5, "basic": 1, "standard": 3, "professional": 5, "pro": 5, "premium": 5,
               "mini": 1, "short": 1, "long": 5, "slow": 1, "fast": 5}  # fmt: skip


def option_number(value: Any) -> float | None:
    """An option value as a number for comparisons: "20 hours" -> 20, "1TB" -> 1000, "XL" -> 5."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _SIZE_ORDER:
        return float(_SIZE_ORDER[text])
    m = _NUMBER.search(text)
    if not m:
        return None
    number = float(m.group(1).replace(",", "."))
    if re.search(r"\d\s*tb\b", text):
        number *= 1000
    return number


def option_matching(pattern: str, names: Iterable[str]) -> str | None:
    """The first option name matching one of ``pattern``'s alternatives ("battery life|hours")."""
    names = list(dict.fromkeys(names))
    for alt in pattern.split("|"):
        for n in names:
            if re.search(rf"\b{re.escape(alt)}\b", n.lower()):
                return n
    return None


def product_result(product: Product, variant: Variant, score: float = 0.0, **extra: Any) -> dict[str, Any]:
    """The public JSON of one result: DESIGN.md's search fields plus the product view."""
    lo, hi = product.price_range
    out = {
        "id": variant.id,
        "title": product.title,
        "category": product.category,
        "brand": product.brand,
        "price": round(float(variant.price), 2),
        "currency": variant.currency,
        "available": bool(variant.available),
        "score": round(float(score), 6),
        "product_id": product.product_id,
        "options": {str(k): v for k, v in variant.options.items()},
        "price_range": [round(lo, 2), round(hi, 2)],
        "option_values": product.option_values(),
    }
    out.update(extra)
    return out


def group_candidates(
    candidates: Sequence[Candidate], view: CatalogView, filters: Filters, *, sort: str | None = None,
    one_per_type: bool = False,
) -> list[tuple[Candidate, Product, Variant]]:
    """Variant hits -> one candidate per product (best product first), shown through its
    best-fitting variant with the product's best retrieval score; ``one_per_type`` keeps the
    first product of each type (an open need). Hits outside ``view`` are dropped."""
    order: list[str] = []
    by_id = {c.id: c for c in candidates}
    scores = {c.id: c.score for c in candidates}
    for c in candidates:
        product = view.product_of.get(c.id)
        if product is not None and product.product_id not in order:
            order.append(product.product_id)
    out = []
    seen_types: set[str] = set()
    for pid in order:
        product = view.products[pid]
        variant = best_variant(product, filters, scores=scores, sort=sort)
        if variant is None or (one_per_type and (product.category or "") in seen_types):
            continue
        seen_types.add(product.category or "")
        hits = [by_id[v.id] for v in product.variants if v.id in by_id]
        base = by_id.get(variant.id) or hits[0]
        cand = dataclasses.replace(
            base, id=variant.id, title=product.title, price=variant.price, available=variant.available,
            attributes=dict(variant.options), score=max(h.score for h in hits),
        )
        out.append((cand, product, variant))
    return out
