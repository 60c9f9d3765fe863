"""Estimate what a planned charge would cost, to compare and rank tariffs.

:func:`estimate` synthesises the charging periods of "about ``kwh`` kWh over ``minutes`` minutes
starting at ``start``" at constant power and prices them. The engine splits the synthetic
periods at every restriction boundary (time of day, duration, kWh), interpolating linearly,
which is exact for constant power.

- ``power_kw`` ``None``: the car charges during the whole stay at ``kwh / hours`` kW.
- ``power_kw`` given: it charges ``kwh / power_kw`` hours, then stays connected without
  charging (PARKING_TIME) for the rest of the ``minutes``. When ``kwh`` cannot be reached in
  ``minutes`` at that power, it charges for the whole stay (the energy is kept, the power given
  is still what the power restrictions see).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from ocpikit.tariffs.engine import price
from ocpikit.tariffs.model import ChargingPeriod, PricingInput, Tariff
from ocpikit.tariffs.result import PriceResult

__all__ = ["estimate", "synthesise_usage"]

_ZERO = Decimal(0)
_SIXTY = Decimal(60)


def synthesise_usage(
    start: datetime,
    kwh: Decimal,
    minutes: int,
    power_kw: Decimal | None = None,
    *,
    current_a: Decimal | None = None,
) -> PricingInput:
    """Build the charging periods :func:`estimate` prices.

    Raises:
        ValueError: when ``start`` is naive, or a quantity is negative.
    """
    if start.tzinfo is None:
        raise ValueError("start: must be timezone-aware")
    if minutes < 0 or kwh < 0 or (power_kw is not None and power_kw <= 0):
        raise ValueError("kwh and minutes must not be negative and power_kw must be positive")
    stay = Decimal(minutes) / _SIXTY
    charging = stay if power_kw is None else min(stay, kwh / power_kw)
    power = power_kw
    if power is None:
        power = kwh / stay if stay else _ZERO
    end = start + timedelta(minutes=minutes)
    periods = [
        ChargingPeriod(start, energy=kwh, time=charging, power=power, current=current_a),
    ]
    parking = stay - charging
    if parking > 0:
        parked_at = start + timedelta(microseconds=int(charging * 3_600_000_000))
        periods.append(ChargingPeriod(parked_at, parking_time=parking, power=_ZERO, current=_ZERO))
    return PricingInput(start_date_time=start, end_date_time=end, charging_periods=tuple(periods))


def estimate(
    tariff: Tariff,
    start: datetime,
    kwh: Decimal,
    minutes: int,
    power_kw: Decimal | None,
    tz: tzinfo,
    *,
    current_a: Decimal | None = None,
) -> PriceResult:
    """Price "about ``kwh`` kWh over ``minutes`` minutes from ``start``" with ``tariff``.

    ``current_a`` (A, sum over phases) feeds min/max_current restrictions; without it they do
    not match. Rank tariffs by ``result.total_cost``.

    Raises:
        ValueError: when ``start`` is naive, or a quantity is negative.
    """
    usage = synthesise_usage(start, kwh, minutes, power_kw, current_a=current_a)
    return price(tariff, usage, tz)
