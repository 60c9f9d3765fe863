"""Tokens, Sender (with real-time authorization) and Receiver, through real HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from ocpikit.errors import NotFound
from ocpikit.modules.tokens import authorize, service
from ocpikit.protocol.v221.tokens import LocationReferences, Token, TokenPatch, TokenType
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectStore
from ocpikit.storage.schema import outbox
from tests import factories
from tests.support import Pair, RunningNode, writers_held
from tests.versions import VERSIONS


def sender(pair: Pair) -> str:
    return pair.emsp_url("tokens", "SENDER")


def receiver(pair: Pair) -> str:
    return pair.cpo_url("tokens", "RECEIVER")


async def save(node: RunningNode, **kwargs) -> Token:
    token = Token.model_validate(factories.token(**kwargs))
    await service.save_local(node.db, token)
    return token


async def seed(node: RunningNode, count: int) -> None:
    for i in range(count):
        await save(node, uid=f"UID{i:03d}", last_updated=f"2026-01-{1 + i % 28:02d}T00:00:00Z")


async def stored(
    node: RunningNode, uid: str, type: str = "RFID", cc: str = "DE", pid: str = "MSP"
) -> dict | None:
    async with node.db.connect() as conn:
        obj = await ObjectStore(conn).get(service.key_of(cc, pid, uid, TokenType(type)))
    return obj.parsed() if obj else None


async def outbox_rows(node: RunningNode) -> list:
    async with node.db.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def events(node: RunningNode) -> list:
    async with node.db.connect() as conn:
        return await EventLog(conn).after(0)


async def put_at_cpo(pair: Pair, uid: str = "012345678", query: str = "", **kwargs):
    """PUT a factory Token, in the pair's version, to the CPO's Receiver."""
    body = pair.wire("tokens", factories.token(uid, **kwargs))
    return await pair.cpo.client.put(
        f"{receiver(pair)}/DE/MSP/{uid}{query}", json=body, headers=pair.cpo_headers()
    )


# ---- Sender: list -------------------------------------------------------------------------


async def test_version_details_list_tokens_by_role(vpair: Pair):
    emsp_side = {
        "identifier": "tokens",
        "role": "SENDER",
        "url": f"{vpair.emsp.url}{sender(vpair)}",
    }
    cpo_side = {
        "identifier": "tokens",
        "role": "RECEIVER",
        "url": f"{vpair.cpo.url}{receiver(vpair)}",
    }
    if not vpair.profile.endpoints_have_role:  # 2.1.1: the party's role says which it is
        del emsp_side["role"], cpo_side["role"]
    r = await vpair.emsp.client.get(vpair.emsp_details(), headers=vpair.emsp_headers())
    assert emsp_side in r.json()["data"]["endpoints"]
    r = await vpair.cpo.client.get(vpair.cpo_details(), headers=vpair.cpo_headers())
    assert cpo_side in r.json()["data"]["endpoints"]


async def test_sender_pages_follow_links_to_every_token(vpair: Pair):
    await seed(vpair.emsp, 5)
    url, seen = f"{sender(vpair)}?limit=2", []
    while url:
        r = await vpair.emsp.client.get(url, headers=vpair.emsp_headers())
        assert r.status_code == 200 and r.json()["status_code"] == 1000
        assert r.headers["X-Total-Count"] == "5"
        assert r.headers["X-Limit"] == "2"
        seen += [t["uid"] for t in r.json()["data"]]
        link = r.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")] if link else ""
    assert seen == [f"UID{i:03d}" for i in range(5)]


async def test_sender_date_filters_are_inclusive_from_and_exclusive_to(vpair: Pair):
    await seed(vpair.emsp, 5)  # last_updated 2026-01-01 .. 2026-01-05
    r = await vpair.emsp.client.get(
        f"{sender(vpair)}?date_from=2026-01-02T00:00:00Z&date_to=2026-01-04T00:00:00Z",
        headers=vpair.emsp_headers(),
    )
    assert [t["uid"] for t in r.json()["data"]] == ["UID001", "UID002"]
    assert r.headers["X-Total-Count"] == "2"


async def test_same_uid_with_two_types_are_two_tokens(vpair: Pair):
    await save(vpair.emsp, uid="U1")
    await save(vpair.emsp, uid="U1", type="APP_USER", whitelist="NEVER")
    r = await vpair.emsp.client.get(sender(vpair), headers=vpair.emsp_headers())
    app_user = "OTHER" if vpair.version == "2.1.1" else "APP_USER"  # 2.1.1: RFID or OTHER
    assert [(t["uid"], t["type"]) for t in r.json()["data"]] == [
        ("U1", "RFID"),
        ("U1", app_user),
    ]


# ---- Local writes queue pushes ------------------------------------------------------------


async def test_save_local_queues_a_put_for_the_registered_cpo(pair: Pair):
    await save(pair.emsp, uid="U1", type="APP_USER")
    [row] = await outbox_rows(pair.emsp)
    assert (row.module, row.method, row.path) == ("tokens", "PUT", "/DE/MSP/U1?type=APP_USER")
    assert (row.to_country_code, row.to_party_id) == ("NL", "CPO")
    assert '"uid":"U1"' in row.body


async def test_patch_local_stores_and_queues_only_the_sent_fields(pair: Pair):
    await save(pair.emsp, uid="U1")
    key = service.key_of("DE", "MSP", "U1")
    patch = TokenPatch.model_validate({"valid": False, "last_updated": "2026-02-01T00:00:00Z"})
    result = await service.patch_local(pair.emsp.db, key, patch)
    assert result.outcome == "updated"
    t = await stored(pair.emsp, "U1")
    assert t is not None and t["valid"] is False and t["issuer"] == "ocpikit test eMSP"
    row = (await outbox_rows(pair.emsp))[-1]
    assert (row.method, row.path) == ("PATCH", "/DE/MSP/U1?type=RFID")
    assert json.loads(row.body) == {"valid": False, "last_updated": "2026-02-01T00:00:00Z"}


async def test_stale_local_patch_is_neither_stored_nor_pushed(pair: Pair):
    await save(pair.emsp, uid="U1", last_updated="2026-03-01T00:00:00Z")
    key = service.key_of("DE", "MSP", "U1")
    patch = TokenPatch.model_validate({"valid": False, "last_updated": "2026-02-01T00:00:00Z"})
    result = await service.patch_local(pair.emsp.db, key, patch)
    assert result.outcome == "stale"
    assert len(await outbox_rows(pair.emsp)) == 1
    t = await stored(pair.emsp, "U1")
    assert t is not None and t["valid"] is True


async def test_patch_local_of_an_unknown_token_raises(pair: Pair):
    patch = TokenPatch.model_validate({"valid": False, "last_updated": "2026-02-01T00:00:00Z"})
    with pytest.raises(NotFound):
        await service.patch_local(pair.emsp.db, service.key_of("DE", "MSP", "NOPE"), patch)
    assert await outbox_rows(pair.emsp) == []


# ---- Sender: real-time authorization ------------------------------------------------------


async def test_authorize_without_body_allows_a_valid_token(vpair: Pair):
    token = await save(vpair.emsp, uid="U1")
    r = await vpair.emsp.client.post(f"{sender(vpair)}/u1/authorize", headers=vpair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    info = r.json()["data"]
    assert info["allowed"] == "ALLOWED"
    assert "location" not in info
    [event] = await _authorized_events(vpair.emsp)
    if vpair.version == "2.1.1":  # a 2.1.1 AuthorizationInfo has neither
        assert "token" not in info and "authorization_reference" not in info
        assert "OCPI-to-party-id" not in r.headers
        return
    assert info["token"] == token.to_wire()
    assert 1 <= len(info["authorization_reference"]) <= 36
    assert r.headers["OCPI-to-party-id"] == "CPO"
    assert event.data["authorization_reference"] == info["authorization_reference"]


async def test_authorize_answers_while_writers_wait_and_records_the_event_after(pair: Pair):
    """Issue 8, item 8: a driver waits at the charger; the answer does not queue behind writes."""
    await save(pair.emsp, uid="U1")
    sender_url = pair.emsp_url("tokens", "SENDER")
    async with writers_held(pair.emsp.database_url):
        r = await asyncio.wait_for(
            pair.emsp.client.post(f"{sender_url}/U1/authorize", headers=pair.emsp_headers()), 5
        )
        assert r.json()["data"]["allowed"] == "ALLOWED"
    reference = r.json()["data"]["authorization_reference"]
    found = await _authorized_events(pair.emsp)
    assert [e.data["authorization_reference"] for e in found] == [reference]


async def _authorized_events(node: RunningNode) -> list:
    """The token.authorized events, written just after the answer (off its path)."""
    found: list = []
    for _ in range(100):
        found = [e for e in await events(node) if e.kind == "token.authorized"]
        if found:
            break
        await asyncio.sleep(0.05)
    return found


async def test_authorize_echoes_the_location_references(vpair: Pair):
    await save(vpair.emsp, uid="U1")
    refs = {"location_id": "LOC1", "evse_uids": ["LOC1-1", "LOC1-2"]}
    query = "?type=RFID" if vpair.version != "2.1.1" else ""  # 2.1.1 has no type parameter
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize{query}", json=refs, headers=vpair.emsp_headers()
    )
    info = r.json()["data"]
    assert info["allowed"] == "ALLOWED"
    assert info["location"] == refs
    if vpair.version == "2.1.1":  # no authorization_reference to tell two answers apart
        assert "authorization_reference" not in info
        return
    r2 = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize", json=refs, headers=vpair.emsp_headers()
    )
    assert r2.json()["data"]["authorization_reference"] != info["authorization_reference"]


async def test_authorize_blocks_an_invalid_token(vpair: Pair):
    await save(vpair.emsp, uid="U1", valid=False)
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize",
        json={"location_id": "LOC1"},
        headers=vpair.emsp_headers(),
    )
    assert r.status_code == 200
    info = r.json()["data"]
    assert info["allowed"] == "BLOCKED"
    if vpair.version == "2.1.1":
        assert "token" not in info  # 2.1.1 sends no Token back
    else:
        assert info["token"]["valid"] is False
    assert "authorization_reference" not in info and "location" not in info


async def test_authorize_an_unknown_token_is_404_2004_without_data(vpair: Pair):
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/NOPE/authorize", headers=vpair.emsp_headers()
    )
    assert r.status_code == 404
    assert r.json()["status_code"] == 2004
    assert "data" not in r.json()


@pytest.mark.parametrize("profile", ["2.2.1"], indirect=True)
async def test_authorize_an_unknown_type_of_a_known_uid_is_404_2004(vpair: Pair):
    # 2.2.1 only: a token is its uid and its type (the ?type= parameter).
    await save(vpair.emsp, uid="U1", type="APP_USER")
    r = await vpair.emsp.client.post(f"{sender(vpair)}/U1/authorize", headers=vpair.emsp_headers())
    assert r.status_code == 404  # U1 RFID is unknown
    assert r.json()["status_code"] == 2004
    assert "data" not in r.json()
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize?type=APP_USER", headers=vpair.emsp_headers()
    )
    assert r.json()["data"]["allowed"] == "ALLOWED"


async def test_authorize_with_json_null_body_is_no_location(vpair: Pair):
    await save(vpair.emsp, uid="U1")
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize",
        content=b"null",
        headers={**vpair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.json()["data"]["allowed"] == "ALLOWED"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"evse_uids": ["E1"]}, "location_id"),
        ({"location_id": "L" * 37}, "location_id"),
        ({"location_id": "LOC1", "evse_uids": "E1"}, "evse_uids"),
        ({"location_id": 12}, "location_id"),
        (["LOC1"], "LocationReferences"),
    ],
)
async def test_authorize_with_a_bad_body_is_2001(vpair: Pair, body, field: str):
    await save(vpair.emsp, uid="U1")
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize", json=body, headers=vpair.emsp_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001
    if vpair.version == "2.1.1" and field == "LocationReferences":
        field = "must be a JSON object"  # said before the 2.1.1 model is chosen
    assert field in r.json()["status_message"]
    assert not [e for e in await events(vpair.emsp) if e.kind == "token.authorized"]


@pytest.mark.parametrize("profile", ["2.2.1"], indirect=True)
async def test_authorize_with_an_unknown_type_is_2001(vpair: Pair):
    # 2.2.1 only: 2.1.1 has no type parameter.
    await save(vpair.emsp, uid="U1")
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize?type=rfid", headers=vpair.emsp_headers()
    )
    assert r.json()["status_code"] == 2001
    assert "type" in r.json()["status_message"]


async def test_authorize_with_a_non_json_body_is_400(vpair: Pair):
    await save(vpair.emsp, uid="U1")
    r = await vpair.emsp.client.post(
        f"{sender(vpair)}/U1/authorize",
        content=b"<xml/>",
        headers={**vpair.emsp_headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400


# ---- Receiver -----------------------------------------------------------------------------


async def test_receiver_put_creates_then_replaces_and_get_returns_it(vpair: Pair):
    r = await put_at_cpo(vpair, "U1")
    assert r.status_code == 201 and r.json()["status_code"] == 1000
    if vpair.profile.routing_headers:
        assert r.headers["OCPI-to-party-id"] == "MSP"
    else:
        assert "OCPI-to-party-id" not in r.headers
    query = "?type=RFID" if vpair.version != "2.1.1" else ""  # 2.1.1 has no type parameter
    r = await put_at_cpo(vpair, "U1", query, issuer="Other", last_updated="2026-02-01T00:00:00Z")
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    r = await vpair.cpo.client.get(f"{receiver(vpair)}/de/msp/u1", headers=vpair.cpo_headers())
    assert r.status_code == 200 and r.json()["data"]["issuer"] == "Other"
    if vpair.version != "2.1.1":
        r = await vpair.cpo.client.get(
            f"{receiver(vpair)}/DE/MSP/U1?type=APP_USER", headers=vpair.cpo_headers()
        )
        assert r.status_code == 404
    assert [e.kind for e in await events(vpair.cpo)] == ["token.created", "token.updated"]


async def test_put_without_type_parameter_keys_the_token_by_its_own_type(pair: Pair):
    # 2.2.1 only: the ?type= parameter (2.1.1 has none, and no APP_USER type).
    r = await put_at_cpo(pair, "U1", type="APP_USER", whitelist="NEVER")
    assert r.status_code == 201
    assert await stored(pair.cpo, "U1", "APP_USER") is not None
    assert await stored(pair.cpo, "U1", "RFID") is None
    r = await pair.cpo.client.get(
        f"{receiver(pair)}/DE/MSP/U1?type=APP_USER", headers=pair.cpo_headers()
    )
    assert r.json()["data"]["type"] == "APP_USER"


async def patch_at_cpo(pair: Pair, path: str, patch: dict):
    """PATCH a domain Token patch, in the pair's version, to the CPO's Receiver."""
    return await pair.cpo.client.patch(
        f"{receiver(pair)}{path}",
        json=pair.wire("tokens", patch, patch=True),
        headers=pair.cpo_headers(),
    )


async def test_receiver_patch_changes_only_the_sent_fields(vpair: Pair):
    await put_at_cpo(vpair, "U1")
    patch = {"valid": False, "last_updated": "2026-02-01T00:00:00Z"}
    r = await patch_at_cpo(vpair, "/DE/MSP/U1", patch)
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    t = await stored(vpair.cpo, "U1")
    assert t is not None
    assert t["valid"] is False and t["last_updated"] == "2026-02-01T00:00:00Z"
    assert t["contract_id"] == factories.token("U1")["contract_id"]


async def test_older_put_and_patch_are_accepted_but_keep_the_newer_token(vpair: Pair):
    await put_at_cpo(vpair, "U1", last_updated="2026-05-01T00:00:00Z")
    r = await put_at_cpo(vpair, "U1", issuer="Old", last_updated="2026-04-01T00:00:00Z")
    assert r.status_code == 200 and r.json()["status_code"] == 1000
    patch = {"valid": False, "last_updated": "2026-01-01T00:00:00Z"}
    r = await patch_at_cpo(vpair, "/DE/MSP/U1", patch)
    assert r.json()["status_code"] == 1000
    t = await stored(vpair.cpo, "U1")
    assert t is not None and t["issuer"] == "ocpikit test eMSP" and t["valid"] is True


# Bad PATCH bodies as sent (the mappings would make them valid) and the field the 2001 names.
BAD_PATCHES = [
    ("", {"uid": "OTHER", "last_updated": "2026-06-01T00:00:00Z"}, "uid"),
    ("", {"whitelist": "SOMETIMES", "last_updated": "2026-06-01T00:00:00Z"}, "whitelist"),
    ("", {"visual_number": "x" * 65, "last_updated": "2026-06-01T00:00:00Z"}, "visual_number"),
    ("", {"valid": "false", "last_updated": "2026-06-01T00:00:00Z"}, "valid"),
    ("", {"valid": False, "last_updated": "yesterday"}, "last_updated"),
]
# 2.2.1 only: a PATCH must carry last_updated (2.1.1's need not), and the ?type= parameter.
BAD_PATCHES_221 = [
    ("", {"valid": False}, "last_updated"),
    ("?type=RFID", {"type": "APP_USER", "last_updated": "2026-06-01T00:00:00Z"}, "type"),
    ("?type=CARD", {"valid": False, "last_updated": "2026-06-01T00:00:00Z"}, "type"),
]


@pytest.mark.parametrize(
    ("profile", "query", "body", "field"),
    [
        *[(version, *case) for version in VERSIONS for case in BAD_PATCHES],
        *[("2.2.1", *case) for case in BAD_PATCHES_221],
    ],
    indirect=["profile"],
)
async def test_bad_patch_is_2001_naming_the_field_and_stores_nothing(
    vpair: Pair, query: str, body: dict, field: str
):
    await put_at_cpo(vpair, "U1")
    before = await stored(vpair.cpo, "U1")
    r = await vpair.cpo.client.patch(
        f"{receiver(vpair)}/DE/MSP/U1{query}", json=body, headers=vpair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    assert await stored(vpair.cpo, "U1") == before


# Mutations of the wire form; 2.1.1 calls contract_id ``auth_id``.
BAD_PUTS = [
    ("", lambda t: t.pop("contract_id" if "contract_id" in t else "auth_id"), "contract_id"),
    ("", lambda t: t.pop("whitelist"), "whitelist"),
    ("", lambda t: t.update(issuer="x" * 65), "issuer"),
    ("", lambda t: t.update(whitelist="SOMETIMES"), "whitelist"),
    ("", lambda t: t.update(type="CARD"), "type"),
    ("", lambda t: t.update(uid="OTHER"), "uid"),
]
# 2.2.1 only: fields 2.1.1 Tokens lack, and the ?type= parameter.
BAD_PUTS_221 = [
    ("", lambda t: t.update(group_id="G" * 37), "group_id"),
    ("", lambda t: t.update(party_id="ABC"), "party_id"),
    ("?type=APP_USER", lambda t: None, "type"),
    ("", lambda t: t.update(energy_contract={"contract_id": "X"}), "energy_contract"),
]


@pytest.mark.parametrize(
    ("profile", "query", "mutate", "field"),
    [
        *[(version, *case) for version in VERSIONS for case in BAD_PUTS],
        *[("2.2.1", *case) for case in BAD_PUTS_221],
    ],
    indirect=["profile"],
)
async def test_bad_put_is_2001_naming_the_field_and_stores_nothing(
    vpair: Pair, query: str, mutate, field: str
):
    t = vpair.wire("tokens", factories.token("U1"))
    mutate(t)
    if vpair.version == "2.1.1" and field == "contract_id":
        field = "auth_id"
    r = await vpair.cpo.client.put(
        f"{receiver(vpair)}/DE/MSP/U1{query}", json=t, headers=vpair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2001, r.json()
    assert field in r.json()["status_message"]
    async with vpair.cpo.db.connect() as conn:
        assert await ObjectStore(conn).find("tokens", "U1", is_local=None) == []


async def test_patch_of_an_unknown_token_is_404_2004(vpair: Pair):
    patch = {"valid": False, "last_updated": "2026-01-01T00:00:00Z"}
    r = await patch_at_cpo(vpair, "/DE/MSP/NOPE", patch)
    assert r.status_code == 404
    assert r.json()["status_code"] == 2004


async def test_receiver_has_no_delete(vpair: Pair):
    await put_at_cpo(vpair, "U1")
    r = await vpair.cpo.client.delete(f"{receiver(vpair)}/DE/MSP/U1", headers=vpair.cpo_headers())
    assert r.status_code == 405
    assert await stored(vpair.cpo, "U1") is not None


async def test_peer_cannot_write_or_read_under_another_party(vpair: Pair):
    body = vpair.wire("tokens", factories.token("U1", cc="FR", pid="XXX"))
    url = f"{receiver(vpair)}/FR/XXX/U1"
    r = await vpair.cpo.client.put(url, json=body, headers=vpair.cpo_headers())
    assert r.status_code == 404
    assert await stored(vpair.cpo, "U1", cc="FR", pid="XXX") is None
    r = await vpair.cpo.client.get(url, headers=vpair.cpo_headers())
    assert r.status_code == 404
    r = await patch_at_cpo(
        vpair, "/FR/XXX/U1", {"valid": False, "last_updated": "2026-06-01T00:00:00Z"}
    )
    assert r.status_code == 404


async def test_peer_cannot_write_under_the_nodes_own_party(vpair: Pair):
    body = vpair.wire("tokens", factories.token("U1", cc="NL", pid="CPO"))
    r = await vpair.cpo.client.put(
        f"{receiver(vpair)}/NL/CPO/U1", json=body, headers=vpair.cpo_headers()
    )
    assert r.status_code == 404
    assert await stored(vpair.cpo, "U1", cc="NL", pid="CPO") is None


# ---- CPO side: local whitelist decision ---------------------------------------------------


@pytest.mark.parametrize(
    ("whitelist", "valid", "reachable", "expected"),
    [
        ("ALWAYS", True, True, "ALLOWED"),
        ("ALWAYS", False, True, "BLOCKED"),
        ("ALLOWED", True, True, "ALLOWED"),
        ("ALLOWED", False, True, None),
        ("ALLOWED", False, False, "BLOCKED"),
        ("ALLOWED_OFFLINE", True, True, None),
        ("ALLOWED_OFFLINE", True, False, "ALLOWED"),
        ("ALLOWED_OFFLINE", False, False, "BLOCKED"),
        ("NEVER", True, True, None),
        ("NEVER", True, False, None),
    ],
)
async def test_authorize_locally_follows_the_whitelist_type(
    pair: Pair, whitelist: str, valid: bool, reachable: bool, expected: str | None
):
    await put_at_cpo(pair, "U1", whitelist=whitelist, valid=valid)
    refs = LocationReferences(location_id="LOC1", evse_uids=["LOC1-1"])
    info = await authorize.authorize_locally(
        pair.cpo.db, "u1", TokenType.RFID, refs, emsp_reachable=reachable
    )
    if expected is None:
        assert info is None
        return
    assert info is not None
    assert info.allowed == expected
    assert info.token.uid == "U1"
    assert info.authorization_reference is None
    assert info.location == (refs if expected == "ALLOWED" else None)


async def test_authorize_locally_needs_the_token_in_the_cache(pair: Pair):
    await put_at_cpo(pair, "U1", whitelist="ALWAYS")
    db = pair.cpo.db
    assert await authorize.authorize_locally(db, "NOPE", TokenType.RFID, None) is None
    assert await authorize.authorize_locally(db, "U1", TokenType.APP_USER, None) is None
    assert (
        await authorize.authorize_locally(db, "U1", TokenType.RFID, None, party=("FR", "X")) is None
    )
    info = await authorize.authorize_locally(db, "U1", TokenType.RFID, None, party=("de", "msp"))
    assert info is not None and info.allowed == "ALLOWED"
