"""The ``/v1`` API against its own OpenAPI document: schemathesis generates requests from
``/v1/openapi.json`` (valid and invalid ones) and sends them to the ASGI app in process; every
answer must be a documented status, not a 5xx, with a body that matches the documented schema.

The app runs the scripted assistant (no dialogue model) and the real search over the four test
products, indexed with the tiny local encoder. Half the generated feedback bodies get a real
session token (and, for thumbs, the id of a real reply), so the checks also reach past the
token check into the 200 and 404 answers.
"""

from __future__ import annotations

import os
import time
import zlib
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.ui import chat

# per operation and mode: the six runs take ~10 s together on 2 cores, the same examples every
# run; AISLE_TEST_API_EXAMPLES=N runs N random ones instead (a deeper search, by hand)
MAX_EXAMPLES = int(os.environ.get("AISLE_TEST_API_EXAMPLES", "60"))
DERANDOMIZE = "AISLE_TEST_API_EXAMPLES" not in os.environ
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture()
def api(indexed, scripted, v1_app):
    """The app (scripted assistant, indexed test products) and one real conversation."""
    from fastapi.testclient import TestClient

    turn = TestClient(v1_app).post("/v1/chat", json={"message": "any shoe?"}).json()
    return v1_app, turn


OPERATIONS = [
    ("/v1/chat", "POST"),
    ("/v1/chat/messages", "GET"),
    ("/v1/search", "GET"),
    ("/v1/feedback", "POST"),
]


def with_real_ids(case, turn: dict) -> None:
    """Half the feedback bodies and message reads (by their content) carry the real
    conversation's token and ids."""
    if case.path == "/v1/chat/messages" and isinstance(case.query, dict):
        if zlib.crc32(repr(case.query).encode()) % 2 == 0:
            case.query["session"] = turn["session"]
        wait = case.query.get("wait")
        if isinstance(wait, int | float) and not isinstance(wait, bool) and 0.2 < wait <= 30:
            case.query["wait"] = 0.2  # a valid wait, kept short: nothing arrives meanwhile
        return
    body = case.body
    if (
        case.path != "/v1/feedback"
        or not isinstance(body, dict)
        or zlib.crc32(repr(body).encode()) % 2
    ):
        return
    body["session"] = turn["session"]
    if body.get("kind") == "thumbs" and isinstance(body.get("message_id"), int):
        body["message_id"] = turn["message_id"]
    elif isinstance(body.get("product_id"), str):
        body["product_id"] = "p1"


def test_the_document_lists_exactly_these_operations(api):
    app, _ = api
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app).include(path_regex="^/v1/")
    found = [(op.ok().path, op.ok().method.upper()) for op in schema.get_all_operations()]
    assert sorted(found) == sorted(OPERATIONS)  # a new /v1 operation gets tested here too


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_v1_api_conforms_to_its_openapi_document(api, path, method, mode):
    app, turn = api
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app)
    operation = schema[path][method]
    seconds: list[float] = []
    statuses: Counter[int] = Counter()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=DERANDOMIZE,
    )
    def run(case) -> None:
        with_real_ids(case, turn)
        started = time.perf_counter()
        response = case.call_and_validate(checks=CHECKS)
        seconds.append(time.perf_counter() - started)
        statuses[response.status_code] += 1

    run()
    assert max(seconds) < 10, "one request took over 10 s"
    if mode == GenerationMode.POSITIVE:  # valid requests were answered, not only refused
        assert statuses[200] > 0, statuses


def test_the_scripted_assistant_stays_installed(api):
    """The generated chat turns ran on the scripted assistant, not a real model."""
    assert type(chat.current_assistant()).__name__ == "ScriptedAssistant"
