"""A minimal, scriptable OCPI peer on loopback, for handshake failure cases.

It is not ocpikit: it answers exactly what a test tells it to, so that tests can play a peer
that offers another version, lacks endpoints, only accepts plain tokens, or is broken.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support import free_port


def envelope(data: Any, status_code: int = 1000) -> dict[str, Any]:
    return {"data": data, "status_code": status_code, "timestamp": "2026-01-01T00:00:00Z"}


@dataclass
class FakePeer:
    url: str = ""
    versions: list[str] = field(default_factory=lambda: ["2.2.1"])
    modules: list[str] = field(default_factory=lambda: ["credentials"])
    token: str = "peer-token-b"
    plain_only: bool = False
    versions_body: bytes | None = None
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def versions_url(self) -> str:
        return f"{self.url}/versions"

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        value = header.removeprefix("Token ")
        if value == self.token:
            return True
        if self.plain_only:
            return False
        try:
            return base64.b64decode(value).decode() == self.token
        except ValueError:
            return False

    async def handle(self, request: Request) -> Response:
        self.calls.append((request.method, request.url.path, request.headers.get("authorization")))
        if not self._authorised(request):
            return JSONResponse(envelope(None, 2000), status_code=401)
        path = request.url.path
        if path == "/versions":
            if self.versions_body is not None:
                return Response(self.versions_body, media_type="application/json")
            return JSONResponse(
                envelope([{"version": v, "url": f"{self.url}/{v}"} for v in self.versions])
            )
        version = path.strip("/")
        if version in self.versions:
            endpoints = [
                {"identifier": m, "role": "SENDER", "url": f"{self.url}/{version}/{m}"}
                for m in self.modules
            ]
            return JSONResponse(envelope({"version": version, "endpoints": endpoints}))
        return JSONResponse(envelope(None, 2000), status_code=404)


@asynccontextmanager
async def fake_peer(**options: Any) -> AsyncIterator[FakePeer]:
    peer = FakePeer(**options)
    port = free_port()
    peer.url = f"http://127.0.0.1:{port}"
    app = Starlette(routes=[Route("/{path:path}", peer.handle, methods=["GET", "POST", "PUT"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield peer
    finally:
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await task
