"""``aisle serve`` (issue 6): the same app as ``python app.py``."""

from __future__ import annotations

from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet


@app.command("serve")
def serve(
    host: Optional[str] = typer.Option(None, "--host"),
    port: Optional[int] = typer.Option(None, "--port"),
) -> None:
    """Run the web app (the same app as ``python app.py``)."""
    raise NotAvailableYet("aisle serve")
