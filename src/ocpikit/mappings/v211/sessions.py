"""Sessions: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Part: ``"session"`` (the only one).

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``country_code``, ``party_id`` | (none) | out: dropped; in: from ``ctx`` (the CPO) |
| ``start_date_time``, ``end_date_time`` | ``start_datetime``, ``end_datetime`` | renamed |
| ``cdr_token`` | ``auth_id`` | out: ``cdr_token.contract_id``; in: ``ctx.token(auth_id)``'s uid/type/owner, else uid = contract_id = auth_id, type OTHER, owner ``ctx.peer_*`` or ``ctx`` |
| ``auth_method`` COMMAND | AUTH_REQUEST | out: COMMAND -> AUTH_REQUEST |
| ``authorization_reference`` | (none) | out: dropped |
| ``location_id``, ``evse_uid``, ``connector_id`` | ``location`` (Location with the one EVSE and Connector) | out: ``ctx.location(location_id)`` reduced to that EVSE and Connector, mapped as in Locations (MappingError if unknown, or its Connector standard has no 2.1.1 form); ``#NA`` EVSE: the Location without EVSEs; in: the ids of the Location, its first EVSE and Connector (``#NA`` without them); the rest of the Location is not kept |
| ``total_cost`` Price | ``total_cost`` number (excl. VAT) | out: ``excl_vat`` (``incl_vat`` lost); in: ``{"excl_vat": n}`` |
| ``status`` RESERVATION | PENDING | out: RESERVATION -> PENDING ("it has not yet started") |
| ``charging_periods[].tariff_id`` | (none) | out: dropped |
| ``charging_periods[].dimensions`` | same, 2.1.1 types | out: RESERVATION_TIME -> PARKING_TIME; CURRENT, POWER, MIN/MAX_POWER, ENERGY_IMPORT/EXPORT, STATE_OF_CHARGE dropped, a period left empty dropped; in: FLAT dropped |
| ``meter_id``, ``kwh``, ``currency``, ``id``, ``last_updated`` | same | non-ASCII transliterated |

PATCH bodies map field by field: ``location`` <-> ``location_id``/``evse_uid``/``connector_id``
(out: only when the PATCH has ``location_id``), ``auth_id`` <-> ``cdr_token``.
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from typing import Any

from ocpikit.mappings.context import MapContext
from ocpikit.mappings.v211._charging import (
    NA,
    auth_method_to_wire,
    cdr_token,
    embedded_location,
    periods_to_domain,
    periods_to_wire,
    used_evse_and_connector,
)
from ocpikit.mappings.v211._fields import Rules, ascii_object, check_length, owner, parts, rename

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("session",)

_RULES_OUT: Rules = {
    "id": ("id", None),
    "start_date_time": ("start_datetime", None),
    "end_date_time": ("end_datetime", None),
    "kwh": ("kwh", None),
    "cdr_token": ("auth_id", lambda token: token.get("contract_id")),
    "auth_method": ("auth_method", auth_method_to_wire),
    "meter_id": ("meter_id", None),
    "currency": ("currency", None),
    "charging_periods": ("charging_periods", periods_to_wire),
    "total_cost": ("total_cost", lambda price: price.get("excl_vat")),
    "status": ("status", lambda v: "PENDING" if v == "RESERVATION" else v),
    "last_updated": ("last_updated", None),
}


def _rules_in(ctx: MapContext) -> Rules:
    return {
        "id": ("id", None),
        "start_datetime": ("start_date_time", None),
        "end_datetime": ("end_date_time", None),
        "kwh": ("kwh", None),
        "auth_id": ("cdr_token", lambda auth_id: cdr_token(auth_id, ctx)),
        "auth_method": ("auth_method", None),
        "meter_id": ("meter_id", None),
        "currency": ("currency", None),
        "charging_periods": ("charging_periods", periods_to_domain),
        "total_cost": ("total_cost", lambda cost: {"excl_vat": cost}),
        "status": ("status", None),
        "last_updated": ("last_updated", None),
    }


def _location_out(domain: dict[str, Any], ctx: MapContext) -> dict[str, Any]:
    if domain.get("location_id") is None:
        return {}
    evse_uid = domain.get("evse_uid")
    connector_id = domain.get("connector_id")
    return {"location": embedded_location(ctx, domain["location_id"], evse_uid, connector_id)}


def _location_in(wire: dict[str, Any]) -> dict[str, Any]:
    location = wire.get("location")
    if not isinstance(location, dict):
        return {}
    evse, connector = used_evse_and_connector(location)
    return {
        "location_id": check_length(location["id"], 36, "location.id"),
        "evse_uid": check_length(evse["uid"], 36, "location.evses.0.uid") if evse else NA,
        "connector_id": connector["id"] if connector else NA,
    }


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "session") -> dict[str, Any]:
    """A complete domain Session as a complete 2.1.1 one (Location from ``ctx.location``).

    Raises:
        MappingError: the Location is unknown, or its Connector has no 2.1.1 standard.
    """
    parts(part, PARTS)
    return ascii_object({**rename(domain, _RULES_OUT), **_location_out(domain, ctx)})


def patch_to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "session") -> dict[str, Any]:
    """A domain Session PATCH body as a 2.1.1 one."""
    return to_wire(domain, ctx, part)


def to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "session") -> dict[str, Any]:
    """A complete 2.1.1 Session as a complete domain one (owner from ``ctx``)."""
    parts(part, PARTS)
    return {**owner(ctx), **rename(wire, _rules_in(ctx)), **_location_in(wire)}


def patch_to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "session") -> dict[str, Any]:
    """A 2.1.1 Session PATCH body as a domain one (no owner, no ``last_updated`` added)."""
    parts(part, PARTS)
    return {**rename(wire, _rules_in(ctx)), **_location_in(wire)}
