"""Background jobs whose state lives in the database (``jobs`` rows), so every replica shows
the same job and no two replicas run two of a kind at once.

``run_in_background(kind, started_by, work)`` claims the kind (a new ``running`` row; the
partial unique index refuses a second one, whichever replica tries) and runs ``work`` in a
thread of this process, refreshing the row's heartbeat while it runs; the result (a JSON-safe
dict) or the error's first line is written when it ends. A running row whose heartbeat is
older than ``STALE_S`` belongs to a process that died: the next look at that kind marks it
failed, and a new job may start.

The functions here own their short transactions (a claim must commit to mean anything).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from assistant.store.db import session_scope
from assistant.store.models import Job

logger = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
STALE_S = 120.0  # eight missed heartbeats: the process running it is gone
OWNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class JobView:
    """One job as the dashboard shows it."""

    id: int
    kind: str
    status: str
    started_by: str | None
    owner: str
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: str | None

    @classmethod
    def of(cls, row: Job) -> JobView:
        return cls(
            row.id, row.kind, row.status, row.started_by, row.owner,
            row.started_at, row.finished_at, dict(row.result) if row.result else None, row.error,
        )  # fmt: skip

    def status_dict(self) -> dict[str, Any]:
        """``{"state": running|done|failed, "started_by", "started_at", ...result, "error"}``."""
        out: dict[str, Any] = {"state": self.status, "started_by": self.started_by}
        if self.started_at is not None:
            out["started_at"] = f"{self.started_at:%Y-%m-%d %H:%M:%S}"
        if self.finished_at is not None:
            out["finished_at"] = f"{self.finished_at:%Y-%m-%d %H:%M:%S}"
        out.update(self.result or {})
        if self.error:
            out["error"] = self.error
        return out


def _expire_stale(s, kind: str, now: float) -> None:
    s.execute(
        update(Job)
        .where(Job.kind == kind, Job.status == "running", Job.heartbeat_at < now - STALE_S)
        .values(
            status="failed",
            finished_at=func.now(),
            error="stopped without finishing: the process running it went away",
        )
    )


def latest(kind: str, engine: Engine | None = None) -> JobView | None:
    """The newest job of ``kind`` (a dead process's running job marked failed first)."""
    with session_scope(engine) as s:
        _expire_stale(s, kind, time.time())
    with session_scope(engine) as s:
        row = s.scalars(
            select(Job).where(Job.kind == kind).order_by(Job.id.desc()).limit(1)
        ).first()
        return JobView.of(row) if row is not None else None


def claim(kind: str, started_by: str | None, engine: Engine | None = None) -> tuple[JobView, bool]:
    """A new running job of ``kind``, or the one already running: ``(job, started)``."""
    now = time.time()
    with session_scope(engine) as s:
        _expire_stale(s, kind, now)
    try:
        with session_scope(engine) as s:
            row = Job(kind=kind, status="running", started_by=started_by, owner=OWNER,
                      heartbeat_at=now)  # fmt: skip
            s.add(row)
            s.flush()
            s.refresh(row)
            return JobView.of(row), True
    except IntegrityError:  # another request or replica holds the running row
        running = latest(kind, engine)
        if running is not None and running.status == "running":
            return running, False
        raise


def heartbeat(job_id: int, engine: Engine | None = None) -> None:
    with session_scope(engine) as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(heartbeat_at=time.time())
        )


def finish(
    job_id: int,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    engine: Engine | None = None,
) -> bool:
    """Record the end of a running job; False when it was no longer running (marked dead)."""
    with session_scope(engine) as s:
        done = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(
                status="failed" if error else "done",
                finished_at=func.now(),
                result=result,
                error=error,
            )
        )
        return bool(done.rowcount)


def run_in_background(
    kind: str, started_by: str | None, work: Callable[[], dict[str, Any]],
    engine: Engine | None = None,
) -> tuple[JobView, bool]:  # fmt: skip
    """Claim ``kind`` and run ``work`` in a thread; ``(job, started)`` as ``claim``."""
    job, started = claim(kind, started_by, engine)
    if started:
        threading.Thread(
            target=_run, args=(job.id, work, engine), name=f"aisle-{kind}", daemon=True
        ).start()
    return job, started


def _run(job_id: int, work: Callable[[], dict[str, Any]], engine: Engine | None) -> None:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                heartbeat(job_id, engine)
            except Exception as err:  # noqa: BLE001 - the next beat tries again
                logger.warning("job %s heartbeat not written: %s", job_id, err)

    beating = threading.Thread(target=beat, name=f"aisle-job-{job_id}-heartbeat", daemon=True)
    beating.start()
    result, error = None, None
    try:
        result = work()
    except Exception as err:  # noqa: BLE001 - recorded on the row, shown on the dashboard
        logger.exception("job %s failed", job_id)
        error = str(err).splitlines()[0] if str(err) else type(err).__name__
    finally:
        stop.set()
    if not finish(job_id, result, error, engine):
        logger.warning("job %s ended after it was marked dead; its outcome is not recorded", job_id)
