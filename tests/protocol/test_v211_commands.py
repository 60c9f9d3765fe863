"""OCPI 2.1.1 Commands: an eMSP node sends START_SESSION to a 2.1.1 CPO node whose simulated
charge point answers; the result comes back as a 2.1.1 CommandResponse."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ocpikit.errors import InvalidParameters
from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.modules.credentials.service import register_with_peer
from tests.chargepoints.support import SIMULATOR, command_token, only_peer, poll, seed_location
from tests.support import Databases, Pair, running_node

pytestmark = pytest.mark.e2e


@pytest.fixture
async def sim211(databases: Databases) -> AsyncIterator[Pair]:
    async with (
        running_node(
            await databases.new(), [("NL", "CPO", "CPO")], versions=["2.1.1"], **SIMULATOR
        ) as cpo,
        running_node(await databases.new(), [("DE", "MSP", "EMSP")]) as emsp,
    ):
        peer = await register_with_peer(
            emsp.db, emsp.client, versions_url=cpo.versions_url, token_a=await cpo.token_a()
        )
        assert peer.version == "2.1.1" and peer.token_out
        yield Pair(cpo=cpo, emsp=emsp, to_cpo=peer.token_out, to_emsp="")


async def test_start_and_stop_session_with_a_2_1_1_cpo(sim211: Pair) -> None:
    await seed_location(sim211.cpo)
    peer = await only_peer(sim211.emsp)
    body = {"token": command_token(), "location_id": "LOC1", "evse_uid": "LOC1-1"}
    uid, response = await send_command(
        sim211.emsp.db, sim211.emsp.client, peer, "START_SESSION", body
    )
    assert response.result.value == "ACCEPTED"
    # The callback URL is our party's 2.1.1 commands URL.
    record = await get_command(sim211.emsp.db, uid)
    assert record is not None and record.response_url
    assert record.response_url.startswith(f"{sim211.emsp.url}/ocpi/2.1.1/DE/MSP/commands/")
    done = await poll(
        lambda: get_command(sim211.emsp.db, uid),
        lambda r: r is not None and r.result is not None,
        10.0,
    )
    assert done is not None and done.result == {"result": "ACCEPTED"}


async def test_a_command_2_1_1_lacks_is_refused_before_sending(sim211: Pair) -> None:
    peer = await only_peer(sim211.emsp)
    with pytest.raises(InvalidParameters, match="CANCEL_RESERVATION"):
        await send_command(
            sim211.emsp.db, sim211.emsp.client, peer, "CANCEL_RESERVATION", {"reservation_id": "1"}
        )


async def test_2_1_1_command_with_a_bad_body_is_2001(sim211: Pair) -> None:
    cpo = sim211.cpo
    r = await cpo.client.post(
        "/ocpi/2.1.1/NL/CPO/commands/START_SESSION",
        json={"response_url": "http://127.0.0.1:1/x", "location_id": "LOC1"},
        headers=cpo.auth(sim211.to_cpo, "plain"),
    )
    assert r.json()["status_code"] == 2001 and "token" in r.json()["status_message"]
