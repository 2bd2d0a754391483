"""The final guard: every product is re-checked against the stated constraints before it is shown.

The check reads the product from the database (not from the retrieval index), with the
same semantics as the retrieval filters: case-insensitive category/subcategory, brand
and option values, inclusive price bounds.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import Product
from retrieval.types import Filters

logger = logging.getLogger(__name__)


def _values(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list | tuple | set):
        return {v for item in value for v in _values(item)}
    if isinstance(value, bool):
        return {"yes" if value else "no", str(value).lower()}
    return {str(value).strip().lower()}


def violation(product: Product, filters: Filters) -> str | None:
    """The first constraint ``product`` breaks, or ``None`` when it satisfies all of them."""
    price = float(product.price)
    if filters.min_price is not None and price < filters.min_price - 1e-9:
        return f"price {price} below {filters.min_price}"
    if filters.max_price is not None and price > filters.max_price + 1e-9:
        return f"price {price} above {filters.max_price}"
    if filters.categories:
        wanted = {c.strip().lower() for c in filters.categories}
        have = {c.strip().lower() for c in (product.category, product.subcategory) if c}
        if not wanted & have:
            return f"category {product.category} not in {sorted(wanted)}"
    brand = (product.brand or "").strip().lower()
    if filters.brands and brand not in {b.strip().lower() for b in filters.brands}:
        return f"brand {product.brand} not in {list(filters.brands)}"
    if brand and brand in {b.strip().lower() for b in filters.exclude_brands}:
        return f"brand {product.brand} excluded"
    if product.id in set(filters.exclude_ids):
        return "excluded item"
    attributes = {str(k).strip().lower(): v for k, v in (product.attributes or {}).items()}
    for name, accepted in filters.options:
        have = _values(attributes.get(name.strip().lower()))
        if not have & {str(a).strip().lower() for a in accepted}:
            return f"{name} {sorted(have)} not in {list(accepted)}"
    if filters.available_only and not product.available:
        return "not available"
    return None


def guard(session: Session, ids: list[str], filters: Filters) -> tuple[list[str], list[tuple[str, str]]]:
    """Split ``ids`` into those that satisfy ``filters`` and (id, reason) violations."""
    if not ids:
        return [], []
    rows = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    keep, bad = [], []
    for pid in ids:
        row = rows.get(pid)
        reason = "not in the store" if row is None else violation(row, filters)
        if reason is None:
            keep.append(pid)
        else:
            bad.append((pid, reason))
    if bad:
        logger.warning("constraint guard removed %d products: %s", len(bad), bad[:3])
    return keep, bad
