"""Shared fixtures. Package-specific fixtures live in tests/<package>/conftest.py."""

from __future__ import annotations

import functools
import os
import string
import uuid

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


# ------------------------------------------------------------------ PostgreSQL
# The one place that says which PostgreSQL the tests use and whether it answers. Tests that need
# it request ``pg_url`` (a schema of their own on it, as tests/store does) or
# ``fresh_pg_database`` (a whole new database); without a server they skip with the reason.
PG_DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@functools.cache
def _postgres_problem(url: str) -> str | None:
    """None when ``url`` answers within 3 s, else why not (asked once per URL and session)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with eng.connect() as conn:
                conn.execute(text("select 1"))
        finally:
            eng.dispose()
    except Exception as err:  # noqa: BLE001 - any failure means: no server to test against
        return f"no PostgreSQL at {url}: {type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return None


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test PostgreSQL's URL (``AISLE_TEST_POSTGRES_URL``, default on 127.0.0.1:5432);
    skips the test with the reason when psycopg is missing or the server does not answer."""
    url = os.environ.get("AISLE_TEST_POSTGRES_URL", PG_DEFAULT_URL)
    if problem := _postgres_problem(url):
        pytest.skip(problem)
    return url


@pytest.fixture()
def fresh_pg_database(pg_url):
    """The URL of a new, empty database on the test PostgreSQL, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"aisle_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# A tiny random BERT encoder and tokenizer built locally (no downloads): the dialogue
# model's base and the embedder in tests that need a real, fast model.
WORDS = (
    "i need want a the blue red black cotton shirt t size m under 50 bucks cancel order my email is "
    "hello hi yes no thanks bye where track refund weather joke compare first second one it waterproof "
    "gift for runner show me cheaper zip name noah brown account password invoice delivery"
).split()


@pytest.fixture(scope="session")
def tiny_encoder_path(tmp_path_factory):
    """Folder with a 2-layer, 32-wide BERT and a WordPiece tokenizer over a tiny vocabulary."""
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-encoder")
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = (
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + chars
        + ["##" + c for c in chars]
        + sorted(set(WORDS))
    )
    tokenizer = BertTokenizerFast(
        vocab={w: i for i, w in enumerate(dict.fromkeys(vocab))}, do_lower_case=True
    )
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, type_vocab_size=2,
    )  # fmt: skip
    BertModel(config).save_pretrained(folder)
    return str(folder)


def pytest_collection_modifyitems(config, items):
    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="no CUDA device on this machine")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)
