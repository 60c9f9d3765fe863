"""Locations: behaviour of both interfaces, written once (``mod_locations.asciidoc``).

- Sender (CPO): our own locations, as a paginated list or one Location / EVSE / Connector.
- Receiver (eMSP...): a CPO peer's locations under its own parties, stored as sent; PUT and
  PATCH at every level, ``last_updated`` propagated to the parents (LOC-05), out-of-order
  updates ignored (X-07).
- Local writes (``load``, the operator API, the simulator) go through :func:`save_local`.

``publish=false`` does not keep a Location from peers: it says whether the Location may be
*shown in an app or on a website* (LOC-07, :mod:`ocpikit.modules.locations.visibility`), not
whether it is exchanged. The spec's examples UC3 (destination charger, not published: the
eMSP helpdesk may still start a session), UC4 (limited visibility) and UC5 (home charge
point controlled from the eMSP app) are all sent with ``publish=false``. So every one of our
locations is listed, served and pushed to every peer alike; a private charger that needs
neither publishing nor remote control is simply not loaded (LOC-04: "SHOULD not be PUT").
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.common import (
    merge_patch,
    read_received,
    require_owner,
    require_same_key,
    validate_merged,
)
from ocpikit.modules.locations import tree
from ocpikit.protocol.v221.locations import (
    EVSE,
    Connector,
    ConnectorPatch,
    EvsePatch,
    Location,
    LocationPatch,
)
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "get_local",
    "get_received",
    "patch_local_evse",
    "receive_patch",
    "receive_put",
    "save_local",
    "select_level",
    "store_local",
]

MODULE = "locations"


def _parse(model: type[BaseModel], body: Any) -> Any:
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc


def select_level(data: str, evse_uid: str | None, connector_id: str | None) -> bytes:
    """The stored Location, or the EVSE / Connector a URL names, as JSON bytes."""
    if evse_uid is None:
        return data.encode()
    location = orjson.loads(data)
    evse = tree.evse_of(location, evse_uid)
    if connector_id is None:
        return orjson.dumps(evse)
    return orjson.dumps(tree.connector_of(evse, connector_id))


async def _store(
    store: ObjectStore,
    key: ObjectKey,
    location: Location,
    *,
    is_local: bool,
    peer_id: int | None,
    allow_older: bool = False,
) -> WriteResult:
    result = await store.put(
        key,
        location.to_json_bytes(),
        last_updated=location.last_updated,
        is_local=is_local,
        peer_id=peer_id,
        published=location.publish,
        allow_older=allow_older,
    )
    if not is_local and result.outcome != "stale":
        await EventLog(store.conn).append(
            f"location.{result.outcome}",
            MODULE,
            country_code=key.country_code,
            party_id=key.party_id,
            object_id=key.object_id,
            peer_id=peer_id,
        )
    return result


def _path(key: ObjectKey, evse_uid: str | None = None) -> str:
    path = f"/{key.country_code}/{key.party_id}/{key.object_id}"
    return f"{path}/{evse_uid}" if evse_uid else path


async def store_local(
    conn: AsyncConnection, location: Location, *, allow_older: bool = False
) -> WriteResult:
    """Create or replace one of our own locations inside the caller's transaction.

    The change is queued for every peer with a Locations Receiver in the same transaction.
    ``allow_older`` lets the owner replace a newer stored version (``ocpikit load``).
    """
    key = ObjectKey(MODULE, location.country_code, location.party_id, location.id)
    result = await _store(
        ObjectStore(conn), key, location, is_local=True, peer_id=None, allow_older=allow_older
    )
    if result.outcome != "stale":
        await Outbox(conn).publish(Push(key, "PUT", _path(key), location.to_wire()))
    return result


async def save_local(db: Database, location: Location) -> WriteResult:
    """Create or replace one of our own locations (the caller checked the party is ours)."""
    async with db.transaction() as conn:
        return await store_local(conn, location)


async def patch_local_evse(
    db: Database, key: ObjectKey, evse_uid: str, patch: EvsePatch
) -> WriteResult | None:
    """Change fields of one of our EVSEs (typically its status) and push the PATCH.

    Raises:
        NotFound: for an unknown location or EVSE.
    """
    sent = merge_patch({}, patch)
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await store.get(key)
        if stored is None or not stored.is_local:
            raise NotFound(f"Unknown location {key.object_id!r}")
        new = tree.patch_level(stored.parsed(), sent, evse_uid)
        if new is None:
            return None
        location = validate_merged(Location, new)
        result = await _store(store, key, location, is_local=True, peer_id=None)
        await Outbox(conn).publish(Push(key, "PATCH", _path(key, evse_uid), sent))
        return result


async def get_local(
    db: Database,
    location_id: str,
    evse_uid: str | None = None,
    connector_id: str | None = None,
    *,
    to_party: tuple[str, str] | None = None,
) -> bytes:
    """One of our locations (Sender GET), ``publish=false`` ones included, or its EVSE / Connector.

    Raises:
        NotFound: 404 when there is no such object.
    """
    async with db.connect() as conn:
        found = await ObjectStore(conn).find(MODULE, location_id)
    if to_party is not None:
        found = [o for o in found if (o.key.country_code, o.key.party_id) == to_party] or found
    if not found:
        raise NotFound(f"Unknown location {location_id!r}")
    return select_level(found[0].data, evse_uid, connector_id)


async def get_received(
    db: Database,
    caller: Caller,
    key: ObjectKey,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> bytes:
    """A location a peer pushed to us, as stored (Receiver GET)."""
    data = await read_received(db, caller, key, "location")
    return select_level(data, evse_uid, connector_id)


async def receive_put(
    db: Database,
    caller: Caller,
    key: ObjectKey,
    body: Any,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> WriteResult | None:
    """A PUT of a Location, EVSE or Connector from the CPO that owns it.

    Returns:
        The write, or None when the change was older than the stored object.
    """
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    if evse_uid is None:
        location: Location = _parse(Location, body)
        require_same_key(
            {"country_code": key.country_code, "party_id": key.party_id, "id": key.object_id},
            location.model_dump(include={"country_code", "party_id", "id"}),
        )
        async with db.transaction() as conn:
            store = ObjectStore(conn)
            await _check_not_ours(store, key)
            return await _store(store, key, location, is_local=False, peer_id=caller.peer.id)
    if connector_id is None:
        evse: EVSE = _parse(EVSE, body)
        require_same_key({"uid": evse_uid}, {"uid": evse.uid})
        change = evse.to_wire()
    else:
        connector: Connector = _parse(Connector, body)
        require_same_key({"id": connector_id}, {"id": connector.id})
        change = connector.to_wire()
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await _received(store, key)
        if connector_id is None:
            new = tree.put_evse(stored, change)
        else:
            assert evse_uid is not None
            new = tree.put_connector(stored, evse_uid, change)
        if new is None:
            return None
        merged = validate_merged(Location, new)
        return await _store(store, key, merged, is_local=False, peer_id=caller.peer.id)


async def receive_patch(
    db: Database,
    caller: Caller,
    key: ObjectKey,
    body: Any,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> WriteResult | None:
    """A PATCH of a Location, EVSE or Connector: only the sent fields change (TF-13)."""
    require_owner(caller, key.country_code, key.party_id, key.module)
    assert caller.peer is not None
    model = (
        LocationPatch
        if evse_uid is None
        else (EvsePatch if connector_id is None else ConnectorPatch)
    )
    patch = _parse(model, body)
    ids = (
        {"country_code": key.country_code, "party_id": key.party_id, "id": key.object_id}
        if evse_uid is None
        else ({"uid": evse_uid} if connector_id is None else {"id": connector_id})
    )
    require_same_key(ids, patch.model_dump(include=set(ids)))
    sent = merge_patch({}, patch)
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        stored = await _received(store, key)
        new = tree.patch_level(stored, sent, evse_uid, connector_id)
        if new is None:
            return None
        merged = validate_merged(Location, new)
        return await _store(store, key, merged, is_local=False, peer_id=caller.peer.id)


async def _received(store: ObjectStore, key: ObjectKey) -> dict[str, Any] | None:
    stored = await store.get(key)
    if stored is None:
        return None
    if stored.is_local:
        raise NotFound(f"Unknown location {key.object_id!r}")
    return stored.parsed()


async def _check_not_ours(store: ObjectStore, key: ObjectKey) -> None:
    stored = await store.get(key)
    if stored is not None and stored.is_local:
        raise NotFound(f"{key.country_code}/{key.party_id} is not one of your registered parties")
