"""Commands, Sender side (eMSP): send a command, receive its asynchronous CommandResult.

``mod_commands.asciidoc §Sender Interface``: the callback URL is ours to define; "It is
advised to make this URL unique for every request to differentiate simultaneous commands,
for example by adding a unique id as a URL segment" (CMD-05). Ours is
``{base_url}/ocpi/2.2.1/sender/commands/{COMMAND}/{uid}``, ``uid`` being the ``commands``
row of the command we sent.

A result may arrive more than once for one command: the CPO cancels a reservation by POSTing
``CANCELED_RESERVATION`` to the RESERVE_NOW ``response_url`` (``§Flow``), so the newest
result is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from ocpikit.client.http import call
from ocpikit.errors import InvalidParameters, NotFound, OcpiError, PeerError
from ocpikit.mappings.context import MapContext
from ocpikit.modules.commands.receiver import MODELS, MODULE
from ocpikit.modules.commands.receiver import command_type as parse_command_type
from ocpikit.modules.commands.store import (
    CLOSED,
    DONE,
    PENDING,
    CommandLog,
    CommandRecord,
    new_uid,
)
from ocpikit.protocol.v221.commands import (
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandType,
)
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.repositories import ConfigRepository, PartyRepository, Peer
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.security import Caller
from ocpikit.versions import PROFILES, V221, VersionProfile
from ocpikit.wire import intake, render

__all__ = [
    "callback_base",
    "get_command",
    "list_commands",
    "our_party",
    "peer_party",
    "receive_result",
    "send_command",
]

log = logging.getLogger("ocpikit.commands")


async def callback_base(db: Database, module: str, peer: Peer | None = None) -> str:
    """Our Sender interface URL of ``module`` in ``peer``'s version (from the ``base_url``).

    A per-party version's peer (2.1.1) calls back our party's own URLs.
    """
    async with db.connect() as conn:
        base = await ConfigRepository(conn).get("base_url")
    if not base:
        raise RuntimeError("the database is not initialised: run `ocpikit init` first")
    version = PROFILES.get(peer.version or "", V221) if peer else V221
    if version.per_party and peer is not None and peer.local_party:
        cc, pid = peer.local_party
        return f"{base.rstrip('/')}/ocpi/{version.version}/{cc}/{pid}/{module}"
    return f"{base.rstrip('/')}/ocpi/{version.version}/sender/{module}"


async def our_party(db: Database, roles: frozenset[str]) -> tuple[str, str]:
    """Our first party with one of ``roles`` (the OCPI-from of what we send)."""
    async with db.connect() as conn:
        parties = await PartyRepository(conn).list()
    for party in parties:
        if party.role in roles:
            return party.country_code, party.party_id
    raise ValueError(f"this node has no party with a role among {sorted(roles)}")


def peer_party(peer: Peer, role: str = "CPO") -> tuple[str, str]:
    """The peer's party of ``role`` (else its first), the OCPI-to of what we send."""
    for r in peer.roles:
        if r.role == role:
            return r.country_code, r.party_id
    if not peer.roles:
        raise ValueError(f"peer {peer.name} has no registered party")
    return peer.roles[0].country_code, peer.roles[0].party_id


def _routing(ours: tuple[str, str], theirs: tuple[str, str]) -> dict[str, str]:
    return {
        "OCPI-from-country-code": ours[0],
        "OCPI-from-party-id": ours[1],
        "OCPI-to-country-code": theirs[0],
        "OCPI-to-party-id": theirs[1],
    }


def _for_peer(
    version: VersionProfile, command: CommandType, wire: dict[str, Any], ours: tuple[str, str]
) -> dict[str, Any]:
    """A command request in ``version``'s form.

    Raises:
        InvalidParameters: the command has no form in that version (2.1.1 has no
            CANCEL_RESERVATION).
    """
    out = render(version, MODULE, wire, MapContext(*ours), part=command.value.lower())
    if out is None:
        raise InvalidParameters(f"{command.value} does not exist in OCPI {version.version}")
    return out


def _from_peer(version: VersionProfile, data: Any, target: str) -> Any:
    """A peer's CommandResponse in the domain's form.

    Raises:
        PeerError: when it is not a CommandResponse of ``version``.
    """
    try:
        return intake(version, MODULE, data, MapContext("", ""), part="command_response")
    except OcpiError as exc:
        raise PeerError(
            f"{target} did not answer a CommandResponse: {exc.message}", url=target
        ) from exc


async def send_command(
    db: Database,
    client: httpx.AsyncClient,
    peer: Peer,
    command_type: CommandType | str,
    body: Mapping[str, Any] | BaseModel,
    *,
    from_party: tuple[str, str] | None = None,
    to_party: tuple[str, str] | None = None,
) -> tuple[str, CommandResponse]:
    """Send a command to a CPO peer and return our uid of it and the CPO's CommandResponse.

    The command is stored first (status PENDING), so that a result arriving at once finds
    it; ``response_url`` is set to our callback for this uid. After the answer the status is
    PENDING while a result is expected (ACCEPTED) and CLOSED otherwise; read it with
    :func:`get_command`.

    Args:
        db: our database.
        client: the HTTP client to call the peer with.
        peer: the CPO peer (registered, with a commands Receiver).
        command_type: START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION or
            UNLOCK_CONNECTOR.
        body: the command object without ``response_url`` (a dict or wire model).
        from_party: our party (default: our first EMSP party).
        to_party: the CPO party (default: the peer's CPO role).

    Raises:
        InvalidParameters: the body is not a valid command object (naming the field).
        PeerError: the peer has no commands Receiver, cannot be reached, or did not answer a
            CommandResponse (the command is then stored as FAILED).
    """
    command = parse_command_type(str(command_type))
    url = peer.endpoint(MODULE, "RECEIVER")
    if url is None or not peer.token_out:
        raise PeerError(f"peer {peer.name} offers no commands Receiver", url=peer.versions_url)
    uid = new_uid()
    response_url = f"{await callback_base(db, MODULE, peer)}/{command.value}/{uid}"
    data = body.model_dump(mode="json", exclude_none=True) if isinstance(body, BaseModel) else body
    try:
        parsed = MODELS[command].model_validate({**data, "response_url": response_url})
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
    ours = from_party or await our_party(db, frozenset({"EMSP", "HUB"}))
    theirs = to_party or peer_party(peer)
    wire = parsed.model_dump(mode="json", exclude_none=True)
    token = wire.get("token") or {}
    async with db.transaction() as conn:
        await CommandLog(conn).add(
            uid=uid,
            direction="OUT",
            module=MODULE,
            command=command.value,
            body=wire,
            status=PENDING,
            peer_id=peer.id,
            local_party=ours,
            peer_party=theirs,
            object_id=wire.get("session_id") or wire.get("location_id"),
            evse_uid=wire.get("evse_uid"),
            token_uid=token.get("uid"),
            response_url=response_url,
        )
    target = f"{url.rstrip('/')}/{command.value}"
    version = PROFILES.get(peer.version or "", V221)
    try:
        reply = await call(
            client,
            "POST",
            target,
            token=peer.token_out,
            encoding=peer.token_encoding,
            json=_for_peer(version, command, wire, ours),
            headers=_routing(ours, theirs) if version.routing_headers else {},
        )
        response = CommandResponse.model_validate(_from_peer(version, reply.data, target))
    except (PeerError, ValidationError) as exc:
        message = (
            exc.message
            if isinstance(exc, PeerError)
            else f"{target} did not answer a CommandResponse: {exc}"
        )
        async with db.transaction() as conn:
            await CommandLog(conn).fail(uid, message)
        if isinstance(exc, PeerError):
            raise
        raise PeerError(message, url=target) from exc
    status = PENDING if response.result is CommandResponseType.ACCEPTED else CLOSED
    async with db.transaction() as conn:
        await CommandLog(conn).set_response(
            uid, response.to_wire(), status=status, timeout=response.timeout
        )
    return uid, response


async def receive_result(
    db: Database, caller: Caller, segment: str, uid: str, body: Any
) -> CommandRecord:
    """The CommandResult the CPO POSTs to our callback for command ``uid``.

    Raises:
        NotFound: 404 for an unknown uid, another command type, or a caller that is not the
            peer we sent the command to.
        InvalidParameters: 2001 naming the field of an invalid CommandResult.
    """
    command = parse_command_type(segment)
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        result = CommandResult.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
    async with db.transaction() as conn:
        repo = CommandLog(conn)
        record = await repo.get(uid)
        if (
            record is None
            or record.direction != "OUT"
            or record.module != MODULE
            or record.command != command.value
            or caller.peer is None
            or record.peer_id != caller.peer.id
        ):
            raise NotFound(f"Unknown command {command.value}/{uid}")
        await repo.set_result(uid, result.to_wire(), status=DONE)
        party = record.local_party or ("", "")
        await EventLog(conn).append(
            "command.result",
            MODULE,
            country_code=party[0] or None,
            party_id=party[1] or None,
            object_id=uid,
            peer_id=caller.peer.id,
            data={"command": command.value, "result": result.result.value},
        )
        updated = await repo.get(uid)
    assert updated is not None
    return updated


async def get_command(db: Database, uid: str) -> CommandRecord | None:
    """A command (or charging profile request) we sent or received, with its outcome."""
    async with db.connect() as conn:
        return await CommandLog(conn).get(uid)


async def list_commands(
    db: Database, *, direction: str | None = None, module: str | None = None, limit: int = 100
) -> list[CommandRecord]:
    """The newest requests first (``direction``: ``IN`` or ``OUT``)."""
    async with db.connect() as conn:
        return await CommandLog(conn).recent(direction=direction, module=module, limit=limit)
