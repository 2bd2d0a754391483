"""Two app processes (``aisle serve``) on one PostgreSQL database, as compose's two replicas:
a shopper's conversation alternates between them turn by turn through ``POST /v1/chat`` with
one session token and keeps its state, and an agent's message sent through replica A's staff
path (sign-in, then the agent page's send through Gradio's queue) reaches a shopper waiting on
replica B (``GET /v1/chat/messages?wait=``) within a second, woken by PostgreSQL NOTIFY.

The database is a fresh one on ``AISLE_TEST_POSTGRES_URL``'s server (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; the root conftest's
``fresh_pg_database``), dropped afterwards; skipped with the reason when none answers. The
catalogue is a dozen products indexed with the tiny local encoder; the dialogue model is the
default one the live tests train once and cache.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = [  # id, title, category, price
    ("j1", "Storm rain jacket", "jackets", 45.0),
    ("j2", "Trail rain jacket", "jackets", 60.0),
    ("j3", "Packable rain jacket", "jackets", 95.0),
    ("j4", "Alpine rain jacket", "jackets", 130.0),
    ("j5", "Expedition rain jacket", "jackets", 180.0),
    ("s1", "Road running shoe", "shoes", 70.0),
    ("s2", "Trail running shoe", "shoes", 110.0),
    ("t1", "Cotton t-shirt", "tops", 15.0),
    ("t2", "Merino t-shirt", "tops", 55.0),
    ("b1", "Steel water bottle", "bottles", 25.0),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, f"aisle {' '.join(args)}: {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture()
def replicas(fresh_pg_database, tmp_path, tiny_encoder_path, dialogue_model_folder):
    """``(url_a, url_b, env)``: two ``aisle serve`` processes on one home and one database."""
    from sqlalchemy import create_engine, text

    home = tmp_path / "home"
    home.mkdir()
    (home / ".browser_secret").write_text(secrets.token_hex(32))  # made once, as compose's init
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    env.update(
        AISLE_HOME=str(home), AISLE_DATABASE_URL=fresh_pg_database,
        AISLE_EMBEDDING_MODEL=tiny_encoder_path, AISLE_VERIFY_SECRET=secrets.token_hex(32),
        PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1",
    )  # fmt: skip
    catalogue = tmp_path / "products.csv"
    with catalogue.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "description", "category", "brand", "price", "available"])
        for pid, title, category, price in PRODUCTS:
            out.writerow([pid, title, f"A {title.lower()}.", category, "Acme", price, "true"])
    _run(env, "catalog", "import", str(catalogue))  # migrates the empty database first
    _run(env, "index", "build")
    meta = json.loads((dialogue_model_folder / "meta.json").read_text())
    version = str(meta.get("version") or "default")
    target = home / "models" / version
    shutil.copytree(dialogue_model_folder, target)
    engine = create_engine(fresh_pg_database)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO model_versions (id, kind, path, status, metrics, created_at, promoted_at) "
                "VALUES (:id, 'dialogue', :path, 'live', :metrics, now(), now())"
            ),
            {"id": version, "path": str(target), "metrics": json.dumps(meta.get("metrics") or {})},
        )
    engine.dispose()
    procs, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115
        procs.append(
            (
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "assistant",
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )  # fmt: skip
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 300
        for (proc, _), url in zip(procs, urls, strict=True):
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
                    pytest.fail(f"a replica did not get ready:\n{logs}")
                time.sleep(0.5)
        yield urls[0], urls[1], env
    finally:
        for proc, log in procs:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _turn(url: str, message: str, session: str | None) -> dict:
    answer = httpx.post(f"{url}/v1/chat", json={"message": message, "session": session}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _agent_fn_indexes() -> tuple[int, int]:
    """The Gradio event indexes of the agent page's queue refresh and send (the same code
    builds the same app; the caller points AISLE_HOME at the replicas' home first)."""
    from assistant.settings import get_settings

    get_settings.cache_clear()
    from assistant.cli.serve_cmds import load_app_module
    from assistant.ui import agent_view

    demo = load_app_module().demo
    (queue,) = [i for i, fn in demo.fns.items() if fn.fn is agent_view.queue]
    (send,) = [i for i, fn in demo.fns.items() if fn.fn is agent_view.send]
    return queue, send


def _queue_call(client: httpx.Client, fn_index: int, data: list, session_hash: str) -> dict:
    joined = client.post("/gradio_api/queue/join", json={
        "data": data, "fn_index": fn_index, "session_hash": session_hash,
        "event_data": None, "trigger_id": None,
    })  # fmt: skip
    assert joined.status_code == 200, joined.text
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the queue stream ended without a result")


def test_two_replicas_share_a_conversation_and_the_agents_messages(replicas, monkeypatch):
    url_a, url_b, env = replicas
    monkeypatch.setenv("AISLE_HOME", env["AISLE_HOME"])
    # turn by turn, A, B, A, B: one session token, one conversation, its state carried over
    first = _turn(url_a, "show me rain jackets", None)
    token = first["session"]
    shown = {p["id"]: p["price"] for p in first["products"]}
    assert shown and set(shown) <= {"j1", "j2", "j3", "j4", "j5"}, first
    second = _turn(url_b, "under 100 please", token)
    assert second["session"] == token and second["message_id"] > first["message_id"]
    narrowed = {p["id"]: p["price"] for p in second["products"]}
    assert narrowed and set(narrowed) < set(shown) | {"j1", "j2", "j3"}, (first, second)
    assert all(price <= 100 for price in narrowed.values()), second  # B kept A's "jackets"
    assert set(narrowed) <= {"j1", "j2", "j3"}, second
    third = _turn(url_a, "thanks", token)
    assert third["session"] == token and third["message_id"] > second["message_id"]

    # the shopper waits on B; the agent signs in and sends on A
    queue_index, send_index = _agent_fn_indexes()
    from assistant.ui.tokens import conversation_id

    sid = conversation_id(token)
    waited: dict = {}

    def wait_on_b() -> None:
        answer = httpx.get(f"{url_b}/v1/chat/messages",
                           params={"session": token, "after": third["message_id"], "wait": 20},
                           timeout=30)  # fmt: skip
        waited["at"], waited["answer"] = time.perf_counter(), answer

    shopper = threading.Thread(target=wait_on_b)
    shopper.start()
    time.sleep(1.0)  # the long poll is waiting on B before the agent writes
    with httpx.Client(base_url=url_a, timeout=30) as agent:
        signed = agent.post("/staff/login", data={"username": "agent", "password": "aisle-agent",
                                                  "next": "/agent"}, follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303, signed.text
        page = uuid.uuid4().hex[:10]  # one agent page: its queue lists the conversation
        listed = _queue_call(agent, queue_index, [], page)
        assert listed.get("success") is not False, listed
        sent_at = time.perf_counter()
        done = _queue_call(agent, send_index, [sid, "Hello, this is Sam from support.", None], page)
        stored_at = time.perf_counter()
    assert done.get("success") is not False, done
    shopper.join(30)
    answer = waited["answer"]
    assert answer.status_code == 200, answer.text
    assert [(m["role"], m["text"]) for m in answer.json()["messages"]] == [
        ("agent", "Hello, this is Sam from support.")
    ]
    latency = waited["at"] - sent_at
    print(f"agent message A -> shopper on B: {latency * 1000:.0f} ms from the send "
          f"({(waited['at'] - stored_at) * 1000:.0f} ms after A answered)")  # fmt: skip
    assert latency < 1.0
