"""``aisle predict-intent``."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import typer

from assistant.cli import app
from assistant.errors import UserError

BATCH = 64


def read_utterances(source: str, column: str | None) -> list[str]:
    """One utterance per line, or the ``column`` of a CSV file (``-`` reads stdin)."""
    if source == "-":
        raw = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise UserError(f"{source}: no such file; give a text/CSV file or - for stdin")
        raw = path.read_text(encoding="utf-8", errors="replace")
    is_csv = column is not None or (source.lower().endswith(".csv"))
    if not is_csv:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    reader = csv.DictReader(io.StringIO(raw))
    fields = reader.fieldnames or []
    name = column or (
        "text" if "text" in fields else "instruction" if "instruction" in fields else None
    )
    if name is None or name not in fields:
        raise UserError(
            f"{source}: no column {name or '(none given)'!r}; columns are {', '.join(fields)}; pass --column NAME"
        )
    return [row[name].strip() for row in reader if (row.get(name) or "").strip()]


@app.command("predict-intent")
def predict_intent(
    source: str = typer.Argument("-", help="File with one utterance per line (or CSV), or -."),
    column: str | None = typer.Option(None, "--column", help="CSV column holding the text."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines (the default output too)."),
) -> None:
    """Intent and confidence for each utterance, as JSON lines."""
    from assistant.cli.output import print_json
    from assistant.nlu.registry import load_live_model

    texts = read_utterances(source, column)
    model = load_live_model()
    for start in range(0, len(texts), BATCH):
        chunk = texts[start : start + BATCH]
        for text, result in zip(chunk, model.predict(chunk), strict=True):
            print_json({"text": text, "intent": result.intent, "confidence": result.confidence})
