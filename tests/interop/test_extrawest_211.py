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

import asyncio
import time
from typing import Any

import pytest

from ocpikit.client.ocpi import OcpiClient
from ocpikit.modules.credentials.service import register_with_peer, unregister_peer
from ocpikit.modules.locations import service as locations
from ocpikit.protocol.v221.locations import EvsePatch, Location
from ocpikit.storage.objects import ObjectKey, ObjectStore
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository
from ocpikit.sync.pull import pull
from ocpikit.sync.push import OutboxMessage, list_messages
from tests import factories
from tests.interop.harness import (
    XW_PARTY,
    Extrawest,
    StartExtrawest,
    now,
    ocpikit_node,
    received_object,
    wait_for,
)
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


async def _dead(node: RunningNode, object_ref: str, timeout: float = 15.0) -> OutboxMessage:
    """The outbox message of ``object_ref`` once it is DEAD."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in await list_messages(node.db, status="DEAD"):
            if message.object_ref == object_ref:
                return message
        await asyncio.sleep(0.1)
    raise AssertionError(f"{object_ref}: not DEAD in {timeout} s: {await list_messages(node.db)}")


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


# ---- ocpikit CPO, extrawest eMSP -----------------------------------------------------------


async def test_cpo_registers_with_extrawest_211_emsp_and_pushes_in_211(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    """extrawest-ocpi has no code to start a handshake: the ocpikit CPO registers with it."""
    xw = extrawest("EMSP", version=V211)
    # This node offers 2.1.1 alone (OCPIKIT_VERSIONS='["2.1.1"]').
    async with ocpikit_node(databases, ("NL", "CPO", "CPO"), versions=[V211]) as node:
        peer = await register_with_peer(
            node.db,
            node.client,
            versions_url=xw.versions_url,
            token_a=xw.token_a,
            party="NL:CPO",
            versions=(V211,),
        )
        assert (peer.version, peer.token_encoding) == (V211, "plain")
        assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("EMSP", *XW_PARTY)]
        assert peer.endpoint("locations", "RECEIVER") == f"{xw.url}/ocpi/emsp/2.1.1/locations/"
        assert peer.endpoint("tariffs", "RECEIVER") == f"{xw.url}/ocpi/emsp/2.1.1/tariffs/"

        # A Location saved here reaches it through the outbox, rendered in 2.1.1.
        location = Location.model_validate(factories.location("LOC1", last_updated=now()))
        await locations.save_local(node.db, location)
        got = await wait_for(xw, lambda s: received_object(s, "locations", "LOC1"))
        assert "country_code" not in got and "publish" not in got  # no owner in 2.1.1
        assert got["type"] == "ON_STREET"
        connector = got["evses"][0]["connectors"][0]
        assert (connector["voltage"], connector["amperage"]) == (230, 32)
        assert connector["tariff_id"] == "T1"
        assert [e["status"] for e in got["evses"]] == ["AVAILABLE", "AVAILABLE"]

        # Quirk: extrawest requires a Connector's tariff_id (optional in 2.1.1, "?"); it
        # refuses a Location without one with HTTP 422 and no OCPI envelope. ocpikit sends
        # what 2.1.1 allows (no tariff_id), gives that message up (DEAD) at once and goes on.
        free = factories.location("LOC2", last_updated=now(), evses=1)
        free["evses"][0]["connectors"][0].pop("tariff_ids")
        await locations.save_local(node.db, Location.model_validate(free))
        dead = await _dead(node, "locations:NL:CPO:LOC2:")
        assert dead.attempts == 1 and "HTTP 422" in (dead.last_error or ""), dead

        # An EVSE status change goes as a 2.1.1 PATCH of that EVSE.
        uid = location.evses[0].uid
        key = ObjectKey("locations", "NL", "CPO", "LOC1")
        patch = EvsePatch.model_validate({"status": "CHARGING", "last_updated": now()})
        await locations.patch_local_evse(node.db, key, uid, patch)

        def charging(state: dict[str, Any]) -> Any:
            got = received_object(state, "locations", "LOC1") or {"evses": []}
            return any(e["uid"] == uid and e["status"] == "CHARGING" for e in got["evses"])

        await wait_for(xw, charging)
        calls = [r for r in xw.requests() if "/locations/" in r["path"]]
        sent = [(r["method"], r["path"]) for r in calls]
        assert ("PUT", "/ocpi/emsp/2.1.1/locations/NL/CPO/LOC1") in sent
        assert ("PATCH", f"/ocpi/emsp/2.1.1/locations/NL/CPO/LOC1/{uid}") in sent
        # 2.1.1: the token goes plain.
        assert {r["authorization"] for r in calls} == {f"Token {peer.token_out}"}

        warning = await unregister_peer(node.db, node.client, peer)
        assert warning is None
        assert xw.state()["registrations"] == []


# ---- extrawest as a client of ocpikit: its own push ------------------------------------------


async def test_extrawest_211_cpo_pushes_to_ocpikit_emsp(
    databases: Databases, extrawest: StartExtrawest
) -> None:
    xw = extrawest("CPO", version=V211)
    async with ocpikit_node(databases, ("DE", "MSP", "EMSP")) as node:
        peer = await _register(node, xw)
        [registration] = xw.state()["registrations"]
        token_b = registration["credentials"]["token"]
        versions = await node.client.get(
            registration["credentials"]["url"], headers=node.auth(token_b, "plain")
        )
        [details_url] = [v["url"] for v in versions.json()["data"] if v["version"] == V211]
        push = {
            "module_id": "locations",
            "object_id": "LOC1",
            "receivers": [{"endpoints_url": details_url, "auth_token": token_b}],
        }
        # extrawest calls this node back while we wait: an async call, not to block its loop.
        reply = await node.client.post(
            f"{xw.url}/push/2.1.1",
            json=push,
            headers={"Authorization": f"Token {peer.token_out}"},
        )
        assert reply.status_code == 200, reply.text
        [answer] = reply.json()["receiver_responses"]
        # As in 2.2.1, extrawest appends "{CC}/{PARTY}/{id}" to the endpoint URL without a
        # slash (.../DE/MSP/locationsNL/XWC/LOC1): a 404 from ocpikit, whose endpoint URLs do
        # not end with "/". Not copied: the URL it builds is not one the spec allows.
        ours = {e["identifier"]: e["url"] for e in registration["endpoints"]["endpoints"]}
        assert ours["locations"] == f"{node.url}/ocpi/2.1.1/DE/MSP/locations"
        assert answer["status_code"] == 404
        async with node.db.connect() as conn:
            assert await ObjectStore(conn).get(ObjectKey("locations", *XW_PARTY, "LOC1")) is None
