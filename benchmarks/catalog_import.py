"""Catalogue import speed and memory: a generated CSV into a fresh SQLite store.

    python benchmarks/catalog_import.py [--rows 200000]

Prints and writes ``benchmarks/results/catalog_import.json``: rows/s of a plain
run, then the peak traced Python memory (tracemalloc) of a second run into
another fresh database, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.store.db import make_engine, session_scope  # noqa: E402
from assistant.store.migrate import upgrade  # noqa: E402
from retrieval.catalog import import_catalog  # noqa: E402

MAP = ["id=sku", "title=name", "price=cost", "category=dept", "brand=maker", "description=blurb"]


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("sku,name,cost,dept,maker,colour,size,blurb\n")
        for i in range(rows):
            fh.write(
                f"S{i:07d},Product {i},{(i % 997) / 7:.2f},Dept {i % 40},Brand {i % 90},"
                f"c{i % 12},s{i % 6},a short description of item {i}\n"
            )


def run_once(csv_path: Path, db_path: Path) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{db_path}")
    upgrade(engine=engine)
    start = time.perf_counter()
    with session_scope(engine) as session:
        report = import_catalog(csv_path, mapping=MAP, session=session)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, report.imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "catalog_import.json"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        csv_path = tmp_path / "catalog.csv"
        write_csv(csv_path, args.rows)
        seconds, imported = run_once(csv_path, tmp_path / "plain.db")
        tracemalloc.start()
        traced_seconds, _ = run_once(csv_path, tmp_path / "traced.db")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {
            "rows": args.rows,
            "imported": imported,
            "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
            "seconds": round(seconds, 2),
            "rows_per_s": round(imported / seconds),
            "peak_traced_mb": round(peak / 2**20, 1),
            "seconds_with_tracemalloc": round(traced_seconds, 2),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "database": "sqlite (WAL), one transaction",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
