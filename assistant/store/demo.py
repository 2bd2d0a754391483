"""The demo store: the tau2-bench retail shop (``assistant/resources/tau2_retail``, MIT).

``import_demo_store(session)`` loads it into the store: each of the 591
variants of the 50 product types becomes one product (title and description say
its options), plus 500 customers, 1,000 orders and the service policy as the
document ``"policy"``. Products and the policy are upserted; customers and
orders that already exist are left as they are (the assistant cancels, returns
and re-addresses orders, and a second ``aisle init`` must not undo that) unless
``reset=True``. Running it again changes nothing; the catalogue version is
bumped only when a product changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm.auto import tqdm

from assistant.errors import UserError
from assistant.resources import DEMO_STORE_DIR
from assistant.store.models import Customer, Document, Order
from retrieval.catalog.importer import ImportReport, import_catalog

logger = logging.getLogger(__name__)

DEMO_DIR = DEMO_STORE_DIR
POLICY_ID = "policy"
POLICY_SOURCE = "data/tau2_retail/policy.md"  # the citation shown with policy answers (a label)
_ORDER_KEYS = {
    "order_id",
    "user_id",
    "status",
    "address",
    "items",
    "fulfillments",
    "payment_history",
}


@dataclass(frozen=True)
class DemoReport:
    """Counts after a demo import; ``*_changed`` say how many rows this run wrote."""

    products: ImportReport
    customers: int
    customers_changed: int
    orders: int
    orders_changed: int
    documents_changed: int

    @property
    def changed(self) -> bool:
        return bool(
            self.products.changed
            or self.customers_changed
            or self.orders_changed
            or self.documents_changed
        )


def import_demo_store(
    session: Session, data_dir: Path | None = None, *, progress: bool = False, reset: bool = False
) -> DemoReport:
    """Upsert the demo store into ``session`` (the caller commits).

    ``reset=True`` also puts existing customers and orders back to their demo state.
    """
    data_dir = Path(data_dir or DEMO_DIR)
    db_path, policy_path = data_dir / "db.json", data_dir / "policy.md"
    for path in (db_path, policy_path):
        if not path.is_file():
            raise UserError(
                f"demo store file missing: {path} (run from a checkout of Aisle, or pass --no-demo)"
            )
    products = import_catalog(db_path, fmt="tau2", session=session, progress=progress)
    with open(db_path, encoding="utf-8") as fh:
        data = json.load(fh)
    users: dict[str, Any] = data.get("users", {})
    orders: dict[str, Any] = data.get("orders", {})
    customers_changed = _upsert_rows(
        session,
        Customer,
        users,
        "user_id",
        _customer_values,
        label="customers",
        progress=progress,
        reset=reset,
    )
    session.flush()
    orders_changed = _upsert_rows(
        session,
        Order,
        orders,
        "order_id",
        _order_values,
        label="orders",
        progress=progress,
        reset=reset,
    )
    documents_changed = _upsert_policy(session, policy_path)
    session.flush()
    report = DemoReport(
        products=products,
        customers=len(users),
        customers_changed=customers_changed,
        orders=len(orders),
        orders_changed=orders_changed,
        documents_changed=documents_changed,
    )
    logger.info(
        "demo store: %d products (%d new, %d updated), %d customers (%d written), %d orders (%d written)",
        products.imported + products.updated + products.unchanged,
        products.imported,
        products.updated,
        report.customers,
        customers_changed,
        report.orders,
        orders_changed,
    )
    return report


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _customer_values(user: dict[str, Any]) -> dict[str, Any]:
    name = user.get("name") or {}
    return {
        "email": user["email"],
        "first_name": name.get("first_name", ""),
        "last_name": name.get("last_name", ""),
        "address": user.get("address") or {},
        "payment_methods": user.get("payment_methods") or {},
    }


def _order_values(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer_id": order["user_id"],
        "status": order["status"],
        "address": order.get("address") or {},
        "items": order.get("items") or [],
        "fulfillments": order.get("fulfillments") or [],
        "payment_history": order.get("payment_history") or [],
        "extra": {k: v for k, v in order.items() if k not in _ORDER_KEYS},
    }


def _upsert_rows(
    session: Session,
    model: type,
    rows: dict[str, Any],
    id_key: str,
    to_values: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    label: str,
    progress: bool,
    reset: bool,
) -> int:
    """Insert new rows; existing ones are overwritten only with ``reset`` (the shop's own
    changes, e.g. a cancelled order, survive a second ``aisle init``)."""
    existing = {row.id: row for row in session.scalars(select(model))}
    changed = 0
    for key, raw in tqdm(rows.items(), desc=label, unit="rows", disable=not progress, leave=False):
        row_id = raw.get(id_key, key)
        if row_id in existing:
            if reset:
                changed += _assign(existing[row_id], to_values(raw))
        else:
            session.add(model(id=row_id, **to_values(raw)))
            changed += 1
    return changed


def _upsert_policy(session: Session, policy_path: Path) -> int:
    text = policy_path.read_text(encoding="utf-8")
    first = next((line for line in text.splitlines() if line.strip()), "Store policy")
    values = {
        "title": first.lstrip("# ").strip() or "Store policy",
        "source": POLICY_SOURCE,
        "text": text,
    }
    doc = session.get(Document, POLICY_ID)
    if doc is None:
        session.add(Document(id=POLICY_ID, **values))
        return 1
    return int(_assign(doc, values))
