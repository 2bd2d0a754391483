"""Columnar product metadata kept in memory, and exact filter masks over it.

Every filter in ``retrieval.types.Filters`` becomes a numpy boolean mask; string
matches (category, brand, option values) are case-insensitive and go through
integer codes, so a mask over 100k products costs well under a millisecond.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.types import Filters


def _norm(value: Any) -> str:
    return str(value).strip().lower()


def _values(value: Any) -> list[str]:
    """Lower-cased string values of one attribute (lists give several)."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set):
        return [v for item in value for v in _values(item)]
    if isinstance(value, bool):
        return ["yes" if value else "no", _norm(value)]
    return [_norm(value)]


@dataclass(frozen=True)
class ProductRecord:
    """What the indexes keep about one product (built from ``store.models.Product``)."""

    id: str
    title: str
    category: str | None
    brand: str | None
    price: float
    available: bool
    attributes: Mapping[str, Any] = field(default_factory=dict)
    subcategory: str | None = None
    description: str = ""

    @classmethod
    def from_product(cls, p: Any) -> ProductRecord:
        return cls(
            id=str(p.id),
            title=p.title or "",
            category=p.category,
            brand=p.brand,
            price=float(p.price or 0.0),
            available=bool(p.available),
            attributes=dict(p.attributes or {}),
            subcategory=p.subcategory,
            description=p.description or "",
        )


class _Codes:
    """Pairs (row, code) for a many-valued string column, codes from a shared vocabulary."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.rows: list[int] = []
        self.codes: list[int] = []
        self._rows_np: np.ndarray | None = None
        self._codes_np: np.ndarray | None = None

    def add(self, row: int, values: Iterable[str]) -> None:
        for v in values:
            self.rows.append(row)
            self.codes.append(self.vocab.setdefault(v, len(self.vocab)))
        self._rows_np = None

    def mask(self, values: Iterable[str], n: int) -> np.ndarray:
        """Rows having at least one of ``values``."""
        wanted = [self.vocab[v] for v in {_norm(x) for x in values} if v in self.vocab]
        out = np.zeros(n, dtype=bool)
        if not wanted:
            return out
        if self._rows_np is None:
            self._rows_np = np.asarray(self.rows, dtype=np.int64)
            self._codes_np = np.asarray(self.codes, dtype=np.int64)
        lut = np.zeros(len(self.vocab), dtype=bool)
        lut[wanted] = True
        hit = lut[self._codes_np]
        out[self._rows_np[hit]] = True
        return out


class ProductTable:
    """Append-only rows of product metadata; removed rows are tombstoned (``alive``)."""

    def __init__(self) -> None:
        self.records: list[ProductRecord] = []
        self.row_of: dict[str, int] = {}
        self._price: list[float] = []
        self._available: list[bool] = []
        self._alive: list[bool] = []
        self._cats = _Codes()
        self._brands = _Codes()
        self._options: dict[str, _Codes] = {}
        self._np: dict[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def n_alive(self) -> int:
        return int(self.alive.sum())

    def append(self, rec: ProductRecord) -> int:
        """Add ``rec`` as a new row (an older row with the same id is tombstoned)."""
        old = self.row_of.get(rec.id)
        if old is not None:
            self._alive[old] = False
        row = len(self.records)
        self.records.append(rec)
        self.row_of[rec.id] = row
        self._price.append(rec.price)
        self._available.append(rec.available)
        self._alive.append(True)
        self._cats.add(row, [_norm(c) for c in (rec.category, rec.subcategory) if c])
        self._brands.add(row, [_norm(rec.brand)] if rec.brand else [])
        for name, value in rec.attributes.items():
            self._options.setdefault(_norm(name), _Codes()).add(row, _values(value))
        self._np = None
        return row

    def remove(self, product_id: str) -> bool:
        row = self.row_of.pop(product_id, None)
        if row is None:
            return False
        self._alive[row] = False
        self._np = None
        return True

    def _arrays(self) -> dict[str, np.ndarray]:
        if self._np is None:
            self._np = {
                "price": np.asarray(self._price, dtype=np.float64),
                "available": np.asarray(self._available, dtype=bool),
                "alive": np.asarray(self._alive, dtype=bool),
            }
        return self._np

    @property
    def alive(self) -> np.ndarray:
        return self._arrays()["alive"]

    @property
    def price(self) -> np.ndarray:
        return self._arrays()["price"]

    @property
    def available(self) -> np.ndarray:
        return self._arrays()["available"]

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean ``[rows]``: alive rows that satisfy every filter, exactly."""
        a = self._arrays()
        n = len(self.records)
        m = a["alive"].copy()
        if filters.min_price is not None:
            m &= a["price"] >= filters.min_price
        if filters.max_price is not None:
            m &= a["price"] <= filters.max_price
        if filters.available_only:
            m &= a["available"]
        if filters.categories:
            m &= self._cats.mask(filters.categories, n)
        if filters.brands:
            m &= self._brands.mask(filters.brands, n)
        if filters.exclude_categories:
            m &= ~self._cats.mask(filters.exclude_categories, n)
        if filters.exclude_brands:
            m &= ~self._brands.mask(filters.exclude_brands, n)
        for name, accepted in filters.options:
            codes = self._options.get(_norm(name))
            if codes is None:
                m[:] = False
            else:
                m &= codes.mask(accepted, n)
        for name, rejected in filters.exclude_options:
            codes = self._options.get(_norm(name))
            if codes is not None:
                m &= ~codes.mask(rejected, n)
        for pid in filters.exclude_ids:
            row = self.row_of.get(str(pid))
            if row is not None:
                m[row] = False
        return m

    def option_names(self) -> list[str]:
        return sorted(self._options)

    # persistence: JSON lines of records + alive flags
    def save(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for rec, alive in zip(self.records, self._alive, strict=True):
                row = {
                    "id": rec.id,
                    "title": rec.title,
                    "category": rec.category,
                    "subcategory": rec.subcategory,
                    "brand": rec.brand,
                    "price": rec.price,
                    "available": rec.available,
                    "attributes": dict(rec.attributes),
                    "description": rec.description,
                    "alive": alive,
                }
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    @classmethod
    def load(cls, path: Path) -> ProductTable:
        table = cls()
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                alive = row.pop("alive")
                rec = ProductRecord(**row)
                r = table.append(rec)
                if not alive:
                    table._alive[r] = False
                    if table.row_of.get(rec.id) == r:
                        del table.row_of[rec.id]
        table._np = None
        return table

    @classmethod
    def from_records(cls, records: Sequence[ProductRecord]) -> ProductTable:
        table = cls()
        for rec in records:
            table.append(rec)
        return table
