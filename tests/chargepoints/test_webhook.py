"""The webhook adapter against a small CSMS on loopback, and how the adapter is chosen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ocpikit.chargepoints.adapter import NoAdapter
from ocpikit.chargepoints.runner import select_adapter
from ocpikit.chargepoints.simulator import SimulatedChargePoints
from ocpikit.chargepoints.webhook import WebhookAdapter
from ocpikit.config import Settings
from ocpikit.modules.chargingprofiles.service import set_charging_profile
from ocpikit.modules.commands.service import get_command, send_command
from ocpikit.modules.sessions import service as sessions
from ocpikit.node import Node
from ocpikit.protocol.v221.chargingprofiles import ChargingProfile
from ocpikit.protocol.v221.sessions import Session
from tests import factories
from tests.chargepoints.fakes import SlowAdapter
from tests.chargepoints.support import command_token, custom_pair, only_peer, poll, seed_location
from tests.support import Databases, Pair, free_port


@dataclass
class Csms:
    """What the fake CSMS received, and what it answers next."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    answer: Any = field(default_factory=lambda: {"result": "ACCEPTED"})
    status: int = 200


@pytest.fixture
async def csms() -> AsyncIterator[Csms]:
    port = free_port()
    state = Csms(url=f"http://127.0.0.1:{port}/ocpi-commands")

    async def handle(request: Request) -> Response:
        state.received.append(await request.json())
        if isinstance(state.answer, bytes):
            return Response(state.answer, status_code=state.status)
        return JSONResponse(state.answer, status_code=state.status)

    app = Starlette(routes=[Route("/ocpi-commands", handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield state
    finally:
        server.should_exit = True
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def webhook_pair(databases: Databases, csms: Csms) -> AsyncIterator[Pair]:
    async with custom_pair(databases, adapter_webhook_url=csms.url, command_timeout=5) as pair:
        yield pair


async def start(pair: Pair) -> str:
    await seed_location(pair.cpo)
    body = {"token": command_token(), "location_id": "LOC1", "evse_uid": "LOC1-1"}
    peer = await only_peer(pair.emsp)
    uid, response = await send_command(pair.emsp.db, pair.emsp.client, peer, "START_SESSION", body)
    assert response.result == "ACCEPTED"
    return uid


async def result_of(pair: Pair, uid: str) -> dict:
    record = await poll(
        lambda: get_command(pair.emsp.db, uid), lambda r: r is not None and r.result is not None
    )
    assert record is not None and record.result is not None
    return record.result


async def test_command_is_posted_and_the_answer_is_the_result(webhook_pair: Pair, csms: Csms):
    csms.answer = {"result": "EVSE_INOPERATIVE", "message": [{"language": "en", "text": "x"}]}
    uid = await start(webhook_pair)
    result = await result_of(webhook_pair, uid)
    assert result == csms.answer
    [payload] = csms.received
    assert payload["operation"] == "START_SESSION"
    assert payload["cpo"] == {"country_code": "NL", "party_id": "CPO"}
    assert payload["requester"] == {"country_code": "DE", "party_id": "MSP"}
    assert "response_url" not in payload["request"]
    assert payload["request"]["token"]["uid"] == "TOKEN1"
    assert payload["location"]["id"] == "LOC1" and payload["session"] is None
    assert payload["timeout"] == pytest.approx(3.75)
    assert len(payload["uid"]) == 32


@pytest.mark.parametrize(
    ("status", "answer"),
    [(500, {"result": "ACCEPTED"}), (200, b"not json"), (200, {"result": "MAYBE"})],
)
async def test_a_bad_webhook_answer_is_failed(
    webhook_pair: Pair, csms: Csms, status: int, answer: Any
):
    csms.status, csms.answer = status, answer
    uid = await start(webhook_pair)
    assert (await result_of(webhook_pair, uid))["result"] == "FAILED"


async def test_charging_profile_is_posted_to_the_webhook(webhook_pair: Pair, csms: Csms):
    await sessions.save_local(webhook_pair.cpo.db, Session.model_validate(factories.session()))
    profile = ChargingProfile.model_validate({"charging_rate_unit": "A", "min_charging_rate": 6})
    peer = await only_peer(webhook_pair.emsp)
    uid, response = await set_charging_profile(
        webhook_pair.emsp.db, webhook_pair.emsp.client, peer, "S1", profile
    )
    assert response.result == "ACCEPTED"
    assert await result_of(webhook_pair, uid) == {"result": "ACCEPTED"}
    [payload] = csms.received
    assert payload["operation"] == "SET_PROFILE"
    assert payload["request"] == {
        "charging_profile": {"charging_rate_unit": "A", "min_charging_rate": 6}
    }
    assert payload["session"]["id"] == "S1"


async def test_unreachable_webhook_is_failed(databases: Databases):
    url = f"http://127.0.0.1:{free_port()}/gone"
    async with custom_pair(databases, adapter_webhook_url=url) as pair:
        uid = await start(pair)
        assert (await result_of(pair, uid))["result"] == "FAILED"


def node_with(**settings: Any) -> Node:
    return Node(settings=Settings(**settings), db=None)  # type: ignore[arg-type]  # not used


def test_adapter_choice_simulator_then_python_then_webhook_then_none():
    both = {"adapter_webhook_url": "http://127.0.0.1:1/x"}
    assert isinstance(select_adapter(node_with(simulator=True, **both)), SimulatedChargePoints)
    slow = select_adapter(node_with(adapter="tests.chargepoints.fakes:slow", **both))
    assert isinstance(slow, SlowAdapter)
    assert isinstance(select_adapter(node_with(**both)), WebhookAdapter)
    assert isinstance(select_adapter(node_with()), NoAdapter)
    with pytest.raises(ValueError, match="module:callable"):
        select_adapter(node_with(adapter="nocolon"))


def test_simulator_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OCPIKIT_SIMULATOR", "1")
    monkeypatch.setenv("OCPIKIT_SIMULATOR_REJECTED_TOKENS", '["A1", "B2"]')
    settings = Settings()
    assert settings.simulator is True
    assert settings.simulator_rejected_tokens == ["A1", "B2"]
