"""``aisle index build``, ``aisle search``, ``aisle eval search`` (issue 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet

index_app = typer.Typer(help="Retrieval indexes.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluation.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")


@index_app.command("build")
def index_build() -> None:
    """(Re)build the retrieval indexes for the current catalogue."""
    raise NotAvailableYet("aisle index build")


@app.command("search")
def search(
    query: str = typer.Argument(...),
    k: int = typer.Option(10, "--k"),
    min_price: Optional[float] = typer.Option(None, "--min-price"),
    max_price: Optional[float] = typer.Option(None, "--max-price"),
    category: Optional[str] = typer.Option(None, "--category"),
    brand: Optional[str] = typer.Option(None, "--brand"),
    diversity: Optional[float] = typer.Option(None, "--diversity", min=0.0, max=1.0),
    user: Optional[str] = typer.Option(None, "--user"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search the catalogue."""
    raise NotAvailableYet("aisle search")


@eval_app.command("search")
def eval_search(qrels: Path = typer.Option(..., "--qrels")) -> None:
    """nDCG@10, Recall@k and MRR from a relevance file."""
    raise NotAvailableYet("aisle eval search")
