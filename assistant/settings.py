"""Re-export of :mod:`assistant.core.settings` for the callers inside ``assistant``."""

from assistant.core.settings import (
    DATA_DIR,
    PROJECT_ROOT,
    Settings,
    SettingsError,
    default_embedding_model,
    get_settings,
)

__all__ = [
    "DATA_DIR",
    "PROJECT_ROOT",
    "Settings",
    "SettingsError",
    "default_embedding_model",
    "get_settings",
]
