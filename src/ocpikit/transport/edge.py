"""Where a request came in: the OCPI version it speaks, and for a per-party version the party.

Every OCPI route is mounted once per version (``modules/registry.py``); a version whose
credentials carry one party (2.1.1) is mounted once per local party. The mount sets the
request's :class:`Edge`, so that handlers written once ask it what differs instead of
comparing version strings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from starlette.requests import Request

from ocpikit.storage.repositories import LocalParty
from ocpikit.transport.headers import RoutingHeaders, routing_headers
from ocpikit.versions import V221, VersionProfile

__all__ = ["Edge", "edge_of", "edge_routing", "set_edge"]


@dataclass(frozen=True, slots=True)
class Edge:
    """The version of a request, and the one local party a per-party version serves."""

    profile: VersionProfile
    party: LocalParty | None = None

    @property
    def version(self) -> str:
        return self.profile.version


_DEFAULT = Edge(V221)


def set_edge(edge: Edge) -> Callable[[Request], Awaitable[None]]:
    """A route dependency recording ``edge`` on the request."""

    async def record(request: Request) -> None:
        request.state.edge = edge

    return record


def edge_routing(request: Request) -> RoutingHeaders:
    """The request's routing headers, addressed to the edge's party at a per-party edge.

    OCPI 2.1.1 has no routing headers: the party a request is for is the one whose URLs it
    came in on.
    """
    routing = routing_headers(request)
    edge = edge_of(request)
    if edge.party is None or routing.to_country_code:
        return routing
    return replace(
        routing, to_country_code=edge.party.country_code, to_party_id=edge.party.party_id
    )


def edge_of(request: Request) -> Edge:
    """The request's edge (2.2.1 for a route mounted without one)."""
    edge: Edge = getattr(request.state, "edge", _DEFAULT)
    return edge
