"""OCPI 2.1.1 Tariffs module wire models (``mod_tariffs.md``).

Unlike 2.2.x, 2.1.1 Tariffs have a PATCH (``§2.2.3``), so there is a :class:`TariffPatch`.
A 2.1.1 Tariff has no owner codes, ``type``, ``min_price``/``max_price`` or validity dates; a
PriceComponent has no ``vat`` ("price per unit (excluding VAT)"); TariffRestrictions have no
``min_current``/``max_current``/``reservation``. The OpenAPI description of 2.1.1 carries all of
these (it is the 2.2.1 Tariff); these models follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ocpikit.protocol.v211.common import (
    DisplayText,
    EnergyMix,
    Int,
    OcpiModel,
    OcpiPatch,
    String3,
    String10,
    String36,
)
from ocpikit.types import URL, DateTime, Number

__all__ = [
    "DayOfWeek",
    "PriceComponent",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffPatch",
    "TariffRestrictions",
]

# "Must be in 24h format with leading zeros. Hour/Minute separator: ":" Regex:
# [0-2][0-9]:[0-5][0-9]" (anchored: pydantic searches, not full-matches).
_TimeOfDay = Annotated[str, StringConstraints(max_length=5, pattern=r"^[0-2][0-9]:[0-5][0-9]$")]


class DayOfWeek(StrEnum):
    """``mod_tariffs.md §4.1 DayOfWeek enum``."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class TariffDimensionType(StrEnum):
    """``mod_tariffs.md §4.4 TariffDimensionType enum``."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class PriceComponent(OcpiModel):
    """``mod_tariffs.md §4.2 PriceComponent class``: "price per unit (excluding VAT)".

    No ``vat`` field in 2.1.1.
    """

    type: TariffDimensionType
    price: Number
    step_size: Int


class TariffRestrictions(OcpiModel):
    """``mod_tariffs.md §4.5 TariffRestrictions class``.

    ``start_date``/``end_date`` are ``string(10)`` with an example ("2015-12-24") but no
    regex in 2.1.1, so only the length and the character set are checked.
    """

    start_time: _TimeOfDay | None = None
    end_time: _TimeOfDay | None = None
    start_date: String10 | None = None
    end_date: String10 | None = None
    min_kwh: Number | None = None
    max_kwh: Number | None = None
    min_power: Number | None = None
    max_power: Number | None = None
    min_duration: Int | None = None
    max_duration: Int | None = None
    day_of_week: list[DayOfWeek] | None = None


class TariffElement(OcpiModel):
    """``mod_tariffs.md §4.3 TariffElement class``."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    restrictions: TariffRestrictions | None = None


class Tariff(OcpiModel):
    """``mod_tariffs.md §3.1 Tariff Object``.

    "When the list of elements contains more then 1 element, than the first tariff in the list
    with matching restrictions will be used."
    """

    id: String36
    currency: String3
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    energy_mix: EnergyMix | None = None
    last_updated: DateTime


class TariffPatch(OcpiPatch):
    """PATCH body of a Tariff (``mod_tariffs.md §2.2.3 PATCH Method``).

    Every :class:`Tariff` field is optional, ``last_updated`` too (2.1.1).
    """

    id: String36 | None = None
    currency: String3 | None = None
    tariff_alt_text: list[DisplayText] | None = None
    tariff_alt_url: URL | None = None
    elements: Annotated[list[TariffElement], Field(min_length=1)] | None = None
    energy_mix: EnergyMix | None = None
