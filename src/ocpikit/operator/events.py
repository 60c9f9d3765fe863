"""Operator API: the event feed (what was received from peers, command results...).

Events are appended in the same transaction as the change they describe, and numbered in
order: a reader keeps the last ``id`` it handled and asks for ``after=<id>``. With ``wait``
the call long-polls: it answers as soon as there is an event, or empty after ``wait`` seconds.
The same events are POSTed to ``OCPIKIT_WEBHOOK_URL`` when it is set (see ``webhooks.py``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from ocpikit.operator.auth import Operator
from ocpikit.storage.db import Database
from ocpikit.storage.events import final_events
from ocpikit.storage.schema import MAX_ID, events

__all__ = ["EventOut", "event_json", "read_events", "router"]

router = APIRouter(tags=["events"])

POLL_SECONDS = 0.2


class EventOut(BaseModel):
    id: int
    kind: str = Field(description="e.g. session.created, cdr.created, command.result.")
    module: str
    country_code: str | None
    party_id: str | None
    object_id: str | None
    peer_id: int | None
    data: dict[str, Any]
    created_at: str


class EventPage(BaseModel):
    events: list[EventOut]
    last_id: int = Field(description="Pass it as `after` next time (the same when empty).")


def event_json(row: Any) -> dict[str, Any]:
    created = row.created_at
    return {
        "id": row.id,
        "kind": row.kind,
        "module": row.module,
        "country_code": row.country_code,
        "party_id": row.party_id,
        "object_id": row.object_id,
        "peer_id": row.peer_id,
        "data": orjson.loads(row.data),
        "created_at": created.isoformat(),
    }


async def read_events(
    db: Database, after: int, *, limit: int, kind: str | None = None
) -> list[dict[str, Any]]:
    """Events after ``after`` in order; ``kind`` exact, or a prefix written ``session.*``."""
    query = select(events).where(events.c.id > after)
    if kind is not None:
        if kind.endswith("*"):
            query = query.where(events.c.kind.startswith(kind[:-1], autoescape=True))
        else:
            query = query.where(events.c.kind == kind)
    async with db.connect() as conn:
        query = await final_events(conn, query)  # no event can appear below these later
        rows = await conn.execute(query.order_by(events.c.id).limit(limit))
        return [event_json(r) for r in rows]


@router.get("/events", summary="The event feed, oldest first (long-poll with `wait`)")
async def get_events(
    node: Operator,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The last event id already handled.")
    ] = 0,
    kind: Annotated[
        str | None,
        Query(max_length=48, description="One kind (cdr.created) or a prefix (session.*)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    wait: Annotated[
        float, Query(ge=0, le=60, description="Seconds to wait for an event when none is due.")
    ] = 0,
) -> EventPage:
    deadline = time.monotonic() + wait
    await node.events.flush()  # the authorizations this process answered are in the feed
    while True:
        found = await read_events(node.db, after, limit=limit, kind=kind)
        if found or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    return EventPage(
        events=[EventOut.model_validate(e) for e in found],
        last_id=found[-1]["id"] if found else after,
    )
