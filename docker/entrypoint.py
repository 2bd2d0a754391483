#!/usr/bin/env python3
"""Entry point of the Aisle container image (installed as ``/usr/local/bin/aisle-entrypoint``).

    aisle-entrypoint serve [--host 0.0.0.0] [--port P] [--db-timeout S]
    aisle-entrypoint init [--no-demo] [--bake] [--db-timeout S]
    aisle-entrypoint migrate [--db-timeout S]
    aisle-entrypoint wait-db [--db-timeout S]
    aisle-entrypoint healthcheck [--ready] [--port P] [--timeout S]
    aisle-entrypoint aisle ARGS...        # any other aisle command, e.g. catalog import

Settings come from the ``AISLE_*`` environment variables (``assistant/core/settings.py``), as
for ``aisle`` itself. When ``AISLE_DATABASE_URL`` names a server, every command but
``healthcheck`` first waits for it to answer (``--db-timeout``, default 60 s), then fails
with one line naming the database instead of a traceback.

- ``serve``: wait for the database, bring the schema to head, adopt the image's baked
  dialogue model into an empty database (below), then ``exec aisle serve --host 0.0.0.0``
  (which sets up whatever else the home lacks and loads every model before it listens).
- ``init``: wait, migrate, adopt the baked model, then what ``aisle init`` does, except that
  the demo store goes only into an empty store (``--no-demo``: never), so running it against
  a production database never mixes demo rows in. Then it makes the home's secrets
  (``.verify_secret`` unless ``AISLE_VERIFY_SECRET`` is set, ``.browser_secret``) so that
  replicas started afterwards on a shared home all read the same ones. ``--bake`` (the image
  build) makes no secrets: an image must not carry keys.
- ``migrate``: wait, bring the schema to head (Alembic), print the revision.
- ``healthcheck``: GET ``/healthz`` (``--ready``: ``/readyz``) on 127.0.0.1; exit 0 on 200.
  Standard library only, so Docker's ``HEALTHCHECK`` stays cheap.

There is no ``worker``: the only background job (retraining from the dashboard) runs in a
thread of the app process that started it (docs/deploy.md).

The baked model: the image is built by running ``init --bake`` against the SQLite file in the
home, which trains the default dialogue model into ``<home>/models``. A container pointed at
PostgreSQL starts with an empty database that knows no model, so ``init`` and ``serve`` copy
the baked live model's row (same weights folder, same evaluation metrics) from the home's
``aisle.db`` into it when it has no live dialogue model, instead of training for minutes.

Exit status: 0 on success, 2 with ``error: ...`` on stderr for a problem the operator can
fix (database unreachable, bad setting), 1 for a failed health check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_DB_TIMEOUT_S = 60.0
RETRY_S = 1.0


class EntryError(Exception):
    """A problem the operator can fix; printed as one line, exit 2."""


def _settings():
    from assistant.settings import SettingsError, get_settings

    try:
        return get_settings()
    except SettingsError as err:
        raise EntryError(str(err)) from err


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot read: name it without its password part
        return url.split("@")[-1]


# ---------------------------------------------------------------- database
def wait_for_database(timeout_s: float = DEFAULT_DB_TIMEOUT_S, *, log=print) -> None:
    """Return once the configured database answers ``SELECT 1``; ``EntryError`` after
    ``timeout_s`` seconds of refusals. The SQLite file in the home needs no waiting."""
    settings = _settings()
    if settings.database_url is None or settings.db_url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine, text

    url = settings.db_url
    deadline = time.monotonic() + timeout_s
    attempt, last = 0, "no attempt"
    while True:
        attempt += 1
        left = deadline - time.monotonic()
        connect_args = {"connect_timeout": max(1, min(5, int(left)))} if "postgresql" in url else {}
        engine = create_engine(url, connect_args=connect_args, poolclass=_null_pool())
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            if attempt > 1:
                log(f"database {_shown(url)} answers (attempt {attempt})")
            return
        except ModuleNotFoundError as err:  # the driver is missing: waiting will not help
            raise EntryError(
                f"cannot reach {_shown(url)}: {err} (install the postgres extra)"
            ) from err
        except Exception as err:  # noqa: BLE001 - any failure to connect means: not up yet
            last = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200]
        finally:
            engine.dispose()
        if time.monotonic() + RETRY_S >= deadline:
            raise EntryError(
                f"database {_shown(url)} did not answer within {timeout_s:g} s ({attempt} attempts; "
                f"last error: {last}); check AISLE_DATABASE_URL and that the server is up"
            )
        if attempt == 1:
            log(f"waiting up to {timeout_s:g} s for the database {_shown(url)} ({last})")
        time.sleep(RETRY_S)


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


def migrate() -> str:
    """Bring the schema to head; returns the revision."""
    from assistant.store.migrate import upgrade

    settings = _settings()
    settings.ensure_home()
    return upgrade()


def adopt_baked_model() -> str | None:
    """Copy the home's baked live dialogue model (its row in ``<home>/aisle.db``) into the
    configured database when that one has no live dialogue model. Returns the version
    adopted, or ``None`` (nothing baked, same database, or a live model already there)."""
    from sqlalchemy import select

    from assistant.store.db import get_engine, make_engine, session_scope
    from assistant.store.models import ModelVersion

    settings = _settings()
    baked_db = settings.home / "aisle.db"
    if settings.database_url is None or not baked_db.is_file():
        return None
    with session_scope(get_engine(settings.db_url)) as target:
        live = target.scalar(
            select(ModelVersion.id).where(
                ModelVersion.kind == "dialogue", ModelVersion.status == "live"
            )
        )
        if live is not None:
            return None
        source = make_engine(f"sqlite:///{baked_db}")
        try:
            with session_scope(source) as s:
                row = s.scalars(
                    select(ModelVersion).where(
                        ModelVersion.kind == "dialogue", ModelVersion.status == "live"
                    )
                ).first()
                copied = _copy_row(row) if row is not None else None
        except Exception:  # noqa: BLE001 - an unreadable baked file: train as usual
            copied = None
        finally:
            source.dispose()
        if copied is None or not (Path(copied["path"]) / "model.pt").exists():
            return None
        if target.get(ModelVersion, copied["id"]) is not None:
            return None  # known here, e.g. retired on purpose: leave the choice to the operator
        target.add(ModelVersion(**copied))
        return copied["id"]


def _copy_row(row: Any) -> dict[str, Any]:
    names = (
        "id",
        "kind",
        "path",
        "status",
        "parent",
        "data_hash",
        "metrics",
        "notes",
        "promoted_at",
    )
    copied = {name: getattr(row, name) for name in names}
    copied["parent"] = None  # the parent lives in the other database
    copied["notes"] = ((row.notes or "") + " (baked into the image)").strip()
    return copied


def make_secrets() -> None:
    """Create the home's keys now, once, before replicas share the home."""
    from assistant.ui.chat import browser_secret
    from assistant.verify.codes import server_key

    settings = _settings()
    if settings.verify_secret is None:
        server_key(settings)
    browser_secret()


# ---------------------------------------------------------------- commands
def cmd_wait_db(args: argparse.Namespace) -> int:
    wait_for_database(args.db_timeout, log=_say)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    wait_for_database(args.db_timeout, log=_say)
    print(f"schema: at revision {migrate()}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from assistant.store.bootstrap import run_init

    wait_for_database(args.db_timeout, log=_say)
    settings = _settings()
    migrate()
    adopted = adopt_baked_model()
    if adopted:
        print(f"dialogue model: adopted the image's baked version {adopted}")
    summary = run_init(settings, demo=False if args.no_demo else None, progress=not args.quiet)
    print(f"Aisle home: {settings.home}")
    for line in summary.lines():
        print(line)
    if not args.bake:
        make_secrets()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    wait_for_database(args.db_timeout, log=_say)
    _say(f"schema: at revision {migrate()}")
    adopted = adopt_baked_model()
    if adopted:
        _say(f"dialogue model: adopted the image's baked version {adopted}")
    command = ["aisle", "serve", "--host", args.host]
    if args.port is not None:
        command += ["--port", str(args.port)]
    return _exec(command)


def cmd_healthcheck(args: argparse.Namespace) -> int:
    port = args.port or int(os.environ.get("AISLE_PORT") or 7860)
    url = f"http://127.0.0.1:{port}{'/readyz' if args.ready else '/healthz'}"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            ok = response.status == 200
    except urllib.error.HTTPError as err:
        _say(f"{url}: {err.code} {err.read()[:200].decode(errors='replace')}")
        return 1
    except (OSError, ValueError) as err:
        _say(f"{url}: {err}")
        return 1
    return 0 if ok else 1


def cmd_aisle(args: argparse.Namespace) -> int:
    return _exec(["aisle", *args.rest])


def _exec(command: list[str]) -> int:
    """Replace this process (signals reach the server directly)."""
    program = shutil.which(command[0]) or command[0]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(program, command)
    return 0  # pragma: no cover - execv does not return


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aisle-entrypoint", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument(
            "--db-timeout", type=float, default=DEFAULT_DB_TIMEOUT_S, metavar="S",
            help="seconds to wait for AISLE_DATABASE_URL to answer (default 60)",
        )  # fmt: skip
        return sp

    serve = with_db(sub.add_parser("serve", help="migrate, then aisle serve on all interfaces"))
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="default AISLE_PORT (7860)")
    serve.set_defaults(run=cmd_serve)

    init = with_db(sub.add_parser("init", help="schema, demo store if empty, indexes, model"))
    init.add_argument("--no-demo", action="store_true", help="never import the demo store")
    init.add_argument("--bake", action="store_true", help="image build: make no secrets")
    init.add_argument("--quiet", action="store_true", help="no progress bars")
    init.set_defaults(run=cmd_init)

    with_db(sub.add_parser("migrate", help="bring the schema to head")).set_defaults(
        run=cmd_migrate
    )
    with_db(sub.add_parser("wait-db", help="wait for the database")).set_defaults(run=cmd_wait_db)

    health = sub.add_parser("healthcheck", help="GET /healthz (or /readyz) on this container")
    health.add_argument("--ready", action="store_true", help="check /readyz instead")
    health.add_argument("--port", type=int, default=None)
    health.add_argument("--timeout", type=float, default=4.0)
    health.set_defaults(run=cmd_healthcheck)

    aisle = sub.add_parser("aisle", help="run any aisle command", add_help=False)
    aisle.add_argument("rest", nargs=argparse.REMAINDER)
    aisle.set_defaults(run=cmd_aisle)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except EntryError as err:
        _say(f"error: {err}")
        return 2
    except Exception as err:  # the project's own user errors, a database that fails midway
        from sqlalchemy.exc import OperationalError

        from assistant.errors import UserError

        if isinstance(err, UserError | OperationalError):
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:300]
            _say(f"error: {reason}")
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
