"""Turn latency of the assistant, in-process on the demo store.

A scripted 200-turn workload (shopping chains with refinements and item references,
authenticated order look-ups, a cancellation listed and declined, policy questions,
small talk) runs through ``Assistant.turn``; p50/p95 per-turn latency and a batched
intent throughput go to ``benchmarks/results/turn_latency.json``.

Needs a home with the demo store, the indexes and a live dialogue model (``aisle init``)::

    python benchmarks/turn_latency.py [--home DIR] [--turns 200] [--out PATH]

The workload declines every write, so the demo orders are left as they were.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

logger = logging.getLogger("turn_latency")


def workload(db) -> list[list[str]]:
    """Conversations (lists of shopper messages) built from the store's own data."""
    from sqlalchemy import select

    from assistant.store.models import Customer, Order

    pending = db.scalars(
        select(Order).where(Order.status == "pending").order_by(Order.id).limit(3)
    ).all()
    processed = db.scalars(
        select(Order).where(Order.status == "processed").order_by(Order.id).limit(3)
    ).all()
    convs = [
        [
            "hi",
            "show me t-shirts under 60",
            "in black",
            "cheaper",
            "the second one",
            "what material is it?",
            "thanks",
        ],
        [
            "I'm looking for running shoes",
            "compare the first and the third",
            "show me different ones",
            "the first one",
            "how much is it?",
        ],
        ["a gift for a runner", "under 100 dollars", "not that one", "bye"],
        ["laptops under 20 dollars", "yes", "the cheapest one"],
        ["what is your refund policy?", "how long does delivery take?", "can I cancel an order?"],
        ["bluetooth speaker", "waterproof", "the last one", "is it in stock?"],
        ["coffee maker", "more expensive", "the first one", "what type is it?"],
    ]
    for order in processed:
        customer = db.get(Customer, order.customer_id)
        convs.append(
            [f"where is my order {order.id}?", f"my email is {customer.email}", "thank you"]
        )
    for order in pending:
        customer = db.get(Customer, order.customer_id)
        convs.append(
            [f"I want to cancel order {order.id}", customer.email, "I ordered it by mistake", "no"]
        )
    return convs


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--home", type=Path, default=None, help="AISLE_HOME with the demo store (default: env)"
    )
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "turn_latency.json"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest per turn on a shared 2-core CPU)")
    args = parser.parse_args(argv)
    if args.home is not None:
        os.environ["AISLE_HOME"] = str(args.home)
    os.environ["AISLE_TORCH_THREADS"] = str(args.threads)  # applied by Assistant.warm_up
    import torch

    from assistant.service import Assistant
    from assistant.settings import get_settings
    from assistant.store.db import session_factory

    settings = get_settings()
    assistant = Assistant(settings)
    t0 = time.perf_counter()
    assistant.warm_up()
    warm_s = time.perf_counter() - t0
    with session_factory(assistant.engine)() as db:
        convs = workload(db)
    latencies: list[float] = []
    by_action: dict[str, list[float]] = {}
    i = 0
    while len(latencies) < args.turns:
        conv, session_id = convs[i % len(convs)], uuid.uuid4().hex
        i += 1
        for text in conv:
            if len(latencies) >= args.turns:
                break
            start = time.perf_counter()
            result = assistant.turn(text, session_id)
            ms = (time.perf_counter() - start) * 1000.0
            latencies.append(ms)
            by_action.setdefault(result.action, []).append(ms)
    model = assistant.model_for(None)
    utterances = [t for c in convs for t in c] * 8
    start = time.perf_counter()
    model.predict(utterances)
    throughput = len(utterances) / (time.perf_counter() - start)
    q = statistics.quantiles(latencies, n=100)
    report = {
        "turns": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(q[94], 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "targets": {"p50_ms": 100, "p95_ms": 250},
        "by_action_p50_ms": {
            a: round(statistics.median(v), 1) for a, v in sorted(by_action.items())
        },
        "by_action_turns": {a: len(v) for a, v in sorted(by_action.items())},
        "intent_throughput_utt_per_s": round(throughput, 1),
        "intent_batch": len(utterances),
        "warm_up_s": round(warm_s, 2),
        "guard_violations_removed": assistant.shopping.violations,
        "machine": {
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(),
            "device": str(settings.device),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
