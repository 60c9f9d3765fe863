"""Versions module (``version_information_endpoint.asciidoc``): a configuration module.

Both endpoints accept the registration token A and registered peers' tokens (VER-10), are
free of side effects (hubs poll them as a "still alive" check, VER-11), and list only what
the node actually serves.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from ocpikit.errors import NotFound
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.security import RegistrationCaller, get_node
from ocpikit.versions import SUPPORTED_VERSIONS

__all__ = ["router"]

router = APIRouter(tags=["versions"])


@router.get("/ocpi/versions", summary="Version information endpoint")
async def get_versions(request: Request, _caller: RegistrationCaller) -> OcpiResponse:
    node = get_node(request)
    return ok([{"version": v, "url": node.details_url(v)} for v in SUPPORTED_VERSIONS])


@router.get("/ocpi/{version}", summary="Version details endpoint")
async def get_version_details(
    version: str, request: Request, _caller: RegistrationCaller
) -> OcpiResponse:
    node = get_node(request)
    endpoints = node.endpoints.get(version)
    if endpoints is None:
        raise NotFound(f"Version {version!r} is not supported; see {node.versions_url}")
    return ok({"version": version, "endpoints": endpoints})
