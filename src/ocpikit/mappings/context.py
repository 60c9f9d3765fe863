"""What a mapping needs besides the object itself, and the error of what cannot be mapped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["MapContext", "MappingError"]


def _none(_key: str) -> dict[str, Any] | None:
    return None


@dataclass(frozen=True, slots=True)
class MapContext:
    """What a mapping needs besides the object itself.

    Attributes:
        country_code: the party that owns the objects (for 2.1.1 inbound: the peer's
            credentials party; for outbound: our party).
        party_id: see ``country_code``.
        peer_country_code: the other side's party, when known (e.g. the eMSP that owns the
            token of a CDR).
        peer_party_id: see ``peer_country_code``.
        location: domain Location JSON by id (Sessions and CDRs to 2.1.1 embed the Location).
        token: domain Token JSON by key. The 2.1.1 Session/CDR mappings call it with the
            2.1.1 ``auth_id``, which is the 2.2.1 ``contract_id``: look the token up by
            ``contract_id`` (a lookup by ``uid`` as well does no harm; the mapping keeps a
            result only if its ``contract_id`` or ``uid`` equals the key).
        tariff: domain Tariff JSON by id (a Connector's ``tariff_ids`` to the one 2.1.1
            ``tariff_id``).
    """

    country_code: str
    party_id: str
    peer_country_code: str | None = None
    peer_party_id: str | None = None
    location: Callable[[str], dict[str, Any] | None] = _none
    token: Callable[[str], dict[str, Any] | None] = _none
    tariff: Callable[[str], dict[str, Any] | None] = _none


class MappingError(ValueError):
    """An object that has no form in the target version (not a validation error).

    Inbound, answer it like invalid data (OCPI 2001); outbound, skip the object for that peer.
    ``field`` names the offending field, dotted (``evses.0.uid``), when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
