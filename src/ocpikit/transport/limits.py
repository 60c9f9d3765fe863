"""Request limits: the body (``OCPIKIT_MAX_BODY_BYTES``), the URL and the headers.

A body whose ``Content-Length`` is over the limit is refused before any of it is read; a
body without one (chunked) is counted as it streams in and refused as soon as it passes the
limit, so at most the limit plus one chunk is ever held. The answer is HTTP 413 with
``Connection: close``: the OCPI envelope (status 2000) on OCPI paths, ``{"detail": ...}``
under ``/api``, like every other error of the app.

URLs over :data:`MAX_URL_BYTES` (414) and heads over :data:`MAX_HEAD_BYTES` (431) are
refused by the HTTP parser before the app when it can (:mod:`ocpikit.serving`); the
middleware refuses those that reach the app all the same (h11 lets a complete head through
whatever its size), with the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "HEAD_MESSAGE",
    "MAX_HEAD_BYTES",
    "MAX_URL_BYTES",
    "URL_MESSAGE",
    "BodyTooLarge",
    "RequestLimitMiddleware",
]

MAX_URL_BYTES = 8 * 1024
"""The longest URL (path and query) served: OCPI URLs carry ids of at most 36 characters and
a few query parameters; 8 KiB is also what common proxies accept on a request line."""
MAX_HEAD_BYTES = 64 * 1024
"""The longest request line and headers together."""

URL_MESSAGE = f"The request URL is longer than {MAX_URL_BYTES} bytes"
HEAD_MESSAGE = f"The request line and headers are longer than {MAX_HEAD_BYTES} bytes"

_CLOSE = {"Connection": "close"}


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes the limit.

    An HTTPException, so that FastAPI's body parsing re-raises it as it is and the app's
    handler renders it (envelope or ``{"detail"}``).
    """

    def __init__(self, limit: int) -> None:
        message = f"The request body is larger than the limit of {limit} bytes"
        super().__init__(413, message, headers=_CLOSE)


class RequestLimitMiddleware:
    """Pure ASGI middleware bounding the URL, the headers and the body of requests.

    Args:
        app: the application.
        max_body_bytes: the largest body accepted.
        refuse: renders a refusal for a path when the app is not called at all.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        refuse: Callable[[str, HTTPException], Response],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.refuse = refuse

    def _refusal(self, scope: Scope) -> HTTPException | None:
        if len(scope.get("raw_path") or b"") + len(scope["query_string"]) + 1 > MAX_URL_BYTES:
            return HTTPException(414, URL_MESSAGE, headers=_CLOSE)
        head = 0
        declared: int | None = None
        for name, value in scope["headers"]:
            head += len(name) + len(value) + 4
            if name == b"content-length" and value.isdigit():
                declared = int(value)
        if head > MAX_HEAD_BYTES:
            return HTTPException(431, HEAD_MESSAGE, headers=_CLOSE)
        if declared is not None and declared > self.max_body_bytes:
            return BodyTooLarge(self.max_body_bytes)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refusal(scope)
        if refused is not None:
            await self.refuse(scope["path"], refused)(scope, receive, send)
            return
        limit = self.max_body_bytes
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, bounded_receive, send)
