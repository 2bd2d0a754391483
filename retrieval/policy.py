"""Policy / FAQ index: store documents chunked by markdown section, searched hybrid.

``PolicyIndex(settings).search(text, k=3) -> list[Passage]`` serves the
assistant's service answers with the passage text, its source and section.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval import backends
from retrieval.fusion import rrf
from retrieval.generations import build_lock, publish, read_consistently
from retrieval.lexical import LexicalIndex
from retrieval.vector_index import dot, top_k

if TYPE_CHECKING:
    from assistant.core.settings import Settings
    from retrieval.embedder import Embedder, EmbeddingCache

logger = logging.getLogger(__name__)

MAX_CHARS = 900
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Passage:
    text: str
    source: str
    section: str
    score: float


@dataclass(frozen=True)
class Chunk:
    text: str
    source: str
    section: str


def chunk_markdown(text: str, source: str, title: str = "") -> list[Chunk]:
    """Split markdown into sections (heading path ``A > B``); long sections by paragraph."""
    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        section = " > ".join(h for _, h in path) or title or source
        paras = [p.strip() for p in re.split(r"\n\s*\n", "\n".join(body)) if p.strip()]
        buf = ""
        for para in paras:
            if buf and len(buf) + len(para) + 2 > MAX_CHARS:
                chunks.append(Chunk(buf, source, section))
                buf = ""
            buf = f"{buf}\n\n{para}" if buf else para
        if buf:
            chunks.append(Chunk(buf, source, section))
        body.clear()

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            flush()
            level = len(m.group(1))
            path[:] = [(lv, h) for lv, h in path if lv < level] + [(level, m.group(2))]
        else:
            body.append(line)
    flush()
    return chunks


def _embed_text(c: Chunk) -> str:
    return f"{c.section}. {c.text}"


def read_chunks(session: Any) -> list[Chunk]:
    from sqlalchemy import select

    from assistant.core.models import Document

    out: list[Chunk] = []
    for doc in session.scalars(select(Document).order_by(Document.id)):
        out.extend(chunk_markdown(doc.text, doc.source or doc.id, doc.title))
    return out


def build_policy_index(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
    progress: bool = False,
) -> int:
    """Chunk every ``documents`` row, embed, save under ``index_dir/policy``; returns #passages.

    Holds the index build lock and swaps the new passages in whole (``generations.publish``).
    """
    with build_lock(settings.index_dir, wait=True):
        with backends.session_scope(settings) as session:
            chunks = read_chunks(session)
        embedder = embedder or backends.make_embedder(settings)
        texts = [_embed_text(c) for c in chunks]
        vecs = cache.embed(embedder, texts) if cache else embedder.encode(texts)

        def write(d: Path) -> None:
            np.save(d / "vectors.npy", vecs)
            with open(d / "passages.jsonl", "w", encoding="utf-8") as f:
                for c in chunks:
                    f.write(json.dumps(c.__dict__, ensure_ascii=False) + "\n")

        publish(settings.index_dir, "policy", write)
    return len(chunks)


def _read_passages(d: Path) -> tuple[list[Chunk], np.ndarray]:
    with open(d / "passages.jsonl", encoding="utf-8") as f:
        chunks = [Chunk(**json.loads(line)) for line in f]
    return chunks, np.load(d / "vectors.npy")


class PolicyIndex:
    """Search the store's policy passages (dense + BM25, reciprocal rank fusion)."""

    def __init__(self, settings: Settings | None = None) -> None:
        from assistant.core.settings import get_settings

        self.settings = settings or get_settings()
        self._chunks: list[Chunk] | None = None
        self._vecs: np.ndarray | None = None
        self._lexical: LexicalIndex | None = None
        self._embedder: Embedder | None = None

    def warm_up(self) -> None:
        d: Path = self.settings.index_dir / "policy"
        if not (d / "passages.jsonl").exists():
            logger.info("no policy index yet; building it from the documents table")
            build_policy_index(self.settings)
        self._chunks, self._vecs = read_consistently(d, _read_passages)
        self._lexical = LexicalIndex.build([_embed_text(c) for c in self._chunks])
        self._embedder = backends.make_embedder(self.settings)

    def search(self, text: str, k: int = 3) -> list[Passage]:
        """Best ``k`` passages for ``text`` (fused score, higher is better)."""
        if self._chunks is None:
            self.warm_up()
        assert self._chunks is not None and self._vecs is not None and self._lexical is not None
        if not self._chunks or not text.strip() or k <= 0:
            return []
        q = self._embedder.encode([text])[0]
        rows = np.arange(len(self._chunks))
        p = max(20, 2 * k)
        _, d_rows = top_k(dot(self._vecs, q), rows, p)
        lex = self._lexical.scores(text)
        hit = np.flatnonzero(lex > 0)
        _, l_rows = top_k(lex[hit], hit, p)
        fused = rrf([d_rows, l_rows])
        best = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [
            Passage(self._chunks[r].text, self._chunks[r].source, self._chunks[r].section, s)
            for r, s in best
        ]
