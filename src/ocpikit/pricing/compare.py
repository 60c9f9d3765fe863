"""Price comparison: "about X kWh over Y minutes from T: what does it cost at each EVSE?".

:func:`compare_prices` answers with every EVSE of every Location the node holds (its own and
the ones received from peers) that may be shown to the driver, optionally only those within
``radius_km`` of a point or at given locations, priced with :func:`ocpikit.tariffs.estimate`:

- a Location with ``publish=false`` is shown only when the request carries the driver's
  ``token`` and it matches one entry of the Location's ``publish_allowed_to`` (LOC-07,
  :func:`ocpikit.modules.locations.visibility.may_show`); never without a token, never when
  the list is empty;

- per Connector, the tariff chosen from its ``tariff_ids`` by
  :func:`ocpikit.pricing.lookup.choose_tariff` (active at ``start``, REGULAR first), in the
  Location's time zone;
- ``power_kw`` (the car's charging power) is capped by the connector's power
  (``max_electric_power``, else voltage x amperage, x 3 for AC_3_PHASE); without it the car
  charges during the whole stay;
- one entry per EVSE, with its cheapest connector; EVSEs ``REMOVED`` are left out;
- sorted by total incl. VAT (then excl. VAT, distance, ids), ascending; EVSEs without a usable
  tariff come last with ``price: null`` and a ``reason``. Currencies are not converted: amounts
  in different currencies are sorted by their number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from ocpikit import tariffs as engine
from ocpikit.modules.locations.visibility import DriverToken, may_show
from ocpikit.pricing.lookup import Candidate, choose_tariff, location_zone
from ocpikit.pricing.service import cost_json
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ListQuery, ObjectStore, StoredObject

__all__ = ["CompareRequest", "DriverToken", "Near", "compare_prices", "distance_km"]

_EARTH_KM = 6371.0088
_THREE_PHASE = "AC_3_PHASE"


class Near(BaseModel):
    """A point and a radius: only locations within ``radius_km`` of it."""

    model_config = ConfigDict(extra="forbid")

    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    radius_km: Annotated[float, Field(gt=0, le=20_000)] = 10.0


class CompareRequest(BaseModel):
    """The driver's question (body of ``POST /api/prices/compare``)."""

    model_config = ConfigDict(extra="forbid")

    kwh: Annotated[Decimal, Field(ge=0, le=10_000, allow_inf_nan=False)]
    minutes: Annotated[int, Field(gt=0, le=7 * 24 * 60)]
    start: AwareDatetime | None = None
    power_kw: Annotated[Decimal, Field(gt=0, le=10_000, allow_inf_nan=False)] | None = None
    near: Near | None = None
    location_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=36)]] | None = None
    token: DriverToken | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _location_distance(near: Near, location: Mapping[str, Any]) -> float | None:
    coordinates = location.get("coordinates") or {}
    try:
        lat, lon = float(coordinates["latitude"]), float(coordinates["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    return distance_km(near.latitude, near.longitude, lat, lon)


class _TariffIndex:
    """Every tariff the node holds, by (party, id) and by id alone."""

    def __init__(self, stored: Sequence[StoredObject]) -> None:
        self.by_key: dict[tuple[str, str, str], StoredObject] = {}
        self.by_id: dict[str, list[StoredObject]] = {}
        for obj in stored:
            k = obj.key.normalised()
            self.by_key[(k.country_code, k.party_id, k.object_id)] = obj
            self.by_id.setdefault(k.object_id, []).append(obj)

    def candidates(self, location: StoredObject, tariff_ids: Sequence[str]) -> list[Candidate]:
        k = location.key.normalised()
        found: list[Candidate] = []
        for tariff_id in dict.fromkeys(t.upper() for t in tariff_ids):
            obj = self.by_key.get((k.country_code, k.party_id, tariff_id))
            if obj is None:
                obj = next(
                    (
                        t
                        for t in self.by_id.get(tariff_id, [])
                        if t.is_local == location.is_local
                        and (location.is_local or t.peer_id == location.peer_id)
                    ),
                    None,
                )
            if obj is not None:
                found.append(Candidate(obj.parsed(), "stored"))
        return found


def _connector_power_kw(connector: Mapping[str, Any]) -> Decimal | None:
    try:
        if connector.get("max_electric_power"):
            return Decimal(str(connector["max_electric_power"])) / 1000
        volts, amps = connector.get("max_voltage"), connector.get("max_amperage")
        if volts and amps:
            phases = 3 if connector.get("power_type") == _THREE_PHASE else 1
            return Decimal(str(volts)) * Decimal(str(amps)) * phases / 1000
    except ArithmeticError:
        return None
    return None


@dataclass
class _Entry:
    json: dict[str, Any]
    total: engine.Cost | None = None
    distance: float = 0.0
    ids: tuple[str, ...] = field(default_factory=tuple)

    def sort_key(self) -> tuple[Any, ...]:
        if self.total is None:
            return (1, Decimal(0), Decimal(0), self.distance, self.ids)
        return (0, self.total.incl_vat, self.total.excl_vat, self.distance, self.ids)


def _price_json(result: engine.PriceResult) -> dict[str, Any]:
    return {
        "total_cost": cost_json(result.total_cost),
        "breakdown": {
            "fixed": cost_json(result.total_fixed_cost),
            "energy": cost_json(result.total_energy_cost),
            "time": cost_json(result.total_time_cost),
            "parking": cost_json(result.total_parking_cost),
            "reservation": cost_json(result.total_reservation_cost),
        },
        "min_price_applied": result.min_price_applied,
        "max_price_applied": result.max_price_applied,
    }


def _evse_entry(
    request: CompareRequest,
    start: datetime,
    location: StoredObject,
    data: Mapping[str, Any],
    evse: Mapping[str, Any],
    zone: ZoneInfo,
    index: _TariffIndex,
) -> _Entry:
    best: tuple[engine.PriceResult, Mapping[str, Any], str, Decimal | None] | None = None
    reasons: list[str] = []
    connectors = [c for c in evse.get("connectors") or [] if isinstance(c, Mapping)]
    for connector in connectors:
        tariff_ids = [str(t) for t in connector.get("tariff_ids") or []]
        if not tariff_ids:
            reasons.append(f"connector {connector.get('id')} has no tariff_ids")
            continue
        candidates = index.candidates(location, tariff_ids)
        if not candidates:
            reasons.append(f"tariffs {tariff_ids} are not known to this node")
            continue
        choice, reason = choose_tariff(candidates, start)
        if choice is None:
            reasons.append(reason)
            continue
        power = request.power_kw
        limit = _connector_power_kw(connector)
        if power is not None and limit is not None and limit > 0:
            power = min(power, limit)
        try:
            result = engine.estimate(
                choice.tariff, start, request.kwh, request.minutes, power, zone
            )
        except (ValueError, ArithmeticError) as exc:
            reasons.append(f"tariff {choice.id!r} cannot be priced: {exc}")
            continue
        key = (result.total_cost.incl_vat, result.total_cost.excl_vat)
        if best is None or key < (best[0].total_cost.incl_vat, best[0].total_cost.excl_vat):
            best = (result, connector, choice.id, power)
    if not connectors:
        reasons.append("the EVSE has no connectors")
    out: dict[str, Any] = {
        "country_code": data.get("country_code"),
        "party_id": data.get("party_id"),
        "location_id": data.get("id"),
        "location_name": data.get("name"),
        "evse_uid": evse.get("uid"),
        "evse_id": evse.get("evse_id"),
        "status": evse.get("status"),
        "time_zone": zone.key,
    }
    entry = _Entry(out, ids=(str(data.get("id")), str(evse.get("uid"))))
    if best is None:
        out.update(
            connector_id=connectors[0].get("id") if connectors else None,
            tariff_id=None,
            currency=None,
            power_kw=None,
            price=None,
            reason="; ".join(dict.fromkeys(reasons)),
        )
        return entry
    result, connector, tariff_id, power = best
    out.update(
        connector_id=connector.get("id"),
        tariff_id=tariff_id,
        currency=result.currency,
        power_kw=None if power is None else float(power),
        price=_price_json(result),
    )
    entry.total = result.total_cost
    return entry


def _query_json(request: CompareRequest, start: datetime) -> dict[str, Any]:
    return {
        "kwh": float(request.kwh),
        "minutes": request.minutes,
        "start": start.isoformat(),
        "power_kw": None if request.power_kw is None else float(request.power_kw),
        "near": None if request.near is None else request.near.model_dump(),
        "location_ids": request.location_ids,
        "token": None
        if request.token is None
        else request.token.model_dump(mode="json", exclude_none=True),
    }


async def compare_prices(
    db: Database, request: CompareRequest, *, now: datetime | None = None
) -> dict[str, Any]:
    """What the planned charge costs at each EVSE (rules in the module docstring).

    Returns:
        ``{"query": {...}, "results": [entry, ...]}``: the query as understood (``start``
        filled in) and one entry per EVSE, cheapest first.
    """
    start = request.start or now or datetime.now(UTC).replace(microsecond=0)
    async with db.connect() as conn:
        store = ObjectStore(conn)
        # Without a token only published locations can be shown: the column narrows the read.
        query = ListQuery(module="locations", published_only=request.token is None)
        locations = await store.all(query)
        index = _TariffIndex(await store.all(ListQuery(module="tariffs")))
    wanted = {i.upper() for i in request.location_ids} if request.location_ids else None
    entries: list[_Entry] = []
    for location in locations:
        if wanted is not None and location.key.object_id.upper() not in wanted:
            continue
        data = location.parsed()
        if not may_show(data, request.token):
            continue
        distance: float | None = None
        if request.near is not None:
            distance = _location_distance(request.near, data)
            if distance is None or distance > request.near.radius_km:
                continue
        zone = location_zone(data, None)
        for evse in data.get("evses") or []:
            if not isinstance(evse, Mapping) or evse.get("status") == "REMOVED":
                continue
            entry = _evse_entry(request, start, location, data, evse, zone, index)
            if distance is not None:
                entry.distance = distance
                entry.json["distance_km"] = round(distance, 3)
            entries.append(entry)
    entries.sort(key=_Entry.sort_key)
    return {"query": _query_json(request, start), "results": [e.json for e in entries]}
