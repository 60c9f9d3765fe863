"""Test support: databases on both backends and real ocpikit nodes on loopback.

``OCPIKIT_TEST_DATABASE=postgresql`` runs the suite on PostgreSQL (127.0.0.1:5432): each test
gets a fresh database. Outside CI a PostgreSQL run skips with a visible reason when the server
is not reachable; in CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from sqlalchemy import text

from ocpikit.app import create_app
from ocpikit.config import Settings
from ocpikit.embedded import EmbeddedServer
from ocpikit.modules.credentials.service import register_with_peer
from ocpikit.modules.registry import Interface
from ocpikit.serving import uvicorn_options
from ocpikit.storage.db import Database
from ocpikit.storage.events import FEED_LOCK
from ocpikit.storage.migrate import current_revision, head_revision, upgrade
from ocpikit.storage.repositories import (
    ConfigRepository,
    PartyRepository,
    PeerRepository,
    TokenRepository,
)
from ocpikit.storage.schema import metadata
from ocpikit.transport.auth import authorization_header
from ocpikit.versions import V221, VersionProfile
from tests.versions import Party, details_path, domain_of, ocpi_path, wire_of

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


_TEMPLATE: dict[str, str] = {}


async def _sqlite_template() -> Path:
    """A migrated SQLite file, made once per test process and copied for each database."""
    if "sqlite" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="ocpikit-template-")) / "template.db"
        db = Database.unpooled(f"sqlite:///{path}")
        try:
            await upgrade(db)
        finally:
            await db.close()
        _TEMPLATE["sqlite"] = str(path)
    return Path(_TEMPLATE["sqlite"])


async def _pg_template(admin: asyncpg.Connection) -> str:
    """A migrated PostgreSQL database to clone, named after the migration head."""
    if "postgresql" not in _TEMPLATE:
        name = f"ocpikit_template_{head_revision()}_{os.getpid()}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        db = Database.unpooled(f"{PG_HOST}/{name}")
        try:
            await upgrade(db)
        finally:
            await db.close()
        _TEMPLATE["postgresql"] = name
    return _TEMPLATE["postgresql"]


_PG_FREE: list[str] = []  # migrated databases of this process, emptied, ready for reuse
_PG_ALL: list[str] = []


async def _pg_reset(name: str) -> bool:
    """Empty every table of a test database so the next test can use it; False if it can't."""
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    try:
        conn = await asyncpg.connect(f"{PG_HOST}/{name}", timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        await conn.execute("SET lock_timeout = '5s'")
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return True
    except asyncpg.PostgresError:
        return False
    finally:
        await conn.close()


async def drop_pooled_databases() -> None:
    """Drop the PostgreSQL databases this process created (end of the test session)."""
    if not _PG_ALL:
        return
    admin = await _pg_admin()
    try:
        for name in [*_PG_ALL, _TEMPLATE.get("postgresql")]:
            if name:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
    _PG_ALL.clear()
    _PG_FREE.clear()


class Databases:
    """Databases for one test, each with the migrated schema and no rows.

    SQLite: a copy of a file migrated once per process. PostgreSQL: databases cloned from a
    migrated template (``CREATE DATABASE ... TEMPLATE``) and, after the test, emptied with
    TRUNCATE and reused, since creating a database costs more than most tests.
    ``fresh=True`` gives an empty, unmigrated database.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.created: list[str] = []
        self.fresh: list[str] = []

    async def new(self, *, fresh: bool = False) -> str:
        if BACKEND == "sqlite":
            path = self.tmp_path / f"node-{uuid.uuid4().hex[:8]}.db"
            if not fresh:
                shutil.copyfile(await _sqlite_template(), path)
            return f"sqlite:///{path}"
        if not fresh and _PG_FREE:
            name = _PG_FREE.pop()
            self.created.append(name)
            return f"{PG_HOST}/{name}"
        name = f"ocpikit_t_{uuid.uuid4().hex[:12]}"
        admin = await _pg_admin()
        try:
            if fresh:
                await admin.execute(f'CREATE DATABASE "{name}"')
            else:
                template = await _pg_template(admin)
                await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.close()
        (self.fresh if fresh else self.created).append(name)
        if not fresh:
            _PG_ALL.append(name)
        return f"{PG_HOST}/{name}"

    async def drop_all(self) -> None:
        """Return the test's databases to the pool (emptied), or drop them."""
        doomed = list(self.fresh)
        for name in self.created:
            if await _pg_reset(name):
                _PG_FREE.append(name)
            else:
                doomed.append(name)
                _PG_ALL.remove(name)
        self.created.clear()
        self.fresh.clear()
        if not doomed:
            return
        admin = await _pg_admin()
        try:
            for name in doomed:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def initialise(url: str, base_url: str, parties: list[tuple[str, str, str]]) -> None:
    """What `ocpikit init` does: schema, base URL, local parties."""
    db = Database.unpooled(url)
    try:
        if await current_revision(db) != head_revision():
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


CPO_PARTY = ("NL", "CPO", "CPO")
EMSP_PARTY = ("DE", "MSP", "EMSP")


@dataclass
class Pair:
    """Two registered nodes; ``to_cpo`` is the token the eMSP uses to call the CPO.

    The CPO node's party is NL:CPO, the eMSP node's DE:MSP; they are registered with each
    other in ``profile``'s version, and the URL, header and body helpers speak that version
    (``tests/versions.py``), so that one test can run in each.
    """

    cpo: RunningNode
    emsp: RunningNode
    to_cpo: str
    to_emsp: str
    profile: VersionProfile = V221

    @property
    def version(self) -> str:
        return self.profile.version

    def cpo_url(self, module: str, role: str | None = None) -> str:
        """The path of the CPO node's ``module`` interface (2.1.1: NL:CPO's)."""
        return ocpi_path(self.profile, module, role, CPO_PARTY)

    def emsp_url(self, module: str, role: str | None = None) -> str:
        """The path of the eMSP node's ``module`` interface (2.1.1: DE:MSP's)."""
        return ocpi_path(self.profile, module, role, EMSP_PARTY)

    def cpo_details(self) -> str:
        """The path of the CPO node's version details (2.1.1: NL:CPO's)."""
        return details_path(self.profile, CPO_PARTY)

    def emsp_details(self) -> str:
        """The path of the eMSP node's version details (2.1.1: DE:MSP's)."""
        return details_path(self.profile, EMSP_PARTY)

    def _headers(self, token: str, sender: Party, receiver: Party) -> dict[str, str]:
        headers = {"Authorization": authorization_header(token, self.profile.token_encoding)}
        if self.profile.routing_headers:
            headers |= {
                "OCPI-from-country-code": sender[0],
                "OCPI-from-party-id": sender[1],
                "OCPI-to-country-code": receiver[0],
                "OCPI-to-party-id": receiver[1],
            }
        return headers

    def cpo_headers(self) -> dict[str, str]:
        """Headers of a call from the eMSP to the CPO (routing headers where they exist)."""
        return self._headers(self.to_cpo, EMSP_PARTY, CPO_PARTY)

    def emsp_headers(self) -> dict[str, str]:
        """Headers of a call from the CPO to the eMSP (routing headers where they exist)."""
        return self._headers(self.to_emsp, CPO_PARTY, EMSP_PARTY)

    def wire(self, module: str, obj: dict[str, Any], **options: Any) -> dict[str, Any]:
        """A factory (domain) object in the pair's version, as a peer sends it (``wire_of``)."""
        return wire_of(self.profile, module, obj, **options)

    def domain(self, module: str, data: dict[str, Any], **options: Any) -> dict[str, Any]:
        """An answer's object of the pair's version in the domain form (``domain_of``)."""
        return domain_of(self.profile, module, data, **options)


async def register(cpo: RunningNode, emsp: RunningNode, profile: VersionProfile = V221) -> Pair:
    """Register the eMSP node with the CPO node (the eMSP initiates) in ``profile``'s version."""
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )
    assert peer.version == profile.version
    async with cpo.db.connect() as conn:
        [cpo_side] = await PeerRepository(conn).list()
    assert peer.token_out and cpo_side.token_out
    return Pair(
        cpo=cpo, emsp=emsp, to_cpo=peer.token_out, to_emsp=cpo_side.token_out, profile=profile
    )


class _Server(EmbeddedServer):
    """The embedded server, stopping as soon as asked (uvicorn's loop checks every 0.1 s)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop_event = asyncio.Event()

    async def main_loop(self) -> None:
        await self.stop_event.wait()

    def stop(self) -> None:
        self.should_exit = True
        self.stop_event.set()


@asynccontextmanager
async def running_node(
    database_url: str,
    parties: list[tuple[str, str, str]],
    *,
    interfaces: list[Interface] | None = None,
    port: int = 0,
    http: str = "httptools",
    **settings: object,
) -> AsyncIterator[RunningNode]:
    """An ocpikit node served by uvicorn on a loopback port, in this event loop.

    The listening socket is bound here and handed to uvicorn, so that no other process (tests
    run in parallel) can take the port between choosing and binding it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))  # a given port: the same node again, after a restart
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    await initialise(database_url, base, parties)
    settings.setdefault("sync_interval", 0)  # no pull at a random moment of a test
    app = create_app(Settings(database_url=database_url, **settings), interfaces=interfaces)  # type: ignore[arg-type]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=5,
        **uvicorn_options(http),
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
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
        server.stop()
        try:
            with suppress(asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
        except TimeoutError:
            _print_tasks()  # what the node was still doing: in the captured output of the test
            raise
        finally:
            task.cancel()
            sock.close()


def _print_tasks() -> None:
    import sys

    print("node did not stop within 10 s; tasks still running:", file=sys.stderr)
    for pending in asyncio.all_tasks():
        pending.print_stack(file=sys.stderr)


@asynccontextmanager
async def writers_held(database_url: str) -> AsyncIterator[None]:
    """Hold, from another connection, what every writer of events on this database waits for.

    SQLite: the database's write lock (a transaction begun IMMEDIATE). PostgreSQL: the event
    feed's lock, taken exclusively (every transaction appending an event waits for it). A
    node's answer that needs neither answers while this is held.
    """
    db = Database.unpooled(database_url)
    try:
        async with db.transaction() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
            else:
                await conn.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock
            yield
    finally:
        await db.close()
