"""What a domain object should look like after a trip through 2.1.1 (domain -> 2.1.1 -> domain).

Written from the loss tables of the mapping modules, independently of their code: each function
removes or converts exactly what the table says 2.1.1 cannot carry.
"""

from __future__ import annotations

import copy
from typing import Any

from ocpikit.mappings.v211._fields import to_ascii

from .support import Kind

_FACILITIES = {"METRO_STATION": "TRAIN_STATION", "TRAM_STOP": "BUS_STOP"}
_FACILITIES_DROPPED = {"BIKE_SHARING", "PARKING_LOT"}
_CAPABILITIES = {
    "CHARGING_PROFILE_CAPABLE",
    "CREDIT_CARD_PAYABLE",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "UNLOCK_CAPABLE",
}
_DIMENSIONS = {
    "ENERGY": "ENERGY",
    "MAX_CURRENT": "MAX_CURRENT",
    "MIN_CURRENT": "MIN_CURRENT",
    "PARKING_TIME": "PARKING_TIME",
    "TIME": "TIME",
    "RESERVATION_TIME": "PARKING_TIME",
}


def _pop(obj: dict[str, Any], *keys: str) -> None:
    for key in keys:
        obj.pop(key, None)


def connector(c: dict[str, Any]) -> dict[str, Any]:
    _pop(c, "max_electric_power")
    if c.get("tariff_ids"):
        c["tariff_ids"] = c["tariff_ids"][:1]
    else:
        c.pop("tariff_ids", None)
    if c.get("power_type") in ("AC_2_PHASE", "AC_2_PHASE_SPLIT"):
        c["power_type"] = "AC_1_PHASE"
    if c.get("standard") == "NEMA_5_20":
        c["standard"] = "DOMESTIC_B"
    return c


def evse(e: dict[str, Any]) -> dict[str, Any]:
    if "capabilities" in e:
        e["capabilities"] = [c for c in e["capabilities"] if c in _CAPABILITIES]
    e["connectors"] = [connector(c) for c in e["connectors"]]
    return e


def location(loc: dict[str, Any]) -> dict[str, Any]:
    _pop(loc, "publish_allowed_to", "state")
    loc["publish"] = True
    if loc.get("parking_type") in ("ALONG_MOTORWAY", "ON_DRIVEWAY"):
        del loc["parking_type"]
    if "facilities" in loc:
        mapped = [_FACILITIES.get(f, f) for f in loc["facilities"]]
        loc["facilities"] = list(dict.fromkeys(f for f in mapped if f not in _FACILITIES_DROPPED))
    if "evses" in loc:
        loc["evses"] = [evse(e) for e in loc["evses"]]
    return loc


def periods(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for period in items:
        dims = [
            {"type": _DIMENSIONS[d["type"]], "volume": d["volume"]}
            for d in period["dimensions"]
            if d["type"] in _DIMENSIONS
        ]
        if dims:
            out.append({"start_date_time": period["start_date_time"], "dimensions": dims})
    return out


def _charging(obj: dict[str, Any]) -> dict[str, Any]:
    _pop(obj, "authorization_reference")
    if obj.get("auth_method") == "COMMAND":
        obj["auth_method"] = "AUTH_REQUEST"
    if "total_cost" in obj:
        obj["total_cost"] = {"excl_vat": obj["total_cost"]["excl_vat"]}
    if "charging_periods" in obj:
        obj["charging_periods"] = periods(obj["charging_periods"])
    return obj


def session(s: dict[str, Any]) -> dict[str, Any]:
    if s.get("status") == "RESERVATION":
        s["status"] = "PENDING"
    return _charging(s)


def tariff(t: dict[str, Any]) -> dict[str, Any]:
    _pop(t, "type", "min_price", "max_price", "start_date_time", "end_date_time")
    elements = []
    for element in t["elements"]:
        restrictions = element.get("restrictions") or {}
        if any(k in restrictions for k in ("min_current", "max_current", "reservation")):
            continue
        for component in element["price_components"]:
            component.pop("vat", None)
        elements.append(element)
    t["elements"] = elements
    return t


def cdr(c: dict[str, Any]) -> dict[str, Any]:
    _pop(
        c,
        "session_id",
        "signed_data",
        "total_fixed_cost",
        "total_energy_cost",
        "total_time_cost",
        "total_parking_cost",
        "total_reservation_cost",
        "invoice_reference_id",
        "credit",
        "credit_reference_id",
        "home_charging_compensation",
    )
    c["cdr_location"].pop("state", None)
    if "tariffs" in c:
        c["tariffs"] = [tariff(t) for t in c["tariffs"]]
    return _charging(c)


def token(t: dict[str, Any]) -> dict[str, Any]:
    _pop(t, "group_id", "default_profile_type", "energy_contract")
    if t["type"] in ("AD_HOC_USER", "APP_USER"):
        t["type"] = "OTHER"
    return t


def credentials(c: dict[str, Any], country_code: str, party_id: str) -> dict[str, Any]:
    ours = [r for r in c["roles"] if (r["country_code"], r["party_id"]) == (country_code, party_id)]
    c["roles"] = [{**ours[0], "role": "CPO"}]
    return c


def version_details(v: dict[str, Any]) -> dict[str, Any]:
    cpo = {"credentials": "SENDER", "locations": "SENDER", "tokens": "RECEIVER"}
    v["endpoints"] = [e for e in v["endpoints"] if cpo.get(e["identifier"]) == e["role"]]
    return v


def carried(kind: Kind, domain: dict[str, Any], country_code: str, party_id: str) -> Any:
    """``domain`` reduced to what a trip through 2.1.1 keeps (text in ASCII, see
    :func:`~ocpikit.mappings.v211._fields.ascii_text`)."""
    return to_ascii(_carried(kind, domain, country_code, party_id))


def _carried(
    kind: Kind, domain: dict[str, Any], country_code: str, party_id: str
) -> dict[str, Any]:
    d = copy.deepcopy(domain)
    if kind.part == "location":
        return location(d)
    if kind.part == "evse":
        return evse(d)
    if kind.part == "connector":
        return connector(d)
    if kind.part == "session":
        return session(d)
    if kind.part == "cdr":
        return cdr(d)
    if kind.part == "tariff":
        return tariff(d)
    if kind.part == "token":
        return token(d)
    if kind.part == "authorization_info":
        d.pop("authorization_reference", None)
        return d
    if kind.part == "credentials":
        return credentials(d, country_code, party_id)
    if kind.part == "version_details":
        return version_details(d)
    return d
