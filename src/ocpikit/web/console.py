"""The web console at ``/console``: one static page that uses the operator API with fetch.

The page asks for the admin token once (kept in the tab's ``sessionStorage``) and sends it
as ``Authorization: Bearer`` to ``/api``; it holds no secret itself. Every value it shows is
inserted as text (never as HTML), and the Content-Security-Policy allows only this page's own
script and style.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from starlette.responses import Response

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}
_STATIC = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}


def _read(folder: str, name: str) -> bytes:
    return resources.files("ocpikit.web").joinpath(folder, name).read_bytes()


@router.get("/console")
async def console() -> Response:
    """The console page."""
    return Response(
        _read("templates", "console.html"),
        media_type="text/html; charset=utf-8",
        headers=_HEADERS,
    )


@router.get("/console/static/{name}")
async def static(name: str) -> Response:
    """The console's script and style sheet (nothing else is served from here)."""
    media_type = _STATIC.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(_read("static", name), media_type=media_type, headers=_HEADERS)
