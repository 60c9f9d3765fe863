"""Peers that misbehave on the wire: raw asyncio servers on loopback, not ocpikit, no framework.

Each answers every request (any method, any path) the same faulty way:

- ``silent``: accepts the connection, reads the request, never answers;
- ``trickle``: answers a valid OCPI 1000 envelope, one byte per second (it would take minutes;
  no single read ever waits more than a second, so httpx's read timeout never trips);
- ``error500``: HTTP 500 with an OCPI 3000 envelope;
- ``throttle``: HTTP 429 with ``Retry-After`` (``retry_after`` seconds);
- ``truncated``: HTTP 200 whose body is cut in the middle of the JSON;
- ``reset``: reads the request and resets the connection (TCP RST).

``FaultPeer.requests`` counts the requests read (their monotonic times in ``times``).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from ocpikit.storage.db import Database
from ocpikit.storage.repositories import PeerRepository, PeerRole

FAULTS = ("silent", "trickle", "error500", "throttle", "truncated", "reset")

_OK = b'{"status_code":1000,"timestamp":"2026-01-01T00:00:00Z"}'
_ERROR = b'{"status_code":3000,"status_message":"broken","timestamp":"2026-01-01T00:00:00Z"}'


def _response(status: str, body: bytes, *, length: int | None = None, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n{extra}"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class FaultPeer:
    kind: str
    retry_after: int = 2
    url: str = ""
    times: list[float] = field(default_factory=list)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def requests(self) -> int:
        return len(self.times)

    async def _read_request(self, reader: asyncio.StreamReader) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return False
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
        self.times.append(time.monotonic())
        return True

    async def _answer(self, writer: asyncio.StreamWriter) -> None:
        if self.kind == "silent":
            await self.closing.wait()  # until the server stops (or the client gives up)
        elif self.kind == "trickle":
            for byte in _response("200 OK", _OK):
                writer.write(bytes([byte]))
                await writer.drain()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.closing.wait(), timeout=1.0)
                if self.closing.is_set():
                    return
        elif self.kind == "error500":
            writer.write(_response("500 Internal Server Error", _ERROR))
        elif self.kind == "throttle":
            extra = f"Retry-After: {self.retry_after}\r\n"
            writer.write(_response("429 Too Many Requests", _ERROR, extra=extra))
        elif self.kind == "truncated":
            writer.write(_response("200 OK", _OK[: len(_OK) // 2]))
        elif self.kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            raise ValueError(self.kind)
        await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            if await self._read_request(reader):
                await self._answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()


@asynccontextmanager
async def fault_peer(kind: str, *, retry_after: int = 2) -> AsyncIterator[FaultPeer]:
    """A :class:`FaultPeer` of ``kind`` listening on a loopback port for the block."""
    if kind not in FAULTS:
        raise ValueError(kind)
    peer = FaultPeer(kind, retry_after=retry_after)
    server = await asyncio.start_server(peer._serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    peer.url = f"http://127.0.0.1:{port}"
    try:
        yield peer
    finally:
        server.close()
        peer.closing.set()
        if peer._handlers:
            await asyncio.wait(list(peer._handlers), timeout=5)
        await server.wait_closed()


async def register_fault_peer(
    db: Database,
    peer: FaultPeer,
    party: str,
    *,
    interface: str = "RECEIVER",
    modules: tuple[str, ...] = ("locations",),
    party_role: str = "EMSP",
) -> int:
    """A REGISTERED peer ``DE:{party}`` in ``db`` whose ``modules`` interfaces are ``peer``.

    Written through the repositories, as a handshake would leave it (the fault peer cannot
    run one).
    """
    async with db.transaction() as conn:
        repo = PeerRepository(conn)
        peer_id = await repo.create(
            status="REGISTERED",
            versions_url=f"{peer.url}/ocpi/versions",
            token_out="fault-token",
            token_encoding="base64",
        )
        endpoints = [
            {"identifier": m, "role": interface, "url": f"{peer.url}/ocpi/2.2.1/{m}"}
            for m in modules
        ]
        await repo.update(peer_id, endpoints=endpoints, version="2.2.1")
        await repo.set_roles(peer_id, [PeerRole(party_role, "DE", party, {"name": party})])
    return peer_id
