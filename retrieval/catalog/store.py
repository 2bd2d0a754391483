"""Writing products in batches: upsert by id, change detection, the catalogue version.

Everything here runs inside the caller's transaction and never commits. Rows go
through SQLAlchemy Core-style bulk statements, so no ORM objects pile up in the
session however large the file. Ids already seen in this import are kept in a
temporary table (not in Python memory), which also drives ``--replace``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from assistant.core.models import CatalogState, Product
from retrieval.catalog.schema import ProductRow

_SEEN = Table(
    "aisle_import_seen",
    MetaData(),
    Column("id", String(64), primary_key=True),
    Column("row", Integer, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


class SeenIds:
    """Ids already imported from the current file, with the row they came from."""

    def __init__(self, session: Session) -> None:
        self.session = session
        conn = session.connection()
        _SEEN.drop(conn, checkfirst=True)
        _SEEN.create(conn)

    def first_rows(self, ids: Sequence[str]) -> dict[str, int]:
        """For the ids already seen, the data row where each first appeared."""
        if not ids:
            return {}
        stmt = select(_SEEN.c.id, _SEEN.c.row).where(_SEEN.c.id.in_(ids))
        return {pid: row for pid, row in self.session.execute(stmt)}

    def add(self, pairs: Sequence[tuple[str, int]]) -> None:
        if pairs:
            self.session.execute(insert(_SEEN), [{"id": p, "row": r} for p, r in pairs])

    def remove_others(self) -> int:
        """Delete every product whose id was not in this file (``--replace``)."""
        result = self.session.execute(
            delete(Product).where(Product.id.not_in(select(_SEEN.c.id))),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)

    def close(self) -> None:
        if self.session.get_bind().dialect.name != "postgresql":  # postgres drops it on commit
            _SEEN.drop(self.session.connection(), checkfirst=True)


_PRODUCTS = Product.__table__
# Core statements (not ORM bulk): no objects in the session, and faster executemany.
_UPDATE = update(_PRODUCTS).where(_PRODUCTS.c.id == bindparam("pid"))


def write_batch(session: Session, rows: Sequence[ProductRow]) -> tuple[int, int, int]:
    """Upsert ``rows`` (unique ids). Returns (inserted, updated, unchanged)."""
    if not rows:
        return 0, 0, 0
    values = [r.to_values() for r in rows]
    ids = [v["id"] for v in values]
    existing = dict(
        session.execute(select(Product.id, Product.content_hash).where(Product.id.in_(ids))).all()
    )
    new = [v for v in values if v["id"] not in existing]
    changed = [v for v in values if v["id"] in existing and existing[v["id"]] != v["content_hash"]]
    if new:
        session.execute(insert(_PRODUCTS), new)
    if changed:
        for v in changed:
            v["pid"] = v.pop("id")
        session.execute(_UPDATE, changed)
    return len(new), len(changed), len(values) - len(new) - len(changed)


def catalog_version(session: Session) -> int:
    """The current catalogue version (0 before any import)."""
    state = session.get(CatalogState, 1)
    return state.version if state is not None else 0


def bump_catalog_version(session: Session) -> int:
    """Add one to the catalogue version (indexes built for an older version are stale)."""
    state = session.get(CatalogState, 1)
    if state is None:
        state = CatalogState(id=1, version=0)
        session.add(state)
    state.version += 1
    session.flush()
    return state.version
