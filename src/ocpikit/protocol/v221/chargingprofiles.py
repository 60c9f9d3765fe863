"""OCPI 2.2.1 ChargingProfiles module wire models (``mod_charging_profiles.asciidoc``)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

from ocpikit.protocol.v221.common import Int, OcpiModel
from ocpikit.types import URL, DateTime, Number

__all__ = [
    "ActiveChargingProfile",
    "ActiveChargingProfileResult",
    "ChargingProfile",
    "ChargingProfilePeriod",
    "ChargingProfileResponse",
    "ChargingProfileResponseType",
    "ChargingProfileResult",
    "ChargingProfileResultType",
    "ChargingRateUnit",
    "ClearProfileResult",
    "SetChargingProfile",
]

_TENTH = Decimal("0.1")


def _one_decimal(value: Decimal) -> Decimal:
    if value != value.quantize(_TENTH):
        raise ValueError("accepts at most one digit fraction (e.g. 8.1)")
    return value


# "Accepts at most one digit fraction (e.g. 8.1)" (ChargingProfile.min_charging_rate and
# ChargingProfilePeriod.limit).
_Rate = Annotated[Number, AfterValidator(_one_decimal)]


class ChargingRateUnit(StrEnum):
    """``mod_charging_profiles.asciidoc §ChargingRateUnit enum``.

    ``W`` is the total allowed power; ``A`` the current per phase (requirement CP-06).
    """

    W = "W"
    A = "A"


class ChargingProfileResponseType(StrEnum):
    """``mod_charging_profiles.asciidoc §ChargingProfileResponseType enum``."""

    ACCEPTED = "ACCEPTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TOO_OFTEN = "TOO_OFTEN"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class ChargingProfileResultType(StrEnum):
    """``mod_charging_profiles.asciidoc §ChargingProfileResultType enum``."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"


class ChargingProfilePeriod(OcpiModel):
    """``mod_charging_profiles.asciidoc §ChargingProfilePeriod class``."""

    start_period: Int
    limit: _Rate


class ChargingProfile(OcpiModel):
    """``mod_charging_profiles.asciidoc §ChargingProfile class``."""

    start_date_time: DateTime | None = None
    duration: Int | None = None
    charging_rate_unit: ChargingRateUnit
    min_charging_rate: _Rate | None = None
    charging_profile_period: list[ChargingProfilePeriod] | None = None


class ActiveChargingProfile(OcpiModel):
    """``mod_charging_profiles.asciidoc §ActiveChargingProfile class``."""

    start_date_time: DateTime
    charging_profile: ChargingProfile


class SetChargingProfile(OcpiModel):
    """``mod_charging_profiles.asciidoc §SetChargingProfile Object`` (body of the PUT)."""

    charging_profile: ChargingProfile
    response_url: URL


class ChargingProfileResponse(OcpiModel):
    """``mod_charging_profiles.asciidoc §ChargingProfileResponse Object``."""

    result: ChargingProfileResponseType
    timeout: Int


class ActiveChargingProfileResult(OcpiModel):
    """``mod_charging_profiles.asciidoc §ActiveChargingProfileResult Object``.

    ``profile`` is set "if the result field is set to: ``ACCEPTED``"; not enforced, since
    the text does not forbid a result without it.
    """

    result: ChargingProfileResultType
    profile: ActiveChargingProfile | None = None


class ChargingProfileResult(OcpiModel):
    """``mod_charging_profiles.asciidoc §ChargingProfileResult Object``."""

    result: ChargingProfileResultType


class ClearProfileResult(OcpiModel):
    """``mod_charging_profiles.asciidoc §ClearProfileResult Object``."""

    result: ChargingProfileResultType
