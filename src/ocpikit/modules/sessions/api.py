"""Sessions endpoints: Sender (CPO) and Receiver (eMSP, SCSP) interfaces."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request

from ocpikit.catalog import owner_roles
from ocpikit.modules.common import (
    caller_parties,
    edge_context,
    lookup_context,
    read_domain,
    serve_object,
    serve_page,
)
from ocpikit.modules.registry import Interface
from ocpikit.modules.sessions import preferences, service
from ocpikit.storage.objects import ListQuery, ObjectKey
from ocpikit.transport.body import read_json
from ocpikit.transport.edge import edge_of
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]

# A party no peer can have: an empty audience must match nothing, not everything.
_NOBODY = [("--", "---")]


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our sessions of the caller's tokens, paginated (date_from required)")
    async def list_sessions(request: Request, caller: PeerCaller) -> OcpiResponse:
        query = ListQuery(
            module=service.MODULE,
            is_local=True,
            audience=caller_parties(caller, owner_roles("tokens")) or _NOBODY,
        )
        return await serve_page(request, get_node(request), query, require_date_from=True)

    if not profile.has_model("sessions", "ChargingPreferences"):
        return router  # OCPI 2.1.1 has no charging preferences

    @router.put("/{session_id}/charging_preferences", summary="Set the driver's preferences")
    async def put_charging_preferences(
        request: Request, caller: PeerCaller, session_id: str
    ) -> OcpiResponse:
        body = await read_json(request)
        answer = await preferences.set_preferences(get_node(request).db, caller, session_id, body)
        return ok(answer.value, headers=routing_headers(request).response_headers())

    return router


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()
    path = "/{country_code}/{party_id}/{session_id}"

    @router.get(path, summary="A pushed session")
    async def get_session(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, session_id: str
    ) -> OcpiResponse:
        key = ObjectKey(service.MODULE, country_code, party_id, session_id)
        node, edge = get_node(request), edge_of(request)
        data = await service.get_received(node.db, caller, key)
        ctx = await lookup_context(
            node.db, edge_context(edge), service.MODULE, [orjson.loads(data)]
        )
        return serve_object(data, request, service.MODULE, ctx=ctx)

    @router.put(path, summary="Create or replace a session")
    async def put_session(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, session_id: str
    ) -> OcpiResponse:
        key = ObjectKey(service.MODULE, country_code, party_id, session_id)
        body = await read_domain(request, service.MODULE, key.party)
        result = await service.receive_put(get_node(request).db, caller, key, body)
        headers = routing_headers(request).response_headers()
        return ok(http_status=201 if result.created else 200, headers=headers)

    @router.patch(path, summary="Update fields; charging_periods are appended")
    async def patch_session(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, session_id: str
    ) -> OcpiResponse:
        key = ObjectKey(service.MODULE, country_code, party_id, session_id)
        body = await read_domain(request, service.MODULE, key.party, patch=True)
        await service.receive_patch(get_node(request).db, caller, key, body)
        return ok(headers=routing_headers(request).response_headers())

    return router


INTERFACES = [
    Interface(
        module="sessions",
        role="SENDER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_sender,
    ),
    Interface(
        module="sessions",
        role="RECEIVER",
        offered_by=frozenset({"EMSP", "HUB", "SCSP"}),
        build=build_receiver,
    ),
]
