"""Interoperability in OCPI 2.1.1 with an independent implementation: extrawest-ocpi.

The peer (``extrawest_peer.py --version 2.1.1``, see ``harness.py``) offers 2.1.1 alone, so
2.1.1 is what the handshake picks. ocpikit plays both roles:

- eMSP: registers with an extrawest CPO, pulls its Locations and Tariffs (2.1.1 objects) into
  the store as domain (2.2.1) objects, and unregisters;
- CPO: registers with an extrawest eMSP (extrawest cannot initiate a handshake), and its push
  worker delivers a Location and an EVSE status change rendered in 2.1.1; then unregisters.

Quirks of extrawest in 2.1.1 that ocpikit tolerates (without copying them) are named where
a test meets them.
"""

from __future__ import annotations

from typing import Any

import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.credentials.service import register_with_peer, unregister_peer
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull import pull
from tests.interop.harness import XW_PARTY, Extrawest, StartExtrawest, ocpikit_node
from tests.support import Databases, RunningNode

pytestmark = pytest.mark.interop

V211 = "2.1.1"


async def _register(node: RunningNode, xw: Extrawest) -> Peer:
    # Our node offers 2.2.1 and 2.1.1; the peer only 2.1.1, which is picked.
    return await register_with_peer(
        node.db,
        node.client,
        versions_url=xw.versions_url,
        token_a=xw.token_a,
        versions=("2.2.1", V211),
    )


async def _client(node: RunningNode, peer: Peer) -> OcpiClient:
    async with node.db.connect() as conn:
        parties = await PartyRepository(conn).list()
    return OcpiClient(peer, parties)


# ---- ocpikit eMSP, extrawest CPO ---------------------------------------------------------


async def test_emsp_registers_with_extrawest_211_cpo_pulls_and_unregisters(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO", version=V211)
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)

        assert peer.status == "REGISTERED"
        assert peer.version == V211
        assert peer.token_encoding == "plain"
        assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("CPO", *XW_PARTY)]
        assert peer.endpoint("locations", "SENDER") == f"{xw.url}/ocpi/cpo/2.1.1/locations/"
        assert peer.endpoint("tariffs", "SENDER") == f"{xw.url}/ocpi/cpo/2.1.1/tariffs/"

        [registration] = xw.state()["registrations"]
        assert registration["token_c"] == peer.token_out
        theirs: dict[str, Any] = registration["credentials"]
        # In 2.1.1 our party registers with its own versions URL.
        assert theirs["url"] == f"{node.url}/ocpi/DE/MSP/versions"
        assert (theirs["country_code"], theirs["party_id"]) == ("DE", "MSP")
        assert {e["identifier"] for e in registration["endpoints"]["endpoints"]} >= {
            "credentials",
            "locations",
            "tariffs",
        }

        async with await _client(node, peer) as client:
            report = await pull(node.db, peer, "locations", True, client, page_size=2)
            assert (report.new, report.invalid, report.foreign) == (3, 0, 0), report
            assert report.pages == 2
            # As in 2.2.1, its Link always says https:// (and a path that does not exist:
            # ".../cpo/VersionNumber.v_2_1_1/ModuleID.locations/"): paged by offset/limit.
            assert any("another host" in q for q in report.quirks), report.quirks
            tariffs = await pull(node.db, peer, "tariffs", True, client)
            assert (tariffs.new, tariffs.invalid) == (1, 0), tariffs

        async with node.db.connect() as conn:
            store = ObjectStore(conn)
            stored = await store.get(ObjectKey("locations", *XW_PARTY, "LOC2"))
            tariff = await store.get(ObjectKey("tariffs", *XW_PARTY, "TARIFF1"))
        assert stored is not None and not stored.is_local and stored.peer_id == peer.id
        # A domain (2.2.1) Location: owner from the peer's party, publish, a list of tariff
        # ids and max_voltage/max_amperage instead of voltage/amperage.
        location = stored.parsed()
        assert (location["country_code"], location["party_id"]) == XW_PARTY
        assert location["publish"] is True
        assert location["parking_type"] == "ON_STREET"
        connector = location["evses"][0]["connectors"][0]
        assert connector["tariff_ids"] == ["TARIFF1"]
        assert (connector["max_voltage"], connector["max_amperage"]) == (230, 32)
        assert tariff is not None
        priced = tariff.parsed()
        assert (priced["country_code"], priced["party_id"]) == XW_PARTY
        assert priced["elements"][0]["price_components"][0]["price"] == 0.25

        warning = await unregister_peer(node.db, node.client, peer)
        assert warning is None
        assert xw.state()["registrations"] == []
        async with node.db.connect() as conn:
            gone = await PeerRepository(conn).get(peer.id)
        assert gone is not None and gone.status == "UNREGISTERED"
