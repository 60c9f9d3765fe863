"""Versions: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Parts: ``"version_details"`` (default), ``"version"`` (one entry of the versions list: the same
in both versions).

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| Endpoint ``role`` SENDER/RECEIVER | (none) | out: dropped, one endpoint per module (with ``roles=``: the interface those roles serve, else the first); in: from the ``roles=`` keyword (the peer's roles): CPO: locations, sessions, cdrs, tariffs SENDER, tokens, commands RECEIVER; EMSP: the other way round; credentials SENDER; custom modules both |
| chargingprofiles, hubclientinfo endpoints | (none) | out: dropped (not 2.1.1 modules) |
| ``version`` | ``version`` | same |
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211._fields import parts

__all__ = ["INTERFACE_ROLES", "PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("version_details", "version")

# The interface each party role serves per 2.1.1 module (as the node's 2.2.1 details list them).
INTERFACE_ROLES: dict[str, dict[str, str]] = {
    "CPO": {
        "cdrs": "SENDER",
        "commands": "RECEIVER",
        "credentials": "SENDER",
        "locations": "SENDER",
        "sessions": "SENDER",
        "tariffs": "SENDER",
        "tokens": "RECEIVER",
    },
    "EMSP": {
        "cdrs": "RECEIVER",
        "commands": "SENDER",
        "credentials": "SENDER",
        "locations": "RECEIVER",
        "sessions": "RECEIVER",
        "tariffs": "RECEIVER",
        "tokens": "SENDER",
    },
}
_NOT_211 = {"chargingprofiles", "hubclientinfo"}


def _wanted(identifier: str, roles: Sequence[str]) -> set[str]:
    known = [
        INTERFACE_ROLES[r][identifier] for r in roles if identifier in INTERFACE_ROLES.get(r, {})
    ]
    return set(known) or {"SENDER", "RECEIVER"}


def to_wire(
    domain: dict[str, Any],
    ctx: MapContext,
    part: str = "version_details",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Domain (2.2.1) version details as 2.1.1 ones: one endpoint per module, no role.

    Args:
        domain: the 2.2.1-shaped version details.
        ctx: not used.
        part: ``"version_details"`` or ``"version"``.
        roles: our roles, to keep the endpoint of the interface they serve when a module is
            listed twice (SENDER and RECEIVER); without them the first is kept.
    """
    part = parts(part, PARTS)
    if part == "version":
        return dict(domain)
    endpoints: dict[str, dict[str, Any]] = {}
    for endpoint in domain.get("endpoints", []):
        identifier = endpoint["identifier"]
        if identifier in _NOT_211:
            continue
        preferred = roles is not None and endpoint.get("role") in _wanted(identifier, roles)
        if identifier not in endpoints or (preferred and not endpoints[identifier]["preferred"]):
            endpoints[identifier] = {"url": endpoint["url"], "preferred": preferred}
    out: dict[str, Any] = {k: v for k, v in domain.items() if k == "version"}
    if "endpoints" in domain:
        out["endpoints"] = [{"identifier": k, "url": v["url"]} for k, v in endpoints.items()]
    return out


def patch_to_wire(
    domain: dict[str, Any],
    ctx: MapContext,
    part: str = "version_details",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Same as :func:`to_wire` (version details have no PATCH)."""
    return to_wire(domain, ctx, part, roles=roles)


def to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "version_details",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """2.1.1 version details as domain (2.2.1) ones, each endpoint with its role(s).

    Args:
        wire: the 2.1.1 version details.
        ctx: not used.
        part: ``"version_details"`` or ``"version"``.
        roles: the peer's roles (``"CPO"``, ``"EMSP"``), required for ``"version_details"``.

    Raises:
        MappingError: version details without ``roles``.
    """
    part = parts(part, PARTS)
    if part == "version":
        return dict(wire)
    if not roles:
        raise MappingError("2.1.1 endpoints carry no role: pass roles=", field="roles")
    out: dict[str, Any] = {k: v for k, v in wire.items() if k == "version"}
    if "endpoints" in wire:
        out["endpoints"] = [
            {"identifier": e["identifier"], "role": role, "url": e["url"]}
            for e in wire["endpoints"]
            for role in sorted(_wanted(e["identifier"], roles), reverse=True)
        ]
    return out


def patch_to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "version_details",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Same as :func:`to_domain` (version details have no PATCH)."""
    return to_domain(wire, ctx, part, roles=roles)
