"""Streaming: a 200k-row CSV imports with bounded memory (tracemalloc peak)."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from assistant.store.db import session_scope
from assistant.store.models import Product
from retrieval.catalog import import_catalog

ROWS = 200_000
PEAK_LIMIT_MB = 40  # the file itself is ~16 MB; holding all rows as dicts would need ~400 MB


def write_csv(path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("sku,name,cost,dept,maker,colour,size,blurb\n")
        for i in range(rows):
            fh.write(
                f"S{i:07d},Product {i},{(i % 997) / 7:.2f},Dept {i % 40},Brand {i % 90},"
                f"c{i % 12},s{i % 6},a short description of item {i}\n"
            )


@pytest.mark.slow
def test_200k_rows_stream_with_bounded_memory(engine, tmp_path):
    path = tmp_path / "big.csv"
    write_csv(path, ROWS)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        report = import_catalog(
            path,
            mapping=[
                "id=sku",
                "title=name",
                "price=cost",
                "category=dept",
                "brand=maker",
                "description=blurb",
            ],
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    assert (report.imported, report.rejected) == (ROWS, [])
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Product)) == ROWS
        i = ROWS - 1
        last = s.get(Product, f"S{i:07d}")
        assert (last.title, last.price) == (f"Product {i}", round((i % 997) / 7, 2))
        assert last.attributes == {"colour": f"c{i % 12}", "size": f"s{i % 6}"}
    peak_mb = peak / 2**20
    print(
        f"\n{ROWS} rows in {seconds:.1f}s ({ROWS / seconds:,.0f} rows/s), peak traced memory {peak_mb:.1f} MB"
    )
    assert peak_mb < PEAK_LIMIT_MB
