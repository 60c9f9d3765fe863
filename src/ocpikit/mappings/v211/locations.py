"""Locations: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Parts: ``"location"`` (default), ``"evse"``, ``"connector"``.

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``country_code``, ``party_id`` | (none) | out: dropped; in: from ``ctx`` |
| ``publish``, ``publish_allowed_to`` | (none) | out: dropped; an unpublished Location (``publish=false``) has no 2.1.1 form (MappingError: never sent to 2.1.1 peers, which have no flag to honour); in: ``publish=true`` |
| ``id`` CiString(36) | ``id`` string(39) | in: an id over 36 characters raises MappingError |
| ``parking_type`` ? | ``type`` 1 | out: ALONG_MOTORWAY, ON_DRIVEWAY -> OTHER; absent -> UNKNOWN; in: OTHER, UNKNOWN -> absent |
| ``name`` | ``name`` | non-ASCII transliterated (all text: ``Liège`` -> ``Liege``) |
| ``address`` string(255) | ``address`` string(45) | out: cut to 45 characters |
| ``postal_code`` ? | ``postal_code`` 1 | out: absent -> ``""``; in: ``""`` -> absent |
| ``state`` | (none) | out: dropped |
| ``coordinates``, ``related_locations`` (5-7 decimals) | same (6 decimals) | out: rounded to 6 decimals |
| ``time_zone`` 1 | ``time_zone`` ? | in: absent -> the zone of ``zone.tab`` whose principal city is nearest to the coordinates |
| ``facilities`` | ``facilities`` | out: METRO_STATION -> TRAIN_STATION, TRAM_STOP -> BUS_STOP, BIKE_SHARING and PARKING_LOT dropped |
| ``opening_times`` | ``opening_times`` | in: ``twentyfourseven`` absent -> false; ``period_end`` "24:00" -> "23:59"; ``twentyfourseven=false`` without regular hours raises MappingError |
| ``energy_mix.environ_impact[].category`` | ``...[].source`` | renamed |
| EVSE ``uid`` CiString(36) | ``uid`` string(39) | in: over 36 characters raises MappingError |
| EVSE ``capabilities`` | ``capabilities`` | out: the 7 values 2.1.1 lacks (CHARGING_PREFERENCES_CAPABLE, CHIP_CARD_SUPPORT, CONTACTLESS_CARD_SUPPORT, DEBIT_CARD_PAYABLE, PED_TERMINAL, START_SESSION_CONNECTOR_REQUIRED, TOKEN_GROUP_CAPABLE) dropped |
| Connector ``standard`` | ``standard`` | out: NEMA_5_20 -> DOMESTIC_B (same NEMA 5 family); other types 2.1.1 lacks (CHAOJI, GBT_*, DOMESTIC_M/N/O, other NEMA, PANTOGRAPH_*): the Connector is dropped, an EVSE left without Connectors is dropped; for part ``connector`` (or a Session/CDR's Connector) MappingError |
| Connector ``power_type`` | ``power_type`` | out: AC_2_PHASE, AC_2_PHASE_SPLIT -> AC_1_PHASE |
| Connector ``max_voltage``, ``max_amperage`` | ``voltage``, ``amperage`` | renamed |
| Connector ``max_electric_power`` | (none) | out: dropped |
| Connector ``tariff_ids`` * | ``tariff_id`` ? | out: the first id whose Tariff (``ctx.tariff``) has no ``type`` or REGULAR, else the first; in: ``[tariff_id]`` |

Other fields are the same in both versions. PATCH bodies map field by field with the same table;
2.1.1 PATCHes may lack ``last_updated``: the caller stamps the domain PATCH.
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211._fields import (
    Rules,
    ascii_object,
    ascii_text,
    check_length,
    coordinates_to_wire,
    energy_mix_to_domain,
    energy_mix_to_wire,
    owner,
    parts,
    rename,
)

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("location", "evse", "connector")

_TYPE_OUT = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
    "ALONG_MOTORWAY": "OTHER",
    "ON_DRIVEWAY": "OTHER",
}
_TYPE_IN = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
}
_FACILITIES_211 = {
    "HOTEL",
    "RESTAURANT",
    "CAFE",
    "MALL",
    "SUPERMARKET",
    "SPORT",
    "RECREATION_AREA",
    "NATURE",
    "MUSEUM",
    "BUS_STOP",
    "TAXI_STAND",
    "TRAIN_STATION",
    "AIRPORT",
    "CARPOOL_PARKING",
    "FUEL_STATION",
    "WIFI",
}
_FACILITY_NEAREST = {"METRO_STATION": "TRAIN_STATION", "TRAM_STOP": "BUS_STOP"}
_CAPABILITIES_211 = {
    "CHARGING_PROFILE_CAPABLE",
    "CREDIT_CARD_PAYABLE",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "UNLOCK_CAPABLE",
}
_STANDARDS_211 = {
    "CHADEMO",
    *(f"DOMESTIC_{x}" for x in "ABCDEFGHIJKL"),
    "IEC_60309_2_single_16",
    "IEC_60309_2_three_16",
    "IEC_60309_2_three_32",
    "IEC_60309_2_three_64",
    "IEC_62196_T1",
    "IEC_62196_T1_COMBO",
    "IEC_62196_T2",
    "IEC_62196_T2_COMBO",
    "IEC_62196_T3A",
    "IEC_62196_T3C",
    "TESLA_R",
    "TESLA_S",
}
_STANDARD_NEAREST = {"NEMA_5_20": "DOMESTIC_B"}
_POWER_OUT = {"AC_2_PHASE": "AC_1_PHASE", "AC_2_PHASE_SPLIT": "AC_1_PHASE"}


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _facilities_out(values: list[str]) -> list[str]:
    mapped = [_FACILITY_NEAREST.get(v, v) for v in values]
    return _unique([v for v in mapped if v in _FACILITIES_211])


def _capabilities_out(values: list[str]) -> list[str]:
    return [v for v in values if v in _CAPABILITIES_211]


def standard_to_wire(value: str) -> str | None:
    """The 2.1.1 ConnectorType of a 2.2.1 one, or None when 2.1.1 has no equivalent."""
    value = _STANDARD_NEAREST.get(value, value)
    return value if value in _STANDARDS_211 else None


def power_type_to_wire(value: str) -> str:
    """The 2.1.1 PowerType of a 2.2.1 one (two-phase AC is sent as single-phase)."""
    return _POWER_OUT.get(value, value)


def _pick_tariff(ctx: MapContext) -> Any:
    def pick(ids: list[str]) -> str | None:
        for tariff_id in ids:
            tariff = ctx.tariff(tariff_id)
            if tariff is None or tariff.get("type") in (None, "REGULAR"):
                return tariff_id
        return ids[0] if ids else None

    return pick


def _related_out(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [coordinates_to_wire(p) for p in points]


def _connector_rules_out(ctx: MapContext) -> Rules:
    return {
        "id": ("id", None),
        "standard": ("standard", standard_to_wire),
        "format": ("format", None),
        "power_type": ("power_type", power_type_to_wire),
        "max_voltage": ("voltage", None),
        "max_amperage": ("amperage", None),
        "tariff_ids": ("tariff_id", _pick_tariff(ctx)),
        "terms_and_conditions": ("terms_and_conditions", None),
        "last_updated": ("last_updated", None),
    }


def _connectors_out(ctx: MapContext) -> Any:
    def convert(connectors: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        mapped = [_connector_out(c, ctx) for c in connectors]
        kept = [c for c in mapped if c is not None]
        return kept or None

    return convert


def _connector_out(connector: Mapping[str, Any], ctx: MapContext) -> dict[str, Any] | None:
    out = rename(connector, _connector_rules_out(ctx))
    if "standard" in connector and "standard" not in out:
        return None
    return out


def _evse_rules_out(ctx: MapContext) -> Rules:
    return {
        "uid": ("uid", None),
        "evse_id": ("evse_id", None),
        "status": ("status", None),
        "status_schedule": ("status_schedule", None),
        "capabilities": ("capabilities", _capabilities_out),
        "connectors": ("connectors", _connectors_out(ctx)),
        "floor_level": ("floor_level", None),
        "coordinates": ("coordinates", coordinates_to_wire),
        "physical_reference": ("physical_reference", None),
        "directions": ("directions", None),
        "parking_restrictions": ("parking_restrictions", None),
        "images": ("images", None),
        "last_updated": ("last_updated", None),
    }


def _evse_out(evse: Mapping[str, Any], ctx: MapContext) -> dict[str, Any] | None:
    out = rename(evse, _evse_rules_out(ctx))
    if "connectors" in evse and "connectors" not in out:
        return None
    return out


def _evses_out(ctx: MapContext) -> Any:
    def convert(evses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        mapped = [_evse_out(e, ctx) for e in evses]
        return [e for e in mapped if e is not None]

    return convert


def _location_rules_out(ctx: MapContext) -> Rules:
    return {
        "id": ("id", None),
        "parking_type": ("type", _TYPE_OUT.get),
        "name": ("name", lambda v: ascii_text(v, 255)),
        "address": ("address", lambda v: ascii_text(v, 45)),
        "city": ("city", lambda v: ascii_text(v, 45)),
        "postal_code": ("postal_code", lambda v: ascii_text(v, 10)),
        "country": ("country", None),
        "coordinates": ("coordinates", coordinates_to_wire),
        "related_locations": ("related_locations", _related_out),
        "evses": ("evses", _evses_out(ctx)),
        "directions": ("directions", None),
        "operator": ("operator", None),
        "suboperator": ("suboperator", None),
        "owner": ("owner", None),
        "facilities": ("facilities", _facilities_out),
        "time_zone": ("time_zone", None),
        "opening_times": ("opening_times", None),
        "charging_when_closed": ("charging_when_closed", None),
        "images": ("images", None),
        "energy_mix": ("energy_mix", energy_mix_to_wire),
        "last_updated": ("last_updated", None),
    }


def _no_equivalent(what: str) -> MappingError:
    return MappingError(f"{what} has no OCPI 2.1.1 equivalent", field="standard")


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "location") -> dict[str, Any]:
    """A complete domain Location, EVSE or Connector as a complete 2.1.1 one.

    Raises:
        MappingError: for an EVSE none of whose Connectors exists in 2.1.1, a Connector
            whose standard does not, or an unpublished Location.
    """
    part = parts(part, PARTS)
    if part == "connector":
        connector = _connector_out(domain, ctx)
        if connector is None:
            raise _no_equivalent(f"connector standard {domain.get('standard')}")
        return ascii_object(connector)
    if part == "evse":
        evse = _evse_out(domain, ctx)
        if evse is None:
            raise _no_equivalent(f"EVSE {domain.get('uid')} (no connector standard)")
        return ascii_object(evse)
    if domain.get("publish") is False:
        # 2.1.1 has no publish flag: a 2.1.1 eMSP would show it to anyone (LOC-07).
        raise MappingError("an unpublished Location has no OCPI 2.1.1 form", field="publish")
    out = rename(domain, _location_rules_out(ctx))
    out.setdefault("type", "UNKNOWN")
    out.setdefault("postal_code", "")
    return ascii_object(out)


def patch_to_wire(
    domain: dict[str, Any], ctx: MapContext, part: str = "location"
) -> dict[str, Any]:
    """A domain PATCH body as a 2.1.1 one (2.2.1-only fields dropped).

    A ``parking_type`` with no 2.1.1 equivalent is sent as ``type: OTHER``. A Connector
    ``standard`` with no equivalent raises :class:`MappingError`.
    """
    part = parts(part, PARTS)
    if part == "connector":
        out = rename(domain, _connector_rules_out(ctx))
        if "standard" in domain and "standard" not in out:
            raise _no_equivalent(f"connector standard {domain['standard']}")
    elif part == "evse":
        out = rename(domain, _evse_rules_out(ctx))
    else:
        out = rename(domain, _location_rules_out(ctx))
    return ascii_object(out)


# --- 2.1.1 -> domain ----------------------------------------------------------------------------


def _hour_in(value: str) -> str:
    if value == "24:00":
        return "23:59"
    return value


def _regular_hours_in(hours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**h, **{k: _hour_in(h[k]) for k in ("period_begin", "period_end") if k in h}}
        for h in hours
    ]


def _hours_in(hours: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in hours.items() if v is not None}
    regular = out.pop("regular_hours", None) or []
    twentyfourseven = out.pop("twentyfourseven", None)
    if twentyfourseven:
        return {"twentyfourseven": True, **out}
    if not regular:
        raise MappingError(
            "twentyfourseven=false without regular_hours has no 2.2.1 form",
            field="opening_times",
        )
    return {"twentyfourseven": False, "regular_hours": _regular_hours_in(regular), **out}


def _id(limit: int, field: str) -> Any:
    return lambda value: check_length(value, limit, field)


_CONNECTOR_RULES_IN: Rules = {
    "id": ("id", None),
    "standard": ("standard", None),
    "format": ("format", None),
    "power_type": ("power_type", None),
    "voltage": ("max_voltage", None),
    "amperage": ("max_amperage", None),
    "tariff_id": ("tariff_ids", lambda v: [v]),
    "terms_and_conditions": ("terms_and_conditions", None),
    "last_updated": ("last_updated", None),
}


def _connectors_in(connectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rename(c, _CONNECTOR_RULES_IN) for c in connectors]


_EVSE_RULES_IN: Rules = {
    "uid": ("uid", _id(36, "uid")),
    "evse_id": ("evse_id", None),
    "status": ("status", None),
    "status_schedule": ("status_schedule", None),
    "capabilities": ("capabilities", None),
    "connectors": ("connectors", _connectors_in),
    "floor_level": ("floor_level", None),
    "coordinates": ("coordinates", None),
    "physical_reference": ("physical_reference", None),
    "directions": ("directions", None),
    "parking_restrictions": ("parking_restrictions", None),
    "images": ("images", None),
    "last_updated": ("last_updated", None),
}


def _evses_in(evses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rename(e, _EVSE_RULES_IN) for e in evses]


_LOCATION_RULES_IN: Rules = {
    "id": ("id", _id(36, "id")),
    "type": ("parking_type", _TYPE_IN.get),
    "name": ("name", None),
    "address": ("address", None),
    "city": ("city", None),
    "postal_code": ("postal_code", lambda v: v or None),
    "country": ("country", None),
    "coordinates": ("coordinates", None),
    "related_locations": ("related_locations", None),
    "evses": ("evses", _evses_in),
    "directions": ("directions", None),
    "operator": ("operator", None),
    "suboperator": ("suboperator", None),
    "owner": ("owner", None),
    "facilities": ("facilities", None),
    "time_zone": ("time_zone", None),
    "opening_times": ("opening_times", _hours_in),
    "charging_when_closed": ("charging_when_closed", None),
    "images": ("images", None),
    "energy_mix": ("energy_mix", energy_mix_to_domain),
    "last_updated": ("last_updated", None),
}


def to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "location") -> dict[str, Any]:
    """A complete 2.1.1 Location, EVSE or Connector as a complete domain one.

    Raises:
        MappingError: for an id longer than 2.2.1 allows, or opening times 2.2.1 cannot
            express.
    """
    part = parts(part, PARTS)
    if part == "connector":
        return rename(wire, _CONNECTOR_RULES_IN)
    if part == "evse":
        return rename(wire, _EVSE_RULES_IN)
    out = {**owner(ctx), "publish": True, **rename(wire, _LOCATION_RULES_IN)}
    if "time_zone" not in out and isinstance(wire.get("coordinates"), dict):
        out["time_zone"] = guess_time_zone(wire["coordinates"])
    return out


def patch_to_domain(
    wire: dict[str, Any], ctx: MapContext, part: str = "location"
) -> dict[str, Any]:
    """A 2.1.1 PATCH body as a domain one.

    A ``type`` of OTHER or UNKNOWN is dropped (a PATCH cannot remove ``parking_type``). No
    ``last_updated`` is invented when the 2.1.1 PATCH has none.
    """
    part = parts(part, PARTS)
    if part == "connector":
        return rename(wire, _CONNECTOR_RULES_IN)
    if part == "evse":
        return rename(wire, _EVSE_RULES_IN)
    return rename(wire, _LOCATION_RULES_IN)


# --- time zone of a 2.1.1 Location without one ---------------------------------------------------


def _degrees(text: str, width: int) -> float:
    # zone.tab: +DDMM[SS] / +DDDMM[SS]
    sign = -1 if text[0] == "-" else 1
    digits = text[1:]
    deg, minutes, seconds = digits[:width], digits[width : width + 2], digits[width + 2 :]
    return sign * (int(deg) + int(minutes) / 60 + (int(seconds) / 3600 if seconds else 0))


@functools.cache
def _zones() -> tuple[tuple[float, float, str], ...]:
    table = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    zones = []
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        _country, position, name = line.split("\t")[:3]
        split = max(position.rfind("+"), position.rfind("-"))
        latitude = _degrees(position[:split], 2)
        longitude = _degrees(position[split:], 3)
        zones.append((math.radians(latitude), math.radians(longitude), name))
    return tuple(zones)


def guess_time_zone(coordinates: Mapping[str, Any]) -> str:
    """The IANA zone whose ``zone.tab`` principal city is nearest to ``coordinates``.

    2.1.1 ``time_zone`` is optional, 2.2.1's is required. Near a border this can name the
    neighbour's zone (which usually keeps the same offsets); "UTC" when the coordinates are
    not numbers.
    """
    try:
        lat = math.radians(float(coordinates["latitude"]))
        lon = math.radians(float(coordinates["longitude"]))
    except (KeyError, TypeError, ValueError):
        return "UTC"

    def distance(zone: tuple[float, float, str]) -> float:
        zlat, zlon, _ = zone
        cos = math.sin(lat) * math.sin(zlat) + math.cos(lat) * math.cos(zlat) * math.cos(lon - zlon)
        return math.acos(max(-1.0, min(1.0, cos)))

    return min(_zones(), key=distance)[2]
