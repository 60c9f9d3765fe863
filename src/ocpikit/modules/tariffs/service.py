"""Tariffs: behaviour of both interfaces, written once (``mod_tariffs.asciidoc``).

- Sender (CPO): our own tariffs as a paginated list. The Sender interface has no single-object
  GET: ``§Sender Interface`` lists only "GET: Returns Tariff objects from the CPO, last updated
  between the {date_from} and {date_to} (paginated)"; POST/PUT/PATCH/DELETE are n/a.
- Receiver (eMSP, NSP...): a CPO peer's tariffs under its own parties, stored as sent; GET, PUT
  and DELETE at ``/{country_code}/{party_id}/{tariff_id}``. There is no PATCH in 2.2.x (TAR-03).
  Out-of-order PUTs (older ``last_updated``) are accepted and ignored (X-07).
- Local writes (``load``, the operator API) go through :func:`save_local` and
  :func:`delete_local`, which queue the push in the same transaction.

Visibility: our own tariffs are readable by every registered peer (``interface.md``: "A CPO's
published locations and tariffs are readable by every registered peer"); received tariffs only
by the peer that owns their party (TF-63).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.common import (
    read_received,
    require_owner,
    require_same_key,
    validate_merged,
)
from ocpikit.protocol.v221.tariffs import Tariff
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "delete_local",
    "get_received",
    "key_of",
    "load",
    "parse_tariff",
    "receive_delete",
    "receive_put",
    "save_local",
    "store_local",
]

MODULE = "tariffs"


def key_of(country_code: str, party_id: str, tariff_id: str) -> ObjectKey:
    """The store key of a tariff."""
    return ObjectKey(MODULE, country_code, party_id, tariff_id)


def parse_tariff(body: Any) -> Tariff:
    """Validate a received Tariff.

    Raises:
        InvalidParameters: 2001 naming the failing fields; nothing is stored.
    """
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object (a Tariff)")
    try:
        return Tariff.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def _path(key: ObjectKey) -> str:
    return f"/{key.country_code}/{key.party_id}/{key.object_id}"


async def _event(conn: AsyncConnection, kind: str, key: ObjectKey, peer_id: int | None) -> None:
    await EventLog(conn).append(
        f"tariff.{kind}",
        MODULE,
        country_code=key.country_code,
        party_id=key.party_id,
        object_id=key.object_id,
        peer_id=peer_id,
    )


async def save_local(db: Database, tariff: Tariff, *, allow_older: bool = False) -> WriteResult:
    """Create or replace one of our own tariffs (the caller checked the party is ours).

    ``§Push model``: "When the CPO creates a new Tariff they push them to the eMSPs by calling
    the PUT method"; "Any changes ... can be sent ... by calling the PUT". The full tariff is
    queued for every peer with a Tariffs Receiver, in the same transaction. A write older than
    the stored tariff is not stored (``stale``) unless ``allow_older``, and then not pushed.
    """
    async with db.transaction() as conn:
        return await store_local(conn, tariff, allow_older=allow_older)


async def store_local(
    conn: AsyncConnection, tariff: Tariff, *, allow_older: bool = False
) -> WriteResult:
    """:func:`save_local` inside the caller's transaction (``ocpikit load``)."""
    key = key_of(tariff.country_code, tariff.party_id, tariff.id)
    result = await ObjectStore(conn).put(
        key,
        tariff.to_json_bytes(),
        last_updated=tariff.last_updated,
        is_local=True,
        allow_older=allow_older,
    )
    if result.outcome != "stale":
        await Outbox(conn).publish(Push(key, "PUT", _path(key), tariff.to_wire()))
    return result


async def delete_local(db: Database, key: ObjectKey) -> bool:
    """Delete one of our own tariffs and queue the DELETE for every Tariffs Receiver.

    ``§Push model``: "When the CPO deletes a Tariff, they will update the eMSPs systems by
    calling DELETE". ``§DELETE Method`` NOTE: "Before deleting a Tariff object, it is
    RECOMMENDED to ensure that the Tariff object is not referenced by any Connector object
    within the tariff_ids" - that check is the caller's.

    Returns:
        False (and nothing queued) when there was no such local tariff.
    """
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or not stored.is_local:
            return False
        await store.delete(key)
        data = stored.parsed()  # the path keeps the tariff's own spelling of its ids
        spelled = key_of(data["country_code"], data["party_id"], data["id"])
        await Outbox(conn).publish(Push(key, "DELETE", _path(spelled), None))
        return True


async def load(db: Database, key: ObjectKey) -> Tariff | None:
    """A stored tariff, ours or received (for pricing and CDR checks), or None."""
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key)
    return None if stored is None else Tariff.model_validate_json(stored.data)


async def get_received(db: Database, caller: Caller, key: ObjectKey) -> str:
    """A tariff the calling peer pushed to us, as stored JSON (Receiver GET).

    Raises:
        NotFound: 404 for a party the caller does not own or an unknown tariff.
    """
    return await read_received(db, caller, key, "tariff")


async def _store_received(
    conn: AsyncConnection, key: ObjectKey, tariff: Tariff, peer_id: int
) -> WriteResult:
    """Store a peer's tariff (older than the stored one: ignored) and record the event."""
    result = await ObjectStore(conn).put(
        key,
        tariff.to_json_bytes(),
        last_updated=tariff.last_updated,
        is_local=False,
        peer_id=peer_id,
    )
    if result.outcome != "stale":
        await _event(conn, result.outcome, key, peer_id)
    return result


async def receive_put(db: Database, caller: Caller, key: ObjectKey, body: Any) -> WriteResult:
    """A PUT of a Tariff from the CPO that owns it.

    ``§PUT Method``: URL ``country_code``/``party_id`` "SHALL be the same value as the
    country_code [party_id] in the Tariff object being pushed" (2001 otherwise, TF-62/64).

    Returns:
        The write; ``outcome == "stale"`` when it was older than the stored tariff and ignored.
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    tariff = parse_tariff(body)
    require_same_key(
        {"country_code": key.country_code, "party_id": key.party_id, "id": key.object_id},
        tariff.model_dump(include={"country_code", "party_id", "id"}),
    )
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        existing = await store.get(key)
        if existing is not None and existing.is_local:
            raise NotFound(f"{key.country_code}/{key.party_id} is not one of your parties")
        return await _store_received(conn, key, tariff, caller.peer.id)


async def receive_delete(db: Database, caller: Caller, key: ObjectKey) -> None:
    """A DELETE of a Tariff by the CPO that owns it ("no longer in use and will not be used").

    Raises:
        NotFound: 404 for a party the caller does not own, or a tariff we do not hold.
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or stored.is_local:
            raise NotFound(f"Unknown tariff {key.object_id!r}")
        await store.delete(key)
        await _event(conn, "deleted", key, caller.peer.id)


async def receive_patch(
    db: Database, caller: Caller, key: ObjectKey, patch: dict[str, Any]
) -> WriteResult:
    """A PATCH of a Tariff: only the sent fields change (``patch`` in the domain's form).

    OCPI 2.1.1's eMSP interface has it (``mod_tariffs.md §3.2.3 PATCH Method``); 2.2.1's
    Receiver has none, so only a version whose wire models define a TariffPatch routes here.

    Raises:
        NotFound: 404 for a party the caller does not own, or a tariff we do not hold.
        InvalidParameters: 2001 when the patched tariff would not be valid.
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or stored.is_local:
            raise NotFound(f"Unknown tariff {key.object_id!r}")
        tariff = validate_merged(Tariff, {**stored.parsed(), **patch})
        return await _store_received(conn, key, tariff, caller.peer.id)
