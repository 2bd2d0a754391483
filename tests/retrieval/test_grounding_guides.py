"""Size guides read from descriptions, "<thing> free" options, the shopper's own things, type
words that are also adjectives; a cycling-and-pets shop made here, every expectation read off
its rows and descriptions by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from retrieval.catalog.view import CatalogView
from retrieval.grounding import Vocabulary
from retrieval.measures import QuantityBound, size_guide

HARNESS_GUIDE = ("Padded harness. Weighs 160 g in size M. Size guide: XS up to 4 kg, S 4-10 kg, M 10-25 kg, "
                 "L 25-40 kg (e.g. a labrador), XL 40 kg and over.")
FRAME_GUIDE = "Aluminium frame. Size guide: frame 52 cm fits riders 167-175 cm, 54 cm fits 175-183 cm, 56 cm fits 183-190 cm."


def row(id, group, title, category, price, description="", **options):
    return SimpleNamespace(id=id, group_id=group, title=title, category=category, subcategory=None, brand=None,
                           price=price, available=True, attributes=options, description=description)


ROWS = [
    *(row(f"H{s}", "harness", "Trail Harness", "Dog Harness", 20.0 + i, HARNESS_GUIDE, **{"Pet Size": s})
      for i, s in enumerate(["XS", "S", "M", "L", "XL"])),
    *(row(f"R{f}", "road", "Corsa Road Bike", "Road Bike", 1000.0 + f, FRAME_GUIDE,
          **{"Frame Height (cm)": str(f), "Weight (kg)": "9.4"}) for f in (52, 54, 56)),
    row("K1", "kid", "Pip Kids Bike", "Kids Bike", 229.0, **{"Wheel Size": "16 in", "Age Range": "4-6"}),
    row("K2", "kid", "Pip Kids Bike", "Kids Bike", 269.0, **{"Wheel Size": "20 in", "Age Range": "6-8"}),
    row("L1", "lock", "Fortress D-Lock", "Bike Lock", 69.0, **{"Security Rating": "13"}),
    row("S1", "lights", "Beacon USB Light Set", "Bike Light Set", 39.0, **{"Rechargeable": "yes"}),
    row("J1", "jacket", "Downpour Jacket", "Cycling Jacket", 119.0, **{"Colour": "Black"}),
    row("D1", "food", "Everyday Dry Dog Food", "Dog Food", 9.0, **{"Grain Free": "no", "Flavour": "Lamb"}),
    row("D2", "food2", "Grain-Free Dog Food", "Dog Food", 14.0, **{"Grain Free": "yes", "Flavour": "Salmon"}),
    row("Q1", "duvet", "Goose Duvet", "Duvet", 239.0, **{"Fill": "Goose Down"}),
    row("Q2", "duvet2", "Anti-Allergy Duvet", "Duvet", 45.0, **{"Fill": "Hollowfibre"}),
]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(CatalogView.from_rows(ROWS))


def test_a_size_guide_is_read_into_ranges_per_value():
    kg = 1000.0
    assert size_guide(HARNESS_GUIDE, {"Pet Size": ["XS", "S", "M", "L", "XL"], "Colour": ["Red"]}) == {
        "Pet Size": {"XS": ("mass", 0.0, 4 * kg), "S": ("mass", 4 * kg, 10 * kg), "M": ("mass", 10 * kg, 25 * kg),
                     "L": ("mass", 25 * kg, 40 * kg), "XL": ("mass", 40 * kg, float("inf"))}}
    assert size_guide(FRAME_GUIDE, {"Frame Height (cm)": ["52", "54", "56"]}) == {
        "Frame Height (cm)": {"52": ("length", 1670.0, 1750.0), "54": ("length", 1750.0, 1830.0),
                              "56": ("length", 1830.0, 1900.0)}}
    # one number beside one value is a fact about it, not a guide
    assert size_guide("Weighs 160 g in size M. 1 year warranty.", {"Pet Size": ["S", "M"]}) == {}


def test_an_open_ended_range_does_not_accept_everything():
    over_40 = (40000.0, float("inf"))
    assert QuantityBound("mass", 45000.0, 45000.0).accepts(over_40)
    assert not QuantityBound("mass", 30000.0, 30000.0).accepts(over_40)


@pytest.mark.parametrize(("text", "context", "expected"), [
    ("a harness for my 30kg dog", [], {"Pet Size": ["L"]}),
    ("she weighs about 12 kilos", ["Dog Harness"], {"Pet Size": ["M"]}),
    ("he's 2.5 kilos", ["Dog Harness"], {"Pet Size": ["XS"]}),
    ("harness for a 45 kg dog", [], {"Pet Size": ["XL"]}),
    ("road bike for me, i'm 180cm", [], {"Frame Height (cm)": ["54"]}),
])
def test_the_shopper_or_their_pet_measured_picks_the_size_the_guide_gives(vocab, text, context, expected):
    assert vocab.ground(text, context).include == expected


def test_the_frame_itself_measured_is_the_frame_value_not_the_guide(vocab):
    assert vocab.ground("a 56cm frame", ["Road Bike"]).include == {"Frame Height (cm)": ["56"]}


@pytest.mark.parametrize("text", ["and nothing with grain in it", "dog food without grain", "no grain please"])
def test_a_thing_ruled_out_is_the_yes_of_its_free_option(vocab, text):
    assert vocab.ground(text, ["Dog Food"]).include == {"Grain Free": ["yes"]}


def test_allergic_to_rules_the_thing_out(vocab):
    g = vocab.ground("a duvet, we're both allergic to feathers")
    assert g.types == ["Duvet"]
    assert g.exclude == {"Fill": ["Goose Down"]}


def test_the_shoppers_own_thing_is_not_a_second_product(vocab):
    assert vocab.ground("lock thats hard to cut, i leave the bike outside the station").types == ["Bike Lock"]
    assert vocab.ground("a lock for my road bike").types == ["Bike Lock"]
    assert set(vocab.ground("a lock and the lights").types) == {"Bike Lock", "Bike Light Set"}


def test_the_noun_before_a_generic_head_names_the_type(vocab):
    assert vocab.ground("lights that charge by usb").types == ["Bike Light Set"]
    assert vocab.ground("bike lights").types == ["Bike Light Set"]
    # "bike" is the head of the bikes, so it does not also mean the light set
    assert "Bike Light Set" not in vocab.ground("a bike for my commute").types


def test_a_type_word_used_as_an_adjective_is_not_that_type(vocab):
    assert vocab.ground("a light jacket for cycling").types == ["Cycling Jacket"]
    assert "Bike Light Set" not in vocab.ground("carbon please, something light for climbing", ["Road Bike"]).types
    assert vocab.ground("how much does it weigh", ["Road Bike"]).types == []


def test_how_you_travel_is_not_what_you_buy(vocab):
    assert vocab.ground("whats the best route to brighton by bike").types == []


def test_withstanding_something_is_wanted_not_negated(vocab):
    g = vocab.ground("lights that wont die in the rain")
    assert g.exclude == {}


@pytest.mark.parametrize(("text", "age"), [("bike for my 8 year old", "6-8"), ("a bike for a 5 yo", "4-6")])
def test_a_childs_age_picks_the_age_range_and_so_the_kids_bikes(vocab, text, age):
    g = vocab.ground(text)
    assert g.types == ["Kids Bike"]
    assert g.include == {"Age Range": [age]}


def test_charging_by_usb_is_rechargeable(vocab):
    assert vocab.ground("lights that charge by usb").include == {"Rechargeable": ["yes"]}
