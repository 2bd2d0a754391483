"""The demo store with real indexes, built once per test session in a temporary home,
and an ``Assistant`` on it driven by the real default dialogue model (``dialogue_model``)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A home holding the demo store (schema, catalogue, customers, orders) and its indexes."""
    from assistant.settings import Settings, get_settings
    from assistant.store.db import get_engine, session_scope
    from assistant.store.demo import import_demo_store
    from assistant.store.migrate import upgrade
    from retrieval.indexing import build_indexes

    home = tmp_path_factory.mktemp("aisle-demo")
    saved = {k: os.environ.get(k) for k in ("AISLE_HOME", "AISLE_DATABASE_URL")}
    os.environ["AISLE_HOME"] = str(home)
    os.environ.pop("AISLE_DATABASE_URL", None)
    get_settings.cache_clear()
    get_engine.cache_clear()
    # These tests and the scripted conversations test dialogue, not verification: their shoppers
    # verify by email (or name + zip) alone, as under AISLE_VERIFY=identity. The one-time-code
    # default is tested end to end in test_verification.py.
    settings = Settings(home=home, verify="identity")
    upgrade(settings.db_url)
    with session_scope(get_engine(settings.db_url)) as s:
        import_demo_store(s)
    build_indexes(settings, progress=False)
    yield settings
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def live_home(demo_home, dialogue_model):
    """The demo home with ``dialogue_model`` saved and registered as the live version."""
    from assistant.store.db import get_engine, session_scope
    from assistant.store.models import ModelVersion

    folder = demo_home.models_dir / dialogue_model.version
    dialogue_model.save(folder)
    with session_scope(get_engine(demo_home.db_url)) as s:
        s.merge(ModelVersion(id=dialogue_model.version, kind="dialogue", path=str(folder), status="live"))
    return demo_home


@pytest.fixture(scope="session")
def assistant(live_home, dialogue_model):
    from assistant.service import Assistant

    return Assistant(live_home, model=dialogue_model).warm_up()


@pytest.fixture()
def db(demo_home):
    """A read-only view of the demo store database for checking rows independently."""
    from assistant.store.db import get_engine, session_factory

    with session_factory(get_engine(demo_home.db_url))() as s:
        yield s


@pytest.fixture(scope="module")
def sender():
    """Where the one-time codes of a module's ``bot`` go (read back by the verification tests)."""
    from assistant.verify import MemorySender

    return MemorySender()


@pytest.fixture(scope="module")
def bot(live_home, dialogue_model, sender):
    """The assistant on the demo store with one-time-code verification (the default), codes to ``sender``."""
    from assistant.service import Assistant

    return Assistant(
        live_home.model_copy(update={"verify": "code"}), model=dialogue_model, sender=sender
    ).warm_up()
