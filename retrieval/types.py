"""Typed objects that flow from the dialogue step into retrieval and on to the ranker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _low(value: Any) -> str:
    return str(value).strip().lower()


def option_values(value: Any) -> set[str]:
    """Lower-cased string values of one attribute (lists give several; booleans yes/no)."""
    if value is None or value == "":
        return set()
    if isinstance(value, list | tuple | set):
        return {v for item in value for v in option_values(item)}
    if isinstance(value, bool):
        return {"yes" if value else "no", _low(value)}
    return {_low(value)}


@dataclass(frozen=True)
class Filters:
    """Hard constraints. Every product returned satisfies all of them, exactly.

    ``options`` maps an option name (colour, size, material, ...) to the accepted
    values (case-insensitive); ``exclude_*`` remove products the shopper rejected.
    """

    min_price: float | None = None
    max_price: float | None = None
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    exclude_brands: tuple[str, ...] = ()
    exclude_ids: tuple[str, ...] = ()
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    available_only: bool = False
    exclude_options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude_categories: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == Filters()

    def violation(self, product: Any) -> str | None:
        """The first constraint ``product`` breaks, or ``None`` when it satisfies all of them.

        ``product`` is anything with ``id, price, category, subcategory, brand, attributes,
        available`` (a ``store.models.Product`` row, a ``ProductRecord``, a dict). This is
        the one filter rule: the vectorised masks of ``ProductTable`` are tested against it.
        """
        get = product.get if isinstance(product, dict) else lambda k, d=None: getattr(product, k, d)
        price = float(get("price") or 0.0)
        if self.min_price is not None and price < self.min_price - 1e-9:
            return f"price {price} below {self.min_price}"
        if self.max_price is not None and price > self.max_price + 1e-9:
            return f"price {price} above {self.max_price}"
        cats = {_low(c) for c in (get("category"), get("subcategory")) if c}
        if self.categories and not cats & {_low(c) for c in self.categories}:
            return f"category {get('category')} not in {list(self.categories)}"
        if self.exclude_categories and cats & {_low(c) for c in self.exclude_categories}:
            return f"category {get('category')} excluded"
        brand = _low(get("brand") or "")
        if self.brands and brand not in {_low(b) for b in self.brands}:
            return f"brand {get('brand')} not in {list(self.brands)}"
        if brand and brand in {_low(b) for b in self.exclude_brands}:
            return f"brand {get('brand')} excluded"
        if str(get("id")) in set(self.exclude_ids):
            return "excluded item"
        attributes = {_low(k): v for k, v in (get("attributes") or {}).items()}
        for name, accepted in self.options:
            have = option_values(attributes.get(_low(name)))
            if not have & {_low(a) for a in accepted}:
                return f"{name} {sorted(have)} not in {list(accepted)}"
        for name, rejected in self.exclude_options:
            have = option_values(attributes.get(_low(name)))
            if have & {_low(a) for a in rejected}:
                return f"{name} {sorted(have)} is excluded ({list(rejected)})"
        if self.available_only and not get("available", True):
            return "not available"
        return None

    def accepts(self, product: Any) -> bool:
        """True when ``product`` satisfies every constraint (see ``violation``)."""
        return self.violation(product) is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.min_price is not None:
            out["min_price"] = self.min_price
        if self.max_price is not None:
            out["max_price"] = self.max_price
        if self.categories:
            out["category"] = list(self.categories)
        if self.brands:
            out["brand"] = list(self.brands)
        if self.exclude_brands:
            out["exclude_brand"] = list(self.exclude_brands)
        if self.exclude_ids:
            out["exclude_ids"] = list(self.exclude_ids)
        if self.options:
            out["options"] = {k: list(v) for k, v in self.options}
        if self.available_only:
            out["available_only"] = True
        if self.exclude_options:
            out["exclude_options"] = {k: list(v) for k, v in self.exclude_options}
        if self.exclude_categories:
            out["exclude_category"] = list(self.exclude_categories)
        return out


@dataclass(frozen=True)
class RetrievalQuery:
    text: str
    filters: Filters = field(default_factory=Filters)
    k: int = 10


@dataclass(frozen=True)
class Candidate:
    """A product that matched a query, with the retrieval scores behind it."""

    id: str
    title: str
    category: str | None
    brand: str | None
    price: float
    available: bool
    score: float  # fused retrieval score, higher is better
    dense_score: float | None = None
    lexical_score: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_result(self) -> dict[str, Any]:
        """The JSON shape of DESIGN.md: id, title, category, brand, price, available, score."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "brand": self.brand,
            "price": round(float(self.price), 2),
            "available": bool(self.available),
            "score": round(float(self.score), 6),
        }
