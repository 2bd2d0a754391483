"""The built wheel works outside the checkout.

The wheel is built from a copy of the package sources, installed with ``--no-deps`` into a
fresh virtual environment that sees this environment's third-party packages through a
``.pth`` line (offline, and no second torch), and driven from a folder outside the
checkout: ``aisle init --no-demo``, a catalogue import, a search, and ``aisle init`` with
the demo store. A tiny local encoder stands in for all-MiniLM so that training the default
dialogue model takes seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "assistant", "retrieval", "ranker")
SHIPPED = (
    "assistant/resources/README.md",
    "assistant/resources/tau2_retail/db.json",
    "assistant/resources/tau2_retail/policy.md",
    "assistant/resources/tau2_retail/LICENSE",
    "assistant/resources/bitext/bitext_customer_support_llm_sample.csv",
    "assistant/resources/bitext/LICENSE.txt",
    "assistant/resources/dialogue/fillers.json",
    "assistant/resources/dialogue/contexts.json",
    "assistant/resources/dialogue/templates/search_products.txt",
    "assistant/resources/dialogue/conversation/greeting.txt",
    "assistant/migrations/alembic.ini",
    "assistant/migrations/env.py",
    "assistant/migrations/script.py.mako",
    "assistant/ui/app.py",
)
CATALOG = """id,title,description,category,brand,price,available
zk-1,Zephyr kayak paddle,A carbon paddle for sea kayaks,Water sports,Zephyr,129.00,true
zk-2,Zephyr dry bag,A 20 litre roll-top dry bag,Water sports,Zephyr,24.50,true
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources (the checkout gets no build/ or egg-info)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         str(src), "-w", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (found,) = out.glob("aisle_assistant-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout holding only the wheel; returns its bin folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # this environment's packages (torch, gradio, ...) without its .pth files, so the
    # editable install of the checkout is not on the path
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (Path(purelib) / "aisle-test-deps.pth").write_text("\n".join(ours) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return env_dir / "bin"


def _run(bin_dir: Path, cwd: Path, home: Path, model: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_") and k != "PYTHONPATH"}
    env.update(
        AISLE_HOME=str(home), AISLE_EMBEDDING_MODEL=model, AISLE_DEVICE="cpu",
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", OMP_NUM_THREADS="2",
    )  # fmt: skip
    result = subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result


def test_wheel_ships_the_data_the_app_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    resources = ROOT / "assistant" / "resources"
    missing += [  # every file of the package's data folder, whatever its kind
        name
        for path in sorted(resources.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
        and (name := path.relative_to(ROOT).as_posix()) not in names
    ]  # fmt: skip
    assert not missing
    assert any(n.startswith("assistant/migrations/versions/") and n.endswith(".py") for n in names)
    assert not any(n.startswith(("data/", "tests/", "benchmarks/")) for n in names)
    assert "app.py" not in names  # the checkout's launcher; the app is assistant/ui/app.py
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    assert "Name: aisle-assistant" in text
    requires = [
        Requirement(line.split(":", 1)[1])
        for line in text.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    core = {r.name.lower().replace("_", "-"): r for r in requires if r.marker is None}
    assert not core["gradio"].specifier.contains("5.50")  # the UI uses Gradio 6 APIs
    assert "pandas" in core  # the dashboard's frames
    assert "matplotlib" not in core and "gradio-client" not in core  # bench / dev only
    for requirement in core.values():  # every floor is met by the environment tested here
        assert requirement.specifier.contains(version(requirement.name), prereleases=True), (
            requirement
        )


@pytest.mark.slow
def test_installed_wheel_works_outside_the_checkout(installed, tiny_encoder_path, tmp_path):
    started = time.perf_counter()
    work = tmp_path / "work"  # pytest's tmp_path is outside the checkout
    work.mkdir()
    assert ROOT not in work.parents

    where = _run(installed, work, tmp_path / "unused", tiny_encoder_path, "python", "-c",
                 "import assistant, assistant.resources as r; "
                 "print(assistant.__file__); print(r.resources_dir())")  # fmt: skip
    for line in where.stdout.split():
        assert Path(line).is_relative_to(installed.parent), line

    home = tmp_path / "home"
    init = _run(installed, work, home, tiny_encoder_path, "aisle", "init", "--no-demo")
    assert "catalogue: 0 products" in init.stdout + init.stderr
    (work / "products.csv").write_text(CATALOG)
    imported = json.loads(
        _run(installed, work, home, tiny_encoder_path, "aisle", "catalog", "import",
             "products.csv").stdout
    )  # fmt: skip
    assert imported["imported"] == 2 and imported["rejected"] == []
    found = json.loads(
        _run(installed, work, home, tiny_encoder_path, "aisle", "search", "kayak paddle",
             "--json").stdout
    )  # fmt: skip
    assert found["results"] and found["results"][0]["id"] == "zk-1"

    demo_home = tmp_path / "demo-home"
    init = _run(installed, work, demo_home, tiny_encoder_path, "aisle", "init")
    assert "catalogue: 591 products" in init.stdout + init.stderr
    found = json.loads(
        _run(installed, work, demo_home, tiny_encoder_path, "aisle", "search", "water bottle",
             "--json").stdout
    )  # fmt: skip
    assert found["results"]
    assert time.perf_counter() - started < 180
