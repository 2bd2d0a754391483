"""Importing catalogues the project has never seen: column maps, bad rows, unreadable files."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from assistant.errors import UserError
from assistant.store.db import session_scope
from assistant.store.models import Product
from retrieval.catalog import catalog_version, import_catalog

SHOP_CSV = """\
SKU,Product Name,Cost (EUR),Dept,Maker,In Stock,Colour,Notes,Currency
A-100,Trail Runner,89.90,Shoes,Stride,yes,red,light,EUR
A-101,Trail Runner,89.90,Shoes,Stride,no,blue,,EUR
A-102,,12.00,Socks,Stride,yes,white,no title here,EUR
A-103,"Wool Socks, 3-pack",12.00,Socks,Knitco,yes,grey,"comma, inside",EUR
A-104,Rain Jacket,twelve,Jackets,Stride,yes,yellow,,EUR
A-105,Down Jacket,-5,Jackets,Stride,yes,black,,EUR
A-100,Trail Runner again,80,Shoes,Stride,yes,red,,EUR
A-106,Beanie,15,Hats,Knitco,maybe,green,,EUR
A-107,Cap,9.5,Hats,Knitco,1,black,,eur
"""
SHOP_MAP = [
    "id=SKU",
    "title=Product Name",
    "price=Cost (EUR)",
    "category=Dept",
    "brand=Maker",
    "available=In Stock",
]


def _products(engine) -> dict[str, Product]:
    with session_scope(engine) as s:
        return {p.id: p for p in s.scalars(select(Product))}


def _version(engine) -> int:
    with session_scope(engine) as s:
        return catalog_version(s)


def test_foreign_csv_with_map_and_broken_rows(engine, tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(SHOP_CSV, encoding="utf-8")
    report = import_catalog(path, mapping=SHOP_MAP)
    assert report.to_dict() == {
        "imported": 4,
        "updated": 0,
        "rejected": [
            {"row": 3, "error": "title is missing (column 'Product Name')"},
            {"row": 5, "error": "price is not a number: 'twelve' (column 'Cost (EUR)')"},
            {"row": 6, "error": "price is negative: -5 (column 'Cost (EUR)')"},
            {"row": 7, "error": "duplicate id 'A-100' (first in row 1)"},
            {"row": 8, "error": "available must be true/false (or yes/no, 1/0), got 'maybe'"},
        ],
    }
    stored = _products(engine)
    assert sorted(stored) == ["A-100", "A-101", "A-103", "A-107"]
    runner = stored["A-100"]
    assert (
        runner.title,
        runner.price,
        runner.category,
        runner.brand,
        runner.available,
        runner.currency,
    ) == ("Trail Runner", 89.9, "Shoes", "Stride", True, "EUR")
    assert runner.attributes == {"Colour": "red", "Notes": "light"}
    assert stored["A-101"].available is False and stored["A-101"].attributes == {"Colour": "blue"}
    assert stored["A-103"].title == "Wool Socks, 3-pack"
    assert stored["A-103"].attributes == {"Colour": "grey", "Notes": "comma, inside"}
    assert (stored["A-107"].price, stored["A-107"].currency) == (9.5, "EUR")
    assert _version(engine) == 1

    again = import_catalog(path, mapping=SHOP_MAP)  # same file: nothing changes
    assert (again.imported, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 4, 5)
    assert _version(engine) == 1

    path.write_text(SHOP_CSV.replace("A-107,Cap,9.5", "A-107,Cap,7.25"), encoding="utf-8")
    changed = import_catalog(path, mapping=SHOP_MAP)
    assert (changed.imported, changed.updated, changed.unchanged) == (0, 1, 3)
    assert _products(engine)["A-107"].price == 7.25
    assert _version(engine) == 2


def test_semicolon_csv_without_ids_gets_stable_generated_ids(engine, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Title;Price;Size\nMug;4,00;L\nMug;4.00;M\n", encoding="utf-8")
    first = import_catalog(path)  # a decimal comma is a price too ("4,00" = 4.00)
    assert first.to_dict()["rejected"] == [] and first.imported == 2
    path.write_text("Title;Price;Size\nMug;4.50;L\nMug;5.00;M\n", encoding="utf-8")
    second = import_catalog(path)
    assert (second.imported, second.updated) == (0, 2)  # both updated in place (stable ids)
    stored = _products(engine)
    assert sorted((p.attributes["Size"], p.price) for p in stored.values()) == [
        ("L", 4.5),
        ("M", 5.0),
    ]


def test_duplicates_are_caught_across_batches(engine, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "id,title,price\na,A,1\nb,B,2\nc,C,3\na,A again,4\nc,C again,5\n", encoding="utf-8"
    )
    report = import_catalog(path, batch_size=2)
    assert report.to_dict()["rejected"] == [
        {"row": 4, "error": "duplicate id 'a' (first in row 1)"},
        {"row": 5, "error": "duplicate id 'c' (first in row 3)"},
    ]
    assert {p: v.price for p, v in _products(engine).items()} == {"a": 1.0, "b": 2.0, "c": 3.0}


def test_jsonl_with_bad_lines(engine, tmp_path):
    path = tmp_path / "items.jsonl"
    lines = [
        json.dumps({"id": 1, "name": "Lamp", "price": 20, "tags": ["desk"], "dims": {"h": 30}}),
        "{not json",
        "[1, 2]",
        json.dumps({"id": 4, "name": "Shade"}),
        "",
        json.dumps({"id": 5, "name": "Bulb", "price": "3.5", "available": False, "brand": "Lux"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_catalog(path, mapping={"title": "name"})
    assert report.to_dict()["rejected"] == [
        {"row": 2, "error": "not valid JSON: Expecting property name enclosed in double quotes"},
        {"row": 3, "error": "not a JSON object"},
        {"row": 4, "error": "price is missing"},
    ]
    assert report.imported == 2
    stored = _products(engine)
    assert stored["1"].attributes == {"tags": ["desk"], "dims": {"h": 30}}
    assert (stored["5"].price, stored["5"].available, stored["5"].brand) == (3.5, False, "Lux")


def test_parquet_in_batches(engine, tmp_path):
    import datetime as dt

    n = 5000
    table = pa.table(
        {
            "product_id": [f"x{i}" for i in range(n)],
            "name": [f"Item {i}" if i != 17 else None for i in range(n)],
            "price": [float(i % 50) for i in range(n)],
            "available": [i % 3 != 0 for i in range(n)],
            "launched": [dt.date(2024, 1, 1 + i % 28) for i in range(n)],
        }
    )
    table = table.append_column(
        "attributes",
        pa.array([[("fit", "slim")]] * n, type=pa.map_(pa.string(), pa.string())),
    )
    path = tmp_path / "cat.parquet"
    pq.write_table(table, path, row_group_size=700)
    report = import_catalog(path, mapping=["id=product_id", "title=name"])
    assert report.imported == n - 1
    assert report.to_dict()["rejected"] == [
        {"row": 18, "error": "title is missing (column 'name')"}
    ]
    stored = _products(engine)
    assert (stored["x3"].available, stored["x4"].available, stored["x4"].price) == (
        False,
        True,
        4.0,
    )
    assert stored["x4"].attributes == {"fit": "slim", "launched": "2024-01-05"}


def test_tau2_format(engine, tmp_path):
    db = {
        "products": {
            "p1": {
                "name": "Desk Lamp",
                "product_id": "p1",
                "variants": {
                    "v1": {
                        "item_id": "v1",
                        "options": {"color": "black", "bulb": "LED"},
                        "available": True,
                        "price": 30,
                    },
                    "v2": {
                        "item_id": "v2",
                        "options": {"color": "white"},
                        "available": False,
                        "price": 31.5,
                    },
                },
            }
        }
    }
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(db), encoding="utf-8")
    assert import_catalog(path).imported == 2
    v1, v2 = _products(engine)["v1"], _products(engine)["v2"]
    assert v1.title == "Desk Lamp — black, LED"
    assert v1.description == "Desk Lamp with color black and bulb LED."
    assert (v2.title, v2.description, v2.available, v2.group_id) == (
        "Desk Lamp — white",
        "Desk Lamp with color white.",
        False,
        "p1",
    )
    with pytest.raises(UserError, match="--map does not apply"):
        import_catalog(path, mapping=["title=name"])


def test_replace_removes_products_absent_from_the_file(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,title,price\nx,X,1\ny,Y,2\n", encoding="utf-8")
    import_catalog(path)
    path.write_text("id,title,price\ny,Y,2\nz,Z,3\n", encoding="utf-8")
    report = import_catalog(path, replace=True)
    assert (report.imported, report.unchanged, report.removed) == (1, 1, 1)
    assert sorted(_products(engine)) == ["y", "z"]
    path.write_text("id,title,price\ny,,2\n", encoding="utf-8")
    with pytest.raises(UserError, match="no valid rows"):
        import_catalog(path, replace=True)
    assert sorted(_products(engine)) == ["y", "z"]


def _seed(engine, tmp_path):
    path = tmp_path / "seed.csv"
    path.write_text("id,title,price\nkeep,Keep me,1\n", encoding="utf-8")
    import_catalog(path)
    return _version(engine)


def test_bad_encoding_midway_writes_nothing(engine, tmp_path):
    before = _seed(engine, tmp_path)
    rows = [f"n{i},Item {i},{i}" for i in range(2500)] + ["bad,Caf\xe9 cr\xe8me,3"]
    path = tmp_path / "latin1.csv"
    path.write_bytes(("id,title,price\n" + "\n".join(rows) + "\n").encode("latin-1"))
    with pytest.raises(UserError, match=r"latin1.csv: not UTF-8 text in data row 2501"):
        import_catalog(path, batch_size=1000)  # two batches were written before the bad bytes
    assert sorted(_products(engine)) == ["keep"]
    assert _version(engine) == before


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "message"),
    [
        ("missing.csv", None, {}, "missing.csv: file not found"),
        ("cat.xlsx", b"PK\x03\x04", {}, "cannot tell the format"),
        ("cat.parquet", b"id,title,price\n", {}, "not a readable Parquet file"),
        ("cat.jsonl", b'[{"id": 1}]\n', {}, "not JSON lines"),
        ("cat.csv", b"", {}, "no header row"),
        ("cat.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", {}, "not UTF-8 text"),
        ("cat.json", b'{"users": {}}', {}, "not a tau2 db.json"),
        ("cat.csv", b"id,title,price\n", {"mapping": ["title=Name"]}, "has no column 'Name'"),
        ("cat.csv", b"id,title,price\n", {"mapping": ["colour=c"]}, "unknown field 'colour'"),
        ("cat.csv", b"id,title,id\n", {}, "'id' appears more than once"),
        ("cat.csv", b"id,title,price\n", {"fmt": "xml"}, "--format xml"),
    ],
)
def test_unreadable_files_raise_user_error_and_write_nothing(
    engine, tmp_path, name, content, kwargs, message
):
    before = _seed(engine, tmp_path)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        import_catalog(path, **kwargs)
    assert sorted(_products(engine)) == ["keep"]
    assert _version(engine) == before


def test_caller_owned_session_rolls_back_on_error(engine, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("id,title,price\ng,G,1\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,title,price\n" + b"h,H,1\n" * 1500 + b"i,\xff,2\n")
    with pytest.raises(UserError):
        with session_scope(engine) as s:
            import_catalog(good, session=s)
            import_catalog(bad, session=s)
    assert _products(engine) == {}


def test_csv_long_field_and_ragged_rows(engine, tmp_path):
    long_text = "soft " * 60_000  # 300 kB, over the csv module's default field limit
    path = tmp_path / "ragged.csv"
    path.write_text(
        f'id,title,price,description\na,A,1,"{long_text}"\nb,B,2,x,extra\nc,C\n', encoding="utf-8"
    )
    report = import_catalog(path)
    # the reader takes the whole 300 kB field (the message counts it); the description cap
    # (20,000 characters) then rejects the row
    assert report.to_dict()["rejected"] == [
        {"row": 1, "error": "description is 299,999 characters; at most 20,000 are accepted"},
        {"row": 2, "error": "row has 5 values but the header has 4 columns"},
        {"row": 3, "error": "price is missing"},
    ]
    assert _products(engine) == {}


def test_excel_style_csv_with_bom_and_crlf(engine, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid,title,price,Colour\r\nm1,Mug,4.5,red\r\nm2,Cup,3,\r\n".encode())
    report = import_catalog(path)
    assert (report.imported, report.rejected) == (2, [])
    stored = _products(engine)
    assert (stored["m1"].title, stored["m1"].attributes) == ("Mug", {"Colour": "red"})
    assert stored["m2"].attributes == {}
