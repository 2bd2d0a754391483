"""The untuned bundled SmolLM2 (schema-constrained decoding) against the encoder, on held-out
real-style messages.

Messages: ``data/eval/real_messages.tsv``, the held-out set of ``benchmarks/conversations.py``
(never read while building; its dev twin ``data/eval/dev/real_messages_dev.tsv`` is not used
here), a fixed stratified sample of ``--limit`` messages (same share of each route as the file).
Each message is understood alone (first turn, no context), one at a time, as a turn would be.

Per model and thread count: intent accuracy, routing accuracy (the intent's family -- shopping,
service, conversation, out-of-scope -- against the gold route; the model's own route, not the
whole pipeline's), per-route figures, the share of outputs that parsed into the frame schema,
and latency per message (p50, p95, mean; the generative path after its one-time warm-up).

Usage: python benchmarks/llm_frame.py [--home H | --encoder DIR] [--limit 150] [--threads 1 2]
       [--few-shot 0 1] [--out benchmarks/results/llm_frame.json]
``--encoder`` names a saved dialogue model folder; ``--home`` a home whose live model is used;
neither: train the default model into a temporary home (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conversations import intent_route  # noqa: E402 - the conversation benchmark's route rule

from assistant.settings import DATA_DIR, Settings  # noqa: E402

HELD_OUT = DATA_DIR / "eval" / "real_messages.tsv"


def sample_rows(path: Path, limit: int, seed: int = 0) -> list[dict]:
    rows = list(csv.DictReader(open(path, encoding="utf-8"), delimiter="\t"))
    by_route: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_route[row["route"]].append(row)
    rng = random.Random(seed)
    out = []
    for _route, group in sorted(by_route.items()):
        take = round(limit * len(group) / len(rows))
        out += rng.sample(group, min(take, len(group)))
    rng.shuffle(out)
    return out[:limit]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def evaluate(predict, rows: list[dict]) -> dict:
    """``predict(text) -> Understanding`` on every row, one at a time."""
    latencies, intent_ok, route_ok = [], 0, 0
    per_route: dict[str, Counter] = defaultdict(Counter)
    by = Counter()
    for row in rows:
        start = time.perf_counter()
        u = predict(row["text"])
        latencies.append((time.perf_counter() - start) * 1000.0)
        gold = row["route"]
        hit_i, hit_r = u.intent == row["intent"], intent_route(u.intent) == gold
        intent_ok += hit_i
        route_ok += hit_r
        per_route[gold]["n"] += 1
        per_route[gold]["intent"] += hit_i
        per_route[gold]["route"] += hit_r
        by[u.understood_by] += 1
    n = len(rows)
    return {
        "messages": n,
        "intent_accuracy": round(intent_ok / n, 4),
        "routing_accuracy": round(route_ok / n, 4),
        "per_route": {
            g: {
                "n": c["n"],
                "intent_accuracy": round(c["intent"] / c["n"], 4),
                "routing_accuracy": round(c["route"] / c["n"], 4),
            }
            for g, c in sorted(per_route.items())
        },  # fmt: skip
        "understood_by": dict(by),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.5), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "mean": round(statistics.fmean(latencies), 1),
        },
    }


def load_encoder(args):
    from assistant.nlu import registry
    from assistant.nlu.model import DialogueModel

    if args.encoder:
        return DialogueModel.load(args.encoder)
    if args.home is None:
        from assistant.nlu import training

        args.home = Path(tempfile.mkdtemp(prefix="aisle-bench-home-"))
        training.ensure_default_model(Settings(home=args.home), progress=True)
    return registry.load_live_model(Settings(home=args.home))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--encoder", type=Path, default=None)
    parser.add_argument(
        "--llm", default=None, help="causal LM folder (default: the bundled SmolLM2)"
    )
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--few-shot",
        type=int,
        nargs="+",
        default=[0, 1],
        help="few-shot examples per intent in the cached prompt prefix (0 = none)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/llm_frame.json"))
    args = parser.parse_args()
    from assistant.llm.bundled import prepare_bundled
    from assistant.nlu.generative import GenerativeUnderstander, HFFrameBackend

    rows = sample_rows(HELD_OUT, args.limit)
    encoder = load_encoder(args)
    llm = args.llm or str(prepare_bundled(Path(tempfile.gettempdir()) / "aisle-bench-llm"))
    report: dict = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpu_count": os.cpu_count(),
        "messages_file": str(HELD_OUT.relative_to(DATA_DIR.parent)),
        "sample": {"messages": len(rows), "routes": dict(Counter(r["route"] for r in rows))},
        "encoder_version": encoder.version,
        "llm": llm,
        "results": {},
    }
    for threads in args.threads:
        torch.set_num_threads(threads)
        key = f"encoder@{threads}t"
        encoder.predict_one("warm up")
        report["results"][key] = evaluate(lambda t: encoder.predict_one(t), rows)
        print(
            key,
            json.dumps(report["results"][key]["latency_ms"]),
            report["results"][key]["intent_accuracy"],
            flush=True,
        )
        for shots in args.few_shot:
            key = f"smollm2-untuned-constrained-fewshot{shots}@{threads}t"
            backend = HFFrameBackend(llm, few_shot=shots)
            start = time.perf_counter()
            backend.warm_up()
            warm_s = time.perf_counter() - start
            gen = GenerativeUnderstander(
                backend, fallback=encoder, version=f"llm:smollm2-fs{shots}"
            )
            result = evaluate(lambda t, g=gen: g.predict_one(t), rows)
            result["warm_up_s"] = round(warm_s, 1)
            result["prefix_tokens"] = backend._decoder._prefix_len
            result["fallbacks"] = gen.fallbacks
            report["results"][key] = result
            print(
                key,
                json.dumps(result["latency_ms"]),
                result["intent_accuracy"],
                result["routing_accuracy"],
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
