"""``SearchService``: the retrieval step the assistant and ``aisle search`` call.

Cheap constructor, explicit ``warm_up()`` (loads the embedder once per process
and the saved indexes). ``search`` returns the best k candidates satisfying the
filters exactly; ordering for display is the ranker's job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from assistant.core.errors import UserError
from assistant.core.settings import Settings, get_settings
from retrieval import backends
from retrieval.embedder import Embedder
from retrieval.hybrid import HybridIndex
from retrieval.indexing import catalog_version, load_hybrid, sync_indexes
from retrieval.types import Candidate, RetrievalQuery

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 2.0


class SearchService:
    """Hybrid product search over the indexes in ``settings.index_dir``.

    Args:
        settings: defaults to ``get_settings()``.
        auto_sync: when the catalogue version moved past the saved index, update
            the index incrementally instead of refusing with a rebuild hint.
        query_cache: how many query vectors to keep (a refinement such as "cheaper"
            searches the same text again with other filters); 0 disables.
    """

    def __init__(
        self, settings: Settings | None = None, *, auto_sync: bool = False, query_cache: int = 256
    ) -> None:
        self.settings = settings or get_settings()
        self.auto_sync = auto_sync
        self.query_cache = query_cache
        self._qvecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._embedder: Embedder | None = None
        self._index: HybridIndex | None = None
        self._version: int | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_index(
        cls,
        index: HybridIndex,
        embedder: Embedder,
        settings: Settings | None = None,
        query_cache: int = 256,
    ) -> SearchService:
        """A service over an in-memory index (benchmarks, tests): no database, no version check."""
        service = cls(settings, query_cache=query_cache)
        service._index, service._embedder, service._version = index, embedder, -1
        service._checked_at = float("inf")
        return service

    # ---- loading -------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = backends.make_embedder(self.settings)
        return self._embedder

    def _db_version(self) -> int:
        with backends.session_scope(self.settings) as session:
            return catalog_version(session)

    def _load(self, version: int) -> None:
        directory = self.settings.index_dir / "products"
        try:
            self._index = load_hybrid(
                directory, expect_version=version, model=self.embedder.model_key
            )
        except UserError:
            if not self.auto_sync:
                raise
            sync_indexes(self.settings)
            self._index = load_hybrid(
                directory, expect_version=version, model=self.embedder.model_key
            )
        self._version = version
        logger.info("loaded search index v%d (%d products)", version, self._index.table.n_alive)

    def index(self) -> HybridIndex:
        """The loaded index; reloaded when the catalogue version changed (checked every 2 s)."""
        now = time.monotonic()
        with self._lock:
            if self._index is None or (
                self._version != -1 and now - self._checked_at > VERSION_CHECK_SECONDS
            ):
                version = self._db_version()
                if self._index is None or version != self._version:
                    self._load(version)
                self._checked_at = now
            assert self._index is not None
            return self._index

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self.index()

    # ---- public API ----------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``[n, D]`` unit-norm float32 embeddings of ``texts``."""
        return self.embedder.encode(list(texts))

    def embeddings(self, ids: Sequence[str]) -> np.ndarray:
        """``[n, D]`` unit-norm product embeddings in the order of ``ids``."""
        index = self.index()
        rows = []
        for pid in ids:
            row = index.table.row_of.get(str(pid))
            if row is None:
                raise UserError(f"unknown product id {pid!r}: not in the search index")
            rows.append(row)
        return index.vectors[np.asarray(rows, dtype=np.int64)].reshape(len(rows), -1)

    def _query_vector(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._qvecs.get(text)
            if vec is not None:
                self._qvecs.move_to_end(text)
                return vec
        vec = self.embedder.encode([text])[0]
        if self.query_cache > 0:
            with self._lock:
                self._qvecs[text] = vec
                while len(self._qvecs) > self.query_cache:
                    self._qvecs.popitem(last=False)
        return vec

    def search(self, query: RetrievalQuery) -> list[Candidate]:
        """Best ``query.k`` products satisfying ``query.filters`` (fused score, best first)."""
        index = self.index()
        text = query.text.strip()
        qvec = self._query_vector(text) if text else None
        hits = index.search(qvec, text, query.filters, query.k)
        out = []
        for h in hits:
            rec = index.table.records[h.row]
            out.append(
                Candidate(
                    id=rec.id,
                    title=rec.title,
                    category=rec.category,
                    brand=rec.brand,
                    price=rec.price,
                    available=rec.available,
                    score=h.score,
                    dense_score=h.dense,
                    lexical_score=h.lexical,
                    attributes=dict(rec.attributes),
                )
            )
        return out
