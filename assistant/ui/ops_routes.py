"""Operations endpoints beside the app, for a load balancer, an orchestrator and Prometheus.

- ``GET /healthz``: the process is alive; always 200 ``{"status": "ok"}``.
- ``GET /readyz``: 200 ``{"ready": true}`` once the assistant's models are loaded and the
  database answers; otherwise 503 ``{"ready": false, "reason": "..."}``.
- ``GET /metrics``: Prometheus text format (``assistant.ui.metrics``).

None of them needs a sign-in: restrict ``/metrics`` at the proxy where it should not be public.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from assistant.ui import chat, metrics

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readiness_problem() -> str | None:
    """Why the app cannot answer a turn now, or ``None`` when it can."""
    from sqlalchemy import text

    from assistant.settings import get_settings
    from assistant.store.db import get_engine

    if not chat.assistant_ready():
        return "the models are not loaded yet"
    try:
        with get_engine(get_settings().db_url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:  # any failure means not ready; the log has the details
        logger.warning("readiness: the database does not answer (%s)", err)
        return f"the database does not answer ({type(err).__name__})"
    return None


@router.get("/readyz")
async def readyz() -> JSONResponse:
    problem = await run_in_threadpool(readiness_problem)
    if problem is not None:
        return JSONResponse({"ready": False, "reason": problem}, status_code=503)
    return JSONResponse({"ready": True})


@router.get("/metrics")
async def metrics_text() -> Response:
    body = await run_in_threadpool(metrics.current().exposition)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
