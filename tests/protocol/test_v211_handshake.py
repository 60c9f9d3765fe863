"""OCPI 2.1.1 beside 2.2.1: versions, version details and the credentials handshake.

Real ocpikit nodes on loopback; ``versions=`` restricts what a node offers, so two nodes can
share 2.1.1 alone.
"""

from __future__ import annotations

import pytest

from ocpikit.modules.credentials.service import register_with_peer, update_with_peer
from ocpikit.storage.repositories import Peer, PeerRepository
from tests.support import Databases, RunningNode, running_node
from tests.versions import details_path, ocpi_path

pytestmark = pytest.mark.e2e

V211 = ["2.1.1"]


async def _peers(node: RunningNode) -> list[Peer]:
    async with node.db.connect() as conn:
        return await PeerRepository(conn).list()


async def test_versions_list_2_1_1_per_party_and_its_details_have_no_roles(
    databases: Databases,
) -> None:
    parties = [("NL", "CPO", "CPO"), ("NL", "MSP", "EMSP")]
    async with running_node(await databases.new(), parties) as node:
        token = await node.token_a()
        versions = (await node.client.get("/ocpi/versions", headers=node.auth(token))).json()
        assert versions["data"] == [
            {"version": "2.2.1", "url": f"{node.url}{details_path('2.2.1')}"},
            {"version": "2.1.1", "url": f"{node.url}/ocpi/2.1.1/NL/CPO"},
        ]
        # Each party has its own versions URL for 2.1.1 peers (one party per credentials).
        r = await node.client.get("/ocpi/NL/MSP/versions", headers=node.auth(token, "plain"))
        assert r.json()["data"][1] == {
            "version": "2.1.1",
            "url": f"{node.url}/ocpi/2.1.1/NL/MSP",
        }
        assert (
            await node.client.get("/ocpi/XX/YYY/versions", headers=node.auth(token))
        ).status_code == 404
        for party in ("NL/CPO", "NL/MSP"):
            r = await node.client.get(f"/ocpi/2.1.1/{party}", headers=node.auth(token))
            details = r.json()["data"]
            assert details["version"] == "2.1.1"
            assert all(set(e) == {"identifier", "url"} for e in details["endpoints"])
            ids = {e["identifier"] for e in details["endpoints"]}
            assert "credentials" in ids
            assert not ids & {"chargingprofiles", "hubclientinfo"}
            assert all(
                e["url"].startswith(f"{node.url}/ocpi/2.1.1/{party}/") for e in details["endpoints"]
            )
        # 2.2.1 details keep roles, and the node-wide 2.1.1 details are the first party's.
        r = await node.client.get(details_path("2.2.1"), headers=node.auth(token))
        assert all("role" in e for e in r.json()["data"]["endpoints"])
        first = await node.client.get("/ocpi/2.1.1", headers=node.auth(token))
        same = await node.client.get("/ocpi/2.1.1/NL/CPO", headers=node.auth(token))
        assert first.json()["data"] == same.json()["data"]


async def test_two_nodes_sharing_only_2_1_1_register_with_one_party_each(
    databases: Databases,
) -> None:
    async with (
        running_node(await databases.new(), [("NL", "CPO", "CPO")], versions=V211) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp,
    ):
        peer = await register_with_peer(
            emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
        )
        assert peer.version == "2.1.1"
        assert peer.local_party == ("DE", "MSP")
        # The CPO's role comes from our side of the connection: 2.1.1 credentials have none.
        assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("CPO", "NL", "CPO")]
        assert peer.endpoint("credentials", "SENDER") == f"{cpo.url}/ocpi/2.1.1/NL/CPO/credentials"

        [cpo_side] = await _peers(cpo)
        assert cpo_side.version == "2.1.1"
        assert cpo_side.local_party == ("NL", "CPO")
        assert [(r.role, r.country_code, r.party_id) for r in cpo_side.roles] == [
            ("EMSP", "DE", "MSP")
        ]
        # The eMSP gave its party's own versions URL; its endpoints got roles from its role.
        assert cpo_side.versions_url == f"{emsp.url}/ocpi/DE/MSP/versions"
        assert (
            cpo_side.endpoint("credentials", "SENDER")
            == f"{emsp.url}/ocpi/2.1.1/DE/MSP/credentials"
        )
        # A 2.1.1 Credentials object names one party and no roles.
        assert peer.token_out
        r = await cpo.client.get(
            "/ocpi/2.1.1/NL/CPO/credentials", headers=cpo.auth(peer.token_out, "plain")
        )
        body = r.json()["data"]
        assert set(body) == {"token", "url", "business_details", "party_id", "country_code"}
        assert (body["country_code"], body["party_id"]) == ("NL", "CPO")
        assert body["url"] == f"{cpo.url}/ocpi/NL/CPO/versions"


async def test_a_2_1_1_peer_moves_to_2_2_1_by_a_credentials_update(databases: Databases) -> None:
    emsp_db = await databases.new()
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")]) as cpo:
        async with running_node(emsp_db, [("DE", "MSP", "EMSP")], versions=V211) as emsp:
            peer = await register_with_peer(
                emsp.db,
                emsp.client,
                versions_url=cpo.versions_url,
                token_a=await cpo.token_a(),
                versions=V211,
            )
            port = int(emsp.url.rsplit(":", 1)[1])
        assert peer.version == "2.1.1"
        assert [p.version for p in await _peers(cpo)] == ["2.1.1"]
        # The eMSP upgrades: the same node, now offering 2.2.1 too, updates its registration.
        async with running_node(emsp_db, [("DE", "MSP", "EMSP")], port=port) as emsp:
            moved = await update_with_peer(emsp.db, emsp.client, peer)
            assert moved.version == "2.2.1"
            assert moved.local_party is None
            assert moved.endpoint("locations", "SENDER") == cpo.url + ocpi_path(
                "2.2.1", "locations", "SENDER"
            )
            [cpo_side] = await _peers(cpo)
            assert cpo_side.version == "2.2.1"
            assert cpo_side.local_party is None
            assert cpo_side.endpoint("tokens", "SENDER") == emsp.url + ocpi_path(
                "2.2.1", "tokens", "SENDER"
            )


async def test_2_1_1_credentials_with_a_bad_field_are_2001(databases: Databases) -> None:
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")]) as cpo:
        token = await cpo.token_a()
        body = {"token": "abc", "url": "http://127.0.0.1:1/versions", "party_id": "TOOLONG"}
        r = await cpo.client.post(
            "/ocpi/2.1.1/NL/CPO/credentials", json=body, headers=cpo.auth(token, "plain")
        )
        assert r.status_code == 200
        assert r.json()["status_code"] == 2001
        assert "party_id" in r.json()["status_message"]
        assert "business_details" in r.json()["status_message"]


async def test_a_2_1_1_platform_registers_once_for_each_of_our_parties(
    databases: Databases,
) -> None:
    """One party per 2.1.1 connection: a platform that is CPO and eMSP (DE:ABC) connects to
    both of our parties with two registrations, both accepted (same platform)."""
    ours = [("NL", "CPO", "CPO"), ("NL", "MSP", "EMSP")]
    theirs = [("DE", "ABC", "EMSP"), ("DE", "ABC", "CPO")]
    async with (
        running_node(await databases.new(), ours) as node,
        running_node(await databases.new(), theirs, versions=V211) as other,
    ):
        for party in ("NL/CPO", "NL/MSP"):
            peer = await register_with_peer(
                other.db,
                other.client,
                versions_url=f"{node.url}/ocpi/{party}/versions",
                token_a=await node.token_a(),
                versions=V211,
            )
            assert peer.version == "2.1.1"
        held = sorted(
            (p.local_party, r.role, r.country_code, r.party_id)
            for p in await _peers(node)
            for r in p.roles
        )
        assert held == [
            (("NL", "CPO"), "EMSP", "DE", "ABC"),
            (("NL", "MSP"), "CPO", "DE", "ABC"),
        ]
