"""ChargingProfiles endpoints: Receiver (CPO) and Sender (eMSP / SCSP)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ocpikit.chargepoints.adapter import ACTIVE_PROFILE, CLEAR_PROFILE, SET_PROFILE
from ocpikit.chargepoints.runner import get_runner
from ocpikit.modules.chargingprofiles import receiver, sender
from ocpikit.modules.registry import Interface
from ocpikit.transport.body import read_json
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import Caller, PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]


async def _answer(
    request: Request,
    caller: Caller,
    operation: str,
    session_id: str,
    response_url: str,
    argument: Any,
) -> OcpiResponse:
    routing = routing_headers(request)
    response = await receiver.receive(
        get_node(request),
        get_runner(request),
        caller,
        routing,
        operation,
        session_id,
        response_url,
        argument,
    )
    return ok(response, headers=routing.response_headers())


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("/{session_id}", summary="Ask for the ActiveChargingProfile of a session")
    async def get_profile(request: Request, caller: PeerCaller, session_id: str) -> OcpiResponse:
        duration = receiver.parse_duration(request.query_params.get("duration"))
        url = receiver.parse_response_url(request.query_params.get("response_url"))
        return await _answer(request, caller, ACTIVE_PROFILE, session_id, url, duration)

    @router.put("/{session_id}", summary="Set or replace the ChargingProfile of a session")
    async def put_profile(request: Request, caller: PeerCaller, session_id: str) -> OcpiResponse:
        body = receiver.parse_set(await read_json(request))
        return await _answer(request, caller, SET_PROFILE, session_id, body.response_url, body)

    @router.delete("/{session_id}", summary="Clear the ChargingProfile of a session")
    async def delete_profile(request: Request, caller: PeerCaller, session_id: str) -> OcpiResponse:
        url = receiver.parse_response_url(request.query_params.get("response_url"))
        return await _answer(request, caller, CLEAR_PROFILE, session_id, url, None)

    return router


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.post("/{operation}/{uid}", summary="The asynchronous result of our request")
    async def post_result(
        request: Request, caller: PeerCaller, operation: str, uid: str
    ) -> OcpiResponse:
        routing = routing_headers(request)
        body = await read_json(request)
        await sender.receive_result(get_node(request).db, caller, operation, uid, body)
        return ok(headers=routing.response_headers())

    @router.put("/{session_id}", summary="An updated ActiveChargingProfile from the CPO")
    async def put_active(request: Request, caller: PeerCaller, session_id: str) -> OcpiResponse:
        routing = routing_headers(request)
        body = await read_json(request)
        await sender.receive_active_profile(get_node(request).db, caller, routing, session_id, body)
        return ok(headers=routing.response_headers())

    return router


INTERFACES = [
    Interface(
        module="chargingprofiles",
        role="RECEIVER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_receiver,
    ),
    Interface(
        module="chargingprofiles",
        role="SENDER",
        offered_by=frozenset({"EMSP", "SCSP", "HUB"}),
        build=build_sender,
    ),
]
