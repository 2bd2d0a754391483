"""The ``aisle`` command (also ``python -m assistant``).

Each group of subcommands lives in its own module and registers itself on
``app``. User errors (``UserError``, bad settings) print one line on stderr and
exit 2, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import typer

from assistant.errors import UserError

app = typer.Typer(
    name="aisle",
    help="Aisle: a conversational shopping and customer-service assistant.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    home: Path | None = typer.Option(
        None, "--home", help="Folder for all state (database, indexes, models). Env: AISLE_HOME."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
) -> None:
    from assistant.settings import get_settings

    if home is not None:
        os.environ["AISLE_HOME"] = str(home)
        get_settings.cache_clear()
    get_settings()  # validate once at start-up: a bad AISLE_* value fails here, naming it
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    from assistant.cli import (  # noqa: F401  (each module adds its commands to ``app``)
        chat_cmds,
        feedback_cmds,
        model_cmds,
        nlu_cmds,
        search_cmds,
        serve_cmds,
        staff_cmds,
        store_cmds,
        train_cmds,
    )


_register()


def fail(message: str) -> None:
    """Print a one-line error and exit 2."""
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    from assistant.settings import SettingsError

    try:
        app(args=argv, standalone_mode=True)
    except (UserError, SettingsError) as err:
        fail(str(err).splitlines()[0] if str(err) else type(err).__name__)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
