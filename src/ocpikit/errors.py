"""The ocpikit error tree.

Every failure a request can meet is one of these, and one handler renders each as the OCPI
response envelope with its HTTP status (``transport/envelope.py``)::

    OcpiError                         3000  HTTP 500 (never raised on purpose for inbound data)
    ├── ClientError                   2000  HTTP 200/400
    │   ├── InvalidParameters         2001  HTTP 200 (or 400 for a body that is not JSON)
    │   ├── NotEnoughInformation      2002
    │   ├── UnknownLocation           2003
    │   ├── UnknownToken              2004  HTTP 404
    │   └── NotFound                  2000  HTTP 404 (unknown object or route)
    ├── AuthError                     2000  HTTP 401 (missing, unknown, revoked or token A misuse)
    ├── Forbidden                     2000  HTTP 403 (no role of the peer may call this)
    ├── MethodNotAllowed              2000  HTTP 405 (credentials rules, wrong method)
    └── ServerError                   3000  HTTP 200/500
        ├── UnableToUseClientApi      3001
        ├── UnsupportedVersion        3002
        └── NoMatchingEndpoints       3003

    PeerError                         a call to a peer failed (client side; never rendered)
      PeerTimeout                     ... because the peer did not answer in time

Errors of inbound data are always 2xxx (``conventions.md``): a 3xxx means *we* or the peer's
API failed.
"""

from __future__ import annotations

from typing import Any

from ocpikit.transport.status import StatusCode

__all__ = [
    "AuthError",
    "ClientError",
    "Forbidden",
    "InvalidParameters",
    "MethodNotAllowed",
    "NoMatchingEndpoints",
    "NotEnoughInformation",
    "NotFound",
    "OcpiError",
    "PeerError",
    "PeerTimeout",
    "ServerError",
    "UnableToUseClientApi",
    "UnknownLocation",
    "UnknownToken",
    "UnsupportedVersion",
]


class OcpiError(Exception):
    """Base of every error rendered as an OCPI envelope."""

    status_code: StatusCode = StatusCode.SERVER_ERROR
    http_status: int = 500

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if http_status is not None:
            self.http_status = http_status
        self.data = data
        self.headers = headers or {}


class ClientError(OcpiError):
    status_code = StatusCode.CLIENT_ERROR
    http_status = 200


class InvalidParameters(ClientError):
    status_code = StatusCode.INVALID_PARAMETERS


class NotEnoughInformation(ClientError):
    status_code = StatusCode.NOT_ENOUGH_INFORMATION


class UnknownLocation(ClientError):
    status_code = StatusCode.UNKNOWN_LOCATION


class UnknownToken(ClientError):
    status_code = StatusCode.UNKNOWN_TOKEN
    http_status = 404


class NotFound(ClientError):
    """An object or route that does not exist (or that this caller may not see)."""

    http_status = 404


class AuthError(ClientError):
    http_status = 401


class Forbidden(ClientError):
    """A registered peer calling an interface that none of its roles may call."""

    http_status = 403


class MethodNotAllowed(ClientError):
    http_status = 405


class ServerError(OcpiError):
    status_code = StatusCode.SERVER_ERROR
    http_status = 200


class UnableToUseClientApi(ServerError):
    status_code = StatusCode.UNABLE_TO_USE_CLIENT_API


class UnsupportedVersion(ServerError):
    status_code = StatusCode.UNSUPPORTED_VERSION


class NoMatchingEndpoints(ServerError):
    status_code = StatusCode.NO_MATCHING_ENDPOINTS


class PeerError(Exception):
    """A call to a peer failed: unreachable, HTTP error, bad envelope or an OCPI error code.

    Attributes:
        url: the URL that was called.
        http_status: the HTTP status, when a response arrived.
        status_code: the OCPI status code of the envelope, when there was one.
        retry_after: seconds the peer asked to wait (``Retry-After`` of a 429 or 503).
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        http_status: int | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.http_status = http_status
        self.status_code = status_code
        self.retry_after = retry_after


class PeerTimeout(PeerError):
    """A call to a peer passed its deadline (or an httpx timeout): no answer in time."""
