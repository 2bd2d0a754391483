"""Words the generator draws from: the catalogue (tau2 db.json) plus hand-made fillers."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

_SKIP_OPTION_VALUES = {"none", "no", "yes", "not resistant"}


@dataclass(frozen=True)
class Vocab:
    products: dict[str, tuple[str, ...]]  # catalogue product name -> phrasings
    extra_products: tuple[str, ...]
    colors: tuple[str, ...]
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    options: dict[str, str]  # option value -> option name (non colour/size/material/brand)
    brands: tuple[str, ...]
    categories: tuple[str, ...]
    needs: tuple[str, ...]
    users: tuple[tuple[str, str, str, str], ...]  # first, last, zip, email
    order_ids: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    email_domains: tuple[str, ...]

    def option_names(self) -> dict[str, str]:
        return dict(self.options)


def load_vocab(catalog_path: Path, fillers_path: Path) -> Vocab:
    """Read product types and option values from the tau2 ``db.json`` and the fillers file."""
    db = json.loads(catalog_path.read_text())
    fillers = json.loads(fillers_path.read_text())
    by_name: dict[str, set[str]] = defaultdict(set)
    for product in db["products"].values():
        for variant in product["variants"].values():
            for name, value in variant["options"].items():
                by_name[name].add(str(value))
    synonyms = fillers["product_synonyms"]
    products = {
        p["name"]: tuple(synonyms.get(p["name"], [p["name"].lower()]))
        for p in db["products"].values()
    }
    options = {}
    for name, values in sorted(by_name.items()):
        if name in {"color", "size", "material", "brand"}:
            continue
        for value in sorted(values):
            if value.lower() not in _SKIP_OPTION_VALUES and not value.isdigit():
                options.setdefault(value, name)
    users = tuple(
        (u["name"]["first_name"], u["name"]["last_name"], u["address"]["zip"], u["email"])
        for u in list(db["users"].values())[:300]
    )
    return Vocab(
        products=products,
        extra_products=tuple(fillers["extra_products"]),
        colors=tuple(sorted(by_name["color"] - {"RGB"})) + tuple(fillers["extra_colors"]),
        materials=tuple(sorted(by_name["material"])) + tuple(fillers["extra_materials"]),
        sizes=tuple(sorted(by_name["size"])) + tuple(fillers["extra_sizes"]),
        options=options,
        brands=tuple(fillers["brands"]),
        categories=tuple(fillers["categories"]),
        needs=tuple(fillers["needs"]),
        users=users,
        order_ids=tuple(sorted(db["orders"]))[:400],
        first_names=tuple(fillers["first_names"]),
        last_names=tuple(fillers["last_names"]),
        email_domains=tuple(fillers["email_domains"]),
    )
