"""Feedback end to end from a fresh home, all through the ``aisle`` entry point:
chat, rate, correct, export three formats (no personal data), retrain from feedback,
read the promotion decision, roll back.

Slow: it builds a home (demo store, indexes) and trains the dialogue model twice. By default
the two trainings are cut to a few steps (the flow is under test, not the model's quality);
``AISLE_E2E_FULL=1`` runs them at full length.
"""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from assistant.cli import main

pytestmark = pytest.mark.slow

SECRETS = ("noah", "noah.brown7922", "7922", "example.com", "(303) 555-0199")


def aisle(capsys, home, *argv: str) -> str:
    """Run one ``aisle`` command; fail the test on a non-zero exit; return stdout."""
    code = 0
    try:
        main(["--home", str(home), *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, f"aisle {' '.join(argv)} exited {code}: {err[-800:]}"
    return out


def last_json(out: str):
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture()
def quick_training(monkeypatch):
    training = pytest.importorskip("assistant.nlu.training")
    if os.environ.get("AISLE_E2E_FULL") != "1":
        quick = dataclasses.replace(training.DEFAULT_CONFIG, max_steps=25)
        monkeypatch.setattr(training, "DEFAULT_CONFIG", quick)


def test_chat_rate_correct_export_retrain_rollback(capsys, aisle_home, tmp_path, quick_training):
    home = aisle_home
    aisle(capsys, home, "init")

    # chat
    first = last_json(
        aisle(capsys, home, "chat", "hi, I'm Noah Brown, noah.brown7922@example.com, (303) 555-0199",
              "--session", "e2e-1", "--json")
    )  # fmt: skip
    misread = last_json(
        aisle(capsys, home, "chat", "yo wheres my stuff", "--session", "e2e-1", "--json")
    )
    shop = last_json(
        aisle(
            capsys, home, "chat", "looking for a waterproof jacket", "--session", "e2e-2", "--json"
        )
    )

    # rate and correct (an intent label and a reply text)
    aisle(capsys, home, "feedback", "add", str(first["message_id"]), "--rating", "up")
    fixed = last_json(
        aisle(capsys, home, "feedback", "add", str(misread["message_id"]), "--rating", "down",
              "--correction", "track_order", "--reason", "asked about an order")
    )  # fmt: skip
    assert fixed["corrected_intent"] == "track_order"
    better = "Here are waterproof jackets in stock; want them under a price?"
    aisle(capsys, home, "feedback", "add", str(shop["message_id"]), "--correction", better)

    # export the three formats: records written, no personal data
    exports = {}
    for fmt in ("sft", "dpo", "intents"):
        path = tmp_path / f"{fmt}.jsonl"
        report = last_json(aisle(capsys, home, "feedback", "export", "--format", fmt, str(path)))
        assert (
            report == {"records": report["records"], "path": str(path)} and report["records"] >= 1
        )
        text = path.read_text().lower()
        for secret in SECRETS:
            assert secret not in text, (fmt, secret)
        exports[fmt] = [json.loads(line) for line in path.read_text().splitlines()]
    assert {"text": "yo wheres my stuff", "intent": "track_order",
            "previous_intent": first["intent"]} in exports["intents"]  # fmt: skip
    assert any(r["chosen"][0]["content"] == better for r in exports["dpo"])
    assert any("[NAME]" in m["content"] for r in exports["sft"] for m in r["messages"])

    # retrain from feedback: the decision follows the rule in settings
    versions_before = [
        json.loads(x) for x in aisle(capsys, home, "model", "list", "--json").splitlines()
    ]
    (live_before,) = [v["version"] for v in versions_before if v["status"] == "live"]
    result = last_json(aisle(capsys, home, "train", "dialogue", "--from-feedback", "--json"))
    cand, live = result["metrics"]["candidate"], result["metrics"]["live"]
    assert cand["extra_examples"] >= 1 and live["version"] == live_before
    assert result["promoted"] == (cand["macro_f1"] >= live["macro_f1"])  # tolerance 0 by default

    versions = {
        v["version"]: v
        for v in map(json.loads, aisle(capsys, home, "model", "list", "--json").splitlines())
    }
    new = versions[result["version"]]
    assert new["parent"] == live_before and new["data_hash"]
    assert new["status"] == ("live" if result["promoted"] else "candidate")
    assert result["version"] in aisle(capsys, home, "model", "list")  # the table too

    # roll back (promote first when the candidate was held back, so there is something to undo)
    if not result["promoted"]:
        aisle(capsys, home, "model", "promote", result["version"])
    back = last_json(aisle(capsys, home, "model", "rollback"))
    assert back["live"] == live_before
    versions = {
        v["version"]: v
        for v in map(json.loads, aisle(capsys, home, "model", "list", "--json").splitlines())
    }
    assert versions[live_before]["status"] == "live"
    assert versions[result["version"]]["status"] != "live"
