"""Low-level OCPI calls to a peer: the Authorization header, message ids and the envelope.

Every call returns the envelope's ``data`` or raises :class:`~ocpikit.errors.PeerError` with a
sentence that says what went wrong (unreachable, HTTP status, not an OCPI envelope, or an
OCPI error code), so that the CLI and the logs can show it as it is.

**Every call has a total deadline.** httpx's timeouts bound each network operation (connect,
one read, one write), so a peer that answers one byte per second never trips them: a call
could last for ever. :func:`call` (and :class:`~ocpikit.client.peer.PeerClient`) also bound the
whole exchange, from sending the request to the last byte of the answer, by a deadline
(:func:`deadline_of` the client's timeout: ``OCPIKIT_PEER_TIMEOUT`` for the node's calls).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from ocpikit.client.retry import retry_after_seconds
from ocpikit.errors import PeerError, PeerTimeout
from ocpikit.transport.auth import authorization_header

__all__ = [
    "OcpiReply",
    "PeerHttp",
    "call",
    "deadline_of",
    "decode_reply",
    "http_client",
    "timed_out",
    "tls_context",
]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every peer client of this process shares."""
    # Loading the CA bundle costs ~30 ms; every client of the process shares one context.
    return httpx.create_ssl_context()


def http_client(
    *, timeout: float | httpx.Timeout = 10.0, limits: httpx.Limits | None = None
) -> httpx.AsyncClient:
    """A pooled async HTTP client for calls to peers (shared TLS context)."""
    return httpx.AsyncClient(timeout=timeout, limits=limits or httpx.Limits(), verify=tls_context())


def deadline_of(timeout: httpx.Timeout) -> float | None:
    """The total deadline of one call made with ``timeout``: its read timeout.

    "Seconds to wait for a peer's answer" then means the whole answer, not each read of it.
    """
    return timeout.read


def timed_out(url: str, deadline: float, what: str = "") -> PeerTimeout:
    """The error of a call that passed its total deadline."""
    return PeerTimeout(f"{url} did not answer within {deadline:g} s{what}", url=url)


@dataclass(frozen=True, slots=True)
class OcpiReply:
    http_status: int
    status_code: int
    status_message: str | None
    data: Any
    headers: httpx.Headers = field(default_factory=httpx.Headers)


def decode_reply(response: httpx.Response, url: str) -> OcpiReply:
    """The OCPI envelope of ``response``.

    Raises:
        PeerError: when the body is not JSON (empty, truncated, HTML...), not an envelope, or
            the HTTP status or OCPI status code says the request failed.
    """
    try:
        body = orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError as exc:
        raise PeerError(
            f"{url} answered HTTP {response.status_code} with a body that is not valid JSON "
            f"(truncated or not JSON: {exc}; {len(response.content)} bytes)",
            url=url,
            http_status=response.status_code,
            retry_after=_retry_after(response),
        ) from exc
    if not isinstance(body, dict) or not isinstance(body.get("status_code"), int):
        hint = f"HTTP {response.status_code}"
        raise PeerError(
            f"{url} did not answer with an OCPI response ({hint})",
            url=url,
            http_status=response.status_code,
            retry_after=_retry_after(response),
        )
    reply = OcpiReply(
        http_status=response.status_code,
        status_code=body["status_code"],
        status_message=body.get("status_message"),
        data=body.get("data"),
        headers=response.headers,
    )
    if response.status_code >= 300 or not 1000 <= reply.status_code < 2000:
        detail = f": {reply.status_message}" if reply.status_message else ""
        raise PeerError(
            f"{url} answered HTTP {response.status_code}, OCPI {reply.status_code}{detail}",
            url=url,
            http_status=response.status_code,
            status_code=reply.status_code,
            retry_after=_retry_after(response),
        )
    return reply


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code not in (429, 503):
        return None
    return retry_after_seconds(response.headers.get("Retry-After"))


_decode = decode_reply


async def call(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    token: str,
    encoding: str = "base64",
    json: Any = None,
    content: bytes | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    deadline: float | None = None,
) -> OcpiReply:
    """One OCPI request, answered in full within ``deadline`` seconds.

    The body is ``json`` (serialised here) or ``content`` (JSON already serialised). The
    deadline defaults to :func:`deadline_of` the client's timeout.

    Raises:
        PeerError: when the peer cannot be reached, does not answer in time, or does not
            answer a 1xxx envelope.
    """
    request_headers = {
        "Authorization": authorization_header(token, encoding),
        "X-Request-ID": str(uuid.uuid4()),
        "X-Correlation-ID": str(uuid.uuid4()),
        **(headers or {}),
    }
    if json is not None:
        content = orjson.dumps(json)
    if content is not None:
        request_headers["Content-Type"] = "application/json"
    limit = deadline if deadline is not None else deadline_of(client.timeout)
    try:
        async with asyncio.timeout(limit):
            response = await client.request(
                method, url, content=content, params=params, headers=request_headers
            )
    except TimeoutError as exc:
        raise timed_out(url, limit or 0.0) from exc
    except httpx.TimeoutException as exc:
        raise PeerTimeout(f"{url} did not answer in time", url=url) from exc
    except httpx.HTTPError as exc:
        raise PeerError(f"cannot reach {url}: {exc.__class__.__name__}: {exc}", url=url) from exc
    return _decode(response, url)


class PeerHttp:
    """Calls to one peer with its token; learns the token encoding by trial when asked.

    Many 2.1.1 and 2.2 implementations expect the token without Base64 (TF-04). With
    ``probe_encoding`` a 401 answer to the first call is retried with the other encoding,
    and the one that worked is kept in :attr:`encoding`.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        token: str,
        encoding: str = "base64",
        *,
        probe_encoding: bool = False,
    ) -> None:
        self.client = client
        self.token = token
        self.encoding = encoding
        self._probing = probe_encoding
        self._probe = probe_encoding

    def use(self, encoding: str) -> None:
        """Send the token in ``encoding`` from now on (the one a version prescribes).

        A client that probes may still try the other encoding once, on a 401.
        """
        if encoding != self.encoding:
            self.encoding = encoding
            self._probe = self._probing

    async def request(self, method: str, url: str, **kwargs: Any) -> OcpiReply:
        try:
            reply = await call(
                self.client, method, url, token=self.token, encoding=self.encoding, **kwargs
            )
        except PeerError as exc:
            if not (self._probe and exc.http_status == 401):
                raise
            self._probe = False
            other = "plain" if self.encoding == "base64" else "base64"
            try:
                reply = await call(
                    self.client, method, url, token=self.token, encoding=other, **kwargs
                )
            except PeerError as retry:
                # Both refused: keep the 401 first (some servers answer the other encoding
                # with a generic 3000 error, which would hide that the token is unknown).
                raise PeerError(
                    f"{exc.message} (and with a {other} token: {retry.message})",
                    url=exc.url,
                    http_status=exc.http_status,
                    status_code=exc.status_code,
                ) from retry
            self.encoding = other
        self._probe = False
        return reply

    async def get(self, url: str, **kwargs: Any) -> OcpiReply:
        return await self.request("GET", url, **kwargs)
