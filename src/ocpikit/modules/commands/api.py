"""Commands endpoints: Receiver (CPO) and Sender (eMSP result callbacks)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.chargepoints.runner import get_runner
from ocpikit.mappings.context import MapContext
from ocpikit.modules.commands import receiver, sender
from ocpikit.modules.commands.context import caller_party
from ocpikit.modules.registry import Interface
from ocpikit.transport.body import read_json
from ocpikit.transport.edge import edge_of, edge_routing
from ocpikit.transport.envelope import OcpiResponse, dumps, envelope, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.transport.status import StatusCode
from ocpikit.versions import VersionProfile
from ocpikit.wire import intake, render

MODULE = "commands"

__all__ = ["INTERFACES"]


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.post("/{command}", summary="Send a command to our charge points")
    async def post_command(request: Request, caller: PeerCaller, command: str) -> OcpiResponse:
        routing, edge = edge_routing(request), edge_of(request)
        body = await read_json(request)
        if not edge.profile.canonical:
            ctx = MapContext(*(caller_party(caller, routing, MODULE)))
            body = intake(edge.profile, MODULE, body, ctx, part=command.lower())
        answer = await receiver.receive_command(
            get_node(request), get_runner(request), caller, routing, command, body
        )
        headers = routing.response_headers()
        if not edge.profile.canonical:
            out = render(
                edge.profile,
                MODULE,
                answer.response.to_wire(),
                MapContext("", ""),
                part="command_response",
            )
            return ok(out, headers=headers)
        if answer.status_code == StatusCode.SUCCESS:
            return ok(answer.response, headers=headers)
        # The sequence diagram of an unknown location answers "status_code = 2003, data:
        # {CommandResponse { result = REJECTED }}": an error status *with* data, which the
        # error handler does not render, hence this envelope.
        return OcpiResponse(
            envelope(dumps(answer.response), answer.status_code, answer.status_message),
            headers=headers,
        )

    return router


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.post("/{command}/{uid}", summary="The asynchronous CommandResult of our command")
    async def post_result(
        request: Request, caller: PeerCaller, command: str, uid: str
    ) -> OcpiResponse:
        routing, edge = routing_headers(request), edge_of(request)
        body = await read_json(request)
        body = intake(edge.profile, MODULE, body, MapContext("", ""), part="command_result")
        await sender.receive_result(get_node(request).db, caller, command, uid, body)
        return ok(headers=routing.response_headers())

    return router


INTERFACES = [
    Interface(
        module="commands",
        role="RECEIVER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_receiver,
    ),
    Interface(
        module="commands",
        role="SENDER",
        offered_by=frozenset({"EMSP", "HUB"}),
        build=build_sender,
    ),
]
