"""Test support: databases on both backends and real ocpikit nodes on loopback.

``OCPIKIT_TEST_DATABASE=postgresql`` runs the suite on PostgreSQL (127.0.0.1:5432): each test
gets a fresh database. Outside CI a PostgreSQL run skips with a visible reason when the server
is not reachable; in CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import uvicorn

from ocpikit.app import create_app
from ocpikit.config import Settings
from ocpikit.modules.registry import Interface
from ocpikit.storage.db import Database
from ocpikit.storage.migrate import upgrade
from ocpikit.storage.repositories import ConfigRepository, PartyRepository, TokenRepository
from ocpikit.transport.auth import authorization_header

PG_HOST = os.environ.get("OCPIKIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
BACKEND = os.environ.get("OCPIKIT_TEST_DATABASE", "sqlite")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _pg_admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(f"{PG_HOST}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at {PG_HOST} is not reachable ({exc}); run in CI to test it")


class Databases:
    """Creates databases for a test and drops them afterwards."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.created: list[str] = []

    async def new(self) -> str:
        if BACKEND == "sqlite":
            return f"sqlite:///{self.tmp_path / f'node-{uuid.uuid4().hex[:8]}.db'}"
        name = f"ocpikit_t_{uuid.uuid4().hex[:12]}"
        admin = await _pg_admin()
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.created.append(name)
        return f"{PG_HOST}/{name}"

    async def drop_all(self) -> None:
        if not self.created:
            return
        admin = await _pg_admin()
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def initialise(url: str, base_url: str, parties: list[tuple[str, str, str]]) -> None:
    """What `ocpikit init` does: schema, base URL, local parties."""
    db = Database.unpooled(url)
    try:
        await upgrade(db)
        async with db.transaction() as conn:
            await ConfigRepository(conn).set("base_url", base_url)
            for cc, pid, role in parties:
                await PartyRepository(conn).upsert(cc, pid, role, pid, {"name": pid})
    finally:
        await db.close()


@dataclass
class RunningNode:
    url: str
    database_url: str
    db: Database
    client: httpx.AsyncClient

    @property
    def versions_url(self) -> str:
        return f"{self.url}/ocpi/versions"

    async def token_a(self) -> str:
        async with self.db.transaction() as conn:
            return await TokenRepository(conn).issue(kind="A", label="test")

    def auth(self, token: str, encoding: str = "base64") -> dict[str, str]:
        return {"Authorization": authorization_header(token, encoding)}


@dataclass
class Pair:
    """Two registered nodes; ``to_cpo`` is the token the eMSP uses to call the CPO."""

    cpo: RunningNode
    emsp: RunningNode
    to_cpo: str
    to_emsp: str

    def cpo_headers(self) -> dict[str, str]:
        """Headers of a call from the eMSP to the CPO."""
        return {
            **self.cpo.auth(self.to_cpo),
            "OCPI-from-country-code": "DE",
            "OCPI-from-party-id": "MSP",
            "OCPI-to-country-code": "NL",
            "OCPI-to-party-id": "CPO",
        }

    def emsp_headers(self) -> dict[str, str]:
        """Headers of a call from the CPO to the eMSP."""
        return {
            **self.emsp.auth(self.to_emsp),
            "OCPI-from-country-code": "NL",
            "OCPI-from-party-id": "CPO",
            "OCPI-to-country-code": "DE",
            "OCPI-to-party-id": "MSP",
        }


@asynccontextmanager
async def running_node(
    database_url: str,
    parties: list[tuple[str, str, str]],
    *,
    interfaces: list[Interface] | None = None,
    **settings: object,
) -> AsyncIterator[RunningNode]:
    """An ocpikit node served by uvicorn on a loopback port, in this event loop."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    await initialise(database_url, base, parties)
    settings.setdefault("sync_interval", 0)  # no pull at a random moment of a test
    app = create_app(Settings(database_url=database_url, **settings), interfaces=interfaces)  # type: ignore[arg-type]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    db = Database.unpooled(database_url)
    client = httpx.AsyncClient(base_url=base, timeout=10.0)
    try:
        yield RunningNode(url=base, database_url=database_url, db=db, client=client)
    finally:
        await client.aclose()
        await db.close()
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
