"""ChargingProfiles, Receiver side (CPO): GET / PUT / DELETE ``{endpoint}{session_id}``.

``mod_charging_profiles.asciidoc §Flow`` (CP-01): like Commands, the Receiver answers at once
with a ChargingProfileResponse ("this indicates if the Receiver understood the
ChargingProfile request and was able to send it to the EVSE. This is not the response by
the Charge Point"); when it is ``ACCEPTED`` the result (ActiveChargingProfileResult,
ChargingProfileResult or ClearProfileResult) is POSTed to ``response_url`` within
``timeout`` (:mod:`ocpikit.chargepoints.runner`).

Answers before the charge point is asked:

- ``UNKNOWN_SESSION``: no session of ours with this id (``§ChargingProfileResponseType``);
- ``REJECTED``: the session is not of a token of the calling party, and the caller is not a
  Smart Charging Service Provider ("ChargingProfile can be created by the owner of a Token on
  Sessions that belong to that token. If another party sends a ChargingProfile and the CPO
  has no contract that allows that party to set profiles on sessions, the CPO is allowed to
  reject such profiles", CP-02: a registered SCSP peer counts as having that contract); or
  the session is no longer ongoing (COMPLETED, INVALID);
- ``NOT_SUPPORTED``: the charge point adapter cannot do it.

After a successful SetChargingProfile, changes of the active profile are PUT to the Sender
(:func:`push_active_profile`, CP-03).
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from ocpikit.chargepoints.adapter import (
    ACTIVE_PROFILE,
    CLEAR_PROFILE,
    SET_PROFILE,
    ChargePointAdapter,
    ProfileRequest,
)
from ocpikit.chargepoints.runner import ChargePointRunner, Job
from ocpikit.client.http import call
from ocpikit.errors import InvalidParameters, PeerError
from ocpikit.modules.commands.context import caller_party, find_local, local_party, owns
from ocpikit.modules.commands.store import CLOSED, DONE, PENDING, CommandLog, new_uid
from ocpikit.node import Node
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfile,
    ActiveChargingProfileResult,
    ChargingProfileResponse,
    ChargingProfileResponseType,
    ChargingProfileResult,
    ChargingProfileResultType,
    ClearProfileResult,
    SetChargingProfile,
)
from ocpikit.protocol.v221.common import OcpiModel
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.repositories import PeerRepository
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.headers import RoutingHeaders
from ocpikit.transport.security import Caller
from ocpikit.types import URL

__all__ = [
    "MODULE",
    "parse_duration",
    "parse_response_url",
    "parse_set",
    "push_active_profile",
    "receive",
]

MODULE = "chargingprofiles"
_URL: TypeAdapter[str] = TypeAdapter(URL)
_FAILED: dict[str, OcpiModel] = {
    ACTIVE_PROFILE: ActiveChargingProfileResult(result=ChargingProfileResultType.REJECTED),
    SET_PROFILE: ChargingProfileResult(result=ChargingProfileResultType.REJECTED),
    CLEAR_PROFILE: ClearProfileResult(result=ChargingProfileResultType.REJECTED),
}


def parse_response_url(value: str | None) -> str:
    """The ``response_url`` query parameter (required, a URL).

    Raises:
        InvalidParameters: 2001 naming ``response_url``.
    """
    if not value:
        raise InvalidParameters("response_url: the query parameter is required")
    try:
        return _URL.validate_python(value)
    except ValidationError as exc:
        raise InvalidParameters(f"response_url: not a valid URL ({value!r})") from exc


def parse_duration(value: str | None) -> int:
    """The ``duration`` query parameter of GET (required, seconds).

    Raises:
        InvalidParameters: 2001 naming ``duration``.
    """
    if value is None or value == "":
        raise InvalidParameters("duration: the query parameter is required")
    try:
        duration = int(value)
    except ValueError:
        raise InvalidParameters(f"duration: an integer is required, got {value!r}") from None
    if duration < 0:
        raise InvalidParameters("duration: must not be negative")
    return duration


def parse_set(body: Any) -> SetChargingProfile:
    """The body of a PUT (2001 naming the field)."""
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        return SetChargingProfile.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def _refusal(
    runner: ChargePointRunner | None,
    caller: Caller,
    operation: str,
    session: dict[str, Any] | None,
) -> ChargingProfileResponseType | None:
    if runner is None or not runner.adapter.supports(operation):
        return ChargingProfileResponseType.NOT_SUPPORTED
    if session is None:
        return ChargingProfileResponseType.UNKNOWN_SESSION
    token = session.get("cdr_token") or {}
    scsp = caller.peer is not None and any(r.role == "SCSP" for r in caller.peer.roles)
    if not scsp and not owns(caller, token.get("country_code"), token.get("party_id")):
        return ChargingProfileResponseType.REJECTED
    if session.get("status") in ("COMPLETED", "INVALID"):
        return ChargingProfileResponseType.REJECTED
    return None


async def receive(
    node: Node,
    runner: ChargePointRunner | None,
    caller: Caller,
    routing: RoutingHeaders,
    operation: str,
    session_id: str,
    response_url: str,
    argument: Any,
) -> ChargingProfileResponse:
    """One request of the Receiver interface; ``argument``: SetChargingProfile / duration.

    Raises:
        NotFound: a routing party that is not ours / the caller's.
    """
    assert caller.peer is not None
    cpo = local_party(node, routing, frozenset({"CPO", "HUB"}))
    sender = caller_party(caller, routing, "chargingprofiles")
    session = await find_local(node.db, "sessions", session_id, cpo)
    refusal = _refusal(runner, caller, operation, session)
    result = refusal or ChargingProfileResponseType.ACCEPTED
    response = ChargingProfileResponse(result=result, timeout=node.settings.command_timeout)
    if isinstance(argument, SetChargingProfile):
        body: dict[str, Any] = argument.to_wire()
    else:
        body = {"response_url": response_url}
        if operation == ACTIVE_PROFILE:
            body["duration"] = argument
    uid = new_uid()
    async with node.db.transaction() as conn:
        await CommandLog(conn).add(
            uid=uid,
            direction="IN",
            module=MODULE,
            command=operation,
            body=body,
            status=CLOSED if refusal else PENDING,
            peer_id=caller.peer.id,
            local_party=cpo,
            peer_party=sender,
            object_id=session_id,
            response_url=response_url,
            response=response.to_wire(),
            timeout=response.timeout,
        )
    if refusal is None and runner is not None and session is not None:
        request = ProfileRequest(uid, operation, cpo, sender, session, argument)
        runner.submit(
            Job(
                uid=uid,
                response_url=response_url,
                peer_id=caller.peer.id,
                local_party=cpo,
                peer_party=sender,
                execute=lambda adapter: _execute(adapter, request),
                on_timeout=None,
                on_error=_FAILED[operation],
            )
        )
    return response


async def _execute(adapter: ChargePointAdapter, request: ProfileRequest[Any]) -> OcpiModel:
    if request.operation == SET_PROFILE:
        return await adapter.set_charging_profile(request)
    if request.operation == ACTIVE_PROFILE:
        return await adapter.get_active_charging_profile(request)
    return await adapter.clear_charging_profile(request)


async def push_active_profile(
    db: Database, client: httpx.AsyncClient, session_id: str, profile: ActiveChargingProfile
) -> int:
    """PUT a changed ActiveChargingProfile to every Sender that set a profile on the session.

    ``§PUT Method`` of the Sender interface (CP-03): "The Receiver SHALL call this interface
    every time it knows changes have been made that influence the ActiveChargingProfile for
    an ongoing session AND the Sender has at least once successfully called the charging
    profile Receiver PUT interface for this session" - and never otherwise.

    Returns:
        How many Senders received it.
    """
    async with db.connect() as conn:
        records = await CommandLog(conn).find(
            direction="IN", module=MODULE, command=SET_PROFILE, object_id=session_id
        )
        accepted = [
            r for r in records if r.status == DONE and (r.result or {}).get("result") == "ACCEPTED"
        ]
        targets = {r.peer_id: r for r in accepted if r.peer_id is not None}
        peers = [await PeerRepository(conn).get(peer_id) for peer_id in targets]
    sent = 0
    for peer in peers:
        url = peer.endpoint(MODULE, "SENDER") if peer else None
        if peer is None or url is None or not peer.token_out:
            continue
        record = targets[peer.id]
        headers = {}
        if record.local_party and record.peer_party:
            headers = {
                "OCPI-from-country-code": record.local_party[0],
                "OCPI-from-party-id": record.local_party[1],
                "OCPI-to-country-code": record.peer_party[0],
                "OCPI-to-party-id": record.peer_party[1],
            }
        try:
            await call(
                client,
                "PUT",
                f"{url.rstrip('/')}/{session_id}",
                token=peer.token_out,
                encoding=peer.token_encoding,
                json=profile.to_wire(),
                headers=headers,
            )
        except PeerError:
            continue
        sent += 1
    async with db.transaction() as conn:
        await EventLog(conn).append(
            "chargingprofile.pushed", MODULE, object_id=session_id, data={"peers": sent}
        )
    return sent
