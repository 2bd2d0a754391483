"""Training-data exports for the dashboard: written under ``<home>/exports/``, handed to
the admin session that asked for them through a one-time link, removed once downloaded or
``ttl_s`` after they were made (and all of them when the server starts)."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

EXPORT_TTL_S = 600.0


@dataclass(frozen=True)
class ExportFile:
    path: Path
    owner: str  # the staff session key that made it
    made: float


class ExportFiles:
    """The export folder and the one-time download tokens of the files in it."""

    def __init__(
        self, folder: Path, ttl_s: float = EXPORT_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.folder, self.ttl_s, self.clock = Path(folder), ttl_s, clock
        self._files: dict[str, ExportFile] = {}
        self._lock = threading.Lock()

    def new_path(self, fmt: str) -> Path:
        """A fresh, unguessable file name for an export in ``fmt`` (the folder made private)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
        return self.folder / f"aisle-{fmt}-{stamp}-{secrets.token_hex(8)}.jsonl"

    def register(self, path: Path, owner: str) -> str:
        """The download token for ``path``, good once, for ``owner`` only."""
        if path.exists():
            os.chmod(path, 0o600)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sweep()
            self._files[token] = ExportFile(Path(path), owner, self.clock())
        return token

    def take(self, token: str, owner: str) -> Path | None:
        """The file of ``token`` when ``owner`` made it and it has not expired; the token is
        spent either way it matches. The caller deletes the file once sent."""
        with self._lock:
            self._sweep()
            entry = self._files.get(token)
            if entry is None or not secrets.compare_digest(entry.owner, owner):
                return None
            del self._files[token]
        return entry.path if entry.path.is_file() else None

    def clear(self) -> None:
        """Remove every export file (at start-up: tokens do not outlive the process)."""
        with self._lock:
            self._files.clear()
        if self.folder.is_dir():
            for path in self.folder.glob("aisle-*.jsonl"):
                remove(path)

    def _sweep(self) -> None:
        now = self.clock()
        for token in [t for t, e in self._files.items() if now - e.made > self.ttl_s]:
            remove(self._files.pop(token).path)

    def __len__(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._files)


def remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not remove export file %s", path)
