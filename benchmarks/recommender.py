"""Sequential recommendation on real shoppers: SASRec (full-softmax CE) vs popularity.

Amazon Sports & Outdoors and Toys & Games (5-core), leave-one-out (last item test,
second-to-last validation), ranking over all items, previously seen items kept. Reports
Recall@5/10, NDCG@5/10, coverage@10 and the Gini of top-10 exposure, the same after the
ranker's DPP at the default diversity, training time, peak memory and the latency of
scoring every item for a batch of 256 users.

    python benchmarks/recommender.py [--data ../shared/data/amazon_reviews_seq]
        [--datasets sports toys] [--threads 1] [--time-budget-min 16]

The data is read in place (research use only; never copied into the project). Results
are merged into ``benchmarks/results/recommender.json`` per dataset.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.recommender_latency import scoring_latency  # noqa: E402
from ranker.sequential import (  # noqa: E402
    ItemVocab,
    PopularityRecommender,
    SASRecConfig,
    dpp_rerank,
    evaluate_scores,
    leave_one_out,
    pad_histories,
    ranks_in_lists,
    read_interactions,
    score_all,
    train_sasrec,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "amazon_reviews_seq"
FILES = {"sports": "sports_user_sequence.txt", "toys": "toys_user_sequence.txt"}
PUBLISHED = {  # Rajput et al., NeurIPS 2023, Table 1 (R@10, N@10)
    "sports": {"sasrec": (0.0350, 0.0192), "tiger": (0.0400, 0.0225)},
    "toys": {"sasrec": (0.0675, 0.0374), "tiger": (0.0712, 0.0432)},
}
OUT = ROOT / "benchmarks" / "results" / "recommender.json"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def rounded(metrics: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in metrics.items()}


def run_dataset(name: str, path: Path, config: SASRecConfig, diversity: float) -> dict:
    seqs = read_interactions(path)
    vocab = ItemVocab.from_sequences(seqs.values())
    encoded = {u: vocab.encode(s) for u, s in seqs.items()}
    split = leave_one_out(encoded)
    n = len(vocab)
    hist = [h for _, h, _ in split.test]
    tgt = [t for _, _, t in split.test]
    print(f"{name}: {len(seqs)} users, {n} items, {sum(map(len, seqs.values()))} interactions")

    pop = PopularityRecommender(n, split.train.values())
    ranks, top = score_all(pop.score, hist, max_len=config.max_len, targets=tgt, top=10)
    popularity = rounded(evaluate_scores(ranks, top, n))
    print(f"  popularity: {popularity}")

    def progress(row):
        shown = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
        print(f"  epoch {shown}", flush=True)

    model, report = train_sasrec(split, n, config, progress=progress)
    ranks, top = score_all(model.score, hist, max_len=config.max_len, targets=tgt, top=50)
    sasrec = rounded(evaluate_scores(ranks, top, n))
    # no test item of these files is in its history: top-10 slots spent on seen items
    seen = [set(h) for h in hist]
    seen_slots = sum(len(seen[u] & set(top[u, :10].tolist())) for u in range(len(hist)))
    sasrec["seen_in_top10"] = round(seen_slots / max(1, 10 * len(hist)), 4)
    print(f"  sasrec: {sasrec}")

    # the same lists after the ranker's DPP at the default diversity (pool = top 50)
    vectors = model.item_vectors().detach()
    lists = []
    t0 = time.perf_counter()
    for start in range(0, len(hist), 1024):
        seqs_b = pad_histories(hist[start : start + 1024], config.max_len)
        scores = model.score(seqs_b)
        lists.append(dpp_rerank(scores, vectors, 10, diversity=diversity, pool=50))
    dpp_s = time.perf_counter() - t0
    lists_t = torch.cat(lists)
    after = rounded(evaluate_scores(ranks_in_lists(lists_t, tgt), lists_t, n))
    print(f"  sasrec + dpp(d={diversity}): {after}")

    # latency: scores of all items (and the top 10) for 256 users, median of 50 runs
    latency = scoring_latency(model, pad_histories(hist[:256], config.max_len))
    pub = PUBLISHED[name]
    return {
        "users": len(seqs),
        "items": n,
        "interactions": sum(map(len, seqs.values())),
        "popularity": popularity,
        "sasrec": sasrec,
        "sasrec_dpp": {**after, "diversity": diversity, "pool": 50, "rerank_s": round(dpp_s, 1)},
        "train_s": round(report.train_s, 1),
        "train_min": round(report.train_s / 60, 2),
        "epochs": report.epochs,
        "best_epoch": report.best_epoch,
        "stopped": report.stopped,
        "best_valid": rounded(report.best_valid),
        "seen_logit": (
            round(float(model.seen_logit.detach()), 3) if model.seen_logit is not None else None
        ),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "score_256_users_ms": latency["score"],
        "top10_256_users_ms": latency["top10"],
        "published": {
            "sasrec_r10_n10": pub["sasrec"],
            "tiger_r10_n10": pub["tiger"],
        },
        "beats_tiger": sasrec["recall@10"] > pub["tiger"][0]
        and sasrec["ndcg@10"] > pub["tiger"][1],
        "config": config.to_dict(),
        "history": [rounded({k: float(v) for k, v in r.items()}) for r in report.history],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--datasets", nargs="+", default=["sports", "toys"], choices=sorted(FILES))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time-budget-min", type=float, default=16.0)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--lr", type=float, default=SASRecConfig.lr)
    ap.add_argument("--batch-size", type=int, default=SASRecConfig.batch_size)
    ap.add_argument("--dropout", type=float, default=SASRecConfig.dropout)
    ap.add_argument("--heads", type=int, default=SASRecConfig.heads)
    ap.add_argument("--positions", default=SASRecConfig.positions)
    ap.add_argument("--hidden", type=int, default=SASRecConfig.hidden)
    ap.add_argument("--layers", type=int, default=SASRecConfig.layers)
    ap.add_argument("--patience", type=int, default=SASRecConfig.patience)
    ap.add_argument("--weight-decay", type=float, default=SASRecConfig.weight_decay)
    ap.add_argument("--emb-dropout", type=float, default=SASRecConfig.emb_dropout)
    ap.add_argument("--label-smoothing", type=float, default=SASRecConfig.label_smoothing)
    ap.add_argument("--optimizer", default=SASRecConfig.optimizer, choices=["adam", "adamw"])
    ap.add_argument("--schedule", default=SASRecConfig.schedule, choices=["constant", "cosine"])
    ap.add_argument("--warmup-epochs", type=float, default=SASRecConfig.warmup_epochs)
    ap.add_argument("--logits", default=SASRecConfig.logits, choices=["dot", "cosine"])
    ap.add_argument("--logit-scale", type=float, default=SASRecConfig.logit_scale)
    ap.add_argument("--untie-output", action="store_true", help="tie_output=False")
    ap.add_argument(
        "--seen-bias", action=argparse.BooleanOptionalAction, default=SASRecConfig.seen_bias
    )
    ap.add_argument("--diversity", type=float, default=0.3)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"skipped: no data folder at {args.data} (pass --data DIR)")
        return 0
    torch.set_num_threads(args.threads)
    config = SASRecConfig(
        lr=args.lr,
        batch_size=args.batch_size,
        dropout=args.dropout,
        heads=args.heads,
        positions=args.positions,
        hidden=args.hidden,
        layers=args.layers,
        patience=args.patience,
        weight_decay=args.weight_decay,
        emb_dropout=args.emb_dropout,
        label_smoothing=args.label_smoothing,
        optimizer=args.optimizer,
        schedule=args.schedule,
        warmup_epochs=args.warmup_epochs,
        logits=args.logits,
        logit_scale=args.logit_scale,
        tie_output=not args.untie_output,
        seen_bias=args.seen_bias,
        max_epochs=args.epochs,
        time_budget_s=args.time_budget_min * 60,
    )
    results = {}
    for name in args.datasets:
        results[name] = run_dataset(name, args.data / FILES[name], config, args.diversity)
        results[name]["threads"] = args.threads
        # the other processes share the cores: a load above the core count slows every figure
        results[name]["load_avg_1_5_15"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out.with_suffix(".lock"), "w") as lock:  # runs per dataset may overlap
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = json.loads(args.out.read_text()) if args.out.exists() else {}
        merged.setdefault("datasets", {}).update(results)
        merged["machine"] = {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "torch": torch.__version__,
            "device": "cpu",
        }
        args.out.write_text(json.dumps(merged, indent=2) + "\n")
    args.out.with_suffix(".lock").unlink(missing_ok=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
