"""Length caps of the catalogue import: a description over 20,000 characters, an attribute
value over 1,000 (as JSON), an attribute name over 100 or more than 100 attributes rejects
the row, by row number, with a message naming the field and the cap; the rows beside it
are imported."""

from __future__ import annotations

import json

from sqlalchemy import select

from assistant.store.db import session_scope
from assistant.store.models import Product
from retrieval.catalog import import_catalog
from retrieval.catalog.schema import (
    MAX_ATTRIBUTE_VALUE_CHARS,
    MAX_ATTRIBUTES,
    MAX_LENGTH,
)


def test_oversize_text_fields_reject_their_row(engine, tmp_path):
    rows = [
        {"id": "ok-1", "title": "Mug", "price": 5, "description": "d" * MAX_LENGTH["description"],
         "attributes": {"color": "c" * MAX_ATTRIBUTE_VALUE_CHARS}},
        {"id": "big-desc", "title": "Mug", "price": 5, "description": "d" * 2_000_000},
        {"id": "big-attr", "title": "Mug", "price": 5, "attributes": {"notes": "x" * 2_000_000}},
        {"id": "big-list", "title": "Mug", "price": 5, "attributes": {"sizes": ["s" * 10] * 200}},
        {"id": "big-name", "title": "Mug", "price": 5, "attributes": {"n" * 500: "red"}},
        {"id": "many", "title": "Mug", "price": 5,
         "attributes": {f"a{i}": i for i in range(MAX_ATTRIBUTES + 1)}},
        {"id": "big-column", "title": "Mug", "price": 5, "Notes": "y" * 5_000},
        {"id": "ok-2", "title": "Bowl", "price": 7},
    ]
    path = tmp_path / "shop.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = import_catalog(path).to_dict()
    assert report["imported"] == 2
    errors = {r["row"]: r["error"] for r in report["rejected"]}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert errors[2] == "description is 2,000,000 characters; at most 20,000 are accepted"
    assert errors[3].startswith("attribute 'notes' is 2,000,000 characters; at most 1,000")
    assert errors[4].startswith("attribute 'sizes' is 2,800 characters")
    assert "attribute name 'nnnn" in errors[5] and "at most 100" in errors[5]
    assert errors[6] == "101 attributes; at most 100 are accepted"
    assert errors[7].startswith("attribute 'Notes' is 5,000 characters")  # a leftover column
    with session_scope() as s:
        stored = {p.id: p for p in s.scalars(select(Product))}
    assert set(stored) == {"ok-1", "ok-2"}
    assert len(stored["ok-1"].description) == 20_000
