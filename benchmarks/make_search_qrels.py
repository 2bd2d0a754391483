"""Write ``data/eval/search_qrels.csv``: labelled demo-store queries with graded product ids.

Grades come from ``retrieval.eval.grade_products`` (see its docstring): each query
below names the product types it asks for (2 = asked for, 1 = substitute) and the
option values it names; a variant with every named option gets the base grade,
one that differs gets one less. Run: ``python benchmarks/make_search_qrels.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.eval import LabelledQuery as Q  # noqa: E402
from retrieval.eval import tau2_products, write_qrels_csv  # noqa: E402

QUERIES = [
    # plain product-type queries
    Q("laptop", {"Laptop": 2}),
    Q("wireless earbuds", {"Wireless Earbuds": 2, "Headphones": 1}),
    Q("yoga mat", {"Yoga Mat": 2}),
    Q("office chair", {"Office Chair": 2}),
    Q("bluetooth speaker", {"Bluetooth Speaker": 2}),
    Q("espresso machine", {"Espresso Machine": 2, "Coffee Maker": 1}),
    Q("mechanical keyboard", {"Mechanical Keyboard": 2}),
    Q("e-reader", {"E-Reader": 2, "Tablet": 1}),
    Q("jigsaw puzzle", {"Jigsaw Puzzle": 2}),
    Q("garden hose", {"Garden Hose": 2}),
    # type + options
    Q("blue cotton t-shirt", {"T-Shirt": 2}, {"color": "blue", "material": "cotton"}),
    Q("waterproof hiking boots", {"Hiking Boots": 2, "Running Shoes": 1}, {"waterproof": "yes"}),
    Q("laptop with 32GB ram", {"Laptop": 2}, {"ram": "32GB"}),
    Q("i9 laptop", {"Laptop": 2}, {"processor": "i9"}),
    Q("rose gold smartphone", {"Smartphone": 2}, {"color": "rose gold"}),
    Q("stainless steel water bottle", {"Water Bottle": 2}, {"material": "stainless steel"}),
    Q("polarized sunglasses", {"Sunglasses": 2}, {"lens type": "polarized"}),
    Q("4K action camera", {"Action Camera": 2, "Digital Camera": 1}, {"resolution": "4K"}),
    Q("wireless gaming mouse", {"Gaming Mouse": 2}, {"connectivity": "wireless"}),
    Q("robotic vacuum cleaner", {"Vacuum Cleaner": 2}, {"type": "robotic"}),
    Q("gas grill", {"Grill": 2}, {"type": "gas"}),
    Q("memory foam pet bed", {"Pet Bed": 2}, {"material": "memory foam"}),
    Q("over-ear headphones", {"Headphones": 2, "Wireless Earbuds": 1}, {"type": "over-ear"}),
    Q("hepa air purifier", {"Air Purifier": 2}, {"filter type": "HEPA"}),
    Q("mountain bike", {"Bicycle": 2}, {"type": "mountain"}),
    Q(
        "smart thermostat that works with alexa",
        {"Smart Thermostat": 2},
        {"compatibility": "Amazon Alexa"},
    ),
    Q("20000mAh power bank", {"Portable Charger": 2}, {"capacity": "20000mAh"}),
    Q("adjustable dumbbells", {"Dumbbell Set": 2}, {"set type": "adjustable"}),
    Q("woody perfume for men", {"Perfume": 2}, {"scent family": "woody", "gender": "men"}),
    Q(
        "1000 piece landscape puzzle",
        {"Jigsaw Puzzle": 2},
        {"pieces": "1000", "theme": "landscape"},
    ),
    # natural language, synonyms, needs
    Q(
        "something to make coffee in the morning",
        {"Coffee Maker": 2, "Espresso Machine": 2, "Electric Kettle": 1},
    ),
    Q(
        "I need a bag for school with a laptop compartment",
        {"Backpack": 2, "Luggage Set": 1},
        {"compartment": "laptop"},
    ),
    Q("shoes for jogging", {"Running Shoes": 2, "Sneakers": 1}),
    Q("keep track of my fitness on my wrist", {"Smart Watch": 2, "Wristwatch": 1}),
    Q("boil water for tea", {"Electric Kettle": 2, "Tea Kettle": 2}),
    Q("protect my head while riding my bike", {"Cycling Helmet": 2}),
    Q("a warm jacket for autumn", {"Fleece Jacket": 2}),
    Q("watch my home while I'm away", {"Indoor Security Camera": 2}),
    Q("suitcases for a long trip", {"Luggage Set": 2, "Backpack": 1}),
    Q("shade for the patio", {"Patio Umbrella": 2}),
    Q("read books on the go", {"E-Reader": 2, "Tablet": 1}),
    Q("a place for my dog to sleep", {"Pet Bed": 2}),
    Q("energy saving smart light", {"LED Light Bulb": 2, "Desk Lamp": 1}),
    Q("brush my teeth", {"Electric Toothbrush": 2}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "assistant/resources/tau2_retail/db.json")
    parser.add_argument("--out", type=Path, default=ROOT / "data/eval/search_qrels.csv")
    args = parser.parse_args()
    rows = write_qrels_csv(QUERIES, tau2_products(args.db), args.out)
    print(f"wrote {rows} judgements for {len(QUERIES)} queries to {args.out}")


if __name__ == "__main__":
    main()
