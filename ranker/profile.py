"""Shopper profiles: a time-decayed embedding of what a shopper viewed, liked and bought.

The profile vector is ``Σ_e w(kind_e) · 0.5^(age_e / half_life) · emb(product_e)``
over the shopper's interaction events and the items of their orders. Negative
feedback (``not_for_me``) has a negative weight and also hides the product.
:meth:`UserProfile.update` folds one more event in (the assistant calls it on
every event within a session); :func:`load_profile` rebuilds it from the store.
A shopper with no history has an empty profile: the ranker then falls back to
popularity and content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

__all__ = ["EVENT_WEIGHTS", "UserProfile", "fold_events", "load_profile"]

EVENT_WEIGHTS: dict[str, float] = {
    "view": 0.5,
    "click": 1.0,
    "more_like_this": 2.0,
    "add_to_cart": 2.0,
    "purchase": 3.0,
    "not_for_me": -2.0,
}
"""Weight of one event of each kind; order lines count as ``purchase``."""

DEFAULT_HALF_LIFE_HOURS = 24.0 * 14
MAX_ANCHORS = 10
EmbeddingsFn = Callable[[list[str]], np.ndarray]


def _naive_utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


@dataclass(frozen=True, eq=False)
class UserProfile:
    """What the ranker knows about one shopper.

    Attributes:
        vector: [D] decayed weighted sum of item embeddings as of ``as_of`` (None: empty).
        anchors: up to 10 recent positively-weighted products ``(id, title)``, newest first.
        anchor_vectors: [len(anchors), D] their unit embeddings (for "similar to X").
        disliked: products marked ``not_for_me`` (the ranker hides them).
        bought: products added to cart or bought (for "bought together").
        history: positive ``(product id, kind)`` events, oldest first (orders as purchases).
        next_item: the live sequential recommender's score of each product after
            ``history`` in [0, 1] (1 = its most likely next item); empty without one.
    """

    vector: np.ndarray | None = None
    as_of: datetime | None = None
    anchors: tuple[tuple[str, str], ...] = ()
    anchor_vectors: np.ndarray | None = None
    disliked: tuple[str, ...] = ()
    bought: tuple[str, ...] = ()
    n_events: int = 0
    half_life_hours: float = DEFAULT_HALF_LIFE_HOURS
    weights: dict[str, float] = field(default_factory=lambda: dict(EVENT_WEIGHTS))
    history: tuple[tuple[str, str], ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    next_item: dict[str, float] = field(default_factory=dict)
    recommender: Any = None

    def next_item_scores(self, ids: Sequence[str]) -> np.ndarray:
        """The recommender's scores of ``ids`` (0 for an unknown product or none at all)."""
        return np.array([self.next_item.get(i, 0.0) for i in ids], dtype=np.float32)

    def next_item_reason(self, product_id: str) -> str | None:
        """ "because you bought X": the history product closest to ``product_id``."""
        if self.recommender is None:
            return None
        anchor = self.recommender.because(product_id, self.history)
        if anchor is None:
            return None
        from ranker.recommender import because_text

        return because_text(anchor[1], self.titles.get(anchor[0], anchor[0]))

    @property
    def is_empty(self) -> bool:
        return self.vector is None or not np.any(self.vector)

    def unit(self) -> np.ndarray | None:
        """The profile direction (unit norm), or None when empty."""
        if self.is_empty:
            return None
        return self.vector / np.linalg.norm(self.vector)

    def update(
        self,
        product_id: str,
        kind: str,
        embedding: np.ndarray,
        *,
        at: datetime | None = None,
        title: str | None = None,
    ) -> UserProfile:
        """A new profile with one more event folded in (the old one is unchanged)."""
        if kind not in self.weights:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {sorted(self.weights)}")
        at = _naive_utc(at)
        emb = np.asarray(embedding, dtype=np.float32).reshape(-1)
        emb = emb / max(float(np.linalg.norm(emb)), 1e-12)
        vector = np.zeros_like(emb) if self.vector is None else self.vector.astype(np.float32)
        as_of = self.as_of or at
        if at >= as_of:  # decay the past to the new event's time
            vector = vector * 0.5 ** ((at - as_of).total_seconds() / 3600 / self.half_life_hours)
            weight, as_of = self.weights[kind], at
        else:  # an older event arriving late: decay it instead
            age = (as_of - at).total_seconds() / 3600
            weight = self.weights[kind] * 0.5 ** (age / self.half_life_hours)
        vector = vector + weight * emb
        changes: dict = {"vector": vector, "as_of": as_of, "n_events": self.n_events + 1}
        if weight > 0:
            kept = [(a, v) for a, v in zip(self.anchors, self._anchor_rows(), strict=True)]
            kept = [(a, v) for a, v in kept if a[0] != product_id]
            kept.insert(0, ((product_id, title or product_id), emb))
            kept = kept[:MAX_ANCHORS]
            changes["anchors"] = tuple(a for a, _ in kept)
            changes["anchor_vectors"] = np.stack([v for _, v in kept])
            changes["disliked"] = tuple(p for p in self.disliked if p != product_id)
        elif kind == "not_for_me" and product_id not in self.disliked:
            changes["disliked"] = (*self.disliked, product_id)
        if kind in ("add_to_cart", "purchase") and product_id not in self.bought:
            changes["bought"] = (*self.bought, product_id)
        return replace(self, **changes)

    def _anchor_rows(self) -> list[np.ndarray]:
        return [] if self.anchor_vectors is None else list(self.anchor_vectors)

    def personal_scores(self, embeddings: np.ndarray) -> np.ndarray:
        """Cosine of each item [N, D] to the profile direction; zeros when empty."""
        emb = np.asarray(embeddings, dtype=np.float32)
        unit = self.unit()
        if unit is None:
            return np.zeros(emb.shape[0], dtype=np.float32)
        norms = np.clip(np.linalg.norm(emb, axis=1), 1e-12, None)
        return (emb @ unit) / norms

    def nearest_anchor(self, embedding: np.ndarray) -> str | None:
        """Title of the liked product most similar to ``embedding``."""
        if not self.anchors or self.anchor_vectors is None:
            return None
        return self.anchors[int(np.argmax(self.anchor_vectors @ np.asarray(embedding)))][1]


def load_profile(
    session: Session,
    user_id: str | None = None,
    session_id: str | None = None,
    *,
    embeddings_fn: EmbeddingsFn,
    now: datetime | None = None,
    half_life_hours: float = DEFAULT_HALF_LIFE_HOURS,
    recommender: Any = "live",
) -> UserProfile:
    """Build a shopper's profile from their events and orders in the store.

    Args:
        session: an open SQLAlchemy session (read only).
        user_id: the shopper (events by ``user_id``; orders by ``customer_id``).
        session_id: the chat session (its events, and the orders of its signed-in customer).
        embeddings_fn: product ids → unit embeddings [n, D], e.g. ``SearchService.embeddings``.
        now: the time the profile is valid for (default: now, UTC).
        half_life_hours: decay half-life of an event's weight.
        recommender: a :class:`ranker.recommender.Recommender` whose next-item scores
            after the shopper's history fill ``next_item``; ``"live"`` (default) uses the
            store's live recommender when there is one, ``None`` none.
    """
    from assistant.core.models import ChatSession, InteractionEvent, Order, Product

    events: list[tuple[datetime, str, str]] = []
    conds = []
    if user_id:
        conds.append(InteractionEvent.user_id == user_id)
    if session_id:
        conds.append(InteractionEvent.session_id == session_id)
    if conds:
        query = select(
            InteractionEvent.created_at, InteractionEvent.product_id, InteractionEvent.kind
        ).where(or_(*conds))
        events += [(at, pid, kind) for at, pid, kind in session.execute(query)]
    customers = {user_id} if user_id else set()
    if session_id:
        chat = session.get(ChatSession, session_id)
        if chat is not None and chat.customer_id:
            customers.add(chat.customer_id)
    if customers:
        query = select(Order.items, Order.updated_at).where(
            Order.customer_id.in_(customers), Order.status != "cancelled"
        )
        for items, at in session.execute(query):
            for item in items or []:
                pid = item.get("item_id") or item.get("product_id")
                if pid:
                    events.append((at, str(pid), "purchase"))
    profile = UserProfile(half_life_hours=half_life_hours)
    if not events:
        return profile
    ids = sorted({pid for _, pid, _ in events})
    query = select(Product.id, Product.title).where(Product.id.in_(ids))
    titles = {pid: title for pid, title in session.execute(query)}
    known = [pid for pid in ids if pid in titles]
    if len(known) < len(ids):
        logger.info("profile: %d event products are not in the catalogue", len(ids) - len(known))
    if not known:
        return profile
    vectors = dict(zip(known, np.asarray(embeddings_fn(known)), strict=True))
    for at, pid, kind in sorted(events, key=lambda e: (_naive_utc(e[0]), e[2])):
        if pid in vectors and kind in profile.weights:
            profile = profile.update(pid, kind, vectors[pid], at=at, title=titles[pid])
    positive = [
        (str(pid), kind)
        for at, pid, kind in sorted(events, key=lambda e: (_naive_utc(e[0]), e[2]))
        if profile.weights.get(kind, 0.0) > 0
    ]
    if recommender == "live":
        from ranker.recommender import live_recommender

        recommender = live_recommender(session)
    if recommender is not None and positive:
        scores = recommender.scores([pid for pid, _ in positive])
        if scores is not None:
            profile = replace(
                profile,
                history=tuple(positive),
                titles=dict(titles),
                next_item=scores,
                recommender=recommender,
            )
    if not profile.is_empty:
        # Decay to ``now`` so profiles loaded at different times compare; direction is unchanged.
        hours = max(0.0, (_naive_utc(now) - profile.as_of).total_seconds() / 3600)
        profile = replace(
            profile,
            vector=profile.vector * 0.5 ** (hours / half_life_hours),
            as_of=_naive_utc(now),
        )
    return profile


def fold_events(
    profile: UserProfile,
    events: Sequence[tuple[str, str]],
    embeddings_fn: EmbeddingsFn,
    *,
    at: datetime | None = None,
) -> UserProfile:
    """Fold ``(product_id, kind)`` events of the current turn into a profile."""
    if not events:
        return profile
    ids = sorted({pid for pid, _ in events})
    vectors = dict(zip(ids, np.asarray(embeddings_fn(ids)), strict=True))
    for pid, kind in events:
        profile = profile.update(pid, kind, vectors[pid], at=at)
    return profile
