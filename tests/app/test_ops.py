"""``/healthz``, ``/readyz`` and ``/metrics`` on the app's FastAPI server, and the warm-up
that ``launch`` does before a server object exists (scripted assistant)."""

from __future__ import annotations

import gradio as gr
import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assistant.settings import get_settings
from assistant.ui import chat, metrics, server
from assistant.ui.metrics import LATENCY_BUCKETS


@pytest.fixture()
def client(store):
    """The app's FastAPI server around an empty Blocks, with fresh metrics and no assistant."""
    chat.set_assistant(None)
    metrics.reset()
    with gr.Blocks() as demo:
        gr.Markdown("test")
    app = server.build_app(demo, get_settings(), host="127.0.0.1", port=7860)
    with TestClient(app) as test_client:
        yield test_client
    chat.set_assistant(None)


def scrape(text: str) -> dict[str, list]:
    """Metric name -> its samples, from the Prometheus text format."""
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(samples: list, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(
        s.value
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_healthz_is_200_whatever_the_state(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    chat.set_assistant(None)  # no models at all: still alive
    response = client.get("/healthz")
    assert response.status_code == 200


def test_readyz_is_503_until_the_models_are_loaded(client, scripted):
    chat.set_assistant(None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "reason": "the models are not loaded yet"}
    chat.set_assistant(scripted)  # installed, not warmed
    assert client.get("/readyz").status_code == 503
    assert chat.warm_up() is scripted and scripted.warm
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"ready": True}


def test_readyz_is_503_when_the_database_does_not_answer(client, scripted, monkeypatch, tmp_path):
    from sqlalchemy import create_engine

    import assistant.store.db as db

    chat.warm_up()
    assert client.get("/readyz").status_code == 200
    gone = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'aisle.db'}")
    monkeypatch.setattr(db, "get_engine", lambda url=None: gone)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["ready"] is False
    assert response.json()["reason"].startswith("the database does not answer")


def test_metrics_after_two_turns(client, scripted):
    chat.warm_up()
    for message in ("hello", "any shoe?"):
        assert client.post("/v1/chat", json={"message": message}).status_code == 200
    assert client.post("/v1/chat", json={"message": 7}).status_code == 422  # bad input
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = scrape(response.text)
    turns = families["aisle_turns"]
    assert value(turns, "aisle_turns_total") == 2
    assert value(turns, "aisle_turns_total", route="v1_chat", action="search") == 1
    assert value(turns, "aisle_turns_total", route="v1_chat", action="clarify") == 1
    latency = families["aisle_turn_latency_seconds"]
    assert value(latency, "aisle_turn_latency_seconds_count", route="v1_chat") == 2
    assert value(latency, "aisle_turn_latency_seconds_sum", route="v1_chat") > 0
    buckets = {s.labels["le"] for s in latency if s.name.endswith("_bucket")}
    assert buckets == {str(float(b)) for b in LATENCY_BUCKETS} | {"+Inf"}
    errors = families["aisle_turn_errors"]
    assert value(errors, "aisle_turn_errors_total", route="v1_chat", kind="user") == 1
    assert value(errors, "aisle_turn_errors_total", kind="internal") == 0
    assert value(families["aisle_handoffs"], "aisle_handoffs_total") == 0
    assert value(families["aisle_constraint_violations"], "aisle_constraint_violations_total") == 0
    assert value(families["aisle_models_loaded"], "aisle_models_loaded") == 1


def test_metrics_name_the_live_model_version(client, scripted):
    from assistant.store.db import session_scope
    from assistant.store.models import ModelVersion

    with session_scope() as s:
        s.add(ModelVersion(id="v-live", kind="dialogue", path="/nowhere", status="live"))
        s.add(ModelVersion(id="v-old", kind="dialogue", path="/nowhere", status="retired"))
    info = scrape(client.get("/metrics").text)["aisle_model_info"]
    assert [(s.name, s.labels, s.value) for s in info] == [
        ("aisle_model_info", {"kind": "dialogue", "version": "v-live", "backend": "default"}, 1.0)
    ]


def test_handoffs_and_internal_errors_are_counted(scripted):
    from assistant.types import TurnResult

    metrics.reset()
    chat.set_assistant(scripted)

    def handoff(message, **kwargs):
        if message == "boom":
            raise RuntimeError("the model broke")
        return TurnResult(
            session_id="s",
            message_id=1,
            reply="A person will help.",
            intent="contact_human_agent",
            confidence=0.9,
            action="handoff",
            handoff=True,
        )

    scripted.turn = handoff
    chat.shopper_turn("a person please", "s")
    with pytest.raises(RuntimeError):
        chat.shopper_turn("boom", "s")
    families = scrape(metrics.current().exposition().decode())
    assert value(families["aisle_handoffs"], "aisle_handoffs_total", route="page") == 1
    assert value(families["aisle_turns"], "aisle_turns_total", action="handoff", route="page") == 1
    assert value(families["aisle_turn_errors"], "aisle_turn_errors_total", kind="internal") == 1


def test_gradio_chat_and_v1_chat_count_in_one_place(scripted_server, scripted):
    """A live server: one turn through Gradio's ``/chat``, one through ``POST /v1/chat``."""
    from gradio_client import Client

    url, _ = scripted_server
    metrics.reset()
    Client(url, verbose=False).predict("hello", None, api_name="/chat")
    assert httpx.post(url + "v1/chat", json={"message": "any shoe?"}, timeout=30).status_code == 200
    assert httpx.get(url + "readyz", timeout=30).status_code == 200
    turns = scrape(httpx.get(url + "metrics", timeout=30).text)["aisle_turns"]
    assert value(turns, "aisle_turns_total") == 2
    assert value(turns, "aisle_turns_total", route="gradio_chat") == 1
    assert value(turns, "aisle_turns_total", route="v1_chat") == 1


def test_launch_loads_the_models_before_the_server_exists(scripted, monkeypatch):
    """``launch`` warms the assistant before it builds the app or creates the uvicorn server."""
    from assistant.cli.serve_cmds import load_app_module

    module = load_app_module()
    seen: dict[str, bool] = {}
    build = server.build_app

    def record_build(*args, **kwargs):
        seen["at build_app"] = chat.assistant_ready()
        return build(*args, **kwargs)

    def record_serve(app, host, port, **kwargs):
        seen["at serve"] = chat.assistant_ready()
        return None

    monkeypatch.setattr(server, "build_app", record_build)
    monkeypatch.setattr(server, "serve", record_serve)
    assert not chat.assistant_ready()  # installed, not warmed
    module.launch(host="127.0.0.1", port=7860, prevent_thread_lock=True, quiet=True)
    assert seen == {"at build_app": True, "at serve": True} and scripted.warm
