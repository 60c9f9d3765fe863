"""Objects and helpers of the pricing tests."""

from __future__ import annotations

from typing import Any

from ocpikit.modules.locations import service as locations
from ocpikit.modules.tariffs import service as tariffs
from ocpikit.protocol.v221.locations import Location
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.storage.events import Event, EventLog
from tests import factories
from tests.support import Pair, RunningNode

ADMIN = {"Authorization": "Bearer x"}
AMSTERDAM = {"latitude": "52.378900", "longitude": "4.900200"}
UTRECHT = {"latitude": "52.089400", "longitude": "5.110000"}  # ~35 km from Amsterdam
BERLIN = {"latitude": "52.520000", "longitude": "13.405000"}  # ~577 km


def energy_tariff(tid: str, per_kwh: float, start_fee: float = 0.5, **extra: Any) -> dict:
    """A start fee plus a price per kWh, VAT 21%."""
    return factories.tariff(
        tid,
        elements=[
            {
                "price_components": [
                    {"type": "FLAT", "price": start_fee, "vat": 21.0, "step_size": 1}
                ]
            },
            {
                "price_components": [
                    {"type": "ENERGY", "price": per_kwh, "vat": 21.0, "step_size": 1}
                ]
            },
        ],
        **extra,
    )


def peak_tariff(tid: str = "PEAK") -> dict:
    """0.40/kWh from 11:00 to 23:00 local time, 0.20/kWh otherwise, 1.00/h parking."""
    return factories.tariff(
        tid,
        elements=[
            {
                "price_components": [{"type": "ENERGY", "price": 0.4, "vat": 21.0, "step_size": 1}],
                "restrictions": {"start_time": "11:00", "end_time": "23:00"},
            },
            {
                "price_components": [
                    {"type": "ENERGY", "price": 0.2, "vat": 21.0, "step_size": 1},
                    {"type": "PARKING_TIME", "price": 1.0, "vat": 21.0, "step_size": 60},
                ]
            },
        ],
    )


def location(lid: str, tariff_ids: list[str], coordinates: dict, evses: int = 1, **extra) -> dict:
    """A location whose connectors use ``tariff_ids``."""
    loc = factories.location(lid, evses=evses, coordinates=coordinates, **extra)
    for evse in loc["evses"]:
        for connector in evse["connectors"]:
            connector["tariff_ids"] = tariff_ids
    return loc


async def save_own(node: RunningNode, *, locs: list[dict] = (), tars: list[dict] = ()) -> None:
    """Store our own (CPO) locations and tariffs."""
    for t in tars:
        await tariffs.save_local(node.db, Tariff.model_validate(t))
    for loc in locs:
        await locations.save_local(node.db, Location.model_validate(loc))


async def push_to_emsp(pair: Pair, *, locs: list[dict] = (), tars: list[dict] = ()) -> None:
    """The CPO PUTs locations and tariffs to the eMSP's Receiver interfaces."""
    for t in tars:
        url = f"{pair.emsp_url('tariffs', 'RECEIVER')}/NL/CPO/{t['id']}"
        r = await pair.emsp.client.put(url, json=t, headers=pair.emsp_headers())
        assert r.json()["status_code"] == 1000, r.text
    for loc in locs:
        url = f"{pair.emsp_url('locations', 'RECEIVER')}/NL/CPO/{loc['id']}"
        r = await pair.emsp.client.put(url, json=loc, headers=pair.emsp_headers())
        assert r.json()["status_code"] == 1000, r.text


async def events(node: RunningNode, prefix: str = "cdr.price_") -> list[Event]:
    async with node.db.connect() as conn:
        return [e for e in await EventLog(conn).after(0, limit=1000) if e.kind.startswith(prefix)]
