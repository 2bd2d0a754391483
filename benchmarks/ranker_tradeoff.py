"""Relevance/diversity trade-off on the demo store: relevance-only vs MMR vs greedy DPP.

Products: the tau2 demo store (``assistant/resources/tau2_retail/db.json``), one row per variant,
embedded with the bundled all-MiniLM-L6-v2 from the same text the retrieval index
uses. Queries and graded relevance: ``data/eval/search_qrels.csv``. For each query
the candidates are the top 100 products by dense cosine similarity; the relevance
``r`` of a candidate is that similarity, min-max normalised within the list (as in
``ranker.service``). Then, for every trade-off value, all queries are re-ranked in
one batch and nDCG@10, ILD@10 (mean pairwise 1 − cos of the MiniLM embeddings),
category coverage, α-nDCG@10 (subtopics: product type and each option value of
the relevant items), Recall@10, MRR and the Gini of exposure across the lists are
averaged. Writes ``docs/ranker/tradeoff.png``, ``docs/ranker/tradeoff.md`` and
``benchmarks/results/ranker_tradeoff.json``.

    python benchmarks/ranker_tradeoff.py
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.settings import default_embedding_model  # noqa: E402
from ranker import greedy_dpp_tradeoff  # noqa: E402
from ranker import mmr as mmr_rerank  # noqa: E402
from ranker.association import AssociationRules  # noqa: E402
from ranker.metrics import (  # noqa: E402
    alpha_ndcg,
    category_coverage,
    exposure_gini,
    intra_list_diversity,
    mrr,
    ndcg_at_k,
    recall_at_k,
)
from ranker.service import THETA_AT_MAX_DIVERSITY, theta_for_diversity  # noqa: E402
from retrieval.catalog.readers import tau2_variant_record  # noqa: E402
from retrieval.text import product_text  # noqa: E402

logger = logging.getLogger(__name__)

K = 10
N_CANDIDATES = 100
THETAS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98]
LAMBDAS = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98]


def load_store(db_json: Path) -> tuple[list[dict], dict]:
    db = json.loads(db_json.read_text())
    out = []
    for pid, p in db["products"].items():
        for item_id, v in p["variants"].items():
            rec = tau2_variant_record(p["name"], p.get("product_id", pid), item_id, v)
            rec["text"] = product_text(
                rec["title"], rec["category"], None, rec["attributes"], rec["description"]
            )
            out.append(rec)
    return out, db


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            qrels[row["query"]][row["id"]] = int(row["grade"])
    return dict(qrels)


def evaluate(lists, queries, qrels, ids, emb, cats, topics) -> dict[str, float]:
    m = defaultdict(list)
    for q, sel in zip(queries, lists, strict=True):
        sel = [i for i in sel if i >= 0][:K]
        ranked = [ids[i] for i in sel]
        m["ndcg@10"].append(ndcg_at_k(ranked, qrels[q], K))
        m["ild@10"].append(intra_list_diversity(emb[sel]))
        m["coverage@10"].append(category_coverage([cats[i] for i in sel], K))
        m["alpha_ndcg@10"].append(alpha_ndcg(ranked, topics[q], K, alpha=0.5))
        m["recall@10"].append(recall_at_k(ranked, qrels[q].keys(), K))
    out = {name: float(np.mean(v)) for name, v in m.items()}
    out["mrr"] = mrr(
        ([ids[i] for i in sel], qrels[q].keys()) for q, sel in zip(queries, lists, strict=True)
    )
    out["exposure_gini"] = exposure_gini(([ids[i] for i in sel if i >= 0] for sel in lists), ids)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=ROOT / "assistant/resources/tau2_retail/db.json")
    parser.add_argument("--qrels", type=Path, default=ROOT / "data/eval/search_qrels.csv")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs/ranker")
    parser.add_argument(
        "--results", type=Path, default=ROOT / "benchmarks/results/ranker_tradeoff.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(2)
    from sentence_transformers import SentenceTransformer

    products, db = load_store(args.db)
    qrels = load_qrels(args.qrels)
    queries = sorted(qrels)
    ids = [p["id"] for p in products]
    cats = [p["category"] for p in products]
    model = SentenceTransformer(default_embedding_model(), device="cpu")
    start = time.perf_counter()
    emb = model.encode(
        [p["text"] for p in products],
        batch_size=64,
        normalize_embeddings=True,
        show_progress_bar=True,
    )
    qemb = model.encode(queries, normalize_embeddings=True)
    logger.info("encoded %d products in %.1fs", len(products), time.perf_counter() - start)
    by_id = {p["id"]: p for p in products}
    topics = {
        q: {
            pid: {("type", by_id[pid]["category"])}
            | {(k, str(v)) for k, v in by_id[pid]["attributes"].items()}
            for pid in grades
        }
        for q, grades in qrels.items()
    }

    sims = qemb @ emb.T  # [Q, P]
    cand = np.argsort(-sims, axis=1, kind="stable")[:, :N_CANDIDATES]  # [Q, 100]
    rel = np.take_along_axis(sims, cand, 1)
    rel = (rel - rel.min(1, keepdims=True)) / (
        rel.max(1, keepdims=True) - rel.min(1, keepdims=True)
    )
    rel_t = torch.from_numpy(rel.astype(np.float32))
    feats = torch.from_numpy(emb[cand])  # [Q, 100, D]

    def lists_from(local: torch.Tensor) -> list[list[int]]:
        local = local.numpy()
        return [[int(cand[q, i]) if i >= 0 else -1 for i in row] for q, row in enumerate(local)]

    rows = []
    base = lists_from(torch.arange(K).expand(len(queries), K))
    rows.append(
        {
            "method": "relevance",
            "param": None,
            **evaluate(base, queries, qrels, ids, emb, cats, topics),
        }
    )
    for theta in THETAS:
        start = time.perf_counter()
        sel = greedy_dpp_tradeoff(rel_t, feats, K, theta)
        ms = (time.perf_counter() - start) * 1000
        lists = [[i for i in r if i >= 0] for r in lists_from(sel)]
        rows.append(
            {
                "method": "dpp",
                "param": theta,
                "batch_ms": ms,
                **evaluate(lists, queries, qrels, ids, emb, cats, topics),
            }
        )
    for lam in LAMBDAS:
        sel = mmr_rerank(rel_t, feats, K, lam)
        rows.append(
            {
                "method": "mmr",
                "param": lam,
                **evaluate(lists_from(sel), queries, qrels, ids, emb, cats, topics),
            }
        )
    rules = AssociationRules.mine(
        o["items"] for o in db["orders"].values() if o.get("status") != "cancelled"
    )
    top_rules = sorted((r for rs in rules.rules.values() for r in rs), key=lambda r: -r.lift)[:5]
    write_outputs(args, rows, queries, top_rules, rules)


def write_outputs(args, rows, queries, top_rules, rules) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args.docs.mkdir(parents=True, exist_ok=True)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(rows, indent=2))
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    base = rows[0]
    ax.scatter([base["ild@10"]], [base["ndcg@10"]], color="black", zorder=3, label="relevance only")
    for method, marker, name in (("dpp", "o-", "greedy DPP (θ)"), ("mmr", "s--", "MMR (λ)")):
        pts = [r for r in rows if r["method"] == method]
        ax.plot([r["ild@10"] for r in pts], [r["ndcg@10"] for r in pts], marker, label=name)
        for r in pts:
            ax.annotate(
                f"{r['param']:g}",
                (r["ild@10"], r["ndcg@10"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    ax.set_xlabel("ILD@10 (mean pairwise 1 − cos, MiniLM)")
    ax.set_ylabel("nDCG@10")
    ax.set_title(f"Demo store, {len(queries)} queries, top-{N_CANDIDATES} dense candidates")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.docs / "tradeoff.png", dpi=120)
    cols = [
        "ndcg@10",
        "ild@10",
        "coverage@10",
        "alpha_ndcg@10",
        "recall@10",
        "mrr",
        "exposure_gini",
    ]
    lines = [
        "# Relevance/diversity trade-off on the demo store",
        "",
        f"Generated by `python benchmarks/ranker_tradeoff.py`: {len(queries)} labelled queries from "
        "`data/eval/search_qrels.csv`, 591 demo-store variants embedded with all-MiniLM-L6-v2, "
        f"candidates = top {N_CANDIDATES} by dense cosine, relevance = that cosine min-max "
        "normalised per list. DPP kernel `diag(exp(α r)) S diag(exp(α r))`, α = θ / (2(1 − θ)), "
        "S = cosine similarity (Chen et al. 2018 §5), selected with `ranker.greedy_dpp_tradeoff` "
        "(the same greedy MAP computed as argmax 2αr + log d²(S), so exp(2αr) never underflows); MMR: λ·r − (1 − λ)·max cos. "
        "Metrics averaged over queries; exposure Gini over the whole catalogue.",
        "",
        "![trade-off](tradeoff.png)",
        "",
        "| method | θ / λ | " + " | ".join(cols) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    for r in rows:
        param = "-" if r["param"] is None else f"{r['param']:g}"
        lines.append(
            f"| {r['method']} | {param} | " + " | ".join(f"{r[c]:.3f}" for c in cols) + " |"
        )
    mapping = ", ".join(f"d={d:g} → θ={theta_for_diversity(d):.2f}" for d in (0.1, 0.3, 0.5, 1.0))
    lines += [
        "",
        f"Shopper-facing diversity d ∈ [0, 1] maps to θ = 1 − d·(1 − {THETA_AT_MAX_DIVERSITY}) "
        f"({mapping}); d = 0 is the relevance sort.",
        "",
        f"## Bought-together rules mined from the demo store's orders ({rules.n_orders} orders, {len(rules)} rules)",
        "",
        "| antecedent | consequent | support | confidence | lift |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.antecedent_label} | {r.consequent_label} | {r.support:.3f} | {r.confidence:.2f} | {r.lift:.2f} |"
        for r in top_rules
    ]
    (args.docs / "tradeoff.md").write_text("\n".join(lines) + "\n")
    logger.info("wrote %s and %s", args.docs / "tradeoff.png", args.docs / "tradeoff.md")


if __name__ == "__main__":
    main()
