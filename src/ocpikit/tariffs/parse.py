"""Parsers from plain OCPI 2.2.1 JSON dicts (as ``json.loads`` returns them) to the engine model.

Parsing is lenient about fields pricing does not need (ids, tokens, locations) so that minimal
third-party CDRs can be priced, and strict about the fields it does need: any problem raises
``ValueError`` whose message names the field path, e.g. ``elements[0].price_components[1].price``.

Per period, the restriction inputs are derived as follows (documented choice):

- ``power`` (kW): the ``POWER`` dimension (average power); else ``MAX_POWER``; else
  ``MIN_POWER``; else ENERGY / TIME when the period has charging time; else 0 when the period
  has no energy; else unknown.
- ``current`` (A): ``CURRENT``; else ``MAX_CURRENT``; else ``MIN_CURRENT``; else unknown.

An unknown power or current makes min/max_power (min/max_current) restrictions not match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ocpikit.tariffs.model import (
    ChargingPeriod,
    DayOfWeek,
    LocationHint,
    Price,
    PriceComponent,
    PricingInput,
    ReservationRestriction,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffRestrictions,
    TariffType,
)

__all__ = [
    "parse_cdr",
    "parse_charging_periods",
    "parse_datetime",
    "parse_session",
    "parse_tariff",
]

_E = TypeVar("_E", TariffDimension, ReservationRestriction, DayOfWeek, TariffType)
_ZERO = Decimal(0)


def _req(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        raise ValueError(f"{path}{key}: required field is missing")
    return obj[key]


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{path}: expected a JSON array, got {type(value).__name__}")
    return value


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{path}: expected a number, got {value!r}")
    try:
        # str() of a float is its shortest repr, so 0.25 becomes exactly Decimal("0.25").
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{path}: expected a number, got {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{path}: expected a finite number, got {value!r}")
    return result


def _opt_decimal(obj: Mapping[str, Any], key: str, path: str) -> Decimal | None:
    value = obj.get(key)
    return None if value is None else _decimal(value, path + key)


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{path}: expected an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{path}: expected an integer, got {value!r}")
    return int(value)


def _enum(cls: type[_E], value: Any, path: str) -> _E:
    try:
        return cls(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in cls)
        raise ValueError(f"{path}: {value!r} is not one of {allowed}") from exc


def parse_datetime(value: Any, path: str = "datetime") -> datetime:
    """Parse an OCPI DateTime; a value without offset is UTC (``types.asciidoc`` §DateTime).

    Raises:
        ValueError: when ``value`` is not an RFC 3339 date-time.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError as exc:
            raise ValueError(f"{path}: {value!r} is not an RFC 3339 date-time") from exc
    else:
        raise ValueError(f"{path}: expected a date-time string, got {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _time_of_day(value: Any, path: str) -> time:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ValueError(f"{path}: {value!r} is not a time of day HH:MM")
    try:
        return time(int(value[:2]), int(value[3:]))
    except ValueError as exc:
        raise ValueError(f"{path}: {value!r} is not a time of day HH:MM") from exc


def _date(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {value!r} is not a date YYYY-MM-DD") from exc


def _price(value: Any, path: str) -> Price:
    obj = _mapping(value, path)
    return Price(
        excl_vat=_decimal(_req(obj, "excl_vat", path + "."), path + ".excl_vat"),
        incl_vat=_opt_decimal(obj, "incl_vat", path + "."),
    )


def _component(value: Any, path: str) -> PriceComponent:
    obj = _mapping(value, path)
    p = path + "."
    step = _int(_req(obj, "step_size", p), p + "step_size")
    if step < 0:
        raise ValueError(f"{p}step_size: must not be negative, got {step}")
    return PriceComponent(
        type=_enum(TariffDimension, _req(obj, "type", p), p + "type"),
        price=_decimal(_req(obj, "price", p), p + "price"),
        step_size=step,
        vat=_opt_decimal(obj, "vat", p),
    )


def _opt(obj: Mapping[str, Any], key: str, path: str, conv: Any) -> Any:
    value = obj.get(key)
    return None if value is None else conv(value, path + key)


def _restrictions(value: Any, path: str) -> TariffRestrictions:
    obj = _mapping(value, path)
    p = path + "."
    days = obj.get("day_of_week") or ()
    reservation = obj.get("reservation")
    return TariffRestrictions(
        start_time=_opt(obj, "start_time", p, _time_of_day),
        end_time=_opt(obj, "end_time", p, _time_of_day),
        start_date=_opt(obj, "start_date", p, _date),
        end_date=_opt(obj, "end_date", p, _date),
        min_kwh=_opt_decimal(obj, "min_kwh", p),
        max_kwh=_opt_decimal(obj, "max_kwh", p),
        min_current=_opt_decimal(obj, "min_current", p),
        max_current=_opt_decimal(obj, "max_current", p),
        min_power=_opt_decimal(obj, "min_power", p),
        max_power=_opt_decimal(obj, "max_power", p),
        min_duration=_opt(obj, "min_duration", p, _int),
        max_duration=_opt(obj, "max_duration", p, _int),
        day_of_week=frozenset(
            _enum(DayOfWeek, d, f"{p}day_of_week[{i}]")
            for i, d in enumerate(_list(days, p + "day_of_week"))
        ),
        reservation=None
        if reservation is None
        else _enum(ReservationRestriction, reservation, p + "reservation"),
    )


def _element(value: Any, path: str) -> TariffElement:
    obj = _mapping(value, path)
    p = path + "."
    comps = _list(_req(obj, "price_components", p), p + "price_components")
    if not comps:
        raise ValueError(f"{p}price_components: must contain at least one PriceComponent")
    restrictions = obj.get("restrictions")
    return TariffElement(
        price_components=tuple(
            _component(c, f"{p}price_components[{i}]") for i, c in enumerate(comps)
        ),
        restrictions=None
        if restrictions is None
        else _restrictions(restrictions, p + "restrictions"),
    )


def parse_tariff(data: Mapping[str, Any]) -> Tariff:
    """Parse an OCPI 2.2.1 Tariff object (not wrapped in a response envelope).

    Raises:
        ValueError: naming the offending field when a field pricing needs is missing or invalid.
    """
    obj = _mapping(data, "tariff")
    elements = _list(_req(obj, "elements", ""), "elements")
    if not elements:
        raise ValueError("elements: must contain at least one TariffElement")
    ttype = obj.get("type")
    return Tariff(
        id=str(obj.get("id", "")),
        currency=str(_req(obj, "currency", "")),
        elements=tuple(_element(e, f"elements[{i}]") for i, e in enumerate(elements)),
        country_code=obj.get("country_code"),
        party_id=obj.get("party_id"),
        type=None if ttype is None else _enum(TariffType, ttype, "type"),
        min_price=_opt(obj, "min_price", "", _price),
        max_price=_opt(obj, "max_price", "", _price),
        start_date_time=_opt(obj, "start_date_time", "", parse_datetime),
        end_date_time=_opt(obj, "end_date_time", "", parse_datetime),
    )


def _period(value: Any, path: str) -> ChargingPeriod:
    obj = _mapping(value, path)
    p = path + "."
    start = parse_datetime(_req(obj, "start_date_time", p), p + "start_date_time")
    volumes: dict[str, Decimal] = {}
    for i, dim in enumerate(_list(_req(obj, "dimensions", p), p + "dimensions")):
        dp = f"{p}dimensions[{i}]"
        d = _mapping(dim, dp)
        kind = _req(d, "type", dp + ".")
        if not isinstance(kind, str):
            raise ValueError(f"{dp}.type: expected a CdrDimensionType, got {kind!r}")
        # Several entries of one type are summed (volumes are additive quantities).
        volumes[kind] = volumes.get(kind, _ZERO) + _decimal(
            _req(d, "volume", dp + "."), dp + ".volume"
        )
    energy = volumes.get("ENERGY", _ZERO)
    charging = volumes.get("TIME", _ZERO)
    power = volumes.get("POWER", volumes.get("MAX_POWER", volumes.get("MIN_POWER")))
    if power is None:
        if charging > 0:
            power = energy / charging
        elif energy == 0:
            power = _ZERO
    current = volumes.get("CURRENT", volumes.get("MAX_CURRENT", volumes.get("MIN_CURRENT")))
    tariff_id = obj.get("tariff_id")
    return ChargingPeriod(
        start_date_time=start,
        energy=energy,
        time=charging,
        parking_time=volumes.get("PARKING_TIME", _ZERO),
        reservation_time=volumes.get("RESERVATION_TIME", _ZERO),
        power=power,
        current=current,
        tariff_id=None if tariff_id is None else str(tariff_id),
    )


def parse_charging_periods(data: Any, path: str = "charging_periods") -> tuple[ChargingPeriod, ...]:
    """Parse a list of OCPI ChargingPeriod objects, checking they are in time order.

    Raises:
        ValueError: naming the offending field.
    """
    periods = tuple(_period(v, f"{path}[{i}]") for i, v in enumerate(_list(data, path)))
    for i in range(1, len(periods)):
        if periods[i].start_date_time < periods[i - 1].start_date_time:
            raise ValueError(f"{path}[{i}].start_date_time: periods must be in time order")
    return periods


def _location(value: Any) -> LocationHint | None:
    if not isinstance(value, Mapping):
        return None
    coords = value.get("coordinates")
    lat = lon = None
    if isinstance(coords, Mapping):
        lat = _opt_decimal(coords, "latitude", "cdr_location.coordinates.")
        lon = _opt_decimal(coords, "longitude", "cdr_location.coordinates.")
    tz = value.get("time_zone")
    country = value.get("country")
    return LocationHint(
        country=country if isinstance(country, str) else None,
        latitude=lat,
        longitude=lon,
        time_zone=tz if isinstance(tz, str) else None,
    )


def _usage(obj: Mapping[str, Any], start_key: str, end_key: str) -> PricingInput:
    start = parse_datetime(_req(obj, start_key, ""), start_key)
    end_raw = obj.get(end_key)
    end = None if end_raw is None else parse_datetime(end_raw, end_key)
    periods = parse_charging_periods(obj.get("charging_periods") or [])
    if end is not None and end < start:
        raise ValueError(f"{end_key}: ends before {start_key}")
    # A Session that began as a reservation has its RESERVATION_TIME period before the moment
    # it became ACTIVE (its start_date_time); only the periods after that must not precede it.
    first = next((i for i, p in enumerate(periods) if not p.reservation_only), None)
    if first is not None and periods[first].start_date_time < start:
        raise ValueError(f"charging_periods[{first}].start_date_time: before {start_key}")
    if end is not None and periods and periods[-1].start_date_time > end:
        raise ValueError(f"charging_periods[{len(periods) - 1}].start_date_time: after {end_key}")
    tariffs = obj.get("tariffs")
    tariff_ids: tuple[str, ...] = ()
    if isinstance(tariffs, list):
        tariff_ids = tuple(str(t["id"]) for t in tariffs if isinstance(t, Mapping) and "id" in t)
    return PricingInput(
        start_date_time=start,
        end_date_time=end,
        charging_periods=periods,
        location=_location(obj.get("cdr_location")),
        tariff_ids=tariff_ids,
    )


def parse_cdr(data: Mapping[str, Any]) -> PricingInput:
    """Parse the pricing-relevant part of an OCPI 2.2.1 CDR object.

    Needs ``start_date_time``, ``end_date_time`` and ``charging_periods``; reads
    ``cdr_location`` (country, coordinates) as a time zone hint. Everything else is ignored.

    Raises:
        ValueError: naming the offending field.
    """
    obj = _mapping(data, "cdr")
    _req(obj, "end_date_time", "")
    _list(_req(obj, "charging_periods", ""), "charging_periods")
    return _usage(obj, "start_date_time", "end_date_time")


def parse_session(data: Mapping[str, Any]) -> PricingInput:
    """Parse the pricing-relevant part of an OCPI 2.2.1 Session object.

    Uses ``start_date_time``, ``end_date_time`` (optional: ongoing session) and
    ``charging_periods`` (optional).

    Raises:
        ValueError: naming the offending field.
    """
    return _usage(_mapping(data, "session"), "start_date_time", "end_date_time")
