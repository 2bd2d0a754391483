"""``aisle chat`` (issue 5)."""

from __future__ import annotations

from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet


@app.command("chat")
def chat(
    message: str = typer.Argument(...),
    session: Optional[str] = typer.Option(None, "--session"),
    user: Optional[str] = typer.Option(None, "--user"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One turn through the whole pipeline."""
    raise NotAvailableYet("aisle chat")
