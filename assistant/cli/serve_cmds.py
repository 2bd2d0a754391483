"""``aisle serve``: the app of ``assistant.ui.app``, the same as ``python app.py``."""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

import typer

from assistant.cli import app
from assistant.errors import UserError

logger = logging.getLogger(__name__)


def load_app_module() -> ModuleType:
    """The module that lays out the UI (``assistant.ui.app``, shipped in the package)."""
    return importlib.import_module("assistant.ui.app")


@app.command("serve")
def serve(
    host: str | None = typer.Option(
        None, "--host", help="Interface to bind; default AISLE_HOST (127.0.0.1)."
    ),
    port: int | None = typer.Option(None, "--port", help="Port; default AISLE_PORT (7860)."),
) -> None:
    """Run the web app (the same app as ``python app.py``): shopper chat at /, agent assist
    at /agent, dashboard at /dashboard, the /chat and POST /v1/chat APIs, and /healthz,
    /readyz, /metrics.

    A home that lacks something gets it first (schema, indexes for its catalogue, a dialogue
    model); the demo store goes only into an empty store. Every model loads before the port
    opens."""
    if port is not None and not 1 <= port <= 65535:
        raise UserError(f"--port {port}: use a port between 1 and 65535")
    from assistant.settings import get_settings
    from assistant.staff.auth import check_serving
    from assistant.store.bootstrap import prepare_home

    settings = get_settings()
    check_serving(host or settings.host, settings)  # default staff passwords: loopback only
    prepare_home(settings)  # what the home lacks is set up first, with progress bars
    module = load_app_module()
    typer.echo(
        f"Aisle on http://{host or settings.host}:{port or settings.port} once the models are "
        "loaded (shopper /, agent /agent, dashboard /dashboard, /readyz; Ctrl+C to stop)",
        err=True,
    )
    module.launch(host=host, port=port)
