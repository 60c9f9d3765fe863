"""ChargingProfiles, Receiver (CPO) and Sender (eMSP), through real HTTP and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.modules.chargingprofiles.service import (
    clear_charging_profile,
    get_active_charging_profile,
    get_received_profile,
    push_active_profile,
    set_charging_profile,
)
from ocpikit.modules.commands.service import get_command, list_commands
from ocpikit.modules.sessions import service as sessions
from ocpikit.protocol.v221.chargingprofiles import ActiveChargingProfile, ChargingProfile
from ocpikit.protocol.v221.sessions import Session
from tests import factories
from tests.chargepoints.support import SIMULATOR, custom_pair, only_peer, poll
from tests.support import Databases, Pair, RunningNode, running_node
from tests.versions import details_path, ocpi_path

# 2.2.1 only: 2.1.1 has no ChargingProfiles module.
RECEIVER = ocpi_path("2.2.1", "chargingprofiles", "RECEIVER")
SENDER = ocpi_path("2.2.1", "chargingprofiles", "SENDER")
PROFILE = ChargingProfile.model_validate(
    {
        "charging_rate_unit": "W",
        "charging_profile_period": [{"start_period": 0, "limit": 7400}],
    }
)


@pytest.fixture
async def cpo(databases: Databases) -> AsyncIterator[RunningNode]:
    """The CPO node NL:CPO of ``pair``, with simulated charge points."""
    async with running_node(await databases.new(), [("NL", "CPO", "CPO")], **SIMULATOR) as node:
        yield node


async def seed_session(node: RunningNode, sid: str = "S1", **extra) -> None:
    await sessions.save_local(node.db, Session.model_validate(factories.session(sid, **extra)))


async def result_of(pair: Pair, uid: str) -> dict:
    record = await poll(
        lambda: get_command(pair.emsp.db, uid), lambda r: r is not None and r.result is not None
    )
    assert record is not None and record.result is not None
    return record.result


async def test_version_details_list_chargingprofiles(pair: Pair):
    r = await pair.cpo.client.get(details_path("2.2.1"), headers=pair.cpo.auth(pair.to_cpo))
    assert {
        "identifier": "chargingprofiles",
        "role": "RECEIVER",
        "url": pair.cpo.url + RECEIVER,
    } in r.json()["data"]["endpoints"]
    r = await pair.emsp.client.get(details_path("2.2.1"), headers=pair.emsp.auth(pair.to_emsp))
    assert {
        "identifier": "chargingprofiles",
        "role": "SENDER",
        "url": pair.emsp.url + SENDER,
    } in r.json()["data"]["endpoints"]


async def test_set_get_clear_with_asynchronous_results(pair: Pair):
    await seed_session(pair.cpo)
    peer = await only_peer(pair.emsp)
    db, client = pair.emsp.db, pair.emsp.client

    uid, response = await set_charging_profile(db, client, peer, "S1", PROFILE)
    assert response.result == "ACCEPTED" and response.timeout == 5
    assert await result_of(pair, uid) == {"result": "ACCEPTED"}

    uid, response = await get_active_charging_profile(db, client, peer, "S1", 900)
    assert response.result == "ACCEPTED"
    result = await result_of(pair, uid)
    assert result["result"] == "ACCEPTED"
    profile = result["profile"]["charging_profile"]
    assert profile["charging_rate_unit"] == "W" and profile["duration"] == 900
    assert profile["charging_profile_period"] == [{"start_period": 0, "limit": 7400}]

    uid, response = await clear_charging_profile(db, client, peer, "S1")
    assert response.result == "ACCEPTED"
    assert await result_of(pair, uid) == {"result": "ACCEPTED"}
    uid, _ = await clear_charging_profile(db, client, peer, "S1")
    assert await result_of(pair, uid) == {"result": "UNKNOWN"}

    # After clearing, the active profile is the EVSE's maximum again (CP-05): 11 kW.
    uid, _ = await get_active_charging_profile(db, client, peer, "S1", 60)
    periods = (await result_of(pair, uid))["profile"]["charging_profile"]["charging_profile_period"]
    assert periods == [{"start_period": 0, "limit": 11000}]


async def test_unknown_session_is_unknown_session(pair: Pair):
    peer = await only_peer(pair.emsp)
    uid, response = await set_charging_profile(
        pair.emsp.db, pair.emsp.client, peer, "NOPE", PROFILE
    )
    assert response.result == "UNKNOWN_SESSION"
    record = await get_command(pair.emsp.db, uid)
    assert record is not None and record.status == "CLOSED"


async def test_session_of_another_emsp_is_rejected(pair: Pair):
    await seed_session(pair.cpo, "S2", token=factories.cdr_token(cc="FR", pid="OTH"))
    peer = await only_peer(pair.emsp)
    _, response = await set_charging_profile(pair.emsp.db, pair.emsp.client, peer, "S2", PROFILE)
    assert response.result == "REJECTED"


async def test_completed_session_is_rejected(pair: Pair):
    await seed_session(pair.cpo, "S3", status="COMPLETED", end_date_time="2026-01-01T11:00:00Z")
    peer = await only_peer(pair.emsp)
    _, response = await clear_charging_profile(pair.emsp.db, pair.emsp.client, peer, "S3")
    assert response.result == "REJECTED"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("response_url=https://msp.example/r/1", "duration"),
        ("duration=soon&response_url=https://msp.example/r/1", "duration"),
        ("duration=900", "response_url"),
    ],
)
async def test_get_without_valid_parameters_is_2001(pair: Pair, query: str, field: str):
    r = await pair.cpo.client.get(f"{RECEIVER}/S1?{query}", headers=pair.cpo_headers())
    assert r.json()["status_code"] == 2001 and field in r.json()["status_message"]


async def test_delete_without_response_url_is_2001(pair: Pair):
    r = await pair.cpo.client.delete(f"{RECEIVER}/S1", headers=pair.cpo_headers())
    assert r.json()["status_code"] == 2001 and "response_url" in r.json()["status_message"]


async def test_put_with_a_bad_profile_is_2001_naming_the_field(pair: Pair):
    body = {"response_url": "https://msp.example/r/1", "charging_profile": {"duration": 60}}
    r = await pair.cpo.client.put(f"{RECEIVER}/S1", json=body, headers=pair.cpo_headers())
    assert r.json()["status_code"] == 2001
    assert "charging_profile.charging_rate_unit" in r.json()["status_message"]


async def test_result_callback_unknown_uid_is_404_and_bad_body_2001(pair: Pair):
    r = await pair.emsp.client.post(
        f"{SENDER}/SET_PROFILE/nope", json={"result": "ACCEPTED"}, headers=pair.emsp_headers()
    )
    assert r.status_code == 404
    uid, _ = await set_charging_profile(
        pair.emsp.db, pair.emsp.client, await only_peer(pair.emsp), "NOPE", PROFILE
    )
    r = await pair.emsp.client.post(
        f"{SENDER}/SET_PROFILE/{uid}", json={"result": "MAYBE"}, headers=pair.emsp_headers()
    )
    assert r.json()["status_code"] == 2001 and "result" in r.json()["status_message"]


async def test_active_profile_updates_go_only_to_senders_that_set_one(pair: Pair):
    await seed_session(pair.cpo)
    await seed_session(pair.cpo, "S9")
    peer = await only_peer(pair.emsp)
    uid, _ = await set_charging_profile(pair.emsp.db, pair.emsp.client, peer, "S1", PROFILE)
    await result_of(pair, uid)
    active = ActiveChargingProfile.model_validate(
        {"start_date_time": "2026-01-01T10:30:00Z", "charging_profile": PROFILE.to_wire()}
    )
    cpo_records = await poll(
        lambda: _cpo_set_requests(pair), lambda rs: bool(rs) and rs[0].status == "DONE"
    )
    assert len(cpo_records) == 1
    assert await push_active_profile(pair.cpo.db, pair.cpo.client, "S1", active) == 1
    assert await push_active_profile(pair.cpo.db, pair.cpo.client, "S9", active) == 0
    stored = await get_received_profile(pair.emsp.db, ("NL", "CPO"), "S1")
    assert stored is not None and stored["start_date_time"] == "2026-01-01T10:30:00Z"
    assert await get_received_profile(pair.emsp.db, ("NL", "CPO"), "S9") is None


async def _cpo_set_requests(pair: Pair):
    return await list_commands(pair.cpo.db, direction="IN", module="chargingprofiles")


async def test_sender_put_of_an_active_profile_validates_the_body(pair: Pair):
    r = await pair.emsp.client.put(
        f"{SENDER}/S1",
        json={"start_date_time": "2026-01-01T10:30:00Z"},
        headers=pair.emsp_headers(),
    )
    assert r.json()["status_code"] == 2001 and "charging_profile" in r.json()["status_message"]
    body = {"start_date_time": "2026-01-01T10:30:00Z", "charging_profile": PROFILE.to_wire()}
    r = await pair.emsp.client.put(f"{SENDER}/S1", json=body, headers=pair.emsp_headers())
    assert r.status_code == 200 and r.json()["status_code"] == 1000


async def test_slow_charge_point_gives_no_result_and_is_recorded_as_timeout(
    databases: Databases,
):
    async with custom_pair(
        databases, adapter="tests.chargepoints.fakes:slow", command_timeout=1
    ) as pair:
        await seed_session(pair.cpo)
        peer = await only_peer(pair.emsp)
        uid, response = await set_charging_profile(
            pair.emsp.db, pair.emsp.client, peer, "S1", PROFILE
        )
        assert response.result == "ACCEPTED"
        [record] = await poll(
            lambda: list_commands(pair.cpo.db, direction="IN"),
            lambda rs: rs and rs[0].status == "TIMEOUT",
        )
        assert record.result is None
        emsp_record = await get_command(pair.emsp.db, uid)
        assert emsp_record is not None and emsp_record.result is None


async def test_without_adapter_profiles_are_not_supported(databases: Databases):
    async with custom_pair(databases) as pair:
        await seed_session(pair.cpo)
        peer = await only_peer(pair.emsp)
        _, response = await get_active_charging_profile(
            pair.emsp.db, pair.emsp.client, peer, "S1", 60
        )
        assert response.result == "NOT_SUPPORTED"
