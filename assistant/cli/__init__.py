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
from assistant.logs import configure_logging

try:  # typer vendors its own click; its exceptions are not click's
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - typer releases that use click itself
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

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
    settings = get_settings()  # validate once at start-up: a bad AISLE_* value fails here, naming it
    if settings.home.exists() and not settings.home.is_dir():
        raise UserError(f"home {settings.home} is a file, not a folder; pass --home DIR (or set AISLE_HOME)")
    configure_logging(logging.INFO if verbose else logging.WARNING, settings.log_format)


def _register() -> None:
    from assistant.cli import (  # noqa: F401  (each module adds its commands to ``app``)
        chat_cmds,
        feedback_cmds,
        model_cmds,
        nlu_cmds,
        recommend_cmds,
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


def database_problem(err: Exception) -> str:
    """One line for a database that cannot be opened or is not set up (no home, a home that
    is a file, a server that does not answer, tables missing), with the password hidden."""
    from sqlalchemy.engine import make_url

    from assistant.settings import get_settings

    try:
        where = make_url(get_settings().db_url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot read: the settings check names it earlier
        where = "the database"
    reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200]
    return (f"cannot use the database {where} ({reason}); check --home / AISLE_HOME or "
            "AISLE_DATABASE_URL, or run `aisle init` there first")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: exit 0 on success; on a user error (a ``UserError``, a bad setting, a bad
    flag or value, a database that cannot be used) one line on stderr and exit 2."""
    from sqlalchemy.exc import OperationalError

    from assistant.settings import SettingsError

    try:
        code = app(args=argv, prog_name="aisle", standalone_mode=False)
    except (UserError, SettingsError) as err:
        fail(str(err).splitlines()[0] if str(err) else type(err).__name__)
    except NoArgsIsHelpError as err:  # `aisle` or a group alone: its help, as before
        err.show()
        sys.exit(2)
    except UsageError as err:  # unknown command or flag, a value of the wrong type or range
        command = err.ctx.command_path if err.ctx is not None else "aisle"
        fail(f"{err.format_message().splitlines()[0]} (see `{command} --help`)")
    except ClickException as err:  # a file option that cannot be opened, and the like
        fail(err.format_message().splitlines()[0])
    except OperationalError as err:
        fail(database_problem(err))
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
