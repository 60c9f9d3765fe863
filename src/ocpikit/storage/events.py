"""The event feed: what happened to objects, for the operator's own systems.

Services append events in the same transaction as the change they describe, so an event is
never lost nor reported for a change that did not happen. Readers page by ``id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit.storage.schema import events

__all__ = ["Event", "EventLog"]


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

    async def after(
        self, after_id: int = 0, *, limit: int = 100, kind: str | None = None
    ) -> list[Event]:
        query = select(events).where(events.c.id > after_id)
        if kind is not None:
            query = query.where(events.c.kind == kind)
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
