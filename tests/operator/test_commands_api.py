"""Operator API: commands to a CPO peer (simulated charge points) and real-time authorization."""

from __future__ import annotations

import pytest

from tests import factories
from tests.operator.conftest import AdminPair, eventually


@pytest.fixture
async def stocked(admin_pair: AdminPair) -> AdminPair:
    """The CPO has LOC1 (and tariff T1), the eMSP has token 012345678, pushed to the CPO."""
    assert (await admin_pair.cpo.put("/tariffs/NL/CPO/T1", factories.tariff("T1"))).is_success
    r = await admin_pair.cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.is_success
    assert (await admin_pair.emsp.put("/tokens/DE/MSP/012345678", factories.token())).is_success
    return admin_pair


async def _result(pair: AdminPair, uid: str) -> dict:
    async def done():
        record = (await pair.emsp.get(f"/commands/{uid}")).json()
        return record if record["status"] == "DONE" else None

    result: dict = await eventually(done)
    return result


async def test_start_and_stop_a_session(stocked: AdminPair):
    emsp = stocked.emsp
    r = await emsp.post(
        "/commands",
        {
            "peer": str(stocked.cpo_peer_id),
            "type": "START_SESSION",
            "body": {"token": factories.token(), "location_id": "LOC1", "evse_uid": "LOC1-1"},
        },
    )
    assert r.status_code == 200, r.text
    sent = r.json()
    assert sent["response"]["result"] == "ACCEPTED" and sent["status"] == "PENDING"
    record = await _result(stocked, sent["uid"])
    assert record["direction"] == "OUT" and record["command"] == "START_SESSION"
    assert record["result"]["result"] == "ACCEPTED"
    assert record["body"]["response_url"].endswith(sent["uid"])

    async def session():
        page = await emsp.get("/objects/sessions", params={"source": "received"})
        return page.json()["items"]

    [received] = await eventually(session)
    events = (await emsp.get("/events")).json()["events"]
    kinds = [e["kind"] for e in events]
    assert "command.result" in kinds and "session.created" in kinds

    stop = await emsp.post(
        "/commands",
        {"peer": "NL:CPO", "type": "STOP_SESSION", "body": {"session_id": received["object_id"]}},
    )
    assert stop.status_code == 200, stop.text
    assert (await _result(stocked, stop.json()["uid"]))["result"]["result"] == "ACCEPTED"
    listed = (await emsp.get("/commands", params={"direction": "OUT"})).json()
    assert [c["command"] for c in listed] == ["STOP_SESSION", "START_SESSION"]

    async def cdr():
        page = await emsp.get("/objects/cdrs", params={"source": "received"})
        return page.json()["items"]

    await eventually(cdr)


async def test_command_errors(stocked: AdminPair):
    emsp, cpo = stocked.emsp, stocked.cpo
    start = {"token": factories.token(), "location_id": "LOC1"}
    r = await emsp.post("/commands", {"peer": "99", "type": "START_SESSION", "body": start})
    assert r.status_code == 404 and r.json()["detail"].startswith("peer:")
    r = await emsp.post("/commands", {"peer": "NL:CPO", "type": "FLY", "body": start})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "type"]
    r = await emsp.post(
        "/commands", {"peer": "NL:CPO", "type": "START_SESSION", "body": {"token": start["token"]}}
    )
    assert r.status_code == 422 and "location_id" in r.json()["detail"]
    r = await emsp.post("/commands", {"peer": "NL:CPO", "type": "START_SESSION"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "body"]
    assert (await emsp.get("/commands")).json() == []
    # the eMSP has no commands Receiver
    r = await cpo.post("/commands", {"peer": "DE:MSP", "type": "STOP_SESSION", "body": {}})
    assert r.status_code == 422 and r.json()["detail"].startswith("peer:")
    r = await emsp.get("/commands/nope")
    assert r.status_code == 404


async def test_a_command_the_cpo_refuses_is_422_and_failed(stocked: AdminPair):
    r = await stocked.emsp.post(
        "/commands",
        {
            "peer": "NL:CPO",
            "type": "START_SESSION",
            "body": {"token": factories.token(), "location_id": "NOWHERE"},
        },
    )
    assert r.status_code == 422, r.text
    assert "2003" in r.json()["detail"] and "NOWHERE" in r.json()["detail"]
    [record] = (await stocked.emsp.get("/commands")).json()
    assert record["status"] == "FAILED" and record["last_error"]


async def test_a_command_the_charge_point_rejects_is_closed(stocked: AdminPair):
    r = await stocked.emsp.post(
        "/commands",
        {
            "peer": "NL:CPO",
            "type": "START_SESSION",
            "body": {"token": factories.token(), "location_id": "LOC1", "evse_uid": "NOPE"},
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["response"]["result"] == "REJECTED"
    assert r.json()["status"] == "CLOSED"


async def test_authorize_a_token_at_the_emsp(stocked: AdminPair):
    cpo = stocked.cpo
    r = await cpo.post(
        "/authorize",
        {
            "peer": str(stocked.emsp_peer_id),
            "token_uid": "012345678",
            "location": {"location_id": "LOC1", "evse_uids": ["LOC1-1"]},
        },
    )
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["allowed"] == "ALLOWED"
    assert info["token"]["uid"] == "012345678"
    assert info["location"] == {"location_id": "LOC1", "evse_uids": ["LOC1-1"]}
    assert info["authorization_reference"]
    events = (await stocked.emsp.get("/events", params={"kind": "token.authorized"})).json()
    assert len(events["events"]) == 1


async def test_authorize_errors(stocked: AdminPair):
    cpo, emsp = stocked.cpo, stocked.emsp
    r = await cpo.post("/authorize", {"peer": "DE:MSP", "token_uid": "UNKNOWN"})
    assert r.status_code == 404 and r.json()["detail"].startswith("token_uid:")
    r = await cpo.post(
        "/authorize", {"peer": "DE:MSP", "token_uid": "012345678", "token_type": "X"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "token_type"]
    r = await cpo.post("/authorize", {"peer": "DE:MSP"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "token_uid"]
    r = await emsp.post("/authorize", {"peer": "NL:CPO", "token_uid": "012345678"})
    assert r.status_code == 422 and r.json()["detail"].startswith("peer:")
