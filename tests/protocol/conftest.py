"""Fixtures of the version tests: a CPO and an eMSP node that share OCPI 2.1.1 alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.versions import V211
from tests.support import Databases, Pair, register, running_node


@pytest.fixture
async def pair211(databases: Databases) -> AsyncIterator[Pair]:
    """A CPO node NL:CPO offering only 2.1.1 and an eMSP node DE:MSP, registered."""
    async with (
        running_node(await databases.new(), [("NL", "CPO", "CPO")], versions=["2.1.1"]) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp,
    ):
        yield await register(cpo, emsp, V211)
