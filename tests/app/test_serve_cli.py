"""``aisle serve`` loads the same app as ``python app.py`` (``assistant.ui.app``, shipped in the
package) and rejects bad input cleanly."""

from __future__ import annotations

import subprocess
import sys

from assistant.cli.serve_cmds import load_app_module
from assistant.settings import PROJECT_ROOT


def test_serve_loads_the_packaged_app_and_app_py_is_its_launcher():
    import assistant.ui.app

    module = load_app_module()
    assert module is assistant.ui.app
    assert callable(module.launch) and module.demo is not None
    launcher = (PROJECT_ROOT / "app.py").read_text()
    assert "from assistant.ui.app import" in launcher and len(launcher.splitlines()) < 20


def test_bad_port_is_a_user_error(aisle_home):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1]
        == "error: --port 70000: use a port between 1 and 65535"
    )


def test_default_passwords_refused_off_loopback(aisle_home):
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: refusing to serve on 0.0.0.0 with the default staff password: set "
        "AISLE_AGENT_PASSWORD_HASH and AISLE_ADMIN_PASSWORD_HASH (make each with "
        "`aisle hash-password`)"
    ]
    assert not aisle_home.exists()  # refused before anything was set up


def test_loopback_with_defaults_warns_loudly(scripted, caplog):
    module = load_app_module()
    with caplog.at_level("WARNING"):
        running = module.launch(
            host="127.0.0.1", port=_free_port(), prevent_thread_lock=True, quiet=True
        )
    running.close()
    assert "DEFAULT STAFF PASSWORDS IN USE" in caplog.text


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_hash_password_reads_stdin_not_argv(aisle_home):
    from assistant.staff.auth import verify_password

    run = [sys.executable, "-m", "assistant", "hash-password"]
    result = subprocess.run(
        run, input="a long secret\n", capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    encoded = result.stdout.strip()
    assert encoded.startswith("pbkdf2_sha256$600000$") and verify_password("a long secret", encoded)
    assert "a long secret" not in result.stdout + result.stderr
    for bad, message in (("short\n", "too short"), ("aisle-admin\n", "default password")):
        result = subprocess.run(run, input=bad, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2 and message in result.stderr
    result = subprocess.run([*run, "a long secret"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "$" not in result.stdout  # no password on the command line
