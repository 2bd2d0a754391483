"""Fixtures of the assistant package: the real default dialogue model, trained once.

``dialogue_model`` trains the default model on the shipped corpus the first time and
caches it under ``.pytest_cache/aisle-dialogue-<corpus hash>/``; later runs load it.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

logger = logging.getLogger(__name__)


@pytest.fixture(scope="session")
def dialogue_model(request):
    """The real default DialogueModel (session-scoped; do not mutate it)."""
    from assistant.nlu.corpus import build_corpus
    from assistant.nlu.model import WEIGHTS_FILE, DialogueModel
    from assistant.nlu.training import DEFAULT_CONFIG, train_model
    from assistant.settings import default_embedding_model

    corpus = build_corpus()
    folder = Path(request.config.rootpath) / ".pytest_cache" / f"aisle-dialogue-{corpus.hash}"
    if not (folder / WEIGHTS_FILE).exists():
        logger.warning(
            "training the default dialogue model once for the tests (cached in %s)", folder
        )
        model, facts = train_model(
            corpus.train, corpus.dev, default_embedding_model(), DEFAULT_CONFIG, progress=False,
            version=f"test-{corpus.hash}", data_hash=corpus.hash,
        )  # fmt: skip
        model.meta.metrics = facts
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        model.save(tmp)
        try:
            tmp.rename(folder)
        except OSError:  # another test process saved it first
            shutil.rmtree(tmp, ignore_errors=True)
    return DialogueModel.load(folder)
