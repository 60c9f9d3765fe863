"""Locations endpoints: Sender (CPO) and Receiver (eMSP, NSP...) interfaces."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.modules.common import read_domain, serve_object, serve_page
from ocpikit.modules.locations import service
from ocpikit.modules.registry import Interface
from ocpikit.storage.objects import ListQuery, ObjectKey
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile

__all__ = ["INTERFACES"]


def _to_party(request: Request) -> tuple[str, str] | None:
    routing = routing_headers(request)
    if routing.to_country_code and routing.to_party_id:
        return routing.to_country_code, routing.to_party_id
    return None


def build_sender(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("", summary="Our locations, paginated")
    async def list_locations(request: Request, _caller: PeerCaller) -> OcpiResponse:
        # publish=false ones too: the flag is about apps and websites, not OCPI (LOC-07).
        query = ListQuery(module=service.MODULE, is_local=True)
        return await serve_page(request, get_node(request), query)

    async def get_location(request: Request, _caller: PeerCaller, location_id: str) -> OcpiResponse:
        evse_uid, connector_id = _sub_ids(request)
        data = await service.get_local(
            get_node(request).db, location_id, evse_uid, connector_id, to_party=_to_party(request)
        )
        return serve_object(data, request, service.MODULE, _part(evse_uid, connector_id))

    for path, summary in (
        ("/{location_id}", "One location"),
        ("/{location_id}/{evse_uid}", "One EVSE"),
        ("/{location_id}/{evse_uid}/{connector_id}", "One connector"),
    ):
        router.add_api_route(path, get_location, methods=["GET"], summary=summary)
    return router


def _sub_ids(request: Request) -> tuple[str | None, str | None]:
    """The optional EVSE and Connector segments of a Locations URL."""
    return request.path_params.get("evse_uid"), request.path_params.get("connector_id")


def _part(evse_uid: str | None, connector_id: str | None) -> str:
    """What a Locations URL addresses: ``location``, ``evse`` or ``connector``."""
    return "connector" if connector_id else "evse" if evse_uid else "location"


def _written(request: Request, *, created: bool = False) -> OcpiResponse:
    """SC-04: 201 for a new object, 200 for an update (or an ignored older one)."""
    headers = routing_headers(request).response_headers()
    return ok(http_status=201 if created else 200, headers=headers)


def build_receiver(profile: VersionProfile) -> APIRouter:
    router = APIRouter()
    paths = [
        "/{country_code}/{party_id}/{location_id}",
        "/{country_code}/{party_id}/{location_id}/{evse_uid}",
        "/{country_code}/{party_id}/{location_id}/{evse_uid}/{connector_id}",
    ]

    async def get_location(
        request: Request,
        caller: PeerCaller,
        country_code: str,
        party_id: str,
        location_id: str,
    ) -> OcpiResponse:
        evse_uid, connector_id = _sub_ids(request)
        key = ObjectKey(service.MODULE, country_code, party_id, location_id)
        data = await service.get_received(get_node(request).db, caller, key, evse_uid, connector_id)
        return serve_object(data, request, service.MODULE, _part(evse_uid, connector_id))

    async def put_location(
        request: Request,
        caller: PeerCaller,
        country_code: str,
        party_id: str,
        location_id: str,
    ) -> OcpiResponse:
        evse_uid, connector_id = _sub_ids(request)
        key = ObjectKey(service.MODULE, country_code, party_id, location_id)
        body = await read_domain(
            request, service.MODULE, key.party, part=_part(evse_uid, connector_id)
        )
        result = await service.receive_put(
            get_node(request).db, caller, key, body, evse_uid, connector_id
        )
        return _written(request, created=result is not None and result.created)

    async def patch_location(
        request: Request,
        caller: PeerCaller,
        country_code: str,
        party_id: str,
        location_id: str,
    ) -> OcpiResponse:
        evse_uid, connector_id = _sub_ids(request)
        key = ObjectKey(service.MODULE, country_code, party_id, location_id)
        body = await read_domain(
            request, service.MODULE, key.party, part=_part(evse_uid, connector_id), patch=True
        )
        await service.receive_patch(get_node(request).db, caller, key, body, evse_uid, connector_id)
        return _written(request)

    for path in paths:
        router.add_api_route(path, get_location, methods=["GET"], summary="A pushed object")
        router.add_api_route(path, put_location, methods=["PUT"], summary="Create or replace")
        router.add_api_route(path, patch_location, methods=["PATCH"], summary="Update fields")
    return router


INTERFACES = [
    Interface(
        module="locations",
        role="SENDER",
        offered_by=frozenset({"CPO", "HUB"}),
        build=build_sender,
    ),
    Interface(
        module="locations",
        role="RECEIVER",
        offered_by=frozenset({"EMSP", "HUB", "NSP", "NAP", "SCSP"}),
        build=build_receiver,
    ),
]
