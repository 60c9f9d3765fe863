"""CDRs: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Part: ``"cdr"`` (the only one).

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``country_code``, ``party_id`` | (none) | out: dropped; in: from ``ctx`` (the CPO) |
| ``id`` CiString(39) | ``id`` CiString(36) | out: an id over 36 characters raises MappingError |
| ``end_date_time`` | ``stop_date_time`` | renamed |
| ``cdr_token`` | ``auth_id`` | as in Sessions |
| ``auth_method`` COMMAND | AUTH_REQUEST | out: COMMAND -> AUTH_REQUEST |
| ``session_id``, ``authorization_reference`` | (none) | out: dropped |
| ``cdr_location`` | ``location`` | out: ``ctx.location(cdr_location.id)`` reduced to the EVSE and Connector used (MappingError if unknown), with the CDR's own name, address, city, postal code, country, coordinates, ``evse_id`` and connector standard/format/power type over it (no name, no postal code in the CDR: none in the Location); in: ``cdr_location`` from the Location and its first EVSE and Connector (``evse_id`` = the EVSE's, else its ``uid``; MappingError without an EVSE and Connector); type, opening times, EVSE status, voltage, amperage... are not kept |
| ``tariffs`` | ``tariffs`` | mapped as in Tariffs; out: a tariff with no 2.1.1 form is left out |
| ``charging_periods`` | same, 2.1.1 types | as in Sessions; MappingError if no period is left |
| ``signed_data`` | (none) | out: dropped |
| ``total_cost`` Price | ``total_cost`` number (excl. VAT) | out: ``excl_vat``; in: ``{"excl_vat": n}`` |
| ``total_fixed_cost``, ``total_energy_cost``, ``total_time_cost``, ``total_parking_cost``, ``total_reservation_cost`` | (none) | out: dropped |
| ``invoice_reference_id``, ``credit``, ``credit_reference_id``, ``home_charging_compensation`` | (none) | out: dropped; a Credit CDR goes out as a CDR with a negative ``total_cost`` (2.1.1 has no credit CDRs: callers may prefer not to send it) |
| ``total_energy``, ``total_time``, ``total_parking_time``, ``remark``, ``meter_id``, ``currency`` | same | text transliterated to ASCII |

CDRs have no PATCH; ``patch_to_*`` map whatever fields they are given with the same table.
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211 import locations, tariffs
from ocpikit.mappings.v211._charging import (
    auth_method_to_wire,
    cdr_token,
    embedded_location,
    periods_to_domain,
    periods_to_wire,
    used_evse_and_connector,
)
from ocpikit.mappings.v211._fields import (
    Rules,
    ascii_object,
    check_length,
    owner,
    parts,
    rename,
)

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("cdr",)


def _tariffs_out(ctx: MapContext) -> Any:
    def convert(domain: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for tariff in domain:
            try:
                out.append(tariffs.to_wire(tariff, ctx))
            except MappingError:
                continue
        return out

    return convert


def _periods_out(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mapped = periods_to_wire(periods)
    if not mapped:
        raise MappingError("no charging period has a 2.1.1 dimension", field="charging_periods")
    return mapped


def _rules_out(ctx: MapContext) -> Rules:
    return {
        "id": ("id", lambda v: check_length(v, 36, "id")),
        "start_date_time": ("start_date_time", None),
        "end_date_time": ("stop_date_time", None),
        "cdr_token": ("auth_id", lambda token: token.get("contract_id")),
        "auth_method": ("auth_method", auth_method_to_wire),
        "cdr_location": ("location", lambda location: _location_out(location, ctx)),
        "meter_id": ("meter_id", None),
        "currency": ("currency", None),
        "tariffs": ("tariffs", _tariffs_out(ctx)),
        "charging_periods": ("charging_periods", _periods_out),
        "total_cost": ("total_cost", lambda price: price.get("excl_vat")),
        "total_energy": ("total_energy", None),
        "total_time": ("total_time", None),
        "total_parking_time": ("total_parking_time", None),
        "remark": ("remark", None),
        "last_updated": ("last_updated", None),
    }


_SNAPSHOT = ("name", "address", "city", "postal_code", "country", "coordinates")


def _location_out(cdr_location: dict[str, Any], ctx: MapContext) -> dict[str, Any]:
    evse_uid, connector_id = cdr_location.get("evse_uid"), cdr_location.get("connector_id")
    wire = embedded_location(ctx, cdr_location["id"], evse_uid, connector_id)
    snapshot = {k: cdr_location[k] for k in _SNAPSHOT if cdr_location.get(k) is not None}
    overlay = locations.to_wire(snapshot, ctx, "location")
    wire.update({k: overlay[k] for k in snapshot})
    # The CDR's snapshot is what was true then: no name then is no name now.
    if "name" not in snapshot:
        wire.pop("name", None)
    if "postal_code" not in snapshot:
        wire["postal_code"] = ""
    if not wire.get("evses"):
        raise MappingError(f"EVSE {evse_uid} is not in location", field="cdr_location.evse_uid")
    evse = wire["evses"][0]
    connector = evse["connectors"][0]
    if cdr_location.get("evse_id") not in (None, "#NA"):
        evse["evse_id"] = cdr_location["evse_id"]
    standard = locations.standard_to_wire(cdr_location.get("connector_standard", ""))
    if standard is not None:
        connector["standard"] = standard
    if cdr_location.get("connector_format"):
        connector["format"] = cdr_location["connector_format"]
    if cdr_location.get("connector_power_type"):
        power_type = locations.power_type_to_wire(cdr_location["connector_power_type"])
        connector["power_type"] = power_type
    return wire


def _cdr_location_in(location: dict[str, Any]) -> dict[str, Any]:
    evse, connector = used_evse_and_connector(location)
    if evse is None or connector is None:
        raise MappingError(
            "a CDR's Location must have the EVSE and Connector used", field="location"
        )
    out: dict[str, Any] = {"id": check_length(location["id"], 36, "location.id")}
    for key in _SNAPSHOT:
        if location.get(key) not in (None, ""):
            out[key] = location[key]
    out["evse_uid"] = check_length(evse["uid"], 36, "location.evses.0.uid")
    out["evse_id"] = evse.get("evse_id") or evse["uid"]
    out["connector_id"] = connector["id"]
    out["connector_standard"] = connector["standard"]
    out["connector_format"] = connector["format"]
    out["connector_power_type"] = connector["power_type"]
    return out


def _rules_in(ctx: MapContext) -> Rules:
    return {
        "id": ("id", None),
        "start_date_time": ("start_date_time", None),
        "stop_date_time": ("end_date_time", None),
        "auth_id": ("cdr_token", lambda auth_id: cdr_token(auth_id, ctx)),
        "auth_method": ("auth_method", None),
        "location": ("cdr_location", _cdr_location_in),
        "meter_id": ("meter_id", None),
        "currency": ("currency", None),
        "tariffs": ("tariffs", lambda ts: [tariffs.to_domain(t, ctx) for t in ts]),
        "charging_periods": ("charging_periods", periods_to_domain),
        "total_cost": ("total_cost", lambda cost: {"excl_vat": cost}),
        "total_energy": ("total_energy", None),
        "total_time": ("total_time", None),
        "total_parking_time": ("total_parking_time", None),
        "remark": ("remark", None),
        "last_updated": ("last_updated", None),
    }


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "cdr") -> dict[str, Any]:
    """A complete domain CDR as a complete 2.1.1 one (Location from ``ctx.location``).

    Raises:
        MappingError: an id over 36 characters; the Location, EVSE or Connector unknown or
            not representable; no charging period left.
    """
    parts(part, PARTS)
    return ascii_object(rename(domain, _rules_out(ctx)))


def patch_to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "cdr") -> dict[str, Any]:
    """Partial domain CDR fields as 2.1.1 ones (CDRs have no PATCH)."""
    return to_wire(domain, ctx, part)


def to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "cdr") -> dict[str, Any]:
    """A complete 2.1.1 CDR as a complete domain one (owner from ``ctx``).

    Raises:
        MappingError: a Location without EVSE or Connector, or ids over 36 characters.
    """
    parts(part, PARTS)
    return {**owner(ctx), **rename(wire, _rules_in(ctx))}


def patch_to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "cdr") -> dict[str, Any]:
    """Partial 2.1.1 CDR fields as domain ones (CDRs have no PATCH)."""
    parts(part, PARTS)
    return rename(wire, _rules_in(ctx))
