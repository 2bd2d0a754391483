"""Alembic: empty -> head -> base on SQLite and PostgreSQL, and head == the models (no drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from assistant.store import migrate, models  # noqa: F401  (models fill Base.metadata)
from assistant.store.db import Base

TABLES = {
    "products",
    "catalog_state",
    "documents",
    "customers",
    "orders",
    "chat_sessions",
    "messages",
    "feedback",
    "interaction_events",
    "model_versions",
    "rate_limits",
    "jobs",
}


def test_one_head_and_every_model_table_known():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1, "migrations branched: merge the heads"
    assert TABLES <= set(Base.metadata.tables)


def test_upgrade_empty_to_head_then_downgrade_to_base(empty_engine):
    assert inspect(empty_engine).get_table_names() == []
    assert migrate.current_revision(engine=empty_engine) is None

    reached = migrate.upgrade(engine=empty_engine)
    assert reached == migrate.head_revision()
    assert migrate.current_revision(engine=empty_engine) == reached
    assert set(inspect(empty_engine).get_table_names()) == set(Base.metadata.tables) | {
        "alembic_version"
    }

    assert migrate.upgrade(engine=empty_engine) == reached  # at head: nothing to do

    migrate.downgrade(engine=empty_engine, revision="base")
    assert inspect(empty_engine).get_table_names() == ["alembic_version"]
    with empty_engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 0
    assert migrate.current_revision(engine=empty_engine) is None


def test_head_schema_matches_models(store_engine):
    """Fails when someone changes assistant/core/models.py without adding a revision."""
    with store_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"models and migrations differ; add a revision: {diff}"


def test_upgrade_by_url_uses_that_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'by_url.db'}"
    assert migrate.upgrade(url) == migrate.head_revision()
    assert migrate.current_revision(url) == migrate.head_revision()


def test_drift_would_be_caught(store_engine):
    """The check above can fail: a column the migrations lack shows up as a difference."""
    from sqlalchemy import Column, MetaData, String

    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["products"].append_column(Column("colour_family", String(20)))
    with store_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), changed)
    assert [d[0] for d in diff] == ["add_column"]
    assert diff[0][3].name == "colour_family"


def test_database_made_by_create_all_is_adopted(empty_engine):
    Base.metadata.create_all(empty_engine)
    assert migrate.current_revision(engine=empty_engine) is None
    assert migrate.upgrade(engine=empty_engine) == migrate.head_revision()
    assert migrate.current_revision(engine=empty_engine) == migrate.head_revision()


def test_unversioned_database_that_differs_is_refused(empty_engine):
    import pytest

    from assistant.errors import UserError

    Base.metadata.create_all(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("DROP TABLE feedback"))
    with pytest.raises(UserError, match="no migration history and differs from the models"):
        migrate.upgrade(engine=empty_engine)
