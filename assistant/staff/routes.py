"""HTTP routes of staff access, beside the Gradio app: ``POST /staff/login`` (form:
``username``, ``password``, ``next``), ``POST /staff/logout`` and
``GET /staff/exports/{token}`` (an admin's one-time export download).

The sign-in form is a plain HTML form that posts here, so the password never travels
through Gradio's queue and the session cookie is set by this response, HttpOnly.
"""

from __future__ import annotations

import html
import logging
import math
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from assistant.staff import COOKIE, client_address, cookie_token, get_staff
from assistant.staff.auth import AccessDenied
from assistant.staff.exports import remove

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff", include_in_schema=False)

PAGES = ("/agent", "/dashboard")  # where a sign-in may send the browser back to
MAX_FORM_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store"}


def sign_in_form(next_path: str, error: str = "") -> str:
    """The sign-in form (HTML), posting to ``/staff/login``; ``error`` shown above it."""
    page = next_path.strip("/") if next_path in PAGES else "agent"
    prefix = "admin" if page == "dashboard" else "agent"
    note = f'<p class="staff-error" role="alert">{html.escape(error)}</p>' if error else ""
    return f"""{note}<form method="post" action="/staff/login" class="staff-sign-in">
<input type="hidden" name="next" value="/{page}">
<label>User name <input name="username" id="{prefix}-user" autocomplete="username" required maxlength="100"></label>
<label>Password <input name="password" id="{prefix}-password" type="password" autocomplete="current-password" required maxlength="200"></label>
<button type="submit" id="{prefix}-sign-in">Sign in</button>
</form>"""


def sign_out_form(next_path: str) -> str:
    return f"""<form method="post" action="/staff/logout" class="staff-sign-out">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<button type="submit" class="staff-sign-out-button">Sign out</button></form>"""


def _page(
    next_path: str, error: str, status: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    body = f"""<!doctype html><html><head><meta charset="utf-8"><title>Aisle staff sign-in</title></head>
<body><h2>Aisle staff sign-in</h2>{sign_in_form(next_path, error)}</body></html>"""
    return HTMLResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def _same_origin(request: Request) -> bool:
    """A form post from another site is refused (its ``Origin`` names a different host)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _form(request: Request) -> dict[str, str] | None:
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return None
    form = await request.form(max_files=0, max_fields=10)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _next(form: dict[str, str]) -> str:
    value = form.get("next", "")
    return value if value in PAGES else PAGES[0]


@router.get("/login")
def login_page(next: str = "/agent") -> HTMLResponse:  # noqa: A002 (the query parameter)
    return _page(next if next in PAGES else PAGES[0], "", 200)


@router.post("/login")
async def login(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("cross-site sign-in refused", status_code=403)
    form = await _form(request)
    if form is None:
        return PlainTextResponse("form too large", status_code=413)
    next_path = _next(form)
    staff = get_staff()
    result = staff.sign_in(
        form.get("username", "")[:100], form.get("password", "")[:200], client_address(request)
    )
    if result.token is None or result.principal is None:
        if result.retry_after > 0:
            wait = math.ceil(result.retry_after)
            return _page(
                next_path,
                f"Too many failed sign-ins: try again in {wait} s.",
                429,
                {"Retry-After": str(wait)},
            )
        return _page(next_path, "Wrong user name or password.", 401)
    logger.info("staff sign-in: %s (%s)", result.principal.username, result.principal.role)
    response = RedirectResponse(next_path, status_code=303, headers=NO_STORE)
    response.set_cookie(
        COOKIE,
        result.token,
        httponly=True,
        samesite="strict",
        secure=staff.settings.secure_cookies or request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("cross-site sign-out refused", status_code=403)
    form = await _form(request) or {}
    get_staff().sign_out(cookie_token(request))
    response = RedirectResponse(_next(form), status_code=303, headers=NO_STORE)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/exports/{token}")
def download_export(token: str, request: Request) -> Response:
    """The export file, once, to the admin session that made it; 404 for anyone else."""
    staff = get_staff()
    try:
        session = staff.session(cookie_token(request), "admin")
    except AccessDenied:
        return PlainTextResponse("not found", status_code=404, headers=NO_STORE)
    path = staff.exports.take(token, session.key)
    if path is None:
        return PlainTextResponse("not found", status_code=404, headers=NO_STORE)
    logger.info("export %s downloaded by %s", path.name, session.principal.username)
    return FileResponse(
        path,
        media_type="application/x-ndjson",
        filename=path.name,
        headers=NO_STORE,
        background=BackgroundTask(remove, path),
    )
