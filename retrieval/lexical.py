"""BM25 lexical index (``bm25s``) over the same product text as the dense index.

Rows are table rows. Scores for every row come from ``bm25s``'s sparse matrix in
one call, so a filter mask can be applied exactly before taking the top-k.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from retrieval.text import tokenize

logger = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class LexicalIndex:
    """BM25 (Lucene variant, k1=1.5, b=0.75) with Aisle's tokenizer."""

    def __init__(self, bm25: bm25s.BM25 | None = None, n_docs: int = 0) -> None:
        self.bm25 = bm25
        self.n_docs = n_docs

    @classmethod
    def build(cls, texts: Sequence[str], *, progress: bool = False) -> LexicalIndex:
        corpus = [tokenize(t) for t in texts]
        if not corpus:
            return cls(None, 0)
        bm25 = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        bm25.index(corpus, show_progress=progress)
        return cls(bm25, len(corpus))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (``[n_docs]`` float32; 0 = no term matched)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        if self.bm25 is None:
            return out
        vocab = self.bm25.vocab_dict
        ids = [vocab[t] for t in dict.fromkeys(tokenize(query)) if t in vocab and t != ""]
        if not ids:
            return out
        return np.asarray(self.bm25.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, directory: Path) -> None:
        if self.bm25 is not None:
            self.bm25.save(str(directory), show_progress=False)
        (Path(directory) / "n_docs.txt").write_text(str(self.n_docs))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        n = int((Path(directory) / "n_docs.txt").read_text())
        if n == 0:
            return cls(None, 0)
        bm25 = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        return cls(bm25, n)
