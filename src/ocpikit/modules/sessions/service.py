"""Sessions: behaviour of both interfaces, written once (``mod_sessions.asciidoc``).

- Sender (CPO): our own sessions, listed only to the eMSP that owns the session's token
  (``audience`` = ``cdr_token.country_code/party_id``); ``date_from`` is required (TF-51).
  Charging Preferences are in :mod:`ocpikit.modules.sessions.preferences`.
- Receiver (eMSP, SCSP...): a CPO peer's sessions under its own parties, stored as sent; PUT
  replaces, PATCH merges and *appends* ``charging_periods`` (SES-21, SES-22), out-of-order
  updates ignored (X-07).
- Local writes (the operator API, the simulator) go through :func:`save_local` and
  :func:`patch_local`, which queue the push to the token's eMSP in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.errors import NotFound
from ocpikit.modules.common import (
    merge_patch,
    read_received,
    require_owner,
    require_same_key,
    validate_merged,
)
from ocpikit.protocol.v221.sessions import Session, SessionPatch
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "apply_patch",
    "audience_of",
    "get_received",
    "patch_local",
    "receive_patch",
    "receive_put",
    "save_local",
    "store_local",
    "session_key",
]

MODULE = "sessions"


def session_key(session: Session) -> ObjectKey:
    return ObjectKey(MODULE, session.country_code, session.party_id, session.id)


def audience_of(session: Session) -> tuple[str, str]:
    """The eMSP party allowed to read a session: the owner of its token."""
    return session.cdr_token.country_code, session.cdr_token.party_id


def _path(key: ObjectKey) -> str:
    return f"/{key.country_code}/{key.party_id}/{key.object_id}"


def apply_patch(stored: dict[str, Any], patch: SessionPatch) -> dict[str, Any]:
    """The stored Session JSON with the fields a PATCH sent.

    ``mod_sessions.asciidoc §PATCH Method`` (SES-22): "When a PATCH request contains the
    ``charging_periods`` field (inside a Session object), this SHALL be processed as a request
    to add all the ChargingPeriod objects to the existing Session object. If the request
    ``charging_periods`` list is omitted (or contains an empty list), no changes SHALL be made
    to the existing list of ``charging_periods``." Replacing periods takes a PUT (SES-21).

    A period identical to one already stored is not added twice: that is a retried delivery
    of the same PATCH, not a new period.
    """
    sent = merge_patch({}, patch)
    new_periods = sent.pop("charging_periods", None) or []
    merged = {**stored, **sent}
    periods = list(stored.get("charging_periods") or [])
    periods += [p for p in new_periods if p not in periods]
    if periods:
        merged["charging_periods"] = periods
    return merged


async def _store(
    store: ObjectStore,
    key: ObjectKey,
    session: Session,
    *,
    is_local: bool,
    peer_id: int | None,
    allow_older: bool = False,
) -> WriteResult:
    result = await store.put(
        key,
        session.to_json_bytes(),
        last_updated=session.last_updated,
        allow_older=allow_older,
        is_local=is_local,
        peer_id=peer_id,
        audience=audience_of(session),
    )
    if not is_local and result.outcome != "stale":
        await EventLog(store.conn).append(
            f"session.{result.outcome}",
            MODULE,
            country_code=key.country_code,
            party_id=key.party_id,
            object_id=key.object_id,
            peer_id=peer_id,
            data={"status": session.status.value},
        )
    return result


async def save_local(db: Database, session: Session) -> WriteResult:
    """Create or replace one of our own sessions (the caller checked the party is ours).

    The full Session is queued as a PUT for the eMSP that owns the token (and no other peer),
    in the same transaction. An update older than the stored session is not stored nor
    pushed (outcome ``stale``).
    """
    async with db.transaction() as conn:
        return await store_local(conn, session)


async def store_local(
    conn: AsyncConnection, session: Session, *, allow_older: bool = False
) -> WriteResult:
    """:func:`save_local` inside the caller's transaction (``ocpikit load``)."""
    key = session_key(session)
    result = await _store(
        ObjectStore(conn), key, session, is_local=True, peer_id=None, allow_older=allow_older
    )
    if result.outcome != "stale":
        push = Push(key, "PUT", _path(key), session.to_wire(), audience=audience_of(session))
        await Outbox(conn).publish(push)
    return result


async def patch_local(db: Database, key: ObjectKey, patch: SessionPatch) -> WriteResult | None:
    """Change fields of one of our sessions and queue the PATCH for the token's eMSP.

    ``patch.charging_periods`` are *added* to the stored ones (SES-22); the PATCH pushed
    carries only the fields of ``patch``, so the eMSP appends the same periods.

    Returns:
        The write, or None when the patch is older than the stored session (nothing pushed).

    Raises:
        NotFound: for a session that is not one of ours.
        InvalidParameters: when the patched session would not be valid.
    """
    require_same_key(_url_ids(key), patch.model_dump(include={"country_code", "party_id", "id"}))
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or not stored.is_local:
            raise NotFound(f"Unknown session {key.object_id!r}")
        if stored.last_updated > patch.last_updated:
            return None
        session = validate_merged(Session, apply_patch(stored.parsed(), patch))
        own = session_key(session)
        result = await _store(store, own, session, is_local=True, peer_id=None)
        push = Push(own, "PATCH", _path(own), merge_patch({}, patch), audience=audience_of(session))
        await Outbox(conn).publish(push)
        return result


async def get_received(db: Database, caller: Caller, key: ObjectKey) -> str:
    """A session a CPO peer pushed to us, as stored (Receiver GET)."""
    return await read_received(db, caller, key, "session")


def _url_ids(key: ObjectKey) -> dict[str, str]:
    return {"country_code": key.country_code, "party_id": key.party_id, "id": key.object_id}


async def receive_put(db: Database, caller: Caller, key: ObjectKey, body: Any) -> WriteResult:
    """A PUT of a whole Session from the CPO that owns it.

    ``mod_sessions.asciidoc §PUT Method`` (SES-21): the new object replaces the stored one,
    ``charging_periods`` included ("If the new Session object does not contain
    ``charging_periods`` [...] the ``charging_periods`` of the existing object SHALL be
    removed").

    Returns:
        The write; outcome ``stale`` when the session is older than the stored one (X-07).
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    session = validate_merged(Session, body)
    require_same_key(_url_ids(key), session.model_dump(include={"country_code", "party_id", "id"}))
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is not None and stored.is_local:
            raise NotFound(f"{key.country_code}/{key.party_id} is not one of your parties")
        return await _store(store, key, session, is_local=False, peer_id=caller.peer.id)


async def receive_patch(
    db: Database, caller: Caller, key: ObjectKey, body: Any
) -> WriteResult | None:
    """A PATCH of a Session (whole object only, ``last_updated`` required): see :func:`apply_patch`.

    Returns:
        The write, or None when the patch is older than the stored session (X-07).

    Raises:
        NotFound: for a session we never received.
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    patch = validate_merged(SessionPatch, body)
    require_same_key(_url_ids(key), patch.model_dump(include={"country_code", "party_id", "id"}))
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or stored.is_local:
            raise NotFound(f"Unknown session {key.object_id!r}: PUT it before patching it")
        if stored.last_updated > patch.last_updated:
            return None
        session = validate_merged(Session, apply_patch(stored.parsed(), patch))
        return await _store(store, key, session, is_local=False, peer_id=caller.peer.id)
