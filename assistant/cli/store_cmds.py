"""``aisle init``, ``aisle catalog import``."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import print_json

catalog_app = typer.Typer(help="Manage the product catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@app.command("init")
def init(
    no_demo: bool = typer.Option(False, "--no-demo", help="Skip importing the demo store."),
) -> None:
    """Create the schema, import the demo store, build indexes, train the default model."""
    from assistant.settings import get_settings
    from assistant.store.bootstrap import run_init

    settings = get_settings()
    summary = run_init(settings, demo=not no_demo, progress=True)
    typer.echo(f"Aisle home: {settings.home}")
    for line in summary.lines():
        typer.echo(line)


@catalog_app.command("import")
def catalog_import(
    path: Path = typer.Argument(..., help="CSV, JSON lines, Parquet or tau2 db.json file."),
    fmt: str = typer.Option("auto", "--format", help="auto|csv|jsonl|parquet|tau2"),
    mapping: list[str] | None = typer.Option(None, "--map", help="FIELD=COLUMN, repeatable."),
    replace: bool = typer.Option(False, "--replace", help="Remove products not in this file."),
) -> None:
    """Import (upsert by id) a store's catalogue.

    FIELDs: id, title, description, category, subcategory, brand, price, currency,
    available, image_url, url, attributes. Columns named like a field map
    themselves; every other column becomes an attribute. Prints
    {"imported": n, "updated": n, "rejected": [{"row": i, "error": "..."}]}.
    """
    from assistant.store.db import get_engine, session_scope
    from assistant.store.migrate import upgrade
    from retrieval.catalog import import_catalog

    engine = get_engine()
    upgrade(engine=engine)  # a fresh home works without `aisle init`
    with session_scope(engine) as session:
        report = import_catalog(
            path, fmt=fmt, mapping=mapping, replace=replace, session=session, progress=True
        )
    print_json(report.to_dict())
    typer.echo(
        f"{report.unchanged} unchanged, {report.removed} removed; catalogue version {report.version}",
        err=True,
    )
    _sync_search_index()


def _sync_search_index() -> None:
    """Bring an existing search index up to the new catalogue incrementally (no full rebuild)."""
    from assistant.settings import get_settings
    from retrieval.indexing import read_manifest, sync_indexes

    settings = get_settings()
    if read_manifest(settings.index_dir / "products") is None:
        typer.echo("no search index yet: run `aisle index build` to make the catalogue searchable", err=True)
        return
    changes = sync_indexes(settings, progress=True)
    typer.echo(f"search index updated: {changes}", err=True)
