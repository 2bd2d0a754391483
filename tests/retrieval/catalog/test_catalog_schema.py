"""Row validation and column maps, checked against hand-written expectations."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from retrieval.catalog.schema import (
    ColumnMap,
    RowError,
    generated_id,
    normalise_name,
    parse_available,
    parse_mapping,
    parse_price,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", 12.5),
        (" 7 ", 7.0),
        ("$1,299.00", 1299.0),
        ("€3", 3.0),
        (0, 0.0),
        (4.25, 4.25),
        ("0", 0.0),
    ],
)
def test_price_accepts(raw, expected):
    assert parse_price(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "price is missing"),
        (None, "price is missing"),
        ("twelve", "price is not a number: 'twelve'"),
        ("-3", "price is negative: -3"),
        (float("nan"), "price is not a number"),
        ("1,5 apples", "not a number"),
        (True, "not a number"),
    ],
)
def test_price_rejects(raw, message):
    with pytest.raises(RowError, match=message.replace("$", r"\$")):
        parse_price(raw)


def test_available_values():
    for raw in ("yes", "TRUE", "1", "In Stock", 1, True, "", None):
        assert parse_available(raw) is True, raw
    for raw in ("no", "False", "0", "out of stock", 0, False):
        assert parse_available(raw) is False, raw
    with pytest.raises(RowError, match="available must be true/false"):
        parse_available("maybe")


def test_parse_mapping():
    assert parse_mapping(["title=Product Name", "Price = Cost"]) == {
        "title": "Product Name",
        "price": "Cost",
    }
    assert parse_mapping({"id": "SKU"}) == {"id": "SKU"}
    with pytest.raises(UserError, match="unknown field 'nme'"):
        parse_mapping(["nme=Name"])
    with pytest.raises(UserError, match="expected FIELD=COLUMN"):
        parse_mapping(["title"])
    with pytest.raises(UserError, match="mapped twice"):
        parse_mapping(["title=A", "title=B"])


def test_normalise_name():
    assert normalise_name(" Image URL ") == "image_url"
    assert normalise_name("sub-category") == "sub_category"


def test_column_map_explicit_then_same_name_then_attributes():
    cmap = ColumnMap({"title": "Name", "price": "Cost"})
    row = cmap.row(
        {
            "Name": "Mug",
            "Cost": "4",
            "Brand": "Acme",
            "title": "ignored",
            "Colour": "red",
            "Empty": "",
        }
    )
    assert (row.title, row.price, row.brand) == ("Mug", 4.0, "Acme")
    # 'title' is already mapped, so the same-name column is just an attribute; blanks are dropped
    assert row.attributes == {"title": "ignored", "Colour": "red"}
    assert row.id == generated_id("Mug", None, None, "Acme", {"title": "ignored", "Colour": "red"})


def test_generated_id_ignores_price_and_stock_but_not_options():
    a = ColumnMap({}).row({"title": "Mug", "price": "4", "color": "red"})
    b = ColumnMap({}).row({"title": "Mug", "price": "5", "available": "no", "color": "red"})
    c = ColumnMap({}).row({"title": "Mug", "price": "4", "color": "blue"})
    assert a.id == b.id != c.id
    assert len(a.id) <= 64


def test_id_column_present_but_blank_is_an_error():
    with pytest.raises(RowError, match="id is missing"):
        ColumnMap({}).row({"id": " ", "title": "Mug", "price": "1"})


def test_attributes_field_takes_json_object():
    row = ColumnMap({}).row(
        {"title": "Mug", "price": "1", "attributes": '{"size": "L"}', "color": "red"}
    )
    assert row.attributes == {"size": "L", "color": "red"}
    with pytest.raises(RowError, match="attributes must be a JSON object"):
        ColumnMap({}).row({"title": "Mug", "price": "1", "attributes": "[1, 2]"})
