"""``assistant.notify`` per backend: a publish on one notifier (one replica) wakes a waiter on
another notifier (the other replica) of the same backend, within a second.

PostgreSQL is the root conftest's ``pg_url`` (``AISLE_TEST_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), Redis from ``AISLE_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/0``); each case skips with the reason when its server does not
answer. Each test uses its own channel, so runs side by side do not wake each other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import threading
import time
import uuid

import pytest

from assistant import notify

REDIS_URL = os.environ.get("AISLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@functools.lru_cache(maxsize=1)
def redis_problem() -> str | None:
    try:
        import redis
    except ImportError:
        return "the redis package is not installed (pip install -e '.[redis]')"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as err:  # noqa: BLE001
        return f"no Redis at {REDIS_URL}: {type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return None


def _pair(request: pytest.FixtureRequest):
    """Two notifiers of one backend, as two replicas hold them."""
    channel = f"aisle_test_{uuid.uuid4().hex[:10]}"
    if request.param == "postgres":
        pg_url = request.getfixturevalue("pg_url")  # here only: the redis case needs no server
        return notify.PostgresNotifier(pg_url, channel), notify.PostgresNotifier(pg_url, channel)
    if problem := redis_problem():
        pytest.skip(problem)
    return notify.RedisNotifier(REDIS_URL, channel), notify.RedisNotifier(REDIS_URL, channel)


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
def replicas(request):
    a, b = _pair(request)
    yield a, b
    a.close()
    b.close()


def test_a_publish_on_one_replica_wakes_a_waiter_on_the_other(replicas):
    a, b = replicas
    assert a.push and b.push
    with b.listen("s1") as sub, b.listen("other") as other:
        assert b.ready(10), "the listener did not subscribe"
        started = time.perf_counter()
        a.publish("s1")
        assert sub.wait(1.0)
        latency = time.perf_counter() - started
        assert not other.wait(0.2)  # only that conversation's waiters wake
    assert latency < 1.0
    with b.listen("s1") as late:  # a subscription sees only what comes after it
        assert not late.wait(0.2)


def test_async_waiters_hold_no_thread(replicas):
    a, b = replicas

    async def scenario() -> tuple[bool, float]:
        with b.listen("s2") as sub:
            assert await asyncio.to_thread(b.ready, 10)
            started = time.perf_counter()
            threading.Timer(0.1, a.publish, ["s2"]).start()
            woke = await sub.wait_async(2.0)
            return woke, time.perf_counter() - started

    # a fresh event loop in a thread of its own: an earlier test may leave a loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        woke, seconds = pool.submit(asyncio.run, scenario()).result()
    assert woke and 0.05 < seconds < 1.0


def test_the_listener_comes_back_after_its_connection_drops(replicas):
    a, b = replicas
    with b.listen("s3") as sub:
        assert b.ready(10)
        b._stop.set()  # what a dropped connection looks like to the loop: it ends
        b._thread.join(5)
        b.start()  # the next wait restarts it
        assert b.ready(10)
        a.publish("s3")
        assert sub.wait(2.0)


def test_local_notifier_wakes_this_process_only():
    a, b = notify.LocalNotifier(), notify.LocalNotifier()
    assert not a.push and a.recheck_s == notify.POLL_S
    with a.listen("s") as mine, b.listen("s") as theirs:
        a.publish("s")
        assert mine.wait(0.5)
        assert not theirs.wait(0.1)  # another process: found by its 2 s re-read instead


def test_wait_for_rereads_the_database_when_woken_and_on_its_interval(monkeypatch):
    local = notify.LocalNotifier()
    monkeypatch.setattr(notify, "get_notifier", lambda: local)
    rows: list[int] = []
    reads = []

    def check() -> list[int]:
        reads.append(time.perf_counter())
        return list(rows)

    def write_then_publish() -> None:
        rows.append(1)  # the database first
        local.publish("s")

    threading.Timer(0.2, write_then_publish).start()
    started = time.perf_counter()
    assert notify.wait_for("s", check, 5.0) == [1]
    assert time.perf_counter() - started < 1.0 and len(reads) == 2
    # stored but never announced (a lost notification): the interval re-read finds it
    monkeypatch.setattr(local, "recheck_s", 0.2)
    rows.clear()
    threading.Timer(0.3, rows.append, [2]).start()
    assert notify.wait_for("s", check, 5.0) == [2]
    assert notify.wait_for("s", lambda: [], 0.3) == []  # the timeout: the last (empty) read


def test_publish_never_raises_when_the_server_is_gone():
    dead = notify.RedisNotifier("redis://127.0.0.1:1/0")
    with dead.listen("s") as sub:
        dead.publish("s")  # logged, not raised; this process's waiters still wake
        assert sub.wait(0.5)
    dead.close()


def test_the_backend_follows_the_settings():
    pg = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # only its scheme counts: no server
    assert isinstance(notify.notifier_for("sqlite:///x.db"), notify.LocalNotifier)
    assert isinstance(notify.notifier_for(pg), notify.PostgresNotifier)
    assert isinstance(notify.notifier_for(pg, REDIS_URL), notify.RedisNotifier)
    assert isinstance(notify.notifier_for("sqlite:///x.db", REDIS_URL), notify.RedisNotifier)
