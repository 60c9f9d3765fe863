"""Which tariffs apply where: a connector's tariffs, a CDR's tariffs, the choice among them.

- A Connector's ``tariff_ids`` name Tariffs of the party that owns the Location
  (``mod_locations.asciidoc §Connector Object``): they are looked up in the object store under
  that party (our own tariffs for our own locations, the received ones for a peer's). When no
  tariff has that key, a tariff with that id and the same origin (ours, or the same peer's) is
  used.
- A CDR may carry the tariffs used in its ``tariffs`` field; they are the fallback when the
  store holds none of the tariffs its periods or its connector name.
- :func:`choose_tariff`: among candidates, only tariffs active at the session start
  (``start_date_time``/``end_date_time``), in the session's currency when one is given; a
  tariff named by the charging periods' ``tariff_id`` first, else the first ``REGULAR`` (or
  untyped) tariff, else the first one (``AD_HOC_PAYMENT`` and ``PROFILE_*`` tariffs apply to
  specific drivers and are only used when nothing else is there).
- Time zone: the Location's ``time_zone``, else the one its country and coordinates imply
  (:func:`ocpikit.tariffs.resolve_time_zone`), else UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit import tariffs as engine
from ocpikit.storage.objects import ObjectKey, ObjectStore, StoredObject

__all__ = [
    "Candidate",
    "TariffChoice",
    "choose_tariff",
    "connector_of",
    "evse_of",
    "load_location",
    "load_tariffs",
    "location_zone",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A tariff that may apply, as OCPI JSON, and where it was found (``stored`` or ``cdr``)."""

    data: Mapping[str, Any]
    source: str


@dataclass(frozen=True, slots=True)
class TariffChoice:
    """The tariff chosen to price a session: its OCPI JSON, engine form and origin."""

    data: Mapping[str, Any]
    tariff: engine.Tariff
    source: str

    @property
    def id(self) -> str:
        return self.tariff.id


def evse_of(location: Mapping[str, Any], evse_uid: str | None) -> Mapping[str, Any] | None:
    """The EVSE of a Location JSON by uid (case-insensitive), or None."""
    if evse_uid is None:
        return None
    for evse in location.get("evses") or []:
        if str(evse.get("uid", "")).upper() == evse_uid.upper():
            return dict(evse)
    return None


def connector_of(
    evse: Mapping[str, Any] | None, connector_id: str | None
) -> Mapping[str, Any] | None:
    """The Connector of an EVSE JSON by id (case-insensitive), or None."""
    if evse is None or connector_id is None:
        return None
    for connector in evse.get("connectors") or []:
        if str(connector.get("id", "")).upper() == connector_id.upper():
            return dict(connector)
    return None


async def load_location(
    conn: AsyncConnection, country_code: str, party_id: str, location_id: str | None
) -> StoredObject | None:
    """The stored Location of a party (ours or received), or None."""
    if not location_id:
        return None
    return await ObjectStore(conn).get(ObjectKey("locations", country_code, party_id, location_id))


async def load_tariffs(
    conn: AsyncConnection,
    country_code: str,
    party_id: str,
    tariff_ids: Iterable[str],
    *,
    origin: StoredObject | None = None,
) -> list[Candidate]:
    """The stored tariffs with these ids, in order, without duplicates.

    Each id is looked up under ``country_code``/``party_id``; failing that, a tariff with the
    same id and the same origin as ``origin`` (ours, or received from the same peer).
    """
    store = ObjectStore(conn)
    found: list[Candidate] = []
    seen: set[str] = set()
    for tariff_id in tariff_ids:
        if not tariff_id or tariff_id.upper() in seen:
            continue
        seen.add(tariff_id.upper())
        stored = await store.get(ObjectKey("tariffs", country_code, party_id, tariff_id))
        if stored is None and origin is not None:
            same_origin = [
                t
                for t in await store.find("tariffs", tariff_id, is_local=origin.is_local)
                if origin.is_local or t.peer_id == origin.peer_id
            ]
            stored = same_origin[0] if same_origin else None
        if stored is not None:
            found.append(Candidate(stored.parsed(), "stored"))
    return found


def _rank(tariff: engine.Tariff, preferred: set[str], currency: str | None) -> tuple[int, int, int]:
    return (
        0 if tariff.id.upper() in preferred else 1,
        0 if currency is None or tariff.currency.upper() == currency.upper() else 1,
        0 if tariff.type in (None, engine.TariffType.REGULAR) else 1,
    )


def choose_tariff(
    candidates: Sequence[Candidate],
    at: datetime,
    *,
    preferred_ids: Iterable[str] = (),
    currency: str | None = None,
) -> tuple[TariffChoice | None, str]:
    """Pick the tariff to price with (rules in the module docstring).

    Returns:
        The choice, or None and the reason none applies (an empty string with a choice).
    """
    preferred = {i.upper() for i in preferred_ids if i}
    usable: list[tuple[tuple[int, int, int], int, TariffChoice]] = []
    reasons: list[str] = []
    for index, candidate in enumerate(candidates):
        try:
            tariff = engine.parse_tariff(candidate.data)
        except ValueError as exc:
            reasons.append(f"tariff {candidate.data.get('id')!r} cannot be priced: {exc}")
            continue
        if not tariff.is_active_at(at):
            reasons.append(f"tariff {tariff.id!r} is not valid at {at.isoformat()}")
            continue
        choice = TariffChoice(candidate.data, tariff, candidate.source)
        usable.append((_rank(tariff, preferred, currency), index, choice))
    if not usable:
        return None, "; ".join(reasons) or "no tariff is known"
    usable.sort(key=lambda item: (item[0], item[1]))
    best = usable[0]
    if currency is not None and best[0][1] == 1:
        return (
            None,
            f"no tariff in {currency} (tariff {best[2].id!r} is in {best[2].tariff.currency})",
        )
    return best[2], ""


def location_zone(
    location: Mapping[str, Any] | None, usage: engine.PricingInput | None
) -> ZoneInfo:
    """The time zone of a Location JSON (its ``time_zone``, else its country), or of a CDR's."""
    hint: engine.LocationHint | None = usage.location if usage is not None else None
    if location is not None:
        coordinates = location.get("coordinates") or {}
        hint = engine.LocationHint(
            country=location.get("country"),
            latitude=_decimal(coordinates.get("latitude")),
            longitude=_decimal(coordinates.get("longitude")),
            time_zone=location.get("time_zone"),
        )
    return engine.resolve_time_zone(None, hint)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
