"""The identity mapping of OCPI 2.2.1, for every module and part.

Each function returns its argument unchanged (the same dict). Keyword options that other
versions' mappings take (``roles``, ``token``...) are accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from ocpikit.mappings.context import MapContext

__all__ = ["patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]


def to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "", **_: Any) -> dict[str, Any]:
    """Return ``wire`` unchanged: a 2.2.1 object is a domain object."""
    return wire


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "", **_: Any) -> dict[str, Any]:
    """Return ``domain`` unchanged: a domain object is a 2.2.1 object."""
    return domain


def patch_to_domain(
    wire: dict[str, Any], ctx: MapContext, part: str = "", **_: Any
) -> dict[str, Any]:
    """Return ``wire`` unchanged: a 2.2.1 PATCH body is a partial domain object."""
    return wire


def patch_to_wire(
    domain: dict[str, Any], ctx: MapContext, part: str = "", **_: Any
) -> dict[str, Any]:
    """Return ``domain`` unchanged: a partial domain object is a 2.2.1 PATCH body."""
    return domain
