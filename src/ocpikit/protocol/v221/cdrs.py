"""OCPI 2.2.1 CDRs module wire models (``mod_cdrs.asciidoc``).

CDRs are immutable (no PUT, no PATCH), so there is no ``CdrPatch``. :class:`CdrToken`,
:class:`ChargingPeriod` and :class:`CdrDimension` are defined here and reused by Sessions.
``SignedValue.plain_data`` is string(5000), per erratum ERR-04 (released text: 512).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from ocpikit.protocol.v221.common import (
    AuthMethod,
    Bool,
    ConnectorFormat,
    ConnectorType,
    GeoLocation,
    Int,
    OcpiModel,
    PowerType,
    Price,
    TokenType,
)
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.types import (
    CiString2,
    CiString3,
    CiString32,
    CiString36,
    CiString39,
    CiString48,
    DateTime,
    Number,
    String3,
    String10,
    String45,
    String255,
    String512,
    String5000,
)

__all__ = [
    "CDR",
    "SESSION_ONLY_DIMENSIONS",
    "AuthMethod",
    "CdrDimension",
    "CdrDimensionType",
    "CdrLocation",
    "CdrToken",
    "ChargingPeriod",
    "SignedData",
    "SignedValue",
]


class CdrDimensionType(StrEnum):
    """``mod_cdrs.asciidoc §CdrDimensionType enum``.

    The values in :data:`SESSION_ONLY_DIMENSIONS` "SHALL therefor only be used in Sessions".
    """

    CURRENT = "CURRENT"
    ENERGY = "ENERGY"
    ENERGY_EXPORT = "ENERGY_EXPORT"
    ENERGY_IMPORT = "ENERGY_IMPORT"
    MAX_CURRENT = "MAX_CURRENT"
    MIN_CURRENT = "MIN_CURRENT"
    MAX_POWER = "MAX_POWER"
    MIN_POWER = "MIN_POWER"
    PARKING_TIME = "PARKING_TIME"
    POWER = "POWER"
    RESERVATION_TIME = "RESERVATION_TIME"
    STATE_OF_CHARGE = "STATE_OF_CHARGE"
    TIME = "TIME"


# Marked "Session Only" in the CdrDimensionType table. Not enforced on parsing a CDR (a CDR
# carrying one is still a billable CDR); a sender should not put them in the CDRs it builds.
SESSION_ONLY_DIMENSIONS: frozenset[CdrDimensionType] = frozenset(
    {
        CdrDimensionType.CURRENT,
        CdrDimensionType.ENERGY_EXPORT,
        CdrDimensionType.ENERGY_IMPORT,
        CdrDimensionType.POWER,
        CdrDimensionType.STATE_OF_CHARGE,
    }
)


class CdrDimension(OcpiModel):
    """``mod_cdrs.asciidoc §CdrDimension class``."""

    type: CdrDimensionType
    volume: Number


class ChargingPeriod(OcpiModel):
    """``mod_cdrs.asciidoc §ChargingPeriod class``."""

    start_date_time: DateTime
    dimensions: Annotated[list[CdrDimension], Field(min_length=1)]
    tariff_id: CiString36 | None = None


class CdrToken(OcpiModel):
    """``mod_cdrs.asciidoc §CdrToken class``."""

    country_code: CiString2
    party_id: CiString3
    uid: CiString36
    type: TokenType
    contract_id: CiString36


class CdrLocation(OcpiModel):
    """``mod_cdrs.asciidoc §CdrLocation class``.

    ``evse_uid``, ``evse_id`` and ``connector_id`` may be ``#NA`` for a reservation-only CDR.
    """

    id: CiString36
    name: String255 | None = None
    address: String255  # erratum ERR-04 (released text: string(45))
    city: String45
    postal_code: String10 | None = None
    state: String45 | None = None  # erratum ERR-04 (released text: string(20))
    country: String3
    coordinates: GeoLocation
    evse_uid: CiString36
    evse_id: CiString48
    connector_id: CiString36
    connector_standard: ConnectorType
    connector_format: ConnectorFormat
    connector_power_type: PowerType


class SignedValue(OcpiModel):
    """``mod_cdrs.asciidoc §SignedValue class``."""

    nature: CiString32
    plain_data: String5000  # erratum ERR-04 (released text: string(512))
    signed_data: String5000


class SignedData(OcpiModel):
    """``mod_cdrs.asciidoc §SignedData class``."""

    encoding_method: CiString36
    encoding_method_version: Int | None = None
    public_key: String512 | None = None
    signed_values: Annotated[list[SignedValue], Field(min_length=1)]
    url: String512 | None = None


class CDR(OcpiModel):
    """``mod_cdrs.asciidoc §CDR Object``.

    ``credit_reference_id`` "Is required to be set for a Credit CDR": a CDR with
    ``credit=true`` and no ``credit_reference_id`` is rejected.
    """

    country_code: CiString2
    party_id: CiString3
    id: CiString39
    start_date_time: DateTime
    end_date_time: DateTime
    session_id: CiString36 | None = None
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    cdr_location: CdrLocation
    meter_id: String255 | None = None
    currency: String3
    tariffs: list[Tariff] | None = None
    charging_periods: Annotated[list[ChargingPeriod], Field(min_length=1)]
    signed_data: SignedData | None = None
    total_cost: Price
    total_fixed_cost: Price | None = None
    total_energy: Number
    total_energy_cost: Price | None = None
    total_time: Number
    total_time_cost: Price | None = None
    total_parking_time: Number | None = None
    total_parking_cost: Price | None = None
    total_reservation_cost: Price | None = None
    remark: String255 | None = None
    invoice_reference_id: CiString39 | None = None
    credit: Bool | None = None
    credit_reference_id: CiString39 | None = None
    home_charging_compensation: Bool | None = None
    last_updated: DateTime

    @model_validator(mode="after")
    def _credit_needs_reference(self) -> Self:
        if self.credit and self.credit_reference_id is None:
            raise ValueError("credit_reference_id is required when credit is true")
        return self
