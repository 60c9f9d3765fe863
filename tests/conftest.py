"""Shared fixtures: databases on the selected backend and real nodes on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import BACKEND, Databases, RunningNode, running_node


def pytest_report_header() -> str:
    return f"ocpikit database backend: {BACKEND}"


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
