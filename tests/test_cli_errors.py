"""`aisle` user errors: one line on stderr, exit 2, never a traceback: bad flags and values
(click's usage errors printed a boxed panel of five or more lines), a home that is a file,
a home with no database or a database server that does not answer (these were SQLAlchemy
tracebacks)."""

from __future__ import annotations

import pytest

from assistant.cli import main
from assistant.settings import get_settings
from assistant.store.db import get_engine


def run_cli(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("error: ")
    return err.strip()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["nope"], "No such command 'nope'. (see `aisle --help`)"),
        (["search", "boots", "--k", "abc"], "Invalid value for '--k'"),
        (["search", "boots", "--k", "-1"], "greater than or equal to 1 (see `aisle search --help`)"),
        (["search", "boots", "--diversity", "5"], "Invalid value for '--diversity'"),
        (["feedback", "add", "abc", "--rating", "up"], "Invalid value for 'message_id'"),
        (["train", "dialogue", "--nope"], "No such option: --nope (see `aisle train dialogue --help`)"),
        (["model", "list", "--bogus"], "No such option: --bogus"),
        (["serve", "--port", "abc"], "Invalid value for '--port'"),
        (["eval", "search", "missing.txt"], "Missing option '--qrels'"),
    ],
)
def test_bad_flags_and_values_are_one_line(aisle_home, capsys, argv, expected):
    code, _, err = run_cli(argv, capsys)
    assert expected in one_line_error(code, err)


def test_home_that_is_a_file(tmp_path, capsys, monkeypatch):
    home = tmp_path / "not-a-folder.csv"
    home.write_text("id,title,price\n")
    monkeypatch.delenv("AISLE_DATABASE_URL", raising=False)
    try:
        code, _, err = run_cli(["--home", str(home), "search", "boots"], capsys)
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert one_line_error(code, err) == (
        f"error: home {home} is a file, not a folder; pass --home DIR (or set AISLE_HOME)"
    )


@pytest.mark.parametrize("command", [["search", "boots"], ["chat", "hi"]])
def test_home_that_does_not_exist(tmp_path, capsys, monkeypatch, command):
    home = tmp_path / "no" / "such" / "home"
    monkeypatch.delenv("AISLE_DATABASE_URL", raising=False)
    try:
        code, _, err = run_cli(["--home", str(home), *command], capsys)
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    line = one_line_error(code, err)
    assert f"cannot use the database sqlite:///{home}/aisle.db" in line and "aisle init" in line


def test_database_server_that_does_not_answer(aisle_home, capsys, monkeypatch):
    pytest.importorskip("psycopg")
    monkeypatch.setenv("AISLE_DATABASE_URL", "postgresql+psycopg://shop:hunter2@127.0.0.1:1/aisle")
    get_settings.cache_clear()
    get_engine.cache_clear()
    code, _, err = run_cli(["search", "boots"], capsys)
    line = one_line_error(code, err)
    assert "postgresql+psycopg://shop:***@127.0.0.1:1/aisle" in line and "hunter2" not in line


def test_help_and_bare_command_behave_as_before(aisle_home, capsys):
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0 and "Usage: aisle" in out
    code, out, err = run_cli([], capsys)
    assert code == 2 and "Traceback" not in out + err  # no command: the help (rich prints it), exit 2


def test_chat_user_id_over_the_column_is_one_line(aisle_home, capsys):
    """``chat_sessions.user_id`` holds 100 characters: PostgreSQL refused a longer one with a
    DataError traceback; every database now gets the same one-line refusal."""
    from assistant.store.migrate import upgrade

    get_settings().ensure_home()
    upgrade(get_settings().db_url)
    code, _, err = run_cli(["chat", "hi", "--user", "u" * 101], capsys)
    assert one_line_error(code, err) == "error: user id must be text of at most 100 characters"
