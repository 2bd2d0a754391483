"""Engines for the store tests: every test here runs on SQLite and on PostgreSQL.

PostgreSQL is the root conftest's ``pg_url`` (``AISLE_TEST_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own
schema, dropped afterwards. Without a server the postgres cases skip with the reason.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    """An engine on an empty database (no tables)."""
    if request.param == "sqlite":
        from assistant.store.db import make_engine

        eng = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield eng
        eng.dispose()
        return
    pg_url = request.getfixturevalue("pg_url")  # here only: the sqlite case needs no server
    schema = f"aisle_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(pg_url, connect_args={"options": f"-csearch_path={schema}"})
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
