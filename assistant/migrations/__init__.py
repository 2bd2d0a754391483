"""Alembic migrations for the Aisle store. Run them with ``assistant.store.migrate.upgrade()``."""
