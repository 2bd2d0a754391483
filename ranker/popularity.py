"""Popularity prior from orders and interaction events.

An item's prior is the mean of two log-scaled shares in [0, 1]: how often the
item itself was bought or engaged with, and how often its category was. The
category half keeps a brand-new variant of a popular product type from scoring
zero; a product with no interactions at all still ranks by its content.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from retrieval.types import Candidate

logger = logging.getLogger(__name__)

__all__ = ["EVENT_POPULARITY", "Popularity"]

EVENT_POPULARITY: dict[str, float] = {
    "view": 0.1,
    "click": 0.2,
    "more_like_this": 0.3,
    "add_to_cart": 0.5,
    "purchase": 1.0,
    "not_for_me": 0.0,
}
"""How much one event counts toward popularity; one order line counts 1."""


@dataclass(frozen=True)
class Popularity:
    """Interaction counts per item id and per category."""

    items: Mapping[str, float] = field(default_factory=dict)
    categories: Mapping[str, float] = field(default_factory=dict)

    def scores(self, candidates: Sequence[Candidate]) -> np.ndarray:
        """Prior in [0, 1] for each candidate [N]; zeros when nothing is known."""
        out = np.zeros(len(candidates), dtype=np.float32)
        for counts, key, half in (
            (self.items, lambda c: c.id, 0.5),
            (self.categories, lambda c: c.category, 0.5),
        ):
            top = max(counts.values(), default=0.0)
            if top <= 0:
                continue
            scale = half / math.log1p(top)
            for i, cand in enumerate(candidates):
                out[i] += scale * math.log1p(counts.get(key(cand), 0.0))
        return out

    @classmethod
    def from_session(cls, session: Session) -> Popularity:
        """Count order lines (cancelled orders skipped) and interaction events."""
        from assistant.core.models import InteractionEvent, Order, Product

        category = {
            pid: cat
            for pid, cat in session.execute(select(Product.id, Product.category))
            if cat is not None
        }
        items: Counter[str] = Counter()
        cats: Counter[str] = Counter()
        rows = session.execute(select(Order.items, Order.status).execution_options(yield_per=500))
        for order_items, status in rows:
            if status == "cancelled":
                continue
            for item in order_items or []:
                pid = str(item.get("item_id") or item.get("product_id") or "")
                if not pid:
                    continue
                items[pid] += 1.0
                cat = category.get(pid) or item.get("name")
                if cat:
                    cats[cat] += 1.0
        events = select(InteractionEvent.product_id, InteractionEvent.kind).execution_options(
            yield_per=1000
        )
        for pid, kind in session.execute(events):
            weight = EVENT_POPULARITY.get(kind, 0.0)
            if weight > 0:
                items[pid] += weight
                if pid in category:
                    cats[category[pid]] += weight
        logger.info("popularity: %d items, %d categories", len(items), len(cats))
        return cls(dict(items), dict(cats))
