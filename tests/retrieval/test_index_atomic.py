"""Atomic index rebuilds: a new generation is written beside the live one and swapped in by
one rename; one builder per home at a time (``.build.lock``); readers always load a whole
index, old or new, checked here against an exact search over the catalogue it was built from.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import threading
import time

import pytest
from retrieval_helpers import SHOP, FakeEmbedder, add_products

from assistant.cli import main
from assistant.settings import get_settings

FORK = multiprocessing.get_context("fork")
WORDS = "trail road running shoes jacket rain coffee grinder tent stove lamp wool socks kettle".split()


def catalogue(n: int, start: int = 0) -> list[dict]:
    rnd = random.Random(start)
    return [
        dict(id=f"q{i:05d}", title=" ".join(rnd.sample(WORDS, 3)), category="Things",
             brand=rnd.choice(["Acme", "Zoom", "Nord"]), price=float(rnd.randint(5, 300)),
             available=True, attributes={"color": rnd.choice(["red", "blue"])},
             description=" ".join(rnd.sample(WORDS, 5)))
        for i in range(start, start + n)
    ]  # fmt: skip


def exact_top(rows: list[dict], query: str, k: int = 10) -> list[str]:
    """The k nearest products to ``query`` by brute force over the catalogue's own texts."""
    from assistant.store.models import Product
    from retrieval.indexing import record_text
    from retrieval.table import ProductRecord

    emb = FakeEmbedder()
    recs = sorted((ProductRecord.from_product(Product(**r)) for r in rows), key=lambda r: r.id)
    vecs = emb.encode([record_text(r) for r in recs])
    scores = vecs @ emb.encode([query])[0]
    order = sorted(range(len(recs)), key=lambda i: (-scores[i], recs[i].id))[:k]
    return [recs[i].id for i in order]


def loaded_top(index, query: str, k: int = 10) -> list[str]:
    q = FakeEmbedder().encode([query])[0]
    scores, rows = index.dense.search(q[None, :], k)
    pairs = sorted(zip(scores[0].tolist(), rows[0].tolist(), strict=True),
                   key=lambda sr: (-round(sr[0], 5), index.table.records[sr[1]].id))  # fmt: skip
    return [index.table.records[r].id for _, r in pairs]


def test_a_rebuild_swaps_in_a_new_generation_and_keeps_the_one_before(shop, fake_embedder):
    from retrieval.indexing import build_indexes, load_hybrid

    index_dir = get_settings().index_dir
    for _ in range(4):
        build_indexes(progress=False)
    for name in ("products", "policy"):
        link = index_dir / name
        assert link.is_symlink() and link.resolve().parent == index_dir.resolve()
        generations = [p for p in index_dir.glob(f".{name}-*") if p.is_dir()]
        assert len(generations) == 2  # the live one and the one before it
    assert not list(index_dir.glob(".*-tmp-*")) and not list(index_dir.glob(".*-link-*"))
    assert len(load_hybrid(index_dir / "products").table) == len(SHOP)


def test_a_home_from_before_atomic_rebuilds_moves_over(shop, fake_embedder):
    from retrieval.indexing import build_indexes, load_hybrid, save_hybrid

    build_indexes(progress=False)
    index_dir = get_settings().index_dir
    old = load_hybrid(index_dir / "products")
    for name in ("products", "policy"):  # the old layout: plain folders
        target = (index_dir / name).resolve()
        (index_dir / name).unlink()
        target.rename(index_dir / name)
    save_hybrid(old, index_dir / "products", version=1, model="fake-bow")
    assert not (index_dir / "products").is_symlink()
    build_indexes(progress=False)
    assert (index_dir / "products").is_symlink() and (index_dir / "policy").is_symlink()
    assert len(load_hybrid(index_dir / "products").table) == len(SHOP)


def test_a_failed_build_leaves_the_live_index(shop, fake_embedder, monkeypatch):
    from retrieval import indexing

    indexing.build_indexes(progress=False)
    live = (get_settings().index_dir / "products").resolve()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(indexing, "save_hybrid", broken)
    with pytest.raises(OSError, match="disk full"):
        indexing.build_indexes(progress=False)
    assert (get_settings().index_dir / "products").resolve() == live
    assert not list(get_settings().index_dir.glob(".*-tmp-*"))
    assert len(indexing.load_hybrid(get_settings().index_dir / "products").table) == len(SHOP)


def _hold_lock(index_dir, held, release) -> None:
    from retrieval.indexing import build_lock

    with build_lock(index_dir):
        held.set()
        release.wait(30)


def test_a_second_build_exits_2_with_one_line_or_waits(shop, fake_embedder, capsys):
    index_dir = get_settings().index_dir
    held, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(index_dir, held, release))
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(SystemExit) as exit_info:
            main(["index", "build"])
        err = capsys.readouterr().err.strip()
        assert exit_info.value.code == 2
        assert err.count("\n") == 0 and "another index build is running" in err
        assert f"pid {holder.pid}" in err
        assert not (index_dir / "products").exists()  # it wrote nothing

        done: list[int] = []

        def waiting_build():
            try:
                main(["index", "build", "--wait"])
            except SystemExit as e:
                done.append(int(e.code or 0))

        thread = threading.Thread(target=waiting_build)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive() and not done  # waits while the other build holds the lock
        release.set()
        thread.join(30)
        assert done == [0] and (index_dir / "products" / "manifest.json").exists()
    finally:
        release.set()
        holder.join(30)


def _build_in_child(log_path: str, rounds: int) -> None:
    from assistant.store.db import get_engine
    from retrieval import indexing

    get_engine.cache_clear()  # no connection shared with the parent
    inner = indexing._build_indexes

    def timed(settings, progress):
        start = time.time()
        try:
            return inner(settings, progress)
        finally:
            with open(log_path, "a") as f:
                f.write(json.dumps([os.getpid(), start, time.time()]) + "\n")

    indexing._build_indexes = timed
    for _ in range(rounds):
        indexing.build_indexes(progress=False)


def test_two_builders_and_a_reader(engine, fake_embedder, tmp_path):
    """Two processes rebuild at once (the lock takes them in turn) while this one keeps loading
    the index: every load is a whole index of one catalogue version, equal to an exact search."""
    from retrieval.indexing import build_indexes, load_hybrid, read_manifest

    v1 = catalogue(1500)
    add_products(engine, v1, version=1)
    build_indexes(progress=False)
    v2 = v1 + catalogue(700, start=1500)
    add_products(engine, v2[1500:], version=2)
    query = "rain jacket wool socks"
    expected = {1: exact_top(v1, query), 2: exact_top(v2, query)}
    assert expected[1] != expected[2]

    log = tmp_path / "builds.jsonl"
    builders = [FORK.Process(target=_build_in_child, args=(str(log), 3)) for _ in range(2)]
    for b in builders:
        b.start()
    link = get_settings().index_dir / "products"
    seen = {1: 0, 2: 0}
    while any(b.is_alive() for b in builders):
        index = load_hybrid(link)
        rows = len(index.table)
        version = {1500: 1, 2200: 2}.get(rows)
        assert version is not None, f"an index with {rows} rows"
        assert index.dense.ntotal == rows == len(index.vectors) == len(index.lexical.scores("rain"))
        assert loaded_top(index, query) == expected[version]
        seen[version] += 1
    for b in builders:
        b.join(30)
        assert b.exitcode == 0
    spans = sorted(json.loads(line)[1:] for line in log.read_text().splitlines())
    assert len(spans) == 6
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # never two at once
    assert seen[2] > 0  # the reader saw the new index while the builds ran
    final = load_hybrid(link, expect_version=2)
    assert loaded_top(final, query) == expected[2]
    assert read_manifest(link)["rows"] == 2200
