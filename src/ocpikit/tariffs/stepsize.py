"""step_size: rounding the billed quantities up, once per session.

The rules, as the spec states them (``mod_cdrs.asciidoc`` §CDR Object, "step_size:"):

    "When calculating the cost of a charging session, ``step_size`` SHALL only be taken into
    account once per session for the TariffDimensionType ``ENERGY`` and once for
    ``PARKING_TIME`` and ``TIME`` combined."

    "The ``step_size`` for the PriceComponent that is used to calculate the cost of such a
    'last' ChargingPeriod SHALL be used. If the ``step_size`` differs for the different
    TariffElements, the ``step_size`` of the last relevant PriceComponent is used."

    "The ``step_size`` uses the total amount of a certain unit used during a session, not only
    the last ChargingPeriod." (4.3 kWh + 1.1 kWh = 5.4 kWh, rounded to 5.5 kWh in total; the
    extra 0.1 kWh is billed after 17:00, at the price of the last period.)

    "In the cases that ``TIME`` and ``PARKING_TIME`` Tariff Elements are both used,
    ``step_size`` is only taken into account for the total parking duration" (21 min charging
    + 16 min parking with steps of 10 min: 21 + 20 = 41 min billed.)

And ``mod_tariffs.asciidoc`` §PriceComponent class: "Consumed amounts are rounded up to the
smallest multiple of ``step_size``" with multipliers 1 Wh (ENERGY) and 1 second (TIME,
PARKING_TIME). A quantity already on a multiple is not increased (ERR-08: ceiling, ">=").
Example "switching to Free-of-Charge Tariff Element" (erratum ERR-02): when parking becomes
free, the billable parking time is rounded with the step_size of the last paid PARKING_TIME
component and the extra time is added to that last paid period.

Implementation (:func:`step_extra`, applied by the engine): per group, the billed lines are
those with an active component and a non-zero quantity. The group total is rounded up with the
step_size of the last billed line's component; the difference is added to that last line's
billed quantity (earlier lines are billed exactly). Groups: session ENERGY; session time, which
is PARKING_TIME when the last billed time-based line is parking (charging followed by
parking), else TIME (TC-24); and reservation TIME, rounded on its own (decision: a reservation
is billed like its own session). A ``step_size`` of 0 means no rounding.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from ocpikit.tariffs.model import PriceComponent, TariffDimension

__all__ = ["round_up", "step_extra"]

_TOLERANCE = Decimal("1e-12")
_WH_PER_KWH = Decimal(1000)
_S_PER_H = Decimal(3600)


def round_up(total: Decimal, step_size: int, units_per_step_unit: Decimal) -> Decimal:
    """Round ``total`` up to a multiple of ``step_size`` steps.

    ``units_per_step_unit`` converts the quantity's unit to the step unit (1000 Wh per kWh,
    3600 s per hour). Amounts within 1e-12 step above a multiple (interpolation noise) count
    as that multiple.
    """
    if step_size <= 0 or total <= 0:
        return total
    steps = total * units_per_step_unit / step_size
    whole = steps.to_integral_value(ROUND_FLOOR)
    if steps - whole > _TOLERANCE:
        whole += 1
    return whole * step_size / units_per_step_unit


def step_extra(total: Decimal, component: PriceComponent) -> Decimal:
    """The quantity to add to the last billed line of a group whose billed total is ``total``.

    ``component`` is the component of that last line; its dimension gives the step unit.
    """
    unit = _WH_PER_KWH if component.type is TariffDimension.ENERGY else _S_PER_H
    return round_up(total, component.step_size, unit) - total
