"""The interfaces the node can serve, and how they are mounted per version.

A module is served exactly when it is listed: :func:`mount` builds each version's routes from
the same interface list that the version details endpoint reports (``node.endpoints``), so a
module cannot be served without being listed, or listed without being served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI

from ocpikit.catalog import allowed_callers
from ocpikit.node import Node
from ocpikit.storage.repositories import LocalParty
from ocpikit.transport.edge import Edge, set_edge
from ocpikit.transport.security import role_guard
from ocpikit.versions import OCPI_MODULES, VersionProfile

__all__ = ["Interface", "all_interfaces", "interface_path", "mount"]


@dataclass(frozen=True, slots=True)
class Interface:
    """One module interface (a ModuleID with its SENDER or RECEIVER role).

    Attributes:
        module: the OCPI ModuleID (``locations``...).
        role: ``SENDER`` or ``RECEIVER`` (``credentials`` is always listed as SENDER, VER-04).
        offered_by: local party roles that offer this interface; empty means every node.
        build: builds the interface's router for one version.
        versions: versions this interface is served in (default: every version whose
            profile lists the module; a custom module in every version).
    """

    module: str
    role: str
    offered_by: frozenset[str]
    build: Callable[[VersionProfile], APIRouter]
    versions: frozenset[str] | None = None


def interface_path(version: str, interface: Interface, party: LocalParty | None = None) -> str:
    """The URL path of an interface.

    Versions with roles: ``/ocpi/{v}/credentials`` and ``/ocpi/{v}/{sender|receiver}/{m}``.
    A per-party version (2.1.1) has one interface per module for each party:
    ``/ocpi/{v}/{cc}/{pid}/{m}``.
    """
    if party is not None:
        return f"/ocpi/{version}/{party.country_code}/{party.party_id}/{interface.module}"
    if interface.module == "credentials":
        return f"/ocpi/{version}/credentials"
    return f"/ocpi/{version}/{interface.role.lower()}/{interface.module}"


def all_interfaces() -> list[Interface]:
    """Every interface ocpikit implements, in the order version details list them."""
    from ocpikit.modules.cdrs.api import INTERFACES as cdrs
    from ocpikit.modules.chargingprofiles.api import INTERFACES as chargingprofiles
    from ocpikit.modules.commands.api import INTERFACES as commands
    from ocpikit.modules.credentials.api import INTERFACES as credentials
    from ocpikit.modules.hubclientinfo.api import INTERFACES as hubclientinfo
    from ocpikit.modules.locations.api import INTERFACES as locations
    from ocpikit.modules.sessions.api import INTERFACES as sessions
    from ocpikit.modules.tariffs.api import INTERFACES as tariffs
    from ocpikit.modules.tokens.api import INTERFACES as tokens

    return [
        *credentials,
        *locations,
        *sessions,
        *cdrs,
        *tariffs,
        *tokens,
        *commands,
        *chargingprofiles,
        *hubclientinfo,
    ]


def mount(app: FastAPI, node: Node, interfaces: list[Interface] | None = None) -> None:
    """Mount the interfaces the node's local parties offer, for every version it offers.

    A version whose credentials carry roles is mounted once for every local party; a
    per-party version (2.1.1) once per CPO or eMSP party, with only that party's interfaces.
    """
    chosen = interfaces if interfaces is not None else all_interfaces()
    for profile in node.versions():
        if not profile.per_party:
            node.endpoints[profile.version] = _mount(app, node, profile, chosen, node.roles())
            continue
        for party in node.per_party_parties():
            key = node.endpoints_key(profile.version, party)
            node.endpoints[key] = _mount(app, node, profile, chosen, {party.role}, party)


def _mount(
    app: FastAPI,
    node: Node,
    profile: VersionProfile,
    interfaces: list[Interface],
    roles: set[str],
    party: LocalParty | None = None,
) -> list[dict[str, str]]:
    """Mount one version's interfaces for ``roles``; returns what its details list."""
    listed: list[dict[str, str]] = []
    edge = [Depends(set_edge(Edge(profile, party)))]
    for interface in interfaces:
        if interface.versions is not None and profile.version not in interface.versions:
            continue
        if interface.module in OCPI_MODULES and interface.module not in profile.modules:
            continue
        if interface.offered_by and not (interface.offered_by & roles):
            continue
        path = interface_path(profile.version, interface, party)
        callers = allowed_callers(interface.module, interface.role)
        guards = [Depends(role_guard(interface.module, callers))] if callers else []
        app.include_router(
            interface.build(profile),
            prefix=path,
            tags=[interface.module],
            dependencies=edge + guards,
        )
        listed.append(
            {"identifier": interface.module, "role": interface.role, "url": node.base_url + path}
        )
    return listed
