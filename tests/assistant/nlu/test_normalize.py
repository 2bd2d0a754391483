"""Slot normalisation against hand-computed values."""

from __future__ import annotations

import pytest

from assistant.nlu.corpus import Span
from assistant.nlu.normalize import item_ref_value, normalize_slots, parse_number, parse_prices


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("under 50 bucks", {"price_max": 50.0}),
        ("between $20 and $30", {"price_min": 20.0, "price_max": 30.0}),
        ("no more than 40", {"price_max": 40.0}),
        ("at least 100", {"price_min": 100.0}),
        ("around 60 dollars", {"price_min": 48.0, "price_max": 72.0}),
        ("need a blue cotton t-shirt size M under 40 bucks", {"price_max": 40.0}),
        ("$20-30", {"price_min": 20.0, "price_max": 30.0}),
        ("50 bucks or less", {"price_max": 50.0}),
        ("no less than 30 bucks", {"price_min": 30.0}),
        ("below fifty dollars", {"price_max": 50.0}),
        ("over 1.5k", {"price_min": 1500.0}),
        ("max $1,200", {"price_max": 1200.0}),
        ("$100+", {"price_min": 100.0}),
        ("from 20 to 40 dollars", {"price_min": 20.0, "price_max": 40.0}),
        ("my budget is $200", {"price_max": 200.0}),
        ("cheaper than 25.50", {"price_max": 25.5}),
        # numbers that are not money
        ("a 10 inch pan", {}),
        ("i have 3 kids", {}),
        ("boots in size 8-10", {}),
        ("a tent under 6 ft", {}),
        ("a 20000mAh power bank over 5000mAh", {}),
    ],
)
def test_parse_prices(text, expected):
    assert parse_prices(text) == expected


@pytest.mark.parametrize(
    ("span_text", "slot", "expected"),
    [
        ("around 60", "price_max", {"price_min": 48.0, "price_max": 72.0}),
        ("60", "price_max", {"price_max": 60.0}),
        ("$35", "price_min", {"price_min": 35.0}),
        ("at least 20", "price_max", {"price_min": 20.0}),  # the span's own cue wins over the tag
    ],
)
def test_tagged_price_spans(span_text, slot, expected):
    text = f"shoes {span_text}"
    assert {k: v for k, v in normalize_slots(text, [Span(6, len(text), slot)]).items()} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the second one", 2), ("the last one", -1), ("#3", 3), ("option 2", 2), ("the 1st", 1),
        ("third", 3), ("that blue one", "blue"), ("the cheaper one", "cheaper"), ("this one", "this one"),
    ],
)  # fmt: skip
def test_item_ref(text, expected):
    assert item_ref_value(text) == expected


def test_numbers_in_words_and_digits():
    assert parse_number("fifty") == 50
    assert parse_number("twenty five") == 25
    assert parse_number("a couple of") == 2
    assert parse_number("$1,250.75") == 1250.75


def test_identifiers_and_backstops():
    text = "my email is Noah.Brown@Example.com and order W2611340, zip code 80279"
    slots = normalize_slots(text, [])
    assert slots == {"email": "noah.brown@example.com", "order_id": "#W2611340", "zip": "80279"}
    tagged = normalize_slots("I'm noah brown", [Span(4, 14, "name")])
    assert tagged == {"name": "Noah Brown"}


def test_options_sizes_quantity_and_swap():
    text = "2 waterproof boots size m between 80 and 60 dollars"
    spans = [
        Span(0, 1, "quantity"),
        Span(2, 12, "option"),
        Span(13, 18, "product"),
        Span(19, 25, "size"),
    ]
    slots = normalize_slots(text, spans, option_names={"waterproof": "waterproof"})
    assert slots["quantity"] == 2
    assert slots["option"] == {"waterproof": "waterproof"}
    assert slots["size"] == "M"
    assert (slots["price_min"], slots["price_max"]) == (60.0, 80.0)


def test_size_backstop():
    assert normalize_slots("blue shirt size m please", [])["size"] == "M"
    assert normalize_slots("boots in size 10.5", [])["size"] == "10.5"
    assert "size" not in normalize_slots("what size is it", [])


def test_explicit_range_overrides_partial_tagging():
    text = "any laptops between $800 and $1200"
    # the tagger marked "between $800" as a ceiling and missed "$1200"
    slots = normalize_slots(text, [Span(12, 24, "price_max")])
    assert (slots["price_min"], slots["price_max"]) == (800.0, 1200.0)
    # a range of sizes is not a price range
    slots = normalize_slots("boots size 8-10 under $50", [Span(16, 25, "price_max")])
    assert slots == {"price_max": 50.0, "size": "8"}


def test_an_ordinal_in_the_text_wins_over_a_mistagged_item_ref():
    text = "what material is the second one"
    assert normalize_slots(text, [Span(5, 13, "item_ref")])["item_ref"] == 2  # the tagger took "material"
    assert normalize_slots("that blue one", [Span(5, 9, "item_ref")])["item_ref"] == "blue"
    assert "item_ref" not in normalize_slots("the first time i ordered", [])


def test_a_colour_span_run_on_into_the_material_is_split():
    text = "need a blue cotton t-shirt"
    start = text.index("blue")
    slots = normalize_slots(text, [Span(start, start + len("blue cotton"), "color")])
    assert slots["color"] == "blue" and slots["material"] == "cotton"
    assert normalize_slots("a navy blue one", [Span(2, 11, "color")])["color"] == "navy blue"
