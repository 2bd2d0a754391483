"""The web server around the Gradio app: a FastAPI app holding the staff routes
(``/staff/login``, ``/staff/logout``, ``/staff/exports/…``), the ``/v1`` API (``POST /v1/chat``,
``GET /v1/search``, ``POST /v1/feedback``; its OpenAPI document at ``/v1/openapi.json``, also
``/openapi.json``; no docs UI) and the operations endpoints (``/healthz``, ``/readyz``, ``/metrics``: ``assistant.ui.ops_routes``), with the
Gradio Blocks mounted at ``/`` and every browser given a server-issued shopper token in
the ``aisle_shopper`` cookie (``assistant.ui.tokens``), served by uvicorn."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from assistant.logs import RequestIdMiddleware, json_logs
from assistant.settings import Settings
from assistant.staff import get_staff
from assistant.staff.routes import router as staff_router
from assistant.ui.api_routes import BodyLimit, ChatRunErrors, validation_error
from assistant.ui.api_routes import router as api_router
from assistant.ui.ops_routes import router as ops_router
from assistant.ui.tokens import ShopperCookieMiddleware

logger = logging.getLogger(__name__)


def build_app(
    demo: gr.Blocks, settings: Settings, *, host: str, port: int, css: str = ""
) -> FastAPI:
    """The FastAPI app: staff routes, ``/v1/chat`` and the operations endpoints first, then
    the Gradio app at ``/``; the shopper-cookie middleware around all of it.

    Gradio never serves a file from the home (exports, database, models), whatever path a
    client asks for; exports go out through ``/staff/exports`` only.
    """
    app = FastAPI(
        title="Aisle",
        summary="Conversational shopping assistant: the /v1 REST API and operations endpoints",
        version=_version(),
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    app.add_api_route("/openapi.json", _openapi_alias, include_in_schema=False)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.include_router(staff_router)
    app.include_router(api_router)
    app.include_router(ops_router)
    app.add_middleware(ShopperCookieMiddleware)
    app.add_middleware(ChatRunErrors)
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestIdMiddleware)  # outermost: every request gets its id first
    get_staff().exports.clear()  # download tokens do not outlive a restart
    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=host,
        server_port=port,
        css=css,
        footer_links=["api"],
        show_error=False,  # a gr.Error's message reaches the client; any other exception's does not
        blocked_paths=[str(settings.home)],
    )


OPENAPI_URL = "/v1/openapi.json"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aisle-assistant")
    except PackageNotFoundError:
        return "0"


async def _openapi_alias(request: Request) -> JSONResponse:
    """``/openapi.json`` (DESIGN.md's address) serves the same document as ``/v1/openapi.json``."""
    return JSONResponse(request.app.openapi())


async def _validation_error(request: Request, exc: RequestValidationError):
    """``{"error": ...}`` on the ``/v1`` API; FastAPI's own answer on other routes."""
    if request.url.path.startswith("/v1/"):
        return validation_error(request, exc)
    return await request_validation_exception_handler(request, exc)


async def _http_error(request: Request, exc: HTTPException):
    """FastAPI's own refusals on ``/v1`` (a body that is not UTF-8, a method the route does not
    take) as ``{"error": ...}``, the API's one error shape."""
    if not request.url.path.startswith("/v1/"):
        return await http_exception_handler(request, exc)
    text = str(exc.detail)
    if exc.status_code == 400:
        text = "the body could not be read as JSON: send a UTF-8 JSON object"
    return JSONResponse({"error": text}, status_code=exc.status_code, headers=exc.headers)


@dataclass
class RunningServer:
    """A server started in a background thread (``serve(..., block=False)``)."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def serve(
    app: FastAPI, host: str, port: int, *, block: bool = True, quiet: bool = False
) -> RunningServer | None:
    """Run ``app`` on ``host:port``: blocking, or in a thread once it accepts connections."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="error" if quiet else "warning",
        timeout_graceful_shutdown=5,
        # JSON logs: uvicorn's loggers go to the root handler (assistant.logs) as JSON too
        **({"log_config": None} if json_logs() else {}),
    )
    server = uvicorn.Server(config)
    if block:
        server.run()
        return None
    thread = threading.Thread(target=server.run, name="aisle-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    return RunningServer(server, thread, f"http://{host}:{port}/")
