"""Credentials handshake in both directions, through real HTTP and real databases."""

from __future__ import annotations

import pytest

from ocpikit.modules.credentials.service import (
    HandshakeError,
    register_with_peer,
    update_with_peer,
)
from ocpikit.storage.repositories import PeerRepository
from tests.fake_peer import fake_peer
from tests.support import RunningNode
from tests.versions import details_path, ocpi_path

BUSINESS = {"name": "Fake"}
# 2.2.1 here (roles in the credentials, the fake peer's version); the 2.1.1 handshake, per
# party, is tested in tests/protocol/test_v211_handshake.py.
CREDENTIALS = ocpi_path("2.2.1", "credentials")
DETAILS = details_path("2.2.1")


def credentials_body(token: str, url: str, cc: str = "FR", pid: str = "FAK", role: str = "EMSP"):
    return {
        "token": token,
        "url": url,
        "roles": [
            {"role": role, "business_details": BUSINESS, "party_id": pid, "country_code": cc}
        ],
    }


async def peers_of(node: RunningNode):
    async with node.db.connect() as conn:
        return await PeerRepository(conn).list(include_unregistered=True)


async def test_registration_stores_both_sides_and_token_a_dies(cpo: RunningNode, emsp: RunningNode):
    token_a = await cpo.token_a()
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=token_a
    )
    assert peer.status == "REGISTERED"
    assert peer.version == "2.2.1"
    assert [(r.role, r.country_code, r.party_id) for r in peer.roles] == [("CPO", "NL", "CPO")]
    assert peer.token_out and peer.token_out != token_a

    [cpo_side] = await peers_of(cpo)
    assert cpo_side.status == "REGISTERED"
    assert [(r.role, r.country_code, r.party_id) for r in cpo_side.roles] == [("EMSP", "DE", "MSP")]
    assert cpo_side.endpoint("credentials") == f"{emsp.url}{CREDENTIALS}"

    # Token A may no longer be used, anywhere (CRED-16, CRED-18).
    for path in ("/ocpi/versions", DETAILS, CREDENTIALS):
        r = await cpo.client.get(path, headers=cpo.auth(token_a))
        assert r.status_code == 401, path
    # Token C works; token B works the other way.
    assert (
        await cpo.client.get("/ocpi/versions", headers=cpo.auth(peer.token_out))
    ).status_code == 200
    assert cpo_side.token_out
    r = await emsp.client.get(CREDENTIALS, headers=emsp.auth(cpo_side.token_out))
    assert r.json()["data"]["roles"][0]["party_id"] == "MSP"
    assert r.json()["data"]["url"] == emsp.versions_url


async def test_second_post_with_token_c_is_405(cpo: RunningNode, emsp: RunningNode):
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )
    assert peer.token_out
    r = await cpo.client.post(
        CREDENTIALS,
        json=credentials_body("x" * 20, emsp.versions_url, "DE", "MSP"),
        headers=cpo.auth(peer.token_out),
    )
    assert r.status_code == 405
    assert r.json()["status_code"] == 2000


async def test_put_and_delete_with_token_a_are_405(cpo: RunningNode):
    token_a = await cpo.token_a()
    body = credentials_body("t" * 20, "http://127.0.0.1:1/versions")
    r = await cpo.client.put(CREDENTIALS, json=body, headers=cpo.auth(token_a))
    assert r.status_code == 405
    r = await cpo.client.delete(CREDENTIALS, headers=cpo.auth(token_a))
    assert r.status_code == 405


async def test_update_rotates_tokens_on_both_sides(cpo: RunningNode, emsp: RunningNode):
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )
    [cpo_side] = await peers_of(cpo)
    old_c, old_b = peer.token_out, cpo_side.token_out
    assert old_c and old_b
    updated = await update_with_peer(emsp.db, emsp.client, peer)
    [cpo_after] = await peers_of(cpo)
    assert updated.token_out not in (None, old_c)
    assert cpo_after.token_out not in (None, old_b)
    assert (await cpo.client.get("/ocpi/versions", headers=cpo.auth(old_c))).status_code == 401
    assert (await emsp.client.get("/ocpi/versions", headers=emsp.auth(old_b))).status_code == 401
    assert updated.token_out and cpo_after.token_out
    assert (
        await cpo.client.get("/ocpi/versions", headers=cpo.auth(updated.token_out))
    ).status_code == 200
    assert (
        await emsp.client.get("/ocpi/versions", headers=emsp.auth(cpo_after.token_out))
    ).status_code == 200


async def test_delete_unregisters_and_revokes_at_once(cpo: RunningNode, emsp: RunningNode):
    peer = await register_with_peer(
        emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
    )
    assert peer.token_out
    r = await cpo.client.delete(CREDENTIALS, headers=cpo.auth(peer.token_out))
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    assert (
        await cpo.client.get("/ocpi/versions", headers=cpo.auth(peer.token_out))
    ).status_code == 401
    [cpo_side] = await peers_of(cpo)
    assert cpo_side.status == "UNREGISTERED" and cpo_side.roles == ()


async def test_unreachable_peer_api_is_3001_and_token_a_survives(cpo: RunningNode):
    token_a = await cpo.token_a()
    r = await cpo.client.post(
        CREDENTIALS,
        json=credentials_body("peer-token-b", "http://127.0.0.1:9/versions"),
        headers=cpo.auth(token_a),
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 3001
    assert await peers_of(cpo) == []
    assert (await cpo.client.get("/ocpi/versions", headers=cpo.auth(token_a))).status_code == 200


async def test_peer_without_common_version_is_3002(cpo: RunningNode):
    async with fake_peer(versions=["2.1.1"]) as peer:
        r = await cpo.client.post(
            CREDENTIALS,
            json=credentials_body(peer.token, peer.versions_url),
            headers=cpo.auth(await cpo.token_a()),
        )
    assert r.json()["status_code"] == 3002
    assert await peers_of(cpo) == []


async def test_peer_without_credentials_endpoint_is_3003(cpo: RunningNode):
    async with fake_peer(modules=["locations"]) as peer:
        r = await cpo.client.post(
            CREDENTIALS,
            json=credentials_body(peer.token, peer.versions_url),
            headers=cpo.auth(await cpo.token_a()),
        )
    assert r.json()["status_code"] == 3003


async def test_peer_answering_garbage_is_3001(cpo: RunningNode):
    async with fake_peer(
        versions_body=b"<faultstring>String index out of range</faultstring>"
    ) as peer:
        r = await cpo.client.post(
            CREDENTIALS,
            json=credentials_body(peer.token, peer.versions_url),
            headers=cpo.auth(await cpo.token_a()),
        )
    assert r.json()["status_code"] == 3001


async def test_peer_that_wants_plain_tokens_is_called_plain(cpo: RunningNode):
    async with fake_peer(plain_only=True) as peer:
        r = await cpo.client.post(
            CREDENTIALS,
            json=credentials_body(peer.token, peer.versions_url),
            headers=cpo.auth(await cpo.token_a()),
        )
        assert r.json()["status_code"] == 1000
        assert peer.calls[-1][2] == f"Token {peer.token}"
    [stored] = await peers_of(cpo)
    assert stored.token_encoding == "plain"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://x/versions", "roles": []}, "token"),
        ({"token": "a" * 65, "url": "http://x/v", "roles": [{}]}, "token"),
        ({"token": "has space", "url": "http://x/v", "roles": [{}]}, "token"),
        ({"token": "abc", "url": "http://x/v", "roles": []}, "roles"),
        (
            {
                "token": "abc",
                "url": "http://x/v",
                "roles": [
                    {
                        "role": "KING",
                        "business_details": BUSINESS,
                        "party_id": "AB1",
                        "country_code": "NL",
                    }
                ],
            },
            "roles.0.role",
        ),
        (
            {
                "token": "abc",
                "url": "http://x/v",
                "roles": [
                    {
                        "role": "CPO",
                        "business_details": BUSINESS,
                        "party_id": "ABCD",
                        "country_code": "NL",
                    }
                ],
            },
            "roles.0.party_id",
        ),
    ],
)
async def test_invalid_credentials_body_is_2001_naming_the_field(
    cpo: RunningNode, body: dict, field: str
):
    token_a = await cpo.token_a()
    r = await cpo.client.post(CREDENTIALS, json=body, headers=cpo.auth(token_a))
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]
    assert (await cpo.client.get("/ocpi/versions", headers=cpo.auth(token_a))).status_code == 200


async def test_non_json_credentials_body_is_400(cpo: RunningNode):
    r = await cpo.client.post(
        CREDENTIALS,
        content=b"token=abc",
        headers={**cpo.auth(await cpo.token_a()), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["status_code"] == 2001


async def test_peer_may_not_claim_this_nodes_party(cpo: RunningNode):
    async with fake_peer() as peer:
        r = await cpo.client.post(
            CREDENTIALS,
            json=credentials_body(peer.token, peer.versions_url, "NL", "CPO", "CPO"),
            headers=cpo.auth(await cpo.token_a()),
        )
    assert r.json()["status_code"] == 2001
    assert await peers_of(cpo) == []


async def test_initiator_reports_a_clear_error_and_keeps_nothing(emsp: RunningNode):
    with pytest.raises(HandshakeError, match="cannot register"):
        await register_with_peer(
            emsp.db, emsp.client, versions_url="http://127.0.0.1:9/versions", token_a="whatever"
        )
    assert await peers_of(emsp) == []


async def test_initiator_with_a_wrong_token_a_reports_it(cpo: RunningNode, emsp: RunningNode):
    with pytest.raises(HandshakeError, match="401"):
        await register_with_peer(
            emsp.db, emsp.client, versions_url=cpo.versions_url, token_a="not-issued"
        )
    assert await peers_of(emsp) == []
