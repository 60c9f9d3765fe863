"""Shared fixtures: databases on the selected backend and real nodes on loopback."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ocpikit.modules.credentials.service import register_with_peer
from tests.support import (
    BACKEND,
    Databases,
    Pair,
    RunningNode,
    drop_pooled_databases,
    running_node,
)


def pytest_report_header() -> str:
    return f"ocpikit database backend: {BACKEND}"


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """PostgreSQL test databases are pooled per process; drop them when the run ends."""
    yield
    if BACKEND == "postgresql":
        asyncio.run(drop_pooled_databases())


@pytest.fixture(autouse=True)
def _collect_garbage_after_each_test() -> Iterator[None]:
    """With OCPIKIT_TEST_GC=1, leaked sockets are reported by the test that leaked them.

    Unclosed sockets warn when the garbage collector finds them, which is during whatever test
    runs then; collecting after each test pins the warning on the culprit (slower: diagnosis).
    """
    yield
    if os.environ.get("OCPIKIT_TEST_GC") == "1":
        gc.collect()


@pytest.fixture
async def databases(tmp_path: Path) -> AsyncIterator[Databases]:
    dbs = Databases(tmp_path)
    try:
        yield dbs
    finally:
        await dbs.drop_all()


@pytest.fixture
async def database_url(databases: Databases) -> str:
    return await databases.new()


@pytest.fixture
async def cpo(databases: Databases) -> AsyncIterator[RunningNode]:
    """A node with one CPO party NL:CPO."""
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")]) as node:
        yield node


@pytest.fixture
async def emsp(databases: Databases) -> AsyncIterator[RunningNode]:
    """A node with one eMSP party DE:MSP."""
    async with running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as node:
        yield node


@pytest.fixture
async def pair(cpo: RunningNode, emsp: RunningNode) -> Pair:
    """The CPO and eMSP nodes, registered with each other (the eMSP initiated)."""
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )
    from ocpikit.storage.repositories import PeerRepository

    async with cpo.db.connect() as conn:
        [cpo_side] = await PeerRepository(conn).list()
    assert peer.token_out and cpo_side.token_out
    return Pair(cpo=cpo, emsp=emsp, to_cpo=peer.token_out, to_emsp=cpo_side.token_out)
