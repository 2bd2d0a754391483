"""Validate the cyclestore conversation suite against this catalogue.

    python data/eval/catalogs/cyclestore/check.py [FILE ...]

Default files: data/eval/conversations/cyclestore_dev.jsonl and cyclestore_test.jsonl.
Checks: every line parses; only the keys data/eval/conversations/FORMAT.md defines; ids
``cyc-<kind>-NNN`` in dev files and ``cyct-<kind>-NNN`` in ``*_test`` files (unique, kind
matching); no first message repeated across the files; 2-5 turns; ``types``/``not_types`` are
``Kind`` values; every option name in ``options``/``not_options`` is a column filled
for one of the turn's types, and every value is one that column holds for those types;
a turn that expects products (no ``none``, no ``refers_to``) can be met by in-stock
variants of the catalogue; ``price_min``/``price_max`` are non-negative numbers, min <= max.
Prints counts per kind; exit status 1 on any problem.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONV_DIR = HERE.parents[1] / "conversations"
BASE = {"Article No", "Model Family", "Title", "Spec Notes", "Kind", "Manufacturer", "Price (EUR)",
        "Stock Status"}
KINDS = {"refinement", "negation", "vocabulary", "questions", "lists", "numbers", "routing"}
ROUTES = {"shopping", "cart", "service", "policy", "handoff", "capability", "smalltalk",
          "out_of_scope", "clarify"}
TOP_KEYS = {"id", "store", "kind", "note", "turns"}
TURN_KEYS = {"user", "expect"}
EXPECT_KEYS = {"route", "types", "not_types", "types_min_distinct", "price_max", "price_min",
               "options", "not_options", "min_products", "max_products", "n_products", "none",
               "sorted_by_price", "refers_to", "different_from_previous", "reply_has",
               "reply_has_any", "reply_lacks"}


def load_catalog(path: Path = HERE / "catalog.csv") -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def price(row: dict[str, str]) -> float:
    """``1.299,00 €`` -> 1299.0 (dots group thousands, the comma is the decimal mark)."""
    return float(row["Price (EUR)"].replace("€", "").strip().replace(".", "").replace(",", "."))


def matching_products(rows, types=None, options=None, not_options=None,
                      price_min=None, price_max=None) -> set[str]:
    """Model Families with at least one in-stock variant meeting every constraint."""
    low = lambda vs: {str(v).lower() for v in vs}  # noqa: E731
    out = set()
    for r in rows:
        if r["Stock Status"].strip().lower() != "available":
            continue
        if types and r["Kind"] not in types:
            continue
        if price_min is not None and price(r) < price_min:
            continue
        if price_max is not None and price(r) > price_max:
            continue
        if options and any(r.get(k, "").lower() not in low(v) for k, v in options.items()):
            continue
        if not_options and any(r.get(k, "").lower() in low(v) for k, v in not_options.items()):
            continue
        out.add(r["Model Family"])
    return out


def check_file(path: Path, rows, seen_ids: set[str], seen_openers: dict[str, str]) -> tuple[list[str], Counter]:
    problems: list[str] = []
    kinds: Counter = Counter()
    departments = {r["Kind"] for r in rows}
    opt_cols = [c for c in rows[0] if c not in BASE]

    def values_for(name: str, types) -> set[str]:
        return {r[name].lower() for r in rows
                if r.get(name) and (not types or r["Kind"] in types)}

    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{lineno}"
        if not line.strip():
            problems.append(f"{where}: blank line")
            continue
        try:
            conv = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(f"{where}: not JSON ({err})")
            continue
        extra = set(conv) - TOP_KEYS
        if extra or set(conv) < {"id", "store", "kind", "turns"}:
            problems.append(f"{where}: top-level keys {sorted(conv)}")
        cid, kind = conv.get("id", "?"), conv.get("kind")
        where = f"{path.name}:{lineno} {cid}"
        if kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}")
        kinds[kind] += 1
        prefix = "cyct" if path.stem.endswith("_test") else r"cyc\d?"
        if not re.fullmatch(rf"{prefix}-{kind}-\d{{3}}", str(cid)):
            problems.append(f"{where}: id does not read {prefix.replace(chr(92) + 'd?', '')}-{kind}-NNN")
        if cid in seen_ids:
            problems.append(f"{where}: duplicate id")
        seen_ids.add(cid)
        if conv.get("store") != "cyclestore":
            problems.append(f"{where}: store is {conv.get('store')!r}")
        turns = conv.get("turns") or []
        opener = str((turns[0] if turns else {}).get("user", "")).strip().lower()
        if opener in seen_openers:
            problems.append(f"{where}: opens like {seen_openers[opener]}")
        seen_openers.setdefault(opener, str(cid))
        if not 2 <= len(turns) <= 5:
            problems.append(f"{where}: {len(turns)} turns")
        for t_no, turn in enumerate(turns, 1):
            tw = f"{where} turn {t_no}"
            if set(turn) - TURN_KEYS or not isinstance(turn.get("user"), str) or not turn["user"].strip():
                problems.append(f"{tw}: turn keys {sorted(turn)}")
            exp = turn.get("expect", {})
            bad = set(exp) - EXPECT_KEYS
            if bad:
                problems.append(f"{tw}: unknown expect keys {sorted(bad)}")
            route = exp.get("route")
            for r in ([route] if isinstance(route, str) else route or []):
                if r not in ROUTES:
                    problems.append(f"{tw}: unknown route {r!r}")
            for key in ("types", "not_types"):
                for t in exp.get(key, []):
                    if t not in departments:
                        problems.append(f"{tw}: {key} {t!r} is not a Kind value")
            types = exp.get("types")
            for key in ("options", "not_options"):
                for name, vals in exp.get(key, {}).items():
                    if name not in opt_cols:
                        problems.append(f"{tw}: {key} name {name!r} is not an option column")
                        continue
                    known = values_for(name, types)
                    if not known:
                        problems.append(f"{tw}: {key} {name!r} is empty for types {types}")
                    for v in vals:
                        if str(v).lower() not in known:
                            problems.append(f"{tw}: {key} {name}={v!r} not in the CSV for {types}")
            bounds = [exp.get(k) for k in ("price_min", "price_max")]
            for k, v in zip(("price_min", "price_max"), bounds, strict=True):
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                    problems.append(f"{tw}: {k} must be a non-negative number")
            if all(isinstance(v, (int, float)) for v in bounds) and bounds[0] > bounds[1]:
                problems.append(f"{tw}: price_min exceeds price_max")
            if "types_min_distinct" in exp and types and exp["types_min_distinct"] > len(types):
                problems.append(f"{tw}: types_min_distinct exceeds the types listed")
            if exp.get("sorted_by_price") not in (None, "asc", "desc"):
                problems.append(f"{tw}: sorted_by_price must be asc or desc")
            refs = exp.get("refers_to")
            if refs is not None and not (isinstance(refs, list) and refs
                                         and all(isinstance(i, int) and i >= 1 for i in refs)):
                problems.append(f"{tw}: refers_to must be a list of 1-based positions")
            if exp.get("none") is True and any(k in exp for k in ("min_products", "n_products", "refers_to")):
                problems.append(f"{tw}: none together with products expected")
            for key in ("reply_has", "reply_has_any", "reply_lacks"):
                if key in exp and not (isinstance(exp[key], list) and all(isinstance(s, str) for s in exp[key])):
                    problems.append(f"{tw}: {key} must be a list of strings")
            wants = exp.get("min_products", exp.get("n_products"))
            if wants and not exp.get("none") and "refers_to" not in exp:
                got = matching_products(rows, types, exp.get("options"), exp.get("not_options"),
                                        exp.get("price_min"), exp.get("price_max"))
                if len(got) < wants:
                    problems.append(f"{tw}: wants {wants} products, the catalogue has {sorted(got)}")
                tmd = exp.get("types_min_distinct")
                if tmd and len({r["Kind"] for r in rows if r["Model Family"] in got}) < tmd:
                    problems.append(f"{tw}: fewer than {tmd} types can be shown")
    return problems, kinds


def main(argv: list[str]) -> int:
    rows = load_catalog()
    files = [Path(a) for a in argv] or [CONV_DIR / "cyclestore_dev.jsonl", CONV_DIR / "cyclestore_test.jsonl"]
    seen: set[str] = set()
    openers: dict[str, str] = {}
    all_problems = []
    for path in files:
        problems, kinds = check_file(path, rows, seen, openers)
        all_problems += problems
        print(f"{path.name}: {sum(kinds.values())} conversations",
              ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    for p in all_problems:
        print("problem:", p)
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
