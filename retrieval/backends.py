"""What retrieval builds on, as the settings name it: the embedder and a database session."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.orm import Session

from assistant.core.db import get_engine
from assistant.core.db import session_scope as _scope
from assistant.core.device import resolve_device
from assistant.core.settings import Settings
from retrieval.embedder import Embedder


def make_embedder(settings: Settings) -> Embedder:
    """The embedder of ``settings.embedding_model_path`` on the settings' device (not loaded yet)."""
    return Embedder(settings.embedding_model_path, device=str(resolve_device(settings.device)))


@contextlib.contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """One transaction on the settings' database."""
    with _scope(get_engine(settings.db_url)) as session:
        yield session
