"""HubClientInfo: connection status of the parties behind a Hub (``mod_hub_client_info``).

A Configuration Module between a party and its Hub (HCI-01..04):

- Receiver (every party connected to a Hub): the Hub PUTs ``ClientInfo`` to
  ``{endpoint}/{country_code}/{party_id}`` and may GET it back "for validation purposes".
  The URL names the party the ClientInfo *describes*, not the caller, so the usual party
  isolation does not apply; instead only a peer registered with the role ``HUB`` may read or
  write ClientInfo ("With this interface the Hub can push the ClientInfo information to a
  connected client"). Others get 404 and nothing is stored. ClientInfo cannot be deleted
  ("When the Hub invalidates a ClientInfo object (deleting is not possible), the Hub will
  send the updated ClientInfo object (with the field: status set to SUSPENDED)").
- Sender (a Hub node): the paginated list of our ClientInfo objects, written with
  :func:`save_local` (which also queues the PUT for every connected party).

Stored in the object store under module ``hubclientinfo``, key ``(country_code, party_id)``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.modules.common import require_same_key
from ocpikit.protocol.v221.hubclientinfo import ClientInfo, ConnectionStatus
from ocpikit.storage.db import Database
from ocpikit.storage.events import EventLog
from ocpikit.storage.objects import ObjectKey, ObjectStore, WriteResult
from ocpikit.storage.outbox import Outbox, Push
from ocpikit.transport.body import describe_validation_error
from ocpikit.transport.security import Caller

__all__ = [
    "MODULE",
    "client_status",
    "get_received",
    "key_of",
    "receive_put",
    "save_local",
]

MODULE = "hubclientinfo"


def key_of(country_code: str, party_id: str) -> ObjectKey:
    """The object key of the ClientInfo of one party."""
    return ObjectKey(MODULE, country_code, party_id, party_id)


def _require_hub(caller: Caller) -> None:
    if caller.peer is None or not any(r.role == "HUB" for r in caller.peer.roles):
        raise NotFound("ClientInfo is exchanged with a Hub only; you are not registered as one")


async def get_received(db: Database, caller: Caller, country_code: str, party_id: str) -> str:
    """The ClientInfo a Hub pushed to us (Receiver GET).

    Raises:
        NotFound: unknown party, or a caller that is not a Hub.
    """
    _require_hub(caller)
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key_of(country_code, party_id))
    if stored is None or stored.is_local:
        raise NotFound(f"No ClientInfo for {country_code}/{party_id}")
    return stored.data


async def receive_put(
    db: Database, caller: Caller, country_code: str, party_id: str, body: Any
) -> WriteResult:
    """A Hub's PUT of a new or changed ClientInfo (an older one is ignored, X-07).

    Raises:
        NotFound: the caller is not a Hub.
        InvalidParameters: 2001 naming the field, or ids that differ from the URL.
    """
    _require_hub(caller)
    assert caller.peer is not None
    if not isinstance(body, dict):
        raise InvalidParameters("The request body must be a JSON object")
    try:
        info = ClientInfo.model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
    require_same_key(
        {"country_code": country_code, "party_id": party_id},
        {"country_code": info.country_code, "party_id": info.party_id},
    )
    key = key_of(country_code, party_id)
    async with db.transaction() as conn:
        store = ObjectStore(conn)
        current = await store.get(key)
        if current is not None and current.is_local:
            raise NotFound(f"{country_code}/{party_id} is described by this node itself")
        result = await store.put(
            key,
            info.to_json_bytes(),
            last_updated=info.last_updated,
            is_local=False,
            peer_id=caller.peer.id,
        )
        if result.outcome != "stale":
            await EventLog(conn).append(
                f"hubclientinfo.{result.outcome}",
                MODULE,
                country_code=info.country_code,
                party_id=info.party_id,
                object_id=info.party_id,
                peer_id=caller.peer.id,
                data={"role": info.role.value, "status": info.status.value},
            )
    return result


async def save_local(db: Database, info: ClientInfo) -> WriteResult:
    """A Hub node's own ClientInfo: stored and queued as a PUT to every connected party."""
    key = key_of(info.country_code, info.party_id)
    async with db.transaction() as conn:
        result = await ObjectStore(conn).put(
            key, info.to_json_bytes(), last_updated=info.last_updated, is_local=True
        )
        if result.outcome != "stale":
            path = f"/{info.country_code}/{info.party_id}"
            await Outbox(conn).publish(Push(key, "PUT", path, info.to_wire()))
    return result


async def client_status(db: Database, country_code: str, party_id: str) -> ConnectionStatus | None:
    """The connection status a Hub reported for a party (None: never reported).

    HCI-05: OFFLINE, PLANNED and SUSPENDED parties should not be sent anything.
    """
    async with db.connect() as conn:
        stored = await ObjectStore(conn).get(key_of(country_code, party_id))
    if stored is None:
        return None
    return ConnectionStatus(stored.parsed()["status"])
