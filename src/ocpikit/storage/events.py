"""The event feed: what happened to objects, for the operator's own systems.

Services append events in the same transaction as the change they describe, so an event is
never lost nor reported for a change that did not happen. Readers page by ``id``.

Reading by ``id`` is only safe if no event can still appear *below* an id a reader has seen.
On SQLite writers take turns, so ids commit in order. On PostgreSQL several transactions (in
several processes) append at once: one can take id 10 and commit while id 9's transaction is
still running, and a reader that moved its cursor to 10 would never see 9. So readers only go
up to a *horizon* below which every id is final (committed, or rolled back for good):
appenders hold a shared advisory lock from their first event until they commit; the reader
takes the same lock exclusively, which waits for the appenders in flight, and reads the
highest id then. Ids handed out later are higher (the sequence only grows). Writers never wait
for each other; a reader waits only for the transactions in flight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Select, false, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.storage.schema import events

if TYPE_CHECKING:
    from ocpikit.storage.recorder import NewEvent

__all__ = ["FEED_LOCK", "Event", "EventLog", "final_events"]

# The advisory lock key of the event feed ("ocpikit" in ASCII, then 1).
FEED_LOCK = 0x6F63_7069_6B69_7401
_SHARE = text("SELECT pg_advisory_xact_lock_shared(:key)").bindparams(key=FEED_LOCK)
_TAKE = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=FEED_LOCK)
_BRIEFLY = text("SET LOCAL lock_timeout = '250ms'")


async def final_events(conn: AsyncConnection, query: Select[Any]) -> Select[Any]:
    """``query`` on ``events`` limited to the ids that are final (see the module doc).

    On PostgreSQL the lock taken here lasts until the connection's transaction ends: read
    right after, and do not hold the connection.
    """
    if conn.dialect.name != "postgresql":
        return query
    try:
        async with conn.begin_nested():
            await conn.execute(_BRIEFLY)
            await conn.execute(_TAKE)
    except DBAPIError:
        # Appenders still in flight after _BRIEFLY: nothing is final beyond what the reader
        # had; it asks again. Waiting briefly keeps the appenders queued behind this reader
        # from waiting long, and breaks any lock cycle before PostgreSQL would.
        return query.where(false())
    horizon = int(await conn.scalar(select(func.coalesce(func.max(events.c.id), 0))) or 0)
    return query.where(events.c.id <= horizon)


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    kind: str
    module: str
    country_code: str | None
    party_id: str | None
    object_id: str | None
    peer_id: int | None
    data: dict[str, Any]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "module": self.module,
            "country_code": self.country_code,
            "party_id": self.party_id,
            "object_id": self.object_id,
            "peer_id": self.peer_id,
            "data": self.data,
            "created_at": self.created_at.isoformat(),
        }


class EventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def append(
        self,
        kind: str,
        module: str,
        *,
        country_code: str | None = None,
        party_id: str | None = None,
        object_id: str | None = None,
        peer_id: int | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(_SHARE)  # until commit: readers wait for this id
        result = await self.conn.execute(
            insert(events)
            .values(
                kind=kind,
                module=module,
                country_code=country_code,
                party_id=party_id,
                object_id=object_id,
                peer_id=peer_id,
                data=orjson.dumps(data or {}).decode(),
                created_at=datetime.now(UTC),
            )
            .returning(events.c.id)
        )
        return int(result.scalar_one())

    async def append_all(self, batch: Sequence[NewEvent]) -> None:
        """Append events recorded earlier (:mod:`ocpikit.storage.recorder`), in their order."""
        if not batch:
            return
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(_SHARE)
        await self.conn.execute(
            insert(events),
            [
                {
                    "kind": e.kind,
                    "module": e.module,
                    "country_code": e.country_code,
                    "party_id": e.party_id,
                    "object_id": e.object_id,
                    "peer_id": e.peer_id,
                    "data": orjson.dumps(e.data).decode(),
                    "created_at": e.created_at,
                }
                for e in batch
            ],
        )

    async def after(
        self, after_id: int = 0, *, limit: int = 100, kind: str | None = None
    ) -> list[Event]:
        query = select(events).where(events.c.id > after_id)
        if kind is not None:
            query = query.where(events.c.kind == kind)
        query = await final_events(self.conn, query)
        rows = await self.conn.execute(query.order_by(events.c.id).limit(limit))
        return [
            Event(
                id=r.id,
                kind=r.kind,
                module=r.module,
                country_code=r.country_code,
                party_id=r.party_id,
                object_id=r.object_id,
                peer_id=r.peer_id,
                data=orjson.loads(r.data),
                created_at=r.created_at,
            )
            for r in rows
        ]
