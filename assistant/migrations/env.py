"""Alembic environment for Aisle.

The target metadata is ``assistant.store.db.Base.metadata`` with every model imported.
A connection passed in ``config.attributes["connection"]`` (what
``assistant.store.migrate`` does) is used as is; otherwise the URL comes from
``sqlalchemy.url`` in the config or, failing that, from Aisle's settings.
SQLite gets ``render_as_batch`` so ALTER TABLE changes work there too.
"""

from __future__ import annotations

import logging.config

from alembic import context

from assistant.core import models  # noqa: F401  (registers every table on Base.metadata)
from assistant.store.db import Base, make_engine

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from assistant.settings import get_settings

    settings = get_settings()
    if settings.database_url is None:
        settings.ensure_home()
    return settings.db_url


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
