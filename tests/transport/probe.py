"""A test-only module interface that exercises the shared transport pieces over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.modules.registry import Interface, all_interfaces
from ocpikit.transport.body import read_json
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.headers import routing_headers
from ocpikit.transport.pagination import page_headers, parse_page_request
from ocpikit.transport.security import PeerCaller, get_node
from ocpikit.versions import VersionProfile


def build(profile: VersionProfile) -> APIRouter:
    router = APIRouter()

    @router.get("")
    async def list_numbers(request: Request, caller: PeerCaller) -> OcpiResponse:
        node = get_node(request)
        routing = routing_headers(request)
        page = parse_page_request(request, max_limit=node.settings.page_limit_max)
        items = list(range(25))[page.offset : page.offset + page.limit]
        headers = page_headers(request, page, total=25, returned=len(items), base_url=node.base_url)
        return ok(items, headers={**headers, **routing.response_headers()})

    @router.put("/{item}")
    async def put_item(item: str, request: Request, caller: PeerCaller) -> OcpiResponse:
        body = await read_json(request)
        return ok({"item": item, "body": body, "peer": caller.peer.name if caller.peer else None})

    return router


PROBE = Interface(module="probe", role="SENDER", offered_by=frozenset(), build=build)


def interfaces() -> list[Interface]:
    return [*all_interfaces(), PROBE]
