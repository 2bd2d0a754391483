"""``aisle train llm``, ``aisle model list|promote|rollback`` (issue 7)."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.train_cmds import train_app
from assistant.errors import NotAvailableYet

model_app = typer.Typer(help="Model versions.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@train_app.command("llm")
def train_llm(method: str = typer.Option("sft", "--method", help="sft|dpo")) -> None:
    """LoRA fine-tuning of a causal LM from exported feedback."""
    raise NotAvailableYet("aisle train llm")


@model_app.command("list")
def model_list() -> None:
    """Model versions with their metrics."""
    raise NotAvailableYet("aisle model list")
