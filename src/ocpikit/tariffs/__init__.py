"""Pure OCPI 2.2.1 tariff pricing engine: Decimal amounts, timezone-aware datetimes, no I/O.

Typical use::

    tariff = parse_tariff(tariff_json)
    result = price(tariff, parse_cdr(cdr_json), ZoneInfo("Europe/Amsterdam"))
    result.total_cost.excl_vat

See ``docs/tariffs.md`` for the rules and the decisions taken where the spec is open.
"""

from ocpikit.tariffs.engine import price
from ocpikit.tariffs.estimate import estimate
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
from ocpikit.tariffs.parse import (
    parse_cdr,
    parse_charging_periods,
    parse_datetime,
    parse_session,
    parse_tariff,
)
from ocpikit.tariffs.restrictions import compile_tariff
from ocpikit.tariffs.result import Cost, DimensionCost, PeriodResult, PriceResult
from ocpikit.tariffs.timezones import resolve_time_zone, zone_for_location

__all__ = [
    "ChargingPeriod",
    "Cost",
    "DayOfWeek",
    "DimensionCost",
    "LocationHint",
    "PeriodResult",
    "Price",
    "PriceComponent",
    "PriceResult",
    "PricingInput",
    "ReservationRestriction",
    "Tariff",
    "TariffDimension",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
    "compile_tariff",
    "estimate",
    "parse_cdr",
    "parse_charging_periods",
    "parse_datetime",
    "parse_session",
    "parse_tariff",
    "price",
    "resolve_time_zone",
    "zone_for_location",
]
