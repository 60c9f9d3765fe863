"""How uvicorn serves the app: bounded request heads, refused in JSON, not plain text.

uvicorn parses the request line and headers before the app exists for that request; what
it cannot parse it answers itself with a plain-text ``400 Invalid HTTP request received.``
(a 100 000-character URL, say), and with httptools it puts no bound on the size of the
headers at all. The protocol classes here, which ``ocpikit serve``, ``ocpikit demo`` and the
tests hand to uvicorn, bound the request line and the headers and answer what uvicorn
refuses in the format of the path asked for: the OCPI envelope (status 2000), or
``{"detail": ...}`` under ``/api``. (h11 bounds only a head that arrives incomplete; a
complete one reaches the app, whose :mod:`ocpikit.transport.limits` applies the same
limits with the same answers.)

- a URL (path and query) longer than :data:`MAX_URL_BYTES`: HTTP 414;
- a request line and headers longer than :data:`MAX_HEAD_BYTES`: HTTP 431;
- anything else uvicorn's parser refuses: HTTP 400.

Request *bodies* are bounded in the app (``OCPIKIT_MAX_BODY_BYTES``,
:mod:`ocpikit.transport.limits`), where the answer is rendered like every other error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ocpikit.transport.limits import HEAD_MESSAGE, MAX_HEAD_BYTES, MAX_URL_BYTES, URL_MESSAGE
from ocpikit.transport.status import StatusCode
from ocpikit.types import format_datetime

__all__ = ["OcpiH11Protocol", "OcpiHttpToolsProtocol", "refusal", "uvicorn_options"]

_REASONS = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


def refusal(
    status: int, message: str, path: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> bytes:
    """A whole HTTP/1.1 response (closing the connection) refusing a request for ``path``.

    ``headers`` are the server's default ones (``date``, ``server``), as uvicorn sends them.
    """
    if path == b"/api" or path.startswith(b"/api/"):
        body = orjson.dumps({"detail": message})
    else:
        timestamp = format_datetime(datetime.now(UTC))
        body = orjson.dumps(
            {
                "status_code": int(StatusCode.CLIENT_ERROR),
                "status_message": message,
                "timestamp": timestamp,
            }
        )
    lines = [b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"Error"))]
    lines += [name + b": " + value for name, value in headers or []]
    lines += [
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class _TooLarge(Exception):
    """Raised inside a parser callback: httptools then fails the parse, uvicorn refuses."""


_BAD_MESSAGE = "The request is not valid HTTP/1.1"


class OcpiHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded head and JSON refusals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._refused: tuple[int, str] | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._refused = None

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self._refused = (414, URL_MESSAGE)
            raise _TooLarge
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count(len(name) + len(value) + 4)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refused = (431, HEAD_MESSAGE)
            raise _TooLarge

    def send_400_response(self, msg: str) -> None:
        status, message = self._refused or (400, _BAD_MESSAGE)
        url = getattr(self, "url", b"")
        self.transport.write(
            refusal(status, message, url.split(b"?", 1)[0], self.server_state.default_headers)
        )
        self.transport.close()


class OcpiH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with JSON refusals (h11 bounds the head itself)."""

    def send_400_response(self, msg: str) -> None:
        pending, _ = self.conn.trailing_data
        request_line = pending.split(b"\r\n", 1)[0]
        if len(request_line) > MAX_URL_BYTES:
            status, message = 414, URL_MESSAGE
        elif len(pending) > MAX_HEAD_BYTES:
            status, message = 431, HEAD_MESSAGE
        else:
            status, message = 400, _BAD_MESSAGE
        parts = request_line.split(b" ")
        path = parts[1].split(b"?", 1)[0] if len(parts) > 1 else b""
        self.transport.write(refusal(status, message, path, self.server_state.default_headers))
        self.transport.close()


def uvicorn_options(http: str = "httptools") -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` / ``uvicorn.run``: the protocol and limits."""
    protocol = OcpiH11Protocol if http == "h11" else OcpiHttpToolsProtocol
    return {"http": protocol, "h11_max_incomplete_event_size": MAX_HEAD_BYTES}
