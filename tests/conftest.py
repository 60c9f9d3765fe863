"""Shared fixtures: databases on the selected backend and real nodes on loopback."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ocpikit.versions import PROFILES, SUPPORTED_VERSIONS, VersionProfile
from tests.support import (
    BACKEND,
    CPO_PARTY,
    EMSP_PARTY,
    Databases,
    Pair,
    RunningNode,
    drop_pooled_databases,
    register,
    running_node,
)
from tests.versions import VERSIONS


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
    """The CPO and eMSP nodes, registered with each other in 2.2.1 (the eMSP initiated)."""
    return await register(cpo, emsp)


@pytest.fixture(params=VERSIONS)
def profile(request: pytest.FixtureRequest) -> VersionProfile:
    """Each OCPI version the protocol tests run in; ``indirect=True`` picks some."""
    return PROFILES[request.param]


@pytest.fixture
async def vpair(profile: VersionProfile, databases: Databases) -> AsyncIterator[Pair]:
    """A CPO node NL:CPO and an eMSP node DE:MSP, registered in ``profile``'s version.

    In the newest version both nodes are as in ``pair``; in an older one the CPO node offers
    only that version, so that the eMSP registers in it.
    """
    only = {} if profile.version == SUPPORTED_VERSIONS[0] else {"versions": [profile.version]}
    async with (
        running_node(await databases.new(), [CPO_PARTY], **only) as cpo,
        running_node(await databases.new(), [EMSP_PARTY]) as emsp,
    ):
        yield await register(cpo, emsp, profile)
