"""Tariffs endpoints: Sender (CPO) and Receiver (eMSP, NSP...) interfaces."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.modules.common import read_domain, serve_object, serve_page
from ocpikit.modules.registry import Interface
from ocpikit.modules.tariffs import service
from ocpikit.storage.objects import ListQuery
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our tariffs, paginated")
    async def list_tariffs(request: Request, _caller: PeerCaller) -> OcpiResponse:
        # Every registered peer may read our tariffs; the Sender has no single-object GET.
        query = ListQuery(module=service.MODULE, is_local=True)
        return await serve_page(request, get_node(request), query)

    return router


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()
    path = "/{country_code}/{party_id}/{tariff_id}"

    @router.get(path, summary="A pushed tariff")
    async def get_tariff(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, tariff_id: str
    ) -> OcpiResponse:
        key = service.key_of(country_code, party_id, tariff_id)
        data = await service.get_received(get_node(request).db, caller, key)
        return serve_object(data, request, service.MODULE)

    @router.put(path, summary="Create or replace")
    async def put_tariff(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, tariff_id: str
    ) -> OcpiResponse:
        key = service.key_of(country_code, party_id, tariff_id)
        body = await read_domain(request, service.MODULE, key.party)
        result = await service.receive_put(get_node(request).db, caller, key, body)
        # SC-04: 201 for a new object, 200 for a replacement (or an ignored older one).
        return ok(
            http_status=201 if result.created else 200,
            headers=routing_headers(request).response_headers(),
        )

    if profile.has_model("tariffs", "TariffPatch"):

        @router.patch(path, summary="Update fields")
        async def patch_tariff(
            request: Request, caller: PeerCaller, country_code: str, party_id: str, tariff_id: str
        ) -> OcpiResponse:
            key = service.key_of(country_code, party_id, tariff_id)
            body = await read_domain(request, service.MODULE, key.party, patch=True)
            await service.receive_patch(get_node(request).db, caller, key, body)
            return ok(headers=routing_headers(request).response_headers())

    @router.delete(path, summary="Remove a tariff that will not be used again")
    async def delete_tariff(
        request: Request, caller: PeerCaller, country_code: str, party_id: str, tariff_id: str
    ) -> OcpiResponse:
        key = service.key_of(country_code, party_id, tariff_id)
        await service.receive_delete(get_node(request).db, caller, key)
        return ok(headers=routing_headers(request).response_headers())

    return router


INTERFACES = [
    Interface(
        module="tariffs",
        role="SENDER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_sender,
    ),
    Interface(
        module="tariffs",
        role="RECEIVER",
        offered_by=frozenset({"EMSP", "HUB", "NSP", "NAP"}),
        build=build_receiver,
    ),
]
