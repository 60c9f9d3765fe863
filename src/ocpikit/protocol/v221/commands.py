"""OCPI 2.2.1 Commands module wire models (``mod_commands.asciidoc``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import model_validator

from ocpikit.protocol.v221.common import DisplayText, Int, OcpiModel
from ocpikit.protocol.v221.tokens import Token
from ocpikit.types import URL, CiString36, DateTime

__all__ = [
    "CancelReservation",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class CommandType(StrEnum):
    """``mod_commands.asciidoc §CommandType enum`` (the last segment of the command URL)."""

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(StrEnum):
    """``mod_commands.asciidoc §CommandResponseType enum``."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(StrEnum):
    """``mod_commands.asciidoc §CommandResultType enum``."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class CancelReservation(OcpiModel):
    """``mod_commands.asciidoc §CancelReservation Object``."""

    response_url: URL
    reservation_id: CiString36


class ReserveNow(OcpiModel):
    """``mod_commands.asciidoc §ReserveNow Object``."""

    response_url: URL
    token: Token
    expiry_date: DateTime
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class StartSession(OcpiModel):
    """``mod_commands.asciidoc §StartSession Object``.

    ``evse_uid`` is "Required when ``connector_id`` is set": a ``connector_id`` without
    ``evse_uid`` is rejected.
    """

    response_url: URL
    token: Token
    location_id: CiString36
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    authorization_reference: CiString36 | None = None

    @model_validator(mode="after")
    def _connector_needs_evse(self) -> Self:
        if self.connector_id is not None and self.evse_uid is None:
            raise ValueError("evse_uid is required when connector_id is set")
        return self


class StopSession(OcpiModel):
    """``mod_commands.asciidoc §StopSession Object``."""

    response_url: URL
    session_id: CiString36


class UnlockConnector(OcpiModel):
    """``mod_commands.asciidoc §UnlockConnector Object``."""

    response_url: URL
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36


class CommandResponse(OcpiModel):
    """``mod_commands.asciidoc §CommandResponse Object`` (synchronous answer of the CPO)."""

    result: CommandResponseType
    timeout: Int
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    """``mod_commands.asciidoc §CommandResult Object`` (POSTed later to ``response_url``)."""

    result: CommandResultType
    message: list[DisplayText] | None = None
