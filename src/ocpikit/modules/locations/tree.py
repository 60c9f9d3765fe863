"""Changes to a Location tree (Location > EVSE > Connector), as stored JSON.

``mod_locations.asciidoc §PUT Method`` / ``§PATCH Method`` (LOC-05): "When a PUT/PATCH with a
Connector object is received, the last_updated field of the parent EVSE and Location SHALL
be set to the new value; an EVSE's parent Location likewise". EVSEs are never deleted, only
set to ``REMOVED`` (LOC-02); a PUT of a Location replaces its EVSE list as sent.

Each function returns the new Location JSON (a dict) or ``None`` when the change is older than
what is stored (X-07: out-of-order updates are accepted and ignored).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ocpikit.errors import NotFound, UnknownLocation
from ocpikit.types import format_datetime, parse_datetime

__all__ = ["evse_of", "connector_of", "put_connector", "put_evse", "patch_level"]


def _ts(value: Any) -> datetime:
    return parse_datetime(value) if isinstance(value, str) else value


def evse_of(location: dict[str, Any], evse_uid: str) -> dict[str, Any]:
    for evse in location.get("evses") or []:
        if str(evse["uid"]).upper() == evse_uid.upper():
            return dict(evse)
    raise NotFound(f"EVSE {evse_uid!r} is not part of location {location['id']!r}")


def connector_of(evse: dict[str, Any], connector_id: str) -> dict[str, Any]:
    for connector in evse.get("connectors") or []:
        if str(connector["id"]).upper() == connector_id.upper():
            return dict(connector)
    raise NotFound(f"Connector {connector_id!r} is not part of EVSE {evse['uid']!r}")


def _bump(obj: dict[str, Any], when: datetime) -> None:
    if _ts(obj["last_updated"]) < when:
        obj["last_updated"] = format_datetime(when)


def _replace(items: list[dict[str, Any]], field: str, new: dict[str, Any]) -> list[dict[str, Any]]:
    out, found = [], False
    for item in items:
        if str(item[field]).upper() == str(new[field]).upper():
            out.append(new)
            found = True
        else:
            out.append(item)
    if not found:
        out.append(new)
    return out


def put_evse(location: dict[str, Any] | None, evse: dict[str, Any]) -> dict[str, Any] | None:
    """Add or replace one EVSE of a stored location."""
    if location is None:
        raise UnknownLocation("Unknown location: PUT the location first", http_status=404)
    when = _ts(evse["last_updated"])
    current = next(
        (
            e
            for e in location.get("evses") or []
            if str(e["uid"]).upper() == str(evse["uid"]).upper()
        ),
        None,
    )
    if current is not None and _ts(current["last_updated"]) > when:
        return None
    new = {**location, "evses": _replace(list(location.get("evses") or []), "uid", evse)}
    _bump(new, when)
    return new


def put_connector(
    location: dict[str, Any] | None, evse_uid: str, connector: dict[str, Any]
) -> dict[str, Any] | None:
    """Add or replace one connector of a stored EVSE."""
    if location is None:
        raise UnknownLocation("Unknown location: PUT the location first", http_status=404)
    evse = evse_of(location, evse_uid)
    when = _ts(connector["last_updated"])
    current = next(
        (c for c in evse["connectors"] if str(c["id"]).upper() == str(connector["id"]).upper()),
        None,
    )
    if current is not None and _ts(current["last_updated"]) > when:
        return None
    evse["connectors"] = _replace(list(evse["connectors"]), "id", connector)
    _bump(evse, when)
    new = {**location, "evses": _replace(list(location["evses"]), "uid", evse)}
    _bump(new, when)
    return new


def patch_level(
    location: dict[str, Any] | None,
    sent: dict[str, Any],
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> dict[str, Any] | None:
    """Merge the sent fields into the Location, EVSE or Connector the URL names."""
    if location is None:
        raise UnknownLocation("Unknown location: PUT it before patching it", http_status=404)
    when = _ts(sent["last_updated"])
    if evse_uid is None:
        if _ts(location["last_updated"]) > when:
            return None
        return {**location, **sent}
    evse = evse_of(location, evse_uid)
    if connector_id is None:
        if _ts(evse["last_updated"]) > when:
            return None
        evse.update(sent)
    else:
        connector = connector_of(evse, connector_id)
        if _ts(connector["last_updated"]) > when:
            return None
        connector.update(sent)
        evse["connectors"] = _replace(list(evse["connectors"]), "id", connector)
        _bump(evse, when)
    new = {**location, "evses": _replace(list(location["evses"]), "uid", evse)}
    _bump(new, when)
    return new
