"""What 2.1.1 Sessions and CDRs share: the token by ``auth_id``, the embedded Location, periods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211 import locations

__all__ = [
    "NA",
    "auth_method_to_wire",
    "cdr_token",
    "embedded_location",
    "periods_to_domain",
    "periods_to_wire",
    "used_evse_and_connector",
]

# The 2.2.1 placeholder for an EVSE or Connector a reservation does not know yet.
NA = "#NA"

# Dimension types 2.1.1 has, and the nearest 2.1.1 type of the ones it lacks:
# RESERVATION_TIME is time reserved and not charging, which is what 2.1.1 PARKING_TIME is
# ("time not charging"). CURRENT, POWER, MIN/MAX_POWER, ENERGY_IMPORT/EXPORT, STATE_OF_CHARGE
# are dropped (measurements 2.1.1 has no place for).
_DIMENSIONS_OUT = {
    "ENERGY": "ENERGY",
    "MAX_CURRENT": "MAX_CURRENT",
    "MIN_CURRENT": "MIN_CURRENT",
    "PARKING_TIME": "PARKING_TIME",
    "TIME": "TIME",
    "RESERVATION_TIME": "PARKING_TIME",
}
# 2.1.1 FLAT ("flat fee, no unit") has no 2.2.1 CdrDimensionType: dropped.
_DIMENSIONS_IN = {"ENERGY", "MAX_CURRENT", "MIN_CURRENT", "PARKING_TIME", "TIME"}


def auth_method_to_wire(value: str) -> str:
    """COMMAND (2.2) -> AUTH_REQUEST: a remote start is authorized by the eMSP itself."""
    return "AUTH_REQUEST" if value == "COMMAND" else value


def _period(period: Mapping[str, Any], keep: Mapping[str, str]) -> dict[str, Any] | None:
    dimensions = [
        {"type": keep[d["type"]], "volume": d["volume"]}
        for d in period.get("dimensions", [])
        if d.get("type") in keep
    ]
    if not dimensions:
        return None
    return {"start_date_time": period["start_date_time"], "dimensions": dimensions}


def periods_to_wire(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ChargingPeriods without ``tariff_id``; a period left without dimensions is dropped."""
    mapped = [_period(p, _DIMENSIONS_OUT) for p in periods]
    return [p for p in mapped if p is not None]


def periods_to_domain(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ChargingPeriods without FLAT dimensions; a period left without dimensions is dropped."""
    keep = {t: t for t in _DIMENSIONS_IN}
    mapped = [_period(p, keep) for p in periods]
    return [p for p in mapped if p is not None]


def cdr_token(auth_id: str, ctx: MapContext) -> dict[str, Any]:
    """The 2.2.1 CdrToken of a 2.1.1 ``auth_id`` (the 2.2.1 ``contract_id``).

    A token ``ctx.token(auth_id)`` knows (by ``contract_id``, or ``uid``) gives its own
    ``country_code``, ``party_id``, ``uid``, ``type`` and ``contract_id``. An unknown one gives
    ``uid`` = ``contract_id`` = ``auth_id``, ``type`` OTHER (``auth_id`` is a contract id, not
    the id of an RFID card, and nothing says what carried it), and the owner
    ``ctx.peer_country_code``/``peer_party_id`` (the eMSP), else ``ctx``'s party.
    """
    token = ctx.token(auth_id)
    if token is not None and auth_id in (token.get("contract_id"), token.get("uid")):
        keys = ("country_code", "party_id", "uid", "type", "contract_id")
        return {key: token[key] for key in keys if key in token}
    return {
        "country_code": ctx.peer_country_code or ctx.country_code,
        "party_id": ctx.peer_party_id or ctx.party_id,
        "uid": auth_id,
        "type": "OTHER",
        "contract_id": auth_id,
    }


def embedded_location(
    ctx: MapContext, location_id: str, evse_uid: str | None, connector_id: str | None
) -> dict[str, Any]:
    """The 2.1.1 Location of a Session or CDR, with only the EVSE and Connector used.

    The Location is ``ctx.location(location_id)``; it has no EVSE when the EVSE is not in it
    (e.g. ``#NA`` of a reservation).

    Raises:
        MappingError: the Location is unknown, or the Connector used has no 2.1.1 standard.
    """
    domain = ctx.location(location_id)
    if domain is None:
        raise MappingError(f"location {location_id} is unknown", field="location_id")
    reduced = dict(domain)
    reduced.pop("evses", None)
    reduced.pop("publish", None)  # the Session's Location is the Session's, published or not
    for evse in domain.get("evses") or []:
        if evse.get("uid") != evse_uid:
            continue
        connectors = [c for c in evse.get("connectors", []) if c.get("id") == connector_id]
        if connectors:
            reduced["evses"] = [{**evse, "connectors": connectors}]
    wire = locations.to_wire(reduced, ctx, "location")
    if "evses" in reduced and not wire.get("evses"):
        standard = reduced["evses"][0]["connectors"][0].get("standard")
        raise MappingError(
            f"connector standard {standard} has no OCPI 2.1.1 equivalent", field="connector_id"
        )
    return wire


def used_evse_and_connector(
    location: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The EVSE and Connector a 2.1.1 Session/CDR Location names: the first of each.

    The spec says the Location includes "only the relevant EVSE and connector"; a sender that
    includes more is read as meaning its first.
    """
    evses = location.get("evses") or []
    if not evses:
        return None, None
    connectors = evses[0].get("connectors") or []
    return evses[0], (connectors[0] if connectors else None)
