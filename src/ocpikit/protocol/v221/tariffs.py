"""OCPI 2.2.1 Tariffs module wire models (``mod_tariffs.asciidoc``).

Tariffs have no PATCH in 2.2.x (requirement TAR-03), so there is no ``TariffPatch``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ocpikit.protocol.v221.common import DisplayText, EnergyMix, Int, OcpiModel, Price
from ocpikit.types import URL, CiString2, CiString3, CiString36, DateTime, Number, String3

__all__ = [
    "DayOfWeek",
    "PriceComponent",
    "ReservationRestrictionType",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
]

# Regexes from ``§TariffRestrictions class`` (anchored: pydantic searches, not full-matches).
_TimeOfDay = Annotated[
    str, StringConstraints(max_length=5, pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")
]
_Date = Annotated[
    str,
    StringConstraints(
        max_length=10, pattern=r"^([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    ),
]


class DayOfWeek(StrEnum):
    """``mod_tariffs.asciidoc §DayOfWeek enum``."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestrictionType(StrEnum):
    """``mod_tariffs.asciidoc §ReservationRestrictionType enum``."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffDimensionType(StrEnum):
    """``mod_tariffs.asciidoc §TariffDimensionType enum``."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffType(StrEnum):
    """``mod_tariffs.asciidoc §TariffType enum``."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class PriceComponent(OcpiModel):
    """``mod_tariffs.asciidoc §PriceComponent class``.

    ``vat`` absent means no VAT applies, which differs from ``0``: keep it absent.
    """

    type: TariffDimensionType
    price: Number
    vat: Number | None = None
    step_size: Int


class TariffRestrictions(OcpiModel):
    """``mod_tariffs.asciidoc §TariffRestrictions class`` (times and dates are local).

    ``end_time`` earlier than ``start_time`` is valid: the period wraps past midnight.
    """

    start_time: _TimeOfDay | None = None
    end_time: _TimeOfDay | None = None
    start_date: _Date | None = None
    end_date: _Date | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_current: Number | None = None
    max_current: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: Int | None = None
    max_duration: Int | None = None
    day_of_week: list[DayOfWeek] | None = None
    reservation: ReservationRestrictionType | None = None


class TariffElement(OcpiModel):
    """``mod_tariffs.asciidoc §TariffElement class``."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """``mod_tariffs.asciidoc §Tariff Object``."""

    country_code: CiString2
    party_id: CiString3
    id: CiString36
    currency: String3
    type: TariffType | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    min_price: Price | None = None
    max_price: Price | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    energy_mix: EnergyMix | None = None
    last_updated: DateTime
