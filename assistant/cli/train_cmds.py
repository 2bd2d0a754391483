"""``aisle train dialogue`` (issue 5). ``train llm`` and ``model`` live in model_cmds."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.errors import NotAvailableYet

train_app = typer.Typer(help="Train models.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("dialogue")
def train_dialogue(
    from_feedback: bool = typer.Option(False, "--from-feedback"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train a new dialogue model version; promote it only if not worse."""
    raise NotAvailableYet("aisle train dialogue")
