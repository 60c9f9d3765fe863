"""OCPI 2.1.1 Sessions module wire models (``mod_sessions.md``).

A 2.1.1 Session starts at ``start_datetime`` (not ``start_date_time``), names the token by
``auth_id``, embeds the Location "including only the relevant EVSE and connector", and has
``total_cost`` as a plain number (excl. VAT). The OpenAPI description of 2.1.1 describes the
2.2.1 Session instead; these models follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v211.cdrs import ChargingPeriod
from ocpikit.protocol.v211.common import (
    AuthMethod,
    OcpiModel,
    OcpiPatch,
    String3,
    String36,
    String255,
)
from ocpikit.protocol.v211.locations import Location
from ocpikit.types import DateTime, Number

__all__ = ["Session", "SessionPatch", "SessionStatus"]


class SessionStatus(StrEnum):
    """``mod_sessions.md §4.1 SessionStatus enum`` (no ``RESERVATION`` in 2.1.1)."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"


class Session(OcpiModel):
    """``mod_sessions.md §3.1 Session Object``.

    ``total_cost``: "The total cost (excluding VAT) of the session ... When omitted, no price
    information is given in the Session object, this does not have to mean it is free of
    charge."
    """

    id: String36
    start_datetime: DateTime
    end_datetime: DateTime | None = None
    kwh: Number
    auth_id: String36
    auth_method: AuthMethod
    location: Location
    meter_id: String255 | None = None
    currency: String3
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Number | None = None
    status: SessionStatus
    last_updated: DateTime


class SessionPatch(OcpiPatch):
    """PATCH body of a Session (``mod_sessions.md §2.2.3 PATCH Method``).

    Every :class:`Session` field is optional, ``last_updated`` too (2.1.1). 2.1.1 does not say
    whether ``charging_periods`` in a PATCH replace or extend the stored ones (V211-08).
    """

    id: String36 | None = None
    start_datetime: DateTime | None = None
    end_datetime: DateTime | None = None
    kwh: Number | None = None
    auth_id: String36 | None = None
    auth_method: AuthMethod | None = None
    location: Location | None = None
    meter_id: String255 | None = None
    currency: String3 | None = None
    charging_periods: list[ChargingPeriod] | None = None
    total_cost: Number | None = None
    status: SessionStatus | None = None
