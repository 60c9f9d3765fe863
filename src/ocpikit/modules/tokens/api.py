"""Tokens endpoints: Sender (eMSP) and Receiver (CPO) interfaces."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.modules.common import edge_context, read_domain, serve_object, serve_page
from ocpikit.modules.registry import Interface
from ocpikit.modules.tokens import authorize, service
from ocpikit.protocol.v221.tokens import TokenType
from ocpikit.storage.objects import ListQuery
from ocpikit.transport.body import read_json
from ocpikit.transport.edge import edge_of
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile
from ocpikit.wire import intake, render

__all__ = ["INTERFACES"]


def _url_type(request: Request) -> TokenType | None:
    return service.parse_type(request.query_params.get("type"))


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our tokens, paginated")
    async def list_tokens(request: Request, _caller: PeerCaller) -> OcpiResponse:
        # Every registered peer (CPO) may read our tokens to fill its whitelist cache.
        query = ListQuery(module=service.MODULE, is_local=True)
        return await serve_page(request, get_node(request), query)

    @router.post("/{token_uid}/authorize", summary="Real-time authorization of a token")
    async def authorize_token(
        request: Request, _caller: PeerCaller, token_uid: str
    ) -> OcpiResponse:
        routing, edge = routing_headers(request), edge_of(request)
        token_type = _url_type(request) or TokenType.RFID
        # The LocationReferences body is optional: an empty body is no body.
        body = await read_json(request) if (await request.body()).strip() else None
        if body is not None:
            body = intake(
                edge.profile, "tokens", body, edge_context(edge), part="location_references"
            )
        to_party = (
            (routing.to_country_code, routing.to_party_id)
            if routing.to_country_code and routing.to_party_id
            else None
        )
        if to_party is None and edge.party is not None:
            to_party = (edge.party.country_code, edge.party.party_id)
        node = get_node(request)
        info = await authorize.authorize(
            node.db, node.events, token_uid, token_type, body, to_party=to_party
        )
        if edge.profile.canonical:
            return ok(raw=info.to_json_bytes(), headers=routing.response_headers())
        out = render(
            edge.profile, "tokens", info.to_wire(), edge_context(edge), part="authorization_info"
        )
        return ok(out, headers=routing.response_headers())

    return router


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()
    path = "/{country_code}/{party_id}/{token_uid}"

    @router.get(path, summary="A pushed token")
    async def get_token(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, token_uid: str
    ) -> OcpiResponse:
        token_type = _url_type(request) or TokenType.RFID
        key = service.key_of(country_code, party_id, token_uid, token_type)
        data = await service.get_received(get_node(request).db, caller, key)
        return serve_object(data, request, service.MODULE)

    @router.put(path, summary="Create or replace")
    async def put_token(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, token_uid: str
    ) -> OcpiResponse:
        url_type = _url_type(request)
        body = await read_domain(request, service.MODULE, (country_code, party_id))
        result = await service.receive_put(
            get_node(request).db, caller, country_code, party_id, token_uid, url_type, body
        )
        # SC-04: 201 for a new object, 200 for a replacement (or an ignored older one).
        return ok(
            http_status=201 if result.created else 200,
            headers=routing_headers(request).response_headers(),
        )

    @router.patch(path, summary="Update fields")
    async def patch_token(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, token_uid: str
    ) -> OcpiResponse:
        url_type = _url_type(request)
        body = await read_domain(request, service.MODULE, (country_code, party_id), patch=True)
        await service.receive_patch(
            get_node(request).db, caller, country_code, party_id, token_uid, url_type, body
        )
        return ok(headers=routing_headers(request).response_headers())

    return router


INTERFACES = [
    Interface(
        module="tokens",
        role="SENDER",
        offered_by=frozenset({"EMSP", "HUB"}),
        build=build_sender,
    ),
    Interface(
        module="tokens",
        role="RECEIVER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_receiver,
    ),
]
