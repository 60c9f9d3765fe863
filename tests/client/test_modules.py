"""Typed module calls of OcpiClient between two real ocpikit nodes."""

from __future__ import annotations

import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ModuleNotOffered
from ocpikit.errors import PeerError
from ocpikit.modules.locations import service
from ocpikit.protocol.v221.common import TokenType
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.repositories import PartyRepository, PeerRepository
from tests import factories
from tests.support import Pair, RunningNode


async def client_of(node: RunningNode) -> OcpiClient:
    """The node's client of its only peer."""
    async with node.db.connect() as conn:
        [peer] = await PeerRepository(conn).list()
        parties = await PartyRepository(conn).list()
    return OcpiClient(peer, parties)


async def test_get_location_evse_and_connector_from_the_cpo(pair: Pair):
    loc = Location.model_validate(factories.location("L1"))
    await service.save_local(pair.cpo.db, loc)
    async with await client_of(pair.emsp) as client:
        assert client.parties("locations", "SENDER") == (("DE", "MSP"), ("NL", "CPO"))
        assert (await client.get_location("L1")) == loc
        assert (await client.get_evse("L1", "L1-2")).uid == "L1-2"
        assert (await client.get_connector("L1", "L1-2", "1")).id == "1"
        with pytest.raises(PeerError) as caught:
            await client.get_location("NOPE")
    assert caught.value.http_status == 404


async def test_put_and_patch_a_location_on_the_emsp_receiver(pair: Pair):
    loc = Location.model_validate(factories.location("L7"))
    async with await client_of(pair.cpo) as client:
        assert client.parties("locations", "RECEIVER") == (("NL", "CPO"), ("DE", "MSP"))
        await client.put_location(loc)
        patch = EvsePatch.model_validate(
            {"status": "CHARGING", "last_updated": "2026-02-01T00:00:00Z"}
        )
        await client.patch_location("NL", "CPO", "L7", patch, evse_uid="L7-1")
        got = await client.get_received_location("NL", "CPO", "L7")
    assert got.evses is not None
    assert got.evses[0].status == "CHARGING"
    assert got.evses[1].status == "AVAILABLE"


async def test_authorize_an_unknown_token_is_404_2004(pair: Pair):
    async with await client_of(pair.cpo) as client:
        if not client.offers("tokens", "SENDER"):
            pytest.skip("the eMSP node offers no tokens Sender yet")
        with pytest.raises(PeerError) as caught:
            await client.authorize("UNKNOWN", TokenType.RFID)
    assert (caught.value.http_status, caught.value.status_code) == (404, 2004)


async def test_a_module_the_peer_does_not_offer_is_named(pair: Pair):
    async with await client_of(pair.cpo) as client:
        with pytest.raises(ModuleNotOffered, match="offers no locations SENDER interface"):
            _ = [i async for i in client.list_locations()]
