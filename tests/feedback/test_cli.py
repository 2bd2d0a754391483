"""``aisle feedback add|export`` and ``aisle model list`` through the real command line entry point."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from assistant.cli import main
from tests.feedback.conftest import add_turns


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def chat_ids(engine):
    from assistant.store.models import Customer

    with Session(engine) as s, s.begin():
        s.add(Customer(id="c1", email="ava.kim@example.com", first_name="Ava", last_name="Kim"))
        return add_turns(
            s,
            "s1",
            [
                (
                    "user",
                    "Ava Kim here, where is my parcel? ava.kim@example.com",
                    "search_products",
                ),
                ("assistant", "Here are parcels.", "search_products"),
            ],
        )


def test_feedback_add_and_export_three_formats(capsys, chat_ids, tmp_path):
    code, out, err = run(
        capsys,
        "feedback",
        "add",
        str(chat_ids[1]),
        "--rating",
        "down",
        "--correction",
        "track_order",
    )
    assert code == 0, err
    assert json.loads(out)["corrected_intent"] == "track_order"
    code, out, _ = run(
        capsys, "feedback", "add", str(chat_ids[1]), "--correction", "Let me check your order."
    )
    assert code == 0 and json.loads(out)["correction"] == "Let me check your order."
    expected = {"sft": 1, "dpo": 1, "intents": 1}
    for fmt, n in expected.items():
        path = tmp_path / f"{fmt}.jsonl"
        code, out, err = run(capsys, "feedback", "export", "--format", fmt, str(path))
        assert code == 0, err
        assert json.loads(out) == {"records": n, "path": str(path)}
        text = path.read_text()
        for secret in ("Ava", "Kim", "ava.kim", "example.com"):
            assert secret.lower() not in text.lower(), (fmt, text)
    intents = json.loads((tmp_path / "intents.jsonl").read_text())
    assert intents == {
        "text": "[NAME] [NAME] here, where is my parcel? [EMAIL]",
        "intent": "track_order",
        "previous_intent": None,
    }


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (("feedback", "add", "999", "--rating", "up"), "message 999 does not exist"),
        (("feedback", "add", "{user}", "--rating", "up"), "is a user message"),
        (("feedback", "add", "{bot}", "--rating", "sideways"), "rating 'sideways'"),
        (("feedback", "export", "--format", "csv", "out.csv"), "format 'csv'"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, chat_ids, argv, fragment):
    argv = [a.format(user=chat_ids[0], bot=chat_ids[1]) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and fragment in err and err.count("\n") == 1


def test_commands_need_an_initialised_home(capsys, aisle_home):
    code, _, err = run(capsys, "feedback", "export", "--format", "sft", "x.jsonl")
    assert code == 2 and "aisle init" in err


def test_model_list_shows_versions(capsys, engine):
    from assistant.store.models import ModelVersion

    with Session(engine) as s, s.begin():
        s.add(
            ModelVersion(
                id="v-1", path="p", status="live", data_hash="abc123", metrics={"macro_f1": 0.91}
            )
        )
    code, out, err = run(capsys, "model", "list", "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["version"], r["status"]) for r in rows] == [("v-1", "live")]
    code, out, _ = run(capsys, "model", "list")
    assert code == 0 and "v-1" in out and "live" in out
