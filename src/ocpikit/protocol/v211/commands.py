"""OCPI 2.1.1 Commands module wire models (``mod_commands.md``).

2.1.1 has one result object, :class:`CommandResponse` ``{result}``: it is both the CPO's
synchronous answer to a command request and the body the CPO later POSTs to ``response_url``
(``§2.2.1``: "The request body contains the result of the command"). There is no
CommandResult, no ``timeout`` and no ``message``; no CANCEL_RESERVATION; ``ReserveNow``'s
``reservation_id`` is an ``int``; ``StartSession`` has no ``connector_id``; neither carries an
``authorization_reference``. The OpenAPI description of 2.1.1 has the 2.2.1 request objects
(``reservation_id`` a string, ``connector_id``, ``authorization_reference``); these models
follow the 2.1.1 text.
"""

from __future__ import annotations

from enum import StrEnum

from ocpikit.protocol.v211.common import Int, OcpiModel, String36, String39
from ocpikit.protocol.v211.tokens import Token
from ocpikit.types import URL, DateTime

__all__ = [
    "CommandResponse",
    "CommandResponseType",
    "CommandType",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class CommandType(StrEnum):
    """``mod_commands.md §4.2 CommandType enum`` (the last segment of the command URL)."""

    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(StrEnum):
    """``mod_commands.md §4.1 CommandResponseType enum``."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResponse(OcpiModel):
    """``mod_commands.md §3.1 CommandResponse Object``.

    The synchronous answer of the CPO *and* the asynchronous result POSTed to ``response_url``.
    """

    result: CommandResponseType


class ReserveNow(OcpiModel):
    """``mod_commands.md §3.2 ReserveNow Object``.

    ``reservation_id`` is an ``int`` in 2.1.1: "If the Charge Point already has a reservation
    that matches this reservationId the Charge Point will replace the reservation."
    """

    response_url: URL
    token: Token
    expiry_date: DateTime
    reservation_id: Int
    location_id: String39
    evse_uid: String39 | None = None


class StartSession(OcpiModel):
    """``mod_commands.md §3.3 StartSession Object``."""

    response_url: URL
    token: Token
    location_id: String39
    evse_uid: String39 | None = None


class StopSession(OcpiModel):
    """``mod_commands.md §3.4 StopSession Object``."""

    response_url: URL
    session_id: String36


class UnlockConnector(OcpiModel):
    """``mod_commands.md §3.5 UnlockConnector Object``."""

    response_url: URL
    location_id: String39
    evse_uid: String39
    connector_id: String36
