"""``aisle serve`` (issue 6): the same app as ``python app.py``."""

from __future__ import annotations

import importlib.util
import logging
import sys
from types import ModuleType

import typer

from assistant.cli import app
from assistant.errors import UserError
from assistant.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


def load_app_module() -> ModuleType:
    """Import ``app.py`` from the project root (the one module that lays out the UI)."""
    if "app" in sys.modules and hasattr(sys.modules["app"], "demo"):
        return sys.modules["app"]
    path = PROJECT_ROOT / "app.py"
    if not path.is_file():
        raise UserError(f"{path} not found: run `aisle serve` from a source checkout of Aisle")
    spec = importlib.util.spec_from_file_location("app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


@app.command("serve")
def serve(
    host: str | None = typer.Option(
        None, "--host", help="Interface to bind; default AISLE_HOST (127.0.0.1)."
    ),
    port: int | None = typer.Option(None, "--port", help="Port; default AISLE_PORT (7860)."),
) -> None:
    """Run the web app (the same app as ``python app.py``): shopper chat at /, agent assist
    at /agent, dashboard at /dashboard, and the /chat API endpoint."""
    if port is not None and not 1 <= port <= 65535:
        raise UserError(f"--port {port}: use a port between 1 and 65535")
    from assistant.auth import check_serving
    from assistant.settings import get_settings
    from assistant.store.bootstrap import prepare_home

    settings = get_settings()
    check_serving(host or settings.host, settings)  # default staff passwords: loopback only
    prepare_home(settings)  # a fresh home is set up first (aisle init), with progress bars
    module = load_app_module()
    typer.echo(
        f"Aisle on http://{host or settings.host}:{port or settings.port} "
        "(shopper /, agent /agent, dashboard /dashboard; Ctrl+C to stop)",
        err=True,
    )
    module.launch(host=host, port=port)
