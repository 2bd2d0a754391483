"""Generative backend: schema validation, fallback on invalid output, a tiny random causal
LM built locally, and a fake OpenAI-compatible endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import string
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from assistant.nlu.generative import (
    GenerativeUnderstander,
    HFChatBackend,
    OpenAIChatBackend,
    build_messages,
    parse_understanding,
)
from assistant.nlu.types import Understanding


class FakeDefaultModel:
    """Stands in for the fine-tuned model as the fallback; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def predict(self, texts, contexts=None):
        contexts = contexts or [None] * len(texts)
        self.asked += list(zip(texts, contexts, strict=True))
        return [
            Understanding(intent="greeting", confidence=0.5, model_version="default") for _ in texts
        ]


def test_parse_valid_output_normalises_slots():
    raw = 'Sure! {"intent": "search_products", "confidence": 0.9, "slots": {"color": "blue", "price_max": 40, "item_ref": "the second one", "email": "A@B.COM", "order_id": "w2611340"}}'
    u = parse_understanding(raw, "llm:x")
    assert u.intent == "search_products" and u.confidence == 0.9 and u.model_version == "llm:x"
    assert u.slots == {
        "color": "blue",
        "price_max": 40.0,
        "item_ref": 2,
        "email": "a@b.com",
        "order_id": "#W2611340",
    }


@pytest.mark.parametrize(
    "raw",
    [
        "no json here",
        '{"intent": "buy_a_pony", "confidence": 0.9}',  # not a label
        '{"intent": "greeting", "confidence": 7}',  # out of range
        '{"intent": "greeting", "slots": {"favourite_food": "pizza"}}',  # unknown slot
        '{"intent": "search_products", "slots": {"price_max": "cheap"}}',  # not a number
        '{"intent": ',
    ],
)
def test_parse_rejects_invalid_output(raw):
    with pytest.raises(ValueError):
        parse_understanding(raw, "llm:x")


def test_messages_carry_context_and_labels():
    messages = build_messages("yes", "Shall I cancel order #W1?")
    assert messages[0]["role"] == "system" and "out_of_scope" in messages[0]["content"]
    assert "Shall I cancel" in messages[1]["content"] and messages[1]["content"].endswith("yes")


@pytest.fixture(scope="module")
def tiny_causal_lm(tmp_path_factory):
    """A 2-layer random GPT-2 with a tiny WordPiece tokenizer and a chat template."""
    import torch
    from transformers import BertTokenizerFast, GPT2Config, GPT2LMHeadModel

    folder = tmp_path_factory.mktemp("tiny-lm")
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars]
    tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(dict.fromkeys(vocab))})
    tok.eos_token = "[SEP]"
    tok.chat_template = "{% for m in messages %}[CLS] {{ m['role'] }}: {{ m['content'] }} [SEP] {% endfor %}{% if add_generation_prompt %}[CLS] assistant:{% endif %}"
    tok.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tok),
        n_positions=2048,
        n_embd=32,
        n_layer=2,
        n_head=2,
        eos_token_id=tok.eos_token_id,
    )
    GPT2LMHeadModel(config).save_pretrained(folder)
    return str(folder)


def test_tiny_random_lm_output_falls_back(tiny_causal_lm):
    backend = HFChatBackend(tiny_causal_lm, max_new_tokens=12)
    raw = backend(build_messages("hello", None))
    assert isinstance(raw, str)  # the random model really generated something
    fallback = FakeDefaultModel()
    gen = GenerativeUnderstander(backend, fallback=fallback)
    out = gen.predict(["hello there", "yes"], ["Hi!", "Shall I?"])
    assert [u.model_version for u in out] == ["default", "default"]
    assert fallback.asked == [("hello there", "Hi!"), ("yes", "Shall I?")] and gen.fallbacks == 2


class _FakeOpenAI(BaseHTTPRequestHandler):
    reply = "{}"
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        if type(self).reply is None:
            self.send_response(500)
            self.end_headers()
            return
        payload = {"choices": [{"message": {"role": "assistant", "content": type(self).reply}}]}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake_openai():
    server = HTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    _FakeOpenAI.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_openai_endpoint_valid_invalid_and_error(fake_openai):
    fallback = FakeDefaultModel()
    gen = GenerativeUnderstander(
        OpenAIChatBackend(fake_openai, "tiny", timeout=5), fallback=fallback
    )
    _FakeOpenAI.reply = json.dumps(
        {"intent": "cancel_order", "confidence": 0.8, "slots": {"order_id": "#W2611340"}}
    )
    good = gen.predict_one("cancel #W2611340 please", "How can I help?")
    assert (
        good.intent == "cancel_order"
        and good.slots == {"order_id": "#W2611340"}
        and good.model_version == "llm:tiny"
    )
    sent = _FakeOpenAI.requests[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "tiny"
    assert "How can I help?" in sent["body"]["messages"][1]["content"]

    _FakeOpenAI.reply = '{"intent": "not_a_label"}'
    assert gen.predict_one("hi").model_version == "default"
    _FakeOpenAI.reply = None  # HTTP 500
    assert gen.predict_one("hi again").model_version == "default"
    assert gen.fallbacks == 2 and [t for t, _ in fallback.asked] == ["hi", "hi again"]


def test_load_understander_needs_its_settings(aisle_home, monkeypatch):
    from assistant.errors import UserError
    from assistant.nlu.generative import load_understander
    from assistant.settings import get_settings

    monkeypatch.setenv("AISLE_DIALOGUE_BACKEND", "openai")
    get_settings.cache_clear()
    with pytest.raises(UserError, match="AISLE_LLM_ENDPOINT"):
        load_understander()
    monkeypatch.setenv("AISLE_LLM_ENDPOINT", "http://127.0.0.1:9/v1")
    get_settings.cache_clear()
    assert isinstance(load_understander(), GenerativeUnderstander)
