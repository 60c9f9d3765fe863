"""Input model of the pricing engine: a Tariff and the usage to price.

These are the engine's own frozen dataclasses, deliberately independent of the wire models in
``ocpikit.protocol``: they hold only what pricing needs, already converted to ``Decimal``,
timezone-aware ``datetime`` and plain integers, so the hot loop never touches pydantic.
Build them with :mod:`ocpikit.tariffs.parse` from OCPI 2.2.1 JSON dicts, or directly.

Units follow OCPI 2.2.1: energy in kWh, time in hours, power in kW, current in A,
``PriceComponent.step_size`` in Wh (ENERGY) or seconds (TIME, PARKING_TIME)
(``mod_tariffs.asciidoc`` §TariffDimensionType enum).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ChargingPeriod",
    "DayOfWeek",
    "LocationHint",
    "Price",
    "PriceComponent",
    "PricingInput",
    "ReservationRestriction",
    "Tariff",
    "TariffDimension",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
]

ZERO = Decimal(0)


class TariffDimension(StrEnum):
    """OCPI 2.2.1 ``TariffDimensionType``."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class ReservationRestriction(StrEnum):
    """OCPI 2.2.1 ``ReservationRestrictionType``."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class DayOfWeek(StrEnum):
    """OCPI 2.2.1 ``DayOfWeek``; :meth:`weekday` gives Python's ``date.weekday()`` number."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    def weekday(self) -> int:
        """Return 0 for Monday ... 6 for Sunday."""
        return list(DayOfWeek).index(self)


class TariffType(StrEnum):
    """OCPI 2.2.1 ``TariffType``."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


@dataclass(frozen=True, slots=True)
class Price:
    """An OCPI ``Price``: ``incl_vat`` is optional on the wire (``types.asciidoc`` §Price)."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """``mod_tariffs.asciidoc`` §PriceComponent class.

    ``vat`` is a percentage; ``None`` means "no VAT applicable", which differs from ``0``.
    """

    type: TariffDimension
    price: Decimal
    step_size: int
    vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TariffRestrictions:
    """``mod_tariffs.asciidoc`` §TariffRestrictions class (every field optional).

    Times of day and dates are local to the Location; durations are seconds; ``day_of_week``
    empty means "every day".
    """

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: frozenset[DayOfWeek] = frozenset()
    reservation: ReservationRestriction | None = None


@dataclass(frozen=True, slots=True)
class TariffElement:
    """``mod_tariffs.asciidoc`` §TariffElement class."""

    price_components: tuple[PriceComponent, ...]
    restrictions: TariffRestrictions | None = None


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class Tariff:
    """``mod_tariffs.asciidoc`` §Tariff Object, reduced to what pricing needs.

    Compared by identity: the engine caches its precomputed form per Tariff object.
    """

    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    country_code: str | None = None
    party_id: str | None = None
    type: TariffType | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None

    def is_active_at(self, moment: datetime) -> bool:
        """Tell whether ``moment`` lies in [``start_date_time``, ``end_date_time``]."""
        if self.start_date_time is not None and moment < self.start_date_time:
            return False
        return self.end_date_time is None or moment <= self.end_date_time


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """One ``ChargingPeriod`` (``mod_cdrs.asciidoc`` §ChargingPeriod class), by dimension.

    The period runs from ``start_date_time`` to the next period's start (the last one to the
    session end). ``power`` (kW) and ``current`` (A) are the values used by the
    min/max_power and min/max_current restrictions; ``None`` means unknown (see
    :mod:`ocpikit.tariffs.parse` for how they are derived).
    """

    start_date_time: datetime
    energy: Decimal = ZERO
    time: Decimal = ZERO
    parking_time: Decimal = ZERO
    reservation_time: Decimal = ZERO
    power: Decimal | None = None
    current: Decimal | None = None

    @property
    def reservation_only(self) -> bool:
        """Reservation time and nothing else: the driver had not started yet (TC-14)."""
        return bool(self.reservation_time) and not (self.energy or self.time or self.parking_time)

    tariff_id: str | None = None


@dataclass(frozen=True, slots=True)
class LocationHint:
    """What a CDR says about where it happened (``CdrLocation``): used to find the time zone."""

    country: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class PricingInput:
    """The usage to price: a CDR, or a Session with its charging periods.

    ``end_date_time`` ``None`` (an ongoing Session): the last period ends after its own
    TIME + PARKING_TIME + RESERVATION_TIME volume. ``reservation_expired`` ``None`` means
    "infer it": a reservation expired when the input has reservation time and no period with
    energy, charging time or parking time.
    """

    start_date_time: datetime
    end_date_time: datetime | None
    charging_periods: tuple[ChargingPeriod, ...]
    reservation_expired: bool | None = None
    location: LocationHint | None = None
    tariff_ids: tuple[str, ...] = field(default=())
