"""Catalogue import on SQLite and PostgreSQL: upsert, duplicates across batches, --replace, rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.errors import UserError
from assistant.store.db import session_scope
from assistant.store.models import Product
from retrieval.catalog import catalog_version, import_catalog, vocabulary

CSV = (
    "Ref,Name,Amount,Group,Fabric\n"
    "r1,Scarf,19.5,Accessories,wool\n"
    "r2,Gloves,,Accessories,leather\n"
    "r3,Hat,12,Accessories,wool\n"
    "r1,Scarf again,18,Accessories,wool\n"
    "r4,Belt,-1,Accessories,leather\n"
    "r5,Tie,25,Accessories,silk\n"
)
MAP = ["id=Ref", "title=Name", "price=Amount", "category=Group"]


def _stored(engine):
    with session_scope(engine) as s:
        return {p.id: (p.title, p.price, p.attributes) for p in s.scalars(select(Product))}


def test_import_upsert_and_replace(store_engine, tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(CSV, encoding="utf-8")
    with session_scope(store_engine) as s:
        report = import_catalog(path, mapping=MAP, session=s, batch_size=2)
    assert report.to_dict() == {
        "imported": 3,
        "updated": 0,
        "rejected": [
            {"row": 2, "error": "price is missing (column 'Amount')"},
            {"row": 4, "error": "duplicate id 'r1' (first in row 1)"},
            {"row": 5, "error": "price is negative: -1 (column 'Amount')"},
        ],
    }
    assert _stored(store_engine) == {
        "r1": ("Scarf", 19.5, {"Fabric": "wool"}),
        "r3": ("Hat", 12.0, {"Fabric": "wool"}),
        "r5": ("Tie", 25.0, {"Fabric": "silk"}),
    }
    path.write_text(
        "Ref,Name,Amount,Group,Fabric\nr3,Hat,14,Accessories,wool\nr6,Cap,8,Accessories,cotton\n"
    )
    with session_scope(store_engine) as s:
        # two imports in one transaction: the temporary id table is made afresh
        again = import_catalog(path, mapping=MAP, session=s)
        replaced = import_catalog(path, mapping=MAP, session=s, replace=True)
        assert catalog_version(s) == 3  # 1 (first file) + this update + the removals
        vocab = vocabulary(s)
    assert (again.imported, again.updated, again.unchanged) == (1, 1, 0)
    assert (replaced.imported, replaced.updated, replaced.unchanged, replaced.removed) == (
        0,
        0,
        2,
        2,
    )
    assert again.version == 2 and replaced.version == 3
    assert _stored(store_engine) == {
        "r3": ("Hat", 14.0, {"Fabric": "wool"}),
        "r6": ("Cap", 8.0, {"Fabric": "cotton"}),
    }
    assert vocab.options == {"Fabric": {"wool", "cotton"}} and vocab.categories == {"Accessories"}


def test_unreadable_file_rolls_back_everything(store_engine, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        b"id,title,price\n" + b"".join(b"x%d,X,1\n" % i for i in range(1200)) + b"y,\xe9,2\n"
    )
    with pytest.raises(UserError, match="not UTF-8 text in data row 1201"):
        with session_scope(store_engine) as s:
            import_catalog(path, session=s, batch_size=500)
    assert _stored(store_engine) == {}
    with session_scope(store_engine) as s:
        assert catalog_version(s) == 0
