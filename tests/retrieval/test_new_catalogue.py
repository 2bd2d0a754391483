"""Done-when: a never-seen outdoor-store CSV, imported with a column map, searched for real.

Uses the bundled all-MiniLM-L6-v2 (offline) so relevance is the real model's.
"""

from __future__ import annotations

import csv
import json

import pytest

from retrieval.types import Filters, RetrievalQuery

OUTDOOR_CSV = """\
SKU,Name,Blurb,Dept,Maker,Cost,InStock,Colour,Weight
T-100,Hubba Hubba 2-person tent,"Freestanding backpacking tent, 3 season",Tents,MSR,449.95,yes,green,1.5kg
T-101,Budget dome tent,Simple 2 person dome tent for festivals,Tents,Coleman,89.0,yes,blue,3.2kg
T-102,Family tunnel tent 6,Large tunnel tent for six people,Tents,Vango,399.0,no,grey,14kg
T-103,Ultralight trekking pole shelter,Single wall tent pitched with trekking poles,Tents,Zpacks,599.0,yes,olive,0.5kg
S-200,Down sleeping bag -5C,Warm goose down mummy bag for cold nights,Sleeping Bags,Rab,329.0,yes,red,1.1kg
S-201,Summer sleeping bag,Light synthetic bag for warm nights,Sleeping Bags,Vango,49.99,yes,blue,0.9kg
S-202,Self-inflating sleeping mat,"Insulated pad, R-value 4",Sleeping Mats,Therm-a-Rest,119.0,yes,orange,0.7kg
C-300,PocketRocket 2 stove,Compact canister stove that boils water in 3.5 minutes,Stoves,MSR,54.95,yes,silver,73g
C-301,Jetboil Flash cooking system,Integrated stove and pot for fast boiling,Stoves,Jetboil,129.95,yes,black,371g
C-302,Titanium cook pot 750ml,Pot and mug for trail meals,Cookware,Toaks,39.95,yes,grey,103g
C-303,Spork,Long titanium spoon-fork,Cookware,Sea to Summit,12.95,yes,grey,15g
L-400,Actik Core headlamp,Rechargeable 450 lumen head torch,Lighting,Petzl,69.95,yes,black,75g
L-401,Camping lantern,Battery LED lantern for the tent,Lighting,Black Diamond,49.95,yes,yellow,200g
B-500,Trail 25 daypack,25 litre hiking backpack with hip belt,Backpacks,Osprey,99.0,yes,blue,0.8kg
B-501,Expedition 70 backpack,70 litre pack for multi-day treks,Backpacks,Gregory,289.0,yes,black,2.1kg
J-600,Waterproof rain jacket,Gore-Tex shell jacket for storms,Jackets,Arc'teryx,450.0,yes,red,400g
J-601,Fleece mid-layer,Warm fleece pullover,Jackets,Patagonia,99.0,yes,navy,350g
W-700,Water filter squeeze,Filters water from streams and lakes,Water,Sawyer,39.0,yes,blue,85g
W-701,Insulated bottle 1L,Keeps drinks hot for 12 hours,Water,Hydro Flask,44.95,yes,white,430g
N-800,Compass with mirror,Baseplate compass for navigation,Navigation,Suunto,59.0,yes,black,60g
"""
ROWS = [(r[0], float(r[5])) for r in csv.reader(OUTDOOR_CSV.splitlines()[1:])]  # (id, price)
MAPPING = [
    "id=SKU",
    "title=Name",
    "description=Blurb",
    "category=Dept",
    "brand=Maker",
    "price=Cost",
    "available=InStock",
]


@pytest.fixture()
def outdoor_store(engine, tmp_path):
    from retrieval.catalog.importer import import_catalog
    from retrieval.indexing import build_indexes

    path = tmp_path / "outdoor.csv"
    path.write_text(OUTDOOR_CSV)
    report = import_catalog(path, mapping=MAPPING)
    assert report.to_dict()["imported"] == len(ROWS) and not report.rejected
    build_indexes(progress=False)
    return path


_SERVICES: dict = {}


def _search(text, k=5, **filters):
    """Search with one service per test home (loading the index once, like the assistant)."""
    from assistant.settings import get_settings
    from retrieval.service import SearchService

    home = get_settings().home
    service = _SERVICES.get(home) or _SERVICES.setdefault(home, SearchService())
    return service.search(RetrievalQuery(text, Filters(**filters), k))


@pytest.mark.slow
def test_plain_and_natural_language_queries(outdoor_store, minilm):
    cases = {
        "tent": ("Tents",),
        "sleeping bag": ("Sleeping Bags",),
        "headlamp": ("Lighting",),
        "something to keep me warm at night when camping in the cold": ("Sleeping Bags",),
        "I want to boil water and cook dinner on the trail": ("Stoves", "Cookware"),
        "how do I make stream water safe to drink": ("Water",),
        "a bag to carry my stuff on a day hike": ("Backpacks",),
        "find my way in the mountains": ("Navigation",),
    }
    for query, category in cases.items():
        got = _search(query, k=3)
        assert got[0].category in category, (query, [c.title for c in got])
    # brand, model number, rare word
    assert _search("Petzl", k=1)[0].id == "L-400"
    assert _search("pocketrocket 2", k=1)[0].id == "C-300"
    assert _search("spork", k=1)[0].id == "C-303"
    # the unmapped Colour column became a filterable attribute
    got = _search("tent", k=10, options=(("colour", ("GREEN",)),))
    assert [c.id for c in got] == ["T-100"]


@pytest.mark.slow
def test_price_ceilings_are_never_broken(outdoor_store, minilm):
    for query in [
        "tent",
        "a tent for two people",
        "sleeping bag",
        "stove",
        "warm jacket",
        "camping gear",
    ]:
        for ceiling in (20, 60, 100, 300):
            got = _search(query, k=10, max_price=ceiling)
            assert all(c.price <= ceiling for c in got), (query, ceiling)
            cheaper = [pid for pid, price in ROWS if price <= ceiling]
            assert len(got) == min(10, len(cheaper))
    assert _search("tent", k=3, max_price=100)[0].id == "T-101"
    assert _search("a cheap sleeping bag", k=3, max_price=60)[0].id == "S-201"
    got = _search("tent", k=5, max_price=10)
    assert got == []  # nothing that cheap: zero results is the honest answer


@pytest.mark.slow
def test_cli_search_json_shape(outdoor_store, minilm, capsys):
    from assistant.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["search", "tent", "--k", "3", "--max-price", "450", "--category", "Tents", "--json"])
    assert exit_info.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"query", "filters", "results"}
    assert out["query"] == "tent" and out["filters"] == {"max_price": 450.0, "category": ["Tents"]}
    assert len(out["results"]) == 3
    for r in out["results"]:
        # DESIGN.md's fields, extended with the product view (one product per row here)
        assert set(r) == {"id", "title", "category", "brand", "price", "available", "score",
                          "product_id", "options", "price_range", "option_values", "currency"}
        assert r["price_range"] == [r["price"], r["price"]] and r["product_id"] == r["id"]
        assert r["category"] == "Tents" and r["price"] <= 450.0
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "tent", "--min-price", "50", "--max-price", "10"])
    assert exit_info.value.code == 2


@pytest.mark.slow
def test_cli_stale_index_exits_2_with_hint(outdoor_store, minilm, capsys):
    from assistant.cli import main
    from retrieval.catalog.importer import import_catalog

    with open(outdoor_store, "a") as f:
        f.write("X-900,Bivvy bag,Emergency shelter,Tents,SOL,19.0,yes,orange,100g\n")
    import_catalog(outdoor_store, mapping=MAPPING)
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "tent", "--json"])
    assert exit_info.value.code == 2
    assert "aisle index build" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["index", "build", "--json"])
    assert exit_info.value.code == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "emergency shelter", "--k", "1", "--json"])
    assert json.loads(capsys.readouterr().out)["results"][0]["id"] == "X-900"


@pytest.mark.slow
def test_cli_eval_search(outdoor_store, minilm, capsys, tmp_path):
    from assistant.cli import main

    qrels = tmp_path / "qrels.csv"
    qrels.write_text("query,id,grade\ntent,T-101,2\ntent,T-100,2\nspork,C-303,2\nheadlamp,L-400,2\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "search", "--qrels", str(qrels), "--k", "5"])
    assert exit_info.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"queries", "ndcg@10", "recall@5", "mrr"} and out["queries"] == 3
    assert out["mrr"] == 1.0 and out["recall@5"] == 1.0  # every labelled product is found first
