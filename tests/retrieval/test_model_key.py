"""The embedding-model key survives reinstalling the same model elsewhere."""

from retrieval.embedder import model_key


def _fake_model(folder, hidden=384, weights=b"\0" * 64):
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(f'{{"hidden_size": {hidden}}}')
    (folder / "modules.json").write_text("[]")
    (folder / "model.safetensors").write_bytes(weights)
    return str(folder)


def test_same_model_in_two_places_has_one_key(tmp_path):
    a = _fake_model(tmp_path / "venv-a" / "model")
    b = _fake_model(tmp_path / "venv-b" / "model")
    assert a != b
    assert model_key(a) == model_key(b)


def test_other_config_or_weights_change_the_key(tmp_path):
    base = model_key(_fake_model(tmp_path / "a" / "model"))
    assert model_key(_fake_model(tmp_path / "b" / "model", hidden=768)) != base
    assert model_key(_fake_model(tmp_path / "c" / "model", weights=b"\0" * 65)) != base


def test_hub_name_is_its_own_key():
    assert model_key("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"
