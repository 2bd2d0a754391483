"""Index folders as generations: one builder at a time, atomic swaps, consistent reads.

``index_dir/<name>`` is a symbolic link to a complete, never modified generation folder
(``.<name>-<ns>``). ``publish`` writes a new generation beside the live one and renames a
new link over the old one, so a reader that resolves the link once (``live_folder``) sees a
whole index, old or new. Builders hold ``.build.lock`` (an ``flock``, ``build_lock``), so two
processes never build at once: the second waits, or with ``wait=False`` gets ``IndexBusy``.
The generation before the live one is kept for readers still on it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.core.errors import UserError

logger = logging.getLogger(__name__)

LOCK_FILE = ".build.lock"
_LOAD_TRIES = 5


class IndexBusy(UserError):
    """Another process holds the index build lock (``build_lock(wait=False)``)."""


_held: dict[str, int] = {}  # index folder -> nesting depth of this process's flock
_guards: dict[str, threading.RLock] = {}
_guards_lock = threading.Lock()


def _lock_holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "?"
    except OSError:
        return "?"


@contextmanager
def build_lock(index_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the index folder's build lock: one builder across processes and threads.

    Re-entrant within a thread (a sync that falls back to a full build). With ``wait=False``
    a lock held elsewhere raises ``IndexBusy`` at once; otherwise this waits for it.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    key = str(index_dir.resolve())
    with _guards_lock:
        guard = _guards.setdefault(key, threading.RLock())
    path = index_dir / LOCK_FILE
    if not guard.acquire(blocking=True if wait else False):
        raise IndexBusy(f"another index build is running in {index_dir} (this process); try again when it ends")
    try:
        if _held.get(key):
            _held[key] += 1
            try:
                yield
            finally:
                _held[key] -= 1
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _lock_holder(path)
                if not wait:
                    raise IndexBusy(
                        f"another index build is running in {index_dir} (pid {holder}); "
                        "try again when it ends, or pass --wait"
                    ) from None
                logger.warning("waiting for the index build of pid %s in %s", holder, index_dir)
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            _held[key] = 1
            try:
                yield
            finally:
                _held[key] = 0
        finally:
            os.close(fd)  # releases the flock
    finally:
        guard.release()


def live_folder(link: Path) -> Path:
    """The complete generation folder ``link`` points at now (the folder itself in old homes)."""
    return Path(os.path.realpath(link))


def publish(index_dir: Path, name: str, write: Callable[[Path], None]) -> Path:
    """Write a new generation of ``index_dir/name`` with ``write(folder)`` and swap it in.

    The caller holds ``build_lock``. The folder is written beside the live one, then a new
    symbolic link is renamed over ``name`` (one atomic rename). Generations older than the
    previous one are removed. A failed ``write`` leaves the live index as it was.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{name}-tmp-", dir=index_dir))
    try:
        write(folder)
        generation = index_dir / f".{name}-{time.time_ns()}"
        os.rename(folder, generation)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    os.chmod(generation, 0o755)
    link = index_dir / name
    if link.is_dir() and not link.is_symlink():  # a home from before atomic rebuilds
        os.rename(link, index_dir / f".{name}-0")
    tmp_link = index_dir / f".{name}-link-{os.getpid()}-{threading.get_ident()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(generation.name, tmp_link)
    os.replace(tmp_link, link)
    _prune(index_dir, name, keep={generation.name})
    return generation


def _prune(index_dir: Path, name: str, keep: set[str]) -> None:
    """Remove all generations of ``name`` but the live one and the one before it."""
    generations = sorted(
        (p for p in index_dir.glob(f".{name}-*") if p.is_dir() and not p.is_symlink()
         and p.name.removeprefix(f".{name}-").isdigit()),
        key=lambda p: int(p.name.removeprefix(f".{name}-")),
    )
    previous = [p for p in generations if p.name not in keep][-1:]
    for p in generations:
        if p.name not in keep and p not in previous:
            shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(f".{name}-tmp-*"):  # left by a build that was killed
        if p.is_dir() and time.time() - p.stat().st_mtime > 3600:
            shutil.rmtree(p, ignore_errors=True)


def read_consistently(link: Path, read: Callable[[Path], Any]) -> Any:
    """``read(folder)`` on the generation ``link`` points at, again if a rebuild removed it."""
    for attempt in range(_LOAD_TRIES):
        folder = live_folder(link)
        try:
            return read(folder)
        except FileNotFoundError:
            if attempt == _LOAD_TRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
