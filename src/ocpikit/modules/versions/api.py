"""Versions module (``version_information_endpoint.asciidoc``): a configuration module.

Both endpoints accept the registration token A and registered peers' tokens (VER-10), are
free of side effects (hubs poll them as a "still alive" check, VER-11), and list only what
the node actually serves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request

from ocpikit.errors import NotFound
from ocpikit.node import Node
from ocpikit.storage.repositories import LocalParty
from ocpikit.transport.envelope import OcpiResponse, ok
from ocpikit.transport.security import Caller, RegistrationCaller, get_node
from ocpikit.versions import PROFILES

__all__ = ["party_router", "router"]

router = APIRouter(tags=["versions"])


def _versions(node: Node, party: LocalParty | None) -> OcpiResponse:
    return ok(
        [{"version": p.version, "url": node.details_url(p.version, party)} for p in node.versions()]
    )


def _details(node: Node, version: str, party: LocalParty | None) -> OcpiResponse:
    profile = PROFILES.get(version)
    if profile is not None and profile.per_party and party is None:
        parties = node.per_party_parties()
        party = parties[0] if parties else None
    endpoints = node.endpoints.get(node.endpoints_key(version, party))
    if endpoints is None or profile is None:
        raise NotFound(f"Version {version!r} is not supported; see {node.versions_url}")
    if not profile.endpoints_have_role:
        endpoints = [{"identifier": e["identifier"], "url": e["url"]} for e in endpoints]
    return ok({"version": version, "endpoints": endpoints})


def _party(node: Node, country_code: str, party_id: str) -> LocalParty:
    for party in node.per_party_parties():
        if (party.country_code, party.party_id) == (country_code.upper(), party_id.upper()):
            return party
    raise NotFound(f"{country_code}/{party_id} is not a CPO or eMSP party of this node")


@router.get("/ocpi/versions", summary="Version information endpoint")
async def get_versions(request: Request, _caller: RegistrationCaller) -> OcpiResponse:
    """Every version the node offers; a per-party version (2.1.1) for its first party."""
    return _versions(get_node(request), None)


@router.get("/ocpi/{version}", summary="Version details endpoint")
async def get_version_details(
    version: str, request: Request, _caller: RegistrationCaller
) -> OcpiResponse:
    return _details(get_node(request), version, None)


def party_router(node: Node) -> APIRouter:
    """The versions and version details endpoints of each party a per-party version serves.

    Literal paths, one per party: a pattern such as ``/ocpi/{version}/{cc}/{pid}`` would
    also match 2.2.1 module URLs (``/ocpi/2.2.1/sender/locations``).
    """
    party_routes = APIRouter(tags=["versions"])
    for party in node.per_party_parties():
        _add_party_routes(party_routes, node, party)
    return party_routes


def _details_endpoint(
    version: str, party: LocalParty
) -> Callable[[Request, Caller], Awaitable[OcpiResponse]]:
    async def details(request: Request, _caller: RegistrationCaller) -> OcpiResponse:
        return _details(get_node(request), version, party)

    return details


def _add_party_routes(party_routes: APIRouter, node: Node, party: LocalParty) -> None:
    cc, pid = party.country_code, party.party_id

    async def versions(request: Request, _caller: RegistrationCaller) -> OcpiResponse:
        """The versions endpoint to give a 2.1.1 peer of this party."""
        return _versions(get_node(request), party)

    party_routes.add_api_route(
        f"/ocpi/{cc}/{pid}/versions", versions, methods=["GET"], summary=f"Versions of {cc}:{pid}"
    )
    for version in node.versions():
        if not version.per_party:
            continue

        party_routes.add_api_route(
            f"/ocpi/{version.version}/{cc}/{pid}",
            _details_endpoint(version.version, party),
            methods=["GET"],
            summary=f"Version {version.version} details of {cc}:{pid}",
        )
