"""Credentials module endpoints (``credentials.asciidoc §Interfaces and endpoints``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.errors import MethodNotAllowed
from ocpikit.modules.credentials import service
from ocpikit.modules.registry import Interface
from ocpikit.protocol.v221.credentials import Credentials
from ocpikit.transport.body import read_json
from ocpikit.transport.edge import edge_of
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.security import RegistrationCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES", "build_router"]

_CREDENTIALS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": Credentials.model_json_schema()}},
    }
}


def build_router(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our credentials for the calling platform")
    async def get_credentials(request: Request, caller: RegistrationCaller) -> OcpiResponse:
        node, edge = get_node(request), edge_of(request)
        return ok(service.our_credentials(node, edge, caller.token))

    @router.post("", summary="Register (token A)", openapi_extra=_CREDENTIALS_BODY)
    async def post_credentials(request: Request, caller: RegistrationCaller) -> OcpiResponse:
        if not caller.is_registration:
            raise MethodNotAllowed("Already registered: use PUT to update, DELETE to unregister")
        edge = edge_of(request)
        credentials = service.parse_credentials(edge, await read_json(request))
        node = get_node(request)
        body = await service.accept_registration(
            node, edge, token_a_id=caller.token_id, credentials=credentials
        )
        return ok(body)

    @router.put(
        "",
        summary="Update endpoints, switch version, rotate token",
        openapi_extra=_CREDENTIALS_BODY,
    )
    async def put_credentials(request: Request, caller: RegistrationCaller) -> OcpiResponse:
        if not caller.registered or caller.peer is None:
            raise MethodNotAllowed("Not registered: POST credentials to register first")
        edge = edge_of(request)
        credentials = service.parse_credentials(edge, await read_json(request))
        node = get_node(request)
        body = await service.update_registration(
            node, edge, peer=caller.peer, token_id=caller.token_id, credentials=credentials
        )
        return ok(body)

    @router.delete("", summary="Unregister")
    async def delete_credentials(request: Request, caller: RegistrationCaller) -> OcpiResponse:
        if not caller.registered or caller.peer is None:
            raise MethodNotAllowed("Not registered: there is nothing to unregister")
        await service.unregister(get_node(request).db, caller.peer)
        return ok()

    return router


INTERFACES = [
    Interface(
        module="credentials",
        role="SENDER",
        offered_by=frozenset(),
        build=build_router,
    )
]
