"""Engines for the store tests: every test here runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``AISLE_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own
schema, dropped afterwards. Without a server the postgres cases skip with the reason.
"""

from __future__ import annotations

import functools
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get(
    "AISLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@functools.lru_cache(maxsize=1)
def postgres_problem() -> str | None:
    """None when PG_URL answers, else why not."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
    except Exception as err:  # noqa: BLE001 - any failure means: no server to test against
        return f"no PostgreSQL at {PG_URL}: {type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    """An engine on an empty database (no tables)."""
    if request.param == "sqlite":
        from assistant.store.db import make_engine

        eng = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield eng
        eng.dispose()
        return
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    schema = f"aisle_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture()
def store_engine(empty_engine):
    """An engine whose database was brought to head by the Alembic migrations."""
    from assistant.store.migrate import upgrade

    upgrade(engine=empty_engine)
    return empty_engine


@pytest.fixture()
def session(store_engine):
    """A session in one transaction, committed at the end of the test."""
    from assistant.store.db import session_scope

    with session_scope(store_engine) as s:
        yield s
