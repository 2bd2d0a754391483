"""Conversation suite and real-style messages: how Aisle holds up with shoppers' own words.

1. The conversation suite (``data/eval/conversations``, format in FORMAT.md): multi-turn
   conversations on the demo store and on a catalogue the project never saw
   (``data/eval/catalogs/homegarden``), every turn checked against the store's data.
   Pass rates per failure kind, for the dev files and the held-out test files.
2. Real-style single messages, never used for training: ``data/eval/dev/real_messages_dev.tsv``
   (read while building) and ``data/eval/real_messages.tsv`` (held out):
   the dialogue model's intent accuracy, and the route the whole pipeline takes on each
   message as the first turn of a new conversation (shopping / service / conversation /
   out-of-scope), with out-of-scope recall.

Usage: python benchmarks/conversations.py [--home H] [--out benchmarks/results/conversations.json] [--no-suite]
``--home`` names a home whose live dialogue model is used (default: train the default model
into a temporary home, about 4 minutes on a 2-core CPU).
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from assistant.dialogue.suite import ROUTES, SUITE_DIR, load_conversations, run_suite, store_home
from assistant.nlu.labels import SERVICE_INTENTS
from assistant.settings import DATA_DIR, Settings

SHOPPING_INTENTS = {"search_products", "recommend", "compare_products", "product_question"}
CONVERSATION_INTENTS = {"greeting", "goodbye", "thanks", "affirm", "deny", "provide_info"}
PIPELINE_ROUTE = {"shopping": "shopping", "cart": "shopping", "service": "service", "policy": "service",
                  "handoff": "service", "capability": "conversation", "smalltalk": "conversation",
                  "out_of_scope": "out_of_scope", "clarify": "clarify"}  # fmt: skip


def intent_route(intent: str) -> str:
    if intent in SHOPPING_INTENTS:
        return "shopping"
    if intent in SERVICE_INTENTS:
        return "service"
    if intent in CONVERSATION_INTENTS:
        return "conversation"
    return "out_of_scope"


def real_messages(model, root: Path, path: Path) -> dict:
    from assistant.service import Assistant

    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t"))
    texts = [r["text"] for r in rows]
    preds = model.predict(texts)
    bot = Assistant(store_home("demo", root), model=model)
    per_route: dict[str, Counter] = defaultdict(Counter)
    intent_ok = Counter()
    service_ok = service_n = 0
    for row, u in zip(rows, preds, strict=True):
        gold = row["route"]
        out = bot.turn(row["text"], uuid.uuid4().hex)
        route = PIPELINE_ROUTE.get(ROUTES.get(out.action, out.action), "clarify")
        per_route[gold][route] += 1
        per_route[gold]["_model_" + intent_route(u.intent)] += 1
        intent_ok[gold] += int(u.intent == row["intent"])
        if gold == "service":
            service_n += 1
            service_ok += int(u.intent == row["intent"])
    out = {"messages": len(rows), "per_route": {}}
    for gold, counts in sorted(per_route.items()):
        n = sum(v for k, v in counts.items() if not k.startswith("_model_"))
        out["per_route"][gold] = {
            "n": n,
            "pipeline_route_accuracy": round(counts[gold] / n, 4),
            "model_route_accuracy": round(counts["_model_" + gold] / n, 4),
            "intent_accuracy": round(intent_ok[gold] / n, 4),
            "pipeline_routes": {k: v for k, v in counts.items() if not k.startswith("_model_")},
        }
    out["service_intent_accuracy"] = round(service_ok / max(1, service_n), 4)
    out["out_of_scope_recall"] = out["per_route"].get("out_of_scope", {}).get("pipeline_route_accuracy")
    out["shopping_routing"] = out["per_route"].get("shopping", {}).get("pipeline_route_accuracy")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/conversations.json"))
    parser.add_argument("--no-suite", action="store_true",
                        help="only the real-style message sets (a few minutes instead of half an hour)")
    args = parser.parse_args()
    from assistant.nlu import registry, training

    if args.home is None:
        args.home = Path(tempfile.mkdtemp(prefix="aisle-bench-home-"))
        training.ensure_default_model(Settings(home=args.home), progress=True)
    model = registry.load_live_model(Settings(home=args.home))
    root = Path(tempfile.mkdtemp(prefix="aisle-bench-suite-"))
    report: dict = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(), "suite": {}}
    for split in () if args.no_suite else ("dev", "test"):
        files = sorted(SUITE_DIR.glob(f"*_{split}.jsonl"))
        start = time.perf_counter()
        result = run_suite(load_conversations(files), root=root, model=model)
        summary = result.summary()
        summary["seconds"] = round(time.perf_counter() - start, 1)
        summary["files"] = [f.name for f in files]
        report["suite"][split] = summary
        print(f"suite {split}: {summary['passed']}/{summary['checks']} checks ({summary['pass_rate']:.1%}), "
              f"{summary['conversations_passed']}/{summary['conversations']} conversations")
        for kind, v in summary["per_kind"].items():
            print(f"  {kind:12s} checks {v['pass_rate']:.1%}  conversations {v['conversations_passed']}/{v['conversations']}")
    sets = {"real_messages_dev": DATA_DIR / "eval" / "dev" / "real_messages_dev.tsv",
            "real_messages": DATA_DIR / "eval" / "real_messages.tsv"}
    for key, path in sets.items():
        report[key] = rm = real_messages(model, root, path)
        print(f"{key} ({rm['messages']}): shopping routing {rm['shopping_routing']}, out-of-scope recall "
              f"{rm['out_of_scope_recall']}, service intent accuracy {rm['service_intent_accuracy']}")
        for gold, v in rm["per_route"].items():
            print(f"  {gold:13s} n={v['n']:3d} pipeline {v['pipeline_route_accuracy']:.3f} model "
                  f"{v['model_route_accuracy']:.3f} intent {v['intent_accuracy']:.3f} {v['pipeline_routes']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
