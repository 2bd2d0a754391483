"""Grounding of words shoppers use that name a product by what it lacks, what it goes with,
or a word of its titles; a home-and-pets shop made here, every expectation read off its rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from retrieval.catalog.view import CatalogView
from retrieval.grounding import Vocabulary


def row(id, group, title, category, price, **options):
    return SimpleNamespace(id=id, group_id=group, title=title, category=category, subcategory=None, brand=None,
                           price=price, available=True, attributes=options, description="")


ROWS = [
    row("V1", "vac", "Dustless Upright", "Vacuum Cleaner", 199.0, **{"Bags": "Bagged", "Colour": "Black"}),
    row("V2", "vac", "Dustless Upright", "Vacuum Cleaner", 219.0, **{"Bags": "Bagless", "Colour": "Red"}),
    row("H1", "cans", "Studio Cans", "Headphones", 89.0, **{"Fit": "Over-Ear", "Connection": "Wired", "Colour": "Black"}),
    row("H2", "cans", "Studio Cans", "Headphones", 99.0, **{"Fit": "Over-Ear", "Connection": "Wireless", "Colour": "White"}),
    row("C1", "charger", "Pocket Charger", "Phone Charger", 25.0, **{"Colour": "Black"}),
    row("S1", "phone", "Nova 5", "Smartphone", 499.0, **{"Colour": "Black", "Storage": "128GB"}),
    row("P1", "secs", "Acme Pro Secateurs", "Pruning Shears", 30.0, **{"Blade": "Bypass"}),
    row("F1", "fleece", "Polar Fleece Jacket", "Fleece Jacket", 60.0, **{"Size": "L", "Colour": "Navy"}),
    row("B1", "bed", "Cosy Pet Bed", "Pet Bed", 40.0, **{"Material": "Fleece", "Colour": "White"}),
    row("B2", "bed", "Cosy Pet Bed", "Pet Bed", 42.0, **{"Material": "Memory Foam", "Colour": "Yellow"}),
    row("W1", "watch", "Classic Watch", "Wristwatch", 150.0, **{"Strap": "Leather"}),
    row("W2", "smart", "Fit Smart Watch", "Smart Watch", 250.0, **{"Band": "Silicone"}),
]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(CatalogView.from_rows(ROWS))


@pytest.mark.parametrize(("text", "context", "value"), [
    ("one that doesn't need bags", ["Vacuum Cleaner"], ("Bags", "Bagless")),
    ("a hoover with no bags", [], ("Bags", "Bagless")),
    ("no wires please", ["Headphones"], ("Connection", "Wireless")),
])
def test_a_value_named_by_what_it_lacks(vocab, text, context, value):
    g = vocab.ground(text, context)
    name, v = value
    assert g.include.get(name) == [v]
    assert v not in g.exclude.get(name, [])


def test_a_value_only_one_type_has_names_that_type(vocab):
    g = vocab.ground("are the black over-ear ones in stock")
    assert g.types == ["Headphones"]  # only the headphones come over-ear; black is everywhere
    assert g.include == {"Fit": ["Over-Ear"], "Colour": ["Black"]}


def test_what_the_product_goes_with_is_not_wanted(vocab):
    assert vocab.ground("a charger for my smartphone").types == ["Phone Charger"]
    assert vocab.ground("something that charges the smartphone, a charger").types == ["Phone Charger"]
    # the phone alone is what is wanted
    assert vocab.ground("a smartphone for my dad").types == ["Smartphone"]


def test_a_colour_something_turns_is_no_wish(vocab):
    g = vocab.ground("no white, it'll just go yellow", ["Pet Bed"])
    assert g.exclude.get("Colour") == ["White"] and "Colour" not in g.include


def test_the_word_titles_end_with_names_their_type(vocab):
    assert vocab.ground("how thick a branch can your secateurs cut").types == ["Pruning Shears"]


def test_the_first_word_of_a_type_beats_a_material_when_nothing_else_is_named(vocab):
    assert vocab.ground("the fleece, size L").types == ["Fleece Jacket"]
    g = vocab.ground("a fleece pet bed")  # a type named: the word is its material
    assert g.types == ["Pet Bed"] and g.include == {"Material": ["Fleece"]}
    # the fleece pet beds are shown: "the fleece one" is their material
    assert vocab.ground("the fleece one", ["Pet Bed"]).include == {"Material": ["Fleece"]}


def test_a_type_ruled_out_leaves_the_others_a_word_names(vocab):
    g = vocab.ground("a watch with a leather strap, NOT a smartwatch")
    assert g.types == ["Wristwatch"] and "Smart Watch" in g.exclude_types
