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


def cdr_token(cc: str = "DE", pid: str = "MSP", uid: str = "TOKEN1", **extra: Any) -> dict:
    return {
        "country_code": cc,
        "party_id": pid,
        "uid": uid,
        "type": "RFID",
        "contract_id": f"{cc}-{pid}-C{uid}",
        **extra,
    }


def charging_period(start: str = "2026-01-01T10:00:00Z", kwh: float = 1.5, **extra: Any) -> dict:
    return {
        "start_date_time": start,
        "dimensions": [{"type": "ENERGY", "volume": kwh}],
        **extra,
    }


def session(
    sid: str = "S1",
    cc: str = "NL",
    pid: str = "CPO",
    *,
    token: dict | None = None,
    last_updated: str = "2026-01-01T10:00:00Z",
    **extra: Any,
) -> dict:
    """An ACTIVE session at LOC1/LOC1-1/1 (see :func:`location`) of a DE/MSP token."""
    return {
        "country_code": cc,
        "party_id": pid,
        "id": sid,
        "start_date_time": "2026-01-01T10:00:00Z",
        "kwh": 0,
        "cdr_token": token or cdr_token(),
        "auth_method": "WHITELIST",
        "location_id": "LOC1",
        "evse_uid": "LOC1-1",
        "connector_id": "1",
        "currency": "EUR",
        "status": "ACTIVE",
        "last_updated": last_updated,
        **extra,
    }


def cdr(
    cid: str = "CDR1",
    cc: str = "NL",
    pid: str = "CPO",
    *,
    token: dict | None = None,
    last_updated: str = "2026-01-01T12:00:00Z",
    **extra: Any,
) -> dict:
    """A 2-hour, 10 kWh CDR of session S1 for a DE/MSP token."""
    return {
        "country_code": cc,
        "party_id": pid,
        "id": cid,
        "start_date_time": "2026-01-01T10:00:00Z",
        "end_date_time": "2026-01-01T12:00:00Z",
        "session_id": "S1",
        "cdr_token": token or cdr_token(),
        "auth_method": "WHITELIST",
        "cdr_location": {
            "id": "LOC1",
            "address": "Stationsplein 1",
            "city": "Amsterdam",
            "postal_code": "1012AB",
            "country": "NLD",
            "coordinates": {"latitude": "52.378900", "longitude": "4.900200"},
            "evse_uid": "LOC1-1",
            "evse_id": "NL*CPO*ELOC1-1",
            "connector_id": "1",
            "connector_standard": "IEC_62196_T2",
            "connector_format": "SOCKET",
            "connector_power_type": "AC_3_PHASE",
        },
        "currency": "EUR",
        "charging_periods": [
            charging_period("2026-01-01T10:00:00Z", 10, tariff_id="T1"),
        ],
        "total_cost": {"excl_vat": 4.0, "incl_vat": 4.84},
        "total_energy": 10,
        "total_time": 2,
        "last_updated": last_updated,
        **extra,
    }


def tariff(
    tid: str = "T1",
    cc: str = "NL",
    pid: str = "CPO",
    *,
    last_updated: str = "2026-01-01T00:00:00Z",
    **extra: Any,
) -> dict:
    """A Tariff of 0.25/kWh plus a 0.50 start fee (``tariff_9_025kwh_start.json`` shape)."""
    return {
        "country_code": cc,
        "party_id": pid,
        "id": tid,
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "FLAT", "price": 0.5, "vat": 21.0, "step_size": 1}]},
            {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 21.0, "step_size": 1}]},
        ],
        "last_updated": last_updated,
        **extra,
    }


def token(
    uid: str = "012345678",
    cc: str = "DE",
    pid: str = "MSP",
    *,
    type: str = "RFID",
    last_updated: str = "2026-01-01T00:00:00Z",
    **extra: Any,
) -> dict:
    """A Token (``token_put_example.json`` shape) owned by the eMSP party DE:MSP."""
    return {
        "country_code": cc,
        "party_id": pid,
        "uid": uid,
        "type": type,
        "contract_id": f"DE8ACC{uid[:8]}",
        "visual_number": f"DF000-{uid}",
        "issuer": "ocpikit test eMSP",
        "group_id": "DF000-2001-8999",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": last_updated,
        **extra,
    }
