"""Operator API: the outbox of pushes to peers (inspect, replay DEAD messages)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from ocpikit.operator.auth import Operator
from ocpikit.storage.schema import MAX_ID, MAX_PEER_ID, outbox
from ocpikit.sync.push import list_messages, outbox_counts, replay

__all__ = ["router"]

router = APIRouter(tags=["outbox"])


class Status(StrEnum):
    PENDING = "PENDING"
    DONE = "DONE"
    DEAD = "DEAD"


class MessageOut(BaseModel):
    id: int
    peer_id: int
    module: str
    object: str = Field(description="module:CC:PARTY:ID:TYPE of the object pushed.")
    method: str
    path: str
    status: Status
    attempts: int
    last_error: str | None
    created_at: str
    delivered_at: str | None


class OutboxOut(BaseModel):
    counts: dict[str, int] = Field(description="Messages PENDING, DONE and DEAD (all peers).")
    messages: list[MessageOut] = Field(description="Newest first.")


class ReplayIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=10000, description="Ids of DEAD messages."
    )


class ReplayOut(BaseModel):
    replayed: int = Field(description="How many DEAD messages were queued again.")
    ignored: list[int] = Field(description="Ids that were not DEAD (or do not exist).")


@router.get("/outbox", summary="Outbox messages, newest first, with counts per status")
async def get_outbox(
    node: Operator,
    status: Status | None = None,
    peer: Annotated[
        int | None, Query(ge=1, le=MAX_PEER_ID, description="Only messages to this peer id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OutboxOut:
    messages = await list_messages(
        node.db, status=status.value if status else None, peer_id=peer, limit=limit
    )
    return OutboxOut(
        counts=await outbox_counts(node.db),
        messages=[MessageOut.model_validate(m.to_json()) for m in messages],
    )


@router.post("/outbox/replay", summary="Queue DEAD messages again (attempts reset)")
async def replay_outbox(body: ReplayIn, node: Operator) -> ReplayOut:
    ids = sorted(set(body.ids))
    async with node.db.connect() as conn:
        found = await conn.execute(
            select(outbox.c.id).where(outbox.c.id.in_(ids), outbox.c.status == "DEAD")
        )
        dead = set(found.scalars())
    replayed = await replay(node.db, sorted(dead)) if dead else 0
    return ReplayOut(replayed=replayed, ignored=[i for i in ids if i not in dead])
