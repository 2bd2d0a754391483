"""``aisle chat`` (issue 5): one turn through the whole pipeline."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.output import print_json


@app.command("chat")
def chat(
    message: str = typer.Argument(..., help="The shopper's message."),
    session: str | None = typer.Option(None, "--session", help="Continue this conversation (created if new)."),
    user: str | None = typer.Option(None, "--user", help="Shopper id for personalisation."),
    as_json: bool = typer.Option(False, "--json", help="Print the turn as JSON."),
) -> None:
    """One turn through the whole pipeline; state is kept in the database per --session."""
    from assistant.service import Assistant

    result = Assistant().turn(message, session_id=session, user_id=user)
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(result.reply)
    typer.echo(f"[session {result.session_id} · {result.intent} {result.confidence:.2f} · {result.action}"
               + (" · handoff" if result.handoff else "") + "]")
