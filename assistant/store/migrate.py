"""Schema migrations (Alembic) for the Aisle store.

``upgrade()`` takes the configured database (or ``url``) to the newest
revision; ``downgrade(url, "base")`` takes it back. The Alembic files live in
``assistant/migrations`` (with their own ``alembic.ini``), so this works from an
installed package as well as a checkout.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from assistant.errors import UserError
from assistant.store.db import make_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(str(files("assistant.migrations")))  # package data, found where installed


def alembic_config() -> Config:
    """The packaged Alembic configuration (``assistant/migrations/alembic.ini``)."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["skip_logging"] = True  # keep the application's logging set-up
    return config


def _resolve_url(url: str | None) -> str:
    if url is not None:
        return url
    from assistant.settings import get_settings

    settings = get_settings()
    if settings.database_url is None:
        settings.ensure_home()
    return settings.db_url


def _run(engine: Engine, fn, *args) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        fn(config, *args)


def _with_engine(url: str | None, engine: Engine | None, fn, *args) -> None:
    if engine is not None:
        _run(engine, fn, *args)
        return
    own = make_engine(_resolve_url(url))
    try:
        _run(own, fn, *args)
    finally:
        own.dispose()


def head_revision() -> str:
    """The newest revision shipped with this version of Aisle."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | None = None, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    own = engine is None
    engine = engine or make_engine(_resolve_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if own:
            engine.dispose()


def upgrade(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> str:
    """Bring the schema to ``revision`` (default: head). Returns the revision reached.

    ``url`` defaults to the configured database (``AISLE_DATABASE_URL`` or the SQLite
    file in ``AISLE_HOME``). Running it again at head does nothing.
    """
    before = current_revision(url, engine=engine)
    if before is None and _adopt_unversioned(url, engine):
        before = head_revision()
    _with_engine(url, engine, command.upgrade, revision)
    after = current_revision(url, engine=engine)
    if before != after:
        logger.info("schema upgraded from %s to %s", before or "empty", after)
    return after or "base"


def _adopt_unversioned(url: str | None, engine: Engine | None) -> bool:
    """A database made by ``Base.metadata.create_all`` (tests, older tools) has the tables but
    no Alembic history: stamp it at head when it matches the models, else say what to do."""
    from alembic.autogenerate import compare_metadata
    from sqlalchemy import inspect

    from assistant.core import models  # noqa: F401
    from assistant.store.db import Base

    own = engine is None
    eng = engine or make_engine(_resolve_url(url))
    try:
        with eng.connect() as conn:
            if "products" not in inspect(conn).get_table_names():
                return False
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        if diff:
            raise UserError(
                f"database {eng.url.render_as_string(hide_password=True)} has Aisle tables but no "
                f"migration history and differs from the models ({len(diff)} differences); "
                "point AISLE_DATABASE_URL at an empty database or stamp it with alembic"
            )
        _run(eng, command.stamp, "head")
        logger.info("stamped an unversioned database at head")
        return True
    finally:
        if own:
            eng.dispose()


def downgrade(
    url: str | None = None, revision: str = "base", *, engine: Engine | None = None
) -> None:
    """Take the schema back to ``revision`` (``"base"`` drops every Aisle table)."""
    _with_engine(url, engine, command.downgrade, revision)
