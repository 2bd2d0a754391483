"""``assistant.jobs``: job state in the database, one running job of a kind across replicas,
dead jobs noticed by their heartbeat; on SQLite and PostgreSQL (``store_engine``)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, inspect, update

from assistant import jobs
from assistant.store.db import make_engine, session_scope
from assistant.store.models import Job


def _wait_done(kind: str, engine, timeout: float = 10.0) -> jobs.JobView:
    deadline = time.monotonic() + timeout
    while True:
        job = jobs.latest(kind, engine)
        if job is not None and job.status != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_one_running_job_per_kind_then_a_new_one(store_engine):
    assert jobs.latest("retrain", store_engine) is None
    first, started = jobs.claim("retrain", "ann", store_engine)
    assert started and first.status == "running" and first.started_by == "ann"
    again, started_again = jobs.claim("retrain", "bob", store_engine)
    assert not started_again and again.id == first.id and again.started_by == "ann"
    other, started_other = jobs.claim("reindex", "bob", store_engine)  # another kind may run
    assert started_other and other.id != first.id
    assert jobs.finish(first.id, {"version": "v2", "promoted": True}, engine=store_engine)
    assert not jobs.finish(first.id, {"late": 1}, engine=store_engine)  # only a running job ends
    done = jobs.latest("retrain", store_engine)
    assert done.status == "done" and done.finished_at is not None
    assert done.status_dict() == {
        "state": "done", "started_by": "ann", "started_at": done.status_dict()["started_at"],
        "finished_at": done.status_dict()["finished_at"], "version": "v2", "promoted": True,
    }  # fmt: skip
    next_job, started_next = jobs.claim("retrain", "bob", store_engine)
    assert started_next and next_job.id > first.id


def test_two_replicas_clicking_at_once_start_one_job(store_engine):
    """Two engines (two processes' pools) on one database, eight simultaneous clicks each."""
    url = store_engine.url.render_as_string(hide_password=False)
    if store_engine.dialect.name == "postgresql":  # the fixture's schema, on a pool of its own
        schema = inspect(store_engine).default_schema_name
        other = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        other = make_engine(url)
    outcomes: list[tuple[int, bool]] = []
    gate = threading.Barrier(16)

    def click(engine, who: str) -> None:
        gate.wait()
        job, started = jobs.claim("retrain", who, engine)
        outcomes.append((job.id, started))

    threads = [
        threading.Thread(target=click, args=(store_engine if i % 2 else other, f"admin{i}"))
        for i in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(outcomes) == 16
    assert sum(started for _, started in outcomes) == 1
    assert len({job_id for job_id, _ in outcomes}) == 1  # everyone sees the one job
    with session_scope(store_engine) as s:
        assert s.query(Job).filter_by(status="running").count() == 1
    other.dispose()


def test_a_job_whose_process_died_is_marked_failed(store_engine):
    job, _ = jobs.claim("retrain", "ann", store_engine)
    jobs.heartbeat(job.id, store_engine)
    assert jobs.latest("retrain", store_engine).status == "running"  # beating: alive
    with session_scope(store_engine) as s:
        s.execute(
            update(Job).where(Job.id == job.id).values(heartbeat_at=time.time() - jobs.STALE_S - 1)
        )
    dead = jobs.latest("retrain", store_engine)
    assert dead.status == "failed" and "went away" in dead.error
    assert not jobs.finish(job.id, {"version": "v9"}, engine=store_engine)  # too late to count
    fresh, started = jobs.claim("retrain", "bob", store_engine)
    assert started and fresh.id != job.id


def test_run_in_background_records_the_result_or_the_error(store_engine):
    release = threading.Event()
    job, started = jobs.run_in_background(
        "retrain", "ann", lambda: release.wait(10) and {"version": "v3"}, store_engine
    )
    assert started
    _, second = jobs.run_in_background("retrain", "bob", lambda: {}, store_engine)
    assert not second  # the first still runs: nothing else starts
    release.set()
    done = _wait_done("retrain", store_engine)
    assert done.id == job.id and done.status == "done" and done.result == {"version": "v3"}

    def broken() -> dict:
        raise RuntimeError("no feedback examples\nsecond line")

    jobs.run_in_background("retrain", "ann", broken, store_engine)
    failed = _wait_done("retrain", store_engine)
    assert failed.status == "failed" and failed.error == "no feedback examples"
    assert failed.status_dict()["error"] == "no feedback examples"
