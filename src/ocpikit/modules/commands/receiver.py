"""Commands, Receiver side (CPO): ``POST {commands_endpoint_url}{command}``.

``mod_commands.asciidoc §Flow`` (CMD-01, CMD-02): the Receiver answers at once with a
CommandResponse saying whether it "understood the command request and was able to send it to
the Charge Point" - not whether the charge point carried it out. Only when that answer is
``ACCEPTED`` does a CommandResult follow, POSTed later to the command's ``response_url``
(:mod:`ocpikit.chargepoints.runner`), within the announced ``timeout``.

Checks made before answering:

- the body must be the command's object (2001 naming the field, nothing stored);
- START_SESSION, RESERVE_NOW, UNLOCK_CONNECTOR: an unknown location is ``status_code`` 2003
  with ``CommandResponse{REJECTED}`` (``plantuml/command_unlock_unknow_location``); an EVSE or
  connector that is not part of it, or a missing ``connector_id`` on an EVSE with
  ``START_SESSION_CONNECTOR_REQUIRED`` (CMD-09), is ``REJECTED``;
- START_SESSION, RESERVE_NOW: the token must belong to the calling eMSP ("An eMSP sending a
  StartSession SHALL only use Token that are owned by this eMSP"), else ``REJECTED``. The
  token is *not* checked otherwise: "the CPO SHALL NOT check the validity of the Token
  provided before sending the request to the Charge Point" (CMD-06);
- STOP_SESSION: an unknown session is ``UNKNOWN_SESSION``; a session of another eMSP is
  ``REJECTED`` ("Session might not be from a customer of the eMSP that send this request");
- a command the charge point adapter does not support is ``NOT_SUPPORTED``.

Every valid command is stored (``commands`` table), whatever the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ocpikit.chargepoints.adapter import CommandRequest, run_command
from ocpikit.chargepoints.runner import ChargePointRunner, Job
from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.commands.context import caller_party, display, find_local, local_party, owns
from ocpikit.modules.commands.store import CLOSED, PENDING, CommandLog, new_uid
from ocpikit.node import Node
from ocpikit.protocol.v221.commands import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from ocpikit.storage.events import EventLog
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.headers import RoutingHeaders
from ocpikit.transport.security import Caller
from ocpikit.transport.status import StatusCode

__all__ = [
    "MODELS",
    "MODULE",
    "CommandAnswer",
    "command_type",
    "receive_command",
]

MODULE = "commands"
MODELS: dict[CommandType, type[BaseModel]] = {
    CommandType.CANCEL_RESERVATION: CancelReservation,
    CommandType.RESERVE_NOW: ReserveNow,
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}
_CPO_ROLES = frozenset({"CPO", "HUB"})
_WITH_LOCATION = {CommandType.START_SESSION, CommandType.RESERVE_NOW, CommandType.UNLOCK_CONNECTOR}


@dataclass(frozen=True, slots=True)
class CommandAnswer:
    """The synchronous answer: a CommandResponse, normally with ``status_code`` 1000."""

    uid: str
    response: CommandResponse
    status_code: int = StatusCode.SUCCESS
    status_message: str = "Success"


def command_type(segment: str) -> CommandType:
    """The CommandType of a URL segment (any case).

    Raises:
        NotFound: 404 for anything else: the Receiver has no such endpoint (CMD-11).
    """
    try:
        return CommandType(segment.upper())
    except ValueError:
        raise NotFound(
            f"Unknown command {segment!r}; one of {', '.join(t.value for t in CommandType)}"
        ) from None


def _parse(command: CommandType, body: Any) -> Any:
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        return MODELS[command].model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def _response(node: Node, result: CommandResponseType, text: str | None = None) -> CommandResponse:
    return CommandResponse(
        result=result,
        timeout=node.settings.command_timeout,
        message=display(text) if text else None,
    )


def _check_evse(location: dict[str, Any], body: Any, command: CommandType) -> str | None:
    """Why the EVSE / connector of a command is wrong, or None."""
    evse_uid = getattr(body, "evse_uid", None)
    if evse_uid is None:
        return None
    evse = next(
        (e for e in location.get("evses") or [] if str(e["uid"]).upper() == evse_uid.upper()),
        None,
    )
    if evse is None:
        return f"EVSE {evse_uid!r} is not part of location {location['id']!r}"
    connector_id = getattr(body, "connector_id", None)
    if connector_id is None:
        required = "START_SESSION_CONNECTOR_REQUIRED" in (evse.get("capabilities") or [])
        if command is CommandType.START_SESSION and required:
            return f"EVSE {evse_uid!r} requires connector_id (START_SESSION_CONNECTOR_REQUIRED)"
        return None
    connectors = [str(c["id"]).upper() for c in evse.get("connectors") or []]
    if connector_id.upper() not in connectors:
        return f"Connector {connector_id!r} is not part of EVSE {evse_uid!r}"
    return None


@dataclass
class _Checked:
    response: CommandResponseType
    message: str | None = None
    status_code: int = StatusCode.SUCCESS
    location: dict[str, Any] | None = None
    session: dict[str, Any] | None = None


async def _check(
    node: Node, caller: Caller, cpo: tuple[str, str], command: CommandType, body: Any
) -> _Checked:
    if command in _WITH_LOCATION:
        location = await find_local(node.db, "locations", body.location_id, cpo)
        if location is None:
            return _Checked(
                CommandResponseType.REJECTED,
                f"Unknown location {body.location_id!r}",
                status_code=StatusCode.UNKNOWN_LOCATION,
            )
        token = getattr(body, "token", None)
        if token is not None and not owns(caller, token.country_code, token.party_id):
            return _Checked(
                CommandResponseType.REJECTED,
                f"Token of {token.country_code}/{token.party_id} is not one of your tokens",
            )
        problem = _check_evse(location, body, command)
        if problem:
            return _Checked(CommandResponseType.REJECTED, problem)
        return _Checked(CommandResponseType.ACCEPTED, location=location)
    if command is CommandType.STOP_SESSION:
        session = await find_local(node.db, "sessions", body.session_id, cpo)
        if session is None:
            return _Checked(
                CommandResponseType.UNKNOWN_SESSION, f"Unknown session {body.session_id!r}"
            )
        token = session.get("cdr_token") or {}
        if not owns(caller, token.get("country_code"), token.get("party_id")):
            return _Checked(CommandResponseType.REJECTED, "The session is not one of yours")
        return _Checked(CommandResponseType.ACCEPTED, session=session)
    return _Checked(CommandResponseType.ACCEPTED)


def _indexes(command: CommandType, body: Any) -> dict[str, str | None]:
    token = getattr(body, "token", None)
    object_id = (
        body.session_id
        if command is CommandType.STOP_SESSION
        else body.reservation_id
        if command is CommandType.CANCEL_RESERVATION
        else body.location_id
    )
    return {
        "object_id": object_id,
        "evse_uid": getattr(body, "evse_uid", None),
        "token_uid": token.uid if token is not None else None,
    }


async def receive_command(
    node: Node,
    runner: ChargePointRunner | None,
    caller: Caller,
    routing: RoutingHeaders,
    segment: str,
    body: Any,
) -> CommandAnswer:
    """A command from an eMSP: check it, store it, answer, and hand it to the runner.

    Raises:
        NotFound: unknown command type, or a routing party that is not ours / the caller's.
        InvalidParameters: 2001 naming the field of an invalid body.
    """
    command = command_type(segment)
    parsed = _parse(command, body)
    cpo = local_party(node, routing, _CPO_ROLES)
    emsp = caller_party(caller, routing, MODULE)
    assert caller.peer is not None
    if runner is None or not runner.adapter.supports(command.value):
        checked = _Checked(CommandResponseType.NOT_SUPPORTED, f"{command.value} is not supported")
    else:
        checked = await _check(node, caller, cpo, command, parsed)
    response = _response(node, checked.response, checked.message)
    uid = new_uid()
    accepted = checked.response is CommandResponseType.ACCEPTED
    async with node.db.transaction() as conn:
        await CommandLog(conn).add(
            uid=uid,
            direction="IN",
            module=MODULE,
            command=command.value,
            body=parsed.to_wire(),
            status=PENDING if accepted else CLOSED,
            peer_id=caller.peer.id,
            local_party=cpo,
            peer_party=emsp,
            response_url=parsed.response_url,
            response=response.to_wire(),
            timeout=response.timeout,
            **_indexes(command, parsed),
        )
        await EventLog(conn).append(
            "command.received",
            MODULE,
            country_code=cpo[0],
            party_id=cpo[1],
            object_id=uid,
            peer_id=caller.peer.id,
            data={"command": command.value, "response": checked.response.value},
        )
    if accepted and runner is not None:
        request = CommandRequest(
            uid=uid,
            command=command,
            cpo=cpo,
            emsp=emsp,
            body=parsed,
            location=checked.location,
            session=checked.session,
        )

        async def execute(adapter: Any) -> CommandResult:
            return await run_command(adapter, request)

        runner.submit(
            Job(
                uid=uid,
                response_url=parsed.response_url,
                peer_id=caller.peer.id,
                local_party=cpo,
                peer_party=emsp,
                execute=execute,
                on_timeout=CommandResult(result=CommandResultType.TIMEOUT),
                on_error=CommandResult(result=CommandResultType.FAILED),
            )
        )
    if checked.status_code != StatusCode.SUCCESS:
        return CommandAnswer(uid, response, checked.status_code, checked.message or "")
    return CommandAnswer(uid, response)
