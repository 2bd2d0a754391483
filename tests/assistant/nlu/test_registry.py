"""Versions, promotion rule, rollback and the CLI, with a tiny random encoder."""

from __future__ import annotations

import json

import pytest

from assistant.errors import UserError
from assistant.nlu.training import TrainConfig

GOOD = TrainConfig(
    epochs=1,
    batch_size=32,
    lr=1e-3,
    head_lr=1e-2,
    freeze_embeddings=False,
    frozen_layers=0,
    max_steps=150,
    threads=1,
)
UNTRAINED = TrainConfig(epochs=1, lr=0.0, head_lr=0.0, max_steps=1, threads=1)


@pytest.fixture()
def tiny_home(engine, tiny_encoder_path, monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setenv("AISLE_EMBEDDING_MODEL", tiny_encoder_path)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_promotion_rule_rollback_and_reload(tiny_home):
    from assistant.nlu import registry
    from assistant.nlu.training import train_dialogue

    first = train_dialogue(progress=False, settings=tiny_home, config=GOOD)
    assert first.promoted and first.metrics["live"] == {}
    assert registry.load_live_model(tiny_home).version == first.version
    assert (tiny_home.models_dir / first.version / "meta.json").exists()

    worse = train_dialogue(progress=False, settings=tiny_home, config=UNTRAINED)
    cand, live = worse.metrics["candidate"], worse.metrics["live"]
    assert live["version"] == first.version and cand["eval_hash"] == live["eval_hash"]
    assert cand["n"] == live["n"] > 100
    assert cand["macro_f1"] < live["macro_f1"] and not worse.promoted
    assert registry.load_live_model(tiny_home).version == first.version

    lenient = tiny_home.model_copy(update={"promotion_tolerance": 1.0})
    third = train_dialogue(progress=False, settings=lenient, config=UNTRAINED)
    assert third.promoted
    assert registry.load_live_model(tiny_home).version == third.version  # reloaded on change

    rows = {r["version"]: r for r in registry.list_versions(tiny_home)}
    assert rows[first.version]["status"] == "retired" and rows[third.version]["status"] == "live"
    assert (
        rows[worse.version]["status"] == "candidate"
        and rows[worse.version]["parent"] == first.version
    )
    assert len({r["data_hash"] for r in rows.values()}) == 1  # same corpus, no extras

    assert registry.rollback(tiny_home) == first.version
    assert registry.load_live_model(tiny_home).version == first.version
    with pytest.raises(UserError):
        registry.rollback(tiny_home)  # the first live version has no predecessor
    registry.promote(worse.version, tiny_home)
    assert registry.load_live_model(tiny_home).version == worse.version
    with pytest.raises(UserError, match="unknown model version"):
        registry.promote("dlg-nope", tiny_home)


def test_extra_examples_change_the_data_hash(tiny_home):
    from assistant.nlu.training import train_dialogue

    base = train_dialogue(progress=False, settings=tiny_home, config=UNTRAINED)
    extra = [
        {
            "text": "do you do gift wrapping",
            "intent": "product_question",
            "context": None,
            "source": "corrected",
        },
        ("is there a student discount", "out_of_scope"),
    ]
    more = train_dialogue(
        extra_examples=extra, progress=False, settings=tiny_home, config=UNTRAINED
    )
    assert more.metrics["candidate"]["extra_examples"] == 2
    from assistant.nlu import registry

    hashes = {r["version"]: r["data_hash"] for r in registry.list_versions(tiny_home)}
    assert hashes[base.version] != hashes[more.version]


def test_cli_train_and_predict(tiny_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.nlu import training

    monkeypatch.setattr(training, "DEFAULT_CONFIG", GOOD)
    runner = CliRunner()
    out = runner.invoke(app, ["train", "dialogue", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result) == {"version", "promoted", "metrics"} and set(result["metrics"]) == {
        "candidate",
        "live",
    }
    assert result["promoted"] is True and 0.0 <= result["metrics"]["candidate"]["macro_f1"] <= 1.0

    csv_path = tmp_path / "u.csv"
    csv_path.write_text('id,utterance\n1,"where is my order #W2611340"\n2,hello there\n3,\n')
    out = runner.invoke(app, ["predict-intent", str(csv_path), "--column", "utterance", "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.strip().splitlines()]
    assert [r["text"] for r in rows] == ["where is my order #W2611340", "hello there"]
    assert all(
        set(r) == {"text", "intent", "confidence"} and 0 <= r["confidence"] <= 1 for r in rows
    )

    out = runner.invoke(app, ["predict-intent", "-", "--json"], input="hi\n\nthanks a lot\n")
    assert [json.loads(line)["text"] for line in out.stdout.strip().splitlines()] == [
        "hi",
        "thanks a lot",
    ]

    out = runner.invoke(app, ["predict-intent", str(csv_path), "--column", "nope"])
    assert isinstance(out.exception, UserError) and "utterance" in str(out.exception)
    out = runner.invoke(app, ["predict-intent", str(tmp_path / "missing.txt")])
    assert isinstance(out.exception, UserError)


def test_no_live_model_is_a_clear_error(engine):
    from assistant.nlu import registry

    with pytest.raises(UserError, match="aisle init"):
        registry.load_live_model()


def test_ensure_default_model_trains_once(tiny_home, monkeypatch):
    from assistant.nlu import registry, training

    monkeypatch.setattr(training, "DEFAULT_CONFIG", UNTRAINED)
    first = training.ensure_default_model(tiny_home, progress=False)
    assert registry.list_versions(tiny_home)[0]["status"] == "live"
    assert training.ensure_default_model(tiny_home, progress=False) == first
    assert len(registry.list_versions(tiny_home)) == 1
