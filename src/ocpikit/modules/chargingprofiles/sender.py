"""ChargingProfiles, Sender side (eMSP / SCSP): requests to a CPO, results and updates back.

- Our requests: :func:`set_charging_profile` (PUT), :func:`get_active_charging_profile`
  (GET), :func:`clear_charging_profile` (DELETE). Each is stored in the ``commands`` table
  and its ``response_url`` is our callback ``{sender endpoint}/{OPERATION}/{uid}``
  ("It is advised to make this URL unique for every request to differentiate simultaneous
  commands, for example by adding a unique id as a URL segment", ``§POST Method``).
- :func:`receive_result`: the POST on that callback, whose body is the result object of the
  original request (``§Request Body``: "one of three").
- :func:`receive_active_profile`: the CPO's PUT of an updated ActiveChargingProfile
  (``§PUT Method``, CP-21; listed twice in the method table, ERR-11: it is supported), kept
  in the object store under the CPO's party and the session id.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError

from ocpikit.chargepoints.adapter import ACTIVE_PROFILE, CLEAR_PROFILE, SET_PROFILE
from ocpikit.client.http import call
from ocpikit.errors import InvalidParameters, NotFound, PeerError
from ocpikit.modules.commands.context import caller_party
from ocpikit.modules.commands.sender import callback_base, our_party, peer_party
from ocpikit.modules.commands.store import CLOSED, DONE, PENDING, CommandLog, new_uid
from ocpikit.protocol.v221.chargingprofiles import (
    ActiveChargingProfile,
    ActiveChargingProfileResult,
    ChargingProfile,
    ChargingProfileResponse,
    ChargingProfileResponseType,
    ChargingProfileResult,
    ClearProfileResult,
)
from ocpikit.protocol.v221.common import OcpiModel
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.repositories import Peer
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.headers import RoutingHeaders
from ocpikit.transport.security import Caller

__all__ = [
    "clear_charging_profile",
    "get_active_charging_profile",
    "get_received_profile",
    "receive_active_profile",
    "receive_result",
    "set_charging_profile",
]

MODULE = "chargingprofiles"
RESULT_MODELS: dict[str, type[OcpiModel]] = {
    ACTIVE_PROFILE: ActiveChargingProfileResult,
    SET_PROFILE: ChargingProfileResult,
    CLEAR_PROFILE: ClearProfileResult,
}
_METHODS = {ACTIVE_PROFILE: "GET", SET_PROFILE: "PUT", CLEAR_PROFILE: "DELETE"}
_OURS = frozenset({"EMSP", "SCSP", "HUB"})


def _parse(model: type[OcpiModel], body: Any) -> Any:
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


async def _send(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    operation: str,
    session_id: str,
    *,
    profile: ChargingProfile | None = None,
    duration: int | None = None,
    from_party: tuple[str, str] | None = None,
    to_party: tuple[str, str] | None = None,
) -> tuple[str, ChargingProfileResponse]:
    endpoint = peer.endpoint(MODULE, "RECEIVER")
    if endpoint is None or not peer.token_out:
        raise PeerError(
            f"peer {peer.name} offers no chargingprofiles Receiver", url=peer.versions_url
        )
    uid = new_uid()
    response_url = f"{await callback_base(db, MODULE)}/{operation}/{uid}"
    ours = from_party or await our_party(db, _OURS)
    theirs = to_party or peer_party(peer)
    url = f"{endpoint.rstrip('/')}/{session_id}"
    body: dict[str, Any] = {"response_url": response_url}
    params: dict[str, Any] | None = {"response_url": response_url}
    if profile is not None:
        body["charging_profile"] = profile.to_wire()
        params = None
    if duration is not None:
        body["duration"] = duration
        params = {"duration": duration, "response_url": response_url}
    async with db.transaction() as conn:
        await CommandLog(conn).add(
            uid=uid,
            direction="OUT",
            module=MODULE,
            command=operation,
            body=body,
            status=PENDING,
            peer_id=peer.id,
            local_party=ours,
            peer_party=theirs,
            object_id=session_id,
            response_url=response_url,
        )
    headers = {
        "OCPI-from-country-code": ours[0],
        "OCPI-from-party-id": ours[1],
        "OCPI-to-country-code": theirs[0],
        "OCPI-to-party-id": theirs[1],
    }
    try:
        reply = await call(
            client,
            _METHODS[operation],
            url,
            token=peer.token_out,
            encoding=peer.token_encoding,
            json=body if profile is not None else None,
            params=params,
            headers=headers,
        )
        response = ChargingProfileResponse.model_validate(reply.data)
    except (PeerError, ValidationError) as exc:
        message = exc.message if isinstance(exc, PeerError) else f"{url}: {exc}"
        async with db.transaction() as conn:
            await CommandLog(conn).fail(uid, message)
        if isinstance(exc, PeerError):
            raise
        raise PeerError(f"{url} did not answer a ChargingProfileResponse", url=url) from exc
    status = PENDING if response.result is ChargingProfileResponseType.ACCEPTED else CLOSED
    async with db.transaction() as conn:
        await CommandLog(conn).set_response(
            uid, response.to_wire(), status=status, timeout=response.timeout
        )
    return uid, response


async def set_charging_profile(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    session_id: str,
    profile: ChargingProfile,
    *,
    from_party: tuple[str, str] | None = None,
    to_party: tuple[str, str] | None = None,
) -> tuple[str, ChargingProfileResponse]:
    """PUT a ChargingProfile on a CPO's session; the ChargingProfileResult comes later.

    Raises:
        PeerError: no Receiver, unreachable, or no ChargingProfileResponse (stored FAILED).
    """
    return await _send(
        db,
        client,
        peer,
        SET_PROFILE,
        session_id,
        profile=profile,
        from_party=from_party,
        to_party=to_party,
    )


async def get_active_charging_profile(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    session_id: str,
    duration: int,
    *,
    from_party: tuple[str, str] | None = None,
    to_party: tuple[str, str] | None = None,
) -> tuple[str, ChargingProfileResponse]:
    """Ask for the ActiveChargingProfile of ``duration`` seconds; the result comes later."""
    return await _send(
        db,
        client,
        peer,
        ACTIVE_PROFILE,
        session_id,
        duration=duration,
        from_party=from_party,
        to_party=to_party,
    )


async def clear_charging_profile(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    session_id: str,
    *,
    from_party: tuple[str, str] | None = None,
    to_party: tuple[str, str] | None = None,
) -> tuple[str, ChargingProfileResponse]:
    """DELETE the profile we set on a session; the ClearProfileResult comes later."""
    return await _send(
        db, client, peer, CLEAR_PROFILE, session_id, from_party=from_party, to_party=to_party
    )


async def receive_result(db: Database, caller: Caller, operation: str, uid: str, body: Any) -> None:
    """The asynchronous result of our request ``uid``.

    Raises:
        NotFound: unknown uid or operation, or a caller that is not the peer we asked.
        InvalidParameters: 2001 naming the field of a body that is not the expected result.
    """
    async with db.transaction() as conn:
        repo = CommandLog(conn)
        record = await repo.get(uid)
        if (
            record is None
            or record.direction != "OUT"
            or record.module != MODULE
            or record.command != operation.upper()
            or caller.peer is None
            or record.peer_id != caller.peer.id
        ):
            raise NotFound(f"Unknown charging profile request {operation}/{uid}")
        result = _parse(RESULT_MODELS[record.command], body)
        await repo.set_result(uid, result.to_wire(), status=DONE)
        await EventLog(conn).append(
            "chargingprofile.result",
            MODULE,
            object_id=record.object_id,
            peer_id=caller.peer.id,
            data={"uid": uid, "operation": record.command, "result": result.result.value},
        )


async def receive_active_profile(
    db: Database, caller: Caller, routing: RoutingHeaders, session_id: str, body: Any
) -> WriteResult:
    """The CPO's PUT of a session's updated ActiveChargingProfile (CP-21)."""
    profile: ActiveChargingProfile = _parse(ActiveChargingProfile, body)
    assert caller.peer is not None
    cpo = caller_party(caller, routing, "chargingprofiles", "SENDER")
    key = ObjectKey(MODULE, cpo[0], cpo[1], session_id)
    async with db.transaction() as conn:
        result = await ObjectStore(conn).put(
            key,
            profile.to_json_bytes(),
            last_updated=profile.start_date_time,
            is_local=False,
            peer_id=caller.peer.id,
        )
        if result.outcome != "stale":
            await EventLog(conn).append(
                "chargingprofile.updated",
                MODULE,
                country_code=cpo[0],
                party_id=cpo[1],
                object_id=session_id,
                peer_id=caller.peer.id,
            )
    return result


async def get_received_profile(
    db: Database, cpo: tuple[str, str], session_id: str
) -> dict[str, Any] | None:
    """The last ActiveChargingProfile a CPO pushed for one of its sessions."""
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(ObjectKey(MODULE, cpo[0], cpo[1], session_id))
    return stored.parsed() if stored is not None else None
