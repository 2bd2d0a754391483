"""Product search as one function: a query and exact filters to ranked products.

``aisle search`` and ``GET /v1/search`` both call :func:`search_products`, so the CLI and the
HTTP API rank through the same path: hybrid retrieval (``retrieval.service.SearchService``),
one result per product through its best-fitting variant
(``retrieval.catalog.view.group_candidates``), then the ranker (``ranker.service.Ranker``:
popularity, bought-together rules, the shopper's profile, diversity).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from assistant.errors import UserError
from assistant.settings import Settings, get_settings
from retrieval.service import SearchService
from retrieval.types import Filters, RetrievalQuery

logger = logging.getLogger(__name__)

MIN_POOL = 50  # candidates retrieved before grouping and ranking: at least this, or 5 × k


def make_filters(
    *,
    min_price: float | None = None,
    max_price: float | None = None,
    category: str | None = None,
    brand: str | None = None,
) -> Filters:
    """The filters ``aisle search`` and ``GET /v1/search`` accept; ``UserError`` when the price
    bounds are crossed."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise UserError(f"min_price {min_price} is above max_price {max_price}")
    return Filters(
        min_price=min_price,
        max_price=max_price,
        categories=(category,) if category else (),
        brands=(brand,) if brand else (),
    )


def rank_results(
    service: SearchService,
    candidates: list[Any],
    *,
    k: int,
    diversity: float | None,
    user: str | None,
    filters: Filters | None = None,
) -> list[dict[str, Any]]:
    """Variant hits -> products (each through its best-fitting variant), ordered by the ranker."""
    from assistant.dialogue.vocab import load_catalog
    from assistant.store.db import session_scope
    from ranker.profile import load_profile
    from ranker.service import Ranker
    from retrieval.catalog.view import group_candidates, product_result

    if not candidates:
        return []
    ranker = Ranker()
    with session_scope() as session:
        ranker.warm_up(session)  # popularity prior and "bought together" rules
        profile = (
            load_profile(session, user_id=user, embeddings_fn=service.embeddings) if user else None
        )
        view = load_catalog(session).view
    products = group_candidates(candidates, view, filters or Filters())
    if not products:
        return []
    grouped = {c.id: (p, v) for c, p, v in products}
    cands = [c for c, _, _ in products]
    embeddings = service.embeddings([c.id for c in cands])
    ranked = ranker.rank(cands, embeddings, k=k, diversity=diversity, profile=profile)
    # a product shown through its best-fitting variant: DESIGN.md's fields plus the product view
    return [product_result(*grouped[item.candidate.id], item.score) for item in ranked.items]


def search_products(
    query: str,
    filters: Filters | None = None,
    *,
    k: int = 10,
    diversity: float | None = None,
    user: str | None = None,
    service: SearchService | None = None,
) -> dict[str, Any]:
    """``{"query", "filters", "results"}``: the ``aisle search --json`` object.

    ``results`` items carry DESIGN.md's search fields (``id, title, category, brand, price,
    available, score``) plus ``product_id, options, price_range, option_values, currency``.
    ``service`` defaults to a new ``SearchService`` (the CLI); a server passes its long-lived one.
    """
    filters = filters or Filters()
    service = service or SearchService()
    pool = max(MIN_POOL, 5 * k)
    candidates = service.search(RetrievalQuery(query, filters, pool))
    results = rank_results(
        service, candidates, k=k, diversity=diversity, user=user, filters=filters
    )
    return {"query": query, "filters": filters.to_dict(), "results": results}


_shared: tuple[Settings, SearchService] | None = None
_shared_lock = threading.Lock()


def shared_service(assistant: Any = None) -> SearchService:
    """The server's ``SearchService``: the assistant's own (its index is loaded already) when it
    has one, else one per process for the current settings."""
    global _shared
    own = getattr(getattr(assistant, "shopping", None), "search_service", None)
    if isinstance(own, SearchService):
        return own
    settings = get_settings()
    with _shared_lock:
        if _shared is None or _shared[0] is not settings:
            _shared = (settings, SearchService(settings))
        return _shared[1]
