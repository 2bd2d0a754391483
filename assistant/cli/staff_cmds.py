"""``aisle hash-password``: the value for ``AISLE_AGENT_PASSWORD_HASH`` /
``AISLE_ADMIN_PASSWORD_HASH``. The password is read from a prompt (asked twice) or from
standard input, never from the command line, where other users and shell history see it."""

from __future__ import annotations

import getpass
import sys

import typer

from assistant.cli import app
from assistant.errors import UserError
from assistant.staff.auth import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_AGENT_PASSWORD,
    MIN_PASSWORD_CHARS,
    hash_password,
)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise UserError("the two passwords differ: run `aisle hash-password` again")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("hash-password")
def hash_password_cmd() -> None:
    """Print a PBKDF2-SHA256 hash (600,000 iterations) of a password read from a prompt or
    stdin, for AISLE_AGENT_PASSWORD_HASH or AISLE_ADMIN_PASSWORD_HASH."""
    password = _read_password()
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters")
    if password in (DEFAULT_AGENT_PASSWORD, DEFAULT_ADMIN_PASSWORD):
        raise UserError("that is a default password: choose another")
    typer.echo(hash_password(password))
