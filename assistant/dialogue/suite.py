"""The conversation suite: multi-turn shopper conversations checked against the store's data.

Format: ``data/eval/conversations/FORMAT.md``. Each store gets its own home (the demo
store, or a catalogue under ``data/eval/catalogs/NAME`` imported with its own column
map); every turn goes through ``Assistant.turn`` and each expectation key is one check.
``run_suite`` returns per-check results; ``summary`` the pass rates per failure kind.
"""

from __future__ import annotations

import json
import logging
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.resources import POLICY_PATH
from assistant.settings import DATA_DIR, Settings

logger = logging.getLogger(__name__)

SUITE_DIR = DATA_DIR / "eval" / "conversations"
CATALOG_DIR = DATA_DIR / "eval" / "catalogs"
ROUTES = {
    "search": "shopping", "recommend": "shopping", "compare": "shopping", "product_question": "shopping",
    "accept_offer": "shopping", "cart": "cart", "service_tool": "service", "ask_auth": "service",
    "confirm": "service", "service": "service", "complaint": "service", "unsupported": "service",
    "policy_answer": "policy", "handoff": "handoff", "capability": "capability", "smalltalk": "smalltalk",
    "out_of_scope": "out_of_scope", "clarify": "clarify", "refuse": "out_of_scope",
    "waiting_for_agent": "handoff",
}  # fmt: skip


@dataclass
class Check:
    conversation: str
    kind: str
    turn: int
    key: str
    ok: bool
    detail: str = ""


@dataclass
class SuiteResult:
    checks: list[Check] = field(default_factory=list)
    conversations: dict[str, bool] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_kind: dict[str, list[bool]] = defaultdict(list)
        conv_kind: dict[str, list[bool]] = defaultdict(list)
        for c in self.checks:
            by_kind[c.kind].append(c.ok)
        kinds = {c.conversation: c.kind for c in self.checks}
        for cid, ok in self.conversations.items():
            conv_kind[kinds.get(cid, "?")].append(ok)
        total = [c.ok for c in self.checks]
        return {
            "checks": len(total), "passed": sum(total), "pass_rate": round(sum(total) / max(1, len(total)), 4),
            "conversations": len(self.conversations),
            "conversations_passed": sum(self.conversations.values()),
            "per_kind": {k: {"checks": len(v), "pass_rate": round(sum(v) / len(v), 4),
                             "conversations": len(conv_kind[k]), "conversations_passed": sum(conv_kind[k])}
                         for k, v in sorted(by_kind.items())},
        }  # fmt: skip


def load_conversations(paths: list[Path]) -> list[dict[str, Any]]:
    out = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def store_home(store: str, root: Path, settings_kw: dict[str, Any] | None = None) -> Settings:
    """A home holding ``store`` ("demo" or a folder of ``data/eval/catalogs``), set up once."""
    from assistant.store.db import get_engine, session_scope
    from assistant.store.demo import POLICY_ID, _upsert_policy, import_demo_store
    from assistant.store.migrate import upgrade
    from retrieval.catalog.importer import import_catalog
    from retrieval.indexing import build_indexes

    home = Path(root) / store
    # The suites test dialogue, not verification: their shoppers verify by email alone, so
    # they run with AISLE_VERIFY=identity (code mode is tested in tests/assistant/dialogue/test_verification.py).
    settings = Settings(home=home, **{"verify": "identity", **(settings_kw or {})})
    marker = home / ".suite-ready"
    if marker.exists():
        return settings
    settings.ensure_home()
    engine = get_engine(settings.db_url)
    upgrade(engine=engine)
    with session_scope(engine) as session:
        if store == "demo":
            import_demo_store(session)
        else:
            spec = json.loads((CATALOG_DIR / store / "import.json").read_text())
            report = import_catalog(CATALOG_DIR / store / spec["csv"], mapping=spec["map"], session=session)
            if report.rejected:
                raise ValueError(f"catalogue {store}: rejected rows {report.rejected[:3]}")
            from assistant.store.models import Document

            if session.get(Document, POLICY_ID) is None:
                _upsert_policy(session, POLICY_PATH)
    build_indexes(settings, progress=False)
    marker.write_text("ok")
    return settings


def _low(x: Any) -> str:
    return str(x).strip().lower()


def check_turn(expect: dict[str, Any], result: Any, previous_list: list[dict[str, Any]] | None) -> list[tuple[str, bool, str]]:
    """(key, ok, detail) for every expectation of one turn (FORMAT.md)."""
    out: list[tuple[str, bool, str]] = []
    products = list(result.products or [])
    reply = _low(result.reply)
    route = ROUTES.get(result.action, result.action)
    for key, want in expect.items():
        ok, detail = True, ""
        if key == "route":
            allowed = [want] if isinstance(want, str) else list(want)
            ok, detail = route in allowed, f"route {route} ({result.action})"
        elif key == "types":
            bad = [p.get("category") for p in products if _low(p.get("category")) not in {_low(t) for t in want}]
            ok, detail = not bad, f"categories {[p.get('category') for p in products]}"
        elif key == "not_types":
            bad = [p.get("category") for p in products if _low(p.get("category")) in {_low(t) for t in want}]
            ok, detail = not bad, f"categories {[p.get('category') for p in products]}"
        elif key == "types_min_distinct":
            n = len({_low(p.get("category")) for p in products})
            ok, detail = n >= int(want), f"{n} distinct types"
        elif key == "price_max":
            ok = all(float(p["price"]) <= float(want) + 1e-9 for p in products)
            detail = f"prices {[p['price'] for p in products]}"
        elif key == "price_min":
            ok = all(float(p["price"]) >= float(want) - 1e-9 for p in products)
            detail = f"prices {[p['price'] for p in products]}"
        elif key in ("options", "not_options"):
            for name, values in want.items():
                vals = {_low(v) for v in values}
                for p in products:
                    opts = {_low(k): _low(v) for k, v in (p.get("options") or {}).items()}
                    has = opts.get(_low(name)) in vals
                    if (key == "options") != has:
                        ok = False
                        detail = f"{p.get('title')} {name}={opts.get(_low(name))}"
        elif key == "min_products":
            ok, detail = len(products) >= int(want), f"{len(products)} products"
        elif key == "max_products":
            ok, detail = len(products) <= int(want), f"{len(products)} products"
        elif key == "n_products":
            ok, detail = len(products) == int(want), f"{len(products)} products"
        elif key == "none":
            ok = (not products) == bool(want) and bool(reply)
            detail = f"{len(products)} products"
        elif key == "sorted_by_price":
            prices = [float(p["price"]) for p in products]
            ok = prices == sorted(prices, reverse=want == "desc") and bool(prices)
            detail = f"prices {prices}"
        elif key == "refers_to":
            if not previous_list:
                ok, detail = False, "no earlier list"
            else:
                wanted = set()
                for pos in want:
                    if isinstance(pos, int) and 1 <= pos <= len(previous_list):
                        wanted.add(previous_list[pos - 1].get("product_id") or previous_list[pos - 1]["id"])
                    elif pos == "cheapest":
                        wanted.add(min(previous_list, key=lambda p: p["price"]).get("product_id"))
                    elif pos == "priciest":
                        wanted.add(max(previous_list, key=lambda p: p["price"]).get("product_id"))
                got = {p.get("product_id") or p["id"] for p in products}
                ok, detail = got == wanted, f"got {sorted(map(str, got))} want {sorted(map(str, wanted))}"
        elif key == "different_from_previous":
            prev = {p.get("product_id") for p in previous_list or []}
            ok = bool(want) == (not ({p.get("product_id") for p in products} & prev))
            detail = f"overlap {sorted(map(str, {p.get('product_id') for p in products} & prev))}"
        elif key == "reply_has":
            missing = [s for s in want if _low(s) not in reply]
            ok, detail = not missing, f"missing {missing}"
        elif key == "reply_has_any":
            ok, detail = any(_low(s) in reply for s in want), f"none of {want}"
        elif key == "reply_lacks":
            found = [s for s in want if _low(s) in reply]
            ok, detail = not found, f"has {found}"
        else:
            ok, detail = False, f"unknown key {key}"
        out.append((key, ok, detail))
    if len(products) >= 2:  # a list shows products, not variants of one; a comparison may set variants side by side
        key = "id" if result.action == "compare" else "product_id"
        pids = [p.get(key) or p["id"] for p in products]
        out.append(("distinct_products", len(set(pids)) == len(pids), f"{key}s {pids}"))
    return out


def run_suite(
    conversations: list[dict[str, Any]], *, root: Path | None = None, model: Any | None = None,
    settings_kw: dict[str, Any] | None = None, log: list[dict[str, Any]] | None = None,
) -> SuiteResult:
    """Run every conversation; one home per store under ``root`` (a temporary folder by default)."""
    from assistant.service import Assistant

    root = Path(root or tempfile.mkdtemp(prefix="aisle-suite-"))
    result = SuiteResult()
    assistants: dict[str, Assistant] = {}
    for conv in conversations:
        store = conv.get("store", "demo")
        if store not in assistants:
            assistants[store] = Assistant(store_home(store, root, settings_kw), model=model)
        bot = assistants[store]
        sid = uuid.uuid4().hex
        previous: list[dict[str, Any]] | None = None
        all_ok = True
        for i, turn in enumerate(conv["turns"]):
            out = bot.turn(turn["user"], sid)
            checks = check_turn(turn.get("expect", {}), out, previous)
            for key, ok, detail in checks:
                result.checks.append(Check(conv["id"], conv.get("kind", "?"), i, key, ok, detail))
                all_ok &= ok
            if log is not None:
                log.append({"id": conv["id"], "turn": i, "user": turn["user"], "action": out.action,
                            "reply": out.reply[:400], "products": [(p.get("title"), p.get("price"), p.get("options"))
                                                                 for p in out.products],
                            "failed": [(k, d) for k, ok, d in checks if not ok]})
            if len(out.products) >= 2:
                previous = list(out.products)
        result.conversations[conv["id"]] = all_ok
    return result
