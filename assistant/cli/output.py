"""Printing helpers shared by the subcommands."""

from __future__ import annotations

import json
from typing import Any

import typer


def print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))
