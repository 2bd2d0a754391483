"""Shopping actions: search / recommend (retrieval -> ranker -> guard), compare, product questions."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.dialogue.answers import money
from assistant.dialogue.guard import guard
from assistant.dialogue.state import DialogueState
from assistant.dialogue.vocab import Catalog
from assistant.settings import Settings
from retrieval.catalog.view import group_candidates, option_matching, option_number, product_result
from retrieval.grounding import norm
from retrieval.lexicon import concept_groups
from retrieval.types import Candidate, Filters, RetrievalQuery

logger = logging.getLogger(__name__)

POOL = 200  # variants fetched per search; grouped into products before ranking
SHOW = 5


@dataclass(frozen=True)
class ShoppingResult:
    """Products to show (search-result dicts + reason) and, when none fit, the nearest relaxation.

    Only products with a variant in stock are shown. ``offer``: ``{"drop": what to relax,
    "label": text, "product": dict}`` or ``None``; ``out_of_stock``: products that would fit
    but have no variant in stock (said in the reply, never listed).
    """

    products: list[dict[str, Any]]
    filters: Filters
    offer: dict[str, Any] | None = None
    violations: int = 0
    scores: list[dict[str, Any]] = field(default_factory=list)
    out_of_stock: list[dict[str, Any]] = field(default_factory=list)  # would fit, none in stock
    beyond: tuple[str, ...] = ()  # an open need's types ran out of unseen products: others shown
    relaxed: dict[str, list[str]] = field(default_factory=dict)  # preferences dropped because they blocked
    variants: list[dict[str, Any]] = field(default_factory=list)  # other options of a product already shown


class ShoppingEngine:
    """Retrieval (H2's ``SearchService``) then ranking (H3's ``Ranker``), then the guard."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._search = None
        self._ranker = None
        self._ranker_missing = False
        self.violations = 0  # products the guard had to remove, over the process lifetime

    @property
    def search_service(self):
        if self._search is None:
            from retrieval.service import SearchService

            self._search = SearchService(self.settings)
        return self._search

    @property
    def ranker(self):
        if self._ranker is None and not self._ranker_missing:
            try:
                from ranker.service import Ranker
            except ImportError:  # the ranker package is optional at run time
                logger.warning("ranker.service not available; showing retrieval order")
                self._ranker_missing = True
                return None
            self._ranker = Ranker(self.settings)
        return self._ranker

    def warm_up(self) -> None:
        self.search_service.warm_up()
        ranker = self.ranker
        if ranker is not None and hasattr(ranker, "warm_up"):
            ranker.warm_up()

    # ------------------------------------------------------------------ search
    def query_text(self, state: DialogueState) -> str:
        parts = [state.last_query or " ".join(state.types) or str(state.slots.get("product") or "")]
        parts += [v for values in state.options.values() for v in values if v.lower() not in parts[0].lower()]
        return " ".join(p for p in parts if p).strip()

    def filters(self, state: DialogueState, catalog: Catalog | None = None) -> Filters:
        passed_over = state.exclude_products + state.seen_products
        excluded: tuple[str, ...] = ()
        if catalog:  # product ids -> all their variants; a bare result id stays itself
            bare = [x for x in state.seen_products if x not in catalog.view.products]
            excluded = tuple(catalog.view.variant_ids(passed_over)) + tuple(bare)
        else:
            excluded = tuple(state.seen_products)
        category = state.slots.get("category")
        categories = tuple(state.types) or ((category,) if category else ())
        return state.filters(categories=categories, exclude_ids=excluded)

    def find(
        self, session: Session, state: DialogueState, *, user_id: str | None, session_id: str,
        catalog: Catalog | None = None,
    ) -> ShoppingResult:
        """Products for the state's need, each shown through its best-fitting variant."""
        filters = dataclasses.replace(self.filters(state, catalog), available_only=True)
        text = self.query_text(state)
        per_type = _per_type(filters, catalog)
        if per_type:  # "sunglasses, a waterproof speaker and a beach umbrella": each option on its own type
            products, scores, bad = self._ranked_per_type(session, text, per_type, state, user_id, session_id, catalog)
        else:
            products, scores, bad = self._ranked(session, text, filters, state, user_id, session_id, catalog)
        if products and state.requirements and catalog is not None:
            meeting = [p for p in products if all(_says(p, r, catalog) for r in state.requirements)]
            if meeting:  # "needs to keep the rain off too": the ones whose description says so
                products = meeting
                scores = [x for x in scores if x["id"] in {p["id"] for p in meeting}]
        if products:
            return ShoppingResult(products, filters, violations=bad, scores=scores)
        if state.open_need and state.seen_products and filters.categories:
            # "any others?" after every product of a gift's types was shown: ideas beyond them
            wider = dataclasses.replace(
                filters, categories=(),
                exclude_categories=tuple(dict.fromkeys(filters.exclude_categories + filters.categories)))
            products, scores, bad = self._ranked(session, text, wider, state, user_id, session_id, catalog)
            if products:
                return ShoppingResult(products, wider, violations=bad, scores=scores, beyond=filters.categories)
        preferred = {k.removeprefix("option:"): v for k, v in state.soft.items() if k.startswith("option:")}
        wider = dataclasses.replace(filters, options=tuple(o for o in filters.options if o[0] not in preferred))
        dropped = {name: list(values) for name, values in filters.options if name in preferred}
        if dropped:
            # "silver if poss" blocks the rest of the need: show what fits without the preference
            products, scores, bad = self._ranked(session, text, wider, state, user_id, session_id, catalog)
            if products:
                return ShoppingResult(products, wider, violations=bad, scores=scores, relaxed=dropped)
        if not state.open_need and state.seen_products and catalog is not None:
            # "show me a couple more options" when every product of the type was shown: its other variants
            others = _other_variants(state, filters, catalog)
            relaxed: dict[str, list[str]] = {}
            if not others and dropped:
                others, relaxed = _other_variants(state, wider, catalog), dropped
            if others:
                return ShoppingResult(others[:1], filters, scores=[{"id": others[0]["id"], "score": 0.0}],
                                      variants=others, relaxed=relaxed)
        # nothing in stock fits: say which products would, and offer the nearest available relaxation
        held, _, _ = self._ranked(session, text, dataclasses.replace(filters, available_only=False), state,
                                  user_id, session_id, catalog)
        return ShoppingResult([], filters, offer=self._relax(session, text, filters, state, catalog), violations=bad,
                              out_of_stock=held[:3])

    def _candidates(self, session, text: str, filters: Filters) -> tuple[list[Candidate], int]:
        candidates = self.search_service.search(RetrievalQuery(text=text, filters=filters, k=POOL))
        keep, bad = guard(session, [c.id for c in candidates], filters)
        allowed = set(keep)
        self.violations += len(bad)
        return [c for c in candidates if c.id in allowed], len(bad)

    def _group(self, candidates: list[Candidate], filters: Filters, state: DialogueState,
               catalog: Catalog | None) -> list[tuple[Candidate, Any, Any]]:
        """One candidate per product: its best-fitting variant, best products first."""
        if catalog is None:
            return [(c, None, None) for c in candidates]
        return group_candidates(candidates, catalog.view, filters, sort=state.sort, one_per_type=state.open_need)

    def _ranked(self, session, text, filters, state, user_id, session_id, catalog=None):
        candidates, bad = self._candidates(session, text, filters)
        if not candidates:
            return [], [], bad
        grouped = self._group(candidates, filters, state, catalog)
        if not grouped:
            return [], [], bad
        ranked = self._rank(session, [c for c, _, _ in grouped], state, user_id, session_id)
        keep, bad2 = guard(session, [r["id"] for r in ranked], filters)  # final check before display
        self.violations += len(bad2)
        allowed = set(keep)
        info = {c.id: (c, p, v) for c, p, v in grouped}
        products = []
        for r in ranked:
            if r["id"] not in allowed:
                continue
            cand, product, variant = info[r["id"]]
            if product is None:
                products.append({**r, "attributes": cand.attributes})
            else:
                products.append(product_result(product, variant, r["score"], reason=r.get("reason", ""),
                                               attributes=dict(variant.options)))
        if state.sort in ("price_asc", "price_desc"):
            products.sort(key=lambda p: p["price"], reverse=state.sort == "price_desc")
        elif state.sort and state.sort.split(":", 1)[0] in ("max", "min"):  # "the biggest": best first
            direction, pattern = state.sort.split(":", 1)

            def value(p: dict[str, Any]) -> float:
                name = option_matching(pattern, p.get("options") or {})
                number = option_number((p.get("options") or {}).get(name)) if name else None
                return float("-inf") if number is None else (number if direction == "max" else -number)

            products.sort(key=value, reverse=True)
        return products, [{"id": p["id"], "score": p["score"]} for p in products], bad + len(bad2)

    def _ranked_per_type(self, session, text, per_type: list[Filters], state, user_id, session_id, catalog):
        """Each type searched with the options it has; the lists interleaved, best of each first."""
        lists, bad = [], 0
        for f in per_type:
            products, _scores, b = self._ranked(session, text, f, state, user_id, session_id, catalog)
            lists.append(products)
            bad += b
        merged: list[dict[str, Any]] = []
        for rank in range(max((len(x) for x in lists), default=0)):
            merged += [x[rank] for x in lists if rank < len(x)]
        merged = merged[:SHOW]
        return merged, [{"id": p["id"], "score": p["score"]} for p in merged], bad

    def _rank(self, session, candidates: list[Candidate], state, user_id, session_id) -> list[dict]:
        ranker = self.ranker
        if ranker is None:
            return [{**c.to_result(), "reason": "matches your request"} for c in candidates[:SHOW]]
        embeddings = self.search_service.embeddings([c.id for c in candidates])
        profile = self._profile(session, user_id, session_id)
        ranked = ranker.rank(
            candidates, embeddings, k=SHOW, diversity=state.diversity, profile=profile,
            exclude_ids=tuple(state.exclude_ids),
        )
        return [item.to_result() for item in ranked.items]

    def _profile(self, session, user_id, session_id):
        try:
            from ranker.profile import load_profile
        except ImportError:
            return None
        try:
            return load_profile(
                session, user_id=user_id, session_id=session_id,
                embeddings_fn=self.search_service.embeddings,
            )
        except Exception:  # a profile is a nicety; never fail the turn for it
            logger.exception("could not load the shopper profile")
            return None

    def _relax(self, session: Session, text: str, filters: Filters, state: DialogueState,
               catalog: Catalog | None = None) -> dict[str, Any] | None:
        """The nearest relaxation that finds something *available*: the price limit first,
        then one option, the brand, the minimum, and last the product type."""
        tries: list[tuple[str, str, Filters]] = []
        if filters.max_price is not None:
            tries.append(("price_max", f"above your {money(filters.max_price)} limit", dataclasses.replace(filters, max_price=None)))
        for name, values in filters.options:
            rest = tuple(o for o in filters.options if o[0] != name)
            tries.append((f"option:{name}", f"not in {'/'.join(values)}", dataclasses.replace(filters, options=rest)))
        for name, values in filters.exclude_options:
            rest = tuple(o for o in filters.exclude_options if o[0] != name)
            tries.append((f"exclude:{name}", f"in {'/'.join(values)}", dataclasses.replace(filters, exclude_options=rest)))
        if filters.brands:
            tries.append(("brand", f"not from {'/'.join(filters.brands)}", dataclasses.replace(filters, brands=())))
        if filters.min_price is not None:
            tries.append(("price_min", f"below your {money(filters.min_price)} minimum", dataclasses.replace(filters, min_price=None)))
        if filters.categories:
            tries.append(("category", "in other categories", dataclasses.replace(filters, categories=())))
        for drop, label, relaxed in tries:
            relaxed = dataclasses.replace(relaxed, available_only=True)
            found, _ = self._candidates(session, text, relaxed)
            if not found:
                continue
            pick = found[0]
            if drop == "price_max":
                pick = min(found, key=lambda c: c.price)
            elif drop == "price_min":
                pick = max(found, key=lambda c: c.price)
            product = catalog.view.product_of.get(pick.id) if catalog else None
            if product is not None:
                variant = next(v for v in product.variants if v.id == pick.id)
                shown = product_result(product, variant, pick.score, attributes=dict(variant.options))
            else:
                shown = {**pick.to_result(), "attributes": pick.attributes}
            return {"drop": drop, "label": label, "product": shown, "count": len(found)}
        return None


def _per_type(filters: Filters, catalog: Catalog | None) -> list[Filters]:
    """One filter per asked type when options are named that only some of the types have
    ("a waterproof speaker" among sunglasses and umbrellas); empty when one filter serves all."""
    if catalog is None or len(filters.categories) < 2 or not (filters.options or filters.exclude_options):
        return []
    own = {t: {n.lower() for n in catalog.words.values.get(t, {})} for t in filters.categories}
    named = {n.lower() for n, _ in filters.options + filters.exclude_options}
    if all(named <= names for names in own.values()):
        return []
    return [dataclasses.replace(
        filters, categories=(t,),
        options=tuple(o for o in filters.options if o[0].lower() in own[t]),
        exclude_options=tuple(o for o in filters.exclude_options if o[0].lower() in own[t]))
        for t in filters.categories]


def _says(p: dict[str, Any], requirement: str, catalog: Catalog) -> bool:
    """Whether the product's title, description or options state a requirement written in
    words: a lexicon concept of its words ("rain" -> waterproof, showerproof, ...), else its
    longer words themselves."""
    product = catalog.view.products.get(p.get("product_id") or "")
    text = " ".join([str(p.get("title") or ""), product.description if product is not None else "",
                     " ".join(f"{k} {v}" for k, v in (p.get("options") or {}).items())])
    have = f" {norm(text)} "
    tokens = [t for t in norm(requirement).split() if len(t) > 2]
    terms = {norm(m) for t in tokens for group in concept_groups(t) for m in group}
    terms = terms or {t for t in tokens if len(t) >= 5}
    for term in filter(None, terms):  # "Not waterproof." says the opposite
        for m in re.finditer(rf" {re.escape(term)} ", have):
            before = have[: m.start()].split()[-2:]
            if not set(before) & {"not", "no", "isn't", "isnt", "non", "never", "without"}:
                return True
    return False


def _other_variants(state: DialogueState, filters: Filters, catalog: Catalog) -> list[dict[str, Any]]:
    """In-stock variants, within the shopper's constraints, of the products already passed over
    by "more options" that were not shown yet, cheapest first (the state's sort if it has one)."""
    shown = {p.get("id") for p in state.last_shown}
    base = dataclasses.replace(filters, exclude_ids=tuple(i for i in filters.exclude_ids if i in set(state.exclude_ids)))
    out = []
    for pid in state.seen_products:
        product = catalog.view.products.get(pid)
        if product is None or pid in state.exclude_products:
            continue
        for v in product.fitting(base):
            if v.available and v.id not in shown:
                out.append(product_result(product, v, 0.0, reason="another option of a product shown"))
    out.sort(key=lambda p: p["price"], reverse=state.sort == "price_desc")
    return out[:SHOW]
