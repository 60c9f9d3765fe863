"""Pricing in the node: sessions and CDRs priced from the tariffs the node holds.

- CPO side: :func:`price_session` gives the ``total_cost`` of a running session (the simulator
  puts it in every session update, ``chargepoints/simulator.py`` ``_report``);
  :func:`price_local_cdr` fills a CDR's totals and ``tariffs`` from the connector's tariffs
  (the simulator's ``stop_session``).
- eMSP side: :func:`check_received_cdr` re-prices a CDR a CPO POSTed, in the same transaction
  as its storage (``modules/cdrs/service.py`` ``receive_post``), and appends one event:
  ``cdr.price_checked`` (totals within 0.01), ``cdr.price_mismatch`` (both totals in the
  event) or ``cdr.price_unchecked`` (no usable tariff, with the reason). The CDR is never
  refused for it. :func:`list_disputes` reads the mismatches back.

Which tariff and which time zone: see :mod:`ocpikit.pricing.lookup`. Amounts are rounded to
4 decimals (OCPI numbers) once, on the totals the engine computed exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit import tariffs as engine
from ocpikit.pricing.lookup import (
    Candidate,
    TariffChoice,
    choose_tariff,
    connector_of,
    evse_of,
    load_location,
    load_tariffs,
    location_zone,
)
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.protocol.v221.common import Price
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog

__all__ = [
    "CHECKED",
    "MISMATCH",
    "TOLERANCE",
    "UNCHECKED",
    "Priced",
    "cdr_totals",
    "check_received_cdr",
    "list_disputes",
    "money",
    "price_cdr",
    "price_cdr_in",
    "price_local_cdr",
    "price_session",
    "price_session_in",
]

log = logging.getLogger("ocpikit.pricing")

CHECKED = "cdr.price_checked"
MISMATCH = "cdr.price_mismatch"
UNCHECKED = "cdr.price_unchecked"
TOLERANCE = Decimal("0.01")
_FOUR = Decimal("0.0001")


def money(value: Decimal) -> Decimal:
    """An amount or quantity as OCPI carries it: 4 decimals (half up)."""
    return value.quantize(_FOUR, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> int | float:
    rounded = money(value)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def cost_json(cost: engine.Cost | Price) -> dict[str, int | float | None]:
    """``{"excl_vat", "incl_vat"}`` as JSON numbers (4 decimals)."""
    incl = cost.incl_vat
    return {"excl_vat": _num(cost.excl_vat), "incl_vat": None if incl is None else _num(incl)}


@dataclass(frozen=True, slots=True)
class Priced:
    """A session or CDR priced by the engine, with the tariff and time zone used."""

    result: engine.PriceResult
    tariff: TariffChoice
    zone: ZoneInfo


def _period_tariff_ids(data: Mapping[str, Any]) -> list[str]:
    ids = []
    for period in data.get("charging_periods") or []:
        if isinstance(period, Mapping) and isinstance(period.get("tariff_id"), str):
            ids.append(period["tariff_id"])
    return ids


async def _price(
    conn: AsyncConnection,
    *,
    owner: tuple[str, str],
    location_id: str | None,
    evse_uid: str | None,
    connector_id: str | None,
    usage: engine.PricingInput,
    data: Mapping[str, Any],
    embedded: Sequence[Any] = (),
) -> tuple[Priced | None, str]:
    """Price ``usage`` at a connector with the tariffs the node holds, else ``embedded``."""
    stored_location = await load_location(conn, owner[0], owner[1], location_id)
    location = stored_location.parsed() if stored_location is not None else None
    connector = connector_of(evse_of(location, evse_uid), connector_id) if location else None
    period_ids = _period_tariff_ids(data)
    connector_ids = [str(t) for t in (connector or {}).get("tariff_ids") or []]
    candidates = await load_tariffs(
        conn, owner[0], owner[1], [*period_ids, *connector_ids], origin=stored_location
    )
    if not candidates:
        candidates = [Candidate(t, "cdr") for t in embedded if isinstance(t, Mapping)]
    if not candidates:
        if location is None:
            reason = f"location {location_id!r} is not known"
        elif connector is None:
            reason = f"connector {evse_uid}/{connector_id} is not known"
        elif not connector_ids:
            reason = f"connector {evse_uid}/{connector_id} has no tariff_ids"
        else:
            reason = f"tariffs {connector_ids} of connector {evse_uid}/{connector_id} are not known"
        return None, reason
    currency = data.get("currency") if isinstance(data.get("currency"), str) else None
    choice, reason = choose_tariff(
        candidates, usage.start_date_time, preferred_ids=period_ids, currency=currency
    )
    if choice is None:
        return None, reason
    zone = location_zone(location, usage)
    return Priced(engine.price(choice.tariff, usage, zone), choice, zone), ""


def _owner(data: Mapping[str, Any]) -> tuple[str, str]:
    return str(data.get("country_code", "")), str(data.get("party_id", ""))


async def price_session_in(
    conn: AsyncConnection, session: Mapping[str, Any]
) -> tuple[Priced | None, str]:
    """Price a Session JSON (running or completed) with the tariffs of its connector.

    Raises:
        ValueError: when the session cannot be parsed for pricing (naming the field).
    """
    usage = engine.parse_session(session)
    return await _price(
        conn,
        owner=_owner(session),
        location_id=session.get("location_id"),
        evse_uid=session.get("evse_uid"),
        connector_id=session.get("connector_id"),
        usage=usage,
        data=session,
    )


async def price_session(db: Database, session: Mapping[str, Any]) -> Price | None:
    """The ``total_cost`` of a Session (excl. and incl. VAT), or None without a usable tariff.

    ``session`` is the Session JSON as it will be stored (values may be ``Decimal`` and
    ``datetime``); an ongoing session is priced up to the end of its last period.

    Raises:
        ValueError: when the session cannot be parsed for pricing (naming the field).
    """
    async with db.connect() as conn:
        priced, _ = await price_session_in(conn, session)
    if priced is None:
        return None
    total = priced.result.total_cost
    return Price(excl_vat=money(total.excl_vat), incl_vat=money(total.incl_vat))


async def price_cdr_in(conn: AsyncConnection, cdr: Mapping[str, Any]) -> tuple[Priced | None, str]:
    """Price a CDR JSON with the tariffs of its connector (else the ones it carries).

    Raises:
        ValueError: when the CDR cannot be parsed for pricing (naming the field).
    """
    usage = engine.parse_cdr(cdr)
    location = cdr.get("cdr_location") or {}
    return await _price(
        conn,
        owner=_owner(cdr),
        location_id=location.get("id"),
        evse_uid=location.get("evse_uid"),
        connector_id=location.get("connector_id"),
        usage=usage,
        data=cdr,
        embedded=cdr.get("tariffs") or (),
    )


async def price_cdr(db: Database, cdr: Mapping[str, Any]) -> Priced | None:
    """Price a CDR JSON; None without a usable tariff.

    Raises:
        ValueError: when the CDR cannot be parsed for pricing (naming the field).
    """
    async with db.connect() as conn:
        priced, _ = await price_cdr_in(conn, cdr)
    return priced


def _price_wire(cost: engine.Cost) -> dict[str, Decimal]:
    return {"excl_vat": money(cost.excl_vat), "incl_vat": money(cost.incl_vat)}


def cdr_totals(priced: Priced) -> dict[str, Any]:
    """The CDR fields the engine decides: the six cost totals, the three quantities, ``tariffs``.

    ``tariffs`` holds the tariff used (``mod_cdrs.asciidoc §CDR Object``: "List of relevant
    Tariffs").
    """
    r = priced.result
    return {
        "total_cost": _price_wire(r.total_cost),
        "total_fixed_cost": _price_wire(r.total_fixed_cost),
        "total_energy_cost": _price_wire(r.total_energy_cost),
        "total_time_cost": _price_wire(r.total_time_cost),
        "total_parking_cost": _price_wire(r.total_parking_cost),
        "total_reservation_cost": _price_wire(r.total_reservation_cost),
        "total_energy": money(r.total_energy),
        "total_time": money(r.total_time),
        "total_parking_time": money(r.total_parking_time),
        "tariffs": [dict(priced.tariff.data)],
    }


async def price_local_cdr(db: Database, cdr: CDR) -> CDR:
    """One of our CDRs with its totals and ``tariffs`` from the connector's tariffs.

    Without a usable tariff the CDR is returned unchanged (logged).

    Raises:
        ValueError: when the CDR cannot be priced (naming the field).
    """
    data = cdr.to_wire()
    async with db.connect() as conn:
        priced, reason = await price_cdr_in(conn, data)
    if priced is None:
        log.warning("CDR %s not priced: %s", cdr.id, reason)
        return cdr
    return CDR.model_validate({**data, **cdr_totals(priced)})


def _differs(expected: Decimal, received: Decimal | None) -> bool:
    return received is not None and abs(money(expected) - received) > TOLERANCE


async def check_received_cdr(conn: AsyncConnection, cdr: CDR, peer_id: int | None) -> str:
    """Re-price a received CDR and append the outcome event in the caller's transaction.

    Never raises for pricing problems: a CDR that cannot be priced gets ``cdr.price_unchecked``.

    Returns:
        The event kind appended.
    """
    data = cdr.to_wire()
    event: dict[str, Any] = {
        "cdr_id": cdr.id,
        "currency": cdr.currency,
        "received_total": cost_json(cdr.total_cost),
    }
    priced: Priced | None = None
    if cdr.credit:
        reason = "credit CDR (not re-priced)"
    else:
        try:
            priced, reason = await price_cdr_in(conn, data)
        except (ValueError, ArithmeticError) as exc:
            reason = f"cannot be priced: {exc}"
    if priced is None:
        kind = UNCHECKED
        event["reason"] = reason
    else:
        total = priced.result.total_cost
        received = cdr.total_cost
        mismatch = _differs(total.excl_vat, received.excl_vat) or _differs(
            total.incl_vat, received.incl_vat
        )
        kind = MISMATCH if mismatch else CHECKED
        event.update(
            expected_total=cost_json(total),
            tariff_id=priced.tariff.id,
            tariff_source=priced.tariff.source,
            time_zone=priced.zone.key,
        )
        if mismatch:
            event["difference"] = {
                "excl_vat": _num(received.excl_vat - money(total.excl_vat)),
                "incl_vat": None
                if received.incl_vat is None
                else _num(received.incl_vat - money(total.incl_vat)),
            }
    await EventLog(conn).append(
        kind,
        "cdrs",
        country_code=cdr.country_code.upper(),
        party_id=cdr.party_id.upper(),
        object_id=cdr.id.upper(),
        peer_id=peer_id,
        data=event,
    )
    return kind


async def list_disputes(db: Database, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """The ``cdr.price_mismatch`` events after event id ``after``, oldest first."""
    async with db.connect() as conn:
        found = await EventLog(conn).after(after, limit=limit, kind=MISMATCH)
    disputes = []
    for event in found:
        d = event.data
        disputes.append(
            {
                "event_id": event.id,
                "cdr_id": d.get("cdr_id", event.object_id),
                "country_code": event.country_code,
                "party_id": event.party_id,
                "peer_id": event.peer_id,
                "currency": d.get("currency"),
                "received_total": d.get("received_total"),
                "expected_total": d.get("expected_total"),
                "difference": d.get("difference"),
                "tariff_id": d.get("tariff_id"),
                "tariff_source": d.get("tariff_source"),
                "created_at": event.created_at.isoformat(),
            }
        )
    return disputes
