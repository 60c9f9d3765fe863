"""A scriptable OCPI Sender on loopback that paginates the way real peers get it wrong.

Like ``tests/fake_peer.py`` it is not ocpikit: it serves a list of objects at
``/ocpi/2.2.1/locations`` with the pagination quirk a test asks for, can answer scripted
failures first (500, 429, a slow or truncated answer), and records every request.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ocpikit.storage.repositories import LocalParty, Peer, PeerRole
from tests.support import free_port

LIST_PATH = "/ocpi/2.2.1/locations"


def envelope(data: Any, status_code: int = 1000) -> bytes:
    return orjson.dumps(
        {"data": data, "status_code": status_code, "timestamp": "2026-01-01T00:00:00Z"}
    )


# Ways of paginating: what the Link header says after a page (None: no Link).
LINKS: dict[str, Callable[[str, int, int, int, int], str | None]] = {
    # (base, offset, returned, limit, total) -> Link URL or None
    "good": lambda b, o, r, lim, t: f"{b}?offset={o + r}&limit={lim}" if o + r < t else None,
    "none": lambda b, o, r, lim, t: None,
    "relative": lambda b, o, r, lim, t: (
        f"{LIST_PATH}?offset={o + r}&limit={lim}" if o + r < t else None
    ),
    "loop": lambda b, o, r, lim, t: f"{b}?offset=0&limit={lim}",
    "always": lambda b, o, r, lim, t: f"{b}?offset={o + r}&limit={lim}",
    "other-host": lambda b, o, r, lim, t: (
        f"http://127.0.0.2:9/elsewhere?offset={o + r}&limit={lim}" if o + r < t else None
    ),
    "skips": lambda b, o, r, lim, t: f"{b}?offset={o + lim}&limit={lim}" if o + lim < t else None,
}


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class ScriptedPeer:
    items: list[Any] = field(default_factory=list)
    link: str = "good"
    total_header: bool = True
    max_limit: int = 100
    # Scripted answers served before the normal ones, one per request.
    script: list[Callable[[Request], Any]] = field(default_factory=list)
    token: str = "token-c"
    plain_only: bool = False
    url: str = ""
    requests: list[Seen] = field(default_factory=list)

    def _authorised(self, request: Request) -> bool:
        value = request.headers.get("authorization", "").removeprefix("Token ")
        if value == self.token:
            return True
        if self.plain_only:
            return False
        with suppress(ValueError):
            return base64.b64decode(value).decode() == self.token
        return False

    async def handle(self, request: Request) -> Response:
        self.requests.append(
            Seen(
                request.method,
                request.url.path,
                dict(request.query_params),
                {k.lower(): v for k, v in request.headers.items()},
            )
        )
        if self.script:
            answer = self.script.pop(0)(request)
            if asyncio.iscoroutine(answer):
                answer = await answer
            if answer is not None:
                return answer
        if not self._authorised(request):
            return Response(envelope(None, 2000), status_code=401)
        if request.url.path != LIST_PATH:
            return Response(envelope(None, 2000), status_code=404)
        offset = int(request.query_params.get("offset", 0))
        limit = min(int(request.query_params.get("limit", self.max_limit)), self.max_limit)
        page = self.items[offset : offset + limit]
        headers = {"X-Limit": str(limit)}
        if self.total_header:
            headers["X-Total-Count"] = str(len(self.items))
        link = LINKS[self.link](f"{self.url}{LIST_PATH}", offset, len(page), limit, len(self.items))
        if link is not None:
            headers["Link"] = f'<{link}>; rel="next"'
        return Response(envelope(page), headers=headers, media_type="application/json")

    def peer(self, *, encoding: str = "base64", modules: tuple[str, ...] = ("locations",)) -> Peer:
        """A stored-peer record pointing at this server (as registration would leave it)."""
        now = datetime.now(UTC)
        return Peer(
            id=1,
            status="REGISTERED",
            versions_url=f"{self.url}/ocpi/versions",
            version="2.2.1",
            version_url=f"{self.url}/ocpi/2.2.1",
            token_out=self.token,
            token_encoding=encoding,
            endpoints=[
                {"identifier": m, "role": "SENDER", "url": f"{self.url}/ocpi/2.2.1/{m}"}
                for m in modules
            ],
            created_at=now,
            updated_at=now,
            roles=(PeerRole("CPO", "NL", "CPO", {"name": "CPO"}),),
        )

    def list_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path == LIST_PATH]


OUR_PARTIES = [LocalParty(1, "DE", "MSP", "EMSP", "MSP", {"name": "MSP"})]


def page_url(offset: int, limit: int) -> str:
    return f"{LIST_PATH}?{urlencode({'offset': offset, 'limit': limit})}"


@asynccontextmanager
async def scripted_peer(**options: Any) -> AsyncIterator[ScriptedPeer]:
    peer = ScriptedPeer(**options)
    port = free_port()
    peer.url = f"http://127.0.0.1:{port}"
    app = Starlette(
        routes=[Route("/{path:path}", peer.handle, methods=["GET", "POST", "PUT", "PATCH"])]
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield peer
    finally:
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await task
