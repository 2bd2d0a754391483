""" "Bought together" association rules mined from orders, for cross-selling.

One streaming pass over the orders counts, per order, each product group once
and each unordered pair of groups once; rules ``A → B`` follow from the counts:

* support(A → B)    = n(A ∧ B) / n_orders
* confidence(A → B) = n(A ∧ B) / n(A)
* lift(A → B)       = confidence(A → B) / (n(B) / n_orders)

Rules work at the product-group level (``Product.group_id``; in the demo store a
group is a product type such as "Tent" whose variants are the sellable items),
because single variants are too sparse to co-occur. ``complements`` returns
groups from other categories, each with the rule that explains it.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

__all__ = ["AssociationRules", "Complement", "Rule"]

SKIPPED_STATUSES = frozenset({"cancelled"})


@dataclass(frozen=True)
class Rule:
    """``antecedent → consequent`` between product groups."""

    antecedent: str
    consequent: str
    antecedent_label: str
    consequent_label: str
    count: int
    support: float
    confidence: float
    lift: float

    @property
    def explanation(self) -> str:
        return (
            f"often bought with {self.antecedent_label}: "
            f"conf {self.confidence:.2f}, lift {self.lift:.1f}"
        )


@dataclass(frozen=True)
class Complement:
    """A group to suggest next to a basket, with the rule behind it."""

    group: str
    label: str
    rule: Rule

    @property
    def explanation(self) -> str:
        return self.rule.explanation


class AssociationRules:
    """Rules mined from orders; build with :meth:`mine` or :meth:`from_session`."""

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        n_orders: int,
        labels: Mapping[str, str],
        item_group: Mapping[str, str],
    ) -> None:
        self.n_orders = n_orders
        self.labels = dict(labels)
        self.item_group = dict(item_group)
        self.rules: dict[str, list[Rule]] = {}
        for rule in rules:
            self.rules.setdefault(rule.antecedent, []).append(rule)
        for group_rules in self.rules.values():
            group_rules.sort(key=lambda r: (-r.confidence, -r.lift, r.consequent))

    def __len__(self) -> int:
        return sum(len(r) for r in self.rules.values())

    @classmethod
    def mine(
        cls,
        orders: Iterable[Iterable[Mapping[str, Any]]],
        *,
        min_support: float = 0.005,
        min_confidence: float = 0.05,
        min_lift: float = 1.0,
        min_count: int = 2,
        item_group: Mapping[str, str] | None = None,
    ) -> AssociationRules:
        """Mine rules in one pass over orders.

        Args:
            orders: each order is its items, dicts with ``product_id`` (the group;
                falls back to ``item_id``), ``item_id`` and ``name`` (the label).
            min_support, min_confidence, min_lift, min_count: rule thresholds.
            item_group: optional catalogue map ``item id → group`` (used for items
                whose order line lacks a ``product_id``).
        """
        groups_of = dict(item_group or {})
        labels: dict[str, str] = {}
        single: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        n_orders = 0
        for items in orders:
            basket: set[str] = set()
            for item in items:
                item_id = str(item.get("item_id") or "")
                group = item.get("product_id") or groups_of.get(item_id) or item_id
                if not group:
                    continue
                group = str(group)
                basket.add(group)
                if item_id:
                    groups_of.setdefault(item_id, group)
                if item.get("name"):
                    labels.setdefault(group, str(item["name"]))
            if not basket:
                continue
            n_orders += 1
            single.update(basket)
            pairs.update(combinations(sorted(basket), 2))
        rules: list[Rule] = []
        for (a, b), count in pairs.items():
            support = count / n_orders
            if count < min_count or support < min_support:
                continue
            for ante, cons in ((a, b), (b, a)):
                confidence = count / single[ante]
                lift = confidence / (single[cons] / n_orders)
                if confidence >= min_confidence and lift >= min_lift:
                    rules.append(
                        Rule(
                            ante,
                            cons,
                            labels.get(ante, ante),
                            labels.get(cons, cons),
                            count,
                            support,
                            confidence,
                            lift,
                        )
                    )
        logger.info("mined %d rules from %d orders", len(rules), n_orders)
        return cls(rules, n_orders=n_orders, labels=labels, item_group=groups_of)

    @classmethod
    def from_session(cls, session: Session, **thresholds: Any) -> AssociationRules:
        """Stream the store's orders (cancelled ones skipped) and mine them."""
        from assistant.core.models import Order, Product

        item_group: dict[str, str] = {}
        for pid, gid, cat in session.execute(
            select(Product.id, Product.group_id, Product.category)
        ):
            if gid or cat:
                item_group[pid] = gid or cat
        rows = session.execute(select(Order.items, Order.status).execution_options(yield_per=500))
        orders = (items or [] for items, status in rows if status not in SKIPPED_STATUSES)
        baskets = itertools.chain(orders, _purchase_event_baskets(session))
        return cls.mine(baskets, item_group=item_group, **thresholds)

    def group_of(self, product_id: str) -> str:
        """The group of an item id (or the id itself when it already is a group)."""
        return self.item_group.get(product_id, product_id)

    def complements(self, product_ids: Iterable[str], k: int = 5) -> list[Complement]:
        """Groups from other categories often bought with ``product_ids``.

        Returns at most ``k`` complements, strongest rule first (confidence, then lift);
        each group appears once, explained by its strongest rule.
        """
        basket = {self.group_of(str(p)) for p in product_ids}
        basket_labels = {self.labels.get(g, g) for g in basket}
        best: dict[str, Rule] = {}
        for group in basket:
            for rule in self.rules.get(group, []):
                if rule.consequent in basket or rule.consequent_label in basket_labels:
                    continue
                held = best.get(rule.consequent)
                if held is None or (rule.confidence, rule.lift) > (held.confidence, held.lift):
                    best[rule.consequent] = rule
        ranked = sorted(best.values(), key=lambda r: (-r.confidence, -r.lift, r.consequent))
        return [Complement(r.consequent, r.consequent_label, r) for r in ranked[:k]]


def _purchase_event_baskets(session: Session) -> Iterator[list[dict[str, str]]]:
    """Purchases recorded in chat sessions (``interaction_events`` of kind ``purchase``), one
    basket per session, so the assistant's own sales feed the rules on the next rebuild."""
    from assistant.core.models import InteractionEvent

    rows = session.execute(
        select(InteractionEvent.session_id, InteractionEvent.product_id)
        .where(InteractionEvent.kind == "purchase", InteractionEvent.session_id.is_not(None))
        .order_by(InteractionEvent.session_id, InteractionEvent.id)
    )
    for _, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield [{"item_id": str(product_id)} for _, product_id in group]
