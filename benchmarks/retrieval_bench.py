"""Retrieval benchmark: FAISS indexes on synthetic vectors, the whole in-process search, embedding throughput.

    nice -n 10 python benchmarks/retrieval_bench.py                       # 10k, 100k, 1M
    python benchmarks/retrieval_bench.py --sizes 10000 --service-size 5000  # quick run

Vectors are random unit vectors (dim 384) in two flavours: ``clustered`` (a
mixture around 1,000 random centres, like real text embeddings: queries come
from the same distribution) and ``uniform`` (isotropic, the worst case for any
approximate index). For each size: build time, index memory, p50/p99 latency of
single queries and per query in one batch, and recall@10 of every approximate
index against exact search. The service part times ``SearchService.search``
(encode the query with all-MiniLM-L6-v2 + hybrid BM25/FAISS + filters) over a
catalogue of synthetic product titles from the demo store's vocabulary.
Results go to ``benchmarks/results/retrieval_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from retrieval.vector_index import VectorIndex  # noqa: E402


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def make_vectors(
    kind: str, n: int, dim: int, rng: np.random.Generator, centres: np.ndarray, noise: float = 0.8
) -> np.ndarray:
    out = np.empty((n, dim), dtype=np.float32)
    for s in range(0, n, 100_000):  # chunked: 1M x 384 float64 would need 3 GB
        m = min(100_000, n - s)
        g = rng.standard_normal((m, dim), dtype=np.float32)
        if kind == "uniform":
            out[s : s + m] = unit(g)
        else:
            out[s : s + m] = unit(
                centres[rng.integers(len(centres), size=m)] + noise * g / np.sqrt(dim)
            )
    return out


def percentiles(times: list[float]) -> dict[str, float]:
    ms = np.asarray(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
    }


def time_single(search, queries: np.ndarray, k: int = 10) -> dict[str, float]:
    """One query at a time, one FAISS thread (what the service does per request)."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        search(queries[:5], k)  # warm
        times = []
        for q in queries:
            t = time.perf_counter()
            search(q[None, :], k)
            times.append(time.perf_counter() - t)
    finally:
        faiss.omp_set_num_threads(threads)
    return percentiles(times)


def time_batch(search, queries: np.ndarray, k: int = 10) -> float:
    t = time.perf_counter()
    search(queries, k)
    return round((time.perf_counter() - t) * 1000 / len(queries), 4)


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return round(
        float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])), 4
    )


def index_bytes(index: faiss.Index) -> int:
    return int(faiss.serialize_index(index).nbytes)


def bench_approx(
    name: str, index: faiss.Index, build_s: float, knob: str, values, x_queries, truth
) -> dict:
    rows = []
    for v in values:
        if knob == "efSearch":
            index.hnsw.efSearch = v
        else:
            index.nprobe = v
        _, found = index.search(x_queries, 10)
        row = {
            knob: v,
            "recall@10": recall_at_10(found, truth),
            **time_single(index.search, x_queries),
        }
        row["batched_ms_per_query"] = time_batch(index.search, x_queries)
        rows.append(row)
    ok = [r for r in rows if r["recall@10"] >= 0.95]
    best = min(ok, key=lambda r: r["p50_ms"]) if ok else max(rows, key=lambda r: r["recall@10"])
    return {
        "index": name,
        "build_s": round(build_s, 2),
        "memory_mb": round(index_bytes(index) / 2**20, 1),
        "sweep": rows,
        "best": best,
    }


def bench_size(
    n: int, kind: str, dim: int, n_queries: int, hnsw_max: int, rng, noise: float = 0.8
) -> dict:
    centres = unit(rng.standard_normal((1000, dim)))
    x = make_vectors(kind, n, dim, rng, centres, noise)
    xq = make_vectors(kind, n_queries, dim, rng, centres, noise)
    out: dict = {
        "n": n,
        "dim": dim,
        "data": kind if kind == "uniform" else f"{kind} noise={noise}",
        "queries": n_queries,
        "indexes": [],
    }
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(x)
    build = time.perf_counter() - t
    _, truth = flat.search(xq, 10)
    out["indexes"].append(
        {
            "index": "flat (exact)",
            "build_s": round(build, 2),
            "memory_mb": round(x.nbytes / 2**20, 1),
            "recall@10": 1.0,
            **time_single(flat.search, xq),
            "batched_ms_per_query": time_batch(flat.search, xq),
        }
    )
    del flat
    if n <= hnsw_max:
        t = time.perf_counter()
        h = VectorIndex(dim, "hnsw")
        h.add(x)
        out["indexes"].append(
            bench_approx(
                "hnsw M=32 efC=80",
                h.index,
                time.perf_counter() - t,
                "efSearch",
                [16, 32, 64, 128, 256],
                xq,
                truth,
            )
        )
        del h
    nlist = int(2 * np.sqrt(n))
    t = time.perf_counter()
    ivf = faiss.index_factory(dim, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
    ivf.train(x[rng.permutation(n)[: min(n, 64 * nlist)]])
    ivf.add(x)
    out["indexes"].append(
        bench_approx(
            f"ivf{nlist} flat",
            ivf,
            time.perf_counter() - t,
            "nprobe",
            [1, 2, 4, 8, 16, 32, 64],
            xq,
            truth,
        )
    )
    del ivf
    return out


# ---- whole search: encode + hybrid + filters over synthetic product titles ------------------
def synth_catalogue(n: int, rng) -> list:
    from retrieval.table import ProductRecord

    db = json.loads((ROOT / "assistant/resources/tau2_retail/db.json").read_text())
    types = [
        (p["name"], [v["options"] for v in p["variants"].values()]) for p in db["products"].values()
    ]
    brands = [
        "Acme",
        "Zenith",
        "Orbit",
        "Nova",
        "Pico",
        "Vertex",
        "Lumen",
        "Kestrel",
        "Summit",
        "Harbor",
    ]
    adjs = [
        "compact",
        "premium",
        "classic",
        "lightweight",
        "pro",
        "eco",
        "deluxe",
        "travel",
        "smart",
        "rugged",
    ]
    recs = []
    for i in range(n):
        name, variants = types[rng.integers(len(types))]
        opts = variants[rng.integers(len(variants))]
        brand, adj = brands[rng.integers(len(brands))], adjs[rng.integers(len(adjs))]
        title = (
            f"{brand} {adj} {name} {'-'.join(str(v) for v in list(opts.values())[:2])} M{i % 9973}"
        )
        recs.append(
            ProductRecord(
                id=f"s{i}",
                title=title,
                category=name,
                brand=brand,
                price=float(np.round(rng.uniform(5, 500), 2)),
                available=bool(rng.random() < 0.9),
                attributes=opts,
                description=f"{adj} {name.lower()} by {brand}.",
            )
        )
    return recs


def bench_service(n: int, embedder, rng, n_queries: int = 100) -> dict:
    from retrieval.hybrid import HybridIndex
    from retrieval.indexing import record_text
    from retrieval.lexical import LexicalIndex
    from retrieval.service import SearchService
    from retrieval.table import ProductTable
    from retrieval.types import Filters, RetrievalQuery

    recs = synth_catalogue(n, rng)
    # product vectors: the real embedding of each (type, first option) text, plus small noise;
    # encoding all n texts on the 2-core machine would take most of an hour
    base_keys = sorted({(r.category, str(next(iter(r.attributes.values()), ""))) for r in recs})
    t = time.perf_counter()
    base = embedder.encode([f"{c} {v}" for c, v in base_keys], progress=True)
    base_of = {k: i for i, k in enumerate(base_keys)}
    idx = np.array(
        [base_of[(r.category, str(next(iter(r.attributes.values()), "")))] for r in recs]
    )
    vecs = unit(base[idx] + 0.05 * rng.standard_normal((n, base.shape[1])).astype(np.float32))
    t = time.perf_counter()
    dense = VectorIndex(vecs.shape[1], "hnsw" if n >= 50_000 else "flat")
    dense.add(vecs)
    lexical = LexicalIndex.build(
        [record_text(r) for r in tqdm(recs, desc="product text")], progress=True
    )
    build_s = time.perf_counter() - t
    hybrid = HybridIndex(ProductTable.from_records(recs), vecs, dense, lexical)
    service = SearchService.from_index(hybrid, embedder, query_cache=0)  # encode every query
    texts = [
        "waterproof hiking boots",
        "blue cotton t-shirt",
        "something to make coffee",
        "Acme laptop",
        "wireless earbuds for running",
        "gift for a gamer",
        "M4242",
        "Zenith premium backpack",
    ]
    filters = [
        Filters(),
        Filters(max_price=100.0),
        Filters(max_price=150.0, available_only=True),
        Filters(brands=("Orbit",)),
        Filters(categories=("Laptop",), max_price=300.0),
        Filters(options=(("color", ("blue",)),)),
    ]
    result = {
        "n": n,
        "index": dense.kind,
        "build_s_excluding_encode": round(build_s, 2),
        "unique_texts_encoded": len(base_keys),
    }
    index = service.index()
    # full search, encode only and retrieval only are interleaved per query, so all three see
    # the same load on the shared machine
    for label, fs in [("no filter", [Filters()]), ("with filters", filters[1:])]:
        queries = [
            RetrievalQuery(texts[i % len(texts)], fs[i % len(fs)], 10) for i in range(n_queries)
        ]
        for q in queries[:5]:
            service.search(q)
        full, enc, ret, hits = [], [], [], []
        for q in queries:
            t0 = time.perf_counter()
            res = service.search(q)
            t1 = time.perf_counter()
            qvec = embedder.encode([q.text])[0]
            t2 = time.perf_counter()
            index.search(qvec, q.text, q.filters, q.k)
            t3 = time.perf_counter()
            full.append(t1 - t0)
            enc.append(t2 - t1)
            ret.append(t3 - t2)
            hits.append(len(res))
        result[label] = {
            "search": percentiles(full),
            "encode_only": percentiles(enc),
            "retrieval_only": percentiles(ret),
            "mean_results": round(float(np.mean(hits)), 2),
        }
    return result


def bench_embedding(embedder, rng, n: int) -> dict:
    titles = [record_text_for(r) for r in synth_catalogue(n, rng)]
    embedder.encode(titles[:64])
    t = time.perf_counter()
    embedder.encode(titles, progress=True)
    dt = time.perf_counter() - t
    return {
        "device": embedder.device,
        "sentences": n,
        "batch_size": embedder.batch_size,
        "sentences_per_s": round(n / dt, 1),
    }


def record_text_for(r) -> str:
    from retrieval.indexing import record_text

    return record_text(r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated catalogue sizes"
    )
    ap.add_argument("--data", default="clustered,uniform", help="clustered and/or uniform")
    ap.add_argument(
        "--uniform-max", type=int, default=100_000, help="largest size for uniform data"
    )
    ap.add_argument(
        "--hnsw-max", type=int, default=1_000_000, help="largest size to build HNSW for"
    )
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument(
        "--noise",
        type=float,
        default=0.8,
        help="clustered data: noise norm around a centre (1 = centre norm)",
    )
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument(
        "--service-size", type=int, default=100_000, help="0 skips the whole-search part"
    )
    ap.add_argument(
        "--embed-sentences", type=int, default=1000, help="0 skips embedding throughput"
    )
    ap.add_argument("--threads", type=int, default=2, help="torch and FAISS threads")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/retrieval_bench.json")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    report: dict = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "threads": args.threads,
            "load_avg_at_start": os.getloadavg(),
            "faiss": faiss.__version__,
        },
        "ann": [],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        args.out.write_text(json.dumps(report, indent=2))

    for kind in args.data.split(","):
        for n in [int(s) for s in args.sizes.split(",")]:
            if kind == "uniform" and n > args.uniform_max:
                continue
            print(f"ANN {kind} n={n}", file=sys.stderr, flush=True)
            report["ann"].append(
                bench_size(n, kind, args.dim, args.queries, args.hnsw_max, rng, args.noise)
            )
            save()
    if args.service_size or args.embed_sentences:
        from assistant.settings import default_embedding_model
        from retrieval.embedder import Embedder

        embedder = Embedder(default_embedding_model(), device="cpu")
        embedder.warm_up()
        if args.embed_sentences:
            report["embedding_throughput_cpu"] = bench_embedding(
                embedder, rng, args.embed_sentences
            )
            save()
        if args.service_size:
            report["service"] = bench_service(args.service_size, embedder, rng)
            save()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    save()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
