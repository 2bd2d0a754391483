"""`aisle` foundation: settings validation, --home, `aisle init`, `aisle catalog import`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest
from sqlalchemy import func, select

from assistant.cli import main
from assistant.settings import PROJECT_ROOT, Settings, get_settings
from assistant.store import bootstrap
from assistant.store.db import get_engine, session_scope
from assistant.store.models import Customer, Document, Order, Product


def run_cli(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture()
def no_later_steps(monkeypatch):
    """init without index build / model training (those belong to other packages' tests)."""
    monkeypatch.setattr(bootstrap, "LATER_STEPS", [])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AISLE_DEVICE", "gpu"),
        ("AISLE_PORT", "not-a-port"),
        ("AISLE_DATABASE_URL", "aisle.db"),
        ("AISLE_DIVERSITY", "2"),
        ("AISLE_DIALOGUE_BACKEND", "gpt"),
    ],
)
def test_bad_setting_fails_at_start_naming_it(aisle_home, monkeypatch, capsys, name, value):
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    code, out, err = run_cli(["init", "--no-demo"], capsys)
    assert code == 2
    assert err.startswith(f"error: setting {name}:")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not aisle_home.exists()  # failed before touching anything


def test_home_option_puts_all_state_under_it(
    aisle_home, tmp_path, monkeypatch, capsys, no_later_steps
):
    elsewhere = tmp_path / "elsewhere"
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    code, out, _ = run_cli(["--home", str(elsewhere), "init", "--no-demo"], capsys)
    assert code == 0, out
    assert f"Aisle home: {elsewhere}" in out
    assert (elsewhere / "aisle.db").is_file()
    assert list(workdir.iterdir()) == [] and not aisle_home.exists()
    settings = get_settings()
    assert settings.home == elsewhere
    for path in (settings.index_dir, settings.models_dir):
        assert path.is_relative_to(elsewhere)
    assert Settings(home=elsewhere).db_url == f"sqlite:///{elsewhere / 'aisle.db'}"


TSV = (
    "Item Code\tLabel\tRRP\tSection\tStock\tMaterial\tWeight (g)\n"
    "K-1\tOak Chopping Board\t34.00\tKitchen\tY\toak\t1200\n"
    "K-2\tSteel Ladle\tN/A\tKitchen\tY\tsteel\t300\n"
    "K-3\tLinen Apron\t22.5\tTextiles\tN\tlinen\t\n"
    "K-4\t\t9.99\tKitchen\tY\tsilicone\t80\n"
    "K-1\tOak Board (dup)\t30\tKitchen\tY\toak\t1200\n"
)
TSV_MAP = ["id=Item Code", "title=Label", "price=RRP", "category=Section", "available=Stock"]


def test_catalog_import_command_on_an_unseen_file(aisle_home, tmp_path, capsys, no_later_steps):
    path = tmp_path / "supplier.tsv"
    path.write_text(TSV, encoding="utf-8")
    args = ["catalog", "import", str(path)] + [a for m in TSV_MAP for a in ("--map", m)]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert json.loads(out) == {
        "imported": 2,
        "updated": 0,
        "rejected": [
            {"row": 2, "error": "price is not a number: 'N/A' (column 'RRP')"},
            {"row": 4, "error": "title is missing (column 'Label')"},
            {"row": 5, "error": "duplicate id 'K-1' (first in row 1)"},
        ],
    }
    with session_scope(get_engine()) as s:
        stored = {
            p.id: (p.title, p.price, p.category, p.available, p.attributes)
            for p in s.scalars(select(Product))
        }
    assert stored == {
        "K-1": (
            "Oak Chopping Board",
            34.0,
            "Kitchen",
            True,
            {"Material": "oak", "Weight (g)": "1200"},
        ),
        "K-3": ("Linen Apron", 22.5, "Textiles", False, {"Material": "linen"}),
    }


def test_catalog_import_command_unreadable_file(aisle_home, tmp_path, capsys):
    code, out, err = run_cli(["catalog", "import", str(tmp_path / "nope.csv")], capsys)
    assert (code, out) == (2, "")
    assert err == f"error: {tmp_path / 'nope.csv'}: file not found\n"
    bad = tmp_path / "shop.csv"
    bad.write_text("id,title,price\n1,A,1\n", encoding="utf-8")
    code, _, err = run_cli(["catalog", "import", str(bad), "--map", "name=title"], capsys)
    assert code == 2 and "unknown field 'name'" in err


def test_init_imports_the_demo_store_once(aisle_home, capsys, no_later_steps):
    code, out, _ = run_cli(["init"], capsys)
    assert code == 0
    assert (
        "demo store: 591 new, 0 updated, 0 unchanged products; 500 customers and 1000 orders written"
        in out
    )
    assert "catalogue: 591 products, version 1" in out
    code, out, _ = run_cli(["init"], capsys)
    assert code == 0
    assert (
        "demo store: 0 new, 0 updated, 591 unchanged products; 0 customers and 0 orders written"
        in out
    )
    assert "catalogue: 591 products, version 1" in out
    with session_scope(get_engine()) as s:
        counts = [
            s.scalar(select(func.count()).select_from(m))
            for m in (Product, Customer, Order, Document)
        ]
    assert counts == [591, 500, 1000, 1]


def test_init_runs_later_steps_in_order(aisle_home, monkeypatch):
    calls = []

    def fake_build(settings=None, progress=True):
        with session_scope(get_engine()) as s:  # the demo store is already there
            calls.append(
                (
                    "build",
                    settings.home,
                    progress,
                    s.scalar(select(func.count()).select_from(Product)),
                )
            )
        return {"products": 591}

    module = types.ModuleType("aisle_fake_indexing")
    module.build_indexes = fake_build
    monkeypatch.setitem(sys.modules, "aisle_fake_indexing", module)
    monkeypatch.setattr(
        bootstrap,
        "LATER_STEPS",
        [
            ("index build", "aisle_fake_indexing", "build_indexes"),
        ],
    )
    summary = bootstrap.run_init(get_settings(), demo=True, progress=False)
    assert calls == [("build", aisle_home, False, 591)]
    assert summary.steps == {"index build": "{'products': 591}"}


def test_python_dash_m_assistant(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "init" in proc.stdout and "catalog" in proc.stdout


def test_needs_init_until_schema_index_and_live_model_exist(aisle_home, no_later_steps):
    from assistant.store.db import get_engine, session_scope
    from assistant.store.models import ModelVersion

    settings = get_settings()
    assert bootstrap.needs_init(settings)  # nothing at all
    bootstrap.run_init(settings, demo=False, progress=False)
    assert bootstrap.needs_init(settings)  # schema only
    manifest = settings.index_dir / "products" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}")
    assert bootstrap.needs_init(settings)  # no live dialogue model yet
    with session_scope(get_engine(settings.db_url)) as s:
        s.add(ModelVersion(id="v1", path=str(aisle_home / "models" / "v1"), status="live"))
    assert not bootstrap.needs_init(settings)
