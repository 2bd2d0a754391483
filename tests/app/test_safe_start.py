"""``aisle serve`` on a home that is not ready: it sets up what is missing for the store that
is there and never mixes the demo store into a store's own catalogue or customers."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import func, select

from assistant.cli import main, serve_cmds
from assistant.settings import get_settings
from assistant.store import bootstrap
from assistant.store.db import get_engine, session_scope
from assistant.store.models import Customer, Order, Product

CSV = """id,title,description,category,brand,price
t1,Oak Side Table,A small table in solid oak,furniture,Woodly,120
t2,Linen Cushion,A square cushion cover,home,Softa,25
t3,Brass Lamp,A desk lamp with a brass arm,lighting,Glow,80
"""


def counts() -> dict[str, int]:
    with session_scope() as s:
        return {
            name: int(s.scalar(select(func.count()).select_from(model)))
            for name, model in (("products", Product), ("customers", Customer), ("orders", Order))
        }


def run_cli(argv, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture()
def no_training(monkeypatch):
    """The dialogue-model step records that it ran instead of training (minutes on a CPU)."""
    import assistant.nlu.training as training

    calls: list[object] = []
    monkeypatch.setattr(
        training,
        "ensure_default_model",
        lambda settings=None, progress=True: calls.append(1) or "v0",
    )
    return calls


def test_serve_builds_the_index_for_an_imported_catalogue_without_the_demo(
    aisle_home, tmp_path, capsys, monkeypatch, no_training
):
    from retrieval.indexing import read_manifest

    path = tmp_path / "catalogue.csv"
    path.write_text(CSV)
    code, out, err = run_cli(["catalog", "import", str(path)], capsys)
    assert code == 0, err
    assert read_manifest(get_settings().index_dir / "products") is None  # no `aisle index build`
    launched: list[dict] = []
    app_module = types.SimpleNamespace(launch=lambda **kw: launched.append(kw))
    monkeypatch.setattr(serve_cmds, "load_app_module", lambda: app_module)

    code, out, err = run_cli(["serve", "--port", "7999"], capsys)

    assert code == 0, err
    assert launched == [{"host": None, "port": 7999}]
    assert counts() == {"products": 3, "customers": 0, "orders": 0}
    with session_scope() as s:
        assert set(s.scalars(select(Product.id))) == {"t1", "t2", "t3"}
    manifest = read_manifest(get_settings().index_dir / "products")
    assert manifest is not None and manifest["products"] == 3
    assert no_training == [1]  # a dialogue model is made when none is live


def test_a_store_with_customers_only_gets_no_demo(aisle_home, monkeypatch):
    from assistant.store.migrate import upgrade

    monkeypatch.setattr(bootstrap, "LATER_STEPS", [])
    settings = get_settings()
    settings.ensure_home()
    upgrade(engine=get_engine(settings.db_url))
    with session_scope() as s:
        s.add(Customer(id="c1", email="ada@example.com", first_name="Ada", last_name="Shop"))
    summary = bootstrap.run_init(settings, demo=None, progress=False)
    assert summary.demo is None and summary.demo_skipped == "the store already holds 1 customers"
    assert counts() == {"products": 0, "customers": 1, "orders": 0}


def test_an_empty_home_gets_the_demo(aisle_home, monkeypatch):
    monkeypatch.setattr(bootstrap, "LATER_STEPS", [])
    summary = bootstrap.run_init(get_settings(), demo=None, progress=False)
    assert summary.demo is not None and summary.demo_skipped is None
    assert counts()["products"] > 0 and counts()["customers"] > 0
