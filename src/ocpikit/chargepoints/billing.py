"""Sessions, charging periods and CDRs of the simulated charge points.

The Session carries the token of the START_SESSION and its ``authorization_reference``
(``mod_commands.asciidoc §StartSession Object``: "the information of the Token SHALL be put
in the Session and CDR"; X-01). Energy is in kWh and time in hours (ERR-06). The CDR is
priced by the tariff engine (:func:`price_session_cdr`) with the connector's first tariff.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.commands import ReserveNow, StartSession
from ocpikit.protocol.v221.sessions import Session
from ocpikit.tariffs import PriceResult
from ocpikit.types import parse_datetime

__all__ = [
    "build_cdr",
    "charging_period",
    "new_session",
    "now_ms",
    "price_session_cdr",
    "reservation_period",
]

_KWH = Decimal("0.001")
_HOURS = Decimal("0.0001")
_MONEY = Decimal("0.0001")


def now_ms() -> datetime:
    """Now, to the millisecond (what an OCPI DateTime carries)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def hours(start: datetime, end: datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / 3600).quantize(_HOURS)


def charging_period(
    start: datetime, end: datetime, power_kw: Decimal, tariff_id: str | None
) -> dict[str, Any]:
    """One ChargingPeriod from ``start`` to ``end`` at ``power_kw``: ENERGY (kWh) and TIME (h)."""
    duration = hours(start, end)
    period: dict[str, Any] = {
        "start_date_time": start,
        "dimensions": [
            {"type": "ENERGY", "volume": (power_kw * duration).quantize(_KWH)},
            {"type": "TIME", "volume": duration},
        ],
    }
    if tariff_id:
        period["tariff_id"] = tariff_id
    return period


def reservation_period(start: datetime, end: datetime, tariff_id: str | None) -> dict[str, Any]:
    """The ChargingPeriod of a reservation from ``start`` to ``end``: RESERVATION_TIME (h)."""
    period: dict[str, Any] = {
        "start_date_time": start,
        "dimensions": [{"type": "RESERVATION_TIME", "volume": hours(start, end)}],
    }
    if tariff_id:
        period["tariff_id"] = tariff_id
    return period


def new_session(
    session_id: str,
    cpo: tuple[str, str],
    body: StartSession | ReserveNow,
    evse_uid: str,
    connector_id: str,
    currency: str,
    started: datetime,
    *,
    status: str = "ACTIVE",
) -> Session:
    """The Session of an accepted START_SESSION (ACTIVE) or RESERVE_NOW (RESERVATION)."""
    token = body.token
    return Session.model_validate(
        {
            "country_code": cpo[0],
            "party_id": cpo[1],
            "id": session_id,
            "start_date_time": started,
            "kwh": 0,
            "cdr_token": {
                "country_code": token.country_code,
                "party_id": token.party_id,
                "uid": token.uid,
                "type": token.type,
                "contract_id": token.contract_id,
            },
            "auth_method": "COMMAND",
            "authorization_reference": body.authorization_reference,
            "location_id": body.location_id,
            "evse_uid": evse_uid,
            "connector_id": connector_id,
            "currency": currency,
            "charging_periods": [],
            "status": status,
            "last_updated": started,
        }
    )


def _cdr_location(location: dict[str, Any], evse_uid: str, connector_id: str) -> dict[str, Any]:
    evse = next(e for e in location["evses"] if str(e["uid"]).upper() == evse_uid.upper())
    connector = next(c for c in evse["connectors"] if str(c["id"]).upper() == connector_id.upper())
    out = {
        key: location[key]
        for key in ("id", "name", "address", "city", "postal_code", "state", "country")
        if location.get(key) is not None
    }
    out.update(
        coordinates=location["coordinates"],
        evse_uid=evse["uid"],
        evse_id=evse.get("evse_id") or evse["uid"],
        connector_id=connector["id"],
        connector_standard=connector["standard"],
        connector_format=connector["format"],
        connector_power_type=connector["power_type"],
    )
    return out


def _price(cost: Any) -> dict[str, Decimal]:
    return {
        "excl_vat": Decimal(cost.excl_vat).quantize(_MONEY),
        "incl_vat": Decimal(cost.incl_vat).quantize(_MONEY),
    }


def price_session_cdr(
    cdr: dict[str, Any], tariff: dict[str, Any] | None, location: dict[str, Any] | None
) -> PriceResult | None:
    """Price a simulated session's CDR with the tariff engine (:mod:`ocpikit.tariffs`).

    Restrictions are evaluated in the Location's time zone (its ``time_zone``, else the one
    its country and coordinates imply). Returns None without a tariff (the CDR then costs 0).

    Raises:
        ValueError: when the tariff or the CDR cannot be priced (naming the field).
    """
    if tariff is None:
        return None
    from ocpikit import tariffs as engine

    usage = engine.parse_cdr(cdr)
    time_zone = location.get("time_zone") if location else None
    zone = engine.resolve_time_zone(time_zone, usage.location)
    return engine.price(engine.parse_tariff(tariff), usage, zone)


def build_cdr(
    session: dict[str, Any], location: dict[str, Any], tariff: dict[str, Any] | None
) -> CDR:
    """The CDR of a completed simulated session, priced with ``tariff`` when there is one."""
    periods = session.get("charging_periods") or []
    energy = sum(
        (
            Decimal(str(d["volume"]))
            for p in periods
            for d in p["dimensions"]
            if d["type"] == "ENERGY"
        ),
        Decimal(0),
    )
    end = session["end_date_time"]
    # "Start timestamp of the charging session, or in-case of a reservation (before the start
    # of a session) the start of the reservation." (mod_cdrs.asciidoc §CDR Object)
    start = min(
        (_dt(p["start_date_time"]) for p in periods), default=_dt(session["start_date_time"])
    )
    start = min(start, _dt(session["start_date_time"]))
    charged = [p for p in periods if not _reservation_only(p)]
    active = _dt(charged[0]["start_date_time"]) if charged else start  # as the engine counts
    cdr: dict[str, Any] = {
        "country_code": session["country_code"],
        "party_id": session["party_id"],
        "id": session["id"],
        "start_date_time": start,
        "end_date_time": end,
        "session_id": session["id"],
        "cdr_token": session["cdr_token"],
        "auth_method": session["auth_method"],
        "cdr_location": _cdr_location(location, session["evse_uid"], session["connector_id"]),
        "currency": session["currency"],
        "charging_periods": periods,
        "total_cost": {"excl_vat": 0, "incl_vat": 0},
        "total_energy": energy.quantize(_KWH),
        "total_time": hours(active, _dt(end)),
        "total_parking_time": 0,
        "last_updated": end,
    }
    if session.get("authorization_reference"):
        cdr["authorization_reference"] = session["authorization_reference"]
    if tariff is not None:
        cdr["tariffs"] = [tariff]
        result = price_session_cdr(cdr, tariff, location)
        if result is not None:
            cdr["total_cost"] = _price(result.total_cost)
            cdr["total_fixed_cost"] = _price(result.total_fixed_cost)
            cdr["total_energy_cost"] = _price(result.total_energy_cost)
            cdr["total_time_cost"] = _price(result.total_time_cost)
            cdr["total_parking_cost"] = _price(result.total_parking_cost)
            if len(charged) < len(periods):  # the session began as a reservation
                cdr["total_reservation_cost"] = _price(result.total_reservation_cost)
    return CDR.model_validate(cdr)


def _reservation_only(period: dict[str, Any]) -> bool:
    return all(d["type"] == "RESERVATION_TIME" for d in period["dimensions"])


def _dt(value: Any) -> datetime:
    return parse_datetime(value) if isinstance(value, str) else value
