"""Fixtures of the version tests: a CPO and an eMSP node that share OCPI 2.1.1 alone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.modules.credentials.service import register_with_peer
from ocpikit.storage.repositories import PeerRepository
from tests.support import Databases, Pair, running_node


@pytest.fixture
async def pair211(databases: Databases) -> AsyncIterator[Pair]:
    """A CPO node NL:CPO offering only 2.1.1 and an eMSP node DE:MSP, registered."""
    async with (
        running_node(await databases.new(), [("NL", "CPO", "CPO")], versions=["2.1.1"]) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp,
    ):
        peer = await register_with_peer(
            emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
        )
        assert peer.version == "2.1.1"
        async with cpo.db.connect() as conn:
            [cpo_side] = await PeerRepository(conn).list()
        assert peer.token_out and cpo_side.token_out
        yield Pair(cpo=cpo, emsp=emsp, to_cpo=peer.token_out, to_emsp=cpo_side.token_out)
