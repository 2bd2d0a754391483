"""``aisle chat``: one turn through the whole pipeline."""

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
    from assistant.errors import UserError
    from assistant.service import Assistant
    from assistant.settings import get_settings
    from assistant.store.db import get_engine
    from assistant.store.migrate import current_revision, head_revision

    if current_revision(engine=get_engine(get_settings().db_url)) != head_revision():
        raise UserError("the database schema is not at this version's head: run `aisle init` first")
    # every CLI turn shares one client key, so verification back-off holds across calls
    result = Assistant().turn(message, session_id=session, user_id=user, client="local")
    if as_json:
        print_json(result.to_dict())
        return
    typer.echo(result.reply)
    typer.echo(f"[session {result.session_id} · {result.intent} {result.confidence:.2f} · {result.action}"
               + (" · handoff" if result.handoff else "") + "]")
