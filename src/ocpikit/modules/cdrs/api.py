"""CDRs endpoints: Sender (CPO) and Receiver (eMSP) interfaces."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request

from ocpikit.catalog import owner_roles
from ocpikit.modules.cdrs import service
from ocpikit.modules.common import (
    caller_parties,
    edge_context,
    lookup_context,
    read_domain,
    serve_object,
    serve_page,
)
from ocpikit.modules.registry import Interface
from ocpikit.node import Node
from ocpikit.storage.objects import ListQuery, ObjectKey
from ocpikit.transport.edge import Edge, edge_of
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import Caller, PeerCaller, get_node
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


def _receiver_url(node: Node, edge: Edge) -> str:
    for endpoint in node.endpoints.get(node.endpoints_key(edge.version, edge.party), []):
        if endpoint["identifier"] == service.MODULE and endpoint["role"] == "RECEIVER":
            return endpoint["url"]
    return f"{node.base_url}/ocpi/{edge.version}/receiver/{service.MODULE}"


async def _intake(request: Request, caller: Caller) -> Any:
    """The request body in the domain's form; a 2.1.1 CDR names no owner: the calling CPO."""
    cpo = caller_parties(caller, owner_roles(service.MODULE))
    return await read_domain(request, service.MODULE, cpo[0] if cpo else ("", ""))


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.post("", summary="Receive a CDR; answers its URL in the Location header")
    async def post_cdr(request: Request, caller: PeerCaller) -> OcpiResponse:
        node = get_node(request)
        body = await _intake(request, caller)
        received = await service.receive_post(node.db, caller, body)
        cdr = received.cdr
        # CDR-12: "Location: <URL of the stored CDR in the eMSP system>", read with GET below.
        ids = "/".join(quote(part, safe="") for part in (cdr.country_code, cdr.party_id, cdr.id))
        headers = {
            **routing_headers(request).response_headers(),
            "Location": f"{_receiver_url(node, edge_of(request))}/{ids}",
        }
        return ok(http_status=201 if received.created else 200, headers=headers)

    @router.get("/{country_code}/{party_id}/{cdr_id}", summary="A received CDR")
    async def get_cdr(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, cdr_id: str
    ) -> OcpiResponse:
        key = ObjectKey(service.MODULE, country_code, party_id, cdr_id)
        node, edge = get_node(request), edge_of(request)
        data = await service.get_received(node.db, caller, key)
        ctx = await lookup_context(
            node.db, edge_context(edge), service.MODULE, [orjson.loads(data)]
        )
        return serve_object(data, request, service.MODULE, ctx=ctx)

    return router


INTERFACES = [
    Interface(
        module="cdrs",
        role="SENDER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_sender,
    ),
    Interface(
        module="cdrs",
        role="RECEIVER",
        offered_by=frozenset({"EMSP", "HUB"}),
        build=build_receiver,
    ),
]
