"""The final guard: every product is re-checked against the stated constraints before it is shown.

The check reads the product from the database (not from the retrieval index), with the
same semantics as the retrieval filters: case-insensitive category/subcategory, brand
and option values, inclusive price bounds.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import Product
from retrieval.types import Filters

logger = logging.getLogger(__name__)


def violation(product: Product, filters: Filters) -> str | None:
    """The first constraint ``product`` breaks (``Filters.violation``, the one filter rule)."""
    return filters.violation(product)


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
