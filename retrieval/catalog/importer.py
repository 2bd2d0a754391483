"""Import a store's catalogue: stream a file, validate each row, upsert by id.

    report = import_catalog("shop.csv", mapping=["title=Name", "price=Cost"])
    report.to_dict()  # {"imported": n, "updated": n, "rejected": [{"row": i, "error": "..."}]}

Good rows are stored and bad rows are reported with their 1-based data row
number. The whole import is one transaction: a file that turns out to be
unreadable half-way (bad encoding, broken Parquet) raises ``UserError`` and the
transaction rolls back, so nothing is half-written. With ``session`` given, the
caller owns that transaction (``session_scope`` rolls back on the error).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from tqdm.auto import tqdm

from assistant.core.errors import UserError
from retrieval.catalog.readers import RawRow, Source, open_source
from retrieval.catalog.schema import ColumnMap, ProductRow, RowError, parse_mapping
from retrieval.catalog.store import SeenIds, bump_catalog_version, catalog_version, write_batch

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


MAX_ERROR_CHARS = 300  # a rejection quotes the bad value; a 40,000-character cell is cut


@dataclass(frozen=True)
class Rejection:
    row: int
    error: str

    def __post_init__(self) -> None:
        if len(self.error) > MAX_ERROR_CHARS:
            object.__setattr__(self, "error", self.error[: MAX_ERROR_CHARS - 1] + "…")

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "error": self.error}


@dataclass
class ImportReport:
    """What an import did. ``to_dict()`` is the JSON that ``aisle catalog import`` prints."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    version: int = 0
    source: str = ""
    fmt: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.imported or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "rejected": [r.to_dict() for r in self.rejected],
        }


def import_catalog(
    path: str | Path,
    fmt: str = "auto",
    mapping: Mapping[str, str] | Iterable[str] | None = None,
    replace: bool = False,
    session: Session | None = None,
    *,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import ``path`` (csv, jsonl, parquet or tau2 ``db.json``) into the products table.

    Args:
        mapping: ``{"title": "Name"}`` or ``["title=Name", ...]``: which column fills a field.
            Columns named like a field map themselves; all other columns become attributes.
        replace: also delete products whose id is not in this file.
        session: an open session whose transaction the caller owns; default: a new one
            committed at the end.
    Raises:
        UserError: the file or the mapping is unusable (nothing is written).
    """
    explicit = parse_mapping(mapping)
    source = open_source(path, fmt)
    if source.fmt == "tau2" and explicit:
        raise UserError("--map does not apply to --format tau2 (its fields are fixed)")
    columns = ColumnMap(explicit)
    if source.columns is not None:
        columns.check_columns(source.columns, str(source.path))
    if session is None:
        from assistant.core.db import session_scope

        with session_scope() as own:
            return _run(own, source, columns, replace, progress, batch_size)
    return _run(session, source, columns, replace, progress, batch_size)


def _run(
    session: Session,
    source: Source,
    columns: ColumnMap,
    replace: bool,
    progress: bool,
    batch_size: int,
) -> ImportReport:
    report = ImportReport(source=str(source.path), fmt=source.fmt)
    seen = SeenIds(session)
    batch: list[tuple[int, ProductRow]] = []
    bar = tqdm(
        total=source.total,
        unit="rows",
        desc=f"import {source.path.name}",
        disable=not progress,
        leave=False,
    )
    try:
        for raw in source.rows():
            bar.update(1)
            row = _validate(raw, columns, report)
            if row is not None:
                batch.append((raw.row, row))
            if len(batch) >= batch_size:
                _flush(session, seen, batch, report)
                batch = []
        _flush(session, seen, batch, report)
    finally:
        bar.close()
    if replace:
        if report.imported + report.updated + report.unchanged == 0:
            raise UserError(
                f"{source.path}: no valid rows, refusing to --replace the catalogue with nothing"
            )
        report.removed = seen.remove_others()
    seen.close()
    report.rejected.sort(key=lambda r: r.row)
    report.version = bump_catalog_version(session) if report.changed else catalog_version(session)
    logger.info(
        "%s: %d new, %d updated, %d unchanged, %d removed, %d rejected; catalogue version %d",
        source.path,
        report.imported,
        report.updated,
        report.unchanged,
        report.removed,
        len(report.rejected),
        report.version,
    )
    return report


def _validate(raw: RawRow, columns: ColumnMap, report: ImportReport) -> ProductRow | None:
    if raw.error is not None or raw.record is None:
        report.rejected.append(Rejection(raw.row, raw.error or "unreadable row"))
        return None
    try:
        return columns.row(raw.record)
    except RowError as err:
        report.rejected.append(Rejection(raw.row, str(err)))
        return None


def _flush(
    session: Session, seen: SeenIds, batch: list[tuple[int, ProductRow]], report: ImportReport
) -> None:
    """Reject ids already seen in this file, then upsert the rest."""
    if not batch:
        return
    first_in_batch: dict[str, int] = {}
    unique: list[tuple[int, ProductRow]] = []
    earlier = seen.first_rows(list({r.id for _, r in batch}))
    for row_no, row in batch:
        first = earlier.get(row.id, first_in_batch.get(row.id))
        if first is not None:
            report.rejected.append(
                Rejection(row_no, f"duplicate id {row.id!r} (first in row {first})")
            )
            continue
        first_in_batch[row.id] = row_no
        unique.append((row_no, row))
    seen.add(list(first_in_batch.items()))
    inserted, updated, unchanged = write_batch(session, [r for _, r in unique])
    report.imported += inserted
    report.updated += updated
    report.unchanged += unchanged
