"""The CPO's authorization decision at a charge point: ``POST /api/charge-point/authorize``.

Two real nodes on loopback (the CPO NL:CPO with simulated charge points, the eMSP DE:MSP),
tokens pushed by the eMSP through its operator API, commands sent by the eMSP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocpikit.errors import UnknownToken
from ocpikit.modules.tokens import service
from ocpikit.modules.tokens.cpo_authorize import DecidedBy, authorize_at_charge_point
from ocpikit.protocol.v221.tokens import AllowedType, LocationReferences, Token, TokenType
from ocpikit.storage.objects import ObjectStore
from tests import factories
from tests.operator.conftest import EMSP_ADMIN, Admin, AdminPair, eventually
from tests.support import Databases, running_node, writers_held

AUTHORIZE = "/charge-point/authorize"
KIND = "token.charge_point_authorization"
_clock = iter(range(1, 10_000))


def _stamp() -> str:
    """A fresh, later ``last_updated`` for each version of a token a test writes."""
    return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_clock))).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


async def push_token(
    pair: AdminPair, uid: str, *, type: str = "RFID", **fields: Any
) -> dict[str, Any]:
    """The eMSP saves a token; wait until its push reached the CPO's cache."""
    body = factories.token(uid, type=type, last_updated=_stamp(), **fields)
    r = await pair.emsp.put(f"/tokens/DE/MSP/{uid}", body, params={"type": type})
    assert r.is_success, r.text

    async def cached() -> bool:
        got = await pair.cpo.get(f"/objects/tokens/DE/MSP/{uid}", params={"type": type})
        return got.status_code == 200 and got.json()["data"]["last_updated"] == body["last_updated"]

    await eventually(cached)
    return body


async def authorize(admin: Admin, uid: str, **fields: Any) -> Any:
    return await admin.post(AUTHORIZE, {"token_uid": uid, "location_id": "LOC1", **fields})


async def emsp_answers(pair: AdminPair) -> int:
    """How many real-time authorization requests the eMSP answered."""
    r = await pair.emsp.get("/events", params={"kind": "token.authorized"})
    return len(r.json()["events"])


async def decisions(admin: Admin) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = (await admin.get("/events", params={"kind": KIND})).json()[
        "events"
    ]
    return events


async def start_session(pair: AdminPair, token: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The eMSP sends START_SESSION to the CPO; the CPO's record of it (direction IN)."""
    r = await pair.emsp.post(
        "/commands",
        {
            "peer": "NL:CPO",
            "type": "START_SESSION",
            "body": {"token": token, "location_id": "LOC1", **fields},
        },
    )
    assert r.status_code == 200, r.text
    [received, *_] = (await pair.cpo.get("/commands", params={"direction": "IN"})).json()
    assert received["command"] == "START_SESSION"
    return dict(received)


@pytest.fixture
async def stocked(admin_pair: AdminPair) -> AdminPair:
    """The CPO has LOC1 (EVSEs LOC1-1, LOC1-2) and tariff T1."""
    assert (await admin_pair.cpo.put("/tariffs/NL/CPO/T1", factories.tariff("T1"))).is_success
    r = await admin_pair.cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.is_success, r.text
    return admin_pair


# ---- 1. the whitelist decides -------------------------------------------------------------


@pytest.mark.parametrize(
    ("whitelist", "valid", "allowed"),
    [("ALWAYS", True, "ALLOWED"), ("ALWAYS", False, "BLOCKED"), ("ALLOWED", True, "ALLOWED")],
)
async def test_whitelist_decides_without_asking_the_emsp(
    stocked: AdminPair, whitelist: str, valid: bool, allowed: str
):
    await push_token(stocked, "CARD1", whitelist=whitelist, valid=valid)
    r = await authorize(stocked.cpo, "card1", evse_uid="LOC1-1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decided_by"] == "whitelist"
    info = body["authorization"]
    assert info["allowed"] == allowed
    assert info["token"]["uid"] == "CARD1" and info["token"]["whitelist"] == whitelist
    assert "authorization_reference" not in info  # the eMSP's to give
    if allowed == "ALLOWED":
        assert info["location"] == {"location_id": "LOC1", "evse_uids": ["LOC1-1"]}
    else:
        assert "location" not in info
    assert await emsp_answers(stocked) == 0
    [event] = await decisions(stocked.cpo)
    assert event["object_id"] == "CARD1"
    assert (event["country_code"], event["party_id"]) == ("DE", "MSP")
    assert event["data"]["outcome"] == "decided"
    assert event["data"]["decided_by"] == "whitelist" and event["data"]["allowed"] == allowed
    assert event["data"]["location_id"] == "LOC1" and event["data"]["evse_uids"] == ["LOC1-1"]


# ---- 2. real-time authorization at the eMSP that owns the token ---------------------------


@pytest.mark.parametrize(
    ("whitelist", "valid", "allowed"),
    [
        ("ALLOWED_OFFLINE", True, "ALLOWED"),
        ("NEVER", True, "ALLOWED"),
        ("NEVER", False, "BLOCKED"),
        ("ALLOWED", False, "BLOCKED"),  # valid=false is asked again: it might have changed
    ],
)
async def test_realtime_when_the_whitelist_requires_it(
    stocked: AdminPair, whitelist: str, valid: bool, allowed: str
):
    await push_token(stocked, "CARD1", whitelist=whitelist, valid=valid)
    r = await authorize(stocked.cpo, "CARD1", evse_uid="LOC1-2")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decided_by"] == "realtime"
    assert body["peer_id"] == stocked.emsp_peer_id
    info = body["authorization"]
    assert info["allowed"] == allowed and info["token"]["uid"] == "CARD1"
    if allowed == "ALLOWED":
        assert info["authorization_reference"]
        assert info["location"] == {"location_id": "LOC1", "evse_uids": ["LOC1-2"]}
    assert await emsp_answers(stocked) == 1
    [event] = await decisions(stocked.cpo)
    assert event["data"]["decided_by"] == "realtime"
    assert event["peer_id"] == stocked.emsp_peer_id
    assert event["data"]["authorization_reference"] == info.get("authorization_reference")


async def test_realtime_learns_what_changed_at_the_emsp(stocked: AdminPair):
    """The cache says valid=false; the eMSP has re-validated the token since."""
    pushed = await push_token(stocked, "CARD1", whitelist="NEVER", valid=False)
    token = Token.model_validate({**pushed, "valid": True, "last_updated": _stamp()})
    async with stocked.emsp.node.db.transaction() as conn:  # changed without a push
        await ObjectStore(conn).put(
            service.key_of("DE", "MSP", "CARD1"),
            token.to_json_bytes(),
            last_updated=token.last_updated,
            is_local=True,
        )
    r = await authorize(stocked.cpo, "CARD1")
    assert r.status_code == 200, r.text
    assert r.json()["decided_by"] == "realtime"
    assert r.json()["authorization"]["allowed"] == "ALLOWED"
    assert r.json()["authorization"]["token"]["valid"] is True


async def test_a_token_not_in_the_cache_is_asked_at_the_named_peer(stocked: AdminPair):
    token = factories.token("NOTPUSHED", whitelist="NEVER")
    async with stocked.emsp.node.db.transaction() as conn:  # known at the eMSP, never pushed
        await ObjectStore(conn).put(
            service.key_of("DE", "MSP", "NOTPUSHED"),
            Token.model_validate(token).to_json_bytes(),
            last_updated=datetime(2026, 1, 1, tzinfo=UTC),
            is_local=True,
        )
    r = await authorize(stocked.cpo, "NOTPUSHED")
    assert r.status_code == 404, r.text
    assert r.json()["detail"].startswith("token_uid:") and "name the eMSP" in r.json()["detail"]
    assert await emsp_answers(stocked) == 0

    r = await authorize(stocked.cpo, "NOTPUSHED", peer="DE:MSP")
    assert r.status_code == 200, r.text
    assert r.json()["decided_by"] == "realtime"
    assert r.json()["authorization"]["allowed"] == "ALLOWED"
    assert await emsp_answers(stocked) == 1


async def test_unknown_token_at_the_emsp_is_404(stocked: AdminPair):
    r = await authorize(stocked.cpo, "NOBODY", peer=str(stocked.emsp_peer_id))
    assert r.status_code == 404, r.text
    detail = r.json()["detail"]
    assert detail.startswith("token_uid:") and "does not know token 'NOBODY'" in detail
    [event] = await decisions(stocked.cpo)
    assert event["data"]["outcome"] == "unknown_token" and event["data"]["allowed"] is None
    assert event["peer_id"] == stocked.emsp_peer_id


# ---- 3. the eMSP is down: offline whitelist, or no decision -------------------------------


@asynccontextmanager
async def emsp_that_stops(databases: Databases, cpo: Admin) -> AsyncIterator[AdminPair]:
    """An eMSP node registered with ``cpo``; it stops when the block ends."""
    async with running_node(
        await databases.new(), [("DE", "MSP", "EMSP")], admin_token="emsp-admin"
    ) as node:
        emsp = Admin(node, EMSP_ADMIN)
        issued = (await cpo.post("/tokens/registration", {"label": "eMSP"})).json()
        registered = await emsp.post(
            "/peers", {"versions_url": issued["versions_url"], "token": issued["token"]}
        )
        assert registered.status_code == 201, registered.text
        [emsp_side] = (await cpo.get("/peers")).json()
        yield AdminPair(
            cpo=cpo, emsp=emsp, cpo_peer_id=registered.json()["id"], emsp_peer_id=emsp_side["id"]
        )


async def test_emsp_down_falls_back_to_the_offline_whitelist(
    admin_cpo: Admin, databases: Databases
):
    async with emsp_that_stops(databases, admin_cpo) as pair:
        await push_token(pair, "OFFLINE-OK", whitelist="ALLOWED_OFFLINE")
        await push_token(pair, "OFFLINE-BLOCKED", whitelist="ALLOWED_OFFLINE", valid=False)
        await push_token(pair, "ALLOWED-INVALID", whitelist="ALLOWED", valid=False)
        await push_token(pair, "NEVER", whitelist="NEVER")
        await push_token(pair, "ALWAYS", whitelist="ALWAYS")
        peer_id = pair.emsp_peer_id
    # the eMSP node is stopped: its port refuses connections

    r = await authorize(admin_cpo, "OFFLINE-OK", evse_uid="LOC1-1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decided_by"] == "offline_whitelist" and body["peer_id"] == peer_id
    assert body["authorization"]["allowed"] == "ALLOWED"
    assert body["authorization"]["location"] == {"location_id": "LOC1", "evse_uids": ["LOC1-1"]}
    assert body["emsp_error"].startswith("DE:MSP: ")

    for uid in ("OFFLINE-BLOCKED", "ALLOWED-INVALID"):
        r = await authorize(admin_cpo, uid)
        assert r.status_code == 200, r.text
        assert r.json()["decided_by"] == "offline_whitelist"
        assert r.json()["authorization"]["allowed"] == "BLOCKED"

    r = await authorize(admin_cpo, "ALWAYS")
    assert r.json()["decided_by"] == "whitelist"

    r = await authorize(admin_cpo, "NEVER")
    assert r.status_code == 502, r.text
    detail = r.json()["detail"]
    assert "needs real-time authorization (whitelist: NEVER)" in detail and "DE:MSP" in detail

    r = await authorize(admin_cpo, "NOT-CACHED", peer=str(peer_id))
    assert r.status_code == 502, r.text
    assert "whitelist: not in the cache" in r.json()["detail"]

    events = await decisions(admin_cpo)
    outcomes = [(e["object_id"], e["data"]["outcome"], e["data"]["decided_by"]) for e in events]
    assert outcomes == [
        ("OFFLINE-OK", "decided", "offline_whitelist"),
        ("OFFLINE-BLOCKED", "decided", "offline_whitelist"),
        ("ALLOWED-INVALID", "decided", "offline_whitelist"),
        ("ALWAYS", "decided", "whitelist"),
        ("NEVER", "no_decision", None),
        ("NOT-CACHED", "no_decision", None),
    ]
    assert events[4]["data"]["emsp_error"].startswith("DE:MSP: ")


async def test_a_token_of_no_registered_peer_is_decided_offline(stocked: AdminPair):
    await push_token(stocked, "OFFLINE-OK", whitelist="ALLOWED_OFFLINE")
    await push_token(stocked, "NEVER", whitelist="NEVER")
    r = await stocked.cpo.delete(f"/peers/{stocked.emsp_peer_id}")
    assert r.status_code == 200, r.text
    r = await authorize(stocked.cpo, "OFFLINE-OK")
    assert r.status_code == 200, r.text
    assert r.json()["decided_by"] == "offline_whitelist"
    assert r.json()["emsp_error"] == "no registered peer owns DE/MSP"
    r = await authorize(stocked.cpo, "NEVER")
    assert r.status_code == 502 and "no registered peer owns DE/MSP" in r.json()["detail"]
    assert await emsp_answers(stocked) == 0


# ---- 4. CMD-06: no real-time authorization within 15 minutes of a command -----------------


async def test_a_recent_start_session_authorizes_the_token_there(stocked: AdminPair):
    await push_token(stocked, "CARD1", whitelist="NEVER")
    token = factories.token("CARD1", whitelist="NEVER", valid=False)  # not checked (CMD-06)
    received = await start_session(
        stocked, token, evse_uid="LOC1-1", authorization_reference="REF-FROM-APP"
    )
    for where in ({"evse_uid": "LOC1-1"}, {}):
        r = await authorize(stocked.cpo, "card1", **where)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["decided_by"] == "recent_command"
        assert body["command_uid"] == received["uid"]
        assert body["peer_id"] == stocked.emsp_peer_id
        info = body["authorization"]
        assert info["allowed"] == "ALLOWED"
        assert info["authorization_reference"] == "REF-FROM-APP"
        assert info["token"] == token
    assert await emsp_answers(stocked) == 0

    # another EVSE of the location, another location, another token type: not that command
    r = await authorize(stocked.cpo, "CARD1", evse_uid="LOC1-2")
    assert r.json()["decided_by"] == "realtime"
    r = await authorize(stocked.cpo, "CARD1", location_id="LOC2")
    assert r.json()["decided_by"] == "realtime"
    assert r.json()["authorization"]["authorization_reference"] != "REF-FROM-APP"
    assert await emsp_answers(stocked) == 2
    r = await authorize(stocked.cpo, "CARD1", token_type="OTHER")
    assert r.status_code == 404, r.text

    events = await decisions(stocked.cpo)
    assert [e["data"]["decided_by"] for e in events][:2] == ["recent_command"] * 2
    assert events[0]["data"]["command_uid"] == received["uid"]
    assert events[0]["data"]["authorization_reference"] == "REF-FROM-APP"


async def test_a_command_without_evse_covers_every_evse_of_the_location(stocked: AdminPair):
    await push_token(stocked, "CARD1", whitelist="NEVER")
    await start_session(stocked, factories.token("CARD1", whitelist="NEVER"))
    r = await authorize(stocked.cpo, "CARD1", evse_uid="LOC1-2")
    assert r.json()["decided_by"] == "recent_command"
    assert "authorization_reference" not in r.json()["authorization"]


async def test_the_command_rule_ends_after_15_minutes(stocked: AdminPair):
    await push_token(stocked, "CARD1", whitelist="NEVER")
    await start_session(
        stocked,
        factories.token("CARD1", whitelist="NEVER"),
        evse_uid="LOC1-1",
        authorization_reference="REF-FROM-APP",
    )
    node = stocked.cpo.node
    # The node's own services, on the CPO's database, with the clock moved on.
    from ocpikit.config import Settings
    from ocpikit.node import Node

    cpo = Node(settings=Settings(database_url=node.database_url), db=node.db)
    where = LocationReferences(location_id="LOC1", evse_uids=["LOC1-1"])
    now = datetime.now(UTC)
    try:
        within = await authorize_at_charge_point(
            cpo, "CARD1", TokenType.RFID, where, now=now + timedelta(minutes=14)
        )
        assert within.decided_by is DecidedBy.RECENT_COMMAND
        after = await authorize_at_charge_point(
            cpo, "CARD1", TokenType.RFID, where, now=now + timedelta(minutes=16)
        )
        assert after.decided_by is DecidedBy.REALTIME
        assert after.info.allowed is AllowedType.ALLOWED
        assert after.info.authorization_reference != "REF-FROM-APP"
        shorter = await authorize_at_charge_point(
            cpo, "CARD1", TokenType.RFID, where, window=timedelta(seconds=0)
        )
        assert shorter.decided_by is DecidedBy.REALTIME
    finally:
        await cpo.events.close()
        await cpo.http.aclose()
    assert await emsp_answers(stocked) == 2


async def test_a_command_the_cpo_did_not_accept_does_not_count(stocked: AdminPair):
    await push_token(stocked, "CARD1", whitelist="NEVER")
    received = await start_session(
        stocked, factories.token("CARD1", whitelist="NEVER"), evse_uid="NOPE"
    )
    assert received["status"] == "CLOSED"  # REJECTED: no such EVSE
    r = await authorize(stocked.cpo, "CARD1")
    assert r.json()["decided_by"] == "realtime"


# ---- AD_HOC_USER / APP_USER: never real-time ----------------------------------------------


async def test_app_user_tokens_are_authorized_by_commands_only(stocked: AdminPair):
    app = factories.token("APP1", type="APP_USER", whitelist="NEVER")
    r = await authorize(stocked.cpo, "APP1", token_type="APP_USER", peer="DE:MSP")
    assert r.status_code == 404, r.text
    assert "never authorized in real time" in r.json()["detail"]

    await start_session(stocked, app, evse_uid="LOC1-1", authorization_reference="APP-REF")
    r = await authorize(stocked.cpo, "APP1", token_type="APP_USER", evse_uid="LOC1-1")
    assert r.status_code == 200, r.text
    assert r.json()["decided_by"] == "recent_command"
    assert r.json()["authorization"]["authorization_reference"] == "APP-REF"

    # cached with whitelist NEVER, and no command at this location: refused, nobody asked
    await push_token(stocked, "APP2", type="APP_USER", whitelist="NEVER")
    r = await authorize(stocked.cpo, "APP2", token_type="APP_USER")
    assert r.status_code == 200, r.text
    assert r.json()["decided_by"] == "no_realtime"
    assert r.json()["authorization"]["allowed"] == "NOT_ALLOWED"
    assert "START_SESSION" in r.json()["authorization"]["info"]["text"]
    # a whitelist that lets the CPO decide still decides
    await push_token(stocked, "APP3", type="AD_HOC_USER", whitelist="ALWAYS")
    r = await authorize(stocked.cpo, "APP3", token_type="AD_HOC_USER")
    assert r.json()["decided_by"] == "whitelist"
    assert r.json()["authorization"]["allowed"] == "ALLOWED"
    assert await emsp_answers(stocked) == 0


# ---- bad input ----------------------------------------------------------------------------


async def test_bad_input_is_a_clear_error(stocked: AdminPair):
    cpo = stocked.cpo

    async def field_of(body: dict[str, Any]) -> list[Any]:
        r = await cpo.post(AUTHORIZE, body)
        assert r.status_code == 422, r.text
        return [d["loc"] for d in r.json()["detail"]]

    assert await field_of({"location_id": "LOC1"}) == [["body", "token_uid"]]
    assert await field_of({"token_uid": "X"}) == [["body", "location_id"]]
    assert await field_of({"token_uid": "", "location_id": "LOC1"}) == [["body", "token_uid"]]
    assert await field_of({"token_uid": "X" * 37, "location_id": "LOC1"}) == [["body", "token_uid"]]
    assert await field_of({"token_uid": "kärtchen", "location_id": "LOC1"}) == [
        ["body", "token_uid"]
    ]
    assert await field_of({"token_uid": "X", "location_id": "LOC1", "token_type": "CARD"}) == [
        ["body", "token_type"]
    ]
    assert await field_of({"token_uid": "X", "location_id": "LOC1", "evse_uid": "E" * 37}) == [
        ["body", "evse_uid"]
    ]
    r = await cpo.client.post(
        f"/api{AUTHORIZE}",
        content=b"{not json",
        headers={**cpo.headers, "content-type": "application/json"},
    )
    assert r.status_code == 422
    r = await authorize(cpo, "X", peer="99")
    assert r.status_code == 404 and r.json()["detail"].startswith("peer:")
    r = await cpo.client.post(f"/api{AUTHORIZE}", json={"token_uid": "X", "location_id": "L"})
    assert r.status_code == 401
    # an eMSP node holds no tokens of others to authorize
    r = await authorize(stocked.emsp, "X")
    assert r.status_code == 409 and "no local CPO party" in r.json()["detail"]
    assert await decisions(cpo) == []


async def test_the_service_raises_unknown_token(stocked: AdminPair):
    """The service itself, for the CMS adapters written in Python."""
    from ocpikit.config import Settings
    from ocpikit.node import Node

    cpo = Node(
        settings=Settings(database_url=stocked.cpo.node.database_url), db=stocked.cpo.node.db
    )
    try:
        with pytest.raises(UnknownToken):
            await authorize_at_charge_point(
                cpo, "NOBODY", TokenType.RFID, LocationReferences(location_id="LOC1")
            )
    finally:
        await cpo.events.close()
        await cpo.http.aclose()


async def test_realtime_request_is_addressed_to_the_party_that_owns_the_token(
    databases: Databases,
):
    """An eMSP node (or Hub) with two parties that both use uid SECOND: OCPI-to names the
    party of the cached token, so the right one answers."""
    async with (
        running_node(
            await databases.new(), [("NL", "CPO", "CPO")], admin_token="cpo-admin", simulator=True
        ) as cpo_node,
        running_node(
            await databases.new(),
            [("DE", "MSP", "EMSP"), ("DE", "MS2", "EMSP")],
            admin_token="emsp-admin",
        ) as emsp_node,
    ):
        cpo = Admin(cpo_node, {"Authorization": "Bearer cpo-admin"})
        emsp = Admin(emsp_node, EMSP_ADMIN)
        issued = (await cpo.post("/tokens/registration", {"label": "two eMSPs"})).json()
        r = await emsp.post(
            "/peers", {"versions_url": issued["versions_url"], "token": issued["token"]}
        )
        assert r.status_code == 201, r.text
        # DE/MSP's own SECOND (valid) stays at the eMSP: stored, not pushed.
        first = Token.model_validate(factories.token("SECOND", last_updated=_stamp()))
        async with emsp_node.db.transaction() as conn:
            await ObjectStore(conn).put(
                service.key_of("DE", "MSP", "SECOND", TokenType.RFID),
                first.to_json_bytes(),
                last_updated=first.last_updated,
                is_local=True,
            )
        # DE/MS2's SECOND (blocked, real-time only) is pushed to the CPO.
        body = factories.token(
            "SECOND", cc="DE", pid="MS2", whitelist="NEVER", valid=False, last_updated=_stamp()
        )
        assert (await emsp.put("/tokens/DE/MS2/SECOND", body, params={"type": "RFID"})).is_success

        async def cached() -> bool:
            got = await cpo.get("/objects/tokens/DE/MS2/SECOND", params={"type": "RFID"})
            return got.status_code == 200

        await eventually(cached)
        r = await authorize(cpo, "SECOND")
        assert r.status_code == 200, r.text
        assert r.json()["decided_by"] == "realtime"
        assert r.json()["authorization"]["allowed"] == "BLOCKED"
        assert r.json()["authorization"]["token"]["party_id"] == "MS2"


async def test_a_whitelist_decision_answers_while_writers_wait(stocked: AdminPair):
    """Issue 8, item 8: the decision only reads; its event is written after the answer."""
    await push_token(stocked, "ALWAYS", whitelist="ALWAYS")
    async with writers_held(stocked.cpo.node.database_url):
        r = await asyncio.wait_for(authorize(stocked.cpo, "ALWAYS"), 5)
        assert r.status_code == 200, r.text
        assert r.json()["decided_by"] == "whitelist"
    [event] = await eventually(lambda: decisions(stocked.cpo))
    assert event["data"]["decided_by"] == "whitelist" and event["object_id"] == "ALWAYS"
