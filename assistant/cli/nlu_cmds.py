"""``aisle predict-intent`` (issue 5)."""

from __future__ import annotations

from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet


@app.command("predict-intent")
def predict_intent(
    source: str = typer.Argument("-", help="File with one utterance per line (or CSV), or -."),
    column: Optional[str] = typer.Option(None, "--column"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Intent and confidence for each utterance, as JSON lines."""
    raise NotAvailableYet("aisle predict-intent")
