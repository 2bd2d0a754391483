"""One money parser for catalogue cells and shoppers' price phrases; expectations written by hand."""

from __future__ import annotations

import pytest

from retrieval.catalog.schema import RowError, parse_price
from retrieval.money import has_bare_number, parse_amount, price_bounds


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("12,99", 12.99), ("80 €", 80.0), ("1.234,56 €", 1234.56), ("1 234,56 €", 1234.56), ("$1,000", 1000.0),
     ("1,249.00", 1249.0), ("USD 45.00", 45.0), ("£50", 50.0), ("49", 49.0)],
)  # fmt: skip
def test_amounts(cell, amount):
    assert parse_amount(cell) == pytest.approx(amount)
    assert parse_price(cell) == pytest.approx(amount)


def test_thousands_suffix_in_phrases():
    assert parse_amount("1.5k") == 1500.0 and parse_amount("2k") == 2000.0


@pytest.mark.parametrize("cell", ["abc", "12 apples", "-5", "", "nan"])
def test_bad_price_cells_are_rejected(cell):
    with pytest.raises(RowError):
        parse_price(cell)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("tablet under $1,000", (None, 1000.0)),
        ("under 1k", (None, 1000.0)),
        ("80 bucks tops", (None, 80.0)),
        ("between 20 and 30", (20.0, 30.0)),
        ("£40-60", (40.0, 60.0)),
        ("around 50 dollars", (40.0, 60.0)),
        ("at least 50 dollars", (50.0, None)),
        ("nothing over 1,500", (None, 1500.0)),
        ("under 1.000,00 €", (None, 1000.0)),
        ("what if i only had 2k", (None, 2000.0)),
        ("a 1000ml bottle under 60", (None, 60.0)),
        ("size 10 boots below 250", (None, 250.0)),
        ("500 piece puzzle", (None, None)),
        ("a tent for 2-3 people", (None, None)),
        ("I have 3 kids", (None, None)),
        ("from 2019", (None, None)),
        ("got anything under 4 hundred?", (None, 400.0)),
        ("between 2 and 3 hundred", (200.0, 300.0)),
        ("2-3 hundred dollars", (200.0, 300.0)),
        ("under five hundred", (None, 500.0)),
    ],
)
def test_price_phrases(text, bounds):
    assert price_bounds(text) == bounds


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("dont wanna spend more than 250 quid", (None, 250.0)),  # a negated floor is a ceiling
        ("I do not want to pay over $80", (None, 80.0)),
        ("i can't spend over 40 on it", (None, 40.0)),
        ("anything over 100 is too much", (None, 100.0)),
        ("more than 250", (250.0, None)),
        ("over 100 please", (100.0, None)),
    ],
)
def test_negated_and_too_much_floors_are_ceilings(text, bounds):
    assert price_bounds(text) == bounds


@pytest.mark.parametrize("text", [
    "whats the difference between the 500 and 1000 piece ones", "road bike pls, im 6'2 so prob a big frame",
    "he's 5 ft 11", "the 4 or 6 person tent",
])
def test_quantities_are_not_prices(text):
    assert not has_bare_number(text) and price_bounds(text) == (None, None)


def test_import_reads_european_prices_and_their_currency(engine, tmp_path):
    from sqlalchemy import select

    from assistant.store.db import session_scope
    from assistant.store.models import Product
    from retrieval.catalog.importer import import_catalog

    path = tmp_path / "eu.csv"
    path.write_text('sku,name,price\nA,Mug,"12,99"\nB,Lamp,80 €\nC,Sofa,"1.234,56 €"\nD,Chair,twelve\n', encoding="utf-8")
    report = import_catalog(path, mapping=["id=sku", "title=name"]).to_dict()
    assert report["imported"] == 3 and [r["row"] for r in report["rejected"]] == [4]
    with session_scope(engine) as s:
        rows = {p.id: (p.price, p.currency) for p in s.scalars(select(Product))}
    assert rows == {"A": (12.99, "USD"), "B": (80.0, "EUR"), "C": (1234.56, "EUR")}


@pytest.mark.parametrize(("text", "bounds"), [
    ("got about 3 bills to spend on a speaker", (None, 300.0)),  # a budget: what they can spend, at most
    ("a couple of bills max", (None, 200.0)),
    ("budgets about 200", (None, 200.0)),
    ("something around $50", (40.0, 60.0)),  # a price aimed at, not a budget
    ("bills to pay this month", (None, None)),
])
def test_slang_hundreds_and_budgets(text, bounds):
    assert price_bounds(text) == bounds


@pytest.mark.parametrize(("text", "bounds"), [
    ("need 2 bags of cat litter and i've only got 20 quid for both", (None, 10.0)),  # a limit for two: 10 each
    ("two lamps under 100 in total", (None, 50.0)),
    ("a lamp under 100 for both of us", (None, 100.0)),  # one lamp, shared
])
def test_a_limit_for_several_together_is_the_limit_of_each(text, bounds):
    assert price_bounds(text) == bounds
