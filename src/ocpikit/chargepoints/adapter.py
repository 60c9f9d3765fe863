"""How commands and charging profiles reach the CPO's charge points: the adapter Protocol.

The Commands and ChargingProfiles Receivers (CPO side) answer the peer at once with a
CommandResponse / ChargingProfileResponse, then hand the request to a
:class:`ChargePointAdapter`; what the adapter returns is the asynchronous result that is
POSTed to the request's ``response_url`` (``mod_commands.asciidoc §Flow``: "The Receiver
(typically CPO) sends the requested command (via another protocol, for example: OCPP) to a
Charge Point. [...] The Receiver will forward the result in a new POST request").

An adapter is the bridge to the operator's charge point management system (OCPP...). It does
not talk OCPI and does not post results itself: it returns them. The runner bounds every call
by the timeout announced to the peer; an adapter that does not answer in time yields
``TIMEOUT`` (commands) or no result at all (charging profiles, whose result enum has no
timeout value).

Implementations: :mod:`ocpikit.chargepoints.simulator` (built-in simulated charge points),
:mod:`ocpikit.chargepoints.webhook` (POST to the operator's URL), :class:`NoAdapter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfileResult,
    ChargingProfileResult,
    ChargingProfileResultType,
    ClearProfileResult,
    SetChargingProfile,
)
from ocpikit.protocol.v221.commands import (
    CancelReservation,
    CommandResult,
    CommandResultType,
    CommandType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)

__all__ = [
    "ACTIVE_PROFILE",
    "CLEAR_PROFILE",
    "SET_PROFILE",
    "ChargePointAdapter",
    "CommandRequest",
    "NoAdapter",
    "ProfileRequest",
    "run_command",
]

# Operation names of the ChargingProfiles Receiver methods (GET, PUT, DELETE).
ACTIVE_PROFILE = "ACTIVE_PROFILE"
SET_PROFILE = "SET_PROFILE"
CLEAR_PROFILE = "CLEAR_PROFILE"

B = TypeVar("B")


@dataclass(frozen=True)
class CommandRequest(Generic[B]):
    """One command for the charge points.

    Attributes:
        uid: our id of the request (the ``commands`` table row).
        command: which command.
        cpo: our party the command was addressed to (country_code, party_id).
        emsp: the party that sent it.
        body: the command object as received (StartSession, StopSession...).
        location: the stored Location the command names (START_SESSION, RESERVE_NOW,
            UNLOCK_CONNECTOR), as OCPI JSON.
        session: the stored Session (STOP_SESSION), as OCPI JSON.
    """

    uid: str
    command: CommandType
    cpo: tuple[str, str]
    emsp: tuple[str, str]
    body: B
    location: dict[str, Any] | None = None
    session: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProfileRequest(Generic[B]):
    """One ChargingProfiles request for the charge point of a session.

    Attributes:
        uid: our id of the request.
        operation: ``ACTIVE_PROFILE`` (GET), ``SET_PROFILE`` (PUT), ``CLEAR_PROFILE`` (DELETE).
        cpo: our party that owns the session.
        sender: the party that sent the request.
        session: the stored Session, as OCPI JSON.
        body: SetChargingProfile (SET), the requested duration in seconds (ACTIVE), None.
    """

    uid: str
    operation: str
    cpo: tuple[str, str]
    sender: tuple[str, str]
    session: dict[str, Any]
    body: B


class ChargePointAdapter(Protocol):
    """What ocpikit needs from a charge point management system.

    Every method returns the result object to POST to the peer's ``response_url``. The
    runner cancels a call that outlasts the announced timeout.
    """

    def supports(self, operation: str) -> bool:
        """Whether the adapter can carry out ``operation`` (a CommandType or a profile op).

        A ``False`` makes the Receiver answer ``NOT_SUPPORTED`` at once.
        """
        ...

    async def start_session(self, request: CommandRequest[StartSession]) -> CommandResult: ...

    async def stop_session(self, request: CommandRequest[StopSession]) -> CommandResult: ...

    async def reserve_now(self, request: CommandRequest[ReserveNow]) -> CommandResult: ...

    async def cancel_reservation(
        self, request: CommandRequest[CancelReservation]
    ) -> CommandResult: ...

    async def unlock_connector(self, request: CommandRequest[UnlockConnector]) -> CommandResult: ...

    async def set_charging_profile(
        self, request: ProfileRequest[SetChargingProfile]
    ) -> ChargingProfileResult: ...

    async def get_active_charging_profile(
        self, request: ProfileRequest[int]
    ) -> ActiveChargingProfileResult: ...

    async def clear_charging_profile(self, request: ProfileRequest[None]) -> ClearProfileResult: ...

    async def close(self) -> None:
        """Stop background work (the node is shutting down)."""
        ...


async def run_command(adapter: ChargePointAdapter, request: CommandRequest[Any]) -> CommandResult:
    """Call the adapter method of ``request.command``."""
    command = request.command
    result: CommandResult
    if command is CommandType.START_SESSION:
        result = await adapter.start_session(request)
    elif command is CommandType.STOP_SESSION:
        result = await adapter.stop_session(request)
    elif command is CommandType.RESERVE_NOW:
        result = await adapter.reserve_now(request)
    elif command is CommandType.CANCEL_RESERVATION:
        result = await adapter.cancel_reservation(request)
    else:
        result = await adapter.unlock_connector(request)
    return result


class NoAdapter:
    """No charge point connection configured: every request is ``NOT_SUPPORTED``."""

    def supports(self, operation: str) -> bool:
        return False

    async def _not_supported(self, request: Any) -> CommandResult:
        return CommandResult(result=CommandResultType.NOT_SUPPORTED)

    start_session = stop_session = reserve_now = _not_supported
    cancel_reservation = unlock_connector = _not_supported

    async def set_charging_profile(
        self, request: ProfileRequest[SetChargingProfile]
    ) -> ChargingProfileResult:
        return ChargingProfileResult(result=ChargingProfileResultType.REJECTED)

    async def get_active_charging_profile(
        self, request: ProfileRequest[int]
    ) -> ActiveChargingProfileResult:
        return ActiveChargingProfileResult(result=ChargingProfileResultType.REJECTED)

    async def clear_charging_profile(self, request: ProfileRequest[None]) -> ClearProfileResult:
        return ClearProfileResult(result=ChargingProfileResultType.REJECTED)

    async def close(self) -> None:
        return None
