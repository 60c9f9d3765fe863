"""Pull tests run the CPO node without its push worker, so that only pulls move data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support import Databases, RunningNode, running_node


@pytest.fixture
async def cpo(databases: Databases) -> AsyncIterator[RunningNode]:
    """A node with one CPO party NL:CPO that does not push (the ``pair`` fixture uses it)."""
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], push_worker=False
    ) as node:
        yield node


@pytest.fixture
async def emsp(databases: Databases) -> AsyncIterator[RunningNode]:
    """A node with one eMSP party DE:MSP that does not push."""
    async with running_node(
        await databases.new(), [("DE", "MSP", "EMSP")], push_worker=False
    ) as node:
        yield node
