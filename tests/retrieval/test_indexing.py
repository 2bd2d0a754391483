"""Index build from the database: embedding cache, catalogue version, incremental updates."""

from __future__ import annotations

import numpy as np
import pytest
from retrieval_helpers import SHOP, add_products

from assistant.errors import UserError
from retrieval.types import Filters, RetrievalQuery


def ids(results):
    return [c.id for c in results]


def test_rebuild_of_unchanged_catalogue_encodes_nothing(shop, fake_embedder):
    from retrieval.indexing import build_indexes

    first = build_indexes(progress=False)
    assert first["products"] == len(SHOP) and first["catalog_version"] == 1
    assert fake_embedder.texts_encoded == len(SHOP)
    calls = fake_embedder.encode_calls
    build_indexes(progress=False)
    assert fake_embedder.encode_calls == calls  # every vector came from the cache

    add_products(shop, [{**SHOP[0], "description": "Now with a rock plate."}], version=2)
    build_indexes(progress=False)
    assert fake_embedder.texts_encoded == len(SHOP) + 1  # only the changed product


def test_stale_index_is_refused_with_rebuild_hint(shop, fake_embedder):
    from retrieval.indexing import build_indexes
    from retrieval.service import SearchService

    build_indexes(progress=False)
    add_products(shop, [], version=5)
    with pytest.raises(UserError, match=r"version 1 .* version 5.*aisle index build"):
        SearchService().search(RetrievalQuery("shoes"))


def test_missing_index_is_refused_with_rebuild_hint(shop, fake_embedder):
    from retrieval.service import SearchService

    with pytest.raises(UserError, match="aisle index build"):
        SearchService().warm_up()


def test_incremental_add_update_remove(shop, fake_embedder):
    from assistant.store.db import session_scope
    from assistant.store.models import Product
    from retrieval.indexing import build_indexes, read_manifest, sync_indexes
    from retrieval.service import SearchService

    build_indexes(progress=False)
    encoded = fake_embedder.texts_encoded
    new = dict(
        id="p7",
        title="Ultralight tent",
        category="Camping",
        brand="Nemo",
        price=300.0,
        available=True,
        attributes={"color": "green"},
        description="Two person tent.",
    )
    add_products(shop, [new, {**SHOP[1], "price": 55.0}], version=2)
    with session_scope(shop) as s:
        s.delete(s.get(Product, "p4"))
    report = sync_indexes()
    assert report == {"catalog_version": 2, "added_or_updated": 2, "removed": 1}
    assert fake_embedder.texts_encoded == encoded + 1  # p2's text did not change: cached
    assert read_manifest(SearchService().settings.index_dir / "products")["catalog_version"] == 2

    service = SearchService()
    assert ids(service.search(RetrievalQuery("ultralight tent", k=1))) == ["p7"]
    assert "p4" not in ids(service.search(RetrievalQuery("espresso machine", k=10)))
    cheap = service.search(RetrievalQuery("running shoes", Filters(max_price=60), k=10))
    assert "p2" in ids(cheap) and all(c.price <= 60 for c in cheap)
    assert next(c for c in cheap if c.id == "p2").price == 55.0
    total = service.search(RetrievalQuery("item", k=100))
    assert len(total) <= 6 and len(set(ids(total))) == len(total)


def test_service_embeddings_and_encode(shop, fake_embedder):
    from retrieval.indexing import build_indexes
    from retrieval.service import SearchService

    build_indexes(progress=False)
    service = SearchService()
    emb = service.embeddings(["p3", "p1"])
    assert emb.shape == (2, fake_embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(emb[0], fake_embedder.encode([_text("p3")])[0], rtol=1e-5)
    with pytest.raises(UserError, match="unknown product id"):
        service.embeddings(["nope"])
    assert service.encode(["a", "b"]).shape == (2, fake_embedder.dim)


def _text(pid):
    from retrieval.indexing import record_text
    from retrieval.table import ProductRecord

    row = next(r for r in SHOP if r["id"] == pid)
    return record_text(ProductRecord(**{k: v for k, v in row.items()}))


def test_search_filters_on_db_catalogue(shop, fake_embedder):
    from retrieval.indexing import build_indexes
    from retrieval.service import SearchService

    build_indexes(progress=False)
    service = SearchService()
    got = service.search(RetrievalQuery("shoes", Filters(options=(("COLOR", ("BLUE",)),)), k=10))
    assert set(ids(got)) == {"p1", "p6"}  # option values match case-insensitively
    got = service.search(RetrievalQuery("coffee", Filters(options=(("capacity", ("10 cups",)),))))
    assert ids(got) == ["p5"]  # list-valued attribute
    got = service.search(RetrievalQuery("boots", Filters(available_only=True), k=10))
    assert "p3" not in ids(got)
    got = service.search(RetrievalQuery("shoes", Filters(min_price=95.0, max_price=120.0), k=10))
    assert set(ids(got)) == {"p1", "p2"}  # both bounds inclusive
    got = service.search(RetrievalQuery("", Filters(categories=("kitchen",)), k=10))
    assert set(ids(got)) == {"p4", "p5"}  # no text: browse the filtered products


def test_empty_catalogue_builds_and_answers_nothing(engine, fake_embedder):
    from retrieval.indexing import build_indexes
    from retrieval.policy import PolicyIndex
    from retrieval.service import SearchService

    summary = build_indexes(progress=False)
    assert summary["products"] == 0 and summary["passages"] == 0
    assert SearchService().search(RetrievalQuery("anything")) == []
    assert PolicyIndex().search("refund") == []


def test_index_from_another_tokenizer_or_model_is_refused(shop, fake_embedder):
    import json

    from assistant.settings import get_settings
    from retrieval.indexing import build_indexes, load_hybrid

    build_indexes(progress=False)
    directory = get_settings().index_dir / "products"
    manifest = json.loads((directory / "manifest.json").read_text())
    with pytest.raises(UserError, match="embedding model.*aisle index build"):
        load_hybrid(directory, model="another-model")
    (directory / "manifest.json").write_text(json.dumps({**manifest, "tokenizer": "old"}))
    with pytest.raises(UserError, match="tokenizer 'old'.*aisle index build"):
        load_hybrid(directory)


def test_repeated_query_text_is_encoded_once(shop, fake_embedder):
    from retrieval.indexing import build_indexes
    from retrieval.service import SearchService

    build_indexes(progress=False)
    service = SearchService(query_cache=2)
    calls = fake_embedder.encode_calls
    service.search(RetrievalQuery("running shoes"))
    service.search(RetrievalQuery("running shoes", Filters(max_price=100)))  # "cheaper"
    assert fake_embedder.encode_calls == calls + 1
    service.search(RetrievalQuery("coffee"))
    service.search(RetrievalQuery("tent"))  # evicts "running shoes"
    service.search(RetrievalQuery("running shoes"))
    assert fake_embedder.encode_calls == calls + 4
