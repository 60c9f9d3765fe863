"""The demo's two nodes: real ``create_app`` servers (uvicorn) on loopback, in this event loop.

Each node has its own SQLite file, initialised as ``ocpikit init`` does (schema, base URL,
local party). The listening socket is bound before the server starts, so that the port is
known (and held) before the base URL is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from ocpikit.app import create_app
from ocpikit.config import Settings
from ocpikit.demo.data import DemoParty
from ocpikit.embedded import EmbeddedServer
from ocpikit.serving import uvicorn_options
from ocpikit.storage.db import Database
from ocpikit.storage.migrate import upgrade
from ocpikit.storage.repositories import ConfigRepository, PartyRepository

__all__ = ["DemoNode", "NodeError", "bind"]

HOST = "127.0.0.1"


class NodeError(Exception):
    """A node could not be prepared or started; the message says why."""


def bind(port: int) -> tuple[socket.socket, bool]:
    """A listening socket on ``HOST``: ``port`` if free, else any free port.

    Returns:
        The socket and whether another port than the one asked for was taken (never for 0).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    moved = False
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.bind((HOST, 0))
        moved = True
    sock.listen(128)
    return sock, moved


@dataclass
class DemoNode:
    """One node of the demo.

    Attributes:
        label: ``CPO`` or ``eMSP`` (the narration's column).
        party: its one local party.
        path: its SQLite file.
        settings: what ``create_app`` gets besides the database URL.
    """

    label: str
    party: DemoParty
    path: Path
    sock: socket.socket
    admin_token: str
    simulator: bool = False
    simulator_period_seconds: float = 60.0
    simulator_power_kw: float = 11.0
    db: Database = field(init=False)
    _server: EmbeddedServer | None = field(default=None, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.db = Database.unpooled(self.database_url)

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def versions_url(self) -> str:
        return f"{self.url}/ocpi/versions"

    @property
    def console_url(self) -> str:
        return f"{self.url}/console"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.path}"

    async def initialise(self) -> None:
        """What ``ocpikit init --base-url URL --party SPEC`` does, on a new file."""
        await upgrade(self.db)
        p = self.party
        async with self.db.transaction() as conn:
            await ConfigRepository(conn).set("base_url", self.url)
            await PartyRepository(conn).upsert(
                p.country_code, p.party_id, p.role, p.name, {"name": p.name}
            )

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            admin_token=self.admin_token,
            sync_interval=0,  # both sides push; no periodic pull needed
            push_base_delay=0.5,
            simulator=self.simulator,
            simulator_period_seconds=self.simulator_period_seconds,
            simulator_power_kw=self.simulator_power_kw,
        )

    async def start(self) -> None:
        """Serve the node's app on its socket; returns once it accepts requests."""
        config = uvicorn.Config(
            create_app(self.settings()),
            log_level="warning",
            access_log=False,
            lifespan="on",
            **uvicorn_options(),
        )
        server = EmbeddedServer(config)  # the demo handles Ctrl-C for both nodes
        self._server = server
        self._task = asyncio.create_task(server.serve(sockets=[self.sock]))
        for _ in range(500):
            if server.started:
                return
            if self._task.done():
                break
            await asyncio.sleep(0.02)
        reason = "it did not start within 10 s"
        if self._task.done():
            exc = self._task.exception() if not self._task.cancelled() else None
            reason = f"{exc.__class__.__name__}: {exc}" if exc else "it stopped at startup"
        raise NodeError(f"the {self.label} node could not start on {self.url}: {reason}")

    async def stop(self) -> None:
        """Stop serving (the app's push worker and simulated charge points with it)."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError, Exception, SystemExit):
                await asyncio.wait_for(self._task, timeout=15)
        self._server = self._task = None
        self.sock.close()
        await self.db.close()
