"""Shared fixtures. Package-specific fixtures live in tests/<package>/conftest.py."""

from __future__ import annotations

import os

import pytest
import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


@pytest.fixture()
def aisle_home(tmp_path, monkeypatch):
    """An empty AISLE_HOME with the settings and engine caches cleared."""
    from assistant.settings import get_settings
    from assistant.store.db import get_engine

    home = tmp_path / "home"
    monkeypatch.setenv("AISLE_HOME", str(home))
    monkeypatch.delenv("AISLE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield home
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture()
def engine(aisle_home):
    """A SQLite engine in a fresh home with the schema created."""
    from assistant.store import models  # noqa: F401
    from assistant.store.db import Base, get_engine

    eng = get_engine()
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def pytest_collection_modifyitems(config, items):
    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="no CUDA device on this machine")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)
