"""Tokens: storage behaviour of both interfaces, written once (``mod_tokens.asciidoc``).

- Sender (eMSP): our own tokens as a paginated list (the list itself is served by ``api.py``);
  real-time authorization lives in :mod:`ocpikit.modules.tokens.authorize`.
- Receiver (CPO): an eMSP peer's tokens under its own parties, stored as sent; GET, PUT and
  PATCH at ``/{country_code}/{party_id}/{token_uid}[?type={type}]``. Tokens are never deleted
  (``§Receiver Interface``: "DELETE: n/a, (Use PUT, Tokens cannot be removed)").
- Local writes go through :func:`save_local` / :func:`patch_local`, which queue the push.

Identity (TOK-03): ``§Token Object``: "The combination of uid and type should be unique for every
token within the eMSP's system", so the store key carries the type
(``ObjectKey(..., object_type=type)``); the ``type`` URL parameter defaults to ``RFID``.

Decision on an absent ``?type=`` in a PUT/PATCH: the spec's default is ``RFID``, but a body that
names its own ``type`` is unambiguous, so the body's type is used as the key. A ``?type=`` that
differs from the body's ``type`` is a 2001.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.errors import InvalidParameters, NotFound, UnknownToken
from ocpikit.modules.common import (
    merge_patch,
    read_received,
    require_owner,
    require_same_key,
    validate_merged,
)
from ocpikit.protocol.v221.tokens import Token, TokenPatch, TokenType
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "get_received",
    "key_of",
    "load",
    "parse_body",
    "parse_type",
    "patch_local",
    "receive_patch",
    "receive_put",
    "save_local",
    "store_local",
]

MODULE = "tokens"

M = TypeVar("M", bound=BaseModel)


def key_of(
    country_code: str, party_id: str, uid: str, token_type: TokenType = TokenType.RFID
) -> ObjectKey:
    """The store key of a token: its owner party, uid and type."""
    return ObjectKey(MODULE, country_code, party_id, uid, object_type=token_type.value)


def parse_type(value: str | None) -> TokenType | None:
    """The ``type`` URL parameter (None when absent).

    Raises:
        InvalidParameters: 2001 for a value that is not a TokenType (values are case-sensitive).
    """
    if value is None:
        return None
    try:
        return TokenType(value)
    except ValueError as exc:
        allowed = ", ".join(t.value for t in TokenType)
        raise InvalidParameters(f"type: {value!r} is not a TokenType ({allowed})") from exc


def parse_body(model: type[M], body: Any, *, what: str) -> M:
    """Validate a JSON body as ``model``.

    Raises:
        InvalidParameters: 2001 naming the failing fields.
    """
    if not isinstance(body, dict):
        raise InvalidParameters(f"The request body must be a JSON object ({what})")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def _path(key: ObjectKey) -> str:
    return f"/{key.country_code}/{key.party_id}/{key.object_id}?type={key.object_type}"


def _ids(key: ObjectKey) -> dict[str, str]:
    return {
        "country_code": key.country_code,
        "party_id": key.party_id,
        "uid": key.object_id,
        "type": key.object_type,
    }


def _identity(obj: Token | TokenPatch) -> dict[str, Any]:
    return obj.model_dump(mode="json", include={"country_code", "party_id", "uid", "type"})


async def _event(conn: AsyncConnection, kind: str, key: ObjectKey, peer_id: int | None) -> None:
    await EventLog(conn).append(
        f"token.{kind}",
        MODULE,
        country_code=key.country_code,
        party_id=key.party_id,
        object_id=key.object_id,
        peer_id=peer_id,
        data={"type": key.object_type},
    )


# ---- local (our own tokens, eMSP) ---------------------------------------------------------


async def save_local(db: Database, token: Token, *, allow_older: bool = False) -> WriteResult:
    """Create or replace one of our own tokens (the caller checked the party is ours).

    ``§Push model``: "When the eMSP creates a new Token object they push it to the CPO by calling
    PUT on the CPO's Tokens endpoint". The full token is queued for every peer with a Tokens
    Receiver in the same transaction; a stale write (older ``last_updated``) is neither stored
    nor pushed unless ``allow_older``.
    """
    async with db.transaction() as conn:
        return await store_local(conn, token, allow_older=allow_older)


async def store_local(
    conn: AsyncConnection, token: Token, *, allow_older: bool = False
) -> WriteResult:
    """:func:`save_local` inside the caller's transaction (``ocpikit load``)."""
    key = key_of(token.country_code, token.party_id, token.uid, token.type)
    result = await ObjectStore(conn).put(
        key,
        token.to_json_bytes(),
        last_updated=token.last_updated,
        is_local=True,
        allow_older=allow_older,
    )
    if result.outcome != "stale":
        await Outbox(conn).publish(Push(key, "PUT", _path(key), token.to_wire()))
    return result


async def patch_local(db: Database, key: ObjectKey, patch: TokenPatch) -> WriteResult:
    """Change fields of one of our own tokens (e.g. ``valid: false``) and queue the PATCH.

    ``§Push model``: "When the eMSP invalidates a Token (deleting is not possible), the eMSP will
    send the updated Token (with the field: valid set to false ...) by calling either the PUT or
    the PATCH". Only the sent fields are pushed (with ``last_updated``).

    Raises:
        NotFound: for a token that is not one of ours.
        InvalidParameters: when the patch changes the token's identity or breaks the token.
    """
    require_same_key(_ids(key), _identity(patch))
    sent = merge_patch({}, patch)
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or not stored.is_local:
            raise NotFound(f"Unknown token {key.object_id!r} ({key.object_type})")
        token = validate_merged(Token, {**stored.parsed(), **sent})
        result = await store.put(
            key, token.to_json_bytes(), last_updated=token.last_updated, is_local=True
        )
        if result.outcome != "stale":
            await Outbox(conn).publish(Push(key, "PATCH", _path(key), sent))
        return result


async def load(db: Database, key: ObjectKey) -> Token | None:
    """A stored token, ours or received, or None."""
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key)
    return None if stored is None else Token.model_validate_json(stored.data)


# ---- Receiver (a peer's tokens, CPO) ------------------------------------------------------


async def get_received(db: Database, caller: Caller, key: ObjectKey) -> str:
    """A token the calling eMSP pushed to us, as stored JSON (Receiver GET).

    Raises:
        NotFound: 404 for a party the caller does not own or an unknown token.
    """
    return await read_received(db, caller, key, "token")


async def receive_put(
    db: Database,
    caller: Caller,
    country_code: str,
    party_id: str,
    uid: str,
    url_type: TokenType | None,
    body: Any,
) -> WriteResult:
    """A PUT of a Token from the eMSP that owns it.

    ``§PUT Method``: URL ``country_code``/``party_id`` "SHALL be the same value as the
    country_code [party_id] in the Token object being pushed" (else 2001).

    Returns:
        The write; ``outcome == "stale"`` when older than the stored token (ignored, X-07).
    """
    require_owner(caller, country_code, party_id, MODULE)
    assert caller.peer is not None
    token = parse_body(Token, body, what="a Token")
    key = key_of(country_code, party_id, uid, url_type or token.type)
    require_same_key(_ids(key), _identity(token))
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        existing = await store.get(key)
        if existing is not None and existing.is_local:
            raise NotFound(f"{country_code}/{party_id} is not one of your registered parties")
        result = await store.put(
            key,
            token.to_json_bytes(),
            last_updated=token.last_updated,
            is_local=False,
            peer_id=caller.peer.id,
        )
        if result.outcome != "stale":
            await _event(conn, result.outcome, key, caller.peer.id)
        return result


async def receive_patch(
    db: Database,
    caller: Caller,
    country_code: str,
    party_id: str,
    uid: str,
    url_type: TokenType | None,
    body: Any,
) -> WriteResult:
    """A PATCH of a Token: only the sent fields change.

    ``§PATCH Method``: "Any request to the PATCH method SHALL contain the last_updated field"
    (2001 otherwise). A PATCH older than the stored token is accepted and ignored (X-07).

    Raises:
        UnknownToken: 404 / 2004 when the token was never PUT.
    """
    require_owner(caller, country_code, party_id, MODULE)
    assert caller.peer is not None
    patch = parse_body(TokenPatch, body, what="a partial Token")
    key = key_of(country_code, party_id, uid, url_type or patch.type or TokenType.RFID)
    require_same_key(_ids(key), _identity(patch))
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or stored.is_local:
            raise UnknownToken(f"Unknown token {uid!r} ({key.object_type}): PUT it first")
        token = validate_merged(Token, merge_patch(stored.parsed(), patch))
        result = await store.put(
            key,
            token.to_json_bytes(),
            last_updated=token.last_updated,
            is_local=False,
            peer_id=caller.peer.id,
        )
        if result.outcome != "stale":
            await _event(conn, "updated", key, caller.peer.id)
        return result
