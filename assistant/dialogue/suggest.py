"""Suggestions with no product named: "recommend something for me" and "what goes with
what's in my basket".

A known shopper (the verified customer of the conversation, else the ``user_id`` the turn
was given) gets the live recommender's next items over their history in the store (orders
and positive events), in stock and not already bought, each with the history item it
follows from ("because you bought Hiking Boots"). With no live recommender, no history or
no known shopper the list is the store's popular products, and the reply says so. Only the
named shopper's own rows are read.

Cross-sell scores the products of the groups the "bought together" rules
(``ranker.association``) suggest for the basket by rule confidence plus the recommender's
next-item score over the shopper's history followed by the basket, and fills the list with
the recommender's other picks; products in the basket are left out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from retrieval.catalog.view import CatalogView, Product, Variant, product_result

logger = logging.getLogger(__name__)

SHOW = 5
POPULAR = "popular right now"

PERSONAL = re.compile(
    r"\b(?:recommend|suggest)(?:ed|ing|s)?\s+(?:me\s+)?(?:something|anything|some\s?things|stuff|a few things)\b"
    r"(?:.{0,20}\bfor (?:me|myself)\b|\s*[?.!]*$)"
    r"|\b(?:recommend|suggest)\s+me\s+(?:something|anything)\b"
    r"|\bwhat (?:else )?(?:would|might|could|will|do you think) i(?:'d)? (?:also )?(?:like|love|enjoy|want|be into)\b"
    r"|\bwhat else (?:would|might|could|do you think) i\b"
    r"|\b(?:any|got any|some|your|have you got any|do you have any)\s+(?:suggestions?|recommendations?|recs|ideas|picks)"
    r"\s+for (?:me|myself)\b"
    r"|\bwhat should i (?:get|buy|order|try|grab) next\b"
    r"|\b(?:picks?|recommendations?|suggestions?)\s+based on (?:my|what i)\b"
    r"|\bbased on (?:my (?:orders|order history|purchases|history)|what i(?:'ve| have)? (?:bought|ordered))\b",
    re.I,
)
CROSS_SELL = re.compile(
    r"\b(?:anything|something|what|ideas?|suggestions?)\b.{0,25}?\b(?:go|goes|going|pairs?|match(?:es)?)\s+"
    r"(?:well\s+|nicely\s+)?with\s+(?:it|that|this|them|these|those|what'?s in (?:my|the) (?:basket|cart|trolley)|"
    r"what i(?:'ve| have)? (?:got|put) in (?:my|the) (?:basket|cart|trolley)|(?:my|the) (?:basket|cart|trolley)|"
    r"(?:my|the) (?:basket|cart|trolley)'?s? (?:stuff|things|items))\b",
    re.I,
)


def asks_personal(text: str) -> bool:
    """The shopper asks for picks for themselves ("what else would I like")."""
    return bool(PERSONAL.search(text or ""))


def asks_cross_sell(text: str) -> bool:
    """The shopper asks what goes with the basket or the product talked about."""
    return bool(CROSS_SELL.search(text or ""))


@dataclass
class Suggestions:
    """What to show: products (public result dicts with a ``reason``) and where they came from:
    ``source`` is ``recommender``, ``cross_sell`` or ``popular``; ``why`` says why a popular
    list stands in for personal picks (``unknown_shopper``, ``no_recommender``, ``no_history``)."""

    products: list[dict[str, Any]]
    source: str
    why: str | None = None
    version: str | None = None
    basket: list[str] = field(default_factory=list)


def _history(db: Session, user_id: str | None) -> list[tuple[str, str]]:
    if not user_id:
        return []
    from ranker.recommender import store_histories

    return store_histories(db, user_id).get(user_id, [])


def _live(db: Session):
    try:
        from ranker.recommender import live_recommender

        return live_recommender(db)
    except Exception:  # a broken model file must not fail the turn: fall back to popular items
        logger.exception("could not load the live recommender")
        return None


def _best_variant(product: Product, scores: Mapping[str, float] | None = None) -> Variant | None:
    """The product's in-stock variant the model scores highest (catalogue order on ties)."""
    stocked = [v for v in product.variants if v.available]
    if not stocked:
        return None
    if not scores:
        return stocked[0]
    return max(stocked, key=lambda v: scores.get(v.id, 0.0))


def _product_scores(view: CatalogView, scores: Mapping[str, float]) -> dict[str, float]:
    """Variant scores -> each product's best in-stock variant score."""
    out: dict[str, float] = {}
    for vid, score in scores.items():
        product = view.product_of.get(vid)
        if product is None:
            continue
        variant = next((v for v in product.variants if v.id == vid), None)
        if variant is not None and variant.available and score > out.get(product.product_id, -1.0):
            out[product.product_id] = score
    return out


def _titles(view: CatalogView) -> dict[str, str]:
    return {vid: p.title for vid, p in view.product_of.items()}


def _owned(view: CatalogView, ids: Sequence[str]) -> set[str]:
    """The products (all their variants) that the variant ids belong to."""
    return {view.product_of[i].product_id for i in ids if i in view.product_of}


def popular(
    db: Session, view: CatalogView, exclude: set[str], k: int = SHOW, counts=None
) -> list[dict[str, Any]]:
    """The most ordered / interacted-with products in stock (``counts``: a ``Popularity``)."""
    if counts is None:
        from ranker.popularity import Popularity

        counts = Popularity.from_session(db)
    by_product: dict[str, float] = {}
    for vid, n in counts.items.items():
        product = view.product_of.get(vid)
        if product is not None:
            by_product[product.product_id] = by_product.get(product.product_id, 0.0) + n
    out = []
    for pid in sorted(by_product, key=lambda p: (-by_product[p], p)):
        if pid in exclude:
            continue
        product = view.products[pid]
        variant = _best_variant(product)
        if variant is None:
            continue
        out.append(product_result(product, variant, by_product[pid], reason=POPULAR))
        if len(out) == k:
            break
    return out


def personal(
    db: Session,
    view: CatalogView,
    user_id: str | None,
    k: int = SHOW,
    counts=None,
    skip: Sequence[str] = (),
) -> Suggestions:
    """The recommender's picks for ``user_id`` (bought products, the products of the ``skip``
    variant ids and sold-out variants left out), else the popular products with the reason
    the personal list could not be made."""
    history = _history(db, user_id)
    bought = _owned(view, [pid for pid, kind in history if kind == "purchase"]) | _owned(view, skip)
    rec = _live(db) if history else None
    scores = rec.scores([pid for pid, _ in history]) if rec is not None else None
    if scores:
        titles = _titles(view)
        ranked = _product_scores(view, scores)
        out = []
        for pid in sorted(ranked, key=lambda p: (-ranked[p], p)):
            if pid in bought:
                continue
            product = view.products[pid]
            variant = _best_variant(product, scores)
            reason, _anchor = rec.reason(variant.id, history, titles)
            out.append(product_result(product, variant, ranked[pid], reason=reason))
            if len(out) == k:
                break
        if out:
            return Suggestions(out, "recommender", version=rec.version)
    if not user_id:
        why = "unknown_shopper"
    elif not history:
        why = "no_history"
    else:
        why = "no_recommender"
    return Suggestions(popular(db, view, bought, k, counts), "popular", why=why)


def cross_sell(
    db: Session,
    view: CatalogView,
    basket: Sequence[str],
    user_id: str | None,
    rules,
    k: int = SHOW,
    counts=None,
) -> Suggestions:
    """Products to go with the ``basket`` variant ids: the bought-together rules' groups and
    the recommender's next items after the shopper's history and the basket, combined."""
    in_basket = _owned(view, basket)
    titles = _titles(view)
    history = _history(db, user_id)
    bought = _owned(view, [pid for pid, kind in history if kind == "purchase"])
    session = [*history, *((b, "add_to_cart") for b in basket)]
    rec = _live(db)
    scores = (rec.scores([pid for pid, _ in session]) if rec is not None else None) or {}
    ranked = _product_scores(view, scores)
    picks: dict[str, tuple[float, str]] = {}  # product -> (score, reason)
    for comp in rules.complements(basket, k=3 * k) if rules is not None else []:
        product = view.products.get(comp.group)
        if product is None or product.product_id in in_basket:
            continue
        score = comp.rule.confidence + ranked.get(product.product_id, 0.0)
        picks[product.product_id] = (score, f"often bought with {comp.rule.antecedent_label}")
    if rec is not None and scores:
        for pid in sorted(ranked, key=lambda p: (-ranked[p], p))[: 3 * k]:
            if pid in picks or pid in in_basket or pid in bought:
                continue
            variant = _best_variant(view.products[pid], scores)
            picks[pid] = (ranked[pid], rec.reason(variant.id, session, titles)[0])
    out = []
    for pid in sorted(picks, key=lambda p: (-picks[p][0], p)):
        variant = _best_variant(view.products[pid], scores)
        if variant is None:
            continue
        out.append(product_result(view.products[pid], variant, picks[pid][0], reason=picks[pid][1]))
        if len(out) == k:
            break
    names = [view.product_of[b].title for b in basket if b in view.product_of]
    if out:
        return Suggestions(
            out,
            "cross_sell",
            version=rec.version if rec is not None and scores else None,
            basket=list(dict.fromkeys(names)),
        )
    return Suggestions(
        popular(db, view, in_basket | bought, k, counts),
        "popular",
        why="no_rules",
        basket=list(dict.fromkeys(names)),
    )


_HEAD = {
    "unknown_shopper": "I don't know your orders here, so these are popular right now (verify who you are and "
    "I can pick from your history):",
    "no_history": "You have no orders or activity with us yet, so these are popular right now:",
    "no_recommender": "I can't make personal picks at the moment, so these are popular right now:",
    "no_rules": "I have nothing that's usually bought with that, so these are popular right now:",
}


def reply_text(s: Suggestions) -> str:
    """The reply listing ``s``, each line with its reason."""
    from assistant.dialogue.respond import product_line

    if not s.products:
        return "I have nothing in stock to suggest right now. Tell me what you're looking for and I'll search."
    if s.source == "recommender":
        head = "Picked for you from your orders and activity with us:"
    elif s.source == "cross_sell":
        head = f"To go with {', '.join(s.basket)}:" if s.basket else "To go with it:"
    else:
        head = _HEAD.get(s.why or "", "Popular right now:")
    lines = [head] + [f"{product_line(i, p)} — {p['reason']}" for i, p in enumerate(s.products, 1)]
    lines.append('Say "the second one" for details, or "add the first one to my basket".')
    return "\n".join(lines)
