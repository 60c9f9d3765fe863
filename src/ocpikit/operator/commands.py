"""Operator API: commands to a CPO peer and their results; real-time token authorization.

``POST /api/commands`` sends START_SESSION, STOP_SESSION, RESERVE_NOW, CANCEL_RESERVATION or
UNLOCK_CONNECTOR and answers the CPO's immediate CommandResponse; the CPO's asynchronous
CommandResult arrives later at our callback: read it with ``GET /api/commands/{uid}`` (or wait
for the ``command.result`` event). ``POST /api/authorize`` asks an eMSP peer whether a token
may charge (``POST {tokens}/{uid}/authorize``). ``POST /api/charge-point/authorize`` is the
CPO's whole decision for a token presented at a charge point (recent command, whitelist,
real-time, offline whitelist: :mod:`ocpikit.modules.tokens.cpo_authorize`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions, ModuleNotOffered
from ocpikit.errors import PeerError, UnknownToken
from ocpikit.modules.commands.service import get_command, list_commands, send_command
from ocpikit.modules.tokens.cpo_authorize import DecidedBy, NoDecision, authorize_at_charge_point
from ocpikit.operator.auth import Operator
from ocpikit.operator.helpers import (
    bad_gateway,
    conflict,
    find_peer,
    invalid_as_422,
    local_parties,
    not_found,
    peer_failed,
    unprocessable,
)
from ocpikit.protocol.v221.commands import CommandType
from ocpikit.protocol.v221.common import TokenType
from ocpikit.protocol.v221.tokens import AuthorizationInfo, LocationReferences

__all__ = ["router"]

router = APIRouter(tags=["commands"])

# CiString(36): printable ASCII, here at least one character.
Id36 = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=r"^[\x20-\x7e]+$")]

PeerRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        description="The peer: its id, CC:PARTY_ID of one of its roles, or its versions URL.",
        examples=["1", "NL:CPO"],
    ),
]


class PartyRef(BaseModel):
    country_code: str = Field(pattern=r"^[A-Za-z]{2}$")
    party_id: str = Field(pattern=r"^[A-Za-z0-9]{3}$")


class CommandIn(BaseModel):
    peer: PeerRef
    type: CommandType
    body: dict[str, Any] = Field(
        description="The command object (StartSession, StopSession, ReserveNow, "
        "CancelReservation, UnlockConnector) without response_url: ocpikit sets its own.",
        examples=[
            {
                "token": {"country_code": "DE", "party_id": "MSP", "uid": "012345678"},
                "location_id": "LOC1",
                "evse_uid": "LOC1-1",
            }
        ],
    )
    from_party: PartyRef | None = Field(default=None, description="Default: our EMSP party.")
    to_party: PartyRef | None = Field(default=None, description="Default: the peer's CPO role.")


class CommandSent(BaseModel):
    uid: str = Field(description="Our id of the command: GET /api/commands/{uid}.")
    status: str = Field(description="PENDING while a result is expected, CLOSED otherwise.")
    response: dict[str, Any] = Field(description="The CPO's CommandResponse.")


class CommandOut(BaseModel):
    """A command sent or received, with its response and result."""

    uid: str
    direction: str = Field(description="OUT (we sent it) or IN (we are the CPO).")
    module: str
    command: str
    peer_id: int | None
    object_id: str | None
    status: str = Field(description="PENDING, DONE, CLOSED, FAILED or TIMEOUT.")
    response_url: str | None
    body: dict[str, Any]
    response: dict[str, Any] | None
    result: dict[str, Any] | None
    last_error: str | None
    created_at: str | None
    responded_at: str | None
    timeout_at: str | None
    result_at: str | None


class AuthorizeIn(BaseModel):
    peer: PeerRef
    token_uid: str = Field(min_length=1, max_length=36)
    token_type: TokenType = TokenType.RFID
    location: LocationReferences | None = Field(
        default=None, description="Where the token is to be used (LocationReferences)."
    )


class ChargePointAuthorizeIn(BaseModel):
    """A token presented at one of our charge points (an OCPP Authorize, say)."""

    token_uid: Id36 = Field(description="The uid read at the charge point (Token.uid).")
    token_type: TokenType = Field(
        default=TokenType.RFID,
        description="AD_HOC_USER / APP_USER are never authorized in real time (CMD-06).",
    )
    location_id: Id36 = Field(description="Our Location.id where the token is presented.")
    evse_uid: Id36 | None = Field(default=None, description="The EVSE.uid, when known.")
    peer: PeerRef | None = Field(
        default=None,
        description="The eMSP to ask in real time; needed for a token not in the cache. "
        "Default: the peer whose roles include the cached token's country_code/party_id.",
    )


class ChargePointAuthorizationOut(BaseModel):
    """The decision: the AuthorizationInfo and which rule made it."""

    authorization: AuthorizationInfo
    decided_by: DecidedBy = Field(
        description="recent_command (an accepted START_SESSION / RESERVE_NOW in the last 15 "
        "minutes), whitelist, realtime (the eMSP answered), offline_whitelist (the eMSP could "
        "not answer: ALLOWED_OFFLINE / cached valid=false), no_realtime (AD_HOC_USER / "
        "APP_USER without a recent command)."
    )
    peer_id: int | None = Field(default=None, description="The eMSP peer asked or commanding.")
    command_uid: str | None = Field(default=None, description="The command that decided.")
    emsp_error: str | None = Field(default=None, description="Why the eMSP could not answer.")


def _party(ref: PartyRef | None) -> tuple[str, str] | None:
    return (ref.country_code.upper(), ref.party_id.upper()) if ref else None


@router.post(
    "/commands",
    summary="Send a command to a CPO peer; answers the CPO's CommandResponse",
    responses={
        422: {"description": "Bad input, or the CPO refused the command (OCPI 2xxx)"},
        502: {"description": "The peer could not be reached or answered badly"},
    },
)
async def post_command(body: CommandIn, node: Operator) -> CommandSent:
    peer = await find_peer(node.db, body.peer)
    if peer.endpoint("commands", "RECEIVER") is None:
        unprocessable("peer", f"peer {peer.name} offers no commands Receiver")
    try:
        with invalid_as_422():
            uid, response = await send_command(
                node.db,
                node.http,
                peer,
                body.type,
                body.body,
                from_party=_party(body.from_party),
                to_party=_party(body.to_party),
            )
    except PeerError as exc:
        peer_failed(exc)
    except ValueError as exc:  # no EMSP party here, or no role at the peer
        conflict(str(exc))
    record = await get_command(node.db, uid)
    assert record is not None
    return CommandSent(uid=uid, status=record.status, response=response.to_wire())


@router.get("/commands", summary="The newest commands first")
async def get_commands(
    node: Operator,
    direction: Annotated[str | None, Query(pattern="^(IN|OUT)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CommandOut]:
    records = await list_commands(node.db, direction=direction, module="commands", limit=limit)
    return [CommandOut.model_validate(r.to_json()) for r in records]


@router.get(
    "/commands/{uid}",
    summary="A command's status, response and (once the CPO sent it) result",
    responses={404: {"description": "Unknown uid"}},
)
async def read_command(uid: str, node: Operator) -> CommandOut:
    record = await get_command(node.db, uid)
    if record is None:
        not_found(f"No command {uid!r}")
    return CommandOut.model_validate(record.to_json())


@router.post(
    "/authorize",
    response_model=AuthorizationInfo,
    response_model_exclude_none=True,
    summary="Real-time authorization of a token at its eMSP peer (AuthorizationInfo)",
    responses={
        404: {"description": "The eMSP does not know the token"},
        502: {"description": "The peer could not be reached or answered badly"},
    },
)
async def authorize(body: AuthorizeIn, node: Operator) -> AuthorizationInfo:
    peer = await find_peer(node.db, body.peer)
    timeout = node.settings.peer_timeout
    options = ClientOptions(read_timeout=timeout, write_timeout=timeout)
    try:
        async with OcpiClient(peer, await local_parties(node.db), options=options) as client:
            info = await client.authorize(body.token_uid, body.token_type, body.location)
    except ModuleNotOffered:
        unprocessable("peer", f"peer {peer.name} offers no tokens Sender (real-time authorization)")
    except PeerError as exc:
        if exc.http_status == 404 or exc.status_code == 2004:
            not_found(f"token_uid: the eMSP does not know token {body.token_uid!r}: {exc.message}")
        peer_failed(exc)
    return info


@router.post(
    "/charge-point/authorize",
    response_model=ChargePointAuthorizationOut,
    response_model_exclude_none=True,
    summary="May a token presented at our charge point charge? The CPO's whole decision",
    responses={
        404: {"description": "Unknown token (at the eMSP, or not cached and no eMSP to ask)"},
        409: {"description": "This node has no CPO party, or the peer is not registered"},
        502: {"description": "The token needs real-time authorization; the eMSP cannot answer"},
    },
)
async def charge_point_authorize(
    body: ChargePointAuthorizeIn, node: Operator
) -> ChargePointAuthorizationOut:
    if not any(p.role in ("CPO", "HUB") for p in await local_parties(node.db)):
        conflict("this node has no local CPO party: it holds no tokens to authorize")
    peer = await find_peer(node.db, body.peer) if body.peer is not None else None
    location = LocationReferences(
        location_id=body.location_id,
        evse_uids=[body.evse_uid] if body.evse_uid is not None else None,
    )
    try:
        decision = await authorize_at_charge_point(
            node, body.token_uid, body.token_type, location, peer=peer
        )
    except UnknownToken as exc:
        not_found(f"token_uid: {exc.message}")
    except NoDecision as exc:
        bad_gateway(exc.message)
    return ChargePointAuthorizationOut(
        authorization=decision.info,
        decided_by=decision.decided_by,
        peer_id=decision.peer_id,
        command_uid=decision.command_uid,
        emsp_error=decision.emsp_error,
    )
