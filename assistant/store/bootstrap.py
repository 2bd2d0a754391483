"""What ``aisle init`` does, in order, as a function the CLI and tests can call.

1. bring the schema to head (Alembic);
2. import the demo store (``demo=True``; ``demo=None``: only into a store with no products,
   customers or orders, which is what the app's first start uses);
3. build the retrieval indexes (``retrieval.indexing.build_indexes``);
4. make sure a dialogue model exists (``assistant.nlu.training.ensure_default_model``).

Every step is idempotent, so a second run changes nothing and is quick.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# (label, module, function): called as function(settings=settings, progress=progress).
LATER_STEPS: list[tuple[str, str, str]] = [
    ("index build", "retrieval.indexing", "build_indexes"),
    ("dialogue model", "assistant.nlu.training", "ensure_default_model"),
]


@dataclass
class InitSummary:
    revision: str
    demo: Any | None = None  # DemoReport
    demo_skipped: str | None = None  # why ``demo=None`` imported nothing
    catalog_version: int = 0
    products: int = 0
    steps: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"schema: at revision {self.revision}"]
        if self.demo is not None:
            p = self.demo.products
            out.append(
                f"demo store: {p.imported} new, {p.updated} updated, {p.unchanged} unchanged products; "
                f"{self.demo.customers_changed} customers and {self.demo.orders_changed} orders written"
            )
        if self.demo_skipped:
            out.append(f"demo store: not imported ({self.demo_skipped})")
        out.append(f"catalogue: {self.products} products, version {self.catalog_version}")
        out.extend(f"{label}: {result}" for label, result in self.steps.items())
        out.append(f"done in {self.seconds:.1f}s")
        return out


def _load(module: str, function: str) -> Callable[..., Any]:
    return getattr(importlib.import_module(module), function)


def store_contents(session: Any) -> dict[str, int]:
    """How many products, customers and orders the store holds (what its owner put there)."""
    from sqlalchemy import func, select

    from assistant.store.models import Customer, Order, Product

    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in (("products", Product), ("customers", Customer), ("orders", Order))
    }


def run_init(
    settings: Settings | None = None, *, demo: bool | None = True, progress: bool = True
) -> InitSummary:
    """Schema, demo store, indexes, dialogue model. Safe to run again.

    ``demo=None`` imports the demo store only into an empty store (no products, customers or
    orders): a store that imported its own catalogue never gets the demo mixed in."""
    from sqlalchemy import func, select

    from assistant.store.db import get_engine, session_scope
    from assistant.store.demo import import_demo_store
    from assistant.store.migrate import upgrade
    from assistant.store.models import Product
    from retrieval.catalog import catalog_version

    start = time.perf_counter()
    settings = settings or get_settings()
    settings.ensure_home()
    engine = get_engine(settings.db_url)
    summary = InitSummary(revision=upgrade(engine=engine))
    with session_scope(engine) as session:
        if demo is None:
            held = {k: n for k, n in store_contents(session).items() if n}
            demo = not held
            if held:
                summary.demo_skipped = "the store already holds " + ", ".join(
                    f"{n:,} {k}" for k, n in held.items()
                )
        if demo:
            summary.demo = import_demo_store(session, progress=progress)
        summary.catalog_version = catalog_version(session)
        summary.products = int(session.scalar(select(func.count()).select_from(Product)) or 0)
    for label, module, function in LATER_STEPS:
        result = _load(module, function)(settings=settings, progress=progress)
        summary.steps[label] = "ready" if result is None else str(result)[:120]
    summary.seconds = time.perf_counter() - start
    return summary


def needs_init(settings: Settings | None = None) -> bool:
    """True when the home lacks what the app needs: schema at head, a product index, a
    live dialogue model. Cheap: reads the revision, a manifest and one row."""
    from sqlalchemy import select

    from assistant.store.db import get_engine, session_scope
    from assistant.store.migrate import current_revision, head_revision
    from assistant.store.models import ModelVersion
    from retrieval.indexing import read_manifest

    settings = settings or get_settings()
    if settings.database_url is None and not (settings.home / "aisle.db").exists():
        return True
    engine = get_engine(settings.db_url)
    if current_revision(engine=engine) != head_revision():
        return True
    if read_manifest(settings.index_dir / "products") is None:
        return True
    with session_scope(engine) as session:
        live = session.scalar(select(ModelVersion.id).where(ModelVersion.status == "live"))
    return live is None


def prepare_home(settings: Settings | None = None) -> InitSummary | None:
    """Start of the app: set up what the home lacks (``needs_init``) and nothing else.

    The schema goes to head, the indexes are built for the catalogue that is there and a
    dialogue model is trained when none is live; the demo store is imported only into an
    empty store (``run_init(demo=None)``), never beside a catalogue or customers."""
    settings = settings or get_settings()
    if not needs_init(settings):
        return None
    logger.warning(
        "setting up what %s lacks: schema, indexes, dialogue model (the demo store only "
        "into an empty store)",
        settings.home,
    )
    summary = run_init(settings, demo=None, progress=True)
    for line in summary.lines():
        logger.warning(line)
    return summary
