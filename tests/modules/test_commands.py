"""Commands, Receiver (CPO) and Sender (eMSP), through real HTTP and simulated charge points."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ocpikit.modules.commands.service import (
    get_command,
    list_commands,
    send_command,
)
from ocpikit.modules.locations.service import patch_local_evse
from ocpikit.protocol.v221.locations import EvsePatch, Status
from ocpikit.storage.objects import ObjectKey
from tests.chargepoints.support import (
    SIMULATOR,
    command_token,
    custom_pair,
    energy_tariff,
    evse_status,
    only_peer,
    poll,
    seed_location,
    seed_tariff,
    stored,
)
from tests.support import Databases, Pair, RunningNode, running_node
from tests.versions import details_path, ocpi_path

# 2.2.1 only here (role-based URLs, routing headers, CommandResult); the 2.1.1 Commands
# module is tested in tests/protocol/test_v211_commands.py.
RECEIVER = ocpi_path("2.2.1", "commands", "RECEIVER")
SENDER = ocpi_path("2.2.1", "commands", "SENDER")


@pytest.fixture
async def cpo(databases: Databases) -> AsyncIterator[RunningNode]:
    """The CPO node NL:CPO of ``pair``, with fast simulated charge points."""
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")], **SIMULATOR) as node:
        yield node


async def send(pair: Pair, command: str, body: dict):
    return await send_command(
        pair.emsp.db, pair.emsp.client, await only_peer(pair.emsp), command, body
    )


async def result_of(pair: Pair, uid: str, timeout: float = 10.0) -> dict:
    record = await poll(
        lambda: get_command(pair.emsp.db, uid),
        lambda r: r is not None and r.result is not None,
        timeout,
    )
    assert record is not None and record.result is not None
    return record.result


def start_body(location_id: str = "LOC1", evse_uid: str | None = "LOC1-1", **extra) -> dict:
    body = {"token": command_token(), "location_id": location_id, **extra}
    if evse_uid:
        body["evse_uid"] = evse_uid
    return body


# ---- the whole flow ------------------------------------------------------------------------


async def test_version_details_list_commands_receiver_and_sender(pair: Pair):
    r = await pair.cpo.client.get(details_path("2.2.1"), headers=pair.cpo.auth(pair.to_cpo))
    endpoints = r.json()["data"]["endpoints"]
    assert {"identifier": "commands", "role": "RECEIVER", "url": pair.cpo.url + RECEIVER} in (
        endpoints
    )
    r = await pair.emsp.client.get(details_path("2.2.1"), headers=pair.emsp.auth(pair.to_emsp))
    endpoints = r.json()["data"]["endpoints"]
    assert {"identifier": "commands", "role": "SENDER", "url": pair.emsp.url + SENDER} in (
        endpoints
    )


async def test_start_charge_stop_gives_a_priced_cdr(pair: Pair):
    await seed_location(pair.cpo)
    await seed_tariff(pair.cpo, energy_tariff())
    uid, response = await send(pair, "START_SESSION", start_body(authorization_reference="AUTH42"))
    assert response.result == "ACCEPTED" and response.timeout == 5
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"

    cpo_side = await list_commands(pair.cpo.db, direction="IN")
    assert [c.command for c in cpo_side] == ["START_SESSION"]
    assert cpo_side[0].response_url == f"{pair.emsp.url}{SENDER}/START_SESSION/{uid}"
    [session_id] = [c for c in [await _session_id(pair)] if c]
    session = await poll(
        lambda: stored(pair.cpo, "sessions", session_id),
        lambda s: s is not None and len(s.get("charging_periods") or []) >= 2,
    )
    assert session["status"] == "ACTIVE"
    assert session["auth_method"] == "COMMAND"
    assert session["authorization_reference"] == "AUTH42"
    assert session["cdr_token"]["uid"] == "TOKEN1"
    assert session["currency"] == "EUR"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "CHARGING"

    uid, response = await send(pair, "STOP_SESSION", {"session_id": session_id})
    assert response.result == "ACCEPTED"
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    session = await stored(pair.cpo, "sessions", session_id)
    assert session is not None and session["status"] == "COMPLETED"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    cdr = await stored(pair.cpo, "cdrs", session_id)
    assert cdr is not None
    assert cdr["session_id"] == session_id and cdr["authorization_reference"] == "AUTH42"
    assert Decimal(str(cdr["total_energy"])) == Decimal(str(session["kwh"]))
    assert cdr["total_energy"] > 0
    # 0.50 start fee + 0.25/kWh (step_size 1 Wh), excl. VAT.
    energy_cost = Decimal(str(cdr["total_energy"])) * Decimal("0.25")
    assert abs(Decimal(str(cdr["total_cost"]["excl_vat"])) - Decimal("0.5") - energy_cost) < (
        Decimal("0.001")
    )
    assert cdr["tariffs"][0]["id"] == "T1"


async def _session_id(pair: Pair) -> str:
    async def sessions() -> list[str]:
        from ocpikit.storage.objects import ListQuery, ObjectStore

        async with pair.cpo.db.connect() as conn:
            found = await ObjectStore(conn).all(ListQuery(module="sessions", is_local=True))
        return [o.key.object_id for o in found]

    ids = await poll(sessions, bool)
    return ids[0]


# ---- results from the charge point -----------------------------------------------------------


async def test_rejected_token_gives_result_rejected(pair: Pair):
    await seed_location(pair.cpo)
    body = start_body()
    body["token"] = command_token("BLOCKED1")
    uid, response = await send(pair, "START_SESSION", body)
    assert response.result == "ACCEPTED"
    assert (await result_of(pair, uid))["result"] == "REJECTED"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"


async def test_start_on_a_charging_evse_is_occupied(pair: Pair):
    await seed_location(pair.cpo)
    await patch_local_evse(
        pair.cpo.db,
        ObjectKey("locations", "NL", "CPO", "LOC1"),
        "LOC1-2",
        EvsePatch(status=Status.CHARGING, last_updated="2026-02-01T00:00:00Z"),
    )
    uid, _ = await send(pair, "START_SESSION", start_body(evse_uid="LOC1-2"))
    assert (await result_of(pair, uid))["result"] == "EVSE_OCCUPIED"


async def test_reserve_then_cancel_then_cancel_again(pair: Pair):
    await seed_location(pair.cpo)
    body = {
        "token": command_token(),
        "expiry_date": "2030-01-01T00:00:00Z",
        "reservation_id": "R1",
        "location_id": "LOC1",
        "evse_uid": "LOC1-1",
    }
    uid, _ = await send(pair, "RESERVE_NOW", body)
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "RESERVED"
    uid, _ = await send(pair, "CANCEL_RESERVATION", {"reservation_id": "r1"})
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    uid, _ = await send(pair, "CANCEL_RESERVATION", {"reservation_id": "R1"})
    assert (await result_of(pair, uid))["result"] == "UNKNOWN_RESERVATION"


def reserve_body(reservation_id: str = "R1", evse_uid: str | None = "LOC1-1", **extra) -> dict:
    body = {
        "token": command_token(),
        "expiry_date": "2030-01-01T00:00:00Z",
        "reservation_id": reservation_id,
        "location_id": "LOC1",
        **extra,
    }
    if evse_uid:
        body["evse_uid"] = evse_uid
    return body


def reservation_tariff() -> dict:
    """The energy tariff plus 1.20/h while reserved (TIME under a RESERVATION restriction)."""
    tariff = energy_tariff()
    reserved = {
        "price_components": [{"type": "TIME", "price": 1.2, "vat": 21.0, "step_size": 1}],
        "restrictions": {"reservation": "RESERVATION"},
    }
    tariff["elements"].insert(0, reserved)
    return tariff


async def reservation_session(pair: Pair) -> dict:
    sid = await _session_id(pair)
    session = await stored(pair.cpo, "sessions", sid)
    assert session is not None
    return session


async def test_reservation_is_a_session_that_turns_active_when_the_driver_starts(pair: Pair):
    """SES-03: RESERVE_NOW creates a RESERVATION session, the same token's start makes it ACTIVE."""
    await seed_location(pair.cpo)
    await seed_tariff(pair.cpo, reservation_tariff())
    uid, _ = await send(pair, "RESERVE_NOW", reserve_body(authorization_reference="RES1"))
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    reserved = await reservation_session(pair)
    assert reserved["status"] == "RESERVATION" and reserved["evse_uid"] == "LOC1-1"
    assert reserved["authorization_reference"] == "RES1" and reserved["kwh"] == 0
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "RESERVED"
    pushed = await poll(
        lambda: stored(pair.emsp, "sessions", reserved["id"]), lambda s: s is not None
    )
    assert pushed is not None and pushed["status"] == "RESERVATION"

    uid, _ = await send(pair, "START_SESSION", start_body(authorization_reference="GO1"))
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    active = await stored(pair.cpo, "sessions", reserved["id"])
    assert active is not None and active["status"] == "ACTIVE"
    assert active["authorization_reference"] == "GO1"  # the last one given (SES-05)
    assert active["start_date_time"] > reserved["start_date_time"]
    first = active["charging_periods"][0]
    assert [d["type"] for d in first["dimensions"]] == ["RESERVATION_TIME"]
    assert first["start_date_time"] == reserved["start_date_time"]
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "CHARGING"

    uid, _ = await send(pair, "STOP_SESSION", {"session_id": reserved["id"]})
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    cdr = await stored(pair.cpo, "cdrs", reserved["id"])
    assert cdr is not None
    assert cdr["start_date_time"] == reserved["start_date_time"]  # the reservation's start
    assert "total_reservation_cost" in cdr
    assert await poll(
        lambda: stored(pair.emsp, "sessions", reserved["id"]),
        lambda s: s is not None and s["status"] == "COMPLETED",
    )


async def test_reservation_without_an_evse_is_na_until_the_driver_starts(pair: Pair):
    await seed_location(pair.cpo)
    uid, _ = await send(pair, "RESERVE_NOW", reserve_body(evse_uid=None))
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    reserved = await reservation_session(pair)
    assert (reserved["evse_uid"], reserved["connector_id"]) == ("#NA", "#NA")
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    uid, _ = await send(pair, "START_SESSION", start_body(evse_uid="LOC1-2"))
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    active = await stored(pair.cpo, "sessions", reserved["id"])
    assert active is not None and active["status"] == "ACTIVE"
    assert active["evse_uid"] == "LOC1-2" and active["connector_id"] != "#NA"


async def test_cancelled_reservation_completes_its_session_and_bills_the_reserved_time(
    pair: Pair,
):
    await seed_location(pair.cpo)
    await seed_tariff(pair.cpo, reservation_tariff())
    uid, _ = await send(pair, "RESERVE_NOW", reserve_body())
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    reserved = await reservation_session(pair)
    uid, _ = await send(pair, "CANCEL_RESERVATION", {"reservation_id": "R1"})
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    done = await stored(pair.cpo, "sessions", reserved["id"])
    assert done is not None and done["status"] == "COMPLETED" and done["end_date_time"]
    [period] = done["charging_periods"]
    assert [d["type"] for d in period["dimensions"]] == ["RESERVATION_TIME"]
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    cdr = await stored(pair.cpo, "cdrs", reserved["id"])
    assert cdr is not None and Decimal(str(cdr["total_cost"]["excl_vat"])) > 0
    assert cdr["total_energy"] == 0
    assert cdr["total_reservation_cost"] == cdr["total_cost"]


async def test_unused_free_reservation_expires_without_a_cdr(pair: Pair):
    await seed_location(pair.cpo)
    await seed_tariff(pair.cpo, energy_tariff())  # nothing charged for reserving
    soon = datetime.now(UTC) + timedelta(seconds=1)
    body = reserve_body(expiry_date=soon.isoformat().replace("+00:00", "Z"))
    uid, _ = await send(pair, "RESERVE_NOW", body)
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    reserved = await reservation_session(pair)
    done = await poll(
        lambda: stored(pair.cpo, "sessions", reserved["id"]),
        lambda s: s is not None and s["status"] == "COMPLETED",
    )
    assert Decimal(str(done["total_cost"]["excl_vat"])) == 0
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    assert await stored(pair.cpo, "cdrs", reserved["id"]) is None
    uid, _ = await send(pair, "CANCEL_RESERVATION", {"reservation_id": "R1"})
    assert (await result_of(pair, uid))["result"] == "UNKNOWN_RESERVATION"


async def test_same_reservation_id_at_the_same_location_replaces_the_reservation(pair: Pair):
    """CMD-07: the new EVSE is reserved, the old one freed, the Session kept."""
    await seed_location(pair.cpo)
    uid, _ = await send(pair, "RESERVE_NOW", reserve_body())
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    first = await reservation_session(pair)
    uid, _ = await send(pair, "RESERVE_NOW", reserve_body(evse_uid="LOC1-2"))
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"
    again = await stored(pair.cpo, "sessions", first["id"])
    assert again is not None and again["evse_uid"] == "LOC1-2"
    assert again["status"] == "RESERVATION"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-1") == "AVAILABLE"
    assert await evse_status(pair.cpo, "LOC1", "LOC1-2") == "RESERVED"
    other = start_body(evse_uid="LOC1-2")
    other["token"] = command_token("TOKEN2")
    uid, _ = await send(pair, "START_SESSION", other)
    assert (await result_of(pair, uid))["result"] == "EVSE_OCCUPIED"


async def test_unlock_connector_is_accepted(pair: Pair):
    await seed_location(pair.cpo)
    body = {"location_id": "LOC1", "evse_uid": "LOC1-1", "connector_id": "1"}
    uid, response = await send(pair, "UNLOCK_CONNECTOR", body)
    assert response.result == "ACCEPTED"
    assert (await result_of(pair, uid))["result"] == "ACCEPTED"


async def test_timeout_when_the_adapter_does_not_answer(databases: Databases):
    async with custom_pair(
        databases, adapter="tests.chargepoints.fakes:slow", command_timeout=2
    ) as pair:
        await seed_location(pair.cpo)
        uid, response = await send(pair, "START_SESSION", start_body())
        assert response.result == "ACCEPTED" and response.timeout == 2
        result = await result_of(pair, uid, timeout=2.0)
        assert result["result"] == "TIMEOUT"


async def test_without_adapter_commands_are_not_supported(databases: Databases):
    async with custom_pair(databases) as pair:
        await seed_location(pair.cpo)
        uid, response = await send(pair, "START_SESSION", start_body())
        assert response.result == "NOT_SUPPORTED"
        record = await get_command(pair.emsp.db, uid)
        assert record is not None and record.status == "CLOSED"


# ---- synchronous answers ---------------------------------------------------------------------


async def test_unknown_location_is_2003_with_rejected(pair: Pair):
    body = {"response_url": "https://msp.example/cb/1", "location_id": "NOPE"}
    body |= {"evse_uid": "E1", "connector_id": "1"}
    r = await pair.cpo.client.post(
        f"{RECEIVER}/UNLOCK_CONNECTOR", json=body, headers=pair.cpo_headers()
    )
    assert r.status_code == 200
    assert r.json()["status_code"] == 2003
    assert r.json()["data"]["result"] == "REJECTED"
    assert r.json()["data"]["timeout"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": command_token()}, "location_id"),
        ({"location_id": "LOC1"}, "token"),
        ({"token": command_token(), "location_id": "LOC1", "connector_id": "1"}, "evse_uid"),
        ({"token": {"uid": "X"}, "location_id": "LOC1"}, "token.country_code"),
    ],
)
async def test_bad_body_is_2001_naming_the_field(pair: Pair, body: dict, field: str):
    await seed_location(pair.cpo)
    body = {"response_url": "https://msp.example/cb/1", **body}
    r = await pair.cpo.client.post(
        f"{RECEIVER}/START_SESSION", json=body, headers=pair.cpo_headers()
    )
    assert r.json()["status_code"] == 2001
    assert field in r.json()["status_message"]
    assert await list_commands(pair.cpo.db) == []


async def test_missing_response_url_is_2001(pair: Pair):
    r = await pair.cpo.client.post(
        f"{RECEIVER}/STOP_SESSION", json={"session_id": "S1"}, headers=pair.cpo_headers()
    )
    assert r.json()["status_code"] == 2001 and "response_url" in r.json()["status_message"]


async def test_unknown_command_type_is_404(pair: Pair):
    r = await pair.cpo.client.post(
        f"{RECEIVER}/SELF_DESTRUCT",
        json={"response_url": "https://x.example/1"},
        headers=pair.cpo_headers(),
    )
    assert r.status_code == 404 and r.json()["status_code"] == 2000


async def test_start_with_a_token_of_another_party_is_rejected(pair: Pair):
    await seed_location(pair.cpo)
    body = start_body()
    body["token"] = command_token(cc="NL", pid="XYZ")
    _, response = await send(pair, "START_SESSION", body)
    assert response.result == "REJECTED"
    assert response.message and "not one of your tokens" in response.message[0].text


async def test_start_on_an_unknown_evse_is_rejected(pair: Pair):
    await seed_location(pair.cpo)
    _, response = await send(pair, "START_SESSION", start_body(evse_uid="NOPE"))
    assert response.result == "REJECTED"


async def test_stop_of_an_unknown_session_is_unknown_session(pair: Pair):
    uid, response = await send(pair, "STOP_SESSION", {"session_id": "NOPE"})
    assert response.result == "UNKNOWN_SESSION"
    record = await get_command(pair.emsp.db, uid)
    assert record is not None and record.status == "CLOSED" and record.result is None


# ---- the Sender (callback) side -------------------------------------------------------------


async def test_unknown_callback_uid_is_404(pair: Pair):
    r = await pair.emsp.client.post(
        f"{SENDER}/START_SESSION/nope", json={"result": "ACCEPTED"}, headers=pair.emsp_headers()
    )
    assert r.status_code == 404 and r.json()["status_code"] == 2000


async def test_callback_checks_type_body_and_caller(pair: Pair):
    uid, _ = await send(pair, "STOP_SESSION", {"session_id": "NOPE"})
    url = f"{SENDER}/STOP_SESSION/{uid}"
    r = await pair.emsp.client.post(
        f"{SENDER}/START_SESSION/{uid}", json={"result": "ACCEPTED"}, headers=pair.emsp_headers()
    )
    assert r.status_code == 404
    r = await pair.emsp.client.post(url, json={"result": "GREAT"}, headers=pair.emsp_headers())
    assert r.json()["status_code"] == 2001 and "result" in r.json()["status_message"]
    r = await pair.emsp.client.post(url, json={"result": "FAILED"}, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000 and "data" not in r.json()
    record = await get_command(pair.emsp.db, uid)
    assert record is not None and record.result == {"result": "FAILED"}
    assert record.status == "DONE"


async def test_send_command_validates_the_body_before_sending(pair: Pair):
    from ocpikit.errors import InvalidParameters

    with pytest.raises(InvalidParameters, match="location_id"):
        await send(pair, "START_SESSION", {"token": command_token()})
    assert await list_commands(pair.emsp.db) == []
