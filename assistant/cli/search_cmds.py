"""``aisle index build``, ``aisle search``, ``aisle eval search``."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import print_json

logger = logging.getLogger(__name__)

index_app = typer.Typer(help="Retrieval indexes.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluation.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")


@index_app.command("build")
def index_build(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    wait: bool = typer.Option(
        False, "--wait", help="Wait for a build already running in this home instead of exiting 2."
    ),
) -> None:
    """(Re)build the retrieval indexes for the current catalogue.

    The new indexes are written beside the live ones and swapped in whole, so a running app
    keeps answering from a complete index. One build at a time per home: another build
    running exits 2 (or waits with ``--wait``)."""
    from retrieval.indexing import build_indexes

    summary = build_indexes(progress=True, wait=wait)
    if as_json:
        print_json(summary)
    else:
        typer.echo(
            f"indexed {summary['products']} products (catalogue v{summary['catalog_version']}, "
            f"{summary['index_type']}) and {summary['passages']} policy passages "
            f"in {summary['seconds']} s"
        )


@app.command("search")
def search(
    query: str = typer.Argument(...),
    k: int = typer.Option(10, "--k", min=1),
    min_price: float | None = typer.Option(None, "--min-price"),
    max_price: float | None = typer.Option(None, "--max-price"),
    category: str | None = typer.Option(None, "--category"),
    brand: str | None = typer.Option(None, "--brand"),
    diversity: float | None = typer.Option(None, "--diversity", min=0.0, max=1.0),
    user: str | None = typer.Option(None, "--user"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search the catalogue (``assistant.search.search_products``, as ``GET /v1/search``)."""
    from assistant.errors import UserError
    from assistant.search import make_filters, search_products

    if min_price is not None and max_price is not None and min_price > max_price:
        raise UserError(f"--min-price {min_price} is above --max-price {max_price}")
    filters = make_filters(min_price=min_price, max_price=max_price, category=category, brand=brand)
    found = search_products(query, filters, k=k, diversity=diversity, user=user)
    results = found["results"]
    if as_json:
        print_json(found)
        return
    if not results:
        typer.echo("no products match")
    for i, r in enumerate(results, start=1):
        avail = "" if r["available"] else "  (out of stock)"
        typer.echo(
            f"{i:>2}. {r['title']}  [{r['category'] or '-'}]  {r['price']:.2f}{avail}  id={r['id']}"
        )


@eval_app.command("search")
def eval_search(
    qrels: Path = typer.Option(..., "--qrels", help="CSV query,id,grade or TREC qrels."),
    queries: Path | None = typer.Option(None, "--queries", help="qid<TAB>text (TREC qrels only)."),
    k: list[int] = typer.Option([10, 50], "--k", help="Recall cut-offs."),
) -> None:
    """nDCG@10, Recall@k and MRR from a relevance file."""
    from retrieval.eval import evaluate_service, load_qrels
    from retrieval.service import SearchService

    judged = load_qrels(qrels, queries)
    service = SearchService()
    print_json(evaluate_service(service, judged, ks=k))
