"""CDRs endpoints: Sender (CPO) and Receiver (eMSP) interfaces."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request

from ocpikit.catalog import owner_roles
from ocpikit.modules.cdrs import service
from ocpikit.modules.common import caller_parties, serve_object, serve_page
from ocpikit.modules.registry import Interface
from ocpikit.node import Node
from ocpikit.storage.objects import ListQuery, ObjectKey
from ocpikit.transport.body import read_json
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]

# A party no peer can have: an empty audience must match nothing, not everything.
_NOBODY = [("--", "---")]


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our CDRs of the caller's tokens, paginated")
    async def list_cdrs(request: Request, caller: PeerCaller) -> OcpiResponse:
        query = ListQuery(
            module=service.MODULE,
            is_local=True,
            audience=caller_parties(caller, owner_roles("tokens")) or _NOBODY,
        )
        return await serve_page(request, get_node(request), query)

    return router


def _receiver_url(node: Node, version: str) -> str:
    for endpoint in node.endpoints.get(version, []):
        if endpoint["identifier"] == service.MODULE and endpoint["role"] == "RECEIVER":
            return endpoint["url"]
    return f"{node.base_url}/ocpi/{version}/receiver/{service.MODULE}"


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.post("", summary="Receive a CDR; answers its URL in the Location header")
    async def post_cdr(request: Request, caller: PeerCaller) -> OcpiResponse:
        node = get_node(request)
        body = await read_json(request)
        received = await service.receive_post(node.db, caller, body)
        cdr = received.cdr
        # CDR-12: "Location: <URL of the stored CDR in the eMSP system>", read with GET below.
        ids = "/".join(quote(part, safe="") for part in (cdr.country_code, cdr.party_id, cdr.id))
        headers = {
            **routing_headers(request).response_headers(),
            "Location": f"{_receiver_url(node, profile.version)}/{ids}",
        }
        return ok(http_status=201 if received.created else 200, headers=headers)

    @router.get("/{country_code}/{party_id}/{cdr_id}", summary="A received CDR")
    async def get_cdr(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, cdr_id: str
    ) -> OcpiResponse:
        key = ObjectKey(service.MODULE, country_code, party_id, cdr_id)
        data = await service.get_received(get_node(request).db, caller, key)
        return serve_object(data, request)

    return router


INTERFACES = [
    Interface(
        module="cdrs",
        role="SENDER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_sender,
        versions=frozenset({"2.2.1"}),  # 2.1.1: not wired yet
    ),
    Interface(
        module="cdrs",
        role="RECEIVER",
        offered_by=frozenset({"EMSP", "HUB"}),
        build=build_receiver,
        versions=frozenset({"2.2.1"}),  # 2.1.1: not wired yet
    ),
]
