"""Grounding on a catalogue the project never saw: a bike shop made here, words checked by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from retrieval.catalog.view import CatalogView, best_variant, product_result
from retrieval.grounding import Vocabulary
from retrieval.types import Filters


def row(id, group, title, category, price, available=True, brand=None, **options):
    return SimpleNamespace(id=id, group_id=group, title=title, category=category, subcategory=None, brand=brand,
                           price=price, available=available, attributes=options, description="")


ROWS = [
    row("J1", "jacket", "Trail Shell", "Cycling Jacket", 120.0, brand="Velo", **{"Rainproof": "yes", "Colour": "Black", "Size": "M"}),
    row("J2", "jacket", "Trail Shell", "Cycling Jacket", 125.0, brand="Velo", **{"Rainproof": "yes", "Colour": "Hi-Vis Yellow", "Size": "L"}),
    row("J3", "gilet", "Wind Gilet", "Cycling Jacket", 60.0, brand="Velo", **{"Rainproof": "no", "Colour": "Black", "Size": "M"}),
    row("L1", "light", "Beam 800", "Bike Light", 45.0, **{"Power Supply": "Battery", "Colour": "Black"}),
    row("L2", "light", "Beam 800", "Bike Light", 39.0, **{"Power Supply": "Dynamo", "Colour": "Silver"}),
    row("P1", "pannier", "Commuter Pannier", "Pannier Bag", 70.0, **{"Fits": "Laptop", "Colour": "Black"}),
    row("P2", "pannier", "Commuter Pannier", "Pannier Bag", 72.0, available=False, **{"Fits": "Groceries", "Colour": "Grey"}),
    row("C1", "pc", "Work Laptop", "Laptop", 900.0, **{"Colour": "Silver"}),
]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(CatalogView.from_rows(ROWS))


def test_products_group_their_variants():
    view = CatalogView.from_rows(ROWS)
    jacket = view.products["jacket"]
    assert [v.id for v in jacket.variants] == ["J1", "J2"] and jacket.price_range == (120.0, 125.0)
    assert jacket.option_values()["Colour"] == ["Black", "Hi-Vis Yellow"]
    assert view.product_of["P2"].product_id == "pannier"


def test_best_variant_fits_the_filters_and_prefers_stock():
    view = CatalogView.from_rows(ROWS)
    pannier = view.products["pannier"]
    assert best_variant(pannier, Filters()).id == "P1"  # the grey one is out of stock
    assert best_variant(pannier, Filters(options=(("Fits", ("groceries",)),))).id == "P2"
    assert best_variant(pannier, Filters(max_price=60.0)) is None
    light = view.products["light"]
    assert best_variant(light, Filters(), sort="price_asc").id == "L2"
    shown = product_result(light, light.variants[0], 0.5)
    assert shown["id"] == "L1" and shown["product_id"] == "light" and shown["price_range"] == [39.0, 45.0]
    assert shown["option_values"] == {"Power Supply": ["Battery", "Dynamo"], "Colour": ["Black", "Silver"]}


@pytest.mark.parametrize(
    ("text", "context", "types", "include", "exclude"),
    [
        ("a waterproof cycling jacket", [], ["Cycling Jacket"], {"Rainproof": ["yes"]}, {}),
        ("one that keeps the rain out", ["Cycling Jacket"], [], {"Rainproof": ["yes"]}, {}),
        ("cordless bike light", [], ["Bike Light"], {"Power Supply": ["Battery"]}, {}),
        ("a bike lihgt", [], ["Bike Light"], {}, {}),  # typo
        ("a waterprof cycling jacket", [], ["Cycling Jacket"], {"Rainproof": ["yes"]}, {}),  # typo of a lexicon word
        ("a cordlss bike light", [], ["Bike Light"], {"Power Supply": ["Battery"]}, {}),
        ("not the black ones", ["Cycling Jacket"], [], {}, {"Colour": ["Black"]}),
        ("a pannier with room for a laptop", [], ["Pannier Bag"], {"Fits": ["Laptop"]}, {}),
        ("in hi vis yellow", ["Cycling Jacket"], [], {"Colour": ["Hi-Vis Yellow"]}, {}),
    ],
)
def test_words_reach_the_catalogue(vocab, text, context, types, include, exclude):
    g = vocab.ground(text, context)
    assert g.types == types
    assert g.include == include
    assert g.exclude == exclude


def test_a_type_the_shopper_already_has_is_excluded(vocab):
    g = vocab.ground("he already has a bike light")
    assert g.exclude_types == ["Bike Light"] and g.types == []


def test_questions_name_the_option_they_ask_about(vocab):
    assert vocab.ground("what sizes does it come in?", ["Cycling Jacket"]).asked == ["Size"]
    assert vocab.ground("which colours?", ["Bike Light"]).asked == ["Colour"]


def test_forget_drops_and_a_leading_no_is_not_a_negation(vocab):
    g = vocab.ground("forget black, in hi vis yellow", ["Cycling Jacket"])
    assert g.forget == {"Colour": ["Black"]} and g.include == {"Colour": ["Hi-Vis Yellow"]}
    assert vocab.ground("no i wanted the black one", ["Cycling Jacket"]).include == {"Colour": ["Black"]}
    assert vocab.ground("no black ones", ["Cycling Jacket"]).exclude == {"Colour": ["Black"]}


def test_title_phrases_name_a_type_under_a_coarse_department():
    rows = [row("S1", "bag1", "Nightfall Down Sleeping Bag", "Camping", 200.0),
            row("T1", "tent", "Ridge Tent", "Camping", 300.0),
            row("D1", "day", "Trail Daypack", "Bags", 60.0)]
    v = Vocabulary(CatalogView.from_rows(rows))
    assert v.ground("any sleeping bags?").types == ["Camping"]
    assert v.ground("a bag for day hikes").types == ["Bags"]


def test_a_bare_number_pointing_at_a_value_with_a_unit():
    rows = [row("C1", "cushion", "Velvet Cushion", "Throw Pillow", 28.0, **{"Size": "45 cm", "Colour": "Ochre"}),
            row("C2", "cushion", "Velvet Cushion", "Throw Pillow", 38.0, **{"Size": "60 cm", "Colour": "Ochre"})]
    v = Vocabulary(CatalogView.from_rows(rows))
    assert v.ground("the big 60 one", ["Throw Pillow"]).include == {"Size": ["60 cm"]}
    assert v.ground("not the 45 ones", ["Throw Pillow"]).exclude == {"Size": ["45 cm"]}
    assert v.ground("i have 60 of them", ["Throw Pillow"]).include == {}  # a count, not a size


def test_over_your_ears_is_the_over_ear_type():
    rows = [row("H1", "hp", "Headphones", "Headphones", 300.0, **{"type": "over-ear", "color": "black"}),
            row("H2", "hp", "Headphones", "Headphones", 280.0, **{"type": "in-ear", "color": "black"}),
            row("H3", "hp", "Headphones", "Headphones", 290.0, **{"type": "on-ear", "color": "black"})]
    v = Vocabulary(CatalogView.from_rows(rows))
    g = v.ground("proper big ones that sit over your ears, not the tiny in-ear things", ["Headphones"])
    assert g.include == {"type": ["over-ear"]} and g.exclude == {"type": ["in-ear"]}

