"""``aisle chat --json`` prints exactly the DESIGN.md object and keeps state per --session."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app, main
from assistant.settings import get_settings
from assistant.store.models import Product

KEYS = {"session_id", "message_id", "reply", "intent", "confidence", "slots", "action", "products", "handoff",
        "understood_by"}
PRODUCT_KEYS = {"id", "title", "category", "brand", "price", "available", "score"}


def test_chat_json_contract_and_session_state(live_home, db, monkeypatch):
    monkeypatch.setenv("AISLE_HOME", str(live_home.home))
    get_settings.cache_clear()
    runner = CliRunner()
    first = runner.invoke(app, ["chat", "show me t-shirts under 60", "--session", "cli-1", "--json"])
    assert first.exit_code == 0, first.output
    out = json.loads(first.stdout)
    assert set(out) == KEYS and out["session_id"] == "cli-1" and isinstance(out["slots"], dict)
    assert out["understood_by"] == "encoder"  # the default path
    assert out["products"] and all(PRODUCT_KEYS <= set(p) for p in out["products"])
    second = json.loads(runner.invoke(app, ["chat", "in black", "--session", "cli-1", "--json"]).stdout)
    assert second["message_id"] > out["message_id"] and second["products"]
    for p in second["products"]:
        row = db.get(Product, p["id"])
        assert row.attributes["color"] == "black" and row.price <= 60 and row.category == "T-Shirt"


def test_chat_bad_session_id_is_a_user_error(live_home, monkeypatch, capsys):
    monkeypatch.setenv("AISLE_HOME", str(live_home.home))
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exit_info:
        main(["chat", "hi", "--session", "x" * 80, "--json"])
    assert exit_info.value.code == 2
    assert "session id" in capsys.readouterr().err
