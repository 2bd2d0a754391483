"""``aisle init``, ``aisle catalog import`` (issue 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet

catalog_app = typer.Typer(help="Manage the product catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@app.command("init")
def init(no_demo: bool = typer.Option(False, "--no-demo", help="Skip importing the demo store.")) -> None:
    """Create the schema, import the demo store, build indexes, train the default model."""
    raise NotAvailableYet("aisle init")


@catalog_app.command("import")
def catalog_import(
    path: Path = typer.Argument(..., help="CSV, JSON lines, Parquet or tau2 db.json file."),
    fmt: str = typer.Option("auto", "--format", help="auto|csv|jsonl|parquet|tau2"),
    mapping: Optional[list[str]] = typer.Option(None, "--map", help="FIELD=COLUMN, repeatable."),
    replace: bool = typer.Option(False, "--replace", help="Remove products not in this file."),
) -> None:
    """Import (upsert by id) a store's catalogue."""
    raise NotAvailableYet("aisle catalog import")
