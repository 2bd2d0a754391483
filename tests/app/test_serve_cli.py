"""``aisle serve`` loads the same app as ``python app.py`` and rejects bad input cleanly."""

from __future__ import annotations

import subprocess
import sys

from assistant.cli.serve_cmds import load_app_module
from assistant.settings import PROJECT_ROOT


def test_serve_loads_app_py():
    module = load_app_module()
    assert module.__file__ == str(PROJECT_ROOT / "app.py")
    assert callable(module.launch) and module.demo is not None


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
