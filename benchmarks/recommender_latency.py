"""Latency of the recommender's scoring path: every item scored for a batch of 256 shoppers.

The histories are the first 256 test histories of a dataset (leave-one-out, as in
``benchmarks/recommender.py``); the model is a freshly initialised SASRec of the default
shape over that dataset's catalogue (the time does not depend on the weights) unless
``--model FOLDER`` names a trained one. Two figures, each the median (and p90) of
``--runs`` calls after ``--warmup`` calls, on ``--threads`` threads set once:

- ``score``: the full score matrix [256, items + 1] (``SASRec.score``);
- ``top10``: the 10 best items per shopper (``SASRec.recommend``, or ``topk`` of
  ``score`` where the model has no ``recommend``).

    python benchmarks/recommender_latency.py [--dataset toys] [--threads 1] [--runs 50]
        [--label after] [--save-top FILE]

Results are merged into ``benchmarks/results/recommender.json`` under
``latency.<dataset>.<label>``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ranker.sequential import (  # noqa: E402
    ItemVocab,
    SASRec,
    SASRecConfig,
    leave_one_out,
    pad_histories,
    read_interactions,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "amazon_reviews_seq"
FILES = {"sports": "sports_user_sequence.txt", "toys": "toys_user_sequence.txt"}
OUT = ROOT / "benchmarks" / "results" / "recommender.json"


def timed(fn: Callable[[], object], runs: int = 50, warmup: int = 5) -> dict[str, float]:
    """Median and p90 milliseconds of ``runs`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "median": round(1000 * statistics.median(times), 2),
        "p90": round(1000 * times[int(0.9 * (len(times) - 1))], 2),
    }


def top10_fn(model: SASRec, batch: torch.Tensor) -> Callable[[], torch.Tensor]:
    if hasattr(model, "recommend"):
        return lambda: model.recommend(batch, 10)
    return lambda: torch.topk(model.score(batch), 10, dim=1).indices


def scoring_latency(model: SASRec, batch: torch.Tensor, runs: int = 50) -> dict:
    """``{"score": {median, p90}, "top10": {median, p90}}`` in milliseconds."""
    return {
        "score": timed(lambda: model.score(batch), runs),
        "top10": timed(top10_fn(model, batch), runs),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--dataset", default="toys", choices=sorted(FILES))
    ap.add_argument("--model", type=Path, help="a trained version's folder (recommender.pt)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--positions", default=None, help="SASRecConfig.positions of the fresh model")
    ap.add_argument("--label", default="current")
    ap.add_argument("--save-top", type=Path, help="write the batch's top-10 ids here (.pt)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"skipped: no data folder at {args.data} (pass --data DIR)")
        return 0
    torch.set_num_threads(args.threads)
    seqs = read_interactions(args.data / FILES[args.dataset])
    vocab = ItemVocab.from_sequences(seqs.values())
    split = leave_one_out({u: vocab.encode(s) for u, s in seqs.items()})
    if args.model:
        model, _, _ = SASRec.load(args.model)
    else:
        torch.manual_seed(0)
        extra = {"positions": args.positions} if args.positions else {}
        model = SASRec(len(vocab), SASRecConfig(**extra)).eval()
    hist = [h for _, h, _ in split.test[: args.batch]]
    batch = pad_histories(hist, model.config.max_len)
    result = scoring_latency(model, batch, args.runs)
    if args.save_top:
        torch.save(top10_fn(model, batch)(), args.save_top)
    result.update(
        batch=list(batch.shape),
        items=len(vocab),
        threads=args.threads,
        runs=args.runs,
        load_avg_1_5_15=[round(x, 2) for x in os.getloadavg()],
    )
    print(json.dumps({args.dataset: {args.label: result}}))
    with open(args.out.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = json.loads(args.out.read_text()) if args.out.exists() else {}
        merged.setdefault("latency", {}).setdefault(args.dataset, {})[args.label] = result
        args.out.write_text(json.dumps(merged, indent=2) + "\n")
    args.out.with_suffix(".lock").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
