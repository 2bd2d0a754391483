"""Streaming: a 200k-row CSV imports in a fresh process whose peak memory barely grows.

Peak RSS is read in a subprocess (so earlier tests cannot hide growth). Holding the
rows would cost hundreds of MB (one dict + one ProductRow per row, ~1.5 kB each);
streaming keeps the growth to the SQLite page cache and one batch. The tracemalloc
peak of the same import is measured by ``benchmarks/catalog_import.py`` (2.7 MB at
200k rows, as at 20k) — too slow under tracemalloc for the test suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.settings import PROJECT_ROOT

ROWS = 200_000
GROWTH_LIMIT_MB = 60

SCRIPT = """
import json, resource, sys
from assistant.store.db import make_engine, session_scope
from assistant.store.migrate import upgrade
from retrieval.catalog import import_catalog
import retrieval.catalog.readers, tqdm.auto  # everything imported before the baseline

engine = make_engine(sys.argv[2])
upgrade(engine=engine)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
mapping = ["id=sku", "title=name", "price=cost", "category=dept", "brand=maker", "description=blurb"]
with session_scope(engine) as session:
    report = import_catalog(sys.argv[1], mapping=mapping, session=session)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"imported": report.imported, "rejected": len(report.rejected),
                  "growth_mb": (after - before) / 1024}))
"""


def write_csv(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("sku,name,cost,dept,maker,colour,size,blurb\n")
        for i in range(rows):
            fh.write(
                f"S{i:07d},Product {i},{(i % 997) / 7:.2f},Dept {i % 40},Brand {i % 90},"
                f"c{i % 12},s{i % 6},a short description of item {i}\n"
            )


@pytest.mark.slow
def test_200k_rows_stream_with_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    write_csv(path, ROWS)
    db = tmp_path / "big.db"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), f"sqlite:///{db}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (result["imported"], result["rejected"]) == (ROWS, 0)

    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from products").fetchone() == (ROWS,)
        i = ROWS - 1
        title, price, attributes = conn.execute(
            "select title, price, attributes from products where id = ?", (f"S{i:07d}",)
        ).fetchone()
    assert (title, price) == (f"Product {i}", round((i % 997) / 7, 2))
    assert json.loads(attributes) == {"colour": f"c{i % 12}", "size": f"s{i % 6}"}
    assert result["growth_mb"] < GROWTH_LIMIT_MB, result
