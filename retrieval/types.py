"""Typed objects that flow from the dialogue step into retrieval and on to the ranker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    def is_empty(self) -> bool:
        return self == Filters()

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
