"""Concurrent writers: no "database is locked", no lost update of a session's state.

A turn reads the session state, changes it and writes it back; concurrent turns on one
session must serialise (SQLite: ``BEGIN IMMEDIATE`` from ``write_scope``; PostgreSQL: the
row locked with ``SELECT … FOR UPDATE``). The reference is arithmetic: N increments of a
counter held in the state leave it at N.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

from assistant.store.db import session_factory, session_scope, write_scope
from assistant.store.migrate import upgrade
from assistant.store.models import Base, ChatSession


def _bump(engine, sid: str, hold_s: float = 0.002) -> None:
    with write_scope(engine) as s:
        chat = s.get(ChatSession, sid, with_for_update=True)
        count = int((chat.state or {}).get("turns", 0))
        time.sleep(hold_s)  # the work of a turn between reading and writing the state
        chat.state = {**(chat.state or {}), "turns": count + 1}


def test_threads_bumping_one_session_lose_nothing(empty_engine):
    Base.metadata.create_all(empty_engine)
    with session_scope(empty_engine) as s:
        s.add(ChatSession(id="one", state={"turns": 0}, mode="bot", handoff=False))
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(10):
                _bump(empty_engine, "one")
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:2]
    with session_factory(empty_engine)() as s:
        assert s.get(ChatSession, "one").state["turns"] == 80


def test_processes_writing_one_sqlite_file_never_see_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'aisle.db'}"
    upgrade(url)
    from assistant.store.db import make_engine

    engine = make_engine(url)
    with session_scope(engine) as s:
        s.add(ChatSession(id="one", state={"turns": 0}, mode="bot", handoff=False))
    script = textwrap.dedent(f"""
        import sys, time
        from assistant.store.db import make_engine, write_scope
        from assistant.store.models import ChatSession
        engine = make_engine({url!r})
        for _ in range(15):
            with write_scope(engine) as s:
                chat = s.get(ChatSession, "one")
                n = chat.state["turns"]
                time.sleep(0.005)
                chat.state = {{**chat.state, "turns": n + 1}}
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(6)]
    failures = [(p.wait(timeout=240), p.stderr.read()) for p in procs]
    assert all(rc == 0 for rc, _ in failures), [err[-300:] for rc, err in failures if rc]
    with session_factory(engine)() as s:
        assert s.get(ChatSession, "one").state["turns"] == 90
    engine.dispose()
