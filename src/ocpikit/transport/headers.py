"""Message ids and routing headers (``transport_and_format.asciidoc``).

Sections ``§Unique message IDs`` and ``§Message Routing``.

``RequestIdMiddleware`` echoes ``X-Request-ID`` and ``X-Correlation-ID`` on every response
(generating them when a request has none), including error responses.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocpikit.errors import InvalidParameters

__all__ = ["RequestIdMiddleware", "RoutingHeaders", "routing_headers"]

_ID_HEADER = re.compile(r"^[\x21-\x7e]{1,255}$")


class RequestIdMiddleware:
    """Pure ASGI middleware: cheap enough for the hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = correlation_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == b"x-correlation-id":
                correlation_id = value.decode("latin-1")
        if not request_id or not _ID_HEADER.match(request_id):
            request_id = str(uuid.uuid4())
        if not correlation_id or not _ID_HEADER.match(correlation_id):
            correlation_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        scope["state"]["correlation_id"] = correlation_id

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Correlation-ID"] = correlation_id
            await send(message)

        await self.app(scope, receive, send_with_ids)


_CC = re.compile(r"^[A-Za-z]{2}$")
_PID = re.compile(r"^[A-Za-z0-9]{3}$")


@dataclass(frozen=True, slots=True)
class RoutingHeaders:
    """The OCPI-from/to headers of a functional-module request (all optional)."""

    from_country_code: str | None = None
    from_party_id: str | None = None
    to_country_code: str | None = None
    to_party_id: str | None = None

    def response_headers(self) -> dict[str, str]:
        """Headers of the response: TO and FROM swapped (TF-41)."""
        out: dict[str, str] = {}
        if self.from_country_code and self.from_party_id:
            out["OCPI-to-country-code"] = self.from_country_code
            out["OCPI-to-party-id"] = self.from_party_id
        if self.to_country_code and self.to_party_id:
            out["OCPI-from-country-code"] = self.to_country_code
            out["OCPI-from-party-id"] = self.to_party_id
        return out


def _pair(request: Request, side: str) -> tuple[str | None, str | None]:
    cc = request.headers.get(f"ocpi-{side}-country-code")
    pid = request.headers.get(f"ocpi-{side}-party-id")
    if (cc is None) != (pid is None):
        raise InvalidParameters(
            f"OCPI-{side}-country-code and OCPI-{side}-party-id must be sent together"
        )
    if cc is not None and not _CC.match(cc):
        raise InvalidParameters(f"OCPI-{side}-country-code must be 2 letters, got {cc!r}")
    if pid is not None and not _PID.match(pid):
        raise InvalidParameters(f"OCPI-{side}-party-id must be 3 characters, got {pid!r}")
    return (cc.upper() if cc else None), (pid.upper() if pid else None)


def routing_headers(request: Request) -> RoutingHeaders:
    """Parse and validate the routing headers of a request.

    Raises:
        InvalidParameters: when a header is malformed or half of a pair is missing.
    """
    from_cc, from_pid = _pair(request, "from")
    to_cc, to_pid = _pair(request, "to")
    return RoutingHeaders(from_cc, from_pid, to_cc, to_pid)
