"""Credentials: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Part: ``"credentials"`` (the only one).

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``token``, ``url`` | same | |
| ``roles[]`` (role, business_details, party_id, country_code) | ``business_details``, ``party_id``, ``country_code`` (one party, no role) | out: the role whose party is ``ctx``'s, else the first; the other roles are dropped (2.1.1 has one party per connection); in: one CredentialsRole per role of the ``roles=`` keyword, all with the one party |

``to_domain`` needs ``roles=`` (e.g. ``("CPO",)``): a 2.1.1 Credentials object carries no role,
and which role a 2.1.1 peer plays is known only from how the connection was set up (2.1.1 has
separate ``/cpo/`` and ``/emsp/`` versions endpoints). Without it, MappingError.
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211._fields import ascii_object, parts

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("credentials",)
_PARTY = ("business_details", "party_id", "country_code")


def _role_of(domain: dict[str, Any], ctx: MapContext) -> dict[str, Any]:
    roles: list[dict[str, Any]] = domain.get("roles") or []
    for role in roles:
        if (role.get("country_code"), role.get("party_id")) == (ctx.country_code, ctx.party_id):
            return role
    return roles[0] if roles else {}


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "credentials") -> dict[str, Any]:
    """Domain Credentials (roles list) as 2.1.1 Credentials (one party: ``ctx``'s role)."""
    parts(part, PARTS)
    out = {k: domain[k] for k in ("token", "url") if domain.get(k) is not None}
    role = _role_of(domain, ctx)
    out.update({k: role[k] for k in _PARTY if role.get(k) is not None})
    return ascii_object(out)


def patch_to_wire(
    domain: dict[str, Any], ctx: MapContext, part: str = "credentials"
) -> dict[str, Any]:
    """Partial domain Credentials as 2.1.1 ones (Credentials have no PATCH)."""
    return to_wire(domain, ctx, part)


def to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "credentials",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """2.1.1 Credentials as domain Credentials with one CredentialsRole per role.

    Args:
        wire: the 2.1.1 Credentials.
        ctx: not used (the party is in the object).
        part: ``"credentials"``.
        roles: the roles the 2.1.1 party plays (``"CPO"``, ``"EMSP"``...), required.

    Raises:
        MappingError: without ``roles``.
    """
    parts(part, PARTS)
    if not roles:
        raise MappingError("2.1.1 Credentials carry no role: pass roles=", field="roles")
    out = {k: wire[k] for k in ("token", "url") if wire.get(k) is not None}
    party = {k: wire[k] for k in _PARTY if wire.get(k) is not None}
    out["roles"] = [{"role": role, **party} for role in roles]
    return out


def patch_to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "credentials",
    *,
    roles: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Partial 2.1.1 Credentials as domain ones; ``roles`` only when ``roles=`` is given."""
    parts(part, PARTS)
    out = {k: wire[k] for k in ("token", "url") if wire.get(k) is not None}
    party = {k: wire[k] for k in _PARTY if wire.get(k) is not None}
    if roles:
        out["roles"] = [{"role": role, **party} for role in roles]
    return out
