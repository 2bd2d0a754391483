"""``aisle feedback add|export``."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import print_json
from assistant.errors import UserError

feedback_app = typer.Typer(help="Feedback on replies.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


def require_schema() -> None:
    """Fail with a clear message when the database has no schema yet."""
    from sqlalchemy import inspect

    from assistant.settings import get_settings
    from assistant.store.db import get_engine

    if not inspect(get_engine()).has_table("messages"):
        raise UserError(f"no Aisle database at {get_settings().db_url}; run `aisle init` first")


@feedback_app.command("add")
def feedback_add(
    message_id: int = typer.Argument(
        ..., help="An assistant message id (from `aisle chat --json`)."
    ),
    rating: str | None = typer.Option(None, "--rating", help="up|down"),
    reason: str | None = typer.Option(None, "--reason", help="Why (free text)."),
    correction: str | None = typer.Option(
        None,
        "--correction",
        help="An intent label (the shopper's turn was misunderstood) or the reply that should have been sent.",
    ),
    author: str = typer.Option("cli", "--author", help="cli|shopper|agent"),
) -> None:
    """Record feedback on an assistant message (the same record the UI's thumbs and edits write)."""
    from assistant.feedback import add_feedback
    from assistant.store.db import session_scope

    require_schema()
    with session_scope() as s:
        row = add_feedback(
            s, message_id, rating=rating, reason=reason, correction=correction, author=author
        )
        print_json(
            {
                "feedback_id": row.id,
                "message_id": row.message_id,
                "rating": row.rating,
                "corrected_intent": row.corrected_intent,
                "correction": row.correction,
            }
        )


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Argument(..., help="Output file (JSON lines)."),
    fmt: str = typer.Option(..., "--format", help="sft|dpo|intents"),
) -> None:
    """Export training data as JSON lines, personal data scrubbed; prints {"records", "path"}."""
    from assistant.feedback import export_feedback
    from assistant.store.db import session_scope

    require_schema()
    with session_scope() as s:
        report = export_feedback(s, fmt, out)
    print_json(report.to_dict())


@feedback_app.command("replay")
def feedback_replay(
    path: Path = typer.Argument(..., help="Labelled messages: TSV intent<TAB>text or JSON lines."),
    split: str = typer.Option("feedback", "--split", help="feedback|heldout|all"),
    out: Path | None = typer.Option(None, "--out", help="Write the corrections as JSON lines."),
) -> None:
    """Chat each labelled message and record an agent's correction wherever the intent is wrong."""
    import json

    from assistant.feedback.replay import read_labelled, replay_corrections

    require_schema()
    report = replay_corrections(read_labelled(path, split))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for rec in report.corrections:
                fh.write(json.dumps({k: v for k, v in rec.items() if k != "message_id"}) + "\n")
    print_json({**report.to_dict(), "path": str(out) if out else None})


@feedback_app.command("evaluate")
def feedback_evaluate(
    path: Path = typer.Argument(..., help="Labelled messages: TSV intent<TAB>text or JSON lines."),
    split: str = typer.Option("heldout", "--split", help="feedback|heldout|all"),
    version: str | None = typer.Option(None, "--version", help="A model version; default: live."),
    mistakes: bool = typer.Option(False, "--mistakes", help="List the misread messages too."),
) -> None:
    """Accuracy and macro-F1 of a dialogue model version on labelled messages (no context)."""
    from assistant.feedback.replay import evaluate_labelled, read_labelled
    from assistant.nlu import registry

    require_schema()
    model = registry.load_version(version) if version else registry.load_live_model()
    result = evaluate_labelled(read_labelled(path, split), model)
    if not mistakes:
        result.pop("mistakes")
    print_json({"version": version or getattr(model, "version", None), "split": split, **result})
