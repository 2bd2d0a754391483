"""``Filters.accepts`` is the one filter rule; ``ProductTable.mask`` must agree with it everywhere."""

from __future__ import annotations

import random

from retrieval.table import ProductRecord, ProductTable
from retrieval.types import Filters

COLOURS = ["black", "blue", "red"]
CATS = ["Lamp", "Mug", "Kettle"]


def records(n: int, rng: random.Random) -> list[ProductRecord]:
    out = []
    for i in range(n):
        attrs = {"color": rng.choice(COLOURS)}
        if rng.random() < 0.5:
            attrs["waterproof"] = rng.random() < 0.5  # booleans read as yes/no
        out.append(ProductRecord(id=f"p{i}", title=f"t{i}", category=rng.choice(CATS), brand=rng.choice(["A", "B", None]),
                                 price=round(rng.uniform(5, 100), 2), available=rng.random() < 0.8, attributes=attrs))
    return out


def random_filters(rng: random.Random) -> Filters:
    pick = lambda xs: tuple(rng.sample(xs, rng.randint(0, min(2, len(xs)))))  # noqa: E731
    return Filters(
        min_price=rng.choice([None, 20.0]), max_price=rng.choice([None, 60.0]), categories=pick(CATS),
        exclude_categories=pick(CATS), brands=pick(["A", "B"]), exclude_brands=pick(["A"]),
        options=tuple((k, v) for k, v in [("color", pick(COLOURS))] if v),
        exclude_options=tuple((k, v) for k, v in [("color", pick(COLOURS)), ("waterproof", pick(["yes", "no"]))] if v),
        exclude_ids=tuple(rng.sample([f"p{i}" for i in range(60)], 3)), available_only=rng.random() < 0.5,
    )


def test_mask_agrees_with_accepts_on_random_filters():
    rng = random.Random(7)
    recs = records(60, rng)
    table = ProductTable.from_records(recs)
    for _ in range(300):
        f = random_filters(rng)
        mask = table.mask(f)
        assert [bool(mask[i]) for i in range(len(recs))] == [f.accepts(r) for r in recs], f


def test_hand_written_example():
    lamp = {"id": "x", "price": 30.0, "category": "Lamp", "brand": "A", "available": True,
            "attributes": {"Color": "Black", "waterproof": True}}
    assert Filters(exclude_options=(("color", ("black",)),)).violation(lamp) is not None
    assert Filters(options=(("waterproof", ("yes",)),)).accepts(lamp)
    assert not Filters(exclude_categories=("lamp",)).accepts(lamp)
    assert Filters(max_price=30.0, categories=("LAMP",)).accepts(lamp)
