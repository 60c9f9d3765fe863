"""CDRs: behaviour of both interfaces, written once (``mod_cdrs.asciidoc``).

- Sender (CPO): our own CDRs, listed only to the eMSP that owns the CDR's token (CDR-03,
  ``audience`` = ``cdr_token.country_code/party_id``).
- Receiver (eMSP...): ``POST`` of a CDR from the CPO that owns it, answered with the URL
  where it can be read back (CDR-12, CDR-13).
- Local writes go through :func:`save_local`, which queues the POST to the token's eMSP.

CDRs are immutable (CDR-01): there is no PUT, PATCH or DELETE, and a stored CDR is never
overwritten. A correction is a Credit CDR (``credit=true``, ``credit_reference_id``), which is
a new CDR with its own ``id`` (CDR-02), stored and pushed like any other.

A second POST of an id we already hold (CDR-14, left open by the spec): when the CDR is the
same as the stored one it is a retried delivery and is acknowledged again (1000, HTTP 200,
same ``Location``), so the CPO's outbox can finish; when it differs, it is refused with 2001
and the stored CDR stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.common import read_received, require_owner, validate_merged
from ocpikit.pricing import service as pricing
from ocpikit.protocol.v221.cdrs import CDR
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "Received",
    "audience_of",
    "cdr_key",
    "get_received",
    "receive_post",
    "save_local",
    "store_local",
]

MODULE = "cdrs"


def cdr_key(cdr: CDR) -> ObjectKey:
    return ObjectKey(MODULE, cdr.country_code, cdr.party_id, cdr.id)


def audience_of(cdr: CDR) -> tuple[str, str]:
    """The eMSP party allowed to read a CDR: the owner of its token."""
    return cdr.cdr_token.country_code, cdr.cdr_token.party_id


@dataclass(frozen=True, slots=True)
class Received:
    """The outcome of a POST: the CDR and whether it was new (False: an identical repeat)."""

    cdr: CDR
    created: bool


async def save_local(db: Database, cdr: CDR) -> WriteResult:
    """Store one of our own CDRs and queue its POST for the token's eMSP (no other peer).

    Raises:
        InvalidParameters: when a CDR with this id is already stored (CDRs are immutable; a
            correction is a Credit CDR with a new id).
    """
    async with db.transaction() as conn:
        return await store_local(conn, cdr)


async def store_local(conn: AsyncConnection, cdr: CDR, *, allow_older: bool = False) -> WriteResult:
    """:func:`save_local` inside the caller's transaction (``ocpikit load``).

    ``allow_older`` is accepted for symmetry with the other kinds and has no effect: a CDR
    is never replaced.
    """
    key = cdr_key(cdr)
    result = await ObjectStore(conn).put(
        key,
        cdr.to_json_bytes(),
        last_updated=cdr.last_updated,
        is_local=True,
        audience=audience_of(cdr),
        create_only=True,
    )
    if result.outcome == "exists":
        raise InvalidParameters(
            f"CDR {cdr.id!r} already exists; CDRs are immutable, send a Credit CDR instead"
        )
    await Outbox(conn).publish(Push(key, "POST", "", cdr.to_wire(), audience=audience_of(cdr)))
    return result


async def receive_post(db: Database, caller: Caller, body: Any) -> Received:
    """A CDR POSTed by the CPO that owns it (party isolation on the CDR's own party).

    Raises:
        InvalidParameters: 2001 for a bad CDR, or a different CDR under an id we hold.
        NotFound: when the CDR's party is not one of the caller's (nothing stored).
    """
    cdr = validate_merged(CDR, body)
    require_owner(caller, cdr.country_code, cdr.party_id, MODULE)
    assert caller.peer is not None
    key = cdr_key(cdr)
    data = cdr.to_json_bytes()
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        written = await store.put(
            key,
            data,
            last_updated=cdr.last_updated,
            is_local=False,
            peer_id=caller.peer.id,
            audience=audience_of(cdr),
            create_only=True,
        )
        if written.outcome == "exists":
            stored = await store.get(key)
            assert stored is not None
            if stored.is_local:
                raise NotFound(f"{cdr.country_code}/{cdr.party_id} is not one of your parties")
            if stored.parsed() != orjson.loads(data):
                raise InvalidParameters(
                    f"CDR {cdr.id!r} was already received with different content; CDRs are"
                    " immutable, send a Credit CDR with a new id instead"
                )
            return Received(cdr, created=False)
        await EventLog(conn).append(
            "cdr.created",
            MODULE,
            country_code=key.country_code,
            party_id=key.party_id,
            object_id=key.object_id,
            peer_id=caller.peer.id,
            data=_event_data(cdr),
        )
        # Re-price with the tariffs we hold; the outcome is an event, never a refusal.
        await pricing.check_received_cdr(conn, cdr, caller.peer.id)
        return Received(cdr, created=True)


def _event_data(cdr: CDR) -> dict[str, Any]:
    data: dict[str, Any] = {"total_cost": cdr.total_cost.to_wire(), "currency": cdr.currency}
    if cdr.session_id is not None:
        data["session_id"] = cdr.session_id
    if cdr.credit:
        data["credit"] = True
        data["credit_reference_id"] = cdr.credit_reference_id
    return data


async def get_received(db: Database, caller: Caller, key: ObjectKey) -> str:
    """A CDR a CPO peer POSTed to us (the URL we gave in ``Location``); owner only."""
    return await read_received(db, caller, key, "CDR")
