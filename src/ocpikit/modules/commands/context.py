"""What Commands and ChargingProfiles requests share: who talks to whom, and lookups.

- Our party: the one the ``OCPI-to`` headers name (it must be one of ours), else our first
  party of the module's role.
- The caller's party: the one the ``OCPI-from`` headers name (it must be one of the caller's
  registered roles, TF-63: else 404), else the caller's first role.
"""

from __future__ import annotations

from typing import Any

from ocpikit.catalog import allowed_callers, owner_roles
from ocpikit.errors import NotFound
from ocpikit.node import Node
from ocpikit.protocol.v221.common import DisplayText
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectStore
from ocpikit.transport.headers import RoutingHeaders
from ocpikit.transport.security import Caller

__all__ = ["caller_party", "display", "find_local", "local_party", "owns"]


def local_party(node: Node, routing: RoutingHeaders, roles: frozenset[str]) -> tuple[str, str]:
    """Our party a request is addressed to.

    Raises:
        NotFound: when ``OCPI-to`` names a party that is not ours, or we have none of
            ``roles``.
    """
    if routing.to_country_code and routing.to_party_id:
        for party in node.parties:
            if (party.country_code, party.party_id) == (
                routing.to_country_code,
                routing.to_party_id,
            ):
                return party.country_code, party.party_id
        raise NotFound(f"{routing.to_country_code}/{routing.to_party_id} is not a party here")
    for party in node.parties:
        if party.role in roles:
            return party.country_code, party.party_id
    raise NotFound("This node has no party that receives this request")


def caller_party(
    caller: Caller, routing: RoutingHeaders, module: str, interface: str = "RECEIVER"
) -> tuple[str, str]:
    """The calling party, in a role that may call ``module``'s ``interface``.

    ``OCPI-from`` when sent, else the caller's first such party (``ocpikit/catalog.py``).

    Raises:
        NotFound: when ``OCPI-from`` is not one of the caller's parties in such a role.
    """
    roles = allowed_callers(module, interface)
    assert caller.peer is not None
    for role in caller.peer.roles:
        if roles is not None and role.role not in roles:
            continue
        if not (routing.from_country_code and routing.from_party_id) or caller.peer.owns(
            routing.from_country_code, routing.from_party_id, {role.role}
        ):
            return role.country_code, role.party_id
    if routing.from_country_code and routing.from_party_id:
        raise NotFound(
            f"{routing.from_country_code}/{routing.from_party_id} is not one of your "
            "registered parties in a role that may call this module"
        )
    raise NotFound("The calling peer has no registered party in a role that may call this")


def owns(caller: Caller, country_code: Any, party_id: Any) -> bool:
    """Whether the caller registered this party as the eMSP that owns a Token."""
    return (
        caller.peer is not None
        and isinstance(country_code, str)
        and isinstance(party_id, str)
        and caller.peer.owns(country_code, party_id, owner_roles("tokens"))
    )


async def find_local(
    db: Database, module: str, object_id: str, owner: tuple[str, str]
) -> dict[str, Any] | None:
    """One of our own objects (a Location, a Session) by id, owned by ``owner``."""
    async with db.connect() as conn:
        found = await ObjectStore(conn).find(module, object_id, is_local=True)
    for obj in found:
        if (obj.key.country_code, obj.key.party_id) == (owner[0].upper(), owner[1].upper()):
            return obj.parsed()
    return None


def display(text: str) -> list[DisplayText]:
    """A one-language human message for a response."""
    return [DisplayText(language="en", text=text[:512])]
