"""Token authorization: the eMSP's real-time answer, and the CPO's local whitelist decision.

eMSP side, :func:`authorize` (``mod_tokens.asciidoc §POST Method``, TOK-21):
``POST {tokens_endpoint_url}{token_uid}/authorize[?type={type}]`` with an optional
LocationReferences body.

- "When the eMSP does not know the Token, the eMSP SHALL respond with an HTTP status code: 404"
  and "the status code: 2004: Unknown Token, and no data field".
- A known token gets an AuthorizationInfo with the complete Token. ``allowed`` follows the
  token's ``valid`` flag: ALLOWED, or BLOCKED for ``valid: false``. ocpikit holds no credit,
  expiry or per-location rules, so it never answers EXPIRED / NO_CREDIT / NOT_ALLOWED itself.
- The whitelist type decides whether the *CPO* asks (``§WhitelistType enum``); it does not change
  the eMSP's answer: a CPO asking about an ``ALWAYS`` token still gets the truth.
- "In the body an optional LocationReferences object can be given. The eMSP SHALL then validate
  if the Token is allowed to be used at this Location, and if applicable: which of the
  Locations EVSEs. The object with valid Location and EVSEs will be returned in the response."
  Tokens carry no location restrictions here, so an allowed token gets the references echoed
  unchanged; a refused one gets no ``location`` (it is "the location ... if the EV driver is
  allowed to charge at that location"). A body that is not a valid LocationReferences is 2001.
- 2002 ("too little information (no LocationReferences provided) to determine if the Token might
  be used") is never answered: without location rules ocpikit can always decide.
- Each ALLOWED answer carries a fresh ``authorization_reference`` (X-01: the CPO copies it into
  the Session and CDR) and is recorded as a ``token.authorized`` event with that reference.
  The answer only reads; the event is written just after it, off the answer's path
  (:mod:`ocpikit.storage.recorder`).

CPO side: :func:`whitelist_decision` (whitelist semantics for a cached token),
:func:`cached_token` (the CPO's cache of pushed tokens) and :func:`authorize_locally` (both).
The complete decision of a CPO, which also asks the eMSP in real time and honours recent
commands, is :mod:`ocpikit.modules.tokens.cpo_authorize`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from ocpikit.errors import UnknownToken
from ocpikit.modules.tokens.service import MODULE, parse_body
from ocpikit.protocol.v221.tokens import (
    AllowedType,
    AuthorizationInfo,
    LocationReferences,
    Token,
    TokenType,
    WhitelistType,
)
from ocpikit.storage.db import Database
from ocpikit.storage.objects import ObjectStore, StoredObject
from ocpikit.storage.recorder import EventRecorder

__all__ = [
    "authorize",
    "authorize_locally",
    "cached_token",
    "parse_location_references",
    "whitelist_decision",
]


def parse_location_references(body: Any) -> LocationReferences | None:
    """The optional body of an authorize request (absent or JSON ``null``: None).

    Raises:
        InvalidParameters: 2001 naming the field when it is not a valid LocationReferences.
    """
    if body is None:
        return None
    return parse_body(LocationReferences, body, what="LocationReferences")


def _pick(found: list[StoredObject], party: tuple[str, str] | None) -> StoredObject | None:
    """The token of ``party``, or of any party when it has none."""
    if party is not None:
        cc, pid = party[0].upper(), party[1].upper()
        mine = [o for o in found if (o.key.country_code, o.key.party_id) == (cc, pid)]
        found = mine or found
    return found[0] if found else None


async def authorize(
    db: Database,
    events: EventRecorder,
    uid: str,
    token_type: TokenType,
    body: Any,
    *,
    to_party: tuple[str, str] | None = None,
) -> AuthorizationInfo:
    """Answer a CPO's real-time authorization request for one of our tokens.

    The answer is read only; its ``token.authorized`` event is queued on ``events`` and
    written after it (a driver waits at the charger: the answer does not queue behind the
    node's writes).

    Args:
        db: the node's database.
        events: the node's event recorder.
        uid: the token uid from the URL.
        token_type: the ``type`` URL parameter (RFID when absent).
        body: the parsed JSON body, or None when the request had no body.
        to_party: the OCPI-to party of the request, to choose among our parties' tokens.

    Raises:
        InvalidParameters: 2001 for a body that is not a LocationReferences.
        UnknownToken: HTTP 404 / 2004 when we have no such token.
    """
    location = parse_location_references(body)
    async with db.connect() as conn:
        found = await ObjectStore(conn).find(
            MODULE, uid, is_local=True, object_type=token_type.value
        )
    stored = _pick(found, to_party)
    if stored is None:
        raise UnknownToken(f"Unknown token {uid!r} ({token_type.value})")
    token = Token.model_validate_json(stored.data)
    info = AuthorizationInfo(allowed=AllowedType.BLOCKED, token=token)
    if token.valid:
        info.allowed = AllowedType.ALLOWED
        info.location = location
        info.authorization_reference = uuid.uuid4().hex
    await events.record(
        "token.authorized",
        MODULE,
        country_code=stored.key.country_code,
        party_id=stored.key.party_id,
        object_id=stored.key.object_id,
        data={
            "type": token_type.value,
            "allowed": info.allowed.value,
            "authorization_reference": info.authorization_reference,
            "location": location.to_wire() if location else None,
        },
    )
    return info


async def cached_token(
    db: Database,
    uid: str,
    token_type: TokenType,
    *,
    parties: Collection[tuple[str, str]] | None = None,
) -> Token | None:
    """A token an eMSP peer pushed to us (the CPO's cache), or None.

    Args:
        db: the CPO node's database.
        uid: the token uid (case-insensitive).
        token_type: the token type (part of the token's identity, TOK-03).
        parties: when given, only a token of one of these (country_code, party_id) counts.
    """
    async with db.connect() as conn:
        found = await ObjectStore(conn).find(
            MODULE, uid, is_local=False, object_type=token_type.value
        )
    if parties is not None:
        wanted = {(cc.upper(), pid.upper()) for cc, pid in parties}
        found = [o for o in found if (o.key.country_code, o.key.party_id) in wanted]
    return Token.model_validate_json(found[0].data) if found else None


def whitelist_decision(
    token: Token, location_refs: LocationReferences | None, *, emsp_reachable: bool = True
) -> AuthorizationInfo | None:
    """What the whitelist type lets the CPO decide for a cached token, or None: "ask the eMSP".

    ``mod_tokens.asciidoc §WhitelistType enum``:

    - ALWAYS: "Token always has to be whitelisted, realtime authorization is not
      possible/allowed. CPO shall always allow any use of this Token." -> decided here:
      ALLOWED when ``valid``, BLOCKED otherwise.
    - ALLOWED: "It is allowed to whitelist the token, realtime authorization is also allowed.
      The CPO may choose which version of authorization to use." -> a valid token is ALLOWED
      here without asking; for ``valid: false`` we ask (the eMSP may have re-validated it) and,
      when the eMSP cannot be reached, answer BLOCKED from the cache.
    - ALLOWED_OFFLINE: "In normal situations realtime authorization shall be used. But when the
      CPO cannot get a response from the eMSP ..., the CPO shall allow this Token to be used."
      -> None while ``emsp_reachable``; offline, ALLOWED when ``valid`` (a token the eMSP
      explicitly invalidated stays BLOCKED).
    - NEVER: "Whitelisting is forbidden, only realtime authorization is allowed." -> always None.

    "The validity of a Token has no influence on this. If a Token is: valid = false, when the
    whitelist field requires real-time authorization, the CPO SHALL do a real-time
    authorization, the state of the Token might have changed." Hence ``valid`` is only looked at
    once the whitelist type lets the CPO decide.

    Local decisions carry no ``authorization_reference`` (that is the eMSP's to give, X-01);
    ALLOWED echoes ``location_refs``.
    """
    whitelist = token.whitelist
    if whitelist is WhitelistType.NEVER:
        return None
    if whitelist is WhitelistType.ALLOWED_OFFLINE and emsp_reachable:
        return None
    if whitelist is WhitelistType.ALLOWED and not token.valid and emsp_reachable:
        return None
    if not token.valid:
        return AuthorizationInfo(allowed=AllowedType.BLOCKED, token=token)
    return AuthorizationInfo(allowed=AllowedType.ALLOWED, token=token, location=location_refs)


async def authorize_locally(
    db: Database,
    uid: str,
    token_type: TokenType,
    location_refs: LocationReferences | None,
    *,
    emsp_reachable: bool = True,
    party: tuple[str, str] | None = None,
) -> AuthorizationInfo | None:
    """Whitelist decision of a CPO for a token in its cache, or None: "ask the eMSP".

    :func:`cached_token` then :func:`whitelist_decision` (the whitelist rules are quoted there).
    A token not in the cache also gives None (``§Real-time authorization``: "When an eMSP does
    not want to Push the full list of tokens to CPOs, the CPOs will need to call the POST
    Authorize request"). The whole decision of a CPO, with the real-time request and the
    commands rule, is :func:`ocpikit.modules.tokens.cpo_authorize.authorize_at_charge_point`.

    Args:
        db: the CPO node's database.
        uid: the token uid read at the charger (case-insensitive).
        token_type: the token type (RFID for cards).
        location_refs: where the driver wants to charge, if known.
        emsp_reachable: False when a real-time request to the eMSP failed or cannot be made.
        party: the eMSP party (country_code, party_id), when several could hold this uid.
    """
    token = await cached_token(db, uid, token_type, parties=None if party is None else [party])
    if token is None:
        return None
    return whitelist_decision(token, location_refs, emsp_reachable=emsp_reachable)
