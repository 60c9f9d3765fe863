"""Valid OCPI 2.2.1 objects for tests, with deterministic ids and timestamps."""

from __future__ import annotations

from typing import Any


def connector(cid: str = "1", last_updated: str = "2026-01-01T00:00:00Z", **extra: Any) -> dict:
    return {
        "id": cid,
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 32,
        "tariff_ids": ["T1"],
        "last_updated": last_updated,
        **extra,
    }


def evse(uid: str = "E1", last_updated: str = "2026-01-01T00:00:00Z", **extra: Any) -> dict:
    return {
        "uid": uid,
        "evse_id": f"NL*CPO*E{uid}",
        "status": "AVAILABLE",
        "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE"],
        "connectors": [connector(last_updated=last_updated)],
        "last_updated": last_updated,
        **extra,
    }


def location(
    lid: str = "LOC1",
    cc: str = "NL",
    pid: str = "CPO",
    *,
    evses: int = 2,
    last_updated: str = "2026-01-01T00:00:00Z",
    **extra: Any,
) -> dict:
    return {
        "country_code": cc,
        "party_id": pid,
        "id": lid,
        "publish": True,
        "name": f"Station {lid}",
        "address": "Stationsplein 1",
        "city": "Amsterdam",
        "postal_code": "1012AB",
        "country": "NLD",
        "coordinates": {"latitude": "52.378900", "longitude": "4.900200"},
        "parking_type": "ON_STREET",
        "evses": [evse(f"{lid}-{i}", last_updated) for i in range(1, evses + 1)],
        "time_zone": "Europe/Amsterdam",
        "last_updated": last_updated,
        **extra,
    }
