"""Sentence-transformers embedder with a content-hash cache.

The model is loaded once per process (cache keyed by path and device): the
assistant searches on every turn. Vectors are float32 and unit-norm, so inner
product is cosine similarity.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.device import one_thread, resolve_device
from retrieval.text import text_hash

logger = logging.getLogger(__name__)

_MODELS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def model_key(path: str) -> str:
    """A key for the model at ``path`` that survives reinstalling it elsewhere.

    A local folder is named by its folder name plus a hash of its configuration files
    and the names and sizes of its weight files, so the same model installed in another
    virtual environment reuses the saved index and embedding cache. A hub name is its
    own key.
    """
    folder = Path(path)
    if not folder.is_dir():
        return path
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        if (folder / name).is_file():
            digest.update((folder / name).read_bytes())
    for weights in sorted([*folder.glob("*.safetensors"), *folder.glob("*.bin")]):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return f"{folder.name}@{digest.hexdigest()[:16]}"


def load_model(path: str, device: str) -> Any:
    """The ``SentenceTransformer`` at ``path`` on ``device``, loaded once per process."""
    key = (path, device)
    with _LOCK:
        model = _MODELS.get(key)
        if model is None:
            from sentence_transformers import SentenceTransformer

            logger.info("loading embedding model %s on %s", path, device)
            model = SentenceTransformer(path, device=device)
            model.eval()
            _MODELS[key] = model
        return model


SMALL_BATCH = 4


def _single_thread(enabled: bool) -> contextlib.AbstractContextManager:
    """One torch intra-op thread for tiny CPU batches (a query): on a busy 2-core machine,
    OpenMP workers waiting on each other make one query ~10x slower."""
    return one_thread() if enabled else contextlib.nullcontext()


class Embedder:
    """Encodes texts to unit-norm float32 vectors ``[n, D]``.

    Args:
        model_path: sentence-transformers name or local path.
        device: torch device string; ``None`` asks ``assistant.core.device.resolve_device``.
        batch_size: encoding batch size.
    """

    def __init__(self, model_path: str, device: str | None = None, batch_size: int = 64) -> None:
        self.model_path = model_path
        self._device = device
        self.batch_size = batch_size
        self.encode_calls = 0  # number of model.encode invocations (tests count them)
        self._model: Any = None

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = str(resolve_device())
        return self._device

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model(self.model_path, self.device)
        return self._model

    @property
    def model_key(self) -> str:
        """Name that identifies the model in cache keys and index manifests."""
        return model_key(self.model_path)

    @property
    def dim(self) -> int:
        get = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        return int(get())

    def warm_up(self) -> None:
        _ = self.model

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Encode ``texts`` -> ``[n, D]`` float32, unit-norm."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.encode_calls += 1
        small = len(texts) <= SMALL_BATCH and self.device == "cpu"
        with _single_thread(small):
            vecs = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)


class EmbeddingCache:
    """Vectors keyed by ``sha256(model, text)``, stored under ``index_dir/embcache``.

    Re-indexing an unchanged catalogue finds every vector here and encodes nothing.
    """

    def __init__(self, directory: Path, model_key: str) -> None:
        self.dir = Path(directory) / "embcache" / text_hash(model_key)[:16]
        self.model_key = model_key
        self._keys: dict[str, int] = {}
        self._vecs: np.ndarray | None = None
        self._new_keys: list[str] = []
        self._new_vecs: list[np.ndarray] = []
        if (self.dir / "keys.txt").exists() and (self.dir / "vectors.npy").exists():
            keys = (self.dir / "keys.txt").read_text().split()
            vecs = np.load(self.dir / "vectors.npy")
            if len(keys) == len(vecs):
                self._keys = {k: i for i, k in enumerate(keys)}
                self._vecs = vecs
            else:
                logger.warning("embedding cache %s is inconsistent; ignoring it", self.dir)

    def __len__(self) -> int:
        return len(self._keys) + len(self._new_keys)

    def embed(
        self, embedder: Embedder, texts: Sequence[str], *, progress: bool = False
    ) -> np.ndarray:
        """Vectors for ``texts``: cached ones looked up, the rest encoded in one batched call."""
        keys = [text_hash(t, self.model_key) for t in texts]
        new_index = {k: i for i, k in enumerate(self._new_keys)}
        missing = sorted(
            {
                k: t
                for k, t in zip(keys, texts, strict=True)
                if k not in self._keys and k not in new_index
            }.items()
        )
        if missing:
            logger.info("encoding %d of %d texts (rest cached)", len(missing), len(texts))
            vecs = embedder.encode([t for _, t in missing], progress=progress)
            for (k, _), v in zip(missing, vecs, strict=True):
                new_index[k] = len(self._new_keys)
                self._new_keys.append(k)
                self._new_vecs.append(v)
        dim = embedder.dim if self._vecs is None else self._vecs.shape[1]
        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            j = self._keys.get(k)
            out[i] = self._vecs[j] if j is not None else self._new_vecs[new_index[k]]
        return out

    def save(self) -> None:
        """Append new vectors to the on-disk cache."""
        if not self._new_keys:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        new = np.stack(self._new_vecs).astype(np.float32)
        vecs = new if self._vecs is None else np.concatenate([self._vecs, new])
        keys = list(self._keys) + self._new_keys
        tmp = self.dir / "vectors.tmp.npy"
        np.save(tmp, vecs)
        (self.dir / "keys.tmp").write_text("\n".join(keys))
        tmp.replace(self.dir / "vectors.npy")
        (self.dir / "keys.tmp").replace(self.dir / "keys.txt")
        self._keys = {k: i for i, k in enumerate(keys)}
        self._vecs = vecs
        self._new_keys, self._new_vecs = [], []
