"""Build, save, load and incrementally update the retrieval indexes under ``settings.index_dir``.

Layout: ``products/`` holds ``manifest.json`` (catalogue version, model, index type,
counts), ``products.jsonl`` (table rows), ``vectors.npy`` (row vectors), ``dense.faiss`` and
``bm25/``; ``policy/`` the policy passages; ``embcache/`` embeddings by content hash.

Rebuilds are atomic: ``products`` and ``policy`` are symbolic links to complete, never
modified generation folders (``.products-<ns>``). A build writes a new generation beside the
live one and renames a new link over the old one, so a reader that resolves the link once
(``live_folder``) sees a whole index, old or new. Builders hold ``.build.lock`` (an
``flock``), so two processes never build at once: the second waits, or with ``wait=False``
gets ``IndexBusy``. The generation before the live one is kept for readers still on it
(``retrieval.generations``).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.core.errors import UserError
from assistant.core.settings import Settings, get_settings
from retrieval import backends
from retrieval.embedder import Embedder, EmbeddingCache
from retrieval.generations import build_lock, publish, read_consistently
from retrieval.hybrid import HybridIndex
from retrieval.lexical import LexicalIndex
from retrieval.policy import build_policy_index
from retrieval.table import ProductRecord, ProductTable
from retrieval.text import TOKENIZER_VERSION, product_text
from retrieval.vector_index import VectorIndex, choose_index_type

logger = logging.getLogger(__name__)

FORMAT = 1
REBUILD_HINT = "run `aisle index build`"


def record_text(rec: ProductRecord) -> str:
    return product_text(
        rec.title, rec.category, rec.brand, rec.attributes, rec.description, rec.subcategory
    )


def catalog_version(session: Session) -> int:
    from assistant.core.models import CatalogState

    state = session.get(CatalogState, 1)
    return int(state.version) if state is not None else 0


def read_records(session: Session) -> list[ProductRecord]:
    from assistant.core.models import Product

    return [
        ProductRecord.from_product(p) for p in session.scalars(select(Product).order_by(Product.id))
    ]


def build_hybrid(
    records: Sequence[ProductRecord],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    *,
    index_type: str = "auto",
    progress: bool = False,
) -> HybridIndex:
    """Build every product index in memory from ``records``."""
    table = ProductTable.from_records(records)
    texts = [record_text(r) for r in records]
    if cache is not None:
        vectors = cache.embed(embedder, texts, progress=progress)
    else:
        vectors = embedder.encode(texts, progress=progress)
    dim = vectors.shape[1] if len(vectors) else embedder.dim
    dense = VectorIndex(dim, choose_index_type(len(records), index_type))
    dense.add(vectors)
    lexical = LexicalIndex.build(texts, progress=progress)
    return HybridIndex(table, vectors.reshape(-1, dim), dense, lexical)


def save_hybrid(index: HybridIndex, directory: Path, *, version: int, model: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    index.table.save(directory / "products.jsonl")
    np.save(directory / "vectors.npy", index.vectors)
    index.dense.save(directory / "dense.faiss")
    bm = directory / "bm25"
    if bm.exists():
        shutil.rmtree(bm)
    bm.mkdir()
    index.lexical.save(bm)
    manifest = {
        "format": FORMAT,
        "catalog_version": version,
        "model": model,
        "dim": int(index.vectors.shape[1]) if index.vectors.ndim == 2 else 0,
        "index_type": index.dense.kind,
        "tokenizer": TOKENIZER_VERSION,
        "rows": len(index.table),
        "products": index.table.n_alive,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))


def read_manifest(directory: Path) -> dict[str, Any] | None:
    path = directory / "manifest.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def load_hybrid(
    directory: Path, *, expect_version: int | None = None, model: str | None = None
) -> HybridIndex:
    """Load the saved indexes; refuse (UserError) when stale or built with another model.

    Every file comes from the one generation ``directory`` points at when loading starts.
    """
    return read_consistently(
        Path(directory),
        lambda folder: _load_folder(folder, expect_version=expect_version, model=model),
    )


def _load_folder(
    directory: Path, *, expect_version: int | None, model: str | None
) -> HybridIndex:
    manifest = read_manifest(directory)
    if manifest is None:
        raise UserError(f"no search index in {directory}: {REBUILD_HINT}")
    if manifest.get("format") != FORMAT:
        raise UserError(f"search index in {directory} has an old format: {REBUILD_HINT}")
    if expect_version is not None and manifest["catalog_version"] != expect_version:
        raise UserError(
            f"search index was built from catalogue version {manifest['catalog_version']} "
            f"but the catalogue is at version {expect_version}: {REBUILD_HINT}"
        )
    if model is not None and manifest["model"] != model:
        raise UserError(
            f"search index was built with embedding model {manifest['model']!r}, "
            f"settings say {model!r}: {REBUILD_HINT}"
        )
    if manifest.get("tokenizer") != TOKENIZER_VERSION:
        raise UserError(
            f"search index in {directory} was built with tokenizer {manifest.get('tokenizer')!r}, "
            f"this version uses {TOKENIZER_VERSION!r}: {REBUILD_HINT}"
        )
    table = ProductTable.load(directory / "products.jsonl")
    vectors = np.load(directory / "vectors.npy")
    dense = VectorIndex.load(directory / "dense.faiss", manifest["index_type"])
    lexical = LexicalIndex.load(directory / "bm25")
    return HybridIndex(table, vectors, dense, lexical)


def apply_changes(
    index: HybridIndex,
    records: Sequence[ProductRecord],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    *,
    progress: bool = False,
) -> dict[str, int]:
    """Bring ``index`` in line with ``records`` without a full rebuild.

    New and changed products are appended as new rows (old rows tombstoned),
    removed ones are tombstoned; BM25 is re-indexed over the alive rows' text.
    """
    table = index.table
    current = {r.id: r for r in records}
    changed = [
        r for r in records if (row := table.row_of.get(r.id)) is None or table.records[row] != r
    ]
    removed = [pid for pid in list(table.row_of) if pid not in current]
    for pid in removed:
        table.remove(pid)
    if changed:
        texts = [record_text(r) for r in changed]
        vecs = cache.embed(embedder, texts, progress=progress) if cache else embedder.encode(texts)
        for r in changed:
            table.append(r)
        index.dense.add(vecs)
        index.vectors = np.concatenate([index.vectors.reshape(-1, vecs.shape[1]), vecs])
    if changed or removed:
        alive = table.alive
        texts = [record_text(r) if alive[i] else "" for i, r in enumerate(table.records)]
        index.lexical = LexicalIndex.build(texts, progress=progress)
    return {"added_or_updated": len(changed), "removed": len(removed)}


def build_indexes(
    settings: Settings | None = None, progress: bool = True, *, wait: bool = True
) -> dict[str, Any]:
    """(Re)build every retrieval index for the current catalogue (``aisle index build``).

    Embeddings come from the content-hash cache where present, so rebuilding an
    unchanged catalogue encodes nothing. Holds the build lock (``wait=False``: ``IndexBusy``
    when another process builds) and swaps each index in whole. Returns a summary dict.
    """
    settings = settings or get_settings()
    with build_lock(settings.index_dir, wait=wait):
        return _build_indexes(settings, progress)


def _build_indexes(settings: Settings, progress: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    with backends.session_scope(settings) as session:
        version = catalog_version(session)
        records = read_records(session)
    embedder = backends.make_embedder(settings)
    cache = EmbeddingCache(settings.index_dir, embedder.model_key)
    hybrid = build_hybrid(
        records, embedder, cache, index_type=settings.index_type, progress=progress
    )
    cache.save()
    publish(
        settings.index_dir,
        "products",
        lambda folder: save_hybrid(hybrid, folder, version=version, model=embedder.model_key),
    )
    passages = build_policy_index(settings, embedder=embedder, cache=cache, progress=progress)
    cache.save()
    summary = {
        "products": len(records),
        "catalog_version": version,
        "index_type": hybrid.dense.kind,
        "encoded": embedder.encode_calls,
        "passages": passages,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    logger.info("built indexes: %s", summary)
    return summary


def sync_indexes(settings: Settings | None = None, progress: bool = False) -> dict[str, Any]:
    """Incrementally update the saved product index to the current catalogue and its version.

    Holds the build lock (waiting for another builder) and swaps the updated index in whole.
    """
    settings = settings or get_settings()
    with build_lock(settings.index_dir, wait=True):
        return _sync_indexes(settings, progress)


def _sync_indexes(settings: Settings, progress: bool) -> dict[str, Any]:
    products_dir = settings.index_dir / "products"
    with backends.session_scope(settings) as session:
        version = catalog_version(session)
        records = read_records(session)
    embedder = backends.make_embedder(settings)
    try:
        hybrid = load_hybrid(products_dir, model=embedder.model_key)
    except UserError:
        return _build_indexes(settings, progress)
    cache = EmbeddingCache(settings.index_dir, embedder.model_key)
    changes = apply_changes(hybrid, records, embedder, cache, progress=progress)
    cache.save()
    publish(
        settings.index_dir,
        "products",
        lambda folder: save_hybrid(hybrid, folder, version=version, model=embedder.model_key),
    )
    return {"catalog_version": version, **changes}
