"""OCPI 2.1.1 CDRs module wire models (``mod_cdrs.md``).

CDRs are immutable (POST only), so there is no ``CdrPatch``. :class:`ChargingPeriod` and
:class:`CdrDimension` are defined here and reused by Sessions.

A 2.1.1 CDR embeds the :class:`~ocpikit.protocol.v211.locations.Location` "including only the
relevant EVSE and Connector" instead of a CdrLocation, names the token by ``auth_id`` instead
of a CdrToken, ends at ``stop_date_time``, and has ``total_cost`` as a plain number (excl.
VAT), with no cost breakdown, signed data, credit or owner codes. The OpenAPI description of
2.1.1 describes the 2.2.1 CDR instead; these models follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ocpikit.protocol.v211.common import AuthMethod, OcpiModel, String3, String36, String255
from ocpikit.protocol.v211.locations import Location
from ocpikit.protocol.v211.tariffs import Tariff
from ocpikit.types import CiString36, DateTime, Number

__all__ = ["CDR", "AuthMethod", "CdrDimension", "CdrDimensionType", "ChargingPeriod"]


class CdrDimensionType(StrEnum):
    """``mod_cdrs.md §4.3 CdrDimensionType enum`` (``FLAT`` is 2.1.1 only)."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class CdrDimension(OcpiModel):
    """``mod_cdrs.md §4.2 CdrDimension class``."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """``mod_cdrs.md §4.4 ChargingPeriod class`` (no ``tariff_id`` in 2.1.1)."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]


class CDR(OcpiModel):
    """``mod_cdrs.md §3.1 CDR Object``.

    ``location``: "Location where the charging session took place, including only the relevant
    EVSE and Connector". ``total_cost``: "Total cost (excluding VAT) of this transaction".
    """

    id: CiString36
    start_date_time: DateTime
    stop_date_time: DateTime
    auth_id: String36
    auth_method: AuthMethod
    location: Location
    meter_id: String255 | None = None
    currency: String3
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    total_cost: Number
    total_energy: Number
    total_time: Number
    total_parking_time: Number | None = None
    remark: String255 | None = None
    last_updated: DateTime
