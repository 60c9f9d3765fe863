"""OCPI 2.2.1 Sessions module wire models (``mod_sessions.asciidoc``)."""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v221.cdrs import CdrToken, ChargingPeriod
from ocpikit.protocol.v221.common import AuthMethod, Bool, OcpiModel, OcpiPatch, Price, ProfileType
from ocpikit.types import CiString2, CiString3, CiString36, DateTime, Number, String3, String255

__all__ = [
    "ChargingPreferences",
    "ChargingPreferencesResponse",
    "ProfileType",
    "Session",
    "SessionPatch",
    "SessionStatus",
]


class ChargingPreferencesResponse(StrEnum):
    """``mod_sessions.asciidoc §ChargingPreferencesResponse enum``.

    The ``data`` of the response to ``PUT .../{session_id}/charging_preferences`` is one of
    these values, as a bare JSON string.
    """

    ACCEPTED = "ACCEPTED"
    DEPARTURE_REQUIRED = "DEPARTURE_REQUIRED"
    ENERGY_NEED_REQUIRED = "ENERGY_NEED_REQUIRED"
    NOT_POSSIBLE = "NOT_POSSIBLE"
    PROFILE_TYPE_NOT_SUPPORTED = "PROFILE_TYPE_NOT_SUPPORTED"


class SessionStatus(StrEnum):
    """``mod_sessions.asciidoc §SessionStatus enum``.

    ``§Reservation`` says ``RESERVED``; the enum value is ``RESERVATION`` (ERR-05).
    """

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class ChargingPreferences(OcpiModel):
    """``mod_sessions.asciidoc §ChargingPreferences Object``."""

    profile_type: ProfileType
    departure_time: DateTime | None = None
    energy_need: Number | None = None
    # Absent means false ("default false" in the spec); kept absent so it round-trips.
    discharge_allowed: Bool | None = None


class Session(OcpiModel):
    """``mod_sessions.asciidoc §Session Object``.

    ``evse_uid`` and ``connector_id`` may be ``#NA`` for a reservation that has no EVSE yet.
    """

    country_code: CiString2
    party_id: CiString3
    id: CiString36
    start_date_time: DateTime
    end_date_time: DateTime | None = None
    kwh: Number
    cdr_token: CdrToken
    auth_method: AuthMethod
    authorization_reference: CiString36 | None = None
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36
    meter_id: String255 | None = None
    currency: String3
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: DateTime


class SessionPatch(OcpiPatch):
    """PATCH body of a Session (``mod_sessions.asciidoc §PATCH Method``).

    Every :class:`Session` field is optional; ``last_updated`` is required. The receiver
    *appends* ``charging_periods`` from a PATCH to the stored ones (requirement SES-22).
    """

    country_code: CiString2 | None = None
    party_id: CiString3 | None = None
    id: CiString36 | None = None
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    kwh: Number | None = None
    cdr_token: CdrToken | None = None
    auth_method: AuthMethod | None = None
    authorization_reference: CiString36 | None = None
    location_id: CiString36 | None = None
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    meter_id: String255 | None = None
    currency: String3 | None = None
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus | None = None
