"""Greedy DPP: the paper's algorithm in numpy (one list at a time) vs batched ``greedy_dpp``.

Same inputs for both: per list, quality ``q`` [N] and unit features ``F`` [N, D];
kernel ``L = diag(q) F Fᵀ diag(q)`` in float32. Where the dense kernels of a batch
would exceed ``--max-dense-gb`` both sides use the low-rank form instead (the numpy
reference computes each kernel row ``q_j q ⊙ F f_j`` on demand; the torch side is
``greedy_dpp_lowrank``), and the table says so.

    python benchmarks/ranker_dpp_bench.py                  # CPU, all sizes
    python benchmarks/ranker_dpp_bench.py --device cuda    # on a GPU
    python benchmarks/ranker_dpp_bench.py --quick          # small sizes only
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import platform
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from assistant.core.device import resolve_device
from ranker import greedy_dpp, greedy_dpp_lowrank

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results"


def paper_dpp(row, diag: np.ndarray, k: int, eps: float = 1e-10) -> list[int]:
    """Algorithm 1 of Chen, Zhang & Zhou (NeurIPS 2018), one list; ``row(j)`` gives L[j, :]."""
    n = diag.shape[0]
    cis = np.zeros((k, n))
    di2s = diag.astype(np.float64).copy()
    selected: list[int] = []
    j = int(np.argmax(di2s))
    if di2s[j] < eps:
        return selected
    selected.append(j)
    while len(selected) < k:
        t = len(selected) - 1
        eis = (row(j) - cis[:t, j] @ cis[:t, :]) / math.sqrt(di2s[j])
        cis[t, :] = eis
        di2s -= eis**2
        di2s[j] = -np.inf
        j = int(np.argmax(di2s))
        if di2s[j] < eps:
            break
        selected.append(j)
    return selected


def reference(q: np.ndarray, f: np.ndarray, kernel: np.ndarray | None, k: int) -> list[list[int]]:
    out = []
    for b in range(q.shape[0]):
        if kernel is not None:
            lb = kernel[b]
            out.append(paper_dpp(lambda j, lb=lb: lb[j], np.diagonal(lb), k))
        else:
            qb, fb = q[b], f[b]
            out.append(
                paper_dpp(
                    lambda j, qb=qb, fb=fb: qb[j] * qb * (fb @ fb[j]), qb * qb * (fb * fb).sum(1), k
                )
            )
    return out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_torch(fn, device: torch.device, repeat: int) -> tuple[float, torch.Tensor]:
    out = fn()  # warm-up
    _sync(device)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        _sync(device)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000, out


def run_case(
    b: int,
    n: int,
    k: int,
    d: int,
    device: torch.device,
    max_dense_gb: float,
    ref: bool,
    seed: int = 0,
) -> dict:
    rng = np.random.default_rng(seed)
    q = rng.uniform(0.1, 1.0, size=(b, n)).astype(np.float32)
    f = rng.normal(size=(b, n, d)).astype(np.float32)
    f /= np.linalg.norm(f, axis=2, keepdims=True)
    dense_gb = b * n * n * 4 / 1e9
    mode = "dense" if dense_gb <= max_dense_gb else "lowrank"
    kernel = None
    if mode == "dense":
        kernel = q[:, :, None] * np.einsum("bnd,bmd->bnm", f, f) * q[:, None, :]
    row: dict = {
        "B": b,
        "N": n,
        "k": k,
        "D": d,
        "mode": mode,
        "dense_kernel_gb": round(dense_gb, 3),
    }
    repeat = 7 if b * n <= 100_000 else 2
    if mode == "dense":
        kt = torch.from_numpy(kernel).to(device)
        ms, got = time_torch(lambda: greedy_dpp(kt, k), device, repeat)
    else:
        qt, ft = torch.from_numpy(q).to(device), torch.from_numpy(f).to(device)
        ms, got = time_torch(lambda: greedy_dpp_lowrank(qt, ft, k), device, repeat)
    row["torch_ms"] = round(ms, 3)
    if ref:
        times = []
        for _ in range(repeat if b * n <= 100_000 else 1):
            start = time.perf_counter()
            lists = reference(q, f, kernel, k)
            times.append(time.perf_counter() - start)
        row["numpy_ref_ms"] = round(float(np.median(times)) * 1000, 3)
        row["speedup"] = round(row["numpy_ref_ms"] / ms, 2)
        padded = np.array([s + [-1] * (k - len(s)) for s in lists])
        row["identical_lists"] = float(np.mean(np.all(padded == got.cpu().numpy(), axis=1)))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    parser.add_argument(
        "--max-dense-gb", type=float, default=1.0, help="largest batch of dense kernels to build"
    )
    parser.add_argument("--dim", type=int, default=64, help="feature dimension D")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    sizes = [(b, n, k) for b in (1, 64, 1024) for n in (100, 1000, 5000) for k in (10, 50)]
    if args.quick:
        sizes = [s for s in sizes if s[0] * s[1] <= 64_000]
    extra = [] if args.quick else [(1, 20_000, 10), (1, 20_000, 50), (64, 20_000, 50)]
    rows = []
    for b, n, k in tqdm(sizes + extra, desc="cases"):
        row = run_case(b, n, k, args.dim, device, args.max_dense_gb, ref=True)
        if (b, n, k) in extra:
            row["note"] = "low-rank at N=20,000: no N x N matrix"
        elif row["mode"] == "lowrank":
            row["note"] = (
                f"dense kernels would take {row['dense_kernel_gb']} GB (> {args.max_dense_gb} GB): low-rank on both sides"
            )
        rows.append(row)
        logger.info(json.dumps(row))
    out = args.out or RESULTS / f"ranker_dpp_{device.type}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "device": str(device),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
    }
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    header = "| B | N | k | mode | numpy ref (ms) | greedy_dpp (ms) | speedup | identical |"
    lines = [header, "|" + "---|" * 8]
    for r in rows:
        lines.append(
            f"| {r['B']} | {r['N']} | {r['k']} | {r['mode']} | {r['numpy_ref_ms']:.1f} | "
            f"{r['torch_ms']:.1f} | {r['speedup']:.1f}x | {r['identical_lists']:.2f} |"
        )
    print("\n".join(lines))  # noqa: T201 - a script's table
    logger.info("wrote %s", out)


if __name__ == "__main__":
    main()
