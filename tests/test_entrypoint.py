"""The container's entry commands and files, tested without Docker.

``docker/entrypoint.py`` runs as a script, as the image runs it, against a temporary home with
SQLite and, where PostgreSQL answers (``AISLE_TEST_POSTGRES_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), against a fresh database there (the
root conftest's ``fresh_pg_database``). The Dockerfile, compose.yaml and the Caddyfile are
checked statically: Docker and compose do not run here. A tiny local encoder stands in for
all-MiniLM so the dialogue model trains in seconds.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "docker" / "entrypoint.py"
# a pbkdf2 hash of "s3cret-for-tests" with few iterations (the app refuses 0.0.0.0 without one)
STAFF_HASH = "pbkdf2_sha256$1000$00112233445566778899aabbccddeeff$"


def setting_names() -> set[str]:
    from assistant.settings import Settings

    return {f"AISLE_{name.upper()}" for name in Settings.model_fields}


def entry(home: Path, *args: str, model: str | None = None, timeout: float = 600, **env: str):
    """Run the entry script as the image does (a fresh process, only AISLE_* of our choosing)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    bin_dir = str(Path(sys.executable).parent)  # where `aisle` is, as on the image's PATH
    clean.update(
        AISLE_HOME=str(home), AISLE_DEVICE="cpu", OMP_NUM_THREADS="2",
        PATH=f"{bin_dir}{os.pathsep}{clean.get('PATH', '')}",
    )  # fmt: skip
    if model:
        clean["AISLE_EMBEDDING_MODEL"] = model
    clean.update(env)
    return subprocess.run(
        [sys.executable, str(ENTRY), *args],
        env=clean, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result


def head() -> str:
    from assistant.store.migrate import head_revision

    return head_revision()


# ------------------------------------------------------------------ SQLite
def test_migrate_creates_the_schema_in_a_fresh_home(tmp_path):
    home = tmp_path / "home"
    first = ok(entry(home, "migrate"))
    assert f"schema: at revision {head()}" in first.stdout
    assert (home / "aisle.db").is_file()
    again = ok(entry(home, "migrate"))  # idempotent
    assert f"at revision {head()}" in again.stdout


@pytest.fixture(scope="module")
def baked_home(tmp_path_factory, tiny_encoder_path) -> Path:
    """A home made as the image build makes it: ``init --bake`` (here without the demo)."""
    home = tmp_path_factory.mktemp("baked") / "home"
    result = ok(entry(home, "init", "--no-demo", "--bake", "--quiet", model=tiny_encoder_path))
    assert "catalogue: 0 products" in result.stdout
    return home


def _live_versions(url: str) -> list[tuple[str, str]]:
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text("SELECT id, path FROM model_versions WHERE status = 'live'")
                )
            ]
    finally:
        eng.dispose()


def test_init_no_demo_sets_up_a_home_without_secrets_when_baking(baked_home):
    ((version, path),) = _live_versions(f"sqlite:///{baked_home / 'aisle.db'}")
    assert (Path(path) / "model.pt").is_file() and Path(path).parent == baked_home / "models"
    assert (baked_home / "index" / "products").is_dir()
    assert not (baked_home / ".verify_secret").exists()  # an image must carry no keys
    assert not (baked_home / ".browser_secret").exists()


def test_init_again_changes_nothing_and_makes_the_homes_keys(
    baked_home, tiny_encoder_path, tmp_path
):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(baked_home, home)  # its model row points into baked_home/models
    before = _live_versions(f"sqlite:///{home / 'aisle.db'}")
    result = ok(entry(home, "init", "--no-demo", "--quiet", model=tiny_encoder_path))
    assert _live_versions(f"sqlite:///{home / 'aisle.db'}") == before  # no second training
    assert "adopted" not in result.stdout  # SQLite in the home: nothing to adopt
    for name in (".verify_secret", ".browser_secret"):
        assert (home / name).stat().st_mode & 0o777 == 0o600, name
    keys = {n: (home / n).read_text() for n in (".verify_secret", ".browser_secret")}
    ok(entry(home, "init", "--no-demo", "--quiet", model=tiny_encoder_path))
    assert {n: (home / n).read_text() for n in keys} == keys  # made once, then kept


# ------------------------------------------------------------------ an unreachable database
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.parametrize("command", ["serve", "migrate", "init"])
def test_commands_wait_for_an_unreachable_database_then_fail_clearly(command, tmp_path):
    url = f"postgresql+psycopg://aisle:hunter2@127.0.0.1:{_closed_port()}/aisle"
    started = time.monotonic()
    result = entry(tmp_path / "home", command, "--db-timeout", "3", timeout=60,
                   AISLE_DATABASE_URL=url)  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert 2 <= elapsed < 20, elapsed  # it waited, and not for ever
    assert "Traceback" not in result.stderr
    assert "waiting up to 3 s for the database" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: database postgresql+psycopg://aisle:***@127.0.0.1:")
    assert "did not answer within 3 s" in last and "AISLE_DATABASE_URL" in last
    assert "hunter2" not in result.stderr  # the password is never printed
    assert not (tmp_path / "home" / "aisle.db").exists()  # it did not fall back to SQLite


def test_a_bad_setting_is_one_line_and_exit_2(tmp_path):
    result = entry(tmp_path / "home", "migrate", AISLE_DATABASE_URL="not-a-url")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: setting AISLE_DATABASE_URL:")
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ PostgreSQL
@pytest.mark.postgres
def test_migrate_and_init_on_a_fresh_postgres_database(
    fresh_pg_database, baked_home, tiny_encoder_path, tmp_path
):
    """As in compose: the home the image baked (SQLite inside) and an empty PostgreSQL. The
    baked live model is registered in PostgreSQL instead of training a new one."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(baked_home, home)
    migrated = ok(entry(home, "migrate", AISLE_DATABASE_URL=fresh_pg_database))
    assert f"schema: at revision {head()}" in migrated.stdout
    assert _live_versions(fresh_pg_database) == []

    models_before = sorted(p.name for p in (home / "models").iterdir())
    result = ok(entry(home, "init", "--no-demo", "--quiet", model=tiny_encoder_path,
                      AISLE_DATABASE_URL=fresh_pg_database))  # fmt: skip
    ((baked_version, baked_path),) = _live_versions(f"sqlite:///{baked_home / 'aisle.db'}")
    assert f"adopted the image's baked version {baked_version}" in result.stdout
    assert _live_versions(fresh_pg_database) == [(baked_version, baked_path)]
    assert sorted(p.name for p in (home / "models").iterdir()) == models_before  # no training
    assert "catalogue: 0 products" in result.stdout  # --no-demo: none imported

    again = ok(entry(home, "init", "--no-demo", "--quiet", model=tiny_encoder_path,
                     AISLE_DATABASE_URL=fresh_pg_database))  # fmt: skip
    assert "adopted" not in again.stdout  # a live model is there now
    assert _live_versions(fresh_pg_database) == [(baked_version, baked_path)]


# ------------------------------------------------------------------ serve and healthcheck
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.slow
def test_serve_migrates_then_execs_aisle_serve_on_all_interfaces(
    baked_home, tiny_encoder_path, tmp_path
):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(baked_home, home, symlinks=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    env.update(
        AISLE_HOME=str(home), AISLE_DEVICE="cpu", AISLE_EMBEDDING_MODEL=tiny_encoder_path,
        AISLE_AGENT_PASSWORD_HASH=STAFF_HASH + "00" * 32,
        AISLE_ADMIN_PASSWORD_HASH=STAFF_HASH + "11" * 32, AISLE_PORT=str(port),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, str(ENTRY), "serve"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = _get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                ready = None
            if ready == 200:
                break
            time.sleep(1)
        assert ready == 200, f"not ready (exit {proc.poll()})"
        health = subprocess.run(
            [sys.executable, str(ENTRY), "healthcheck", "--ready"], env=env,
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert health.returncode == 0, health.stderr
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert f"schema: at revision {head()}" in out
    assert f"Aisle on http://0.0.0.0:{port}" in out


class _Status(http.server.BaseHTTPRequestHandler):
    codes = {"/healthz": 200, "/readyz": 503}

    def do_GET(self):  # noqa: N802 - the http.server API
        code = self.codes.get(self.path, 404)
        body = json.dumps({"ready": code == 200}).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def test_healthcheck_reads_healthz_or_readyz(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = str(server.server_address[1])
    try:
        assert entry(tmp_path, "healthcheck", "--port", port).returncode == 0
        not_ready = entry(tmp_path, "healthcheck", "--ready", "--port", port)
        assert not_ready.returncode == 1 and "503" in not_ready.stderr
        assert entry(tmp_path, "healthcheck", AISLE_PORT=port).returncode == 0  # AISLE_PORT
    finally:
        server.shutdown()
    assert entry(tmp_path, "healthcheck", "--port", str(_closed_port())).returncode == 1


# ------------------------------------------------------------------ Dockerfile, statically
def dockerfile() -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of the Dockerfile, continuation lines joined."""
    out, current = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        current += (" " if current else "") + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            word, _, rest = current.partition(" ")
            out.append((word.upper(), rest.strip()))
            current = ""
    assert not current, "a continuation runs off the end"
    return out


def test_dockerfile_is_multi_stage_cpu_non_root_pinned_and_healthchecked():
    steps = dockerfile()
    args = {k: v for k, _, v in (a.partition("=") for i, a in steps if i == "ARG")}
    images = [re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], a.split()[0])
              for i, a in steps if i == "FROM"]  # fmt: skip
    assert len(images) >= 2  # multi-stage: the wheel is built apart from the runtime
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest" and "latest" not in tag, image

    runs = " ".join(a for i, a in steps if i == "RUN")
    assert "pip wheel --no-deps" in runs
    torch_at = runs.index('"torch==2.13.0"')  # pinned, from the CPU index, before the wheel
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[:torch_at]
    assert runs.index("aisle_assistant-*.whl)[postgres]") > torch_at
    assert not re.search(r"pip install[^&]*\btorch(?!==)", runs)  # no unpinned torch anywhere

    users = [(n, a) for n, (i, a) in enumerate(steps) if i == "USER"]
    assert users and users[-1][1].split(":")[0] not in ("root", "0")
    last_user = users[-1][0]
    bake = next(n for n, (i, a) in enumerate(steps) if i == "RUN" and "aisle-entrypoint init" in a)
    assert bake > last_user  # the home is made by the unprivileged user
    bake_cmd = steps[bake][1]
    assert "--bake" in bake_cmd and "rm -rf" in bake_cmd and ".verify_secret" in bake_cmd
    assert "--no-demo" not in bake_cmd  # the demo store is baked in

    health = [a for i, a in steps if i == "HEALTHCHECK"]
    assert len(health) == 1 and '"aisle-entrypoint", "healthcheck"' in health[0]
    assert [a for i, a in steps if i == "EXPOSE"] == ["7860"]
    assert json.loads(next(a for i, a in steps if i == "ENTRYPOINT")) == ["aisle-entrypoint"]
    assert json.loads(next(a for i, a in steps if i == "CMD")) == ["serve"]

    env = " ".join(a for i, a in steps if i == "ENV")
    names = set(re.findall(r"\b(AISLE_\w+)=", env))
    assert {"AISLE_HOME", "AISLE_HOST", "AISLE_PORT"} <= names
    assert names <= setting_names(), names - setting_names()
    assert "AISLE_AGENT_PASSWORD_HASH" not in names  # no credentials in the image
    assert "AISLE_DATABASE_URL" not in names  # SQLite in the home unless the deployment says


def test_dockerfile_copies_only_what_dockerignore_lets_in():
    allowed = [line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")]  # fmt: skip
    assert "*" in (ROOT / ".dockerignore").read_text().splitlines()  # all out, then let in
    for instruction, arguments in dockerfile():
        if instruction != "COPY" or "--from=" in arguments:
            continue
        sources = [w for w in shlex.split(arguments) if not w.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") in allowed, f"{source} is not let in by .dockerignore"


# ------------------------------------------------------------------ compose, statically
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


# Variables compose sets that are not Aisle settings, and who reads them.
OTHER_VARIABLES = {
    "FORWARDED_ALLOW_IPS": "uvicorn: whose X-Forwarded-For to trust",
    "POSTGRES_USER": "the postgres image",
    "POSTGRES_PASSWORD": "the postgres image",
    "POSTGRES_DB": "the postgres image",
}


def test_compose_runs_two_replicas_behind_a_proxy_with_postgres(compose):
    services = compose["services"]
    apps = {n: s for n, s in services.items() if s.get("command", [None])[0] == "serve"}
    assert sorted(apps) == ["app1", "app2"]
    assert {s["image"] for s in apps.values()} == {"aisle-assistant:0.1.0"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["proxy"]["image"].startswith("caddy:")
    for name, service in services.items():
        assert not service["image"].endswith(":latest") and ":" in service["image"], name

    homes = {tuple(s["volumes"]) for s in apps.values()}
    assert homes == {("aisle-home:/var/lib/aisle",)}  # one shared home (the stopgap)
    for service in apps.values():
        env = service["environment"]
        assert env["AISLE_HOME"] == "/var/lib/aisle"
        assert env["AISLE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["AISLE_DATABASE_URL"]
        assert service["depends_on"]["init"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["healthcheck"]["test"][:3] == ["CMD", "aisle-entrypoint", "healthcheck"]
    assert services["init"]["command"][0] == "init"
    assert services["init"]["volumes"] == ["aisle-home:/var/lib/aisle"]

    proxy = services["proxy"]
    assert set(proxy["depends_on"]) == set(apps)
    mount = next(v for v in proxy["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (ROOT / mount.split(":")[0]).read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile).group(1).split()
    assert sorted(upstreams) == ["app1:7860", "app2:7860"]
    assert "lb_policy cookie" in caddyfile  # sticky: Gradio's stream and staff sign-ins
    assert re.search(r"handle /metrics \{\s*respond 404", caddyfile)  # not public


def test_every_variable_compose_sets_is_a_real_setting(compose):
    settings = setting_names()
    for name, service in compose["services"].items():
        for variable in service.get("environment") or {}:
            if variable.startswith("AISLE_"):
                assert variable in settings, (
                    f"{name}: {variable} is not in assistant/core/settings.py"
                )
            else:
                assert variable in OTHER_VARIABLES, f"{name}: {variable} is read by whom?"
    example = (ROOT / "docker" / "env.example").read_text()
    for variable in re.findall(r"^(\w+)=", example, flags=re.M):
        assert variable in settings or variable in OTHER_VARIABLES, variable
    # every ${VAR} compose reads is in the example .env (or has a default)
    read = set(re.findall(r"\$\{(\w+)(?::\?|\})", (ROOT / "compose.yaml").read_text()))
    assert read <= set(re.findall(r"^(\w+)=", example, flags=re.M)), read
