"""``aisle feedback add|export`` (issue 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet

feedback_app = typer.Typer(help="Feedback on replies.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("add")
def feedback_add(
    message_id: int = typer.Argument(...),
    rating: Optional[str] = typer.Option(None, "--rating", help="up|down"),
    reason: Optional[str] = typer.Option(None, "--reason"),
    correction: Optional[str] = typer.Option(None, "--correction"),
) -> None:
    """Record feedback on an assistant message."""
    raise NotAvailableYet("aisle feedback add")


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Argument(...),
    fmt: str = typer.Option(..., "--format", help="sft|dpo|intents"),
) -> None:
    """Export training data as JSON lines, personal data scrubbed."""
    raise NotAvailableYet("aisle feedback export")
