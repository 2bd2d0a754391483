"""Answers read from a product's description and the shown list, checked against sentences and
prices written here by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.dialogue.answers import best_sentence, describes_other_variant, superlative_answer
from retrieval.catalog.view import CatalogView
from retrieval.types import Filters

TRAINER = ("Smart direct drive turbo trainer. Quiet: 58 dB at 30 km/h. Range up to 120 km per charge. "
           "Full charge takes 4.5 hours. 2 year warranty.")


@pytest.mark.parametrize(("question", "sentence"), [
    ("is it loud? i live in a flat", "Quiet: 58 dB at 30 km/h."),
    ("how far does it go on one charge", "Range up to 120 km per charge."),
    ("and how long does it take to charge", "Full charge takes 4.5 hours."),
    ("whats the warranty on it", "2 year warranty."),
])
def test_the_sentence_that_answers(question, sentence):
    assert best_sentence(TRAINER, question) == sentence


def test_a_bare_number_in_a_sentence_is_not_another_variants_value():
    lights = {"title": "Beacon Light Set", "options": {"Runtime (h)": "4", "Lumens": "400"},
              "option_values": {"Runtime (h)": ["4", "2.5", "2"], "Lumens": ["400", "800", "1200"]}}
    assert not describes_other_variant("2 year warranty.", lights)
    # named with its option, the number does describe another variant
    assert describes_other_variant("Runtime 2 h at 1200 lumens.", lights)
    assert best_sentence("Bright. 2 year warranty.", "whats the warranty", shown=lights) == "2 year warranty."


def _row(id, group, title, price, size, available=True):
    return SimpleNamespace(id=id, group_id=group, title=title, category="Pet Carrier", subcategory=None, brand=None,
                           price=price, available=available, attributes={"Pet Size": size}, description="",
                           currency="GBP")


def test_the_cheapest_of_the_shown_says_what_other_options_cost():
    view = CatalogView.from_rows([
        _row("HS", "hard", "Hard-Shell Carrier", 24.99, "S"), _row("HL", "hard", "Hard-Shell Carrier", 36.99, "L"),
        _row("HX", "hard", "Hard-Shell Carrier", 19.99, "XS", available=False),  # sold out: never quoted
        _row("SS", "soft", "Soft Carrier", 34.99, "S"), _row("SL", "soft", "Soft Carrier", 39.99, "L")])
    shown = [{"id": "HL", "product_id": "hard", "title": "Hard-Shell Carrier", "price": 36.99, "currency": "GBP",
              "options": {"Pet Size": "L"}},
             {"id": "SS", "product_id": "soft", "title": "Soft Carrier", "price": 34.99, "currency": "GBP",
              "options": {"Pet Size": "S"}}]
    reply, picked = superlative_answer(shown, "price", "min", view=view)
    assert picked[0]["title"] == "Soft Carrier"
    assert "£34.99" in reply and "Hard-Shell Carrier £36.99, from £24.99 in other options" in reply
    assert "19.99" not in reply
    # within the shopper's constraints: only large ones, so nothing cheaper to mention
    reply, _ = superlative_answer(shown, "price", "min", view=view, filters=Filters(options=(("Pet Size", ("L",)),)))
    assert "other options" not in reply
