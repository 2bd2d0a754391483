"""Fixtures for the app tests.

``ScriptedAssistant`` is a small test double of ``assistant.service.Assistant`` for the
handler tests: it keeps the contract (persists the shopper message and the reply, returns
a ``TurnResult``, records events) with a keyword match over a handful of products, so the
UI logic is tested without the models. The live-server and browser tests use the real
assistant (see ``test_live.py`` / ``test_browser.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from assistant.store.db import session_scope
from assistant.store.models import ChatSession, InteractionEvent, Message, Product
from assistant.types import TurnResult

PRODUCTS = [
    dict(
        id="p1",
        title="Trail Runner Shoe",
        category="shoes",
        brand="Acme",
        price=89.0,
        available=True,
        attributes={"color": "blue", "size": "42"},
        image_url="https://example.com/p1.jpg",
        description="Light <b>trail</b> shoe",
    ),
    dict(
        id="p2",
        title="Road Runner Shoe",
        category="shoes",
        brand="Zoom",
        price=120.0,
        available=False,
        attributes={"color": "red"},
        description="Fast",
    ),
    dict(
        id="p3",
        title="Rain Jacket <script>alert(1)</script>",
        category="jackets",
        brand="Acme",
        price=60.0,
        available=True,
        attributes={},
        description="Dry",
    ),
    dict(
        id="p4",
        title="Cotton T-Shirt",
        category="tops",
        brand="Acme",
        price=15.0,
        available=True,
        attributes={"color": "white"},
        description="Soft",
    ),
]


class ScriptedAssistant:
    """Answers ``shoe``/``jacket`` searches from the products table; everything else gets a canned reply."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.events: list[tuple[str, str, str]] = []
        self.warm = False  # as the real one: True after warm_up (what /readyz reads)

    def warm_up(self) -> None:
        self.warm = True

    def turn(
        self,
        message: str,
        session_id: str | None = None,
        user_id: str | None = None,
        diversity: float | None = None,
        client: str | None = None,
    ) -> TurnResult:
        self.calls.append(
            {
                "message": message,
                "session_id": session_id,
                "user_id": user_id,
                "diversity": diversity,
                "client": client,
            }
        )
        with session_scope() as s:
            chat = s.get(ChatSession, session_id) if session_id else None
            if chat is None:
                chat = ChatSession(id=session_id or uuid.uuid4().hex, user_id=user_id, state={})
                s.add(chat)
                s.flush()
            if chat.mode != "bot":  # the contract: an agent has the session, the bot stays silent
                user = Message(session_id=chat.id, role="user", text=message)
                s.add(user)
                s.flush()
                return TurnResult(
                    session_id=chat.id,
                    message_id=user.id,
                    reply="A person will answer.",
                    intent="out_of_scope",
                    confidence=0.0,
                    action="waiting_for_agent",
                )
            word = next((w for w in ("shoe", "jacket", "shirt") if w in message.lower()), None)
            intent = "search_products" if word else "greeting"
            products = []
            if word:
                for p in (
                    s.query(Product).filter(Product.title.ilike(f"%{word}%")).order_by(Product.id)
                ):
                    products.append(
                        {
                            "id": p.id,
                            "title": p.title,
                            "category": p.category,
                            "brand": p.brand,
                            "price": p.price,
                            "available": p.available,
                            "score": 1.0,
                            "reason": f"matches {word}",
                            "image_url": p.image_url,
                        }
                    )
            reply = f"Here are {len(products)} {word}s for you." if word else f"You said: {message}"
            s.add(
                Message(
                    session_id=chat.id, role="user", text=message, intent=intent, confidence=0.9
                )
            )
            bot = Message(
                session_id=chat.id,
                role="assistant",
                text=reply,
                intent=intent,
                confidence=0.9,
                plan={"action": "search" if word else "clarify"},
                products=products,
                latency_ms=12.0,
            )
            s.add(bot)
            s.flush()
            chat.state = {**(chat.state or {}), "slots": {"product": word} if word else {}}
            return TurnResult(
                session_id=chat.id,
                message_id=bot.id,
                reply=reply,
                intent=intent,
                confidence=0.9,
                slots={"product": word} if word else {},
                action="search" if word else "clarify",
                products=products,
            )

    def draft_reply(self, session_id: str) -> TurnResult:
        with session_scope() as s:
            last = (
                s.query(Message)
                .filter_by(session_id=session_id, role="user")
                .order_by(Message.id.desc())
                .first()
            )
            text = f"Draft answer to: {last.text if last else ''}"
        return TurnResult(
            session_id=session_id,
            message_id=0,
            reply=text,
            intent="greeting",
            confidence=0.5,
            products=[
                {
                    "id": "p1",
                    "title": "Trail Runner Shoe",
                    "price": 89.0,
                    "available": True,
                    "reason": "liked before",
                }
            ],
        )

    def record_event(self, session_id: str, product_id: str, kind: str) -> None:
        self.events.append((session_id, product_id, kind))
        with session_scope() as s:
            s.add(InteractionEvent(session_id=session_id, product_id=product_id, kind=kind))


@pytest.fixture(autouse=True)
def fresh_staff_access():
    """Staff sessions, lockouts and exports start empty in every test (one table per home)."""
    from assistant.staff import get_staff

    get_staff.cache_clear()
    yield
    get_staff.cache_clear()


@pytest.fixture()
def staff_request(store):
    """``staff_request(role)``: a Gradio request carrying a signed-in staff cookie (``None``:
    no cookie); what the handlers receive from a signed-in browser."""
    import gradio as gr

    from assistant.staff import COOKIE, get_staff
    from assistant.staff.auth import Principal

    def make(role: str | None = "agent", username: str | None = None) -> gr.Request:
        cookies = {}
        if role is not None:
            token = get_staff().sessions.create(Principal(username or role, role), "testclient")
            cookies[COOKIE] = token
        return gr.Request(cookies=cookies, client={"host": "testclient"})

    return make


@pytest.fixture()
def store(engine):
    """A fresh database with three products."""
    with session_scope(engine) as s:
        for p in PRODUCTS:
            s.add(Product(**p))
    return engine


@pytest.fixture()
def scripted(store):
    """The scripted assistant installed as the app's assistant."""
    from assistant.ui import chat

    fake = ScriptedAssistant()
    chat.set_assistant(fake)
    yield fake
    chat.set_assistant(None)


@pytest.fixture()
def v1_app(store):
    """The app's FastAPI server (the ``/v1`` API, operations, staff routes) around an empty Blocks."""
    import gradio as gr

    from assistant.settings import get_settings
    from assistant.ui import server

    with gr.Blocks() as demo:
        gr.Markdown("test")
    return server.build_app(demo, get_settings(), host="127.0.0.1", port=7860)


@pytest.fixture()
def indexed(store, tiny_encoder_path, monkeypatch):
    """The test products in a search index built with the tiny local encoder."""
    from assistant.settings import get_settings
    from retrieval.indexing import build_indexes

    monkeypatch.setenv("AISLE_EMBEDDING_MODEL", tiny_encoder_path)
    get_settings.cache_clear()
    build_indexes(progress=False)
    return store


@pytest.fixture()
def scripted_server(scripted):
    """The app module launched in this process on a free loopback port: ``(url, module)``."""
    from assistant.cli.serve_cmds import load_app_module

    module = load_app_module()
    running = module.launch(host="127.0.0.1", port=_free_port(), prevent_thread_lock=True, quiet=True)
    yield running.url, module
    running.close()


# --------------------------------------------------------------------------- live server
# The browser tests run the real app (``aisle serve`` in a subprocess) on a home with the
# demo store, its indexes and the default dialogue model. The store + indexes take minutes
# to build on 2 CPU cores, so that home is cached under .pytest_cache, keyed by the content
# of everything that goes into it, and copied per test session. The model is the one the
# ``dialogue_model`` fixture of tests/assistant caches (same folder, same training call),
# or the folder named by ``AISLE_TEST_MODEL_DIR``.

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HOME_INPUTS = ("assistant/resources/tau2_retail", "retrieval", "assistant/store", "assistant/migrations")
BUILD_HOME = """
import sys
from assistant.settings import Settings
from assistant.store.db import get_engine, session_scope
from assistant.store.demo import import_demo_store
from assistant.store.migrate import upgrade
from retrieval.indexing import build_indexes
settings = Settings(home=sys.argv[1])
settings.ensure_home()
upgrade(settings.db_url)
with session_scope(get_engine(settings.db_url)) as s:
    import_demo_store(s)
build_indexes(settings, progress=False)
"""


def _inputs_hash() -> str:
    digest = hashlib.sha256()
    for top in HOME_INPUTS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    env.update(AISLE_HOME=str(home), PYTHONUNBUFFERED="1", OMP_NUM_THREADS="2")
    return env


def _store_home() -> Path:
    cache = ROOT / ".pytest_cache" / f"aisle-app-home-{_inputs_hash()}"
    if not (cache / "READY").exists():
        build = cache.with_name(cache.name + f".building-{os.getpid()}")
        shutil.rmtree(build, ignore_errors=True)
        result = subprocess.run(
            [sys.executable, "-c", BUILD_HOME, str(build)],
            env=_clean_env(build),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if result.returncode != 0:
            pytest.fail(f"building the demo home failed:\n{result.stderr[-3000:]}")
        (build / "READY").write_text("ok")
        shutil.rmtree(cache, ignore_errors=True)
        build.rename(cache)
    return cache


def _model_folder() -> Path:
    """The default dialogue model, shared with tests/assistant's ``dialogue_model`` cache."""
    override = os.environ.get("AISLE_TEST_MODEL_DIR")
    if override:
        return Path(override)
    from assistant.nlu.corpus import build_corpus
    from assistant.nlu.model import WEIGHTS_FILE
    from assistant.nlu.training import DEFAULT_CONFIG, train_model
    from assistant.settings import default_embedding_model

    corpus = build_corpus()
    folder = ROOT / ".pytest_cache" / f"aisle-dialogue-{corpus.hash}"
    if not (folder / WEIGHTS_FILE).exists():
        model, facts = train_model(
            corpus.train,
            corpus.dev,
            default_embedding_model(),
            DEFAULT_CONFIG,
            progress=False,
            version=f"test-{corpus.hash}",
            data_hash=corpus.hash,
        )
        model.meta.metrics = facts
        tmp = folder.with_name(folder.name + ".tmp")
        model.save(tmp)
        tmp.rename(folder)
    return folder


@pytest.fixture(scope="session")
def dialogue_model_folder() -> Path:
    """The default dialogue model's folder (trained once, cached; see ``_model_folder``)."""
    return _model_folder()


@pytest.fixture(scope="session")
def live_home(tmp_path_factory) -> Path:
    """A fresh copy of the demo home with the default model installed as the live version."""
    from sqlalchemy import create_engine, text

    source = _store_home()
    model = _model_folder()
    home = tmp_path_factory.mktemp("live") / "home"
    shutil.copytree(source, home)
    meta = json.loads((model / "meta.json").read_text())
    version = str(meta.get("version") or "default")
    target = home / "models" / version
    shutil.copytree(model, target)
    engine = create_engine(f"sqlite:///{home / 'aisle.db'}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM model_versions"))
        conn.execute(
            text(
                "INSERT INTO model_versions (id, kind, path, status, metrics, created_at, promoted_at) "
                "VALUES (:id, 'dialogue', :path, 'live', :metrics, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"id": version, "path": str(target), "metrics": json.dumps(meta.get("metrics") or {})},
        )
    engine.dispose()
    return home


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(request):
    """``aisle serve`` on a free local port, stopped at the end of the session.

    ``AISLE_TEST_SERVER_URL`` (with ``AISLE_TEST_DATABASE_URL``) points the tests at an app
    that is already running instead."""
    url = os.environ.get("AISLE_TEST_SERVER_URL")
    if url:
        yield SimpleNamespace(
            url=url.rstrip("/") + "/", db_url=os.environ["AISLE_TEST_DATABASE_URL"]
        )
        return
    live_home = request.getfixturevalue("live_home")
    port = _free_port()
    log = open(live_home / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "-v",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=_clean_env(live_home),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start: {(live_home / 'server.log').read_text()[-3000:]}")
        time.sleep(0.5)
    yield SimpleNamespace(
        url=url, home=live_home, db_url=f"sqlite:///{live_home / 'aisle.db'}", proc=proc
    )
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
