"""``aisle eval recommend`` and ``aisle train recommender`` on a fixture-made file."""

from __future__ import annotations

import json
import random

import pytest

from assistant.cli import main


def run_cli(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture()
def cyclic_file(tmp_path):
    """60 shoppers walking the cycle a0 -> a1 -> ... -> a7 -> a0."""
    rnd = random.Random(0)
    lines = []
    for u in range(60):
        start = rnd.randrange(8)
        lines.append(f"s{u} " + " ".join(f"a{(start + j) % 8}" for j in range(6)))
    path = tmp_path / "seq.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_eval_recommend_prints_the_documented_json(cyclic_file, capsys, aisle_home, monkeypatch):
    monkeypatch.setenv("AISLE_DEVICE", "cpu")
    code, out, err = run_cli(
        ["eval", "recommend", "--interactions", str(cyclic_file), "--k", "5", "--k", "10",
         "--epochs", "25", "--json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"users", "items", "train_s", "metrics"}
    assert result["users"] == 60 and result["items"] == 8
    assert set(result["metrics"]) == {
        "recall@5", "recall@10", "ndcg@5", "ndcg@10", "coverage@10", "exposure_gini@10"
    }  # fmt: skip
    # 8 items: every list of 10 holds the whole catalogue
    assert result["metrics"]["recall@10"] == 1.0
    assert result["metrics"]["coverage@10"] == 1.0
    # the cycle is learnt well past chance (a random order gives NDCG@5 about 0.3)
    assert result["metrics"]["ndcg@5"] > 0.8


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["eval", "recommend", "--interactions", "nowhere.txt"], "no interaction file at"),
        (["eval", "recommend", "--interactions", "{f}", "--k", "0"], "--k must be positive"),
        (["train", "recommender", "--from", "nowhere.txt"], "no interaction file at"),
        (["recommend", "--user", "c1"], "no live recommender"),
    ],
)
def test_user_errors_are_one_line(argv, expected, cyclic_file, capsys, aisle_home):
    argv = [a.replace("{f}", str(cyclic_file)) for a in argv]
    code, out, err = run_cli(argv, capsys)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err


def test_train_recommender_keeps_versions_and_promotes_only_when_not_worse(
    cyclic_file, capsys, engine, monkeypatch
):
    from ranker.recommender import list_versions

    monkeypatch.setenv("AISLE_DEVICE", "cpu")
    code, out, err = run_cli(
        ["train", "recommender", "--from", str(cyclic_file), "--epochs", "25", "--json"], capsys
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["promoted"] and first["metrics"]["live"] == {}
    assert first["metrics"]["candidate"]["ndcg@5"] > 0.8
    # a model trained for one epoch is worse on the same fixed evaluation: kept, not promoted
    code, out, err = run_cli(
        ["train", "recommender", "--from", str(cyclic_file), "--epochs", "1", "--json"], capsys
    )
    assert code == 0, err
    second = json.loads(out)
    assert not second["promoted"]
    assert second["metrics"]["live"]["version"] == first["version"]
    assert second["metrics"]["candidate"]["eval_hash"] == first["metrics"]["candidate"]["eval_hash"]
    versions = {v["version"]: v["status"] for v in list_versions()}
    assert versions == {first["version"]: "live", second["version"]: "candidate"}
    # --model evaluates the stored live version on a file
    code, out, err = run_cli(
        ["eval", "recommend", "--interactions", str(cyclic_file), "--model", first["version"]],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["metrics"]["ndcg@5"] > 0.8
