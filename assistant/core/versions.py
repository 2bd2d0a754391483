"""Plumbing shared by the registries of model versions (dialogue models, recommenders): the
settings to use, a session on the store, the error for a store without the schema, and a
version id of the form ``<kind>-YYYYmmdd-HHMMSS-xxxx``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from assistant.core.db import get_engine, session_scope
from assistant.core.errors import UserError


def settings_or_default(settings=None):
    from assistant.core.settings import get_settings

    return settings or get_settings()


def store_session(settings):
    """A session on the settings' store; the home is created first for the default SQLite one."""
    if settings.database_url is None:
        settings.ensure_home()
    return session_scope(get_engine(settings.db_url))


def no_schema(err: Exception) -> UserError:
    return UserError(
        f"the database has no model_versions table ({type(err).__name__}); run `aisle init` first"
    )


def version_id(prefix: str) -> str:
    return f"{prefix}-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
