"""Fixtures of the pricing tests: the ``pair`` nodes with the operator API and fast simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.chargepoints.support import SIMULATOR
from tests.support import Databases, RunningNode, running_node

ADMIN_TOKEN = "x"


@pytest.fixture
async def cpo(databases: Databases) -> AsyncIterator[RunningNode]:
    """The CPO node NL:CPO of ``pair``, with simulated charge points and the operator API."""
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token=ADMIN_TOKEN, **SIMULATOR
    ) as node:
        yield node


@pytest.fixture
async def emsp(databases: Databases) -> AsyncIterator[RunningNode]:
    """The eMSP node DE:MSP of ``pair``, with the operator API."""
    async with running_node(
        await databases.new(), [("DE", "MSP", "EMSP")], admin_token=ADMIN_TOKEN
    ) as node:
        yield node
