"""The CPO's authorization decision: "a driver presented token X at location L: may they charge?".

:func:`authorize_at_charge_point` is the one call a CPO's charge point management system makes
(through ``POST /api/charge-point/authorize``) when a charge point asks whether a token may be
used (an OCPP ``Authorize``). It decides the way ``mod_tokens.asciidoc`` and
``mod_commands.asciidoc`` say a CPO decides, in this order:

1. **A recent command** (CMD-06, ``mod_commands.asciidoc §StartSession Object`` and
   ``§ReserveNow Object``): "The Token provided by the eMSP for the StartSession SHALL be
   authorized by the eMSP before sending it to the CPO. Therefor the CPO SHALL NOT check the
   validity of the Token" and "If this Token is of type: RFID, the CPO SHALL NOT do a realtime
   authorization at the eMSP for this Token at the given EVSE/Charge Point within 15 minutes
   after having received this StartSession. (This means that if the driver decided to use his
   RFID within 15 minutes at the same Charge Point, because the app is not working somehow, the
   RFID is already authorized)". An accepted START_SESSION or RESERVE_NOW we received for this
   token (uid and type) at this location (and at this EVSE when both name one) within the
   window (15 minutes) answers ALLOWED with the command's token and
   ``authorization_reference``, asking nobody. Applied to every token type.
2. **The whitelist** of the token in our cache (tokens the eMSPs pushed, ``§WhitelistType
   enum``, see :func:`~ocpikit.modules.tokens.authorize.whitelist_decision`): ALWAYS, and
   ALLOWED for a valid token, are decided here.
3. **AD_HOC_USER / APP_USER tokens are never authorized in real time**: "If this Token is of
   type AD_HOC_USER or APP_USER the CPO SHALL NOT do a realtime authorization at the eMSP for
   this", and "Such Tokens are only used in commands sent by an eMSP and never presented
   locally at the Charge Point by a Driver like RFID Tokens." Without a recent command or a
   whitelist decision, a cached one is refused (NOT_ALLOWED, or BLOCKED when ``valid: false``)
   with an ``info`` text saying why, and an uncached one is an unknown token.
4. **Real-time authorization** at the eMSP that owns the token (``§Real-time authorization``):
   ``POST {tokens}/{uid}/authorize?type=`` with the LocationReferences, at the registered peer
   whose roles include the cached token's country_code/party_id, or at the peer the caller
   names for a token not in the cache ("When an eMSP does not want to Push the full list of
   tokens to CPOs, the CPOs will need to call the POST Authorize request to check if a Token is
   known by the eMSP, and if it is valid"). Its AuthorizationInfo is the answer. "When the eMSP
   does not know the Token, the eMSP SHALL respond with an HTTP status code: 404": an unknown
   token (:class:`~ocpikit.errors.UnknownToken`).
5. **Offline**: when the eMSP cannot be asked (unreachable, failing, no tokens Sender, no
   registered peer owns the token), ALLOWED_OFFLINE: "when the CPO cannot get a response from
   the eMSP (communication between CPO and eMSP is offline), the CPO shall allow this Token to
   be used" (and ALLOWED with ``valid: false`` is BLOCKED from the cache). NEVER: "only realtime
   authorization is allowed": no decision can be made, :class:`NoDecision` (the operator API
   answers 502: "cannot decide now" is not the same as "this card is refused").

A token not in the cache with no peer to ask is an unknown token. Every outcome, refusals and
failures included, is recorded in the event log as ``token.charge_point_authorization``, written
just after the answer by the node's event recorder (:mod:`ocpikit.storage.recorder`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn

from pydantic import ValidationError

from ocpikit.client.ocpi import OcpiClient
from ocpikit.client.peer import ClientOptions
from ocpikit.client.retry import RetryPolicy
from ocpikit.errors import PeerError, UnknownToken
from ocpikit.modules.commands.store import CommandLog, CommandRecord
from ocpikit.modules.tokens.authorize import cached_token, whitelist_decision
from ocpikit.modules.tokens.service import MODULE
from ocpikit.node import Node
from ocpikit.protocol.v221.common import DisplayText
from ocpikit.protocol.v221.tokens import (
    AllowedType,
    AuthorizationInfo,
    LocationReferences,
    Token,
    TokenType,
)
from ocpikit.storage.db import Database
from ocpikit.storage.repositories import PartyRepository, Peer, PeerRepository

__all__ = [
    "COMMAND_WINDOW",
    "EVENT_KIND",
    "ChargePointDecision",
    "DecidedBy",
    "NoDecision",
    "authorize_at_charge_point",
    "recent_command",
]

COMMAND_WINDOW = timedelta(minutes=15)
"""CMD-06: no real-time authorization "within 15 minutes after having received" the command."""

EVENT_KIND = "token.charge_point_authorization"

_COMMAND_ONLY = frozenset({TokenType.AD_HOC_USER, TokenType.APP_USER})


class DecidedBy(StrEnum):
    """How a decision was made (``decided_by`` in the operator API and the event)."""

    RECENT_COMMAND = "recent_command"
    WHITELIST = "whitelist"
    REALTIME = "realtime"
    OFFLINE_WHITELIST = "offline_whitelist"
    NO_REALTIME = "no_realtime"


@dataclass(frozen=True, slots=True)
class ChargePointDecision:
    """The answer for the charge point.

    Attributes:
        info: the AuthorizationInfo (``allowed``, the complete token, ``location``,
            ``authorization_reference`` when the eMSP gave one).
        decided_by: which rule decided.
        peer_id: the eMSP peer asked in real time (or whose command decided), if any.
        command_uid: our uid of the command that decided (``GET /api/commands/{uid}``).
        emsp_error: why the eMSP could not answer, for an offline decision.
    """

    info: AuthorizationInfo
    decided_by: DecidedBy
    peer_id: int | None = None
    command_uid: str | None = None
    emsp_error: str | None = None


class NoDecision(Exception):
    """The token needs real-time authorization and its eMSP could not give it (NEVER offline).

    Attributes:
        message: what failed, for the operator.
        peer_id: the peer that was asked, if any.
    """

    def __init__(self, message: str, *, peer_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.peer_id = peer_id


def _matches(
    record: CommandRecord, token_type: TokenType, evse_uids: list[str] | None
) -> Token | None:
    """The command's token when it is of ``token_type`` and at one of ``evse_uids``."""
    try:
        token = Token.model_validate(record.body.get("token"))
    except ValidationError:
        return None
    if token.type is not token_type:
        return None
    if evse_uids and record.evse_uid is not None:
        if record.evse_uid.upper() not in {e.upper() for e in evse_uids}:
            return None
    return token


async def recent_command(
    db: Database,
    token_uid: str,
    token_type: TokenType,
    location: LocationReferences,
    *,
    now: datetime,
    window: timedelta = COMMAND_WINDOW,
) -> tuple[CommandRecord, Token] | None:
    """The newest accepted START_SESSION / RESERVE_NOW for this token here, within ``window``.

    "At the given EVSE/Charge Point": the command's ``location_id`` must be the location; when
    the command and the request both name EVSEs, the command's must be one of the request's
    (a command without ``evse_uid`` lets the charge point choose: any EVSE of the location).
    Commands the CPO did not accept (``CommandResponse`` other than ACCEPTED: unknown
    location, token of another eMSP...) never count.
    """
    async with db.connect() as conn:
        records = await CommandLog(conn).recent_token_commands(
            token_uid, since=now - window, location_id=location.location_id
        )
    for record in records:
        token = _matches(record, token_type, location.evse_uids)
        if token is not None:
            return record, token
    return None


def _owner(peers: Sequence[Peer], token: Token) -> Peer | None:
    """The registered peer whose credentials roles include the token's party."""
    for peer in peers:
        if (
            peer.status == "REGISTERED"
            and peer.token_out
            and peer.owns(token.country_code, token.party_id)
        ):
            return peer
    return None


def _is_unknown(exc: PeerError) -> bool:
    """``§POST Method``: an unknown token is HTTP 404 (and OCPI 2004)."""
    return exc.http_status == 404 or exc.status_code == 2004


async def _ask(
    node: Node,
    peer: Peer,
    uid: str,
    token_type: TokenType,
    location: LocationReferences,
    token: Token | None,
) -> AuthorizationInfo:
    """``POST {tokens}/{uid}/authorize`` at the eMSP; a driver is waiting: one retry only.

    Addressed (``OCPI-to-*``) to the party that owns the cached token, so that a Hub routes
    it to the right eMSP; a token not in the cache goes to the peer's first eMSP party.
    """
    timeout = node.settings.peer_timeout
    options = ClientOptions(
        connect_timeout=min(5.0, timeout),
        read_timeout=timeout,
        write_timeout=timeout,
        retry=RetryPolicy(attempts=2, base_delay=0.2),
    )
    async with node.db.connect() as conn:
        parties = await PartyRepository(conn).list()
    async with OcpiClient(peer, parties, options=options) as client:
        owner = (token.country_code, token.party_id) if token is not None else None
        cached = token.to_wire() if token is not None else None
        return await client.authorize(uid, token_type, location, to_party=owner, token=cached)


@dataclass(frozen=True, slots=True)
class _Presented:
    """One presentation of a token at a charge point, and its record in the event log."""

    node: Node
    uid: str
    token_type: TokenType
    location: LocationReferences

    async def record(
        self,
        outcome: str,
        *,
        decision: ChargePointDecision | None = None,
        token: Token | None = None,
        peer_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the ``token.charge_point_authorization`` event (the operator's audit).

        Queued on the node's event recorder and written just after the answer: deciding only
        reads, and the charge point does not wait for the node's other writes.
        """
        info = decision.info if decision else None
        owner = info.token if info else token
        data: dict[str, Any] = {
            "outcome": outcome,
            "type": self.token_type.value,
            "location_id": self.location.location_id,
            "evse_uids": self.location.evse_uids,
            "allowed": info.allowed.value if info else None,
            "decided_by": decision.decided_by.value if decision else None,
            "authorization_reference": info.authorization_reference if info else None,
            "command_uid": decision.command_uid if decision else None,
            "emsp_error": decision.emsp_error if decision else error,
        }
        await self.node.events.record(
            EVENT_KIND,
            MODULE,
            country_code=owner.country_code.upper() if owner else None,
            party_id=owner.party_id.upper() if owner else None,
            object_id=self.uid.upper(),
            peer_id=decision.peer_id if decision else peer_id,
            data=data,
        )

    async def decided(self, decision: ChargePointDecision) -> ChargePointDecision:
        await self.record("decided", decision=decision)
        return decision

    async def unknown(self, message: str, token: Token | None, peer_id: int | None) -> NoReturn:
        await self.record("unknown_token", token=token, peer_id=peer_id)
        raise UnknownToken(message)

    async def command_only(self, token: Token | None, window: timedelta) -> ChargePointDecision:
        """AD_HOC_USER / APP_USER without a recent command nor a whitelist decision."""
        kind = self.token_type.value
        if token is None:
            await self.unknown(
                f"unknown {kind} token {self.uid!r}: not in the cache and no accepted "
                f"START_SESSION / RESERVE_NOW with it at {self.location.location_id!r} in the "
                f"last {window.total_seconds() / 60:g} minutes ({kind} tokens are never "
                "authorized in real time)",
                None,
                None,
            )
        text = f"{kind} tokens are authorized by the eMSP's START_SESSION or RESERVE_NOW only"
        refused = AuthorizationInfo(
            allowed=AllowedType.NOT_ALLOWED if token.valid else AllowedType.BLOCKED,
            token=token,
            info=DisplayText(language="en", text=text),
        )
        return await self.decided(ChargePointDecision(refused, DecidedBy.NO_REALTIME))

    async def realtime(self, token: Token | None, peer: Peer | None) -> ChargePointDecision:
        """Ask the eMSP; when it cannot answer, the offline whitelist rules, else NoDecision."""
        if peer is None:
            if token is None:
                await self.unknown(
                    f"unknown token {self.uid!r} ({self.token_type.value}): not in the "
                    "cache; name the eMSP peer to ask it in real time",
                    None,
                    None,
                )
            async with self.node.db.connect() as conn:
                peer = _owner(await PeerRepository(conn).list(), token)
        if peer is None:
            assert token is not None
            error = f"no registered peer owns {token.country_code}/{token.party_id}"
        else:
            try:
                answer = await _ask(
                    self.node, peer, self.uid, self.token_type, self.location, token
                )
            except PeerError as exc:
                if _is_unknown(exc):
                    await self.unknown(
                        f"the eMSP {peer.name} does not know token {self.uid!r} "
                        f"({self.token_type.value}): {exc.message}",
                        token,
                        peer.id,
                    )
                error = f"{peer.name}: {exc.message}"
            else:
                return await self.decided(
                    ChargePointDecision(answer, DecidedBy.REALTIME, peer_id=peer.id)
                )
        return await self.offline(token, peer.id if peer is not None else None, error)

    async def offline(
        self, token: Token | None, peer_id: int | None, error: str
    ) -> ChargePointDecision:
        offline = None
        if token is not None:
            offline = whitelist_decision(token, self.location, emsp_reachable=False)
        if offline is not None:
            return await self.decided(
                ChargePointDecision(
                    offline, DecidedBy.OFFLINE_WHITELIST, peer_id=peer_id, emsp_error=error
                )
            )
        await self.record("no_decision", token=token, peer_id=peer_id, error=error)
        whitelist = token.whitelist.value if token is not None else "not in the cache"
        raise NoDecision(
            f"token {self.uid!r} ({self.token_type.value}) needs real-time authorization "
            f"(whitelist: {whitelist}) and its eMSP could not answer: {error}",
            peer_id=peer_id,
        )


async def authorize_at_charge_point(
    node: Node,
    uid: str,
    token_type: TokenType,
    location: LocationReferences,
    *,
    peer: Peer | None = None,
    now: datetime | None = None,
    window: timedelta = COMMAND_WINDOW,
) -> ChargePointDecision:
    """May the driver who presented this token charge here? (the order is in the module doc).

    Args:
        node: the CPO node.
        uid: the token uid read at the charge point (case-insensitive).
        token_type: the token type (RFID for cards).
        location: where: ``location_id`` and the EVSE(s) in ``evse_uids``, when known.
        peer: the eMSP to ask; only its tokens count in the cache. None: the owner of the
            cached token (a token not in the cache is then unknown).
        now: the current time (tests); the commands rule looks back ``window`` from it.
        window: how long an accepted command spares the real-time request (CMD-06: 15 min).

    Raises:
        UnknownToken: the eMSP does not know the token (404 / 2004), or the token is not in
            the cache and there is no eMSP to ask (for AD_HOC_USER / APP_USER: may be asked).
        NoDecision: the token needs a real-time answer and its eMSP could not give one.
    """
    presented = _Presented(node, uid, token_type, location)
    now = now or datetime.now(UTC)
    found = await recent_command(node.db, uid, token_type, location, now=now, window=window)
    if found is not None:
        record, command_token = found
        info = AuthorizationInfo(
            allowed=AllowedType.ALLOWED,
            token=command_token,
            location=location,
            authorization_reference=record.body.get("authorization_reference"),
        )
        return await presented.decided(
            ChargePointDecision(
                info, DecidedBy.RECENT_COMMAND, peer_id=record.peer_id, command_uid=record.uid
            )
        )
    parties = None if peer is None else [(r.country_code, r.party_id) for r in peer.roles]
    token = await cached_token(node.db, uid, token_type, parties=parties)
    if token is not None:
        local = whitelist_decision(token, location, emsp_reachable=True)
        if local is not None:
            return await presented.decided(ChargePointDecision(local, DecidedBy.WHITELIST))
    if token_type in _COMMAND_ONLY:
        return await presented.command_only(token, window)
    return await presented.realtime(token, peer)
