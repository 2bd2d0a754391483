"""The dialogue state of one conversation, persisted as JSON in ``ChatSession.state``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from retrieval.types import Filters

SHOPPING_SLOTS: tuple[str, ...] = ("product", "category", "brand", "price_min", "price_max")
OPTION_SLOTS: tuple[str, ...] = ("color", "size", "material")
EARLIER_KEPT = 4  # products remembered from earlier lists


@dataclass
class DialogueState:
    """What the assistant remembers between turns.

    Attributes:
        slots: shopping constraints: product, category, brand, price_min, price_max.
        options: option name -> accepted values (colour, size, material, ...).
        exclude_brands / exclude_ids: what the shopper rejected.
        diversity: raised by "show me different ones"; ``None`` = the default.
        preferred_diversity: the shopper's own "similar / varied" setting from the app;
            a new product need starts from it rather than from the store default.
        last_shown: the products of the latest list (id, title, price, brand,
            category, available, attributes) that item references resolve against.
        focus_id: the product the conversation is about ("it", "that one").
        customer_id: the authenticated customer; one per conversation.
        verify: the one-time code awaited (``assistant.verify``: salt, keyed digest, expiry,
            tries, the account it is for) and the conversation's counts of codes and failures.
        task: an open service task being filled (kind, order_id, ...).
        pending: a write listed and waiting for an explicit yes.
        offer: a relaxation offered when nothing fitted (accepting it applies it).
        fail_streak: consecutive low-confidence / clarify turns.
        types: the product types of the current need (one for a specific need, several
            for an open one such as a gift); ``open_need`` says which.
        exclude_types / exclude_options / exclude_products: what the shopper ruled out
            ("she already has a yoga mat", "not the black ones", "not that one").
        sort: ``price_asc`` / ``price_desc`` when the shopper asked for cheaper/cheapest.
        soft: constraints inferred rather than stated ("cheaper" -> a ceiling); a newer
            explicit constraint replaces them.
        cart: the conversation's basket: ``{"id", "product_id", "title", "price", "options", "quantity"}``.
        requirements: needs no option states, in the shopper's words ("needs to keep the rain
            off"): products whose title or description says so are shown first, the others only
            when none does.
        earlier: products talked about before the latest list (the focused or only product of
            each earlier list, most recent last), so "what would both cost together" after a
            second search reaches the first product.
    """

    slots: dict[str, Any] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    exclude_brands: list[str] = field(default_factory=list)
    exclude_ids: list[str] = field(default_factory=list)
    diversity: float | None = None
    preferred_diversity: float | None = None
    last_shown: list[dict[str, Any]] = field(default_factory=list)
    focus_id: str | None = None
    last_action: str | None = None
    last_reply: str = ""
    last_query: str = ""
    customer_id: str | None = None
    auth: dict[str, str] = field(default_factory=dict)
    verify: dict[str, Any] = field(default_factory=dict)
    task: dict[str, Any] | None = None
    pending: dict[str, Any] | None = None
    offer: dict[str, Any] | None = None
    fail_streak: int = 0
    turns: int = 0
    handoff_summary: str = ""
    types: list[str] = field(default_factory=list)
    exclude_types: list[str] = field(default_factory=list)
    exclude_options: dict[str, list[str]] = field(default_factory=dict)
    exclude_products: list[str] = field(default_factory=list)
    seen_products: list[str] = field(default_factory=list)  # passed over by "show me others"
    sort: str | None = None
    soft: dict[str, Any] = field(default_factory=dict)
    open_need: bool = False
    cart: list[dict[str, Any]] = field(default_factory=list)
    earlier: list[dict[str, Any]] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogueState:
        data = data or {}
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def copy(self) -> DialogueState:
        return DialogueState.from_json(self.to_json())

    def filters(self, categories: tuple[str, ...] = (), exclude_ids: tuple[str, ...] = ()) -> Filters:
        """The hard constraints the shopper stated, as retrieval ``Filters``."""
        brand = self.slots.get("brand")
        return Filters(
            min_price=_float(self.slots.get("price_min")),
            max_price=_float(self.slots.get("price_max")),
            categories=categories or tuple(self.types),
            brands=(brand,) if brand else (),
            exclude_brands=tuple(self.exclude_brands),
            exclude_ids=tuple(dict.fromkeys(tuple(self.exclude_ids) + tuple(exclude_ids))),
            options=tuple((k, tuple(v)) for k, v in sorted(self.options.items()) if v),
            exclude_options=tuple((k, tuple(v)) for k, v in sorted(self.exclude_options.items()) if v),
            exclude_categories=tuple(t for t in self.exclude_types if t not in self.types),
        )

    def reset_shopping(self) -> None:
        """A new product need: forget the previous constraints and exclusions."""
        self.slots = {}
        self.options = {}
        self.exclude_brands = []
        self.exclude_ids = []
        self.diversity = self.preferred_diversity
        self.offer = None
        self.types = []
        self.exclude_types = []
        self.exclude_options = {}
        self.exclude_products = []
        self.seen_products = []
        self.sort = None
        self.soft = {}
        self.requirements = []
        self.open_need = False

    def show(self, products: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
        """A new list replaces ``last_shown``; the product the old list was about moves to ``earlier``."""
        old = self.shown(self.focus_id) or (self.last_shown[0] if len(self.last_shown) == 1 else None)
        new = [{k: p.get(k) for k in keys if k in p} for p in products]
        if old is not None:
            key = old.get("product_id") or old.get("id")
            if key not in {p.get("product_id") or p.get("id") for p in new}:
                kept = [e for e in self.earlier if (e.get("product_id") or e.get("id")) != key]
                self.earlier = [*kept, old][-EARLIER_KEPT:]
        self.last_shown = new

    def shown(self, product_id: str | None) -> dict[str, Any] | None:
        return next((p for p in self.last_shown if p.get("id") == product_id), None)


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
