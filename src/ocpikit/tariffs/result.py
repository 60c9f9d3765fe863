"""Results of pricing: totals per dimension and a breakdown per (split) charging period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ocpikit.tariffs.model import PriceComponent, TariffDimension

__all__ = ["Cost", "DimensionCost", "LazyPeriods", "PeriodResult", "PriceResult", "ZERO_COST"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Cost:
    """An amount excluding and including VAT (an OCPI ``Price`` with both fields set).

    ``incl_vat`` is always given: a component whose ``vat`` is omitted has "no VAT applicable"
    (``mod_tariffs.asciidoc`` §PriceComponent class), so its amount incl. VAT equals its amount
    excl. VAT (decision for TC-31; :attr:`PriceResult.vat_omitted` tells when this happened).
    """

    excl_vat: Decimal
    incl_vat: Decimal

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.excl_vat + other.excl_vat, self.incl_vat + other.incl_vat)

    def __sub__(self, other: Cost) -> Cost:
        return Cost(self.excl_vat - other.excl_vat, self.incl_vat - other.incl_vat)


ZERO_COST = Cost(_ZERO, _ZERO)


@dataclass(frozen=True, slots=True)
class DimensionCost:
    """How one dimension was priced in one segment.

    ``quantity`` is what was used (kWh, hours, or 1 for FLAT); ``billed_quantity`` includes the
    step_size rounding, which is billed in the last priced segment of the session only.
    ``component`` is ``None`` when no element matched (the dimension is free then).
    """

    dimension: TariffDimension
    reservation: bool
    quantity: Decimal
    billed_quantity: Decimal
    component: PriceComponent | None
    element_index: int | None
    cost: Cost


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """One segment: a charging period, or part of one when a restriction changed inside it.

    ``period_index`` is the index of the input charging period it comes from.
    """

    period_index: int
    start_date_time: datetime
    end_date_time: datetime
    energy: Decimal
    time: Decimal
    parking_time: Decimal
    reservation_time: Decimal
    lines: tuple[DimensionCost, ...]

    @property
    def cost(self) -> Cost:
        """Sum of this segment's lines."""
        total = ZERO_COST
        for line in self.lines:
            total = total + line.cost
        return total


@dataclass(frozen=True, slots=True)
class PriceResult:
    """Totals as a CDR carries them (``mod_cdrs.asciidoc`` §CDR Object), plus the breakdown.

    ``total_cost`` is ``components_total`` clamped by the tariff's min_price / max_price; the
    component totals are never clamped and ``price_adjustment`` (``total_cost`` minus
    ``components_total``) shows the difference (decision for TC-34). Quantities: ``total_energy``
    kWh; ``total_time`` hours from session start to end (charging and not charging, reservation
    excluded); ``total_charging_time``, ``total_parking_time``, ``total_reservation_time`` hours
    (sums of the periods' TIME, PARKING_TIME and RESERVATION_TIME volumes).
    """

    currency: str
    total_cost: Cost
    total_fixed_cost: Cost
    total_energy_cost: Cost
    total_time_cost: Cost
    total_parking_cost: Cost
    total_reservation_cost: Cost
    min_price_applied: bool
    max_price_applied: bool
    total_energy: Decimal
    total_time: Decimal
    total_charging_time: Decimal
    total_parking_time: Decimal
    total_reservation_time: Decimal
    reservation_expired: bool
    vat_omitted: bool
    breakdown: LazyPeriods = field(repr=False, compare=False)

    @property
    def components_total(self) -> Cost:
        """Sum of the five component totals, before min_price / max_price."""
        return (
            self.total_fixed_cost
            + self.total_energy_cost
            + self.total_time_cost
            + self.total_parking_cost
            + self.total_reservation_cost
        )

    @property
    def price_adjustment(self) -> Cost:
        """``total_cost`` minus :attr:`components_total`: what min/max_price changed."""
        return self.total_cost - self.components_total

    @property
    def periods(self) -> tuple[PeriodResult, ...]:
        """The breakdown per segment, in time order (built on first access)."""
        return self.breakdown.get()


class LazyPeriods:
    """Builds the per-segment breakdown on first access: pricing itself does not need it."""

    __slots__ = ("_build", "_value")

    def __init__(self, build: Callable[[], tuple[PeriodResult, ...]]) -> None:
        self._build = build
        self._value: tuple[PeriodResult, ...] | None = None

    def get(self) -> tuple[PeriodResult, ...]:
        """Return the breakdown, building it once."""
        if self._value is None:
            self._value = self._build()
        return self._value
