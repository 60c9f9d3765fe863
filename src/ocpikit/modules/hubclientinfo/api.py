"""HubClientInfo endpoints: Receiver (parties connected to a Hub) and Sender (a Hub).

A Configuration Module: no routing headers (HCI-02, HCI-03).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.modules.common import serve_object, serve_page
from ocpikit.modules.hubclientinfo import service
from ocpikit.modules.registry import Interface
from ocpikit.storage.objects import ListQuery
from ocpikit.transport.body import read_json
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="ClientInfo of the parties connected to this Hub, paginated")
    async def list_client_info(request: Request, _caller: PeerCaller) -> OcpiResponse:
        query = ListQuery(module=service.MODULE, is_local=True)
        return await serve_page(request, get_node(request), query)

    return router


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("/{country_code}/{party_id}", summary="A ClientInfo the Hub pushed")
    async def get_client_info(
        request: Request, caller: PeerCaller, country_code: str, party_id: str
    ) -> OcpiResponse:
        data = await service.get_received(get_node(request).db, caller, country_code, party_id)
        return serve_object(data, request)

    @router.put("/{country_code}/{party_id}", summary="New or updated ClientInfo")
    async def put_client_info(
        request: Request, caller: PeerCaller, country_code: str, party_id: str
    ) -> OcpiResponse:
        body = await read_json(request)
        result = await service.receive_put(
            get_node(request).db, caller, country_code, party_id, body
        )
        return ok(http_status=201 if result.created else 200)

    return router


INTERFACES = [
    Interface(
        module="hubclientinfo",
        role="RECEIVER",
        offered_by=frozenset({"CPO", "EMSP", "NSP", "NAP", "SCSP"}),
        build=build_receiver,
    ),
    Interface(
        module="hubclientinfo",
        role="SENDER",
        offered_by=frozenset({"HUB"}),
        build=build_sender,
    ),
]
