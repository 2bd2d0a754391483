"""Shopping actions: search / recommend (retrieval -> ranker -> guard), compare, product questions."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from assistant.dialogue.guard import guard
from assistant.dialogue.state import DialogueState
from assistant.settings import Settings
from retrieval.types import Candidate, Filters, RetrievalQuery

logger = logging.getLogger(__name__)

POOL = 50
SHOW = 5


@dataclass(frozen=True)
class ShoppingResult:
    """Products to show (search-result dicts + reason) and, when none fit, the nearest relaxation.

    ``offer``: ``{"drop": what to relax, "label": text, "product": dict}`` or ``None``.
    """

    products: list[dict[str, Any]]
    filters: Filters
    offer: dict[str, Any] | None = None
    violations: int = 0
    scores: list[dict[str, Any]] = field(default_factory=list)


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
        parts = [state.last_query or str(state.slots.get("product") or state.slots.get("category") or "")]
        parts += [v for values in state.options.values() for v in values if v.lower() not in parts[0].lower()]
        return " ".join(p for p in parts if p).strip()

    def filters(self, state: DialogueState) -> Filters:
        category = state.slots.get("category")
        return state.filters(categories=(category,) if category else ())

    def find(
        self, session: Session, state: DialogueState, *, user_id: str | None, session_id: str,
    ) -> ShoppingResult:
        """Products for the state's need, every one satisfying the state's filters."""
        filters = self.filters(state)
        text = self.query_text(state)
        products, scores, bad = self._ranked(session, text, filters, state, user_id, session_id)
        if products:
            return ShoppingResult(products, filters, violations=bad, scores=scores)
        return ShoppingResult([], filters, offer=self._relax(session, text, filters), violations=bad)

    def _ranked(self, session, text, filters, state, user_id, session_id):
        candidates = self.search_service.search(RetrievalQuery(text=text, filters=filters, k=POOL))
        keep, bad = guard(session, [c.id for c in candidates], filters)
        allowed = set(keep)
        candidates = [c for c in candidates if c.id in allowed]
        self.violations += len(bad)
        if not candidates:
            return [], [], len(bad)
        ranked = self._rank(session, candidates, state, user_id, session_id)
        keep, bad2 = guard(session, [r["id"] for r in ranked], filters)  # final check before display
        self.violations += len(bad2)
        allowed = set(keep)
        ranked = [r for r in ranked if r["id"] in allowed]
        attrs = {c.id: c.attributes for c in candidates}
        products = [{**r, "attributes": attrs.get(r["id"], {})} for r in ranked]
        return products, [{"id": r["id"], "score": r["score"]} for r in ranked], len(bad) + len(bad2)

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

    def _relax(self, session: Session, text: str, filters: Filters) -> dict[str, Any] | None:
        """The nearest relaxation that finds something: above the ceiling, then without options/brand."""
        tries: list[tuple[str, str, Filters]] = []
        if filters.max_price is not None:
            tries.append(("price_max", f"above your ${filters.max_price:,.2f} limit", dataclasses.replace(filters, max_price=None)))
        for name, values in filters.options:
            rest = tuple(o for o in filters.options if o[0] != name)
            tries.append((f"option:{name}", f"not in {'/'.join(values)}", dataclasses.replace(filters, options=rest)))
        if filters.brands:
            tries.append(("brand", f"not from {'/'.join(filters.brands)}", dataclasses.replace(filters, brands=())))
        if filters.min_price is not None:
            tries.append(("price_min", f"below your ${filters.min_price:,.2f} minimum", dataclasses.replace(filters, min_price=None)))
        if filters.categories:
            tries.append(("category", "in other categories", dataclasses.replace(filters, categories=())))
        for drop, label, relaxed in tries:
            found = self.search_service.search(RetrievalQuery(text=text, filters=relaxed, k=POOL))
            keep, _ = guard(session, [c.id for c in found], relaxed)
            found = [c for c in found if c.id in set(keep)]
            if not found:
                continue
            pick = min(found, key=lambda c: c.price) if drop == "price_max" else found[0]
            if drop == "price_min":
                pick = max(found, key=lambda c: c.price)
            return {"drop": drop, "label": label, "product": {**pick.to_result(), "attributes": pick.attributes}, "count": len(found)}
        return None
