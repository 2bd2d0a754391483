"""Engine and session factory. The caller owns the transaction::

    with session_scope() as s:   # commits on success, rolls back on error
        ...
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


_IMMEDIATE = "aisle_immediate"
BUSY_TIMEOUT_S = 30


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE``
    at the start of every ``write_scope``.

    Without it the driver begins a transaction only at the first write: the reads before it
    see no lock, so two turns on one session both read the old state and one update is lost,
    and a read lock upgraded to a write lock under concurrency fails at once ("database is
    locked"). Plain read sessions keep the driver's behaviour (each read sees the latest data).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no cover - trivial
            if conn.get_execution_options().get(_IMMEDIATE):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def is_busy(err: BaseException) -> bool:
    """Whether a database error is SQLite's "database is locked" / "busy"."""
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "database is busy" in text


@functools.lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    if url is None:
        from assistant.core.settings import get_settings

        settings = get_settings()
        if settings.database_url is None:
            settings.ensure_home()
        url = settings.db_url
    return make_engine(url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextlib.contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    factory = session_factory(engine)
    with factory.begin() as session:
        yield session


@contextlib.contextmanager
def write_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction that reads, changes and writes back shared rows (a turn on a session).

    On SQLite it takes the write lock at the start (``BEGIN IMMEDIATE``): concurrent writers
    queue on the busy timeout, and no other writer can change what it read before it writes.
    Keep it short (models run before it) and open no other ``write_scope`` inside it: that
    would wait on its own lock. On PostgreSQL lock the rows read (``with_for_update``).
    """
    factory = session_factory(engine)
    with factory.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection(execution_options={_IMMEDIATE: True})
        yield session
